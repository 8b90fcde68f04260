package suci

import (
	"crypto/aes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"

	"github.com/credbed/credbed/internal/ident"
)

// ECIES parameters shared by Profiles A and B (TS 33.501 C.3.4.1, C.3.4.2).
const (
	encKeyLen = 16 // AES-128
	icbLen    = 16
	macKeyLen = 32
	macLen    = ident.ECIESMACLen
	kdfLen    = encKeyLen + icbLen + macKeyLen
)

// sessionKeys is the KDF output split left to right (C.3.2, C.3.3).
type sessionKeys struct {
	enc [encKeyLen]byte
	icb [icbLen]byte
	mac [macKeyLen]byte
}

// deriveKeys runs the ANSI X9.63 KDF with SHA-256 (SEC 1 v2 §3.6.1) on the
// shared secret z with SharedInfo1 = the ephemeral public key as sent.
func deriveKeys(z, ephPub []byte) sessionKeys {
	var out [2 * sha256.Size]byte
	h := sha256.New()
	var ctr [4]byte
	for i := range 2 {
		binary.BigEndian.PutUint32(ctr[:], uint32(i+1))
		h.Reset()
		h.Write(z)
		h.Write(ctr[:])
		h.Write(ephPub)
		h.Sum(out[i*sha256.Size : i*sha256.Size])
	}
	var k sessionKeys
	copy(k.enc[:], out[:encKeyLen])
	copy(k.icb[:], out[encKeyLen:encKeyLen+icbLen])
	copy(k.mac[:], out[encKeyLen+icbLen:kdfLen])
	clear(out[:])
	return k
}

// ctr32 applies AES-128-CTR with the NIST SP 800-38A B.1 incrementing function
// for m = 32 bits, as C.3.4 requires: only the low 32 bits of the counter block
// advance (and wrap), unlike crypto/cipher's full 128-bit counter.
func ctr32(key *[encKeyLen]byte, icb *[icbLen]byte, dst, src []byte) error {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return fmt.Errorf("suci: AES: %w", err)
	}
	var ctr, ks [aes.BlockSize]byte
	ctr = *icb
	for off := 0; off < len(src); off += aes.BlockSize {
		block.Encrypt(ks[:], ctr[:])
		end := min(off+aes.BlockSize, len(src))
		for i := off; i < end; i++ {
			dst[i] = src[i] ^ ks[i-off]
		}
		n := binary.BigEndian.Uint32(ctr[12:])
		binary.BigEndian.PutUint32(ctr[12:], n+1)
	}
	return nil
}

// macTag returns the 8 most significant octets of HMAC-SHA-256(MK, ciphertext).
func macTag(mk *[macKeyLen]byte, ciphertext []byte) [macLen]byte {
	m := hmac.New(func() hash.Hash { return sha256.New() }, mk[:])
	m.Write(ciphertext)
	var full [sha256.Size]byte
	m.Sum(full[:0])
	var tag [macLen]byte
	copy(tag[:], full[:macLen])
	return tag
}

// seal returns ephPub ‖ ciphertext ‖ tag for plaintext under the home network
// public key hn with the ephemeral private key eph.
func seal(eph *PrivateKey, hn *PublicKey, plaintext []byte) ([]byte, error) {
	z, err := eph.key.ECDH(hn.key)
	if err != nil {
		return nil, fmt.Errorf("%w: home network key: %v", ErrOffCurve, err)
	}
	ephPub := encodePublic(eph.scheme, eph.key.PublicKey())
	keys := deriveKeys(z, ephPub)
	clear(z)
	out := make([]byte, len(ephPub)+len(plaintext)+macLen)
	copy(out, ephPub)
	ct := out[len(ephPub) : len(ephPub)+len(plaintext)]
	if err := ctr32(&keys.enc, &keys.icb, ct, plaintext); err != nil {
		return nil, err
	}
	tag := macTag(&keys.mac, ct)
	copy(out[len(ephPub)+len(plaintext):], tag[:])
	clear(keys.enc[:])
	clear(keys.mac[:])
	return out, nil
}

// open verifies and decrypts an ECIES scheme output with the home network
// private key hn. The MAC is checked (in constant time) before decryption.
func open(hn *PrivateKey, output []byte) ([]byte, error) {
	kl := hn.scheme.ECIESPublicKeyLen()
	ephEnc := output[:kl]
	ct := output[kl : len(output)-macLen]
	tag := output[len(output)-macLen:]
	eph, err := NewPublicKey(hn.scheme, ephEnc)
	if err != nil {
		return nil, err
	}
	z, err := hn.key.ECDH(eph.key)
	if err != nil { // X25519 small-order point: all-zero shared secret
		return nil, fmt.Errorf("%w: ephemeral key: %v", ErrOffCurve, err)
	}
	keys := deriveKeys(z, ephEnc)
	clear(z)
	want := macTag(&keys.mac, ct)
	clear(keys.mac[:])
	if !hmac.Equal(want[:], tag) {
		return nil, ErrMACMismatch
	}
	pt := make([]byte, len(ct))
	if err := ctr32(&keys.enc, &keys.icb, pt, ct); err != nil {
		return nil, err
	}
	clear(keys.enc[:])
	return pt, nil
}
