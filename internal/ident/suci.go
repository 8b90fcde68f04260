package ident

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"strings"
)

// ProtectionScheme is the SUCI protection scheme identifier (TS 33.501 §6.12.2,
// TS 24.501 §9.11.3.4): 4 bits.
type ProtectionScheme uint8

// Protection schemes. 3..11 are reserved, 12..15 operator-proprietary.
const (
	SchemeNull     ProtectionScheme = 0 // null scheme: the scheme output is the scheme input
	SchemeProfileA ProtectionScheme = 1 // ECIES Profile A (X25519)
	SchemeProfileB ProtectionScheme = 2 // ECIES Profile B (P-256, compressed points)
	maxScheme      ProtectionScheme = 15
)

// ECIES scheme output layout (TS 33.501 C.3.4): ephemeral public key ‖
// ciphertext ‖ MAC tag.
const (
	ECIESMACLen          = 8  // MAC tag length of Profiles A and B
	ProfileAPublicKeyLen = 32 // X25519 u-coordinate, no prefix
	ProfileBPublicKeyLen = 33 // compressed P-256 point
)

// Limits on SUCI fields.
const (
	MaxRoutingIndicatorDigits = 4
	// MaxSchemeOutputLen bounds the scheme output: proprietary schemes may add
	// up to 3000 octets to the input (TS 33.501 §6.12.2).
	MaxSchemeOutputLen = 3000 + MaxNAILength
)

// ECIESPublicKeyLen returns the ephemeral public key length in the scheme
// output of Profile A or B, and 0 for other schemes.
func (p ProtectionScheme) ECIESPublicKeyLen() int {
	switch p {
	case SchemeProfileA:
		return ProfileAPublicKeyLen
	case SchemeProfileB:
		return ProfileBPublicKeyLen
	}
	return 0
}

// String returns "null", "profile-a", "profile-b", "reserved-<n>" or
// "proprietary-<n>".
func (p ProtectionScheme) String() string {
	switch {
	case p == SchemeNull:
		return "null"
	case p == SchemeProfileA:
		return "profile-a"
	case p == SchemeProfileB:
		return "profile-b"
	case p <= 11:
		return "reserved-" + strconv.Itoa(int(p))
	case p <= maxScheme:
		return "proprietary-" + strconv.Itoa(int(p))
	}
	return "invalid-" + strconv.Itoa(int(p))
}

