package nasx

import (
	"net/netip"

	"github.com/free5gc/nas/nasMessage"
	"github.com/free5gc/nas/nasType"
)

// Integrity protection maximum data rate values (TS 24.501 §9.11.4.7).
const (
	MaxDataRate64kbps uint8 = 0x00
	MaxDataRateFull   uint8 = 0xff
)

// DefaultQoSFlowDescriptions returns the contents of a QoS flow descriptions
// IE (TS 24.501 §9.11.4.12) creating one flow with a 5QI parameter:
// <qfi> 20 41 01 01 <5qi>.
func DefaultQoSFlowDescriptions(qfi, fiveQI uint8) []byte {
	return []byte{qfi & 0x3f, 0x20, 0x41, 0x01, 0x01, fiveQI}
}

// PDUSessionEstablishmentRequest is PDU SESSION ESTABLISHMENT REQUEST
// (TS 24.501 §8.3.1).
type PDUSessionEstablishmentRequest struct {
	GSMHeader
	// Integrity protection maximum data rate per direction: MaxDataRateFull
	// for a UE without limits.
	IntegrityMaxDataRateUL uint8
	IntegrityMaxDataRateDL uint8
	PDUSessionType         uint8 // PDUSessionIPv4, ...; 0 = absent
	SSCMode                uint8 // SSCMode1, ...; 0 = absent
}

func (*PDUSessionEstablishmentRequest) EPD() uint8 { return EPD5GSM }
func (*PDUSessionEstablishmentRequest) MessageType() MessageType {
	return MsgPDUSessionEstablishmentRequest
}

// Build returns the plain NAS encoding.
func (m *PDUSessionEstablishmentRequest) Build() ([]byte, error) {
	var f nasMessage.PDUSessionEstablishmentRequest
	f.ExtendedProtocolDiscriminator, f.PDUSessionID, f.PTI, f.PDUSESSIONESTABLISHMENTREQUESTMessageIdentity.Octet = gsmHeader(m.GSMHeader, MsgPDUSessionEstablishmentRequest)
	f.IntegrityProtectionMaximumDataRate.Octet = [2]byte{m.IntegrityMaxDataRateUL, m.IntegrityMaxDataRateDL}
	if m.PDUSessionType != 0 {
		f.PDUSessionType = &nasType.PDUSessionType{Octet: nasMessage.PDUSessionEstablishmentRequestPDUSessionTypeType<<4 | m.PDUSessionType&7}
	}
	if m.SSCMode != 0 {
		f.SSCMode = &nasType.SSCMode{Octet: nasMessage.PDUSessionEstablishmentRequestSSCModeType<<4 | m.SSCMode&7}
	}
	return encode(f.EncodePDUSessionEstablishmentRequest)
}

func parsePDUSessionEstablishmentRequest(b []byte) (*PDUSessionEstablishmentRequest, error) {
	var f nasMessage.PDUSessionEstablishmentRequest
	if err := decode(b, f.DecodePDUSessionEstablishmentRequest); err != nil {
		return nil, err
	}
	m := &PDUSessionEstablishmentRequest{
		GSMHeader:              GSMHeader{PDUSessionID: f.PDUSessionID.Octet, PTI: f.PTI.Octet},
		IntegrityMaxDataRateUL: f.IntegrityProtectionMaximumDataRate.Octet[0],
		IntegrityMaxDataRateDL: f.IntegrityProtectionMaximumDataRate.Octet[1],
	}
	if f.PDUSessionType != nil {
		m.PDUSessionType = f.PDUSessionType.Octet & 7
	}
	if f.SSCMode != nil {
		m.SSCMode = f.SSCMode.Octet & 7
	}
	return m, nil
}

// PDUSessionEstablishmentAccept is PDU SESSION ESTABLISHMENT ACCEPT
// (TS 24.501 §8.3.2).
type PDUSessionEstablishmentAccept struct {
	GSMHeader
	PDUSessionType uint8 // selected PDU session type
	SSCMode        uint8 // selected SSC mode
	// QoSRules is the authorized QoS rules IE contents (at least 4 octets),
	// e.g. DefaultQoSRules(1).
	QoSRules    []byte
	SessionAMBR SessionAMBR
	Cause       *uint8     // 5GSM cause; nil = absent
	PDUAddress  netip.Addr // IPv4 address; invalid = absent
	SNSSAI      *SNSSAI    // nil = absent
	DNN         string     // "" = absent
	// QoSFlowDescriptions is the authorized QoS flow descriptions IE
	// contents, e.g. DefaultQoSFlowDescriptions(1, 9); nil = absent.
	QoSFlowDescriptions []byte
}

