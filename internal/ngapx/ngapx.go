package ngapx

import (
	"errors"
	"fmt"

	"github.com/free5gc/aper"
	"github.com/free5gc/ngap"
	"github.com/free5gc/ngap/ngapType"
)

// PPID is the SCTP payload protocol identifier of NGAP (TS 38.412 §7).
const PPID uint32 = 60

// Kind is the NGAP PDU choice.
type Kind uint8

// PDU kinds.
const (
	Initiating   Kind = 1
	Successful   Kind = 2
	Unsuccessful Kind = 3
)

func (k Kind) String() string {
	switch k {
	case Initiating:
		return "initiatingMessage"
	case Successful:
		return "successfulOutcome"
	case Unsuccessful:
		return "unsuccessfulOutcome"
	}
	return fmt.Sprintf("kind-%d", uint8(k))
}

// Procedure is an NGAP procedure code (TS 38.413 §9.4.7).
type Procedure uint8

// Procedure codes of the messages this package types.
const (
	ProcDownlinkNASTransport       Procedure = 4
	ProcErrorIndication            Procedure = 9
	ProcInitialContextSetup        Procedure = 14
	ProcInitialUEMessage           Procedure = 15
	ProcNGSetup                    Procedure = 21
	ProcPDUSessionResourceRelease  Procedure = 28
	ProcPDUSessionResourceSetup    Procedure = 29
	ProcUEContextRelease           Procedure = 41
	ProcUEContextReleaseRequest    Procedure = 42
	ProcUplinkNASTransport         Procedure = 46
	ProcNGReset                    Procedure = 20
	ProcPaging                     Procedure = 24
	ProcUERadioCapabilityInfoIndic Procedure = 44
)

func (p Procedure) String() string {
	switch p {
	case ProcDownlinkNASTransport:
		return "DownlinkNASTransport"
	case ProcErrorIndication:
		return "ErrorIndication"
	case ProcInitialContextSetup:
		return "InitialContextSetup"
	case ProcInitialUEMessage:
		return "InitialUEMessage"
	case ProcNGSetup:
		return "NGSetup"
	case ProcPDUSessionResourceRelease:
		return "PDUSessionResourceRelease"
	case ProcPDUSessionResourceSetup:
		return "PDUSessionResourceSetup"
	case ProcUEContextRelease:
		return "UEContextRelease"
	case ProcUEContextReleaseRequest:
		return "UEContextReleaseRequest"
	case ProcUplinkNASTransport:
		return "UplinkNASTransport"
	case ProcNGReset:
		return "NGReset"
	case ProcPaging:
		return "Paging"
	case ProcUERadioCapabilityInfoIndic:
		return "UERadioCapabilityInfoIndication"
	}
	return fmt.Sprintf("procedure-%d", uint8(p))
}

// Msg is a typed NGAP message. Build returns its APER encoding.
type Msg interface {
	Procedure() Procedure
	Kind() Kind
	Build() ([]byte, error)
}

// UEIDs are the UE NGAP IDs a UE-associated message carries.
type UEIDs struct {
	AMF    uint64
	RAN    uint32
	HasAMF bool
	HasRAN bool
}

// UEAssociated is implemented by every UE-associated message, so that a
// gNB or an AMF can route it to the UE context without a type switch.
type UEAssociated interface {
	Msg
	UEIDs() UEIDs
}

// Errors. Parse errors are *ParseError values wrapping one of the first
// three; Build errors wrap ErrInvalid.
var (
	ErrMalformed   = errors.New("ngapx: undecodable NGAP PDU")
	ErrUnsupported = errors.New("ngapx: NGAP message not supported")
	ErrMissingIE   = errors.New("ngapx: mandatory IE missing or invalid")
	ErrInvalid     = errors.New("ngapx: invalid field value")
)

// ParseError says which message failed and why. Err is a sentinel error.
type ParseError struct {
	Procedure Procedure
	Kind      Kind
	Err       error
	Detail    string
}

func (e *ParseError) Error() string {
	s := fmt.Sprintf("ngapx: parse %s %s: %v", e.Procedure, e.Kind, e.Err)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
}

func missing(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMissingIE}, a...)...)
}

// Parse decodes one NGAP PDU into its typed message. The NAS transport
// messages in the layout credbed's encoders produce take a direct decoder
// (fast.go); everything else goes through free5gc's. It never panics: the
// free5gc aper decoder is reflection over untrusted bytes, so a panic in it
// (or in the conversion that follows) is recovered in parseAPER, at the
// package boundary and nowhere else, and returned as ErrMalformed. A nil
// Msg always comes with a non-nil error.
func Parse(b []byte) (m Msg, err error) {
	if m, ok := parseFast(b); ok {
		return m, nil
	}
	return parseAPER(b)
}

