package ident

import "strconv"

// IdentityType is the "type of identity" field of the 5GS mobile identity IE
// (TS 24.501 §9.11.3.4, bits 3-1 of the first value octet).
type IdentityType uint8

// Types of identity.
const (
	IdentityNone   IdentityType = 0
	IdentitySUCI   IdentityType = 1
	IdentityGUTI   IdentityType = 2
	IdentityIMEI   IdentityType = 3
	IdentitySTMSI  IdentityType = 4
	IdentityIMEISV IdentityType = 5
	IdentityMAC    IdentityType = 6
	IdentityEUI64  IdentityType = 7
)

// String names the identity type.
func (t IdentityType) String() string {
	switch t {
	case IdentityNone:
		return "no identity"
	case IdentitySUCI:
		return "SUCI"
	case IdentityGUTI:
		return "5G-GUTI"
	case IdentityIMEI:
		return "IMEI"
	case IdentitySTMSI:
		return "5G-S-TMSI"
	case IdentityIMEISV:
		return "IMEISV"
	case IdentityMAC:
		return "MAC address"
	case IdentityEUI64:
		return "EUI-64"
	}
	return "identity-type-" + strconv.Itoa(int(t))
}

// MobileIdentityType returns the type of identity held in the value part of a
// 5GS mobile identity IE, so a receiver can pick ParseSUCINAS, ParseGUTINAS or
// ParseSTMSINAS.
func MobileIdentityType(b []byte) (IdentityType, error) {
	if len(b) == 0 {
		return 0, errorf(ErrInvalidMobileIdentity, "empty")
	}
	return IdentityType(b[0] & 0x07), nil
}
