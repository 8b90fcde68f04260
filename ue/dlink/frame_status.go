package dlink

import "fmt"

// StatusFrame is an unauthenticated status report or abort (either way):
//
//	status (0x1000)
//	[reason (0x1106)]                  up to 128 printable ASCII characters, never a secret
//
// It answers what cannot be answered under a session key (rate limiting,
// already provisioned, unwrap failures) and acknowledges baseline delivery.
// Being unauthenticated, it can only make a peer give up, never succeed.
type StatusFrame struct {
	TxID   uint32
	Status Status
	Reason string
}

// FrameType returns TypeStatus.
func (StatusFrame) FrameType() FrameType { return TypeStatus }

// Transaction returns the transaction id.
func (f StatusFrame) Transaction() uint32 { return f.TxID }

// Attrs returns the attributes in wire order.
func (f StatusFrame) Attrs() []Attr {
	a := []Attr{statusAttr(f.Status)}
	if f.Reason != "" {
		a = append(a, Attr{AttrReason, []byte(f.Reason)})
	}
	return a
}

func decodeStatusFrame(h Header, list []Attr) (Frame, error) {
	v, err := match(list, []spec{specStatus, {id: AttrReason, optional: true, min: 1, max: MaxReasonLen}})
	if err != nil {
		return nil, err
	}
	for _, c := range v[1] {
		if c < 0x20 || c >= 0x7f {
			return nil, &DecodeError{Attr: AttrReason, Err: fmt.Errorf("%w: reason is not printable ASCII", ErrAttrValue)}
		}
	}
	return StatusFrame{TxID: h.TxID, Status: Status(v[0][0]), Reason: string(v[1])}, nil
}
