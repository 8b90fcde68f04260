package dlink

// ConfigRequest (TD -> PD) asks for the credential once authentication is
// done, like DPP's Configuration Request:
//
//	wrapped data (0x1004)              AEAD_ke{E-nonce (0x1014), device id (0x1105)}
type ConfigRequest struct {
	TxID    uint32
	Wrapped []byte
}

// FrameType returns TypeConfigRequest.
func (ConfigRequest) FrameType() FrameType { return TypeConfigRequest }

// Transaction returns the transaction id.
func (f ConfigRequest) Transaction() uint32 { return f.TxID }

// Attrs returns the attributes in wire order.
func (f ConfigRequest) Attrs() []Attr { return []Attr{{AttrWrappedData, f.Wrapped}} }

func decodeConfigRequest(h Header, list []Attr) (Frame, error) {
	v, err := match(list, []spec{specWrapped})
	if err != nil {
		return nil, err
	}
	return ConfigRequest{TxID: h.TxID, Wrapped: v[0]}, nil
}
