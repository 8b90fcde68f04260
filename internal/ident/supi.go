package ident

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SUPIType is the type of a SUPI as carried in a SUCI (TS 23.003 §2.2B) and in
// the SUPI format field of the 5GS mobile identity (TS 24.501 §9.11.3.4).
type SUPIType uint8

// SUPI types.
const (
	SUPITypeIMSI SUPIType = 0 // IMSI
	SUPITypeNAI  SUPIType = 1 // network specific identifier (NAI form)
)

// String returns "imsi" or "nai", or "supi-type-<n>" for other values.
func (t SUPIType) String() string {
	switch t {
	case SUPITypeIMSI:
		return "imsi"
	case SUPITypeNAI:
		return "nai"
	}
	return "supi-type-" + strconv.Itoa(int(t))
}

// Limits on identities.
const (
	MinIMSIDigits = 6   // MCC + 2-digit MNC + at least one MSIN digit
	MaxIMSIDigits = 15  // TS 23.003 §2.2
	MaxNAILength  = 253 // RFC 7542 §2.2: a NAI fits in 253 octets
)

// SUPI is a subscription permanent identifier (TS 23.003 §2.2A) in the string
// form of TS 29.571 ("imsi-<digits>" or "nai-<username>@<realm>").
type SUPI struct {
	Type SUPIType
	// Value is the IMSI digits for SUPITypeIMSI, "username@realm" for SUPITypeNAI.
	Value string
}

// ParseSUPI parses "imsi-<6..15 digits>" or "nai-<username>@<realm>".
func ParseSUPI(s string) (SUPI, error) {
	var v SUPI
	switch {
	case strings.HasPrefix(s, "imsi-"):
		v = SUPI{Type: SUPITypeIMSI, Value: s[len("imsi-"):]}
	case strings.HasPrefix(s, "nai-"):
		v = SUPI{Type: SUPITypeNAI, Value: s[len("nai-"):]}
	default:
		return SUPI{}, errorf(ErrInvalidSUPI, "%q: want imsi-<digits> or nai-<user>@<realm>", truncate(s))
	}
	if err := v.Validate(); err != nil {
		return SUPI{}, err
	}
	return v, nil
}

// NewIMSI returns the IMSI SUPI made of the PLMN and the MSIN.
func NewIMSI(p PLMN, msin string) (SUPI, error) {
	if err := p.Validate(); err != nil {
		return SUPI{}, errorf(ErrInvalidSUPI, "%v", err)
	}
	if !isDigits(msin) {
		return SUPI{}, errorf(ErrInvalidSUPI, "MSIN %q: want decimal digits", truncate(msin))
	}
	v := SUPI{Type: SUPITypeIMSI, Value: p.MCC + p.MNC + msin}
	if err := v.Validate(); err != nil {
		return SUPI{}, err
	}
	return v, nil
}

// NewNAI returns the NAI SUPI username@realm.
func NewNAI(username, realm string) (SUPI, error) {
	v := SUPI{Type: SUPITypeNAI, Value: username + "@" + realm}
	if err := v.Validate(); err != nil {
		return SUPI{}, err
	}
	return v, nil
}

// Validate checks the value against its type.
func (s SUPI) Validate() error {
	switch s.Type {
	case SUPITypeIMSI:
		if !isDigits(s.Value) || len(s.Value) < MinIMSIDigits || len(s.Value) > MaxIMSIDigits {
			return errorf(ErrInvalidSUPI, "IMSI %q: want %d to %d decimal digits", truncate(s.Value), MinIMSIDigits, MaxIMSIDigits)
		}
		return nil
	case SUPITypeNAI:
		user, realm, ok := strings.Cut(s.Value, "@")
		if !ok {
			return errorf(ErrInvalidSUPI, "NAI %q: want username@realm", truncate(s.Value))
		}
		if err := checkNAIUsername(user); err != nil {
			return errorf(ErrInvalidSUPI, "NAI username: %v", err)
		}
		if err := checkRealm(realm); err != nil {
			return errorf(ErrInvalidSUPI, "NAI realm: %v", err)
		}
		if len(s.Value) > MaxNAILength {
			return errorf(ErrInvalidSUPI, "NAI is %d octets, limit %d", len(s.Value), MaxNAILength)
		}
		return nil
	}
	return errorf(ErrInvalidSUPI, "unsupported SUPI type %d", s.Type)
}

// String returns the TS 29.571 string form.
func (s SUPI) String() string {
	switch s.Type {
	case SUPITypeIMSI:
		return "imsi-" + s.Value
	case SUPITypeNAI:
		return "nai-" + s.Value
	}
	return s.Type.String() + "-" + s.Value
}

// IsZero reports whether s is the zero value.
func (s SUPI) IsZero() bool { return s == SUPI{} }

// SplitIMSI splits an IMSI SUPI into its PLMN and MSIN given the MNC length
// (2 or 3), which the IMSI digits alone do not tell.
func (s SUPI) SplitIMSI(mncLen int) (PLMN, string, error) {
	if s.Type != SUPITypeIMSI {
		return PLMN{}, "", errorf(ErrInvalidSUPI, "%s is not an IMSI", s.Type)
	}
	if err := s.Validate(); err != nil {
		return PLMN{}, "", err
	}
	if mncLen != 2 && mncLen != 3 {
		return PLMN{}, "", errorf(ErrInvalidSUPI, "MNC length %d: want 2 or 3", mncLen)
	}
	if len(s.Value) <= 3+mncLen {
		return PLMN{}, "", errorf(ErrInvalidSUPI, "IMSI %q has no MSIN after a %d-digit MNC", s.Value, mncLen)
	}
	return PLMN{MCC: s.Value[:3], MNC: s.Value[3 : 3+mncLen]}, s.Value[3+mncLen:], nil
}

// SplitNAI splits a NAI SUPI into username and realm.
func (s SUPI) SplitNAI() (username, realm string, err error) {
	if s.Type != SUPITypeNAI {
		return "", "", errorf(ErrInvalidSUPI, "%s is not a NAI", s.Type)
	}
	if err := s.Validate(); err != nil {
		return "", "", err
	}
	username, realm, _ = strings.Cut(s.Value, "@")
	return username, realm, nil
}

// checkNAIUsername accepts a non-empty UTF-8 username without '@', spaces or
// control characters (RFC 7542 §2.2, without escapes).
func checkNAIUsername(u string) error {
	if u == "" {
		return errors.New("empty username")
	}
	if !utf8.ValidString(u) {
		return errors.New("username is not UTF-8")
	}
	for _, r := range u {
		if r == '@' || r <= ' ' || r == 0x7F {
			return fmt.Errorf("username has character %q", r)
		}
	}
	return nil
}

// checkRealm accepts a domain-like realm: labels of letters, digits and '-'
// separated by single dots (RFC 7542 §2.2).
func checkRealm(r string) error {
	if r == "" || len(r) > MaxNAILength {
		return fmt.Errorf("realm length %d", len(r))
	}
	for _, label := range strings.Split(r, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("realm %q has an empty or long label", truncate(r))
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
			if !ok {
				return fmt.Errorf("realm %q has character %q", truncate(r), c)
			}
		}
	}
	return nil
}

// truncate shortens untrusted input echoed in error messages.
func truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
