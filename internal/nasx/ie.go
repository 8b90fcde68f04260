package nasx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PLMN is a PLMN identity in its 3-octet wire encoding (TS 24.008
// §10.5.1.13: MCC2|MCC1, MNC3|MCC3, MNC2|MNC1, MNC3 = 0xF for a 2-digit MNC).
// NGAP uses the same octets (TS 38.413 §9.3.3.5).
type PLMN [3]byte

// NewPLMN encodes a 3-digit MCC and a 2- or 3-digit MNC.
func NewPLMN(mcc, mnc string) (PLMN, error) {
	if len(mcc) != 3 || !allDigits(mcc) {
		return PLMN{}, invalid("MCC %q: want 3 digits", mcc)
	}
	if (len(mnc) != 2 && len(mnc) != 3) || !allDigits(mnc) {
		return PLMN{}, invalid("MNC %q: want 2 or 3 digits", mnc)
	}
	d := func(s string, i int) byte { return s[i] - '0' }
	mnc3 := byte(0xf)
	if len(mnc) == 3 {
		mnc3 = d(mnc, 2)
	}
	return PLMN{d(mcc, 1)<<4 | d(mcc, 0), mnc3<<4 | d(mcc, 2), d(mnc, 1)<<4 | d(mnc, 0)}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func nibbleChar(n byte) byte { return "0123456789abcdef"[n&0xf] }

// MCC returns the three MCC digits.
func (p PLMN) MCC() string {
	return string([]byte{nibbleChar(p[0]), nibbleChar(p[0] >> 4), nibbleChar(p[1])})
}

// MNC returns the two or three MNC digits.
func (p PLMN) MNC() string {
	if p[1]>>4 == 0xf {
		return string([]byte{nibbleChar(p[2]), nibbleChar(p[2] >> 4)})
	}
	return string([]byte{nibbleChar(p[2]), nibbleChar(p[2] >> 4), nibbleChar(p[1] >> 4)})
}

// String returns MCC followed by MNC, e.g. "00101".
func (p PLMN) String() string { return p.MCC() + p.MNC() }

// SNSSAI is an S-NSSAI (TS 24.501 §9.11.2.8): slice/service type and an
// optional 24-bit slice differentiator. Mapped HPLMN values are not kept.
type SNSSAI struct {
	SST   uint8
	SD    uint32 // low 24 bits; meaningful when HasSD
	HasSD bool
}

// String renders "sst-1" or "sst-1/sd-010203".
func (s SNSSAI) String() string {
	if s.HasSD {
		return fmt.Sprintf("sst-%d/sd-%06x", s.SST, s.SD&0xffffff)
	}
	return fmt.Sprintf("sst-%d", s.SST)
}

// contents returns the S-NSSAI IE value: SST, or SST and SD.
func (s SNSSAI) contents() []byte {
	if !s.HasSD {
		return []byte{s.SST}
	}
	return []byte{s.SST, byte(s.SD >> 16), byte(s.SD >> 8), byte(s.SD)}
}

// decodeSNSSAIContents reads an S-NSSAI value of 1, 2, 4, 5 or 8 octets.
func decodeSNSSAIContents(b []byte) (SNSSAI, error) {
	switch len(b) {
	case 1, 2:
		return SNSSAI{SST: b[0]}, nil
	case 4, 5, 8:
		return SNSSAI{SST: b[0], SD: uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), HasSD: true}, nil
	}
	return SNSSAI{}, fmt.Errorf("S-NSSAI of %d octets", len(b))
}

// encodeNSSAI builds an NSSAI IE value (§9.11.3.37): a list of
// length-prefixed S-NSSAI values.
func encodeNSSAI(list []SNSSAI) []byte {
	out := make([]byte, 0, 5*len(list))
	for _, s := range list {
		c := s.contents()
		out = append(out, byte(len(c)))
		out = append(out, c...)
	}
	return out
}

func decodeNSSAI(b []byte) ([]SNSSAI, error) {
	out := make([]SNSSAI, 0, len(b)/2)
	for len(b) > 0 {
		n := int(b[0])
		if 1+n > len(b) {
			return nil, fmt.Errorf("NSSAI: S-NSSAI length %d beyond IE", n)
		}
		s, err := decodeSNSSAIContents(b[1 : 1+n])
		if err != nil {
			return nil, fmt.Errorf("NSSAI: %w", err)
		}
		out = append(out, s)
		b = b[1+n:]
	}
	return out, nil
}

// TAI is a tracking area identity: PLMN and a 24-bit TAC.
type TAI struct {
	PLMN PLMN
	TAC  uint32 // low 24 bits
}

func (t TAI) String() string { return fmt.Sprintf("%s-%06x", t.PLMN, t.TAC&0xffffff) }

func appendTAC(b []byte, tac uint32) []byte {
	return append(b, byte(tac>>16), byte(tac>>8), byte(tac))
}

func readTAC(b []byte) uint32 { return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) }

