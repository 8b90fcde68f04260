package nasx

import (
	"github.com/free5gc/nas/nasMessage"
	"github.com/free5gc/nas/nasType"
)

// Access types in the de-registration type (TS 24.501 §9.11.3.20).
const (
	Access3GPP    uint8 = 1
	AccessNon3GPP uint8 = 2
	AccessBoth    uint8 = 3
)

// DeregistrationRequestUEOriginating is DEREGISTRATION REQUEST (UE
// originating de-registration) (TS 24.501 §8.2.12).
type DeregistrationRequestUEOriginating struct {
	SwitchOff  bool
	AccessType uint8 // Access3GPP, ...
	NgKSI      NgKSI
	// MobileIdentity is the 5G-GUTI, or the SUCI when no GUTI was assigned.
	MobileIdentity []byte
}

func (*DeregistrationRequestUEOriginating) EPD() uint8 { return EPD5GMM }
func (*DeregistrationRequestUEOriginating) MessageType() MessageType {
	return MsgDeregistrationRequestUEOriginating
}

// Build returns the plain NAS encoding.
func (m *DeregistrationRequestUEOriginating) Build() ([]byte, error) {
	var f nasMessage.DeregistrationRequestUEOriginatingDeregistration
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.DeregistrationRequestMessageIdentity.Octet = gmmHeader(MsgDeregistrationRequestUEOriginating)
	o := m.NgKSI.nibble()<<4 | m.AccessType&3
	if m.SwitchOff {
		o |= 0x08
	}
	f.NgksiAndDeregistrationType.Octet = o
	if err := checkLen("DeregistrationRequestUEOriginating.MobileIdentity", m.MobileIdentity, 1, 0xffff); err != nil {
		return nil, err
	}
	f.MobileIdentity5GS = nasType.MobileIdentity5GS{Len: uint16(len(m.MobileIdentity)), Buffer: m.MobileIdentity}
	return encode(f.EncodeDeregistrationRequestUEOriginatingDeregistration)
}

func parseDeregistrationRequestUEOriginating(b []byte) (*DeregistrationRequestUEOriginating, error) {
	var f nasMessage.DeregistrationRequestUEOriginatingDeregistration
	if err := decode(b, f.DecodeDeregistrationRequestUEOriginatingDeregistration); err != nil {
		return nil, err
	}
	o := f.NgksiAndDeregistrationType.Octet
	return &DeregistrationRequestUEOriginating{
		SwitchOff:      o&0x08 != 0,
		AccessType:     o & 3,
		NgKSI:          ngKSIFromNibble(o >> 4),
		MobileIdentity: cloneBytes(f.MobileIdentity5GS.Buffer),
	}, nil
}

// DeregistrationAcceptUEOriginating is DEREGISTRATION ACCEPT (UE
// originating de-registration) (TS 24.501 §8.2.13).
type DeregistrationAcceptUEOriginating struct{}

func (*DeregistrationAcceptUEOriginating) EPD() uint8 { return EPD5GMM }
func (*DeregistrationAcceptUEOriginating) MessageType() MessageType {
	return MsgDeregistrationAcceptUEOriginating
}

// Build returns the plain NAS encoding.
func (m *DeregistrationAcceptUEOriginating) Build() ([]byte, error) {
	var f nasMessage.DeregistrationAcceptUEOriginatingDeregistration
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.DeregistrationAcceptMessageIdentity.Octet = gmmHeader(MsgDeregistrationAcceptUEOriginating)
	return encode(f.EncodeDeregistrationAcceptUEOriginatingDeregistration)
}

func parseDeregistrationAcceptUEOriginating(b []byte) (*DeregistrationAcceptUEOriginating, error) {
	var f nasMessage.DeregistrationAcceptUEOriginatingDeregistration
	if err := decode(b, f.DecodeDeregistrationAcceptUEOriginatingDeregistration); err != nil {
		return nil, err
	}
	return &DeregistrationAcceptUEOriginating{}, nil
}

