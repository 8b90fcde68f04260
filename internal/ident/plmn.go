package ident

import "strings"

// PLMN is a PLMN identity: a 3-digit MCC and a 2- or 3-digit MNC. The MNC
// length is significant ("01" and "001" are different MNCs).
type PLMN struct {
	MCC string
	MNC string
}

// NewPLMN returns the PLMN for mcc and mnc after validating both.
func NewPLMN(mcc, mnc string) (PLMN, error) {
	p := PLMN{MCC: mcc, MNC: mnc}
	if err := p.Validate(); err != nil {
		return PLMN{}, err
	}
	return p, nil
}

// ParsePLMN parses "MCCMNC" (5 or 6 digits, e.g. "20893", "274012") or
// "MCC-MNC" (e.g. "208-93", "274-012").
func ParsePLMN(s string) (PLMN, error) {
	if mcc, mnc, ok := strings.Cut(s, "-"); ok {
		return NewPLMN(mcc, mnc)
	}
	if len(s) != 5 && len(s) != 6 {
		return PLMN{}, errorf(ErrInvalidPLMN, "%q: want 5 or 6 digits or MCC-MNC", s)
	}
	return NewPLMN(s[:3], s[3:])
}

// Validate checks the digit counts.
func (p PLMN) Validate() error {
	if len(p.MCC) != 3 || !isDigits(p.MCC) {
		return errorf(ErrInvalidPLMN, "MCC %q: want 3 decimal digits", p.MCC)
	}
	if (len(p.MNC) != 2 && len(p.MNC) != 3) || !isDigits(p.MNC) {
		return errorf(ErrInvalidPLMN, "MNC %q: want 2 or 3 decimal digits", p.MNC)
	}
	return nil
}

// String returns MCC followed by MNC, e.g. "20893" (the form ParsePLMN reads
// back unambiguously).
func (p PLMN) String() string { return p.MCC + p.MNC }

// IsZero reports whether p is the zero value.
func (p PLMN) IsZero() bool { return p.MCC == "" && p.MNC == "" }

// BCD returns the 3-octet PLMN identity coding used by NAS and NGAP
// (TS 24.008 §10.5.1.13, TS 38.413 §9.3.3.5): MCC2|MCC1, MNC3|MCC3, MNC2|MNC1,
// with MNC3 = 0xF for a 2-digit MNC.
func (p PLMN) BCD() ([3]byte, error) {
	var b [3]byte
	if err := p.Validate(); err != nil {
		return b, err
	}
	d := func(s string, i int) byte { return s[i] - '0' }
	mnc3 := byte(0xF)
	if len(p.MNC) == 3 {
		mnc3 = d(p.MNC, 2)
	}
	b[0] = d(p.MCC, 1)<<4 | d(p.MCC, 0)
	b[1] = mnc3<<4 | d(p.MCC, 2)
	b[2] = d(p.MNC, 1)<<4 | d(p.MNC, 0)
	return b, nil
}

// PLMNFromBCD decodes the 3-octet coding produced by BCD.
func PLMNFromBCD(b []byte) (PLMN, error) {
	if len(b) != 3 {
		return PLMN{}, errorf(ErrInvalidPLMN, "BCD coding is %d octets, want 3", len(b))
	}
	nib := [6]byte{b[0] & 0xF, b[0] >> 4, b[1] & 0xF, b[2] & 0xF, b[2] >> 4, b[1] >> 4}
	// nib: MCC1 MCC2 MCC3 MNC1 MNC2 MNC3
	digits := make([]byte, 0, 6)
	for i, n := range nib {
		if i == 5 && n == 0xF {
			break
		}
		if n > 9 {
			return PLMN{}, errorf(ErrInvalidPLMN, "BCD coding % x has a non-decimal digit", b)
		}
		digits = append(digits, '0'+n)
	}
	return PLMN{MCC: string(digits[:3]), MNC: string(digits[3:])}, nil
}

// ServingNetworkName returns the 5G serving network name used in key
// derivations (TS 33.501 §6.1.1.4, coded as in TS 24.501 §9.12.1):
// "5G:mnc<MNC>.mcc<MCC>.3gppnetwork.org" with the MNC always padded to 3 digits.
func (p PLMN) ServingNetworkName() string {
	mnc := p.MNC
	if len(mnc) == 2 {
		mnc = "0" + mnc
	}
	return snnPrefix + "mnc" + mnc + ".mcc" + p.MCC + snnSuffix
}

const (
	snnPrefix = "5G:"
	snnSuffix = ".3gppnetwork.org"
)

// ParseServingNetworkName parses "5G:mnc<3 digits>.mcc<3 digits>.3gppnetwork.org".
// The name always carries a 3-digit MNC, so the returned PLMN has a 3-digit MNC
// ("5G:mnc093.mcc208..." gives MCC 208, MNC 093); compare names as strings, or
// build the expected name with PLMN.ServingNetworkName, rather than comparing
// PLMNs.
func ParseServingNetworkName(s string) (PLMN, error) {
	rest, ok := strings.CutPrefix(s, snnPrefix+"mnc")
	if !ok {
		return PLMN{}, errorf(ErrInvalidServingNetworkName, "%q: want prefix %q", s, snnPrefix+"mnc")
	}
	rest, ok = strings.CutSuffix(rest, snnSuffix)
	if !ok {
		return PLMN{}, errorf(ErrInvalidServingNetworkName, "%q: want suffix %q", s, snnSuffix)
	}
	mnc, mcc, ok := strings.Cut(rest, ".mcc")
	if !ok || len(mnc) != 3 || len(mcc) != 3 || !isDigits(mnc) || !isDigits(mcc) {
		return PLMN{}, errorf(ErrInvalidServingNetworkName, "%q: want mnc<3 digits>.mcc<3 digits>", s)
	}
	return PLMN{MCC: mcc, MNC: mnc}, nil
}
