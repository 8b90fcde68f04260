package nasx

import (
	"github.com/free5gc/nas/nasMessage"
	"github.com/free5gc/nas/nasType"
)

// Payload container types (TS 24.501 §9.11.3.40).
const (
	PayloadN1SM            uint8 = 0x01
	PayloadSMS             uint8 = 0x02
	PayloadLPP             uint8 = 0x03
	PayloadSOR             uint8 = 0x04
	PayloadUEPolicy        uint8 = 0x05
	PayloadUEParameters    uint8 = 0x06
	PayloadMultiplePayload uint8 = 0x0f
)

// Request type values (TS 24.501 §9.11.3.47).
const (
	RequestInitial                  uint8 = 1
	RequestExistingPDUSession       uint8 = 2
	RequestInitialEmergency         uint8 = 3
	RequestExistingEmergencySession uint8 = 4
	RequestModification             uint8 = 5
)

// ULNASTransport is UL NAS TRANSPORT (TS 24.501 §8.2.10): carries a 5GSM
// message (PayloadN1SM) from the UE to the AMF.
type ULNASTransport struct {
	PayloadContainerType uint8 // PayloadN1SM, ...
	Payload              []byte
	PDUSessionID         uint8   // 1..15; 0 = absent
	RequestType          uint8   // RequestInitial, ...; 0 = absent
	SNSSAI               *SNSSAI // nil = absent
	DNN                  string  // "" = absent
}

func (*ULNASTransport) EPD() uint8               { return EPD5GMM }
func (*ULNASTransport) MessageType() MessageType { return MsgULNASTransport }

// Build returns the plain NAS encoding.
func (m *ULNASTransport) Build() ([]byte, error) {
	var f nasMessage.ULNASTransport
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.ULNASTRANSPORTMessageIdentity.Octet = gmmHeader(MsgULNASTransport)
	f.SpareHalfOctetAndPayloadContainerType.Octet = m.PayloadContainerType & 0x0f
	if err := checkLen("ULNASTransport.Payload", m.Payload, 1, 0xffff); err != nil {
		return nil, err
	}
	f.PayloadContainer = nasType.PayloadContainer{Len: uint16(len(m.Payload)), Buffer: m.Payload}
	if m.PDUSessionID != 0 {
		f.PduSessionID2Value = &nasType.PduSessionID2Value{Iei: nasMessage.ULNASTransportPduSessionID2ValueType, Octet: m.PDUSessionID}
	}
	if m.RequestType != 0 {
		f.RequestType = &nasType.RequestType{Octet: nasMessage.ULNASTransportRequestTypeType<<4 | m.RequestType&7}
	}
	f.SNSSAI = snssaiIE(nasMessage.ULNASTransportSNSSAIType, m.SNSSAI)
	var err error
	if f.DNN, err = dnnIE(nasMessage.ULNASTransportDNNType, m.DNN); err != nil {
		return nil, err
	}
	return encode(f.EncodeULNASTransport)
}

func parseULNASTransport(b []byte) (*ULNASTransport, error) {
	var f nasMessage.ULNASTransport
	if err := decode(b, f.DecodeULNASTransport); err != nil {
		return nil, err
	}
	m := &ULNASTransport{
		PayloadContainerType: f.SpareHalfOctetAndPayloadContainerType.Octet & 0x0f,
		Payload:              cloneBytes(f.PayloadContainer.Buffer),
	}
	if f.PduSessionID2Value != nil {
		m.PDUSessionID = f.PduSessionID2Value.Octet
	}
	if f.RequestType != nil {
		m.RequestType = f.RequestType.Octet & 7
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

// DLNASTransport is DL NAS TRANSPORT (TS 24.501 §8.2.11): carries a 5GSM
// message (PayloadN1SM) from the AMF to the UE, or tells the UE a payload
// could not be forwarded (Cause).
type DLNASTransport struct {
	PayloadContainerType uint8
	Payload              []byte
	PDUSessionID         uint8  // 1..15; 0 = absent
	Cause                *uint8 // 5GMM cause, e.g. CausePayloadNotForwarded; nil = absent
}

func (*DLNASTransport) EPD() uint8               { return EPD5GMM }
func (*DLNASTransport) MessageType() MessageType { return MsgDLNASTransport }

// Build returns the plain NAS encoding.
func (m *DLNASTransport) Build() ([]byte, error) {
	var f nasMessage.DLNASTransport
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.DLNASTRANSPORTMessageIdentity.Octet = gmmHeader(MsgDLNASTransport)
	f.SpareHalfOctetAndPayloadContainerType.Octet = m.PayloadContainerType & 0x0f
	if err := checkLen("DLNASTransport.Payload", m.Payload, 1, 0xffff); err != nil {
		return nil, err
	}
	f.PayloadContainer = nasType.PayloadContainer{Len: uint16(len(m.Payload)), Buffer: m.Payload}
	if m.PDUSessionID != 0 {
		f.PduSessionID2Value = &nasType.PduSessionID2Value{Iei: nasMessage.DLNASTransportPduSessionID2ValueType, Octet: m.PDUSessionID}
	}
	if m.Cause != nil {
		f.Cause5GMM = &nasType.Cause5GMM{Iei: nasMessage.DLNASTransportCause5GMMType, Octet: *m.Cause}
	}
	return encode(f.EncodeDLNASTransport)
}

func parseDLNASTransport(b []byte) (*DLNASTransport, error) {
	var f nasMessage.DLNASTransport
	if err := decode(b, f.DecodeDLNASTransport); err != nil {
		return nil, err
	}
	m := &DLNASTransport{
		PayloadContainerType: f.SpareHalfOctetAndPayloadContainerType.Octet & 0x0f,
		Payload:              cloneBytes(f.PayloadContainer.Buffer),
	}
	if f.PduSessionID2Value != nil {
		m.PDUSessionID = f.PduSessionID2Value.Octet
	}
	if f.Cause5GMM != nil {
		m.Cause = causePtr(f.Cause5GMM.Octet)
	}
	return m, nil
}
