package eapaka

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// EAP codes (RFC 3748 §4).
const (
	CodeRequest  uint8 = 1
	CodeResponse uint8 = 2
	CodeSuccess  uint8 = 3
	CodeFailure  uint8 = 4
)

// TypeAKAPrime is the EAP method type of EAP-AKA' (RFC 9048 §6, IANA).
const TypeAKAPrime uint8 = 50

// EAP-AKA' subtypes (RFC 4187 §11, reused by RFC 9048).
const (
	SubtypeChallenge        uint8 = 1
	SubtypeAuthReject       uint8 = 2
	SubtypeSyncFailure      uint8 = 4
	SubtypeIdentity         uint8 = 5
	SubtypeNotification     uint8 = 12
	SubtypeReauthentication uint8 = 13
	SubtypeClientError      uint8 = 14
)

// Attribute types (RFC 4187 §11, RFC 9048 §6). Types 0-127 are
// non-skippable, 128-255 skippable.
const (
	ATRand            uint8 = 1
	ATAutn            uint8 = 2
	ATRes             uint8 = 3
	ATAuts            uint8 = 4
	ATPadding         uint8 = 6
	ATPermanentIDReq  uint8 = 10
	ATMac             uint8 = 11
	ATNotification    uint8 = 12
	ATAnyIDReq        uint8 = 13
	ATIdentity        uint8 = 14
	ATFullauthIDReq   uint8 = 17
	ATClientErrorCode uint8 = 22
	ATKDFInput        uint8 = 23
	ATKDF             uint8 = 24
	ATIV              uint8 = 129
	ATEncrData        uint8 = 130
	ATCheckcode       uint8 = 134
	ATResultInd       uint8 = 135
	ATBidding         uint8 = 136
)

// KDFAKAPrime is the AT_KDF value of the RFC 9048 key derivation (the only one defined).
const KDFAKAPrime uint16 = 1

// Lengths.
const (
	HeaderLen   = 4  // code, identifier, length
	MethodLen   = 8  // header + type, subtype, 2 reserved
	MACLen      = 16 // AT_MAC value (HMAC-SHA-256-128)
	RANDLen     = 16
	AUTNLen     = 16
	AUTSLen     = 14
	MaxRESBytes = 16
	// MaxPacket bounds what Decode accepts (the EAP length field is 16 bits).
	MaxPacket = 0xFFFF
)

// Errors. Every decoding failure wraps ErrMalformed.
var (
	ErrMalformed   = errors.New("eapaka: malformed EAP packet")
	ErrNotAKAPrime = errors.New("eapaka: not an EAP-AKA' packet")
	ErrNoMAC       = errors.New("eapaka: AT_MAC missing")
	ErrBadMAC      = errors.New("eapaka: AT_MAC does not verify")
	ErrInvalid     = errors.New("eapaka: invalid argument")
)

// Attribute is one EAP-AKA' attribute: its type and the value octets that
// follow the type and length octets (reserved fields included), so that an
// unknown attribute survives a decode/encode round trip.
type Attribute struct {
	Type  uint8
	Value []byte
}

// Packet is an EAP packet. For Request and Response packets of type 50
// Subtype and Attributes are set; for other methods Data holds the type-data.
// Success and Failure packets carry neither.
type Packet struct {
	Code       uint8
	Identifier uint8
	Type       uint8 // Request/Response only
	Subtype    uint8 // EAP-AKA' only
	Reserved   uint16
	Attributes []Attribute
	Data       []byte // type-data of a method other than EAP-AKA'
}

// Decode parses an EAP packet (RFC 3748 §4). Octets beyond the Length field
// are ignored as link padding; a Length beyond the input is an error. It
// never panics and never returns a nil packet without an error.
func Decode(b []byte) (*Packet, error) {
	if len(b) < HeaderLen {
		return nil, fmt.Errorf("%w: %d octets, need at least 4", ErrMalformed, len(b))
	}
	n := int(binary.BigEndian.Uint16(b[2:4]))
	if n < HeaderLen || n > len(b) {
		return nil, fmt.Errorf("%w: length field %d, %d octets present", ErrMalformed, n, len(b))
	}
	b = b[:n]
	p := &Packet{Code: b[0], Identifier: b[1]}
	switch p.Code {
	case CodeSuccess, CodeFailure:
		if n != HeaderLen {
			return nil, fmt.Errorf("%w: Success/Failure of length %d", ErrMalformed, n)
		}
		return p, nil
	case CodeRequest, CodeResponse:
	default:
		return nil, fmt.Errorf("%w: unknown code %d", ErrMalformed, p.Code)
	}
	if n < HeaderLen+1 {
		return nil, fmt.Errorf("%w: Request/Response without a type", ErrMalformed)
	}
	p.Type = b[4]
	if p.Type != TypeAKAPrime {
		p.Data = append([]byte(nil), b[5:]...)
		return p, nil
	}
	if n < MethodLen {
		return nil, fmt.Errorf("%w: EAP-AKA' header truncated", ErrMalformed)
	}
	p.Subtype = b[5]
	p.Reserved = binary.BigEndian.Uint16(b[6:8])
	for off := MethodLen; off < n; {
		if n-off < 2 {
			return nil, fmt.Errorf("%w: attribute header truncated at %d", ErrMalformed, off)
		}
		l := int(b[off+1]) * 4
		if l == 0 || off+l > n {
			return nil, fmt.Errorf("%w: attribute %d of length %d at %d", ErrMalformed, b[off], l, off)
		}
		p.Attributes = append(p.Attributes, Attribute{Type: b[off], Value: append([]byte(nil), b[off+2:off+l]...)})
		off += l
	}
	return p, nil
}

