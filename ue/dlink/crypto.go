package dlink

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
)

// DPP key schedule (Wi-Fi Easy Connect §6.3; labels as in hostapd and iwd):
//
//	M = p_I·B_R = b_R·P_I           k1 = HKDF(<>, "first intermediate key", M.x)
//	N = p_I·P_R = p_R·P_I           k2 = HKDF(<>, "second intermediate key", N.x)
//	L = b_I·(B_R+P_R) = (b_R+p_R)·B_I   (mutual authentication only)
//	ke = HKDF(I-nonce || R-nonce, "DPP Key", M.x || N.x [|| L.x])
//	R-auth = SHA-256(I-nonce || R-nonce || P_I.x || P_R.x || [B_I.x ||] B_R.x || [C ||] 0)
//	I-auth = SHA-256(R-nonce || I-nonce || P_R.x || P_I.x || B_R.x || [B_I.x ||] [C ||] 1)
//
// C is credbed's addition: the capabilities transcript (CapsTranscript), so
// the key confirmation covers the negotiation. Without C the tags are DPP's,
// which the test vectors of DPP Appendix B check.
const (
	labelK1  = "first intermediate key"
	labelK2  = "second intermediate key"
	labelKe  = "DPP Key"
	labelPoP = "credbed dlink pop v1"
)

// ErrUnwrap: wrapped data did not authenticate under the key.
var ErrUnwrap = errors.New("dlink: unwrap failed")

func hkdf32(secret, salt []byte, info string) ([]byte, error) {
	k, err := hkdf.Key(sha256.New, secret, salt, info, 32)
	if err != nil {
		return nil, fmt.Errorf("dlink: hkdf %q: %w", info, err)
	}
	return k, nil
}

// DeriveK1 is DPP's k1 from M.x.
func DeriveK1(mx []byte) ([]byte, error) { return hkdf32(mx, nil, labelK1) }

// DeriveK2 is DPP's k2 from N.x.
func DeriveK2(nx []byte) ([]byte, error) { return hkdf32(nx, nil, labelK2) }

// DeriveKe is DPP's ke; lx is nil for responder-only authentication.

func DeriveKe(iNonce, rNonce, mx, nx, lx []byte) ([]byte, error) {
	salt := make([]byte, 0, len(iNonce)+len(rNonce))
	salt = append(append(salt, iNonce...), rNonce...)
	ikm := make([]byte, 0, len(mx)+len(nx)+len(lx))
	ikm = append(append(append(ikm, mx...), nx...), lx...)
	defer clear(ikm)
	return hkdf32(ikm, salt, labelKe)
}

// xOf returns the x coordinate of a P-256 public key.
func xOf(k *ecdh.PublicKey) []byte { return k.Bytes()[1:33] }

// RAuth is the responder's authenticating tag; bI is nil without mutual
// authentication and caps nil for DPP's exact formula.
func RAuth(iNonce, rNonce []byte, pI, pR, bR, bI *ecdh.PublicKey, caps []byte) [AuthTagSize]byte {
	h := sha256.New()
	h.Write(iNonce)
	h.Write(rNonce)
	h.Write(xOf(pI))
	h.Write(xOf(pR))
	if bI != nil {
		h.Write(xOf(bI))
	}
	h.Write(xOf(bR))
	h.Write(caps)
	h.Write([]byte{0})
	return [AuthTagSize]byte(h.Sum(nil))
}

// IAuth is the initiator's authenticating tag (see RAuth).
func IAuth(iNonce, rNonce []byte, pI, pR, bR, bI *ecdh.PublicKey, caps []byte) [AuthTagSize]byte {
	h := sha256.New()
	h.Write(rNonce)
	h.Write(iNonce)
	h.Write(xOf(pR))
	h.Write(xOf(pI))
	h.Write(xOf(bR))
	if bI != nil {
		h.Write(xOf(bI))
	}
	h.Write(caps)
	h.Write([]byte{1})
	return [AuthTagSize]byte(h.Sum(nil))
}

// lInitiator computes L.x = (b_I·(B_R + P_R)).x.
func lInitiator(bI *ecdh.PrivateKey, bR, pR *ecdh.PublicKey) ([]byte, error) {
	sum, err := addPoints(bR, pR)
	if err != nil {
		return nil, err
	}
	return bI.ECDH(sum)
}

// lResponder computes L.x = (((b_R + p_R) mod n)·B_I).x. The scalar sum uses
// math/big (not constant time: acceptable for an emulator, not for a device).
func lResponder(bR, pR *ecdh.PrivateKey, bI *ecdh.PublicKey) ([]byte, error) {
	n := elliptic.P256().Params().N
	s := new(big.Int).Add(new(big.Int).SetBytes(bR.Bytes()), new(big.Int).SetBytes(pR.Bytes()))
	s.Mod(s, n)
	var b [32]byte
	s.FillBytes(b[:])
	k, err := ecdh.P256().NewPrivateKey(b[:])
	clear(b[:])
	if err != nil {
		return nil, fmt.Errorf("dlink: L scalar: %w", err)
	}
	return k.ECDH(bI)
}

