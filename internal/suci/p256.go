package suci

import (
	"fmt"
	"math/big"
)

// P-256 point compression (SEC 1 v2 §2.3.3 and §2.3.4). crypto/ecdh only
// speaks uncompressed points, Profile B sends compressed ones.

const (
	p256UncompressedLen = 65
	p256CoordLen        = 32
	// Curve parameters of secp256r1 (SEC 2 §2.4.2): y² = x³ - 3x + b mod p.
	p256P = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"
	p256B = "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"
)

// compressP256 turns a 65-octet uncompressed point into 0x02|0x03 ‖ X.
func compressP256(u []byte) []byte {
	out := make([]byte, 1+p256CoordLen)
	out[0] = 0x02 | u[len(u)-1]&1
	copy(out[1:], u[1:1+p256CoordLen])
	return out
}

// decompressP256 recovers the uncompressed point of a compressed encoding,
// rejecting bad prefixes, X >= p and X with no point on the curve.
func decompressP256(c []byte) ([]byte, error) {
	if len(c) != 1+p256CoordLen || (c[0] != 0x02 && c[0] != 0x03) {
		return nil, fmt.Errorf("%w: profile-b point: want a 33-octet compressed point (prefix 02 or 03)", ErrOffCurve)
	}
	p, _ := new(big.Int).SetString(p256P, 16)
	b, _ := new(big.Int).SetString(p256B, 16)
	x := new(big.Int).SetBytes(c[1:])
	if x.Cmp(p) >= 0 {
		return nil, fmt.Errorf("%w: profile-b point: X is not a field element", ErrOffCurve)
	}
	// rhs = x³ - 3x + b mod p
	rhs := new(big.Int).Mul(x, x)
	rhs.Mul(rhs, x)
	threeX := new(big.Int).Lsh(x, 1)
	threeX.Add(threeX, x)
	rhs.Sub(rhs, threeX)
	rhs.Add(rhs, b)
	rhs.Mod(rhs, p)
	// p ≡ 3 (mod 4), so a square root, if any, is rhs^((p+1)/4); check it.
	e := new(big.Int).Add(p, big.NewInt(1))
	e.Rsh(e, 2)
	y := new(big.Int).Exp(rhs, e, p)
	if check := new(big.Int).Mul(y, y); check.Mod(check, p).Cmp(rhs) != 0 {
		return nil, fmt.Errorf("%w: profile-b point: X has no point on P-256", ErrOffCurve)
	}
	if y.Bit(0) != uint(c[0]&1) {
		if y.Sign() == 0 {
			return nil, fmt.Errorf("%w: profile-b point: no point with the requested Y parity", ErrOffCurve)
		}
		y.Sub(p, y)
	}
	out := make([]byte, p256UncompressedLen)
	out[0] = 0x04
	copy(out[1:], c[1:])
	y.FillBytes(out[1+p256CoordLen:])
	return out, nil
}