// encodeTAIList builds a 5GS tracking area identity list value (§9.11.3.9):
// runs of TAIs of the same PLMN become type-00 partial lists (up to 16 TACs
// each).
func encodeTAIList(list []TAI) []byte {
	out := make([]byte, 0, 4+3*len(list))
	for i := 0; i < len(list); {
		j := i + 1
		for j < len(list) && j-i < 16 && list[j].PLMN == list[i].PLMN {
			j++
		}
		out = append(out, byte(j-i-1)) // type of list 00, number of elements - 1
		out = append(out, list[i].PLMN[:]...)
		for _, t := range list[i:j] {
			out = appendTAC(out, t.TAC)
		}
		i = j
	}
	return out
}

func decodeTAIList(b []byte) ([]TAI, error) {
	var out []TAI
	for len(b) > 0 {
		kind, n := (b[0]>>5)&3, int(b[0]&0x1f)+1
		b = b[1:]
		switch kind {
		case 0: // one PLMN, n TACs
			if len(b) < 3+3*n {
				return nil, errors.New("TAI list: short type-00 partial list")
			}
			p := PLMN{b[0], b[1], b[2]}
			for k := 0; k < n; k++ {
				out = append(out, TAI{PLMN: p, TAC: readTAC(b[3+3*k:])})
			}
			b = b[3+3*n:]
		case 1: // one PLMN, n consecutive TACs
			if len(b) < 6 {
				return nil, errors.New("TAI list: short type-01 partial list")
			}
			p, first := PLMN{b[0], b[1], b[2]}, readTAC(b[3:])
			for k := 0; k < n; k++ {
				out = append(out, TAI{PLMN: p, TAC: (first + uint32(k)) & 0xffffff})
			}
			b = b[6:]
		case 2: // n TAIs of any PLMN
			if len(b) < 6*n {
				return nil, errors.New("TAI list: short type-10 partial list")
			}
			for k := 0; k < n; k++ {
				e := b[6*k:]
				out = append(out, TAI{PLMN: PLMN{e[0], e[1], e[2]}, TAC: readTAC(e[3:])})
			}
			b = b[6*n:]
		default:
			return nil, errors.New("TAI list: reserved type of list")
		}
	}
	return out, nil
}

// KSINoKey is the NAS key set identifier value "no key is available"
// (TS 24.501 §9.11.3.32).
const KSINoKey uint8 = 7

// NgKSI is a NAS key set identifier: type of security context (native or
// mapped) and the 3-bit key set identifier.
type NgKSI struct {
	Mapped bool
	KSI    uint8
}

func (k NgKSI) nibble() uint8 {
	n := k.KSI & 7
	if k.Mapped {
		n |= 8
	}
	return n
}

func ngKSIFromNibble(n uint8) NgKSI { return NgKSI{Mapped: n&8 != 0, KSI: n & 7} }