// ParseProtectionScheme accepts (case-insensitively) "null", "a", "profile-a",
// "b", "profile-b", or a decimal identifier 0..15.
func ParseProtectionScheme(s string) (ProtectionScheme, error) {
	switch strings.ToLower(s) {
	case "null", "0":
		return SchemeNull, nil
	case "a", "profile-a", "profilea", "1":
		return SchemeProfileA, nil
	case "b", "profile-b", "profileb", "2":
		return SchemeProfileB, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= int(maxScheme) && isDigits(s) {
		return ProtectionScheme(n), nil
	}
	return 0, errorf(ErrInvalidSUCI, "protection scheme %q: want null, A, B or 0..15", truncate(s))
}

// SUCI is a subscription concealed identifier (TS 23.003 §2.2B, TS 33.501
// §6.12.2).
//
// SchemeOutput holds the raw scheme output octets as TS 33.501 Annex C defines
// them: for the null scheme and an IMSI, the BCD-coded MSIN (C.4.2.1: MSIN
// 001002086 -> 00 01 20 80 f6); for the null scheme and a NAI, the username
// octets; for ECIES, ephemeral public key ‖ ciphertext ‖ MAC tag.
type SUCI struct {
	SUPIType SUPIType
	// PLMN is the home network identifier when SUPIType is SUPITypeIMSI.
	PLMN PLMN
	// Realm is the home network identifier when SUPIType is SUPITypeNAI.
	Realm string
	// RoutingIndicator is 1 to 4 decimal digits ("0" when none is configured).
	RoutingIndicator string
	Scheme           ProtectionScheme
	// KeyID is the home network public key identifier; 0 for the null scheme.
	KeyID        uint8
	SchemeOutput []byte
}

// Validate checks every field. It does not check ECIES output lengths for IMSI
// SUCIs: that is the de-concealing side's job (internal/suci reports ErrLength).
func (s SUCI) Validate() error {
	switch s.SUPIType {
	case SUPITypeIMSI:
		if err := s.PLMN.Validate(); err != nil {
			return errorf(ErrInvalidSUCI, "home network identifier: %v", err)
		}
		if s.Realm != "" {
			return errorf(ErrInvalidSUCI, "IMSI SUCI carries a realm")
		}
	case SUPITypeNAI:
		if err := checkRealm(s.Realm); err != nil {
			return errorf(ErrInvalidSUCI, "home network identifier: %v", err)
		}
		if !s.PLMN.IsZero() {
			return errorf(ErrInvalidSUCI, "NAI SUCI carries a PLMN")
		}
	default:
		return errorf(ErrInvalidSUCI, "unsupported SUPI type %d", s.SUPIType)
	}
	if n := len(s.RoutingIndicator); n < 1 || n > MaxRoutingIndicatorDigits || !isDigits(s.RoutingIndicator) {
		return errorf(ErrInvalidSUCI, "routing indicator %q: want 1 to 4 decimal digits", truncate(s.RoutingIndicator))
	}
	if s.Scheme > maxScheme {
		return errorf(ErrInvalidSUCI, "protection scheme %d: want 0..15", s.Scheme)
	}
	if len(s.SchemeOutput) == 0 {
		return errorf(ErrInvalidSUCI, "empty scheme output")
	}
	if len(s.SchemeOutput) > MaxSchemeOutputLen {
		return errorf(ErrInvalidSUCI, "scheme output is %d octets, limit %d", len(s.SchemeOutput), MaxSchemeOutputLen)
	}
	if s.Scheme == SchemeNull {
		if s.KeyID != 0 {
			return errorf(ErrInvalidSUCI, "null scheme with home network public key id %d, want 0", s.KeyID)
		}
		if s.SUPIType == SUPITypeIMSI {
			msin, ok := decodeBCD(s.SchemeOutput)
			if !ok {
				return errorf(ErrInvalidSUCI, "null-scheme output is not a BCD MSIN")
			}
			if max := MaxIMSIDigits - 3 - len(s.PLMN.MNC); len(msin) > max {
				return errorf(ErrInvalidSUCI, "null-scheme MSIN has %d digits, limit %d", len(msin), max)
			}
		} else {
			if err := checkNAIUsername(string(s.SchemeOutput)); err != nil {
				return errorf(ErrInvalidSUCI, "null-scheme output: %v", err)
			}
			if n := len(s.SchemeOutput) + 1 + len(s.Realm); n > MaxNAILength {
				return errorf(ErrInvalidSUCI, "null-scheme NAI is %d octets, limit %d", n, MaxNAILength)
			}
		}
		return nil
	}
	if s.SUPIType == SUPITypeNAI {
		if kl := s.Scheme.ECIESPublicKeyLen(); kl > 0 && len(s.SchemeOutput) < kl+ECIESMACLen+1 {
			return errorf(ErrInvalidSUCI, "%s scheme output of %d octets cannot hold key, ciphertext and MAC", s.Scheme, len(s.SchemeOutput))
		}
	}
	return nil
}

// IsZero reports whether s is the zero value.
func (s SUCI) IsZero() bool {
	return s.SUPIType == 0 && s.PLMN.IsZero() && s.Realm == "" && s.RoutingIndicator == "" &&
		s.Scheme == 0 && s.KeyID == 0 && len(s.SchemeOutput) == 0
}

// Equal reports whether s and o are the same SUCI.
func (s SUCI) Equal(o SUCI) bool {
	return s.SUPIType == o.SUPIType && s.PLMN == o.PLMN && s.Realm == o.Realm &&
		s.RoutingIndicator == o.RoutingIndicator && s.Scheme == o.Scheme && s.KeyID == o.KeyID &&
		bytes.Equal(s.SchemeOutput, o.SchemeOutput)
}

// String returns the canonical string form. For an IMSI SUCI that is the
// TS 29.503/29.571 form
//
//	suci-0-<MCC>-<MNC>-<routing indicator>-<scheme, 1 hex digit>-<key id, decimal>-<output>
//
// where the output is the MSIN digits for the null scheme and lower-case hex
// otherwise (e.g. "suci-0-208-93-0-0-0-00007487"). For a NAI SUCI it is the NAI
// form of TS 23.003 §28.7.3, "type1.rid<RI>.schid<scheme>.userid<username>@realm"
// (null scheme), "type1.rid<RI>.schid<scheme>.hnkey<id>.ecckey<HEX>.cip<HEX>.mac<HEX>@realm"
// (Profiles A and B), or "...hnkey<id>.out<HEX>@realm" (other schemes).
// String does not validate; an invalid SUCI prints best-effort.
func (s SUCI) String() string {
	if s.SUPIType == SUPITypeNAI {
		return s.naiString()
	}
	var b strings.Builder
	b.Grow(32 + 2*len(s.SchemeOutput))
	b.WriteString("suci-")
	b.WriteString(strconv.Itoa(int(s.SUPIType)))
	b.WriteByte('-')
	b.WriteString(s.PLMN.MCC)
	b.WriteByte('-')
	b.WriteString(s.PLMN.MNC)
	b.WriteByte('-')
	b.WriteString(s.RoutingIndicator)
	b.WriteByte('-')
	b.WriteString(strconv.FormatUint(uint64(s.Scheme), 16))
	b.WriteByte('-')
	b.WriteString(strconv.Itoa(int(s.KeyID)))
	b.WriteByte('-')
	if msin, ok := decodeBCD(s.SchemeOutput); ok && s.Scheme == SchemeNull {
		b.WriteString(msin)
	} else {
		b.WriteString(hex.EncodeToString(s.SchemeOutput))
	}
	return b.String()
}

func (s SUCI) naiString() string {
	var b strings.Builder
	b.Grow(64 + 2*len(s.SchemeOutput) + len(s.Realm))
	b.WriteString("type")
	b.WriteString(strconv.Itoa(int(s.SUPIType)))
	b.WriteString(".rid")
	b.WriteString(s.RoutingIndicator)
	b.WriteString(".schid")
	b.WriteString(strconv.Itoa(int(s.Scheme)))
	upper := func(p []byte) { b.WriteString(strings.ToUpper(hex.EncodeToString(p))) }
	switch kl := s.Scheme.ECIESPublicKeyLen(); {
	case s.Scheme == SchemeNull:
		b.WriteString(".userid")
		b.Write(s.SchemeOutput)
	case kl > 0 && len(s.SchemeOutput) >= kl+ECIESMACLen+1:
		out := s.SchemeOutput
		b.WriteString(".hnkey")
		b.WriteString(strconv.Itoa(int(s.KeyID)))
		b.WriteString(".ecckey")
		upper(out[:kl])
		b.WriteString(".cip")
		upper(out[kl : len(out)-ECIESMACLen])
		b.WriteString(".mac")
		upper(out[len(out)-ECIESMACLen:])
	default:
		b.WriteString(".hnkey")
		b.WriteString(strconv.Itoa(int(s.KeyID)))
		b.WriteString(".out")
		upper(s.SchemeOutput)
	}
	b.WriteByte('@')
	b.WriteString(s.Realm)
	return b.String()
}

// ParseSUCI parses either string form produced by SUCI.String: the
// "suci-0-..." form for IMSI SUCIs or the NAI form "type1.rid...@realm".
func ParseSUCI(str string) (SUCI, error) {
	if len(str) > 2*MaxSchemeOutputLen+2*MaxNAILength {
		return SUCI{}, errorf(ErrInvalidSUCI, "%d characters is too long", len(str))
	}
	var (
		s   SUCI
		err error
	)
	switch {
	case strings.HasPrefix(str, "suci-"):
		s, err = parseSUCIForm(str)
	case strings.HasPrefix(str, "type"):
		s, err = parseNAIForm(str)
	default:
		return SUCI{}, errorf(ErrInvalidSUCI, "%q: want suci-0-<mcc>-<mnc>-... or type1.rid...@realm", truncate(str))
	}
	if err != nil {
		return SUCI{}, err
	}
	if err := s.Validate(); err != nil {
		return SUCI{}, err
	}
	return s, nil
}

func parseSUCIForm(str string) (SUCI, error) {
	f := strings.Split(str, "-")
	if len(f) >= 2 && f[1] != "0" {
		return SUCI{}, errorf(ErrInvalidSUCI, "SUPI type %q in the suci- form: only 0 (IMSI) is supported; NAI SUCIs use the form type1.rid...@realm", truncate(f[1]))
	}
	if len(f) != 8 {
		return SUCI{}, errorf(ErrInvalidSUCI, "%d dash-separated fields, want 8 (suci-0-mcc-mnc-routingIndicator-scheme-keyId-output)", len(f))
	}
	plmn, err := NewPLMN(f[2], f[3])
	if err != nil {
		return SUCI{}, errorf(ErrInvalidSUCI, "home network identifier: %v", err)
	}
	s := SUCI{SUPIType: SUPITypeIMSI, PLMN: plmn, RoutingIndicator: f[4]}
	if len(f[5]) != 1 || hexVal(f[5][0]) < 0 {
		return SUCI{}, errorf(ErrInvalidSUCI, "protection scheme %q: want one hex digit", truncate(f[5]))
	}
	s.Scheme = ProtectionScheme(hexVal(f[5][0]))
	if s.KeyID, err = parseKeyID(f[6]); err != nil {
		return SUCI{}, err
	}
	out := f[7]
	if s.Scheme == SchemeNull {
		if !isDigits(out) {
			return SUCI{}, errorf(ErrInvalidSUCI, "null-scheme output %q: want the MSIN digits", truncate(out))
		}
		s.SchemeOutput = appendBCD(make([]byte, 0, (len(out)+1)/2), out)
		return s, nil
	}
	if s.SchemeOutput, err = decodeHex(out, "scheme output"); err != nil {
		return SUCI{}, err
	}
	return s, nil
}

func parseNAIForm(str string) (SUCI, error) {
	user, realm, ok := strings.Cut(str, "@")
	if !ok {
		return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI has no @realm")
	}
	s := SUCI{Realm: realm}
	rest, ok := strings.CutPrefix(user, "type1.rid")
	if !ok {
		if strings.HasPrefix(user, "type0.") {
			return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI of an IMSI is not supported; use the suci-0-... form")
		}
		return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI: want username starting with type1.rid")
	}
	s.SUPIType = SUPITypeNAI
	var field string
	if s.RoutingIndicator, rest, ok = strings.Cut(rest, ".schid"); !ok {
		return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI: missing .schid")
	}
	if field, rest, ok = strings.Cut(rest, "."); !ok {
		return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI: nothing after the scheme id")
	}
	if !isDigits(field) || len(field) > 2 {
		return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI: scheme id %q: want 0..15", truncate(field))
	}
	n, _ := strconv.Atoi(field)
	if n > int(maxScheme) || strconv.Itoa(n) != field {
		return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI: scheme id %q: want 0..15", field)
	}
	s.Scheme = ProtectionScheme(n)
	if s.Scheme == SchemeNull {
		username, ok := strings.CutPrefix(rest, "userid")
		if !ok {
			return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form null-scheme SUCI: want .userid<username>")
		}
		s.SchemeOutput = []byte(username)
		return s, nil
	}
	rest, ok = strings.CutPrefix(rest, "hnkey")
	if !ok {
		return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI: want .hnkey<id>")
	}
	if field, rest, ok = strings.Cut(rest, "."); !ok {
		return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI: nothing after the key id")
	}
	var err error
	if s.KeyID, err = parseKeyID(field); err != nil {
		return SUCI{}, err
	}
	kl := s.Scheme.ECIESPublicKeyLen()
	if kl == 0 {
		hexOut, ok := strings.CutPrefix(rest, "out")
		if !ok {
			return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI of scheme %s: want .out<hex>", s.Scheme)
		}
		if s.SchemeOutput, err = decodeHex(hexOut, "scheme output"); err != nil {
			return SUCI{}, err
		}
		return s, nil
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 {
		return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI: want ecckey<hex>.cip<hex>.mac<hex>")
	}
	prefixes := [3]string{"ecckey", "cip", "mac"}
	var raw [3][]byte
	for i, p := range parts {
		h, ok := strings.CutPrefix(p, prefixes[i])
		if !ok {
			return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI: want %s<hex>", prefixes[i])
		}
		if raw[i], err = decodeHex(h, prefixes[i]); err != nil {
			return SUCI{}, err
		}
	}
	if len(raw[0]) != kl || len(raw[2]) != ECIESMACLen {
		return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI: %s wants a %d-octet ecckey and an %d-octet mac, got %d and %d",
			s.Scheme, kl, ECIESMACLen, len(raw[0]), len(raw[2]))
	}
	s.SchemeOutput = make([]byte, 0, len(raw[0])+len(raw[1])+len(raw[2]))
	s.SchemeOutput = append(append(append(s.SchemeOutput, raw[0]...), raw[1]...), raw[2]...)
	return s, nil
}

// parseKeyID parses a decimal 0..255 without leading zeros.
func parseKeyID(f string) (uint8, error) {
	n, err := strconv.Atoi(f)
	if err != nil || !isDigits(f) || n > 255 || strconv.Itoa(n) != f {
		return 0, errorf(ErrInvalidSUCI, "home network public key id %q: want decimal 0..255", truncate(f))
	}
	return uint8(n), nil
}

func decodeHex(h, what string) ([]byte, error) {
	if len(h)%2 != 0 || !isHexDigits(h) {
		return nil, errorf(ErrInvalidSUCI, "%s: want a non-empty even number of hex digits", what)
	}
	b, _ := hex.DecodeString(h)
	return b, nil
}

// 5GS mobile identity first-octet values for a SUCI (TS 24.501 §9.11.3.4):
// SUPI format in bits 7-5, type of identity 001 in bits 3-1.
const (
	suciOctetIMSI = byte(SUPITypeIMSI)<<4 | byte(IdentitySUCI)
	suciOctetNAI  = byte(SUPITypeNAI)<<4 | byte(IdentitySUCI)
	suciNASMinLen = 1 + 3 + 2 + 1 + 1 + 1 // type, PLMN, RI, scheme, key id, >=1 output octet
)

// MarshalNAS returns the value part of the 5GS mobile identity IE (TS 24.501
// §9.11.3.4, from the octet holding the type of identity; no IEI or length).
// IMSI: 0x01 ‖ PLMN (3, BCD) ‖ routing indicator (2, BCD, 0xF-filled) ‖
// scheme (low 4 bits) ‖ key id ‖ scheme output. NAI: 0x11 ‖ the NAI-form SUCI.
func (s SUCI) MarshalNAS() ([]byte, error) {
	return s.AppendNAS(nil)
}

// AppendNAS appends the MarshalNAS encoding to dst.
func (s SUCI) AppendNAS(dst []byte) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return dst, err
	}
	if s.SUPIType == SUPITypeNAI {
		dst = append(dst, suciOctetNAI)
		return append(dst, s.naiString()...), nil
	}
	plmn, _ := s.PLMN.BCD()
	dst = append(dst, suciOctetIMSI)
	dst = append(dst, plmn[:]...)
	var ri [4]byte
	for i := range ri {
		ri[i] = 0xF
		if i < len(s.RoutingIndicator) {
			ri[i] = s.RoutingIndicator[i] - '0'
		}
	}
	dst = append(dst, ri[1]<<4|ri[0], ri[3]<<4|ri[2], byte(s.Scheme), s.KeyID)
	return append(dst, s.SchemeOutput...), nil
}

