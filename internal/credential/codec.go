package credential

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/credbed/credbed/internal/ident"
)

// Encoding (version 1): one version byte, then TLVs of a 1-byte tag, a
// 2-byte big-endian length and the value, in strictly increasing tag order
// (only TagHNKey repeats, consecutively). Every tag except TagHNKey and
// TagNonce is required; unknown tags are rejected (every byte of a package is
// meaningful, and a credential must not carry fields its installer ignores).
//
//	tag   field              value
//	0x01  SUPI               "imsi-<digits>" or "nai-<user>@<realm>"
//	0x02  K                  16 bytes
//	0x03  OPc                16 bytes
//	0x04  AMF                2 bytes
//	0x05  SQN                6 bytes, big endian
//	0x06  HN public key      scheme (1) | key id (1) | key (0, 32, 33 or 65)
//	0x07  routing indicator  1-4 ASCII digits
//	0x08  MCC                3 ASCII digits
//	0x09  MNC                2-3 ASCII digits
//	0x10  target device id   1-64 printable ASCII
//	0x11  PD id              1-255 printable ASCII (SUPI or A-KID)
//	0x12  counter            8 bytes, big endian, >= 1
//	0x13  nonce              1-32 bytes (omitted when empty)
//	0x14  expiry             8 bytes, big endian Unix seconds
//
// A Binding encodes alone as the version byte and tags 0x10-0x14.
const (
	Version        = 1
	MaxEncodedSize = 4096
)

// TLV tags of the encoding.
const (
	TagSUPI     uint8 = 0x01
	TagK        uint8 = 0x02
	TagOPc      uint8 = 0x03
	TagAMF      uint8 = 0x04
	TagSQN      uint8 = 0x05
	TagHNKey    uint8 = 0x06
	TagRouting  uint8 = 0x07
	TagMCC      uint8 = 0x08
	TagMNC      uint8 = 0x09
	TagTargetID uint8 = 0x10
	TagPDID     uint8 = 0x11
	TagCounter  uint8 = 0x12
	TagNonce    uint8 = 0x13
	TagExpiry   uint8 = 0x14
)

const tlvHeader = 3

// MarshalBinary validates p and returns its encoding.
func (p Package) MarshalBinary() ([]byte, error) { return p.AppendBinary(make([]byte, 0, 256)) }

// AppendBinary validates p and appends its encoding to b.
func (p Package) AppendBinary(b []byte) ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	b = append(b, Version)
	b = appendTLV(b, TagSUPI, []byte(p.SUPI.String()))
	b = appendTLV(b, TagK, p.K[:])
	b = appendTLV(b, TagOPc, p.OPc[:])
	b = appendTLV(b, TagAMF, p.AMF[:])
	var sqn [8]byte
	binary.BigEndian.PutUint64(sqn[:], p.SQN)
	b = appendTLV(b, TagSQN, sqn[2:])
	for _, k := range p.HNKeys {
		b = append(b, TagHNKey)
		b = binary.BigEndian.AppendUint16(b, uint16(2+len(k.Public)))
		b = append(b, byte(k.Scheme), k.ID)
		b = append(b, k.Public...)
	}
	b = appendTLV(b, TagRouting, []byte(p.RoutingIndicator))
	b = appendTLV(b, TagMCC, []byte(p.PLMN.MCC))
	b = appendTLV(b, TagMNC, []byte(p.PLMN.MNC))
	b = p.Binding.appendTLVs(b)
	if len(b) > MaxEncodedSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(b))
	}
	return b, nil
}

// MarshalBinary validates b and returns its standalone encoding.
func (b Binding) MarshalBinary() ([]byte, error) { return b.AppendBinary(make([]byte, 0, 96)) }

// AppendBinary validates b and appends its standalone encoding to dst.
func (b Binding) AppendBinary(dst []byte) ([]byte, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	dst = append(dst, Version)
	return b.appendTLVs(dst), nil
}

func (b Binding) appendTLVs(dst []byte) []byte {
	dst = appendTLV(dst, TagTargetID, []byte(b.TargetID))
	dst = appendTLV(dst, TagPDID, []byte(b.PDID))
	dst = appendTLV(dst, TagCounter, binary.BigEndian.AppendUint64(nil, b.Counter))
	if len(b.Nonce) > 0 {
		dst = appendTLV(dst, TagNonce, b.Nonce)
	}
	return appendTLV(dst, TagExpiry, binary.BigEndian.AppendUint64(nil, uint64(b.Expiry.Unix())))
}