// UESecurityCapability is the value of a UE security capability IE
// (§9.11.3.54), kept as the exact octets received so that SECURITY MODE
// COMMAND can replay them bit for bit. Octet 1 holds 5G-EA0..7 (0x80 = EA0,
// 0x40 = 128-5G-EA1, ...), octet 2 5G-IA0..7, optional octets 3 and 4
// EEA0..7 and EIA0..7.
type UESecurityCapability []byte

// NewUESecurityCapability returns the 2-octet form for the given 5G-EA and
// 5G-IA bitmaps; 0xf0 means algorithms 0..3.
func NewUESecurityCapability(ea, ia uint8) UESecurityCapability {
	return UESecurityCapability{ea, ia}
}

// AlgBit is the bit of algorithm id (0..7) in an EA/IA/EEA/EIA octet.
func AlgBit(id uint8) uint8 { return 0x80 >> (id & 7) }

func (c UESecurityCapability) octet(i int) uint8 {
	if i < len(c) {
		return c[i]
	}
	return 0
}

// EA returns the 5G-EA bitmap.
func (c UESecurityCapability) EA() uint8 { return c.octet(0) }

// IA returns the 5G-IA bitmap.
func (c UESecurityCapability) IA() uint8 { return c.octet(1) }

// EEA returns the EPS EEA bitmap (0 when absent).
func (c UESecurityCapability) EEA() uint8 { return c.octet(2) }

// EIA returns the EPS EIA bitmap (0 when absent).
func (c UESecurityCapability) EIA() uint8 { return c.octet(3) }

// SupportsEA reports whether 5G-EA<id> is supported.
func (c UESecurityCapability) SupportsEA(id uint8) bool { return id < 8 && c.EA()&AlgBit(id) != 0 }

// SupportsIA reports whether 5G-IA<id> is supported.
func (c UESecurityCapability) SupportsIA(id uint8) bool { return id < 8 && c.IA()&AlgBit(id) != 0 }

// Types of identity in a 5GS mobile identity (§9.11.3.4).
const (
	IdentityNone   uint8 = 0
	IdentitySUCI   uint8 = 1
	IdentityGUTI   uint8 = 2
	IdentityIMEI   uint8 = 3
	IdentitySTMSI  uint8 = 4
	IdentityIMEISV uint8 = 5
	IdentityMAC    uint8 = 6
	IdentityEUI64  uint8 = 7
)

// IdentityType returns the type of identity of 5GS mobile identity contents
// (IdentityNone for empty contents).
func IdentityType(mi []byte) uint8 {
	if len(mi) == 0 {
		return IdentityNone
	}
	return mi[0] & 7
}

// GUTI is a 5G-GUTI in wire terms (TS 23.003 §2.10, TS 24.501 §9.11.3.4).
type GUTI struct {
	PLMN        PLMN
	AMFRegionID uint8
	AMFSetID    uint16 // 10 bits
	AMFPointer  uint8  // 6 bits
	TMSI        uint32
}

// GUTIIdentityLen is the length of 5GS mobile identity contents holding a 5G-GUTI.
const GUTIIdentityLen = 11

// MobileIdentity returns the 11-octet 5GS mobile identity contents.
func (g GUTI) MobileIdentity() []byte {
	b := make([]byte, GUTIIdentityLen)
	b[0] = 0xf0 | IdentityGUTI
	copy(b[1:4], g.PLMN[:])
	b[4] = g.AMFRegionID
	b[5] = byte(g.AMFSetID >> 2)
	b[6] = byte(g.AMFSetID&3)<<6 | g.AMFPointer&0x3f
	binary.BigEndian.PutUint32(b[7:], g.TMSI)
	return b
}

// STMSI returns the 5G-S-TMSI part of the GUTI.
func (g GUTI) STMSI() STMSI {
	return STMSI{AMFSetID: g.AMFSetID, AMFPointer: g.AMFPointer, TMSI: g.TMSI}
}

