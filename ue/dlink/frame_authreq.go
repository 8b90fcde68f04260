package dlink

import "fmt"

// AuthRequest is DPP's Authentication Request (PD -> TD):
//
//	R-bootstrap hash (0x1002)          SHA-256 of the TD bootstrap key (credential.KeyHash)
//	[I-bootstrap hash (0x1001)]        SHA-256 of the PD bootstrap key (mutual authentication)
//	I-protocol key (0x1003)            P_I, uncompressed P-256 point (65)
//	I-capabilities (0x1006)            the PD's Capabilities, in clear
//	wrapped data (0x1004)              AEAD_k1{I-nonce (0x1005)}
type AuthRequest struct {
	TxID      uint32
	RHash     [HashSize]byte
	IHash     []byte // nil, or HashSize bytes
	IProtoKey []byte
	ICaps     Capabilities
	Wrapped   []byte
}

// FrameType returns TypeAuthRequest.
func (AuthRequest) FrameType() FrameType { return TypeAuthRequest }

// Transaction returns the transaction id.
func (f AuthRequest) Transaction() uint32 { return f.TxID }

// Attrs returns the attributes in wire order.
func (f AuthRequest) Attrs() []Attr {
	a := []Attr{{AttrRBootstrapHash, f.RHash[:]}}
	if f.IHash != nil {
		a = append(a, Attr{AttrIBootstrapHash, f.IHash})
	}
	return append(a,
		Attr{AttrIProtocolKey, f.IProtoKey},
		Attr{AttrICapabilities, f.ICaps.appendTo(nil)},
		Attr{AttrWrappedData, f.Wrapped})
}

var authRequestSpec = []spec{
	specRHash, specIHash,
	{id: AttrIProtocolKey, min: ProtoKeySize, max: ProtoKeySize},
	specCapsAttr(AttrICapabilities),
	specWrapped,
}

func decodeAuthRequest(h Header, list []Attr) (Frame, error) {
	v, err := match(list, authRequestSpec)
	if err != nil {
		return nil, err
	}
	caps, err := ParseCapabilities(v[3])
	if err != nil {
		return nil, &DecodeError{Attr: AttrICapabilities, Err: fmt.Errorf("%w", err)}
	}
	return AuthRequest{TxID: h.TxID, RHash: [HashSize]byte(v[0]), IHash: v[1], IProtoKey: v[2], ICaps: caps, Wrapped: v[4]}, nil
}
