package credential

import (
	"bytes"
	"crypto/ecdh"
	"crypto/elliptic"
	"crypto/sha256"
	"fmt"
	"io"
	"math/big"
)

// Sizes of P-256 key encodings.
const (
	PointSize           = 65 // uncompressed SEC 1 point
	CompressedPointSize = 33 // compressed SEC 1 point
	ScalarSize          = 32
	SPKISize            = 59 // DER SubjectPublicKeyInfo with a compressed point (the DPP URI form)
	HashSize            = sha256.Size
)

// spkiUncompressedPrefix is the DER header of a P-256 SubjectPublicKeyInfo
// holding an uncompressed point (what x509.MarshalPKIXPublicKey writes).
var spkiUncompressedPrefix = []byte{
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
}

// spkiPrefix is the DER header of a P-256 SubjectPublicKeyInfo holding a
// compressed point: SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 },
// BIT STRING (34 bytes) }.
var spkiPrefix = []byte{
	0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
}

// GenerateKey returns a P-256 private key drawn from rand by rejection
// sampling. Unlike ecdh.GenerateKey (which ignores its reader since Go 1.26),
// it honours the injected reader, so seeded runs are reproducible. Pass
// crypto/rand.Reader outside tests.
func GenerateKey(rand io.Reader) (*ecdh.PrivateKey, error) {
	if rand == nil {
		return nil, fmt.Errorf("%w: nil random source", ErrBadKey)
	}
	var b [ScalarSize]byte
	for range 64 {
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			return nil, fmt.Errorf("credential: reading randomness: %w", err)
		}
		if k, err := ecdh.P256().NewPrivateKey(b[:]); err == nil {
			clear(b[:])
			return k, nil
		}
	}
	return nil, fmt.Errorf("%w: random source yields no valid scalar", ErrBadKey)
}

// CompressPoint returns the 33-byte compressed SEC 1 form of pub.
func CompressPoint(pub *ecdh.PublicKey) []byte {
	u := pub.Bytes()
	out := make([]byte, CompressedPointSize)
	out[0] = 2 | u[PointSize-1]&1
	copy(out[1:], u[1:33])
	return out
}

// MarshalPublicKey returns the 59-byte DER SubjectPublicKeyInfo with a
// compressed point, the form DPP puts in its URI and hashes.
func MarshalPublicKey(pub *ecdh.PublicKey) []byte {
	out := make([]byte, 0, SPKISize)
	out = append(out, spkiPrefix...)
	return append(out, CompressPoint(pub)...)
}

// KeyHash is SHA-256 of MarshalPublicKey(pub): DPP's bootstrapping key hash.
func KeyHash(pub *ecdh.PublicKey) [HashSize]byte {
	return sha256.Sum256(MarshalPublicKey(pub))
}

// ParsePublicKey reads a P-256 public key from any of: a 59-byte compressed
// SPKI (DPP), a 91-byte DER SPKI with an uncompressed point, a 33-byte
// compressed point or a 65-byte uncompressed point. (Fixed DER prefixes, not
// crypto/x509, keep this package free of the net dependency x509 brings.)
func ParsePublicKey(b []byte) (*ecdh.PublicKey, error) {
	switch {
	case len(b) == SPKISize && bytes.HasPrefix(b, spkiPrefix):
		return decompress(b[len(spkiPrefix):])
	case len(b) == CompressedPointSize:
		return decompress(b)
	case len(b) == PointSize:
		k, err := ecdh.P256().NewPublicKey(b)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
		}
		return k, nil
	case len(b) == len(spkiUncompressedPrefix)+PointSize && bytes.HasPrefix(b, spkiUncompressedPrefix):
		return ParsePublicKey(b[len(spkiUncompressedPrefix):])
	}
	return nil, fmt.Errorf("%w: not a P-256 key encoding (%d bytes)", ErrBadKey, len(b))
}

func decompress(c []byte) (*ecdh.PublicKey, error) {
	if len(c) != CompressedPointSize || (c[0] != 2 && c[0] != 3) {
		return nil, fmt.Errorf("%w: not a compressed point", ErrBadKey)
	}
	x, y := elliptic.UnmarshalCompressed(elliptic.P256(), c)
	if x == nil {
		return nil, fmt.Errorf("%w: compressed point not on P-256", ErrBadKey)
	}
	return pointFromXY(x, y)
}

func pointFromXY(x, y *big.Int) (*ecdh.PublicKey, error) {
	var u [PointSize]byte
	u[0] = 4
	x.FillBytes(u[1:33])
	y.FillBytes(u[33:])
	k, err := ecdh.P256().NewPublicKey(u[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	return k, nil
}

func checkP256(pub *ecdh.PublicKey) error {
	if pub == nil || pub.Curve() != ecdh.P256() {
		return fmt.Errorf("%w: want a P-256 public key", ErrBadKey)
	}
	return nil
}
