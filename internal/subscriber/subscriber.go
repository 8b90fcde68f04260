package subscriber

import (
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Defaults used when neither the entry nor the file's defaults set a field.
const (
	DefaultPLMN       = "00101" // MCC 001, MNC 01 (test network)
	DefaultAMF        = "8000"  // AMF separation bit set (TS 33.501 Annex A.7.1)
	DefaultSQN        = "000000000000"
	DefaultDNN        = "internet"
	DefaultSST        = 1
	DefaultAuthMethod = AuthMethod5GAKA
)

// Authentication methods (TS 29.505 AuthMethod).
const (
	AuthMethod5GAKA       = "5G_AKA"
	AuthMethodEAPAKAPrime = "EAP_AKA_PRIME"
)

// SNSSAI is one S-NSSAI: SST 0-255 and an optional 6-hex-digit SD.
type SNSSAI struct {
	SST int    `json:"sst"`
	SD  string `json:"sd,omitempty"`
}

// String formats the S-NSSAI as TS 29.571 SnssaiInfo keys do: 2 hex digits
// of SST followed by the SD when present ("01", "01000001").
func (s SNSSAI) String() string {
	return fmt.Sprintf("%02x%s", s.SST, strings.ToLower(s.SD))
}

// Subscription is one subscriber: its credential and its subscribed data.
type Subscription struct {
	SUPI string `json:"supi"`
	// PLMN is the home PLMN, MCC+MNC digits ("00101"); the SUPI starts with it.
	PLMN string `json:"plmn,omitempty"`
	// K and OPc are 32 hex digits each (secrets).
	K   string `json:"k"`
	OPc string `json:"opc"`
	// AMF is the authentication management field, 4 hex digits.
	AMF string `json:"amf,omitempty"`
	// SQN is the network's initial sequence number, 12 hex digits.
	SQN string `json:"sqn,omitempty"`
	// AuthMethod is "5G_AKA" (default) or "EAP_AKA_PRIME".
	AuthMethod string   `json:"authMethod,omitempty"`
	DNNs       []string `json:"dnns,omitempty"`
	SNSSAIs    []SNSSAI `json:"snssais,omitempty"`
	// AKMA allows AKMA anchor keys for this subscriber (TS 33.535).
	AKMA bool `json:"akma,omitempty"`
}

// String describes s without its K and OPc.
func (s Subscription) String() string {
	return fmt.Sprintf("Subscription{SUPI:%s PLMN:%s AMF:%s SQN:%s AuthMethod:%s DNNs:%v SNSSAIs:%v AKMA:%v K:[redacted] OPc:[redacted]}",
		s.SUPI, s.PLMN, s.AMF, s.SQN, s.AuthMethod, s.DNNs, s.SNSSAIs, s.AKMA)
}

// GoString is String, so %#v does not print K and OPc either.
func (s Subscription) GoString() string { return s.String() }

// LogValue keeps K and OPc out of slog output.
func (s Subscription) LogValue() slog.Value {
	return slog.GroupValue(slog.String("supi", s.SUPI), slog.String("plmn", s.PLMN))
}

// Errors.
var (
	ErrInvalid = errors.New("subscriber: invalid")
)

// FieldError names the entry and field that failed validation. It never
// carries the value of K or OPc.
type FieldError struct {
	Index int    // position in the file, -1 when not from a file
	SUPI  string // may be empty
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	where := "subscriber"
	if e.Index >= 0 {
		where = fmt.Sprintf("subscribers[%d]", e.Index)
	}
	if e.SUPI != "" {
		where += " (" + e.SUPI + ")"
	}
	return fmt.Sprintf("%s: %s: %s", where, e.Field, e.Msg)
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// ApplyDefaults fills every empty field of s from d, then from the package
// defaults, and lower-cases hex fields.
func (s *Subscription) ApplyDefaults(d Defaults) {
	pick := func(v, file, def string) string {
		switch {
		case v != "":
			return v
		case file != "":
			return file
		}
		return def
	}
	s.PLMN = pick(s.PLMN, d.PLMN, DefaultPLMN)
	s.AMF = strings.ToLower(pick(s.AMF, d.AMF, DefaultAMF))
	s.SQN = strings.ToLower(pick(s.SQN, d.SQN, DefaultSQN))
	s.AuthMethod = pick(s.AuthMethod, d.AuthMethod, DefaultAuthMethod)
	s.K = strings.ToLower(s.K)
	s.OPc = strings.ToLower(s.OPc)
	if len(s.DNNs) == 0 {
		s.DNNs = append([]string(nil), d.DNNs...)
		if len(s.DNNs) == 0 {
			s.DNNs = []string{DefaultDNN}
		}
	}
	if len(s.SNSSAIs) == 0 {
		s.SNSSAIs = append([]SNSSAI(nil), d.SNSSAIs...)
		if len(s.SNSSAIs) == 0 {
			s.SNSSAIs = []SNSSAI{{SST: DefaultSST}}
		}
	}
	for i := range s.SNSSAIs {
		s.SNSSAIs[i].SD = strings.ToLower(s.SNSSAIs[i].SD)
	}
}

// Validate checks every field of a defaulted subscription.
func (s Subscription) Validate() error {
	return s.validate(-1)
}

func (s Subscription) validate(index int) error {
	fail := func(field, format string, a ...any) error {
		return &FieldError{Index: index, SUPI: s.SUPI, Field: field, Msg: fmt.Sprintf(format, a...)}
	}
	if !isDigits(s.PLMN) || (len(s.PLMN) != 5 && len(s.PLMN) != 6) {
		return fail("plmn", "must be MCC+MNC, 5 or 6 digits, got %q", s.PLMN)
	}
	imsi, ok := strings.CutPrefix(s.SUPI, "imsi-")
	if !ok || !isDigits(imsi) || len(imsi) < 6 || len(imsi) > 15 {
		return fail("supi", "must be imsi- followed by 6 to 15 digits, got %q", s.SUPI)
	}
	if !strings.HasPrefix(imsi, s.PLMN) || len(imsi) == len(s.PLMN) {
		return fail("supi", "must start with the PLMN %s and carry an MSIN", s.PLMN)
	}
	if !isHex(s.K, 32) {
		return fail("k", "must be 32 hex digits (128 bits)")
	}
	if !isHex(s.OPc, 32) {
		return fail("opc", "must be 32 hex digits (128 bits)")
	}
	if !isHex(s.AMF, 4) {
		return fail("amf", "must be 4 hex digits, got %q (quote it in YAML)", s.AMF)
	}
	if !isHex(s.SQN, 12) {
		return fail("sqn", "must be 12 hex digits, got %q (quote it in YAML)", s.SQN)
	}
	if s.AuthMethod != AuthMethod5GAKA && s.AuthMethod != AuthMethodEAPAKAPrime {
		return fail("authMethod", "must be %s or %s, got %q", AuthMethod5GAKA, AuthMethodEAPAKAPrime, s.AuthMethod)
	}
	if len(s.DNNs) == 0 {
		return fail("dnns", "at least one DNN is required")
	}
	seen := make(map[string]bool, len(s.DNNs))
	for i, d := range s.DNNs {
		if err := checkDNN(d); err != nil {
			return fail(fmt.Sprintf("dnns[%d]", i), "%v", err)
		}
		if seen[strings.ToLower(d)] {
			return fail(fmt.Sprintf("dnns[%d]", i), "duplicate DNN %q", d)
		}
		seen[strings.ToLower(d)] = true
	}
	if len(s.SNSSAIs) == 0 {
		return fail("snssais", "at least one S-NSSAI is required")
	}
	seenS := make(map[string]bool, len(s.SNSSAIs))
	for i, n := range s.SNSSAIs {
		if n.SST < 0 || n.SST > 255 {
			return fail(fmt.Sprintf("snssais[%d].sst", i), "must be 0-255, got %d", n.SST)
		}
		if n.SD != "" && !isHex(n.SD, 6) {
			return fail(fmt.Sprintf("snssais[%d].sd", i), "must be 6 hex digits, got %q", n.SD)
		}
		if seenS[n.String()] {
			return fail(fmt.Sprintf("snssais[%d]", i), "duplicate S-NSSAI %s", n)
		}
		seenS[n.String()] = true
	}
	return nil
}

// KBytes returns K as 16 bytes (after Validate).
func (s Subscription) KBytes() ([]byte, error) { return decodeKey(s.K, "k") }

// OPcBytes returns OPc as 16 bytes (after Validate).
func (s Subscription) OPcBytes() ([]byte, error) { return decodeKey(s.OPc, "opc") }

func decodeKey(h, field string) ([]byte, error) {
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 16 {
		return nil, &FieldError{Index: -1, Field: field, Msg: "must be 32 hex digits (128 bits)"}
	}
	return b, nil
}

// MCC returns the first three digits of the PLMN.
func (s Subscription) MCC() string {
	if len(s.PLMN) < 5 {
		return ""
	}
	return s.PLMN[:3]
}

// MNC returns the two or three digits after the MCC.
func (s Subscription) MNC() string {
	if len(s.PLMN) < 5 {
		return ""
	}
	return s.PLMN[3:]
}

// checkDNN applies TS 23.003 §9.1: labels of letters, digits and hyphens,
// separated by dots, at most 63 characters per label and 100 in all.
func checkDNN(d string) error {
	if d == "" || len(d) > 100 {
		return fmt.Errorf("must be 1 to 100 characters, got %d", len(d))
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("%q has an empty or over-long label", d)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("%q: only letters, digits, '-' and '.' are allowed", d)
			}
		}
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
