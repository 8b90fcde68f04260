package dlink

// ProofOfPossession (TD -> PD) reports the installation:
//
//	status (0x1000)
//	wrapped data (0x1004)              AEAD_ke{E-nonce, [session proof (0x1102), credential proof (0x1103)]}
//
// With status OK the wrapped data holds both proofs: the session proof (an
// HMAC under a key derived from ke, over the E-nonce, the sealed blob hash,
// the binding and the credential proof) that the PD checks, and the
// credential proof (credential.Package.Proof, keyed by K and OPc) that the
// PD relays to the network. With another status it holds the E-nonce only,
// an authenticated refusal.
type ProofOfPossession struct {
	TxID    uint32
	Status  Status
	Wrapped []byte
}

// FrameType returns TypeProofOfPossession.
func (ProofOfPossession) FrameType() FrameType { return TypeProofOfPossession }

// Transaction returns the transaction id.
func (f ProofOfPossession) Transaction() uint32 { return f.TxID }

// Attrs returns the attributes in wire order.
func (f ProofOfPossession) Attrs() []Attr {
	return []Attr{statusAttr(f.Status), {AttrWrappedData, f.Wrapped}}
}

func decodeProofOfPossession(h Header, list []Attr) (Frame, error) {
	v, err := match(list, []spec{specStatus, specWrapped})
	if err != nil {
		return nil, err
	}
	return ProofOfPossession{TxID: h.TxID, Status: Status(v[0][0]), Wrapped: v[1]}, nil
}
