package nasx

import (
	"github.com/free5gc/nas/nasMessage"
	"github.com/free5gc/nas/nasType"
)

// 5GS registration type values (TS 24.501 §9.11.3.7).
const (
	RegistrationInitial   uint8 = 1
	RegistrationMobility  uint8 = 2
	RegistrationPeriodic  uint8 = 3
	RegistrationEmergency uint8 = 4
)

// 5GS registration result values (TS 24.501 §9.11.3.6).
const (
	RegistrationResult3GPP    uint8 = 1
	RegistrationResultNon3GPP uint8 = 2
	RegistrationResultBoth    uint8 = 3
)

// RegistrationRequest is REGISTRATION REQUEST (TS 24.501 §8.2.6).
type RegistrationRequest struct {
	RegistrationType uint8 // RegistrationInitial, ...
	FollowOnRequest  bool
	NgKSI            NgKSI
	// MobileIdentity is the 5GS mobile identity contents: SUCI (from
	// internal/suci) or 5G-GUTI (GUTI.MobileIdentity).
	MobileIdentity       []byte
	UESecurityCapability UESecurityCapability // nil = absent
	RequestedNSSAI       []SNSSAI             // empty = absent
	NASMessageContainer  []byte               // nil = absent
}

func (*RegistrationRequest) EPD() uint8               { return EPD5GMM }
func (*RegistrationRequest) MessageType() MessageType { return MsgRegistrationRequest }

// Build returns the plain NAS encoding.
func (m *RegistrationRequest) Build() ([]byte, error) {
	var f nasMessage.RegistrationRequest
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.RegistrationRequestMessageIdentity.Octet = gmmHeader(MsgRegistrationRequest)
	f.NgksiAndRegistrationType5GS.Octet = m.NgKSI.nibble()<<4 | m.RegistrationType&7
	if m.FollowOnRequest {
		f.NgksiAndRegistrationType5GS.Octet |= 0x08
	}
	if err := checkLen("RegistrationRequest.MobileIdentity", m.MobileIdentity, 1, 0xffff); err != nil {
		return nil, err
	}
	f.MobileIdentity5GS = nasType.MobileIdentity5GS{Len: uint16(len(m.MobileIdentity)), Buffer: m.MobileIdentity}
	if m.UESecurityCapability != nil {
		if err := checkLen("RegistrationRequest.UESecurityCapability", m.UESecurityCapability, 2, 8); err != nil {
			return nil, err
		}
		f.UESecurityCapability = &nasType.UESecurityCapability{Iei: nasMessage.RegistrationRequestUESecurityCapabilityType,
			Len: uint8(len(m.UESecurityCapability)), Buffer: m.UESecurityCapability}
	}
	if len(m.RequestedNSSAI) > 0 {
		b := encodeNSSAI(m.RequestedNSSAI)
		if err := checkLen("RegistrationRequest.RequestedNSSAI", b, 2, 72); err != nil {
			return nil, err
		}
		f.RequestedNSSAI = &nasType.RequestedNSSAI{Iei: nasMessage.RegistrationRequestRequestedNSSAIType, Len: uint8(len(b)), Buffer: b}
	}
	var err error
	if f.NASMessageContainer, err = nasContainerIE(nasMessage.RegistrationRequestNASMessageContainerType, m.NASMessageContainer); err != nil {
		return nil, err
	}
	return encode(f.EncodeRegistrationRequest)
}

func parseRegistrationRequest(b []byte) (*RegistrationRequest, error) {
	var f nasMessage.RegistrationRequest
	if err := decode(b, f.DecodeRegistrationRequest); err != nil {
		return nil, err
	}
	o := f.NgksiAndRegistrationType5GS.Octet
	m := &RegistrationRequest{
		RegistrationType:    o & 7,
		FollowOnRequest:     o&0x08 != 0,
		NgKSI:               ngKSIFromNibble(o >> 4),
		MobileIdentity:      cloneBytes(f.MobileIdentity5GS.Buffer),
		NASMessageContainer: nasContainerBytes(f.NASMessageContainer),
	}
	if f.UESecurityCapability != nil {
		m.UESecurityCapability = UESecurityCapability(cloneBytes(f.UESecurityCapability.Buffer))
	}
	if f.RequestedNSSAI != nil {
		l, err := decodeNSSAI(f.RequestedNSSAI.Buffer)
		if err != nil {
			return nil, err
		}
		m.RequestedNSSAI = l
	}
	return m, nil
}

// RegistrationAccept is REGISTRATION ACCEPT (TS 24.501 §8.2.7).
type RegistrationAccept struct {
	Result     uint8 // RegistrationResult3GPP, ...
	SMSAllowed bool
	// GUTI is 5GS mobile identity contents of type 5G-GUTI (11 octets,
	// GUTI.MobileIdentity); nil = absent.
	GUTI         []byte
	TAIList      []TAI       // empty = absent
	AllowedNSSAI []SNSSAI    // empty = absent
	T3512        *GPRSTimer3 // nil = absent
	T3502        *GPRSTimer2 // nil = absent
}

func (*RegistrationAccept) EPD() uint8               { return EPD5GMM }
func (*RegistrationAccept) MessageType() MessageType { return MsgRegistrationAccept }