func appendTLV(b []byte, tag uint8, v []byte) []byte {
	b = append(b, tag)
	b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
	return append(b, v...)
}

// UnmarshalBinary decodes data into p (see ParsePackage).
func (p *Package) UnmarshalBinary(data []byte) error {
	q, err := ParsePackage(data)
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// ParsePackage strictly decodes a package encoding and validates it.
func ParsePackage(data []byte) (Package, error) {
	var p Package
	d := decoder{data: data}
	if err := d.begin(); err != nil {
		return Package{}, err
	}
	var seen [0x15]bool
	for d.more() {
		off, tag, v, err := d.next(TagSUPI, TagExpiry)
		if err != nil {
			return Package{}, err
		}
		seen[tag] = true
		fail := func(sentinel error, format string, args ...any) error {
			return &DecodeError{Offset: off, Tag: tag, Err: fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))}
		}
		switch tag {
		case TagSUPI:
			s, err := ident.ParseSUPI(string(v))
			if err != nil {
				return Package{}, fail(ErrInvalid, "SUPI: %v", err)
			}
			p.SUPI = s
		case TagK:
			if len(v) != KeySize {
				return Package{}, fail(ErrLength, "K is %d bytes, want %d", len(v), KeySize)
			}
			copy(p.K[:], v)
		case TagOPc:
			if len(v) != KeySize {
				return Package{}, fail(ErrLength, "OPc is %d bytes, want %d", len(v), KeySize)
			}
			copy(p.OPc[:], v)
		case TagAMF:
			if len(v) != AMFSize {
				return Package{}, fail(ErrLength, "AMF is %d bytes, want %d", len(v), AMFSize)
			}
			copy(p.AMF[:], v)
		case TagSQN:
			if len(v) != SQNSize {
				return Package{}, fail(ErrLength, "SQN is %d bytes, want %d", len(v), SQNSize)
			}
			var b [8]byte
			copy(b[2:], v)
			p.SQN = binary.BigEndian.Uint64(b[:])
		case TagHNKey:
			if len(v) < 2 || len(v) > 2+p256PointLen {
				return Package{}, fail(ErrLength, "HN key is %d bytes", len(v))
			}
			if len(p.HNKeys) == MaxHNKeys {
				return Package{}, fail(ErrInvalid, "more than %d HN keys", MaxHNKeys)
			}
			k := HNKey{Scheme: Scheme(v[0]), ID: v[1]}
			if len(v) > 2 {
				k.Public = append([]byte(nil), v[2:]...)
			}
			if err := k.Validate(); err != nil {
				return Package{}, fail(ErrInvalid, "HN key: %v", err)
			}
			p.HNKeys = append(p.HNKeys, k)
		case TagRouting:
			if len(v) < 1 || len(v) > MaxRoutingInd {
				return Package{}, fail(ErrLength, "routing indicator is %d bytes", len(v))
			}
			p.RoutingIndicator = string(v)
		case TagMCC:
			if len(v) != 3 {
				return Package{}, fail(ErrLength, "MCC is %d bytes, want 3", len(v))
			}
			p.PLMN.MCC = string(v)
		case TagMNC:
			if len(v) != 2 && len(v) != 3 {
				return Package{}, fail(ErrLength, "MNC is %d bytes, want 2 or 3", len(v))
			}
			p.PLMN.MNC = string(v)
		default:
			if err := p.Binding.decodeTLV(tag, v, fail); err != nil {
				return Package{}, err
			}
		}
	}
	for _, t := range []uint8{TagSUPI, TagK, TagOPc, TagAMF, TagSQN, TagRouting, TagMCC, TagMNC,
		TagTargetID, TagPDID, TagCounter, TagExpiry} {
		if !seen[t] {
			return Package{}, &DecodeError{Offset: len(data), Tag: t, Err: ErrMissing}
		}
	}
	if err := p.Validate(); err != nil {
		return Package{}, &DecodeError{Offset: len(data), Err: err}
	}
	return p, nil
}

