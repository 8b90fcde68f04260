package credential

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/credbed/credbed/internal/ident"
)

// Sizes of the fixed-length fields.
const (
	KeySize        = 16 // K and OPc (TS 35.206 §2)
	AMFSize        = 2  // authentication management field (TS 33.102 §6.3.2)
	SQNSize        = 6  // sequence number (TS 33.102 §6.3.2)
	MaxSQN         = 1<<48 - 1
	MaxHNKeys      = 16  // home network public keys carried in one package
	MaxDeviceIDLen = 64  // target device id (also the DPP URI "I:" value)
	MaxPDIDLen     = 255 // provisioning device id (SUPI or A-KID, a NAI)
	MaxNonceLen    = 32  // binding nonce
	MaxRoutingInd  = 4   // routing indicator digits (TS 23.003 §2.2B)
	ProfileAKeyLen = 32  // X25519 public key (TS 33.501 C.3.4.1)
	ProfileBKeyLen = 33  // compressed P-256 point (TS 33.501 C.3.4.2)
	p256PointLen   = 65  // uncompressed P-256 point, also accepted for Profile B
	redacted       = "[redacted]"
)

// DefaultAMF returns the AMF value 0x8000 (separation bit set), as 5G AKA
// requires (TS 33.501 §6.1.3.2, TS 33.102 Annex H).
func DefaultAMF() [AMFSize]byte { return [AMFSize]byte{0x80, 0x00} }

// Scheme is a SUCI protection scheme identifier (TS 33.501 Annex C.1).
type Scheme uint8

// Protection schemes.
const (
	SchemeNull     Scheme = 0 // null scheme: no public key
	SchemeProfileA Scheme = 1 // ECIES Profile A (X25519)
	SchemeProfileB Scheme = 2 // ECIES Profile B (P-256)
)

// String names the scheme.
func (s Scheme) String() string {
	switch s {
	case SchemeNull:
		return "null"
	case SchemeProfileA:
		return "profileA"
	case SchemeProfileB:
		return "profileB"
	}
	return "scheme-" + strconv.Itoa(int(s))
}

// HNKey is one home network public key for SUCI concealment: the scheme, the
// home network public key identifier (0..255, TS 23.003 §2.2B) and the key
// (empty for the null scheme, 32 bytes for Profile A, 33 (compressed) or 65
// bytes for Profile B).
type HNKey struct {
	Scheme Scheme
	ID     uint8
	Public []byte
}

// Binding ties a package to one target device, one provisioning device and
// one provisioning run.
type Binding struct {
	// TargetID is the target device id (its factory identity, the URI "I:").
	TargetID string
	// PDID identifies the provisioning device: its SUPI or its A-KID.
	PDID string
	// Counter is allocated by the network per target device and strictly
	// increases with every package issued for that device; the TD accepts a
	// package only when Counter is greater than the last one it installed.
	Counter uint64
	// Nonce is an optional network nonce (0..32 bytes).
	Nonce []byte
	// Expiry is when the package stops being installable (second precision,
	// encoded as Unix seconds).
	Expiry time.Time
}

// Package is what a target device installs: the USIM-equivalent credential
// plus the binding. K and OPc never appear in String, Format or LogValue.
type Package struct {
	SUPI             ident.SUPI
	K                [KeySize]byte
	OPc              [KeySize]byte
	AMF              [AMFSize]byte
	SQN              uint64 // initial SQN (48 bits)
	HNKeys           []HNKey
	RoutingIndicator string
	PLMN             ident.PLMN
	Binding          Binding
}

// Validate checks every field. Errors wrap ErrInvalid and name the field,
// never its value when it is a secret.
func (p Package) Validate() error {
	if err := p.SUPI.Validate(); err != nil {
		return invalid("SUPI", err.Error())
	}
	if err := p.PLMN.Validate(); err != nil {
		return invalid("PLMN", err.Error())
	}
	if p.SUPI.Type == ident.SUPITypeIMSI && !strings.HasPrefix(p.SUPI.Value, p.PLMN.MCC+p.PLMN.MNC) {
		return invalid("SUPI", "IMSI does not start with the package PLMN")
	}
	if p.K == [KeySize]byte{} {
		return invalid("K", "all zero")
	}
	if p.OPc == [KeySize]byte{} {
		return invalid("OPc", "all zero")
	}
	if p.AMF[0]&0x80 == 0 {
		return invalid("AMF", "separation bit not set (TS 33.501 §6.1.3.2)")
	}
	if p.SQN > MaxSQN {
		return invalid("SQN", "exceeds 48 bits")
	}
	if len(p.HNKeys) > MaxHNKeys {
		return invalid("HNKeys", fmt.Sprintf("%d keys, limit %d", len(p.HNKeys), MaxHNKeys))
	}
	for i, k := range p.HNKeys {
		if err := k.Validate(); err != nil {
			return invalid(fmt.Sprintf("HNKeys[%d]", i), err.Error())
		}
		for _, o := range p.HNKeys[:i] {
			if o.Scheme == k.Scheme && o.ID == k.ID {
				return invalid(fmt.Sprintf("HNKeys[%d]", i), "duplicate scheme and key id")
			}
		}
	}
	if n := len(p.RoutingIndicator); n < 1 || n > MaxRoutingInd || !isDigits(p.RoutingIndicator) {
		return invalid("RoutingIndicator", "want 1 to 4 decimal digits")
	}
	return p.Binding.Validate()
}

