package dlink

// CredentialDelivery (PD -> TD) carries the credential sealed to the TD by
// the network, and its binding, under the session key:
//
//	wrapped data (0x1004)              AEAD_ke{E-nonce (0x1014), sealed credential (0x1100), binding (0x1101)}
type CredentialDelivery struct {
	TxID    uint32
	Wrapped []byte
}

// FrameType returns TypeCredentialDelivery.
func (CredentialDelivery) FrameType() FrameType { return TypeCredentialDelivery }

// Transaction returns the transaction id.
func (f CredentialDelivery) Transaction() uint32 { return f.TxID }

// Attrs returns the attributes in wire order.
func (f CredentialDelivery) Attrs() []Attr { return []Attr{{AttrWrappedData, f.Wrapped}} }

func decodeCredentialDelivery(h Header, list []Attr) (Frame, error) {
	v, err := match(list, []spec{specWrapped})
	if err != nil {
		return nil, err
	}
	return CredentialDelivery{TxID: h.TxID, Wrapped: v[0]}, nil
}