// Build returns the plain NAS encoding.
func (m *RegistrationAccept) Build() ([]byte, error) {
	var f nasMessage.RegistrationAccept
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.RegistrationAcceptMessageIdentity.Octet = gmmHeader(MsgRegistrationAccept)
	f.RegistrationResult5GS = nasType.RegistrationResult5GS{Len: 1, Octet: m.Result & 7}
	if m.SMSAllowed {
		f.RegistrationResult5GS.Octet |= 0x08
	}
	if m.GUTI != nil {
		if len(m.GUTI) != GUTIIdentityLen {
			return nil, invalid("RegistrationAccept.GUTI: %d octets, want %d", len(m.GUTI), GUTIIdentityLen)
		}
		f.GUTI5G = &nasType.GUTI5G{Iei: nasMessage.RegistrationAcceptGUTI5GType, Len: GUTIIdentityLen}
		copy(f.GUTI5G.Octet[:], m.GUTI)
	}
	if len(m.TAIList) > 0 {
		b := encodeTAIList(m.TAIList)
		if err := checkLen("RegistrationAccept.TAIList", b, 7, 112); err != nil {
			return nil, err
		}
		f.TAIList = &nasType.TAIList{Iei: nasMessage.RegistrationAcceptTAIListType, Len: uint8(len(b)), Buffer: b}
	}
	if len(m.AllowedNSSAI) > 0 {
		b := encodeNSSAI(m.AllowedNSSAI)
		if err := checkLen("RegistrationAccept.AllowedNSSAI", b, 2, 144); err != nil {
			return nil, err
		}
		f.AllowedNSSAI = &nasType.AllowedNSSAI{Iei: nasMessage.RegistrationAcceptAllowedNSSAIType, Len: uint8(len(b)), Buffer: b}
	}
	if m.T3512 != nil {
		f.T3512Value = &nasType.T3512Value{Iei: nasMessage.RegistrationAcceptT3512ValueType, Len: 1, Octet: uint8(*m.T3512)}
	}
	if m.T3502 != nil {
		f.T3502Value = &nasType.T3502Value{Iei: nasMessage.RegistrationAcceptT3502ValueType, Len: 1, Octet: uint8(*m.T3502)}
	}
	return encode(f.EncodeRegistrationAccept)
}

func parseRegistrationAccept(b []byte) (*RegistrationAccept, error) {
	var f nasMessage.RegistrationAccept
	if err := decode(b, f.DecodeRegistrationAccept); err != nil {
		return nil, err
	}
	m := &RegistrationAccept{Result: f.RegistrationResult5GS.Octet & 7, SMSAllowed: f.RegistrationResult5GS.Octet&0x08 != 0}
	if f.GUTI5G != nil {
		m.GUTI = cloneBytes(f.GUTI5G.Octet[:])
	}
	var err error
	if f.TAIList != nil {
		if m.TAIList, err = decodeTAIList(f.TAIList.Buffer); err != nil {
			return nil, err
		}
	}
	if f.AllowedNSSAI != nil {
		if m.AllowedNSSAI, err = decodeNSSAI(f.AllowedNSSAI.Buffer); err != nil {
			return nil, err
		}
	}
	if f.T3512Value != nil {
		m.T3512 = timer3Ptr(f.T3512Value.Octet)
	}
	if f.T3502Value != nil {
		m.T3502 = timer2Ptr(f.T3502Value.Octet)
	}
	return m, nil
}

// RegistrationComplete is REGISTRATION COMPLETE (TS 24.501 §8.2.8).
type RegistrationComplete struct{}

func (*RegistrationComplete) EPD() uint8               { return EPD5GMM }
func (*RegistrationComplete) MessageType() MessageType { return MsgRegistrationComplete }

// Build returns the plain NAS encoding.
func (m *RegistrationComplete) Build() ([]byte, error) {
	var f nasMessage.RegistrationComplete
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.RegistrationCompleteMessageIdentity.Octet = gmmHeader(MsgRegistrationComplete)
	return encode(f.EncodeRegistrationComplete)
}

func parseRegistrationComplete(b []byte) (*RegistrationComplete, error) {
	var f nasMessage.RegistrationComplete
	if err := decode(b, f.DecodeRegistrationComplete); err != nil {
		return nil, err
	}
	return &RegistrationComplete{}, nil
}

// RegistrationReject is REGISTRATION REJECT (TS 24.501 §8.2.9).
type RegistrationReject struct {
	Cause uint8       // 5GMM cause, e.g. CauseIllegalUE
	T3346 *GPRSTimer2 // nil = absent (back-off with CauseCongestion)
	T3502 *GPRSTimer2 // nil = absent
}

func (*RegistrationReject) EPD() uint8               { return EPD5GMM }
func (*RegistrationReject) MessageType() MessageType { return MsgRegistrationReject }

// Build returns the plain NAS encoding.
func (m *RegistrationReject) Build() ([]byte, error) {
	var f nasMessage.RegistrationReject
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.RegistrationRejectMessageIdentity.Octet = gmmHeader(MsgRegistrationReject)
	f.Cause5GMM.Octet = m.Cause
	if m.T3346 != nil {
		f.T3346Value = &nasType.T3346Value{Iei: nasMessage.RegistrationRejectT3346ValueType, Len: 1, Octet: uint8(*m.T3346)}
	}
	if m.T3502 != nil {
		f.T3502Value = &nasType.T3502Value{Iei: nasMessage.RegistrationRejectT3502ValueType, Len: 1, Octet: uint8(*m.T3502)}
	}
	return encode(f.EncodeRegistrationReject)
}

func parseRegistrationReject(b []byte) (*RegistrationReject, error) {
	var f nasMessage.RegistrationReject
	if err := decode(b, f.DecodeRegistrationReject); err != nil {
		return nil, err
	}
	m := &RegistrationReject{Cause: f.Cause5GMM.Octet}
	if f.T3346Value != nil {
		m.T3346 = timer2Ptr(f.T3346Value.Octet)
	}
	if f.T3502Value != nil {
		m.T3502 = timer2Ptr(f.T3502Value.Octet)
	}
	return m, nil
}
