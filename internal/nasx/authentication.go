package nasx

import (
	"github.com/free5gc/nas/nasMessage"
	"github.com/free5gc/nas/nasType"
)

// AuthenticationRequest is AUTHENTICATION REQUEST (TS 24.501 §8.2.1).
// RAND and AUTN are present for 5G-AKA; EAPMessage for EAP-AKA'.
type AuthenticationRequest struct {
	NgKSI      NgKSI
	ABBA       []byte // at least 2 octets; 0x0000 in this release
	RAND       []byte // 16 octets; nil = absent
	AUTN       []byte // 16 octets (SQN xor AK || AMF || MAC); nil = absent
	EAPMessage []byte // nil = absent
}

func (*AuthenticationRequest) EPD() uint8               { return EPD5GMM }
func (*AuthenticationRequest) MessageType() MessageType { return MsgAuthenticationRequest }

// Build returns the plain NAS encoding.
func (m *AuthenticationRequest) Build() ([]byte, error) {
	var f nasMessage.AuthenticationRequest
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.AuthenticationRequestMessageIdentity.Octet = gmmHeader(MsgAuthenticationRequest)
	f.SpareHalfOctetAndNgksi.Octet = m.NgKSI.nibble()
	if err := checkLen("AuthenticationRequest.ABBA", m.ABBA, 2, 255); err != nil {
		return nil, err
	}
	f.ABBA = nasType.ABBA{Len: uint8(len(m.ABBA)), Buffer: m.ABBA}
	if m.RAND != nil {
		if err := checkLen("AuthenticationRequest.RAND", m.RAND, 16, 16); err != nil {
			return nil, err
		}
		f.AuthenticationParameterRAND = &nasType.AuthenticationParameterRAND{Iei: nasMessage.AuthenticationRequestAuthenticationParameterRANDType}
		copy(f.AuthenticationParameterRAND.Octet[:], m.RAND)
	}
	if m.AUTN != nil {
		if err := checkLen("AuthenticationRequest.AUTN", m.AUTN, 16, 16); err != nil {
			return nil, err
		}
		f.AuthenticationParameterAUTN = &nasType.AuthenticationParameterAUTN{Iei: nasMessage.AuthenticationRequestAuthenticationParameterAUTNType, Len: 16}
		copy(f.AuthenticationParameterAUTN.Octet[:], m.AUTN)
	}
	var err error
	if f.EAPMessage, err = eapIE(nasMessage.AuthenticationRequestEAPMessageType, m.EAPMessage); err != nil {
		return nil, err
	}
	return encode(f.EncodeAuthenticationRequest)
}

func parseAuthenticationRequest(b []byte) (*AuthenticationRequest, error) {
	var f nasMessage.AuthenticationRequest
	if err := decode(b, f.DecodeAuthenticationRequest); err != nil {
		return nil, err
	}
	m := &AuthenticationRequest{
		NgKSI:      ngKSIFromNibble(f.SpareHalfOctetAndNgksi.Octet),
		ABBA:       cloneBytes(f.ABBA.Buffer),
		EAPMessage: eapBytes(f.EAPMessage),
	}
	if f.AuthenticationParameterRAND != nil {
		m.RAND = cloneBytes(f.AuthenticationParameterRAND.Octet[:])
	}
	if f.AuthenticationParameterAUTN != nil {
		m.AUTN = cloneBytes(f.AuthenticationParameterAUTN.Octet[:])
	}
	return m, nil
}

// AuthenticationResponse is AUTHENTICATION RESPONSE (TS 24.501 §8.2.2).
type AuthenticationResponse struct {
	RESStar    []byte // 16 octets; nil = absent
	EAPMessage []byte // nil = absent
}

func (*AuthenticationResponse) EPD() uint8               { return EPD5GMM }
func (*AuthenticationResponse) MessageType() MessageType { return MsgAuthenticationResponse }

// Build returns the plain NAS encoding.
func (m *AuthenticationResponse) Build() ([]byte, error) {
	var f nasMessage.AuthenticationResponse
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.AuthenticationResponseMessageIdentity.Octet = gmmHeader(MsgAuthenticationResponse)
	if m.RESStar != nil {
		if err := checkLen("AuthenticationResponse.RESStar", m.RESStar, 16, 16); err != nil {
			return nil, err
		}
		f.AuthenticationResponseParameter = &nasType.AuthenticationResponseParameter{
			Iei: nasMessage.AuthenticationResponseAuthenticationResponseParameterType, Len: 16}
		copy(f.AuthenticationResponseParameter.Octet[:], m.RESStar)
	}
	var err error
	if f.EAPMessage, err = eapIE(nasMessage.AuthenticationResponseEAPMessageType, m.EAPMessage); err != nil {
		return nil, err
	}
	return encode(f.EncodeAuthenticationResponse)
}

func parseAuthenticationResponse(b []byte) (*AuthenticationResponse, error) {
	var f nasMessage.AuthenticationResponse
	if err := decode(b, f.DecodeAuthenticationResponse); err != nil {
		return nil, err
	}
	m := &AuthenticationResponse{EAPMessage: eapBytes(f.EAPMessage)}
	if p := f.AuthenticationResponseParameter; p != nil {
		n := min(int(p.Len), len(p.Octet))
		m.RESStar = cloneBytes(p.Octet[:n])
	}
	return m, nil
}