func (*PDUSessionEstablishmentAccept) EPD() uint8 { return EPD5GSM }
func (*PDUSessionEstablishmentAccept) MessageType() MessageType {
	return MsgPDUSessionEstablishmentAccept
}

// Build returns the plain NAS encoding.
func (m *PDUSessionEstablishmentAccept) Build() ([]byte, error) {
	var f nasMessage.PDUSessionEstablishmentAccept
	f.ExtendedProtocolDiscriminator, f.PDUSessionID, f.PTI, f.PDUSESSIONESTABLISHMENTACCEPTMessageIdentity.Octet = gsmHeader(m.GSMHeader, MsgPDUSessionEstablishmentAccept)
	f.SelectedSSCModeAndSelectedPDUSessionType.Octet = (m.SSCMode&7)<<4 | m.PDUSessionType&7
	if err := checkLen("PDUSessionEstablishmentAccept.QoSRules", m.QoSRules, 4, 0xffff); err != nil {
		return nil, err
	}
	f.AuthorizedQosRules = nasType.AuthorizedQosRules{Len: uint16(len(m.QoSRules)), Buffer: m.QoSRules}
	f.SessionAMBR = nasType.SessionAMBR{Len: 6, Octet: m.SessionAMBR.octets()}
	if m.Cause != nil {
		f.Cause5GSM = &nasType.Cause5GSM{Iei: nasMessage.PDUSessionEstablishmentAcceptCause5GSMType, Octet: *m.Cause}
	}
	if m.PDUAddress.IsValid() {
		if !m.PDUAddress.Is4() {
			return nil, invalid("PDUSessionEstablishmentAccept.PDUAddress %s: only IPv4 is supported", m.PDUAddress)
		}
		f.PDUAddress = &nasType.PDUAddress{Iei: nasMessage.PDUSessionEstablishmentAcceptPDUAddressType, Len: 5}
		f.PDUAddress.Octet[0] = PDUSessionIPv4
		a4 := m.PDUAddress.As4()
		copy(f.PDUAddress.Octet[1:5], a4[:])
	}
	f.SNSSAI = snssaiIE(nasMessage.PDUSessionEstablishmentAcceptSNSSAIType, m.SNSSAI)
	if m.QoSFlowDescriptions != nil {
		if err := checkLen("PDUSessionEstablishmentAccept.QoSFlowDescriptions", m.QoSFlowDescriptions, 3, 0xffff); err != nil {
			return nil, err
		}
		f.AuthorizedQosFlowDescriptions = &nasType.AuthorizedQosFlowDescriptions{
			Iei: nasMessage.PDUSessionEstablishmentAcceptAuthorizedQosFlowDescriptionsType,
			Len: uint16(len(m.QoSFlowDescriptions)), Buffer: m.QoSFlowDescriptions}
	}
	var err error
	if f.DNN, err = dnnIE(nasMessage.PDUSessionEstablishmentAcceptDNNType, m.DNN); err != nil {
		return nil, err
	}
	return encode(f.EncodePDUSessionEstablishmentAccept)
}

func parsePDUSessionEstablishmentAccept(b []byte) (*PDUSessionEstablishmentAccept, error) {
	var f nasMessage.PDUSessionEstablishmentAccept
	if err := decode(b, f.DecodePDUSessionEstablishmentAccept); err != nil {
		return nil, err
	}
	o := f.SelectedSSCModeAndSelectedPDUSessionType.Octet
	m := &PDUSessionEstablishmentAccept{
		GSMHeader:      GSMHeader{PDUSessionID: f.PDUSessionID.Octet, PTI: f.PTI.Octet},
		PDUSessionType: o & 7,
		SSCMode:        o >> 4 & 7,
		QoSRules:       cloneBytes(f.AuthorizedQosRules.Buffer),
		SessionAMBR:    sessionAMBRFrom(f.SessionAMBR.Octet),
	}
	if f.Cause5GSM != nil {
		m.Cause = causePtr(f.Cause5GSM.Octet)
	}
	if a := f.PDUAddress; a != nil && a.Len == 5 && a.Octet[0]&7 == PDUSessionIPv4 {
		m.PDUAddress = netip.AddrFrom4([4]byte(a.Octet[1:5]))
	}
	if d := f.AuthorizedQosFlowDescriptions; d != nil {
		m.QoSFlowDescriptions = cloneBytes(d.Buffer)
	}
	var err error
	if m.SNSSAI, err = snssaiFromIE(f.SNSSAI); err != nil {
		return nil, err
	}
	if m.DNN, err = dnnFromIE(f.DNN); err != nil {
		return nil, err
	}
	return m, nil
}

