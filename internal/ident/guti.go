package ident

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
)

// Field limits of the AMF identifier (TS 23.003 §2.10.1).
const (
	MaxAMFSetID   = 1<<10 - 1
	MaxAMFPointer = 1<<6 - 1
)

// GUTI is a 5G-GUTI (TS 23.003 §2.10.1): <GUAMI><5G-TMSI> with
// GUAMI = <MCC><MNC><AMF Region ID (8 bits)><AMF Set ID (10 bits)><AMF Pointer (6 bits)>.
type GUTI struct {
	PLMN        PLMN
	AMFRegionID uint8
	AMFSetID    uint16 // 10 bits
	AMFPointer  uint8  // 6 bits
	TMSI        uint32 // 5G-TMSI
}

// Validate checks the PLMN and the bit widths.
func (g GUTI) Validate() error {
	if err := g.PLMN.Validate(); err != nil {
		return errorf(ErrInvalidGUTI, "%v", err)
	}
	if g.AMFSetID > MaxAMFSetID {
		return errorf(ErrInvalidGUTI, "AMF Set ID %d exceeds 10 bits", g.AMFSetID)
	}
	if g.AMFPointer > MaxAMFPointer {
		return errorf(ErrInvalidGUTI, "AMF Pointer %d exceeds 6 bits", g.AMFPointer)
	}
	return nil
}

// AMFID returns the 24-bit AMF identifier: Region ID ‖ Set ID ‖ Pointer.
func (g GUTI) AMFID() uint32 {
	return uint32(g.AMFRegionID)<<16 | uint32(g.AMFSetID&MaxAMFSetID)<<6 | uint32(g.AMFPointer&MaxAMFPointer)
}

// STMSI returns the 5G-S-TMSI of the GUTI (TS 23.003 §2.11).
func (g GUTI) STMSI() STMSI {
	return STMSI{AMFSetID: g.AMFSetID, AMFPointer: g.AMFPointer, TMSI: g.TMSI}
}

// String returns MCC ‖ MNC ‖ AMF ID (6 hex digits) ‖ 5G-TMSI (8 hex digits),
// e.g. "2089301234567890123" (19 characters for a 2-digit MNC, 20 for 3).
func (g GUTI) String() string {
	return fmt.Sprintf("%s%s%06x%08x", g.PLMN.MCC, g.PLMN.MNC, g.AMFID()&0xFFFFFF, g.TMSI)
}

// ParseGUTI parses the String form.
func ParseGUTI(s string) (GUTI, error) {
	if len(s) != 19 && len(s) != 20 {
		return GUTI{}, errorf(ErrInvalidGUTI, "%q: want 19 or 20 characters (MCC MNC AMF-ID TMSI)", truncate(s))
	}
	mncLen := len(s) - 17
	p, err := NewPLMN(s[:3], s[3:3+mncLen])
	if err != nil {
		return GUTI{}, errorf(ErrInvalidGUTI, "%v", err)
	}
	hexPart := s[3+mncLen:]
	if !isHexDigits(hexPart) {
		return GUTI{}, errorf(ErrInvalidGUTI, "%q: AMF ID and 5G-TMSI must be hex", truncate(s))
	}
	amfID, _ := strconv.ParseUint(hexPart[:6], 16, 32)
	tmsi, _ := strconv.ParseUint(hexPart[6:], 16, 32)
	return GUTI{
		PLMN:        p,
		AMFRegionID: uint8(amfID >> 16),
		AMFSetID:    uint16(amfID>>6) & MaxAMFSetID,
		AMFPointer:  uint8(amfID) & MaxAMFPointer,
		TMSI:        uint32(tmsi),
	}, nil
}

// gutiNASLen is the value length of a 5G-GUTI 5GS mobile identity.
const gutiNASLen = 11

// MarshalNAS returns the value part of a 5GS mobile identity IE holding the
// 5G-GUTI (TS 24.501 §9.11.3.4, 11 octets): 0xF2 ‖ PLMN (BCD) ‖ AMF Region ID ‖
// AMF Set ID (10 bits) and AMF Pointer (6 bits) ‖ 5G-TMSI.
func (g GUTI) MarshalNAS() ([]byte, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	plmn, _ := g.PLMN.BCD()
	b := make([]byte, gutiNASLen)
	b[0] = 0xF0 | byte(IdentityGUTI)
	copy(b[1:4], plmn[:])
	b[4] = g.AMFRegionID
	putSetPointer(b[5:7], g.AMFSetID, g.AMFPointer)
	binary.BigEndian.PutUint32(b[7:], g.TMSI)
	return b, nil
}