// Validate checks the key length against the scheme.
func (k HNKey) Validate() error {
	switch k.Scheme {
	case SchemeNull:
		if len(k.Public) != 0 {
			return fmt.Errorf("null scheme carries no key, got %d bytes", len(k.Public))
		}
	case SchemeProfileA:
		if len(k.Public) != ProfileAKeyLen {
			return fmt.Errorf("profile A key is %d bytes, want %d", len(k.Public), ProfileAKeyLen)
		}
	case SchemeProfileB:
		switch {
		case len(k.Public) == ProfileBKeyLen && (k.Public[0] == 2 || k.Public[0] == 3):
		case len(k.Public) == p256PointLen && k.Public[0] == 4:
		default:
			return fmt.Errorf("profile B key is %d bytes, want a 33-byte compressed or 65-byte uncompressed point", len(k.Public))
		}
	default:
		return fmt.Errorf("unknown protection scheme %d", k.Scheme)
	}
	return nil
}

// Validate checks the binding fields.
func (b Binding) Validate() error {
	if err := ValidateDeviceID(b.TargetID); err != nil {
		return invalid("Binding.TargetID", err.Error())
	}
	if n := len(b.PDID); n < 1 || n > MaxPDIDLen || !isPrintable(b.PDID) {
		return invalid("Binding.PDID", fmt.Sprintf("want 1 to %d printable ASCII characters", MaxPDIDLen))
	}
	if b.Counter == 0 {
		return invalid("Binding.Counter", "must be at least 1")
	}
	if len(b.Nonce) > MaxNonceLen {
		return invalid("Binding.Nonce", fmt.Sprintf("%d bytes, limit %d", len(b.Nonce), MaxNonceLen))
	}
	if b.Expiry.IsZero() || b.Expiry.Unix() <= 0 {
		return invalid("Binding.Expiry", "not set")
	}
	return nil
}

// Equal reports whether a and b are the same binding (Expiry compared at
// second precision, as encoded).
func (b Binding) Equal(o Binding) bool {
	return b.TargetID == o.TargetID && b.PDID == o.PDID && b.Counter == o.Counter &&
		bytes.Equal(b.Nonce, o.Nonce) && b.Expiry.Unix() == o.Expiry.Unix()
}

// String renders the binding (it holds no secret).
func (b Binding) String() string {
	return fmt.Sprintf("{target:%s pd:%s counter:%d nonce:%x expiry:%s}",
		b.TargetID, b.PDID, b.Counter, b.Nonce, b.Expiry.UTC().Format(time.RFC3339))
}

// Equal reports whether p and o carry the same credential and binding.
func (p Package) Equal(o Package) bool {
	if p.SUPI != o.SUPI || p.K != o.K || p.OPc != o.OPc || p.AMF != o.AMF || p.SQN != o.SQN ||
		p.RoutingIndicator != o.RoutingIndicator || p.PLMN != o.PLMN || !p.Binding.Equal(o.Binding) ||
		len(p.HNKeys) != len(o.HNKeys) {
		return false
	}
	for i := range p.HNKeys {
		a, b := p.HNKeys[i], o.HNKeys[i]
		if a.Scheme != b.Scheme || a.ID != b.ID || !bytes.Equal(a.Public, b.Public) {
			return false
		}
	}
	return true
}

// Clone returns a deep copy of p.
func (p Package) Clone() Package {
	q := p
	q.HNKeys = make([]HNKey, len(p.HNKeys))
	for i, k := range p.HNKeys {
		q.HNKeys[i] = HNKey{Scheme: k.Scheme, ID: k.ID, Public: append([]byte(nil), k.Public...)}
	}
	q.Binding.Nonce = append([]byte(nil), p.Binding.Nonce...)
	if len(p.Binding.Nonce) == 0 {
		q.Binding.Nonce = nil
	}
	return q
}

// Wipe overwrites K and OPc with zeros (best effort: copies made earlier are
// not reached).
func (p *Package) Wipe() {
	clear(p.K[:])
	clear(p.OPc[:])
}

// String renders p with K and OPc redacted.
func (p Package) String() string {
	var sb strings.Builder
	sb.WriteString("credential.Package{SUPI:")
	sb.WriteString(p.SUPI.String())
	sb.WriteString(" K:" + redacted + " OPc:" + redacted)
	fmt.Fprintf(&sb, " AMF:%x SQN:%d HNKeys:[", p.AMF, p.SQN)
	for i, k := range p.HNKeys {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%s/%d", k.Scheme, k.ID)
	}
	fmt.Fprintf(&sb, "] RI:%s PLMN:%s-%s Binding:%s}", p.RoutingIndicator, p.PLMN.MCC, p.PLMN.MNC, p.Binding)
	return sb.String()
}

// Format makes every fmt verb (%v, %+v, %#v, %x, %s...) print String, so a
// careless Printf never shows K or OPc.
func (p Package) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// LogValue makes slog print the redacted form.
func (p Package) LogValue() slog.Value { return slog.StringValue(p.String()) }

// MarshalJSON renders the redacted form as a JSON string, so a package that
// ends up in a report or a JSON log never shows K or OPc. Use MarshalBinary
// to transfer a package.
func (p Package) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// ValidateDeviceID checks a target device id: 1 to 64 printable ASCII
// characters without spaces or ';' (so it fits the DPP URI "I:" field).
func ValidateDeviceID(id string) error {
	if len(id) < 1 || len(id) > MaxDeviceIDLen {
		return fmt.Errorf("device id is %d characters, want 1 to %d", len(id), MaxDeviceIDLen)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= 0x20 || c >= 0x7f || c == ';' {
			return fmt.Errorf("device id has a forbidden character at %d", i)
		}
	}
	return nil
}

func invalid(field, reason string) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalid, field, reason)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
