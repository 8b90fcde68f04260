package dlink

import "fmt"

// AuthConfirm is DPP's Authentication Confirm (PD -> TD):
//
//	status (0x1000)
//	R-bootstrap hash (0x1002)
//	[I-bootstrap hash (0x1001)]
//	[wrapped data (0x1004)]            AEAD_ke{I-auth (0x100A)}; present iff status is OK
type AuthConfirm struct {
	TxID    uint32
	Status  Status
	RHash   [HashSize]byte
	IHash   []byte
	Wrapped []byte
}

// FrameType returns TypeAuthConfirm.
func (AuthConfirm) FrameType() FrameType { return TypeAuthConfirm }

// Transaction returns the transaction id.
func (f AuthConfirm) Transaction() uint32 { return f.TxID }

// Attrs returns the attributes in wire order.
func (f AuthConfirm) Attrs() []Attr {
	a := []Attr{statusAttr(f.Status), {AttrRBootstrapHash, f.RHash[:]}}
	if f.IHash != nil {
		a = append(a, Attr{AttrIBootstrapHash, f.IHash})
	}
	if f.Wrapped != nil {
		a = append(a, Attr{AttrWrappedData, f.Wrapped})
	}
	return a
}

var authConfirmSpec = []spec{specStatus, specRHash, specIHash, specOptWrap}

func decodeAuthConfirm(h Header, list []Attr) (Frame, error) {
	v, err := match(list, authConfirmSpec)
	if err != nil {
		return nil, err
	}
	f := AuthConfirm{TxID: h.TxID, Status: Status(v[0][0]), RHash: [HashSize]byte(v[1]), IHash: v[2], Wrapped: v[3]}
	if (f.Status == StatusOK) != (f.Wrapped != nil) {
		return nil, &DecodeError{Attr: AttrWrappedData, Err: fmt.Errorf("%w: wrapped data goes with status OK only", ErrUnexpectedAttr)}
	}
	return f, nil
}