func (g GUTI) String() string {
	return fmt.Sprintf("5g-guti-%s-%02x%03x%02x-%08x", g.PLMN, g.AMFRegionID, g.AMFSetID&0x3ff, g.AMFPointer&0x3f, g.TMSI)
}

// ParseGUTI reads 5GS mobile identity contents of type 5G-GUTI.
func ParseGUTI(mi []byte) (GUTI, error) {
	if len(mi) != GUTIIdentityLen || IdentityType(mi) != IdentityGUTI {
		return GUTI{}, invalid("5G-GUTI identity: want %d octets of type %d, got %d octets of type %d",
			GUTIIdentityLen, IdentityGUTI, len(mi), IdentityType(mi))
	}
	return GUTI{
		PLMN:        PLMN{mi[1], mi[2], mi[3]},
		AMFRegionID: mi[4],
		AMFSetID:    uint16(mi[5])<<2 | uint16(mi[6]>>6),
		AMFPointer:  mi[6] & 0x3f,
		TMSI:        binary.BigEndian.Uint32(mi[7:]),
	}, nil
}

// STMSI is a 5G-S-TMSI (TS 23.003 §2.11).
type STMSI struct {
	AMFSetID   uint16 // 10 bits
	AMFPointer uint8  // 6 bits
	TMSI       uint32
}

// STMSIIdentityLen is the length of 5GS mobile identity contents holding a 5G-S-TMSI.
const STMSIIdentityLen = 7

// MobileIdentity returns the 7-octet 5GS mobile identity contents.
func (s STMSI) MobileIdentity() []byte {
	b := make([]byte, STMSIIdentityLen)
	b[0] = 0xf0 | IdentitySTMSI
	b[1] = byte(s.AMFSetID >> 2)
	b[2] = byte(s.AMFSetID&3)<<6 | s.AMFPointer&0x3f
	binary.BigEndian.PutUint32(b[3:], s.TMSI)
	return b
}

// ParseSTMSI reads 5GS mobile identity contents of type 5G-S-TMSI.
func ParseSTMSI(mi []byte) (STMSI, error) {
	if len(mi) != STMSIIdentityLen || IdentityType(mi) != IdentitySTMSI {
		return STMSI{}, invalid("5G-S-TMSI identity: want %d octets of type %d, got %d octets of type %d",
			STMSIIdentityLen, IdentitySTMSI, len(mi), IdentityType(mi))
	}
	return STMSI{
		AMFSetID:   uint16(mi[1])<<2 | uint16(mi[2]>>6),
		AMFPointer: mi[2] & 0x3f,
		TMSI:       binary.BigEndian.Uint32(mi[3:]),
	}, nil
}

// GPRSTimerDeactivated is the timer octet meaning "timer deactivated"
// (unit 111) for both GPRSTimer2 and GPRSTimer3.
const GPRSTimerDeactivated = 0xe0

type timerUnit struct {
	code uint8
	d    time.Duration
}

// GPRSTimer2 is a GPRS timer 2 octet (TS 24.008 §10.5.7.4): bits 8-6 unit
// (2 s, 1 min, 6 min; 111 deactivated), bits 5-1 value. Used for T3346 and
// T3502.
type GPRSTimer2 uint8

func timer2Units() []timerUnit {
	return []timerUnit{{0, 2 * time.Second}, {1, time.Minute}, {2, 6 * time.Minute}}
}

// NewGPRSTimer2 encodes d exactly when possible, otherwise rounded up to the
// finest unit that holds it (saturating at 31 x 6 min).
func NewGPRSTimer2(d time.Duration) GPRSTimer2 { return GPRSTimer2(encodeTimer(d, timer2Units())) }

