package dlink

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
)

// Role is a DPP device role bit (the I-/R-capabilities byte).
type Role uint8

// Roles.
const (
	RoleEnrollee     Role = 0x01 // the target device
	RoleConfigurator Role = 0x02 // the provisioning device
)

// Curve is an IKE group number as DPP uses them.
type Curve uint16

// Curves. Only P-256 is implemented; the others exist so capability lists
// can name them.
const (
	CurveP256   Curve = 19
	CurveP384   Curve = 20
	CurveP521   Curve = 21
	CurveX25519 Curve = 31
)

// Cipher protects data wrapped under ke (the credential delivery).
type Cipher uint16

// Ciphers. CipherNone is never selected by Negotiate: it exists so that an
// attacker (or a careless peer) can offer it and a test can show the offer
// is refused or detected (threat D8).
const (
	CipherNone      Cipher = 0
	CipherAES128GCM Cipher = 1
	CipherAES256GCM Cipher = 2
)

func (c Cipher) String() string {
	switch c {
	case CipherNone:
		return "none"
	case CipherAES128GCM:
		return "aes-128-gcm"
	case CipherAES256GCM:
		return "aes-256-gcm"
	}
	return "cipher-" + strconv.Itoa(int(c))
}

// ProtocolVersion is the only protocol version this package speaks.
const ProtocolVersion = 1

// maxCapEntries bounds every capability list.
const maxCapEntries = 16

// Capabilities are what a side offers, in preference order. They travel in
// clear (like NAS UE security capabilities), are authenticated as AEAD
// associated data, and both lists are bound into R-auth and I-auth, so an
// edit anywhere is detected (threat D8).
type Capabilities struct {
	Role     Role
	Versions []uint8
	Curves   []Curve
	Ciphers  []Cipher
}

// DefaultCapabilities is what credbed's secure profile offers.
func DefaultCapabilities(r Role) Capabilities {
	return Capabilities{
		Role:     r,
		Versions: []uint8{ProtocolVersion},
		Curves:   []Curve{CurveP256},
		Ciphers:  []Cipher{CipherAES256GCM, CipherAES128GCM},
	}
}

// Suite is the outcome of the negotiation.
type Suite struct {
	Version uint8
	Curve   Curve
	Cipher  Cipher
}

func (s Suite) String() string {
	return fmt.Sprintf("v%d/group-%d/%s", s.Version, s.Curve, s.Cipher)
}

// Negotiate picks, deterministically on both sides, the highest common
// version, the responder's first common supported curve and the responder's
// first common cipher other than CipherNone. Roles must be complementary.
func Negotiate(initiator, responder Capabilities) (Suite, bool) {
	if initiator.Role != RoleConfigurator || responder.Role != RoleEnrollee {
		return Suite{}, false
	}
	var s Suite
	for _, v := range initiator.Versions {
		if v == ProtocolVersion && slices.Contains(responder.Versions, v) && v > s.Version {
			s.Version = v
		}
	}
	for _, c := range responder.Curves {
		if c == CurveP256 && slices.Contains(initiator.Curves, c) {
			s.Curve = c
			break
		}
	}
	for _, c := range responder.Ciphers {
		if (c == CipherAES128GCM || c == CipherAES256GCM) && slices.Contains(initiator.Ciphers, c) {
			s.Cipher = c
			break
		}
	}
	if s.Version == 0 || s.Curve == 0 || s.Cipher == CipherNone {
		return Suite{}, false
	}
	return s, true
}

// MarshalBinary encodes c: role (1) | n (1) versions (1 each) | n (1)
// curves (2 each) | n (1) ciphers (2 each).
func (c Capabilities) MarshalBinary() ([]byte, error) {
	if len(c.Versions) > maxCapEntries || len(c.Curves) > maxCapEntries || len(c.Ciphers) > maxCapEntries {
		return nil, fmt.Errorf("%w: more than %d capability entries", ErrTooLarge, maxCapEntries)
	}
	return c.appendTo(nil), nil
}

func (c Capabilities) appendTo(b []byte) []byte {
	b = append(b, byte(c.Role), byte(len(c.Versions)))
	b = append(b, c.Versions...)
	b = append(b, byte(len(c.Curves)))
	for _, v := range c.Curves {
		b = append(b, byte(v>>8), byte(v))
	}
	b = append(b, byte(len(c.Ciphers)))
	for _, v := range c.Ciphers {
		b = append(b, byte(v>>8), byte(v))
	}
	return b
}

// ParseCapabilities strictly decodes a capabilities value.
func ParseCapabilities(b []byte) (Capabilities, error) {
	var c Capabilities
	if len(b) < 2 {
		return c, fmt.Errorf("%w: capabilities of %d bytes", ErrTruncated, len(b))
	}
	c.Role = Role(b[0])
	n := int(b[1])
	b = b[2:]
	if n > maxCapEntries || len(b) < n+1 {
		return Capabilities{}, fmt.Errorf("%w: capability versions", ErrAttrValue)
	}
	c.Versions = append([]uint8{}, b[:n]...)
	b = b[n:]
	var err error
	if c.Curves, b, err = parseU16List[Curve](b); err != nil {
		return Capabilities{}, err
	}
	if len(b) < 1 {
		return Capabilities{}, fmt.Errorf("%w: capability ciphers", ErrAttrValue)
	}
	if c.Ciphers, b, err = parseU16List[Cipher](b); err != nil {
		return Capabilities{}, err
	}
	if len(b) != 0 {
		return Capabilities{}, fmt.Errorf("%w: %d bytes after the capabilities", ErrAttrValue, len(b))
	}
	return c, nil
}

func parseU16List[T ~uint16](b []byte) ([]T, []byte, error) {
	if len(b) < 1 {
		return nil, nil, fmt.Errorf("%w: capability list count", ErrAttrValue)
	}
	n := int(b[0])
	b = b[1:]
	if n > maxCapEntries || len(b) < 2*n {
		return nil, nil, fmt.Errorf("%w: capability list of %d entries", ErrAttrValue, n)
	}
	out := make([]T, n)
	for i := range out {
		out[i] = T(uint16(b[2*i])<<8 | uint16(b[2*i+1]))
	}
	return out, b[2*n:], nil
}

// CapsTranscript is the hash of both capability lists that R-auth and I-auth
// cover: SHA-256("credbed caps v1" || I-caps || R-caps).
func CapsTranscript(i, r Capabilities) []byte {
	h := sha256.New()
	h.Write([]byte("credbed caps v1"))
	h.Write(i.appendTo(nil))
	h.Write(r.appendTo(nil))
	return h.Sum(nil)
}
