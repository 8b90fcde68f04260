package dlink

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// Wire layout of a frame (all integers big endian):
//
//	offset  size  field
//	0       1     version (1)
//	1       1     frame type
//	2       4     transaction id (chosen by the initiator, echoed by the responder)
//	6       2     body length
//	8       n     body: attributes, each id (2) | length (2) | value
//
// Attributes appear in the fixed order each frame type documents; a wrapped
// data attribute is always last and its AEAD associated data is the header
// without the length (bytes 0..5) followed by every attribute before it (as
// DPP uses the cleartext attributes as AES-SIV AAD).
const (
	Version      = 1
	HeaderSize   = 8
	AttrHdrSize  = 4
	MaxBodySize  = 0xFFFF
	MaxFrameSize = HeaderSize + MaxBodySize

	NonceSize    = 16 // I-nonce, R-nonce, E-nonce (DPP, P-256)
	HashSize     = 32 // bootstrap key hashes
	ProtoKeySize = 65 // uncompressed P-256 protocol key
	AuthTagSize  = 32 // R-auth, I-auth
	ProofSize    = 32 // session and credential proofs
	AEADOverhead = 16 // GCM tag
	MaxReasonLen = 128
)

// FrameType identifies a frame.
type FrameType uint8

// Frame types.
const (
	TypeAuthRequest        FrameType = 0x01
	TypeAuthResponse       FrameType = 0x02
	TypeAuthConfirm        FrameType = 0x03
	TypeConfigRequest      FrameType = 0x04
	TypeCredentialDelivery FrameType = 0x05
	TypeProofOfPossession  FrameType = 0x06
	TypeStatus             FrameType = 0x07
	TypePlainCredential    FrameType = 0x20 // baseline profile only
)

var frameNames = map[FrameType]string{
	TypeAuthRequest: "AuthRequest", TypeAuthResponse: "AuthResponse", TypeAuthConfirm: "AuthConfirm",
	TypeConfigRequest: "ConfigRequest", TypeCredentialDelivery: "CredentialDelivery",
	TypeProofOfPossession: "ProofOfPossession", TypeStatus: "Status", TypePlainCredential: "PlainCredential",
}

// String names the frame type ("AuthRequest"...).
func (t FrameType) String() string {
	if n, ok := frameNames[t]; ok {
		return n
	}
	return "Frame-0x" + strconv.FormatUint(uint64(t), 16)
}

// AttrID identifies an attribute. Ids 0x1000-0x1022 are DPP's; 0x1100 and up
// are credbed's.
type AttrID uint16

// Attribute ids.
const (
	AttrStatus          AttrID = 0x1000
	AttrIBootstrapHash  AttrID = 0x1001
	AttrRBootstrapHash  AttrID = 0x1002
	AttrIProtocolKey    AttrID = 0x1003
	AttrWrappedData     AttrID = 0x1004
	AttrINonce          AttrID = 0x1005
	AttrICapabilities   AttrID = 0x1006
	AttrRNonce          AttrID = 0x1007
	AttrRCapabilities   AttrID = 0x1008
	AttrRProtocolKey    AttrID = 0x1009
	AttrIAuth           AttrID = 0x100A
	AttrRAuth           AttrID = 0x100B
	AttrENonce          AttrID = 0x1014
	AttrSealed          AttrID = 0x1100 // credential sealed to the TD (credential.Seal)
	AttrBinding         AttrID = 0x1101 // credential.Binding encoding
	AttrSessionProof    AttrID = 0x1102
	AttrCredentialProof AttrID = 0x1103
	AttrPackage         AttrID = 0x1104 // plaintext credential.Package (baseline)
	AttrDeviceID        AttrID = 0x1105
	AttrReason          AttrID = 0x1106
)