// DeregistrationRequestUETerminated is DEREGISTRATION REQUEST (UE
// terminated de-registration) (TS 24.501 §8.2.14): the network-initiated
// de-registration used after deprovisioning.
type DeregistrationRequestUETerminated struct {
	ReRegistrationRequired bool
	AccessType             uint8       // Access3GPP, ...
	Cause                  *uint8      // 5GMM cause (IEI 0x58), e.g. CauseIllegalUE; nil = absent
	T3346                  *GPRSTimer2 // nil = absent
}

func (*DeregistrationRequestUETerminated) EPD() uint8 { return EPD5GMM }
func (*DeregistrationRequestUETerminated) MessageType() MessageType {
	return MsgDeregistrationRequestUETerminated
}

// Build returns the plain NAS encoding.
func (m *DeregistrationRequestUETerminated) Build() ([]byte, error) {
	var f nasMessage.DeregistrationRequestUETerminatedDeregistration
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.DeregistrationRequestMessageIdentity.Octet = gmmHeader(MsgDeregistrationRequestUETerminated)
	o := m.AccessType & 3
	if m.ReRegistrationRequired {
		o |= 0x04
	}
	f.SpareHalfOctetAndDeregistrationType.Octet = o
	if m.Cause != nil {
		f.Cause5GMM = &nasType.Cause5GMM{Iei: nasMessage.DeregistrationRequestUETerminatedDeregistrationCause5GMMType, Octet: *m.Cause}
	}
	if m.T3346 != nil {
		f.T3346Value = &nasType.T3346Value{Iei: nasMessage.DeregistrationRequestUETerminatedDeregistrationT3346ValueType, Len: 1, Octet: uint8(*m.T3346)}
	}
	return encode(f.EncodeDeregistrationRequestUETerminatedDeregistration)
}

func parseDeregistrationRequestUETerminated(b []byte) (*DeregistrationRequestUETerminated, error) {
	var f nasMessage.DeregistrationRequestUETerminatedDeregistration
	if err := decode(b, f.DecodeDeregistrationRequestUETerminatedDeregistration); err != nil {
		return nil, err
	}
	o := f.SpareHalfOctetAndDeregistrationType.Octet
	m := &DeregistrationRequestUETerminated{ReRegistrationRequired: o&0x04 != 0, AccessType: o & 3}
	if f.Cause5GMM != nil {
		m.Cause = causePtr(f.Cause5GMM.Octet)
	}
	if f.T3346Value != nil {
		m.T3346 = timer2Ptr(f.T3346Value.Octet)
	}
	return m, nil
}

// DeregistrationAcceptUETerminated is DEREGISTRATION ACCEPT (UE terminated
// de-registration) (TS 24.501 §8.2.15).
type DeregistrationAcceptUETerminated struct{}

func (*DeregistrationAcceptUETerminated) EPD() uint8 { return EPD5GMM }
func (*DeregistrationAcceptUETerminated) MessageType() MessageType {
	return MsgDeregistrationAcceptUETerminated
}

// Build returns the plain NAS encoding.
func (m *DeregistrationAcceptUETerminated) Build() ([]byte, error) {
	var f nasMessage.DeregistrationAcceptUETerminatedDeregistration
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.DeregistrationAcceptMessageIdentity.Octet = gmmHeader(MsgDeregistrationAcceptUETerminated)
	return encode(f.EncodeDeregistrationAcceptUETerminatedDeregistration)
}

func parseDeregistrationAcceptUETerminated(b []byte) (*DeregistrationAcceptUETerminated, error) {
	var f nasMessage.DeregistrationAcceptUETerminatedDeregistration
	if err := decode(b, f.DecodeDeregistrationAcceptUETerminatedDeregistration); err != nil {
		return nil, err
	}
	return &DeregistrationAcceptUETerminated{}, nil
}