// ParseBinding strictly decodes a standalone binding encoding.
func ParseBinding(data []byte) (Binding, error) {
	var b Binding
	d := decoder{data: data}
	if err := d.begin(); err != nil {
		return Binding{}, err
	}
	var seen [0x15]bool
	for d.more() {
		off, tag, v, err := d.next(TagTargetID, TagExpiry)
		if err != nil {
			return Binding{}, err
		}
		seen[tag] = true
		fail := func(sentinel error, format string, args ...any) error {
			return &DecodeError{Offset: off, Tag: tag, Err: fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))}
		}
		if err := b.decodeTLV(tag, v, fail); err != nil {
			return Binding{}, err
		}
	}
	for _, t := range []uint8{TagTargetID, TagPDID, TagCounter, TagExpiry} {
		if !seen[t] {
			return Binding{}, &DecodeError{Offset: len(data), Tag: t, Err: ErrMissing}
		}
	}
	if err := b.Validate(); err != nil {
		return Binding{}, &DecodeError{Offset: len(data), Err: err}
	}
	return b, nil
}

func (b *Binding) decodeTLV(tag uint8, v []byte, fail func(error, string, ...any) error) error {
	switch tag {
	case TagTargetID:
		if len(v) < 1 || len(v) > MaxDeviceIDLen {
			return fail(ErrLength, "target id is %d bytes", len(v))
		}
		b.TargetID = string(v)
	case TagPDID:
		if len(v) < 1 || len(v) > MaxPDIDLen {
			return fail(ErrLength, "PD id is %d bytes", len(v))
		}
		b.PDID = string(v)
	case TagCounter:
		if len(v) != 8 {
			return fail(ErrLength, "counter is %d bytes, want 8", len(v))
		}
		b.Counter = binary.BigEndian.Uint64(v)
	case TagNonce:
		// An empty nonce is encoded by omission, so a present one is 1..32 bytes.
		if len(v) < 1 || len(v) > MaxNonceLen {
			return fail(ErrLength, "nonce is %d bytes, want 1 to %d", len(v), MaxNonceLen)
		}
		b.Nonce = append([]byte(nil), v...)
	case TagExpiry:
		if len(v) != 8 {
			return fail(ErrLength, "expiry is %d bytes, want 8", len(v))
		}
		s := int64(binary.BigEndian.Uint64(v))
		if s <= 0 {
			return fail(ErrInvalid, "expiry not set")
		}
		b.Expiry = time.Unix(s, 0).UTC()
	default:
		return fail(ErrUnknownTag, "tag 0x%02x", tag)
	}
	return nil
}

// decoder walks the TLVs after the version byte.
type decoder struct {
	data []byte
	off  int
	last uint8
}

func (d *decoder) begin() error {
	if len(d.data) > MaxEncodedSize {
		return &DecodeError{Err: fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(d.data), MaxEncodedSize)}
	}
	if len(d.data) == 0 {
		return &DecodeError{Err: fmt.Errorf("%w: empty", ErrTruncated)}
	}
	if d.data[0] != Version {
		return &DecodeError{Err: fmt.Errorf("%w: %d", ErrVersion, d.data[0])}
	}
	d.off = 1
	return nil
}

func (d *decoder) more() bool { return d.off < len(d.data) }

// next returns the TLV at the cursor, checking its tag is within [lo, hi],
// known, and in order.
func (d *decoder) next(lo, hi uint8) (off int, tag uint8, v []byte, err error) {
	off = d.off
	rest := d.data[d.off:]
	if len(rest) < tlvHeader {
		return off, 0, nil, &DecodeError{Offset: off, Err: fmt.Errorf("%w: %d bytes left for a TLV header", ErrTruncated, len(rest))}
	}
	tag = rest[0]
	n := int(binary.BigEndian.Uint16(rest[1:3]))
	if tag < lo || tag > hi || !knownTag(tag) {
		return off, tag, nil, &DecodeError{Offset: off, Tag: tag, Err: ErrUnknownTag}
	}
	if tag < d.last || (tag == d.last && tag != TagHNKey) {
		return off, tag, nil, &DecodeError{Offset: off, Tag: tag, Err: ErrTagOrder}
	}
	if len(rest)-tlvHeader < n {
		return off, tag, nil, &DecodeError{Offset: off, Tag: tag, Err: fmt.Errorf("%w: value of %d bytes, %d left", ErrTruncated, n, len(rest)-tlvHeader)}
	}
	d.last = tag
	d.off += tlvHeader + n
	return off, tag, rest[tlvHeader : tlvHeader+n], nil
}

func knownTag(t uint8) bool {
	return (t >= TagSUPI && t <= TagMNC) || (t >= TagTargetID && t <= TagExpiry)
}