// Duration returns the timer value; ok is false when deactivated.
func (t GPRSTimer2) Duration() (d time.Duration, ok bool) {
	v := time.Duration(t & 0x1f)
	switch t >> 5 {
	case 0:
		return v * 2 * time.Second, true
	case 2:
		return v * 6 * time.Minute, true
	case 7:
		return 0, false
	}
	return v * time.Minute, true // 001, and other values as 1 minute
}

// GPRSTimer3 is a GPRS timer 3 octet (TS 24.008 §10.5.7.4a): bits 8-6 unit
// (10 min, 1 h, 10 h, 2 s, 30 s, 1 min, 320 h; 111 deactivated), bits 5-1
// value. Used for T3512.
type GPRSTimer3 uint8

func timer3Units() []timerUnit {
	return []timerUnit{{3, 2 * time.Second}, {4, 30 * time.Second}, {5, time.Minute},
		{0, 10 * time.Minute}, {1, time.Hour}, {2, 10 * time.Hour}, {6, 320 * time.Hour}}
}

// NewGPRSTimer3 encodes d exactly when possible, otherwise rounded up to the
// finest unit that holds it (saturating at 31 x 320 h).
func NewGPRSTimer3(d time.Duration) GPRSTimer3 { return GPRSTimer3(encodeTimer(d, timer3Units())) }

// Duration returns the timer value; ok is false when deactivated.
func (t GPRSTimer3) Duration() (d time.Duration, ok bool) {
	v := time.Duration(t & 0x1f)
	if t>>5 == 7 {
		return 0, false
	}
	for _, u := range timer3Units() {
		if u.code == uint8(t>>5) {
			return v * u.d, true
		}
	}
	return 0, false
}

func encodeTimer(d time.Duration, units []timerUnit) uint8 {
	if d <= 0 {
		return units[0].code << 5
	}
	for _, u := range units {
		if d%u.d == 0 && d/u.d <= 31 {
			return u.code<<5 | uint8(d/u.d)
		}
	}
	for _, u := range units {
		if n := (d + u.d - 1) / u.d; n <= 31 {
			return u.code<<5 | uint8(n)
		}
	}
	return units[len(units)-1].code<<5 | 31
}

// Session-AMBR units (TS 24.501 Table 9.11.4.14.1), a selection.
const (
	AMBRUnit1Kbps uint8 = 0x01
	AMBRUnit1Mbps uint8 = 0x06
	AMBRUnit1Gbps uint8 = 0x0b
)

// SessionAMBR is a session-AMBR value (§9.11.4.14): unit and 16-bit value
// per direction.
type SessionAMBR struct {
	DLUnit uint8
	DL     uint16
	ULUnit uint8
	UL     uint16
}

func (a SessionAMBR) octets() [6]byte {
	return [6]byte{a.DLUnit, byte(a.DL >> 8), byte(a.DL), a.ULUnit, byte(a.UL >> 8), byte(a.UL)}
}

func sessionAMBRFrom(o [6]byte) SessionAMBR {
	return SessionAMBR{DLUnit: o[0], DL: uint16(o[1])<<8 | uint16(o[2]), ULUnit: o[3], UL: uint16(o[4])<<8 | uint16(o[5])}
}

// encodeDNN turns "internet" or "iot.example" into DNN IE contents: APN
// labels, each prefixed by its length (§9.11.2.1B, TS 23.003 §9.1).
func encodeDNN(dnn string) ([]byte, error) {
	if dnn == "" {
		return nil, invalid("empty DNN")
	}
	out := make([]byte, 0, len(dnn)+1)
	for _, label := range strings.Split(dnn, ".") {
		if len(label) == 0 || len(label) > 63 {
			return nil, invalid("DNN %q: label length %d", dnn, len(label))
		}
		out = append(out, byte(len(label)))
		out = append(out, label...)
	}
	if len(out) > 100 {
		return nil, invalid("DNN %q: %d octets encoded, at most 100", dnn, len(out))
	}
	return out, nil
}