// Marshal encodes p. Attribute values must make each attribute a multiple
// of 4 octets and at most 1020 octets long.
func (p *Packet) Marshal() ([]byte, error) {
	switch p.Code {
	case CodeSuccess, CodeFailure:
		return []byte{p.Code, p.Identifier, 0, HeaderLen}, nil
	case CodeRequest, CodeResponse:
	default:
		return nil, fmt.Errorf("%w: code %d", ErrInvalid, p.Code)
	}
	if p.Type != TypeAKAPrime {
		n := HeaderLen + 1 + len(p.Data)
		if n > MaxPacket {
			return nil, fmt.Errorf("%w: packet too long", ErrInvalid)
		}
		out := make([]byte, 0, n)
		out = append(out, p.Code, p.Identifier, byte(n>>8), byte(n), p.Type)
		return append(out, p.Data...), nil
	}
	n := MethodLen
	for _, a := range p.Attributes {
		l := 2 + len(a.Value)
		if l%4 != 0 || l > 255*4 {
			return nil, fmt.Errorf("%w: attribute %d has length %d", ErrInvalid, a.Type, l)
		}
		n += l
	}
	if n > MaxPacket {
		return nil, fmt.Errorf("%w: packet too long", ErrInvalid)
	}
	out := make([]byte, 0, n)
	out = append(out, p.Code, p.Identifier, byte(n>>8), byte(n), p.Type, p.Subtype, byte(p.Reserved>>8), byte(p.Reserved))
	for _, a := range p.Attributes {
		out = append(out, a.Type, byte((2+len(a.Value))/4))
		out = append(out, a.Value...)
	}
	return out, nil
}

// Attr returns the value of the first attribute of type t.
func (p *Packet) Attr(t uint8) ([]byte, bool) {
	for _, a := range p.Attributes {
		if a.Type == t {
			return a.Value, true
		}
	}
	return nil, false
}

// fixed16 reads a value of "2 reserved octets + 16 octets" (AT_RAND,
// AT_AUTN, AT_MAC).
func (p *Packet) fixed16(t uint8) ([16]byte, error) {
	var out [16]byte
	v, ok := p.Attr(t)
	if !ok {
		return out, fmt.Errorf("%w: attribute %d missing", ErrMalformed, t)
	}
	if len(v) != 18 {
		return out, fmt.Errorf("%w: attribute %d has %d value octets, want 18", ErrMalformed, t, len(v))
	}
	copy(out[:], v[2:])
	return out, nil
}

// RAND returns AT_RAND.
func (p *Packet) RAND() ([RANDLen]byte, error) { return p.fixed16(ATRand) }

// AUTN returns AT_AUTN.
func (p *Packet) AUTN() ([AUTNLen]byte, error) { return p.fixed16(ATAutn) }

// MAC returns AT_MAC.
func (p *Packet) MAC() ([MACLen]byte, error) { return p.fixed16(ATMac) }

// RES returns AT_RES: the RES Length field counts bits (RFC 4187 §10.8);
// RES is 4 to 16 octets.
func (p *Packet) RES() ([]byte, error) {
	v, ok := p.Attr(ATRes)
	if !ok {
		return nil, fmt.Errorf("%w: AT_RES missing", ErrMalformed)
	}
	if len(v) < 2 {
		return nil, fmt.Errorf("%w: AT_RES truncated", ErrMalformed)
	}
	bits := int(binary.BigEndian.Uint16(v[:2]))
	if bits%8 != 0 || bits < 32 || bits > MaxRESBytes*8 || bits/8 > len(v)-2 {
		return nil, fmt.Errorf("%w: AT_RES length %d bits", ErrMalformed, bits)
	}
	return append([]byte(nil), v[2:2+bits/8]...), nil
}