// AuthenticationFailure is AUTHENTICATION FAILURE (TS 24.501 §8.2.4): cause
// #20 MAC failure, #21 synch failure (with AUTS), #26 non-5G authentication
// unacceptable, #71 ngKSI already in use.
type AuthenticationFailure struct {
	Cause uint8
	AUTS  []byte // 14 octets; nil = absent
}

func (*AuthenticationFailure) EPD() uint8               { return EPD5GMM }
func (*AuthenticationFailure) MessageType() MessageType { return MsgAuthenticationFailure }

// Build returns the plain NAS encoding.
func (m *AuthenticationFailure) Build() ([]byte, error) {
	var f nasMessage.AuthenticationFailure
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.AuthenticationFailureMessageIdentity.Octet = gmmHeader(MsgAuthenticationFailure)
	f.Cause5GMM.Octet = m.Cause
	if m.AUTS != nil {
		if err := checkLen("AuthenticationFailure.AUTS", m.AUTS, 14, 14); err != nil {
			return nil, err
		}
		f.AuthenticationFailureParameter = &nasType.AuthenticationFailureParameter{
			Iei: nasMessage.AuthenticationFailureAuthenticationFailureParameterType, Len: 14}
		copy(f.AuthenticationFailureParameter.Octet[:], m.AUTS)
	}
	return encode(f.EncodeAuthenticationFailure)
}

func parseAuthenticationFailure(b []byte) (*AuthenticationFailure, error) {
	var f nasMessage.AuthenticationFailure
	if err := decode(b, f.DecodeAuthenticationFailure); err != nil {
		return nil, err
	}
	m := &AuthenticationFailure{Cause: f.Cause5GMM.Octet}
	if p := f.AuthenticationFailureParameter; p != nil {
		n := min(int(p.Len), len(p.Octet))
		m.AUTS = cloneBytes(p.Octet[:n])
	}
	return m, nil
}

// AuthenticationReject is AUTHENTICATION REJECT (TS 24.501 §8.2.5).
type AuthenticationReject struct {
	EAPMessage []byte // nil = absent
}

func (*AuthenticationReject) EPD() uint8               { return EPD5GMM }
func (*AuthenticationReject) MessageType() MessageType { return MsgAuthenticationReject }

// Build returns the plain NAS encoding.
func (m *AuthenticationReject) Build() ([]byte, error) {
	var f nasMessage.AuthenticationReject
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.AuthenticationRejectMessageIdentity.Octet = gmmHeader(MsgAuthenticationReject)
	var err error
	if f.EAPMessage, err = eapIE(nasMessage.AuthenticationRejectEAPMessageType, m.EAPMessage); err != nil {
		return nil, err
	}
	return encode(f.EncodeAuthenticationReject)
}

func parseAuthenticationReject(b []byte) (*AuthenticationReject, error) {
	var f nasMessage.AuthenticationReject
	if err := decode(b, f.DecodeAuthenticationReject); err != nil {
		return nil, err
	}
	return &AuthenticationReject{EAPMessage: eapBytes(f.EAPMessage)}, nil
}

// IdentityRequest is IDENTITY REQUEST (TS 24.501 §8.2.21).
type IdentityRequest struct {
	IdentityType uint8 // IdentitySUCI, IdentityIMEI, IdentityIMEISV, ...
}

func (*IdentityRequest) EPD() uint8               { return EPD5GMM }
func (*IdentityRequest) MessageType() MessageType { return MsgIdentityRequest }

// Build returns the plain NAS encoding.
func (m *IdentityRequest) Build() ([]byte, error) {
	var f nasMessage.IdentityRequest
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.IdentityRequestMessageIdentity.Octet = gmmHeader(MsgIdentityRequest)
	f.SpareHalfOctetAndIdentityType.Octet = m.IdentityType & 7
	return encode(f.EncodeIdentityRequest)
}

func parseIdentityRequest(b []byte) (*IdentityRequest, error) {
	var f nasMessage.IdentityRequest
	if err := decode(b, f.DecodeIdentityRequest); err != nil {
		return nil, err
	}
	return &IdentityRequest{IdentityType: f.SpareHalfOctetAndIdentityType.Octet & 7}, nil
}

// IdentityResponse is IDENTITY RESPONSE (TS 24.501 §8.2.22).
type IdentityResponse struct {
	MobileIdentity []byte // 5GS mobile identity contents
}

func (*IdentityResponse) EPD() uint8               { return EPD5GMM }
func (*IdentityResponse) MessageType() MessageType { return MsgIdentityResponse }

// Build returns the plain NAS encoding.
func (m *IdentityResponse) Build() ([]byte, error) {
	var f nasMessage.IdentityResponse
	f.ExtendedProtocolDiscriminator, f.SpareHalfOctetAndSecurityHeaderType, f.IdentityResponseMessageIdentity.Octet = gmmHeader(MsgIdentityResponse)
	if err := checkLen("IdentityResponse.MobileIdentity", m.MobileIdentity, 1, 0xffff); err != nil {
		return nil, err
	}
	f.MobileIdentity = nasType.MobileIdentity{Len: uint16(len(m.MobileIdentity)), Buffer: m.MobileIdentity}
	return encode(f.EncodeIdentityResponse)
}

func parseIdentityResponse(b []byte) (*IdentityResponse, error) {
	var f nasMessage.IdentityResponse
	if err := decode(b, f.DecodeIdentityResponse); err != nil {
		return nil, err
	}
	return &IdentityResponse{MobileIdentity: cloneBytes(f.MobileIdentity.Buffer)}, nil
}