func decodeDNN(b []byte) (string, error) {
	if len(b) == 0 {
		return "", errors.New("DNN: empty")
	}
	var sb strings.Builder
	for len(b) > 0 {
		n := int(b[0])
		if n == 0 || 1+n > len(b) {
			return "", fmt.Errorf("DNN: label length %d", n)
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.Write(b[1 : 1+n])
		b = b[1+n:]
	}
	return sb.String(), nil
}

// QoS rule operation codes (§9.11.4.13).
const (
	QoSRuleOpCreate              uint8 = 1
	QoSRuleOpDelete              uint8 = 2
	QoSRuleOpModifyAddFilters    uint8 = 3
	QoSRuleOpModifyReplaceFilter uint8 = 4
	QoSRuleOpModifyDeleteFilters uint8 = 5
	QoSRuleOpModifyNoFilters     uint8 = 6
)

// QoSRule is one rule of a QoS rules IE (§9.11.4.13). PacketFilters holds
// the packet filter list as sent; HasPrecedence is false for rules that
// carry no precedence and QFI (delete).
type QoSRule struct {
	ID               uint8
	Operation        uint8
	DQR              bool // default QoS rule
	NumPacketFilters uint8
	PacketFilters    []byte
	HasPrecedence    bool
	Precedence       uint8
	Segregation      bool
	QFI              uint8
}

// DefaultQoSRules returns the contents of a QoS rules IE with one default
// rule (id 1, create, DQR) holding one bidirectional match-all packet filter,
// precedence 255, for the given QFI: 01 0006 31 31 01 01 ff <qfi>.
func DefaultQoSRules(qfi uint8) []byte {
	return []byte{
		0x01,       // QoS rule identifier
		0x00, 0x06, // length of QoS rule
		0x31,             // operation code 001 (create), DQR 1, 1 packet filter
		0x31, 0x01, 0x01, // filter: bidirectional, id 1; length 1; match-all
		0xff,       // precedence
		qfi & 0x3f, // segregation 0, QFI
	}
}

// ParseQoSRules reads QoS rules IE contents.
func ParseQoSRules(b []byte) ([]QoSRule, error) {
	var out []QoSRule
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, errors.New("QoS rules: short rule header")
		}
		n := int(binary.BigEndian.Uint16(b[1:3]))
		if n < 1 || 3+n > len(b) {
			return nil, fmt.Errorf("QoS rules: rule length %d", n)
		}
		r := QoSRule{ID: b[0], Operation: b[3] >> 5, DQR: b[3]&0x10 != 0, NumPacketFilters: b[3] & 0x0f}
		body := b[4 : 3+n]
		off := 0
		for k := 0; k < int(r.NumPacketFilters); k++ {
			switch r.Operation {
			case QoSRuleOpModifyDeleteFilters:
				off++ // identifiers only
			default:
				if off+2 > len(body) {
					return nil, errors.New("QoS rules: short packet filter")
				}
				off += 2 + int(body[off+1])
			}
			if off > len(body) {
				return nil, errors.New("QoS rules: packet filter beyond rule")
			}
		}
		r.PacketFilters = append([]byte(nil), body[:off]...)
		if rest := body[off:]; len(rest) >= 2 {
			r.HasPrecedence, r.Precedence = true, rest[0]
			r.Segregation, r.QFI = rest[1]&0x40 != 0, rest[1]&0x3f
		}
		out = append(out, r)
		b = b[3+n:]
	}
	return out, nil
}

// PDU session types (§9.11.4.11).
const (
	PDUSessionIPv4         uint8 = 1
	PDUSessionIPv6         uint8 = 2
	PDUSessionIPv4v6       uint8 = 3
	PDUSessionUnstructured uint8 = 4
	PDUSessionEthernet     uint8 = 5
)

// SSC modes (§9.11.4.16).
const (
	SSCMode1 uint8 = 1
	SSCMode2 uint8 = 2
	SSCMode3 uint8 = 3
)