// addPoints adds two public P-256 points in affine coordinates (public
// inputs only, so variable time is harmless).
func addPoints(a, b *ecdh.PublicKey) (*ecdh.PublicKey, error) {
	params := elliptic.P256().Params()
	p := params.P
	ab, bb := a.Bytes(), b.Bytes()
	x1, y1 := new(big.Int).SetBytes(ab[1:33]), new(big.Int).SetBytes(ab[33:])
	x2, y2 := new(big.Int).SetBytes(bb[1:33]), new(big.Int).SetBytes(bb[33:])
	var lambda *big.Int
	if x1.Cmp(x2) == 0 {
		if y1.Cmp(y2) != 0 || y1.Sign() == 0 {
			return nil, errors.New("dlink: point sum is the point at infinity")
		}
		// Doubling: lambda = (3x^2 - 3) / 2y.
		num := new(big.Int).Mul(x1, x1)
		num.Mul(num, big.NewInt(3)).Sub(num, big.NewInt(3)).Mod(num, p)
		den := new(big.Int).Lsh(y1, 1)
		lambda = num.Mul(num, den.ModInverse(den.Mod(den, p), p))
	} else {
		num := new(big.Int).Sub(y2, y1)
		den := new(big.Int).Sub(x2, x1)
		den.Mod(den, p)
		lambda = num.Mul(num, den.ModInverse(den, p))
	}
	lambda.Mod(lambda, p)
	x3 := new(big.Int).Mul(lambda, lambda)
	x3.Sub(x3, x1).Sub(x3, x2).Mod(x3, p)
	y3 := new(big.Int).Sub(x1, x3)
	y3.Mul(y3, lambda).Sub(y3, y1).Mod(y3, p)
	var u [65]byte
	u[0] = 4
	x3.FillBytes(u[1:33])
	y3.FillBytes(u[33:])
	return ecdh.P256().NewPublicKey(u[:])
}

// wrapNonce is the deterministic GCM nonce of one wrapping: the frame type
// and the nesting depth. Every key (k1, k2, ke) is fresh per session and
// wraps each (type, depth) at most once; retransmissions resend the same
// bytes instead of re-encrypting.
func wrapNonce(t FrameType, depth byte) []byte {
	n := make([]byte, 12)
	n[0], n[1] = byte(t), depth
	return n
}

func newAEAD(key []byte, c Cipher) (cipher.AEAD, error) {
	switch c {
	case CipherAES256GCM:
	case CipherAES128GCM:
		key = key[:16]
	default:
		return nil, fmt.Errorf("dlink: cipher %s not usable", c)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Wrap encrypts the attribute set plain under key (k1 and k2 use
// CipherAES256GCM; ke the negotiated cipher) with the deterministic nonce of
// (t, depth) and associated data aad (WrapAAD for a frame's wrapped
// attribute, the header only for the R-auth wrapped inside AuthResponse).
func Wrap(key []byte, c Cipher, t FrameType, depth byte, aad []byte, plain []Attr) ([]byte, error) {
	aead, err := newAEAD(key, c)
	if err != nil {
		return nil, err
	}
	pt := encodeAttrs(nil, plain)
	defer clear(pt)
	return aead.Seal(nil, wrapNonce(t, depth), pt, aad), nil
}

// Unwrap decrypts a wrapped attribute set and splits it into attributes.
// It fails with ErrUnwrap when authentication fails.
func Unwrap(key []byte, c Cipher, t FrameType, depth byte, aad, ct []byte) ([]Attr, error) {
	aead, err := newAEAD(key, c)
	if err != nil {
		return nil, err
	}
	pt, err := aead.Open(nil, wrapNonce(t, depth), ct, aad)
	if err != nil {
		return nil, ErrUnwrap
	}
	list, err := splitAttrs(pt)
	if err != nil {
		return nil, fmt.Errorf("dlink: wrapped data: %w", err)
	}
	return list, nil
}

// unwrap decrypts and strictly parses a wrapped attribute set.
func unwrap(key []byte, c Cipher, t FrameType, depth byte, aad, ct []byte, specs []spec) ([][]byte, error) {
	list, err := Unwrap(key, c, t, depth, aad, ct)
	if err != nil {
		return nil, err
	}
	v, err := match(list, specs)
	for _, a := range list {
		clear(a.Value) // match copied what it kept
	}
	return v, err
}

// sessionProof = HMAC-SHA-256(HKDF(ke, "", "credbed dlink pop v1"),
// E-nonce || SHA-256(sealed) || binding || credential proof).
func sessionProof(ke, eNonce, sealed, binding, credProof []byte) ([]byte, error) {
	k, err := hkdf32(ke, nil, labelPoP)
	if err != nil {
		return nil, err
	}
	defer clear(k)
	m := hmac.New(sha256.New, k)
	m.Write(eNonce)
	sh := sha256.Sum256(sealed)
	m.Write(sh[:])
	m.Write(binding)
	m.Write(credProof)
	return m.Sum(nil), nil
}
