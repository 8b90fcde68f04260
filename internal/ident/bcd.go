package ident

// Helpers for decimal digit strings and their telephony BCD coding: two digits
// per octet, the first digit in the low nibble, 0xF as filler (TS 24.008
// §10.5.1.4 style, as used by TS 24.501 §9.11.3.4).

// isDigits reports whether s is non-empty and holds only ASCII decimal digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isHexDigits reports whether s is non-empty and holds only hex digits.
func isHexDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if hexVal(s[i]) < 0 {
			return false
		}
	}
	return true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// appendBCD appends digits (which must be decimal) packed as BCD; an odd count
// gets a 0xF filler in the last high nibble.
func appendBCD(dst []byte, digits string) []byte {
	for i := 0; i < len(digits); i += 2 {
		lo := digits[i] - '0'
		hi := byte(0xF)
		if i+1 < len(digits) {
			hi = digits[i+1] - '0'
		}
		dst = append(dst, hi<<4|lo)
	}
	return dst
}

// decodeBCD unpacks BCD digits. A 0xF nibble is accepted only as the high
// nibble of the last octet (odd digit count). ok is false on any other
// non-decimal nibble or on empty input.
func decodeBCD(b []byte) (string, bool) {
	if len(b) == 0 {
		return "", false
	}
	out := make([]byte, 0, 2*len(b))
	for i, o := range b {
		lo, hi := o&0x0F, o>>4
		if lo > 9 {
			return "", false
		}
		out = append(out, '0'+lo)
		if hi == 0xF && i == len(b)-1 {
			break
		}
		if hi > 9 {
			return "", false
		}
		out = append(out, '0'+hi)
	}
	return string(out), true
}

// DecodeMSINBCD decodes the BCD-coded MSIN used as SUCI scheme input and as
// null-scheme output (TS 33.501 C.3.2, TS 24.501 §9.11.3.4). It is exported for
// internal/suci.
func DecodeMSINBCD(b []byte) (string, bool) { return decodeBCD(b) }

// EncodeMSINBCD is the inverse of DecodeMSINBCD; msin must be decimal digits.
func EncodeMSINBCD(msin string) ([]byte, bool) {
	if !isDigits(msin) {
		return nil, false
	}
	return appendBCD(make([]byte, 0, (len(msin)+1)/2), msin), true
}