// PDUSessionEstablishmentReject is PDU SESSION ESTABLISHMENT REJECT
// (TS 24.501 §8.3.3), e.g. cause #27 missing or unknown DNN, #29 user
// authentication or authorization failed.
type PDUSessionEstablishmentReject struct {
	GSMHeader
	Cause uint8
}

func (*PDUSessionEstablishmentReject) EPD() uint8 { return EPD5GSM }
func (*PDUSessionEstablishmentReject) MessageType() MessageType {
	return MsgPDUSessionEstablishmentReject
}

// Build returns the plain NAS encoding.
func (m *PDUSessionEstablishmentReject) Build() ([]byte, error) {
	var f nasMessage.PDUSessionEstablishmentReject
	f.ExtendedProtocolDiscriminator, f.PDUSessionID, f.PTI, f.PDUSESSIONESTABLISHMENTREJECTMessageIdentity.Octet = gsmHeader(m.GSMHeader, MsgPDUSessionEstablishmentReject)
	f.Cause5GSM.Octet = m.Cause
	return encode(f.EncodePDUSessionEstablishmentReject)
}

func parsePDUSessionEstablishmentReject(b []byte) (*PDUSessionEstablishmentReject, error) {
	var f nasMessage.PDUSessionEstablishmentReject
	if err := decode(b, f.DecodePDUSessionEstablishmentReject); err != nil {
		return nil, err
	}
	return &PDUSessionEstablishmentReject{
		GSMHeader: GSMHeader{PDUSessionID: f.PDUSessionID.Octet, PTI: f.PTI.Octet},
		Cause:     f.Cause5GSM.Octet,
	}, nil
}

// PDUSessionReleaseRequest is PDU SESSION RELEASE REQUEST (TS 24.501 §8.3.12).
type PDUSessionReleaseRequest struct {
	GSMHeader
	Cause *uint8 // 5GSM cause; nil = absent
}

func (*PDUSessionReleaseRequest) EPD() uint8               { return EPD5GSM }
func (*PDUSessionReleaseRequest) MessageType() MessageType { return MsgPDUSessionReleaseRequest }

// Build returns the plain NAS encoding.
func (m *PDUSessionReleaseRequest) Build() ([]byte, error) {
	var f nasMessage.PDUSessionReleaseRequest
	f.ExtendedProtocolDiscriminator, f.PDUSessionID, f.PTI, f.PDUSESSIONRELEASEREQUESTMessageIdentity.Octet = gsmHeader(m.GSMHeader, MsgPDUSessionReleaseRequest)
	if m.Cause != nil {
		f.Cause5GSM = &nasType.Cause5GSM{Iei: nasMessage.PDUSessionReleaseRequestCause5GSMType, Octet: *m.Cause}
	}
	return encode(f.EncodePDUSessionReleaseRequest)
}

func parsePDUSessionReleaseRequest(b []byte) (*PDUSessionReleaseRequest, error) {
	var f nasMessage.PDUSessionReleaseRequest
	if err := decode(b, f.DecodePDUSessionReleaseRequest); err != nil {
		return nil, err
	}
	m := &PDUSessionReleaseRequest{GSMHeader: GSMHeader{PDUSessionID: f.PDUSessionID.Octet, PTI: f.PTI.Octet}}
	if f.Cause5GSM != nil {
		m.Cause = causePtr(f.Cause5GSM.Octet)
	}
	return m, nil
}

// PDUSessionReleaseCommand is PDU SESSION RELEASE COMMAND (TS 24.501 §8.3.14).
type PDUSessionReleaseCommand struct {
	GSMHeader
	Cause uint8 // e.g. GSMCauseRegularDeactivation
}

