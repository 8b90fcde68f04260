package nasx

import (
	"github.com/free5gc/nas/nasMessage"
	"github.com/free5gc/nas/nasType"
)

// Service type values (TS 24.501 §9.11.3.50).
const (
	ServiceSignalling         uint8 = 0
	ServiceData               uint8 = 1
	ServiceMobileTerminated   uint8 = 2
	ServiceEmergency          uint8 = 3
	ServiceEmergencyFallback  uint8 = 4
	ServiceHighPriorityAccess uint8 = 5
)

// ServiceRequest is SERVICE REQUEST (TS 24.501 §8.2.16), minimal.
type ServiceRequest struct {
	ServiceType uint8
	NgKSI       NgKSI
	// STMSI is 5GS mobile identity contents of type 5G-S-TMSI (7 octets,
	// STMSI.MobileIdentity).
	STMSI               []byte
	NASMessageContainer []byte // nil = absent
}

func (*ServiceRequest) EPD() uint8               { return EPD5GMM }
func (*ServiceRequest) MessageType() MessageType { return MsgServiceRequest }

// Build returns the plain NAS encoding.
func (m *ServiceRequest) Build() ([]byte, error) {
	var f nasMessage.ServiceRequest
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.ServiceRequestMessageIdentity.Octet = gmmHeader(MsgServiceRequest)
	f.ServiceTypeAndNgksi.Octet = (m.ServiceType&0x0f)<<4 | m.NgKSI.nibble()
	if err := checkLen("ServiceRequest.STMSI", m.STMSI, STMSIIdentityLen, STMSIIdentityLen); err != nil {
		return nil, err
	}
	f.TMSI5GS = nasType.TMSI5GS{Len: STMSIIdentityLen}
	copy(f.TMSI5GS.Octet[:], m.STMSI)
	var err error
	if f.NASMessageContainer, err = nasContainerIE(nasMessage.ServiceRequestNASMessageContainerType, m.NASMessageContainer); err != nil {
		return nil, err
	}
	return encode(f.EncodeServiceRequest)
}

func parseServiceRequest(b []byte) (*ServiceRequest, error) {
	var f nasMessage.ServiceRequest
	if err := decode(b, f.DecodeServiceRequest); err != nil {
		return nil, err
	}
	return &ServiceRequest{
		ServiceType:         f.ServiceTypeAndNgksi.Octet >> 4,
		NgKSI:               ngKSIFromNibble(f.ServiceTypeAndNgksi.Octet & 0x0f),
		STMSI:               cloneBytes(f.TMSI5GS.Octet[:]),
		NASMessageContainer: nasContainerBytes(f.NASMessageContainer),
	}, nil
}

// ServiceAccept is SERVICE ACCEPT (TS 24.501 §8.2.17), minimal: no IEs.
type ServiceAccept struct{}

func (*ServiceAccept) EPD() uint8               { return EPD5GMM }
func (*ServiceAccept) MessageType() MessageType { return MsgServiceAccept }

// Build returns the plain NAS encoding.
func (m *ServiceAccept) Build() ([]byte, error) {
	var f nasMessage.ServiceAccept
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.ServiceAcceptMessageIdentity.Octet = gmmHeader(MsgServiceAccept)
	return encode(f.EncodeServiceAccept)
}

func parseServiceAccept(b []byte) (*ServiceAccept, error) {
	var f nasMessage.ServiceAccept
	if err := decode(b, f.DecodeServiceAccept); err != nil {
		return nil, err
	}
	return &ServiceAccept{}, nil
}

// ServiceReject is SERVICE REJECT (TS 24.501 §8.2.18), minimal.
type ServiceReject struct {
	Cause uint8
	T3346 *GPRSTimer2 // nil = absent
}

func (*ServiceReject) EPD() uint8               { return EPD5GMM }
func (*ServiceReject) MessageType() MessageType { return MsgServiceReject }

// Build returns the plain NAS encoding.
func (m *ServiceReject) Build() ([]byte, error) {
	var f nasMessage.ServiceReject
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.ServiceRejectMessageIdentity.Octet = gmmHeader(MsgServiceReject)
	f.Cause5GMM.Octet = m.Cause
	if m.T3346 != nil {
		f.T3346Value = &nasType.T3346Value{Iei: nasMessage.ServiceRejectT3346ValueType, Len: 1, Octet: uint8(*m.T3346)}
	}
	return encode(f.EncodeServiceReject)
}

func parseServiceReject(b []byte) (*ServiceReject, error) {
	var f nasMessage.ServiceReject
	if err := decode(b, f.DecodeServiceReject); err != nil {
		return nil, err
	}
	m := &ServiceReject{Cause: f.Cause5GMM.Octet}
	if f.T3346Value != nil {
		m.T3346 = timer2Ptr(f.T3346Value.Octet)
	}
	return m, nil
}