// parseAPER is Parse through free5gc's APER decoder.
func parseAPER(b []byte) (m Msg, err error) {
	var proc Procedure
	var kind Kind
	defer func() {
		if r := recover(); r != nil {
			m = nil
			err = &ParseError{Procedure: proc, Kind: kind, Err: ErrMalformed, Detail: fmt.Sprintf("decoder panic: %v", r)}
		}
	}()
	pdu, derr := ngap.Decoder(b)
	if derr != nil {
		return nil, &ParseError{Err: ErrMalformed, Detail: derr.Error()}
	}
	m, proc, kind, err = dispatch(pdu)
	if err != nil {
		pe := &ParseError{Procedure: proc, Kind: kind, Err: ErrMalformed, Detail: err.Error()}
		switch {
		case errors.Is(err, ErrUnsupported):
			pe.Err, pe.Detail = ErrUnsupported, ""
		case errors.Is(err, ErrMissingIE):
			pe.Err = ErrMissingIE
		}
		return nil, pe
	}
	return m, nil
}

func dispatch(pdu *ngapType.NGAPPDU) (Msg, Procedure, Kind, error) {
	switch pdu.Present {
	case ngapType.NGAPPDUPresentInitiatingMessage:
		im := pdu.InitiatingMessage
		if im == nil {
			return nil, 0, Initiating, errors.New("empty initiating message")
		}
		proc := Procedure(im.ProcedureCode.Value)
		m, err := parseInitiating(&im.Value)
		return m, proc, Initiating, err
	case ngapType.NGAPPDUPresentSuccessfulOutcome:
		so := pdu.SuccessfulOutcome
		if so == nil {
			return nil, 0, Successful, errors.New("empty successful outcome")
		}
		proc := Procedure(so.ProcedureCode.Value)
		m, err := parseSuccessful(&so.Value)
		return m, proc, Successful, err
	case ngapType.NGAPPDUPresentUnsuccessfulOutcome:
		uo := pdu.UnsuccessfulOutcome
		if uo == nil {
			return nil, 0, Unsuccessful, errors.New("empty unsuccessful outcome")
		}
		proc := Procedure(uo.ProcedureCode.Value)
		m, err := parseUnsuccessful(&uo.Value)
		return m, proc, Unsuccessful, err
	}
	return nil, 0, 0, fmt.Errorf("NGAP PDU choice %d", pdu.Present)
}

func parseInitiating(v *ngapType.InitiatingMessageValue) (Msg, error) {
	switch {
	case v.Present == ngapType.InitiatingMessagePresentNGSetupRequest && v.NGSetupRequest != nil:
		return parseNGSetupRequest(v.NGSetupRequest)
	case v.Present == ngapType.InitiatingMessagePresentInitialUEMessage && v.InitialUEMessage != nil:
		return parseInitialUEMessage(v.InitialUEMessage)
	case v.Present == ngapType.InitiatingMessagePresentUplinkNASTransport && v.UplinkNASTransport != nil:
		return parseUplinkNASTransport(v.UplinkNASTransport)
	case v.Present == ngapType.InitiatingMessagePresentDownlinkNASTransport && v.DownlinkNASTransport != nil:
		return parseDownlinkNASTransport(v.DownlinkNASTransport)
	case v.Present == ngapType.InitiatingMessagePresentInitialContextSetupRequest && v.InitialContextSetupRequest != nil:
		return parseInitialContextSetupRequest(v.InitialContextSetupRequest)
	case v.Present == ngapType.InitiatingMessagePresentUEContextReleaseCommand && v.UEContextReleaseCommand != nil:
		return parseUEContextReleaseCommand(v.UEContextReleaseCommand)
	case v.Present == ngapType.InitiatingMessagePresentPDUSessionResourceSetupRequest && v.PDUSessionResourceSetupRequest != nil:
		return parsePDUSessionResourceSetupRequest(v.PDUSessionResourceSetupRequest)
	case v.Present == ngapType.InitiatingMessagePresentPDUSessionResourceReleaseCommand && v.PDUSessionResourceReleaseCommand != nil:
		return parsePDUSessionResourceReleaseCommand(v.PDUSessionResourceReleaseCommand)
	case v.Present == ngapType.InitiatingMessagePresentErrorIndication && v.ErrorIndication != nil:
		return parseErrorIndication(v.ErrorIndication)
	}
	return nil, ErrUnsupported
}

func parseSuccessful(v *ngapType.SuccessfulOutcomeValue) (Msg, error) {
	switch {
	case v.Present == ngapType.SuccessfulOutcomePresentNGSetupResponse && v.NGSetupResponse != nil:
		return parseNGSetupResponse(v.NGSetupResponse)
	case v.Present == ngapType.SuccessfulOutcomePresentInitialContextSetupResponse && v.InitialContextSetupResponse != nil:
		return parseInitialContextSetupResponse(v.InitialContextSetupResponse)
	case v.Present == ngapType.SuccessfulOutcomePresentUEContextReleaseComplete && v.UEContextReleaseComplete != nil:
		return parseUEContextReleaseComplete(v.UEContextReleaseComplete)
	case v.Present == ngapType.SuccessfulOutcomePresentPDUSessionResourceSetupResponse && v.PDUSessionResourceSetupResponse != nil:
		return parsePDUSessionResourceSetupResponse(v.PDUSessionResourceSetupResponse)
	case v.Present == ngapType.SuccessfulOutcomePresentPDUSessionResourceReleaseResponse && v.PDUSessionResourceReleaseResponse != nil:
		return parsePDUSessionResourceReleaseResponse(v.PDUSessionResourceReleaseResponse)
	}
	return nil, ErrUnsupported
}