// ParseSUCINAS decodes the value part of a 5GS mobile identity IE of type SUCI
// (the inverse of MarshalNAS). Spare bits are ignored. The result does not
// alias b.
func ParseSUCINAS(b []byte) (SUCI, error) {
	if len(b) == 0 {
		return SUCI{}, errorf(ErrInvalidSUCI, "empty 5GS mobile identity")
	}
	if t := IdentityType(b[0] & 0x07); t != IdentitySUCI {
		return SUCI{}, errorf(ErrInvalidSUCI, "5GS mobile identity holds a %s, not a SUCI", t)
	}
	switch SUPIType(b[0] >> 4 & 0x07) {
	case SUPITypeIMSI:
	case SUPITypeNAI:
		if len(b) > 1+2*MaxSchemeOutputLen+2*MaxNAILength {
			return SUCI{}, errorf(ErrInvalidSUCI, "NAI-form SUCI of %d octets is too long", len(b)-1)
		}
		s, err := parseNAIForm(string(b[1:]))
		if err != nil {
			return SUCI{}, err
		}
		return s, s.Validate()
	default:
		return SUCI{}, errorf(ErrInvalidSUCI, "unsupported SUPI format %d", b[0]>>4&0x07)
	}
	if len(b) < suciNASMinLen {
		return SUCI{}, errorf(ErrInvalidSUCI, "IMSI SUCI of %d octets, want at least %d", len(b), suciNASMinLen)
	}
	plmn, err := PLMNFromBCD(b[1:4])
	if err != nil {
		return SUCI{}, errorf(ErrInvalidSUCI, "home network identifier: %v", err)
	}
	ri, err := decodeRoutingIndicator(b[4], b[5])
	if err != nil {
		return SUCI{}, err
	}
	s := SUCI{
		SUPIType:         SUPITypeIMSI,
		PLMN:             plmn,
		RoutingIndicator: ri,
		Scheme:           ProtectionScheme(b[6] & 0x0F),
		KeyID:            b[7],
		SchemeOutput:     bytes.Clone(b[8:]),
	}
	if err := s.Validate(); err != nil {
		return SUCI{}, err
	}
	return s, nil
}

// decodeRoutingIndicator reads 1-4 BCD digits followed by 0xF fillers.
func decodeRoutingIndicator(o1, o2 byte) (string, error) {
	nib := [4]byte{o1 & 0xF, o1 >> 4, o2 & 0xF, o2 >> 4}
	out := make([]byte, 0, 4)
	for i, n := range nib {
		if n == 0xF {
			for _, m := range nib[i:] {
				if m != 0xF {
					return "", errorf(ErrInvalidSUCI, "routing indicator %02x %02x: digit after filler", o1, o2)
				}
			}
			break
		}
		if n > 9 {
			return "", errorf(ErrInvalidSUCI, "routing indicator %02x %02x: non-decimal digit", o1, o2)
		}
		out = append(out, '0'+n)
	}
	if len(out) == 0 {
		return "", errorf(ErrInvalidSUCI, "routing indicator has no digits")
	}
	return string(out), nil
}