// Errors. Every decoding error wraps ErrMalformed and one specific sentinel.
var (
	ErrMalformed      = errors.New("dlink: malformed frame")
	ErrTruncated      = errors.New("dlink: truncated")
	ErrVersion        = errors.New("dlink: unsupported version")
	ErrType           = errors.New("dlink: unknown frame type")
	ErrLength         = errors.New("dlink: header length does not match the body")
	ErrMissingAttr    = errors.New("dlink: required attribute missing")
	ErrUnexpectedAttr = errors.New("dlink: unexpected or out-of-order attribute")
	ErrAttrValue      = errors.New("dlink: bad attribute value")
	ErrTooLarge       = errors.New("dlink: frame too large")
)

// DecodeError locates a decoding failure; errors.Is matches ErrMalformed and
// the sentinel in Err.
type DecodeError struct {
	Type FrameType // 0 if the header did not parse
	Attr AttrID    // 0 when not about one attribute
	Err  error
}

func (e *DecodeError) Error() string {
	s := "dlink: decode"
	if e.Type != 0 {
		s += " " + e.Type.String()
	}
	if e.Attr != 0 {
		s += fmt.Sprintf(" attribute 0x%04x", uint16(e.Attr))
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns ErrMalformed and the specific error.
func (e *DecodeError) Unwrap() []error { return []error{ErrMalformed, e.Err} }

// Header is the fixed frame header.
type Header struct {
	Version uint8
	Type    FrameType
	TxID    uint32
	Length  uint16
}

// ParseHeader reads the header only (cheap: no attribute parsing).
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, &DecodeError{Err: fmt.Errorf("%w: %d bytes, header needs %d", ErrTruncated, len(b), HeaderSize)}
	}
	return Header{Version: b[0], Type: FrameType(b[1]), TxID: binary.BigEndian.Uint32(b[2:6]),
		Length: binary.BigEndian.Uint16(b[6:8])}, nil
}

// Attr is one raw attribute.
type Attr struct {
	ID    AttrID
	Value []byte
}

// Frame is one typed frame. Implementations are the frame structs of this
// package (one file each); Raw carries anything else.
type Frame interface {
	// FrameType returns the type written in the header.
	FrameType() FrameType
	// Transaction returns the transaction id.
	Transaction() uint32
	// Attrs returns the attributes in wire order.
	Attrs() []Attr
}

// EncodeOptions make the encoder lie on purpose (for the attack library, in
// the manner of gopacket's SerializeOptions). The zero value encodes honestly.
type EncodeOptions struct {
	Version  *uint8     // header version instead of Version
	Type     *FrameType // header type instead of the frame's
	TxID     *uint32    // header transaction id instead of the frame's
	Length   *uint16    // header length instead of the body length
	Omit     []AttrID   // attributes to leave out
	Extra    []Attr     // attributes appended after the frame's own
	Trailing []byte     // raw bytes after the body (not counted in the length unless Length says so)
}

// Marshal encodes f honestly.
func Marshal(f Frame) ([]byte, error) { return MarshalWith(f, EncodeOptions{}) }

// MarshalWith encodes f with the lies o asks for. It fails only when an
// attribute or the body exceeds 65535 bytes.
func MarshalWith(f Frame, o EncodeOptions) ([]byte, error) {
	attrs := f.Attrs()
	b := make([]byte, HeaderSize, HeaderSize+64)
	b[0] = Version
	if o.Version != nil {
		b[0] = *o.Version
	}
	b[1] = byte(f.FrameType())
	if o.Type != nil {
		b[1] = byte(*o.Type)
	}
	tx := f.Transaction()
	if o.TxID != nil {
		tx = *o.TxID
	}
	binary.BigEndian.PutUint32(b[2:6], tx)
	var err error
	for _, a := range attrs {
		if omitted(o.Omit, a.ID) {
			continue
		}
		if b, err = appendAttr(b, a); err != nil {
			return nil, err
		}
	}
	for _, a := range o.Extra {
		if b, err = appendAttr(b, a); err != nil {
			return nil, err
		}
	}
	body := len(b) - HeaderSize
	if body > MaxBodySize {
		return nil, fmt.Errorf("%w: body of %d bytes", ErrTooLarge, body)
	}
	binary.BigEndian.PutUint16(b[6:8], uint16(body))
	if o.Length != nil {
		binary.BigEndian.PutUint16(b[6:8], *o.Length)
	}
	return append(b, o.Trailing...), nil
}