func parseUnsuccessful(v *ngapType.UnsuccessfulOutcomeValue) (Msg, error) {
	if v.Present == ngapType.UnsuccessfulOutcomePresentNGSetupFailure && v.NGSetupFailure != nil {
		return parseNGSetupFailure(v.NGSetupFailure)
	}
	return nil, ErrUnsupported
}

// Criticalities (TS 38.413 §9.2 tables).
const (
	reject = ngapType.CriticalityPresentReject
	ignore = ngapType.CriticalityPresentIgnore
)

func crit(c aper.Enumerated) ngapType.Criticality { return ngapType.Criticality{Value: c} }

func ieID(id int64) ngapType.ProtocolIEID { return ngapType.ProtocolIEID{Value: id} }

func encodePDU(pdu ngapType.NGAPPDU) ([]byte, error) {
	b, err := ngap.Encoder(pdu)
	if err != nil {
		return nil, fmt.Errorf("%w: aper: %v", ErrInvalid, err)
	}
	return b, nil
}

func initiating(proc int64, c aper.Enumerated, v ngapType.InitiatingMessageValue) ([]byte, error) {
	return encodePDU(ngapType.NGAPPDU{
		Present: ngapType.NGAPPDUPresentInitiatingMessage,
		InitiatingMessage: &ngapType.InitiatingMessage{
			ProcedureCode: ngapType.ProcedureCode{Value: proc}, Criticality: crit(c), Value: v},
	})
}

func successful(proc int64, c aper.Enumerated, v ngapType.SuccessfulOutcomeValue) ([]byte, error) {
	return encodePDU(ngapType.NGAPPDU{
		Present: ngapType.NGAPPDUPresentSuccessfulOutcome,
		SuccessfulOutcome: &ngapType.SuccessfulOutcome{
			ProcedureCode: ngapType.ProcedureCode{Value: proc}, Criticality: crit(c), Value: v},
	})
}

func unsuccessful(proc int64, c aper.Enumerated, v ngapType.UnsuccessfulOutcomeValue) ([]byte, error) {
	return encodePDU(ngapType.NGAPPDU{
		Present: ngapType.NGAPPDUPresentUnsuccessfulOutcome,
		UnsuccessfulOutcome: &ngapType.UnsuccessfulOutcome{
			ProcedureCode: ngapType.ProcedureCode{Value: proc}, Criticality: crit(c), Value: v},
	})
}

func amfID(v uint64) (*ngapType.AMFUENGAPID, error) {
	if v > MaxAMFUENGAPID {
		return nil, invalid("AMF UE NGAP ID %d above 2^40-1", v)
	}
	return &ngapType.AMFUENGAPID{Value: int64(v)}, nil
}

func ranID(v uint32) *ngapType.RANUENGAPID { return &ngapType.RANUENGAPID{Value: int64(v)} }

func amfIDFrom(v *ngapType.AMFUENGAPID) (uint64, error) {
	if v.Value < 0 || uint64(v.Value) > MaxAMFUENGAPID {
		return 0, fmt.Errorf("AMF UE NGAP ID %d", v.Value)
	}
	return uint64(v.Value), nil
}

func ranIDFrom(v *ngapType.RANUENGAPID) (uint32, error) {
	if v.Value < 0 || uint64(v.Value) > MaxRANUENGAPID {
		return 0, fmt.Errorf("RAN UE NGAP ID %d", v.Value)
	}
	return uint32(v.Value), nil
}

func nasPDU(b []byte) *ngapType.NASPDU { return &ngapType.NASPDU{Value: aper.OctetString(b)} }

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// ids collects the two UE NGAP IDs while walking a message's IEs.
type ids struct {
	amf, ran       uint64
	hasAMF, hasRAN bool
}

func (x *ids) setAMF(v *ngapType.AMFUENGAPID) error {
	if v == nil {
		return errors.New("nil AMF UE NGAP ID")
	}
	a, err := amfIDFrom(v)
	x.amf, x.hasAMF = a, err == nil
	return err
}

func (x *ids) setRAN(v *ngapType.RANUENGAPID) error {
	if v == nil {
		return errors.New("nil RAN UE NGAP ID")
	}
	r, err := ranIDFrom(v)
	x.ran, x.hasRAN = uint64(r), err == nil
	return err
}

func (x *ids) need() error {
	if !x.hasAMF {
		return missing("AMF UE NGAP ID")
	}
	if !x.hasRAN {
		return missing("RAN UE NGAP ID")
	}
	return nil
}