// ParseGUTINAS decodes the value part of a 5GS mobile identity IE holding a
// 5G-GUTI. Spare bits are ignored.
func ParseGUTINAS(b []byte) (GUTI, error) {
	if len(b) != gutiNASLen {
		return GUTI{}, errorf(ErrInvalidGUTI, "%d octets, want %d", len(b), gutiNASLen)
	}
	if t := IdentityType(b[0] & 0x07); t != IdentityGUTI {
		return GUTI{}, errorf(ErrInvalidGUTI, "5GS mobile identity holds a %s, not a 5G-GUTI", t)
	}
	p, err := PLMNFromBCD(b[1:4])
	if err != nil {
		return GUTI{}, errorf(ErrInvalidGUTI, "%v", err)
	}
	set, ptr := getSetPointer(b[5:7])
	return GUTI{PLMN: p, AMFRegionID: b[4], AMFSetID: set, AMFPointer: ptr, TMSI: binary.BigEndian.Uint32(b[7:])}, nil
}

func putSetPointer(b []byte, set uint16, ptr uint8) {
	b[0] = byte(set >> 2)
	b[1] = byte(set&0x03)<<6 | ptr&MaxAMFPointer
}

func getSetPointer(b []byte) (uint16, uint8) {
	return uint16(b[0])<<2 | uint16(b[1]>>6), b[1] & MaxAMFPointer
}

// STMSI is a 5G-S-TMSI (TS 23.003 §2.11): <AMF Set ID><AMF Pointer><5G-TMSI>.
type STMSI struct {
	AMFSetID   uint16 // 10 bits
	AMFPointer uint8  // 6 bits
	TMSI       uint32
}

// Validate checks the bit widths.
func (s STMSI) Validate() error {
	if s.AMFSetID > MaxAMFSetID {
		return errorf(ErrInvalidSTMSI, "AMF Set ID %d exceeds 10 bits", s.AMFSetID)
	}
	if s.AMFPointer > MaxAMFPointer {
		return errorf(ErrInvalidSTMSI, "AMF Pointer %d exceeds 6 bits", s.AMFPointer)
	}
	return nil
}

// String returns the 48-bit value as 12 hex digits.
func (s STMSI) String() string {
	var b [6]byte
	putSetPointer(b[:2], s.AMFSetID, s.AMFPointer)
	binary.BigEndian.PutUint32(b[2:], s.TMSI)
	return hex.EncodeToString(b[:])
}

// ParseSTMSI parses the String form.
func ParseSTMSI(str string) (STMSI, error) {
	if len(str) != 12 || !isHexDigits(str) {
		return STMSI{}, errorf(ErrInvalidSTMSI, "%q: want 12 hex digits", truncate(str))
	}
	b, _ := hex.DecodeString(str)
	set, ptr := getSetPointer(b[:2])
	return STMSI{AMFSetID: set, AMFPointer: ptr, TMSI: binary.BigEndian.Uint32(b[2:])}, nil
}

// stmsiNASLen is the value length of a 5G-S-TMSI 5GS mobile identity.
const stmsiNASLen = 7

// MarshalNAS returns the value part of a 5GS mobile identity IE holding the
// 5G-S-TMSI (TS 24.501 §9.11.3.4, 7 octets): 0xF4 ‖ AMF Set ID and Pointer ‖
// 5G-TMSI.
func (s STMSI) MarshalNAS() ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	b := make([]byte, stmsiNASLen)
	b[0] = 0xF0 | byte(IdentitySTMSI)
	putSetPointer(b[1:3], s.AMFSetID, s.AMFPointer)
	binary.BigEndian.PutUint32(b[3:], s.TMSI)
	return b, nil
}

// ParseSTMSINAS decodes the value part of a 5GS mobile identity IE holding a
// 5G-S-TMSI. Spare bits are ignored.
func ParseSTMSINAS(b []byte) (STMSI, error) {
	if len(b) != stmsiNASLen {
		return STMSI{}, errorf(ErrInvalidSTMSI, "%d octets, want %d", len(b), stmsiNASLen)
	}
	if t := IdentityType(b[0] & 0x07); t != IdentitySTMSI {
		return STMSI{}, errorf(ErrInvalidSTMSI, "5GS mobile identity holds a %s, not a 5G-S-TMSI", t)
	}
	set, ptr := getSetPointer(b[1:3])
	return STMSI{AMFSetID: set, AMFPointer: ptr, TMSI: binary.BigEndian.Uint32(b[3:])}, nil
}