func omitted(list []AttrID, id AttrID) bool {
	for _, x := range list {
		if x == id {
			return true
		}
	}
	return false
}

func appendAttr(b []byte, a Attr) ([]byte, error) {
	if len(a.Value) > MaxBodySize {
		return nil, fmt.Errorf("%w: attribute 0x%04x of %d bytes", ErrTooLarge, uint16(a.ID), len(a.Value))
	}
	b = binary.BigEndian.AppendUint16(b, uint16(a.ID))
	b = binary.BigEndian.AppendUint16(b, uint16(len(a.Value)))
	return append(b, a.Value...), nil
}

// encodeAttrs appends attributes without limits checks (internal frames are
// far below them).
func encodeAttrs(b []byte, attrs []Attr) []byte {
	for _, a := range attrs {
		b = binary.BigEndian.AppendUint16(b, uint16(a.ID))
		b = binary.BigEndian.AppendUint16(b, uint16(len(a.Value)))
		b = append(b, a.Value...)
	}
	return b
}

// Raw is a frame as a header plus an attribute list, with no per-type
// checks. ParseRaw produces it from any well-framed bytes (dissectors,
// attack tools); Marshal encodes it like any frame.
type Raw struct {
	Header Header
	List   []Attr
}

// FrameType returns the header type.
func (r Raw) FrameType() FrameType { return r.Header.Type }

// Transaction returns the header transaction id.
func (r Raw) Transaction() uint32 { return r.Header.TxID }

// Attrs returns the attribute list.
func (r Raw) Attrs() []Attr { return r.List }

// ParseRaw checks the header length and splits the body into attributes;
// it accepts any version and type.
func ParseRaw(b []byte) (Raw, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return Raw{}, err
	}
	if int(h.Length) != len(b)-HeaderSize {
		return Raw{}, &DecodeError{Type: h.Type, Err: fmt.Errorf("%w: header says %d, body is %d", ErrLength, h.Length, len(b)-HeaderSize)}
	}
	list, err := splitAttrs(b[HeaderSize:])
	if err != nil {
		return Raw{}, &DecodeError{Type: h.Type, Err: err}
	}
	return Raw{Header: h, List: list}, nil
}

func splitAttrs(b []byte) ([]Attr, error) {
	var out []Attr
	for len(b) > 0 {
		if len(b) < AttrHdrSize {
			return nil, fmt.Errorf("%w: %d bytes left for an attribute header", ErrTruncated, len(b))
		}
		id := AttrID(binary.BigEndian.Uint16(b[0:2]))
		n := int(binary.BigEndian.Uint16(b[2:4]))
		if len(b)-AttrHdrSize < n {
			return nil, fmt.Errorf("%w: attribute 0x%04x of %d bytes, %d left", ErrTruncated, uint16(id), n, len(b)-AttrHdrSize)
		}
		out = append(out, Attr{ID: id, Value: b[AttrHdrSize : AttrHdrSize+n]})
		b = b[AttrHdrSize+n:]
	}
	return out, nil
}

