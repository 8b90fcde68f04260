package dlink

import "fmt"

// AuthResponse is DPP's Authentication Response (TD -> PD):
//
//	status (0x1000)
//	R-bootstrap hash (0x1002)
//	[I-bootstrap hash (0x1001)]
//	[R-protocol key (0x1009)]          P_R (65); present iff status is OK
//	R-capabilities (0x1008)            the TD's Capabilities, in clear
//	[wrapped data (0x1004)]            AEAD_k2{R-nonce, I-nonce, wrapped AEAD_ke{R-auth}}; iff OK
//
// With status NOT_COMPATIBLE the TD answers without a protocol key and
// wrapped data, so the PD learns why.
type AuthResponse struct {
	TxID      uint32
	Status    Status
	RHash     [HashSize]byte
	IHash     []byte
	RProtoKey []byte
	RCaps     Capabilities
	Wrapped   []byte
}

// FrameType returns TypeAuthResponse.
func (AuthResponse) FrameType() FrameType { return TypeAuthResponse }

// Transaction returns the transaction id.
func (f AuthResponse) Transaction() uint32 { return f.TxID }

// Attrs returns the attributes in wire order.
func (f AuthResponse) Attrs() []Attr {
	a := []Attr{statusAttr(f.Status), {AttrRBootstrapHash, f.RHash[:]}}
	if f.IHash != nil {
		a = append(a, Attr{AttrIBootstrapHash, f.IHash})
	}
	if f.RProtoKey != nil {
		a = append(a, Attr{AttrRProtocolKey, f.RProtoKey})
	}
	a = append(a, Attr{AttrRCapabilities, f.RCaps.appendTo(nil)})
	if f.Wrapped != nil {
		a = append(a, Attr{AttrWrappedData, f.Wrapped})
	}
	return a
}

var authResponseSpec = []spec{
	specStatus, specRHash, specIHash,
	{id: AttrRProtocolKey, optional: true, min: ProtoKeySize, max: ProtoKeySize},
	specCapsAttr(AttrRCapabilities),
	specOptWrap,
}

func decodeAuthResponse(h Header, list []Attr) (Frame, error) {
	v, err := match(list, authResponseSpec)
	if err != nil {
		return nil, err
	}
	caps, err := ParseCapabilities(v[4])
	if err != nil {
		return nil, &DecodeError{Attr: AttrRCapabilities, Err: fmt.Errorf("%w", err)}
	}
	f := AuthResponse{TxID: h.TxID, Status: Status(v[0][0]), RHash: [HashSize]byte(v[1]), IHash: v[2],
		RProtoKey: v[3], RCaps: caps, Wrapped: v[5]}
	ok := f.Status == StatusOK
	if ok != (f.RProtoKey != nil) || ok != (f.Wrapped != nil) {
		return nil, &DecodeError{Attr: AttrRProtocolKey, Err: fmt.Errorf("%w: protocol key and wrapped data go with status OK only", ErrUnexpectedAttr)}
	}
	return f, nil
}