// AUTS returns AT_AUTS (14 octets, no reserved field).
func (p *Packet) AUTS() ([AUTSLen]byte, error) {
	var out [AUTSLen]byte
	v, ok := p.Attr(ATAuts)
	if !ok {
		return out, fmt.Errorf("%w: AT_AUTS missing", ErrMalformed)
	}
	if len(v) != AUTSLen {
		return out, fmt.Errorf("%w: AT_AUTS has %d octets", ErrMalformed, len(v))
	}
	copy(out[:], v)
	return out, nil
}

// KDFs returns every AT_KDF value in order (RFC 9048 §3.2: the server may
// offer several, the peer answers with the one it picked).
func (p *Packet) KDFs() []uint16 {
	var out []uint16
	for _, a := range p.Attributes {
		if a.Type == ATKDF && len(a.Value) == 2 {
			out = append(out, binary.BigEndian.Uint16(a.Value))
		}
	}
	return out
}

// KDFInput returns the network name carried in AT_KDF_INPUT.
func (p *Packet) KDFInput() (string, error) {
	v, ok := p.Attr(ATKDFInput)
	if !ok {
		return "", fmt.Errorf("%w: AT_KDF_INPUT missing", ErrMalformed)
	}
	if len(v) < 2 {
		return "", fmt.Errorf("%w: AT_KDF_INPUT truncated", ErrMalformed)
	}
	l := int(binary.BigEndian.Uint16(v[:2]))
	if l == 0 || l > len(v)-2 {
		return "", fmt.Errorf("%w: AT_KDF_INPUT name length %d", ErrMalformed, l)
	}
	return string(v[2 : 2+l]), nil
}

// ClientErrorCode returns AT_CLIENT_ERROR_CODE.
func (p *Packet) ClientErrorCode() (uint16, bool) {
	v, ok := p.Attr(ATClientErrorCode)
	if !ok || len(v) != 2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(v), true
}

// String describes p without attribute values.
func (p *Packet) String() string {
	if p == nil {
		return "EAP<nil>"
	}
	types := make([]uint8, len(p.Attributes))
	for i, a := range p.Attributes {
		types[i] = a.Type
	}
	return fmt.Sprintf("EAP{code:%d id:%d type:%d subtype:%d attrs:%v}", p.Code, p.Identifier, p.Type, p.Subtype, types)
}

// Attribute constructors.

func reserved16(t uint8, v []byte) Attribute {
	out := make([]byte, 2, 18)
	return Attribute{Type: t, Value: append(out, v...)}
}

// AttrRAND builds AT_RAND.
func AttrRAND(rand [RANDLen]byte) Attribute { return reserved16(ATRand, rand[:]) }

// AttrAUTN builds AT_AUTN.
func AttrAUTN(autn [AUTNLen]byte) Attribute { return reserved16(ATAutn, autn[:]) }

// AttrMACZero builds an AT_MAC with a zero MAC, to be filled by SetMAC.
func AttrMACZero() Attribute { return reserved16(ATMac, make([]byte, MACLen)) }

// AttrRES builds AT_RES (RES of 4 to 16 octets, padded to 4 octets).
func AttrRES(res []byte) (Attribute, error) {
	if len(res) < 4 || len(res) > MaxRESBytes {
		return Attribute{}, fmt.Errorf("%w: RES of %d octets", ErrInvalid, len(res))
	}
	v := make([]byte, 2, 2+len(res)+3)
	binary.BigEndian.PutUint16(v, uint16(len(res)*8))
	v = append(v, res...)
	for (2+len(v))%4 != 0 {
		v = append(v, 0)
	}
	return Attribute{Type: ATRes, Value: v}, nil
}

// AttrAUTS builds AT_AUTS.
func AttrAUTS(auts [AUTSLen]byte) Attribute {
	return Attribute{Type: ATAuts, Value: append([]byte(nil), auts[:]...)}
}

// AttrKDF builds AT_KDF.
func AttrKDF(kdf uint16) Attribute {
	return Attribute{Type: ATKDF, Value: []byte{byte(kdf >> 8), byte(kdf)}}
}

// AttrKDFInput builds AT_KDF_INPUT carrying the network name (the serving
// network name in 5G, TS 33.501 §6.1.3.1).
func AttrKDFInput(name string) (Attribute, error) {
	if name == "" || len(name) > 1000 {
		return Attribute{}, fmt.Errorf("%w: network name of %d octets", ErrInvalid, len(name))
	}
	v := make([]byte, 2, 2+len(name)+3)
	binary.BigEndian.PutUint16(v, uint16(len(name)))
	v = append(v, name...)
	for (2+len(v))%4 != 0 {
		v = append(v, 0)
	}
	return Attribute{Type: ATKDFInput, Value: v}, nil
}

// AttrClientErrorCode builds AT_CLIENT_ERROR_CODE.
func AttrClientErrorCode(code uint16) Attribute {
	return Attribute{Type: ATClientErrorCode, Value: []byte{byte(code >> 8), byte(code)}}
}
