package suci

import (
	"crypto/ecdh"
	"fmt"
	"io"

	"github.com/credbed/credbed/internal/ident"
)

// PrivateKeyLen is the length of a Profile A or B private key (a raw X25519
// scalar, or a big-endian P-256 scalar).
const PrivateKeyLen = 32

// PrivateKey is a Profile A or Profile B private key: a home network key (SIDF)
// or an ephemeral key (UE). Its String and GoString never show key material.
type PrivateKey struct {
	scheme ident.ProtectionScheme
	key    *ecdh.PrivateKey
}

// PublicKey is a Profile A or Profile B public key.
type PublicKey struct {
	scheme ident.ProtectionScheme
	key    *ecdh.PublicKey
	enc    []byte // the C.4 encoding: 32 octets (A) or 33-octet compressed point (B)
}

func curve(s ident.ProtectionScheme) (ecdh.Curve, error) {
	switch s {
	case ident.SchemeProfileA:
		return ecdh.X25519(), nil
	case ident.SchemeProfileB:
		return ecdh.P256(), nil
	}
	return nil, fmt.Errorf("%w: %s has no key pair", ErrUnknownScheme, s)
}

// GenerateKey draws a key pair for Profile A or B from rand (32 octets per
// attempt; Profile B retries the rare scalars outside [1, n-1]). Unlike
// crypto/ecdh.GenerateKey since Go 1.26, the injected rand is honoured, so a
// seeded reader gives reproducible keys.
func GenerateKey(scheme ident.ProtectionScheme, rand io.Reader) (*PrivateKey, error) {
	c, err := curve(scheme)
	if err != nil {
		return nil, err
	}
	if rand == nil {
		return nil, fmt.Errorf("suci: GenerateKey needs a random source")
	}
	var buf [PrivateKeyLen]byte
	for range 64 {
		if _, err := io.ReadFull(rand, buf[:]); err != nil {
			return nil, fmt.Errorf("suci: reading randomness: %w", err)
		}
		k, err := c.NewPrivateKey(buf[:])
		if err == nil {
			return &PrivateKey{scheme: scheme, key: k}, nil
		}
	}
	return nil, fmt.Errorf("suci: random source produced no valid %s scalar", scheme)
}

// NewPrivateKey decodes a 32-octet private key of the given scheme (the C.4
// "Home Network Private Key" / "Eph. Private Key" encoding).
func NewPrivateKey(scheme ident.ProtectionScheme, raw []byte) (*PrivateKey, error) {
	c, err := curve(scheme)
	if err != nil {
		return nil, err
	}
	if len(raw) != PrivateKeyLen {
		return nil, fmt.Errorf("%w: %s private key is %d octets, want %d", ErrMalformed, scheme, len(raw), PrivateKeyLen)
	}
	k, err := c.NewPrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %s private key out of range", ErrMalformed, scheme)
	}
	return &PrivateKey{scheme: scheme, key: k}, nil
}

// Scheme returns the key's protection scheme.
func (k *PrivateKey) Scheme() ident.ProtectionScheme { return k.scheme }

// Bytes returns the 32-octet private key encoding. Handle with care.
func (k *PrivateKey) Bytes() []byte { return k.key.Bytes() }

// Public returns the matching public key.
func (k *PrivateKey) Public() *PublicKey {
	pub := k.key.PublicKey()
	return &PublicKey{scheme: k.scheme, key: pub, enc: encodePublic(k.scheme, pub)}
}

// String names the key without revealing it.
func (k *PrivateKey) String() string { return "suci.PrivateKey(" + k.scheme.String() + ", redacted)" }

// GoString names the key without revealing it.
func (k *PrivateKey) GoString() string { return k.String() }

// NewPublicKey decodes a public key: Profile A takes 32 octets; Profile B takes
// a 33-octet compressed point (as in C.4) or a 65-octet uncompressed point.
// Points off the curve are rejected with ErrOffCurve.
func NewPublicKey(scheme ident.ProtectionScheme, raw []byte) (*PublicKey, error) {
	switch scheme {
	case ident.SchemeProfileA:
		if len(raw) != ident.ProfileAPublicKeyLen {
			return nil, fmt.Errorf("%w: profile-a public key is %d octets, want %d", ErrMalformed, len(raw), ident.ProfileAPublicKeyLen)
		}
		k, err := ecdh.X25519().NewPublicKey(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrOffCurve, err)
		}
		return &PublicKey{scheme: scheme, key: k, enc: k.Bytes()}, nil
	case ident.SchemeProfileB:
		var uncompressed []byte
		switch len(raw) {
		case ident.ProfileBPublicKeyLen:
			var err error
			if uncompressed, err = decompressP256(raw); err != nil {
				return nil, err
			}
		case p256UncompressedLen:
			uncompressed = raw
		default:
			return nil, fmt.Errorf("%w: profile-b public key is %d octets, want %d (compressed) or %d", ErrMalformed, len(raw), ident.ProfileBPublicKeyLen, p256UncompressedLen)
		}
		k, err := ecdh.P256().NewPublicKey(uncompressed)
		if err != nil {
			return nil, fmt.Errorf("%w: profile-b: %v", ErrOffCurve, err)
		}
		return &PublicKey{scheme: scheme, key: k, enc: compressP256(k.Bytes())}, nil
	}
	_, err := curve(scheme)
	return nil, err
}

// Scheme returns the key's protection scheme.
func (k *PublicKey) Scheme() ident.ProtectionScheme { return k.scheme }

// Bytes returns the C.4 encoding: 32 octets for Profile A, the 33-octet
// compressed point for Profile B.
func (k *PublicKey) Bytes() []byte { return append([]byte(nil), k.enc...) }

// UncompressedBytes returns the 65-octet uncompressed point for Profile B and
// the 32-octet key for Profile A.
func (k *PublicKey) UncompressedBytes() []byte { return k.key.Bytes() }

// Equal reports whether k and o are the same key of the same scheme.
func (k *PublicKey) Equal(o *PublicKey) bool {
	return k != nil && o != nil && k.scheme == o.scheme && k.key.Equal(o.key)
}

func encodePublic(s ident.ProtectionScheme, k *ecdh.PublicKey) []byte {
	if s == ident.SchemeProfileB {
		return compressP256(k.Bytes())
	}
	return k.Bytes()
}

// KeyRef names a home network key: protection scheme and public key id.
type KeyRef struct {
	Scheme ident.ProtectionScheme
	ID     uint8
}

// KeyRing maps (scheme, key id) to the home network private key, as the SIDF
// holds them. Build it once and share it read-only between goroutines.
type KeyRing map[KeyRef]*PrivateKey

// Add registers k under key id id; the scheme comes from the key. A second key
// for the same (scheme, id) is an error.
func (r KeyRing) Add(id uint8, k *PrivateKey) error {
	if k == nil {
		return fmt.Errorf("%w: nil key", ErrMalformed)
	}
	ref := KeyRef{Scheme: k.scheme, ID: id}
	if _, dup := r[ref]; dup {
		return fmt.Errorf("suci: duplicate home network key %s/%d", k.scheme, id)
	}
	r[ref] = k
	return nil
}

// Lookup returns the private key for (scheme, id) or ErrUnknownKeyID.
func (r KeyRing) Lookup(scheme ident.ProtectionScheme, id uint8) (*PrivateKey, error) {
	k, ok := r[KeyRef{Scheme: scheme, ID: id}]
	if !ok || k == nil || k.scheme != scheme {
		return nil, fmt.Errorf("%w: no %s key with id %d", ErrUnknownKeyID, scheme, id)
	}
	return k, nil
}
