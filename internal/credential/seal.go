package credential

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Sealed blob constants (see the package documentation for the layout).
const (
	SealVersion  = 1
	SuiteP256AES = 1 // P-256 ECDH, HKDF-SHA-256, AES-256-GCM

	keyIDSize    = 8
	sealHdrSize  = 2 + keyIDSize + PointSize
	gcmTagSize   = 16
	SealOverhead = sealHdrSize + gcmTagSize // 91 bytes on top of the encoded package
	sealInfo     = "credbed credential seal v1"
	aadLabel     = "credbed seal aad v1"
)

// SealAAD builds the associated data that binds a sealed credential to one
// target device: a label, the device id and the hash of its bootstrap key.
// The CPF seals and the TD opens with the same value.
func SealAAD(targetID string, bootstrapHash [HashSize]byte) []byte {
	b := make([]byte, 0, len(aadLabel)+2+len(targetID)+HashSize)
	b = append(b, aadLabel...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(targetID)))
	b = append(b, targetID...)
	return append(b, bootstrapHash[:]...)
}

// Seal encrypts pkg to the target device's bootstrap public key so that only
// the holder of the private key (the TD) can read K and OPc (DESIGN step 5).
// aad is authenticated but not encrypted; use SealAAD.
func Seal(rand io.Reader, tdPub *ecdh.PublicKey, aad []byte, pkg Package) ([]byte, error) {
	if err := checkP256(tdPub); err != nil {
		return nil, err
	}
	pt, err := pkg.MarshalBinary()
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	eph, err := GenerateKey(rand)
	if err != nil {
		return nil, err
	}
	z, err := eph.ECDH(tdPub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	out := make([]byte, sealHdrSize, sealHdrSize+len(pt)+gcmTagSize)
	out[0], out[1] = SealVersion, SuiteP256AES
	kh := KeyHash(tdPub)
	copy(out[2:2+keyIDSize], kh[:keyIDSize])
	copy(out[2+keyIDSize:], eph.PublicKey().Bytes())
	aead, nonce, err := sealKey(z, out[2+keyIDSize:sealHdrSize], tdPub.Bytes())
	if err != nil {
		return nil, err
	}
	return aead.Seal(out, nonce, pt, sealAD(out[:sealHdrSize], aad)), nil
}

// Open decrypts a sealed credential with the TD's bootstrap private key and
// strictly decodes the package. Errors: ErrMalformed (structure, version or
// suite), ErrWrongKey (sealed to another key), ErrTampered (authentication
// failed: modified blob or different aad).
func Open(tdPriv *ecdh.PrivateKey, aad []byte, sealed []byte) (Package, error) {
	if tdPriv == nil || tdPriv.Curve() != ecdh.P256() {
		return Package{}, fmt.Errorf("%w: want a P-256 private key", ErrBadKey)
	}
	if len(sealed) < SealOverhead {
		return Package{}, fmt.Errorf("%w: sealed blob of %d bytes, minimum %d", ErrMalformed, len(sealed), SealOverhead)
	}
	if sealed[0] != SealVersion {
		return Package{}, fmt.Errorf("%w: sealed blob version %d", ErrMalformed, sealed[0])
	}
	if sealed[1] != SuiteP256AES {
		return Package{}, fmt.Errorf("%w: sealed blob suite %d", ErrMalformed, sealed[1])
	}
	tdPub := tdPriv.PublicKey()
	kh := KeyHash(tdPub)
	if subtle.ConstantTimeCompare(kh[:keyIDSize], sealed[2:2+keyIDSize]) != 1 {
		return Package{}, ErrWrongKey
	}
	ephBytes := sealed[2+keyIDSize : sealHdrSize]
	eph, err := ecdh.P256().NewPublicKey(ephBytes)
	if err != nil {
		return Package{}, fmt.Errorf("%w: ephemeral key is not a P-256 point", ErrMalformed)
	}
	z, err := tdPriv.ECDH(eph)
	if err != nil {
		return Package{}, fmt.Errorf("%w: ECDH: %v", ErrMalformed, err)
	}
	aead, nonce, err := sealKey(z, ephBytes, tdPub.Bytes())
	if err != nil {
		return Package{}, err
	}
	pt, err := aead.Open(nil, nonce, sealed[sealHdrSize:], sealAD(sealed[:sealHdrSize], aad))
	if err != nil {
		return Package{}, ErrTampered
	}
	defer clear(pt)
	p, err := ParsePackage(pt)
	if err != nil {
		// Authentic but undecodable: the sealer produced garbage.
		var de *DecodeError
		if errors.As(err, &de) {
			return Package{}, err
		}
		return Package{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return p, nil
}

func sealKey(z, ephPub, tdPub []byte) (cipher.AEAD, []byte, error) {
	salt := make([]byte, 0, len(ephPub)+len(tdPub))
	salt = append(append(salt, ephPub...), tdPub...)
	okm, err := hkdf.Key(sha256.New, z, salt, sealInfo, 32+12)
	clear(z)
	if err != nil {
		return nil, nil, fmt.Errorf("credential: hkdf: %w", err)
	}
	defer clear(okm[:32])
	block, err := aes.NewCipher(okm[:32])
	if err != nil {
		return nil, nil, fmt.Errorf("credential: aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, nil, fmt.Errorf("credential: gcm: %w", err)
	}
	return aead, okm[32:], nil
}

func sealAD(hdr, aad []byte) []byte {
	ad := make([]byte, 0, len(hdr)+len(aad))
	return append(append(ad, hdr...), aad...)
}
