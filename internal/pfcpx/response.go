package pfcpx

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/wmnsk/go-pfcp/ie"
	"github.com/wmnsk/go-pfcp/message"
)

// Response is a decoded PFCP response as a CP function sees it.
type Response struct {
	Type uint8
	Seq  uint32
	// SEID is the header SEID (the CP SEID for session responses; 0 when the
	// UP function did not know the session).
	SEID         uint64
	Cause        Cause // 0 for heartbeat and version-not-supported responses
	OffendingIE  uint16
	NodeID       string
	RecoveryTime time.Time
	UPFeatures   uint8      // association setup response: first octet of UP Function Features
	UPSEID       uint64     // session establishment response
	UPAddr       netip.Addr // session establishment response: UP F-SEID address
	CreatedPDRs  []CreatedPDR
}

// CreatedFTEID returns the F-TEID allocated for pdrID, if the response has one.
func (r *Response) CreatedFTEID(pdrID uint16) (FTEID, bool) {
	for _, c := range r.CreatedPDRs {
		if c.PDRID == pdrID {
			return c.FTEID, true
		}
	}
	return FTEID{}, false
}

// ParseResponse decodes a PFCP response. Requests and malformed bytes give
// an error; a response with a rejection Cause is not an error.
func ParseResponse(b []byte) (*Response, error) {
	h, m, err := Decode(b)
	if err != nil {
		return nil, err
	}
	r := &Response{Type: h.Type, Seq: h.Seq, SEID: h.SEID}
	err = safe(0, func() error { return fillResponse(r, m) })
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformed, m.MessageTypeName(), err)
	}
	return r, nil
}

func decodeCause(i *ie.IE) (Cause, error) {
	if i == nil {
		return 0, missing(ie.Cause)
	}
	v, err := i.ValueAsUint8()
	if err != nil {
		return 0, incorrect(ie.Cause, err)
	}
	return Cause(v), nil
}

func offending(i *ie.IE) uint16 {
	if i == nil {
		return 0
	}
	v, _ := i.ValueAsUint16()
	return v
}

func decodeCreated(ies []*ie.IE) ([]CreatedPDR, error) {
	var out []CreatedPDR
	for _, x := range ies {
		id, err := ruleID16(x, ie.CreatedPDR, ie.PDRID)
		if err != nil {
			return nil, err
		}
		kids, _ := children(x)
		var f FTEID
		for _, k := range kids {
			if k.Type == ie.FTEID {
				if f, err = decodeFTEID(k); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, CreatedPDR{PDRID: id, FTEID: f})
	}
	return out, nil
}

func fillResponse(r *Response, m message.Message) error {
	var err error
	switch m := m.(type) {
	case *message.HeartbeatResponse:
		r.RecoveryTime, err = DecodeRecoveryTimeStamp(m.RecoveryTimeStamp)
	case *message.AssociationSetupResponse:
		if r.Cause, err = decodeCause(m.Cause); err != nil {
			return err
		}
		if r.NodeID, err = DecodeNodeID(m.NodeID); err != nil {
			return err
		}
		if m.RecoveryTimeStamp != nil {
			r.RecoveryTime, _ = DecodeRecoveryTimeStamp(m.RecoveryTimeStamp)
		}
		if m.UPFunctionFeatures != nil && len(m.UPFunctionFeatures.Payload) > 0 {
			r.UPFeatures = m.UPFunctionFeatures.Payload[0]
		}
	case *message.AssociationReleaseResponse:
		r.Cause, err = decodeCause(m.Cause)
	case *message.SessionEstablishmentResponse:
		if r.Cause, err = decodeCause(m.Cause); err != nil {
			return err
		}
		r.OffendingIE = offending(m.OffendingIE)
		if m.NodeID != nil {
			r.NodeID, _ = DecodeNodeID(m.NodeID)
		}
		if r.Cause.Accepted() {
			if r.UPSEID, r.UPAddr, err = DecodeFSEID(m.UPFSEID); err != nil {
				return err
			}
		}
		r.CreatedPDRs, err = decodeCreated(m.CreatedPDR)
	case *message.SessionModificationResponse:
		if r.Cause, err = decodeCause(m.Cause); err != nil {
			return err
		}
		r.OffendingIE = offending(m.OffendingIE)
		r.CreatedPDRs, err = decodeCreated(m.CreatedPDR)
	case *message.SessionDeletionResponse:
		r.Cause, err = decodeCause(m.Cause)
		r.OffendingIE = offending(m.OffendingIE)
	case *message.VersionNotSupportedResponse:
	default:
		return fmt.Errorf("%w: %s is not a response", ErrUnknownType, m.MessageTypeName())
	}
	return err
}