// Decode strictly decodes one frame: version 1, a known type, the exact
// length, and that type's attributes in order, with their sizes checked.
// Values in the returned frame are copies.
func Decode(b []byte) (Frame, error) {
	if len(b) > MaxFrameSize {
		return nil, &DecodeError{Err: fmt.Errorf("%w: %d bytes", ErrTooLarge, len(b))}
	}
	h, err := ParseHeader(b)
	if err != nil {
		return nil, err
	}
	if h.Version != Version {
		return nil, &DecodeError{Type: h.Type, Err: fmt.Errorf("%w: %d", ErrVersion, h.Version)}
	}
	dec, ok := decoders[h.Type]
	if !ok {
		return nil, &DecodeError{Type: h.Type, Err: fmt.Errorf("%w: 0x%02x", ErrType, uint8(h.Type))}
	}
	if int(h.Length) != len(b)-HeaderSize {
		return nil, &DecodeError{Type: h.Type, Err: fmt.Errorf("%w: header says %d, body is %d", ErrLength, h.Length, len(b)-HeaderSize)}
	}
	list, err := splitAttrs(b[HeaderSize:])
	if err != nil {
		return nil, &DecodeError{Type: h.Type, Err: err}
	}
	f, err := dec(h, list)
	if err != nil {
		var de *DecodeError
		if errors.As(err, &de) {
			de.Type = h.Type
			return nil, de
		}
		return nil, &DecodeError{Type: h.Type, Err: err}
	}
	return f, nil
}

var decoders = map[FrameType]func(Header, []Attr) (Frame, error){
	TypeAuthRequest:        decodeAuthRequest,
	TypeAuthResponse:       decodeAuthResponse,
	TypeAuthConfirm:        decodeAuthConfirm,
	TypeConfigRequest:      decodeConfigRequest,
	TypeCredentialDelivery: decodeCredentialDelivery,
	TypeProofOfPossession:  decodeProofOfPossession,
	TypeStatus:             decodeStatusFrame,
	TypePlainCredential:    decodePlainCredential,
}

// spec describes one attribute a frame (or a wrapped attribute set) expects.
type spec struct {
	id       AttrID
	optional bool
	min, max int // value size bounds
}

// match walks list against specs in order and returns the values by spec
// index (nil when an optional attribute is absent). Values are copied.
func match(list []Attr, specs []spec) ([][]byte, error) {
	out := make([][]byte, len(specs))
	i := 0
	for si, s := range specs {
		if i < len(list) && list[i].ID == s.id {
			v := list[i].Value
			if len(v) < s.min || len(v) > s.max {
				return nil, &DecodeError{Attr: s.id, Err: fmt.Errorf("%w: %d bytes, want %d to %d", ErrAttrValue, len(v), s.min, s.max)}
			}
			out[si] = append(make([]byte, 0, len(v)), v...)
			i++
			continue
		}
		if !s.optional {
			return nil, &DecodeError{Attr: s.id, Err: ErrMissingAttr}
		}
	}
	if i < len(list) {
		return nil, &DecodeError{Attr: list[i].ID, Err: ErrUnexpectedAttr}
	}
	return out, nil
}

// wrapAAD returns the AEAD associated data for the wrapped attribute of a
// frame: header bytes 0..5 and every attribute before the wrapped one.
func wrapAAD(t FrameType, tx uint32, attrs []Attr) []byte {
	b := make([]byte, 6, 6+128)
	b[0] = Version
	b[1] = byte(t)
	binary.BigEndian.PutUint32(b[2:6], tx)
	for _, a := range attrs {
		if a.ID == AttrWrappedData {
			break
		}
		b = encodeAttrs(b, []Attr{a})
	}
	return b
}

func statusAttr(s Status) Attr { return Attr{ID: AttrStatus, Value: []byte{byte(s)}} }

var (
	specStatus   = spec{id: AttrStatus, min: 1, max: 1}
	specRHash    = spec{id: AttrRBootstrapHash, min: HashSize, max: HashSize}
	specIHash    = spec{id: AttrIBootstrapHash, optional: true, min: HashSize, max: HashSize}
	specWrapped  = spec{id: AttrWrappedData, min: AEADOverhead, max: MaxBodySize}
	specOptWrap  = spec{id: AttrWrappedData, optional: true, min: AEADOverhead, max: MaxBodySize}
	specCapsAttr = func(id AttrID) spec { return spec{id: id, min: 4, max: 4 + 5*maxCapEntries} }
)

// WrapAAD returns the associated data of f's wrapped data attribute: header
// bytes 0..5 and the attributes before the wrapped one.
func WrapAAD(f Frame) []byte { return wrapAAD(f.FrameType(), f.Transaction(), f.Attrs()) }