func (*PDUSessionReleaseCommand) EPD() uint8               { return EPD5GSM }
func (*PDUSessionReleaseCommand) MessageType() MessageType { return MsgPDUSessionReleaseCommand }

// Build returns the plain NAS encoding.
func (m *PDUSessionReleaseCommand) Build() ([]byte, error) {
	var f nasMessage.PDUSessionReleaseCommand
	f.ExtendedProtocolDiscriminator, f.PDUSessionID, f.PTI, f.PDUSESSIONRELEASECOMMANDMessageIdentity.Octet = gsmHeader(m.GSMHeader, MsgPDUSessionReleaseCommand)
	f.Cause5GSM.Octet = m.Cause
	return encode(f.EncodePDUSessionReleaseCommand)
}

func parsePDUSessionReleaseCommand(b []byte) (*PDUSessionReleaseCommand, error) {
	var f nasMessage.PDUSessionReleaseCommand
	if err := decode(b, f.DecodePDUSessionReleaseCommand); err != nil {
		return nil, err
	}
	return &PDUSessionReleaseCommand{
		GSMHeader: GSMHeader{PDUSessionID: f.PDUSessionID.Octet, PTI: f.PTI.Octet},
		Cause:     f.Cause5GSM.Octet,
	}, nil
}

// PDUSessionReleaseComplete is PDU SESSION RELEASE COMPLETE (TS 24.501 §8.3.15).
type PDUSessionReleaseComplete struct {
	GSMHeader
	Cause *uint8 // 5GSM cause; nil = absent
}

func (*PDUSessionReleaseComplete) EPD() uint8               { return EPD5GSM }
func (*PDUSessionReleaseComplete) MessageType() MessageType { return MsgPDUSessionReleaseComplete }

// Build returns the plain NAS encoding.
func (m *PDUSessionReleaseComplete) Build() ([]byte, error) {
	var f nasMessage.PDUSessionReleaseComplete
	f.ExtendedProtocolDiscriminator, f.PDUSessionID, f.PTI, f.PDUSESSIONRELEASECOMPLETEMessageIdentity.Octet = gsmHeader(m.GSMHeader, MsgPDUSessionReleaseComplete)
	if m.Cause != nil {
		f.Cause5GSM = &nasType.Cause5GSM{Iei: nasMessage.PDUSessionReleaseCompleteCause5GSMType, Octet: *m.Cause}
	}
	return encode(f.EncodePDUSessionReleaseComplete)
}

func parsePDUSessionReleaseComplete(b []byte) (*PDUSessionReleaseComplete, error) {
	var f nasMessage.PDUSessionReleaseComplete
	if err := decode(b, f.DecodePDUSessionReleaseComplete); err != nil {
		return nil, err
	}
	m := &PDUSessionReleaseComplete{GSMHeader: GSMHeader{PDUSessionID: f.PDUSessionID.Octet, PTI: f.PTI.Octet}}
	if f.Cause5GSM != nil {
		m.Cause = causePtr(f.Cause5GSM.Octet)
	}
	return m, nil
}

// Status5GSM is 5GSM STATUS (TS 24.501 §8.3.16).
type Status5GSM struct {
	GSMHeader
	Cause uint8
}

func (*Status5GSM) EPD() uint8               { return EPD5GSM }
func (*Status5GSM) MessageType() MessageType { return MsgStatus5GSM }

// Build returns the plain NAS encoding.
func (m *Status5GSM) Build() ([]byte, error) {
	var f nasMessage.Status5GSM
	f.ExtendedProtocolDiscriminator, f.PDUSessionID, f.PTI, f.STATUSMessageIdentity5GSM.Octet = gsmHeader(m.GSMHeader, MsgStatus5GSM)
	f.Cause5GSM.Octet = m.Cause
	return encode(f.EncodeStatus5GSM)
}

func parseStatus5GSM(b []byte) (*Status5GSM, error) {
	var f nasMessage.Status5GSM
	if err := decode(b, f.DecodeStatus5GSM); err != nil {
		return nil, err
	}
	return &Status5GSM{
		GSMHeader: GSMHeader{PDUSessionID: f.PDUSessionID.Octet, PTI: f.PTI.Octet},
		Cause:     f.Cause5GSM.Octet,
	}, nil
}
