package dlink

// PlainCredential is the baseline profile's whole protocol (PD -> TD): the
// encoded credential.Package in clear, no authentication. A passive
// eavesdropper reads K and OPc from it (threat D1 in the baseline column).
//
//	package (0x1104)                   credential.Package encoding
type PlainCredential struct {
	TxID    uint32
	Package []byte
}

// FrameType returns TypePlainCredential.
func (PlainCredential) FrameType() FrameType { return TypePlainCredential }

// Transaction returns the transaction id.
func (f PlainCredential) Transaction() uint32 { return f.TxID }

// Attrs returns the attributes in wire order.
func (f PlainCredential) Attrs() []Attr { return []Attr{{AttrPackage, f.Package}} }

func decodePlainCredential(h Header, list []Attr) (Frame, error) {
	v, err := match(list, []spec{{id: AttrPackage, min: 1, max: MaxBodySize}})
	if err != nil {
		return nil, err
	}
	return PlainCredential{TxID: h.TxID, Package: v[0]}, nil
}
