package nasx

import "fmt"

// MessageType is the NAS message type octet (TS 24.501 §9.7).
type MessageType uint8

// 5GMM message types (TS 24.501 Table 9.7.1).
const (
	MsgRegistrationRequest                MessageType = 0x41
	MsgRegistrationAccept                 MessageType = 0x42
	MsgRegistrationComplete               MessageType = 0x43
	MsgRegistrationReject                 MessageType = 0x44
	MsgDeregistrationRequestUEOriginating MessageType = 0x45
	MsgDeregistrationAcceptUEOriginating  MessageType = 0x46
	MsgDeregistrationRequestUETerminated  MessageType = 0x47
	MsgDeregistrationAcceptUETerminated   MessageType = 0x48
	MsgServiceRequest                     MessageType = 0x4c
	MsgServiceReject                      MessageType = 0x4d
	MsgServiceAccept                      MessageType = 0x4e
	MsgConfigurationUpdateCommand         MessageType = 0x54
	MsgConfigurationUpdateComplete        MessageType = 0x55
	MsgAuthenticationRequest              MessageType = 0x56
	MsgAuthenticationResponse             MessageType = 0x57
	MsgAuthenticationReject               MessageType = 0x58
	MsgAuthenticationFailure              MessageType = 0x59
	MsgAuthenticationResult               MessageType = 0x5a
	MsgIdentityRequest                    MessageType = 0x5b
	MsgIdentityResponse                   MessageType = 0x5c
	MsgSecurityModeCommand                MessageType = 0x5d
	MsgSecurityModeComplete               MessageType = 0x5e
	MsgSecurityModeReject                 MessageType = 0x5f
	MsgStatus5GMM                         MessageType = 0x64
	MsgNotification                       MessageType = 0x65
	MsgNotificationResponse               MessageType = 0x66
	MsgULNASTransport                     MessageType = 0x67
	MsgDLNASTransport                     MessageType = 0x68
)

// 5GSM message types (TS 24.501 Table 9.7.2).
const (
	MsgPDUSessionEstablishmentRequest      MessageType = 0xc1
	MsgPDUSessionEstablishmentAccept       MessageType = 0xc2
	MsgPDUSessionEstablishmentReject       MessageType = 0xc3
	MsgPDUSessionAuthenticationCommand     MessageType = 0xc5
	MsgPDUSessionAuthenticationComplete    MessageType = 0xc6
	MsgPDUSessionAuthenticationResult      MessageType = 0xc7
	MsgPDUSessionModificationRequest       MessageType = 0xc9
	MsgPDUSessionModificationReject        MessageType = 0xca
	MsgPDUSessionModificationCommand       MessageType = 0xcb
	MsgPDUSessionModificationComplete      MessageType = 0xcc
	MsgPDUSessionModificationCommandReject MessageType = 0xcd
	MsgPDUSessionReleaseRequest            MessageType = 0xd1
	MsgPDUSessionReleaseReject             MessageType = 0xd2
	MsgPDUSessionReleaseCommand            MessageType = 0xd3
	MsgPDUSessionReleaseComplete           MessageType = 0xd4
	MsgStatus5GSM                          MessageType = 0xd6
)

// String returns the message name as TS 24.501 writes it, e.g.
// "REGISTRATION REQUEST", or "0x.." for an unknown type.
func (t MessageType) String() string {
	switch t {
	case MsgRegistrationRequest:
		return "REGISTRATION REQUEST"
	case MsgRegistrationAccept:
		return "REGISTRATION ACCEPT"
	case MsgRegistrationComplete:
		return "REGISTRATION COMPLETE"
	case MsgRegistrationReject:
		return "REGISTRATION REJECT"
	case MsgDeregistrationRequestUEOriginating:
		return "DEREGISTRATION REQUEST (UE ORIGINATING)"
	case MsgDeregistrationAcceptUEOriginating:
		return "DEREGISTRATION ACCEPT (UE ORIGINATING)"
	case MsgDeregistrationRequestUETerminated:
		return "DEREGISTRATION REQUEST (UE TERMINATED)"
	case MsgDeregistrationAcceptUETerminated:
		return "DEREGISTRATION ACCEPT (UE TERMINATED)"
	case MsgServiceRequest:
		return "SERVICE REQUEST"
	case MsgServiceReject:
		return "SERVICE REJECT"
	case MsgServiceAccept:
		return "SERVICE ACCEPT"
	case MsgConfigurationUpdateCommand:
		return "CONFIGURATION UPDATE COMMAND"
	case MsgConfigurationUpdateComplete:
		return "CONFIGURATION UPDATE COMPLETE"
	case MsgAuthenticationRequest:
		return "AUTHENTICATION REQUEST"
	case MsgAuthenticationResponse:
		return "AUTHENTICATION RESPONSE"
	case MsgAuthenticationReject:
		return "AUTHENTICATION REJECT"
	case MsgAuthenticationFailure:
		return "AUTHENTICATION FAILURE"
	case MsgAuthenticationResult:
		return "AUTHENTICATION RESULT"
	case MsgIdentityRequest:
		return "IDENTITY REQUEST"
	case MsgIdentityResponse:
		return "IDENTITY RESPONSE"
	case MsgSecurityModeCommand:
		return "SECURITY MODE COMMAND"
	case MsgSecurityModeComplete:
		return "SECURITY MODE COMPLETE"
	case MsgSecurityModeReject:
		return "SECURITY MODE REJECT"
	case MsgStatus5GMM:
		return "5GMM STATUS"
	case MsgNotification:
		return "NOTIFICATION"
	case MsgNotificationResponse:
		return "NOTIFICATION RESPONSE"
	case MsgULNASTransport:
		return "UL NAS TRANSPORT"
	case MsgDLNASTransport:
		return "DL NAS TRANSPORT"
	case MsgPDUSessionEstablishmentRequest:
		return "PDU SESSION ESTABLISHMENT REQUEST"
	case MsgPDUSessionEstablishmentAccept:
		return "PDU SESSION ESTABLISHMENT ACCEPT"
	case MsgPDUSessionEstablishmentReject:
		return "PDU SESSION ESTABLISHMENT REJECT"
	case MsgPDUSessionAuthenticationCommand:
		return "PDU SESSION AUTHENTICATION COMMAND"
	case MsgPDUSessionAuthenticationComplete:
		return "PDU SESSION AUTHENTICATION COMPLETE"
	case MsgPDUSessionAuthenticationResult:
		return "PDU SESSION AUTHENTICATION RESULT"
	case MsgPDUSessionModificationRequest:
		return "PDU SESSION MODIFICATION REQUEST"
	case MsgPDUSessionModificationReject:
		return "PDU SESSION MODIFICATION REJECT"
	case MsgPDUSessionModificationCommand:
		return "PDU SESSION MODIFICATION COMMAND"
	case MsgPDUSessionModificationComplete:
		return "PDU SESSION MODIFICATION COMPLETE"
	case MsgPDUSessionModificationCommandReject:
		return "PDU SESSION MODIFICATION COMMAND REJECT"
	case MsgPDUSessionReleaseRequest:
		return "PDU SESSION RELEASE REQUEST"
	case MsgPDUSessionReleaseReject:
		return "PDU SESSION RELEASE REJECT"
	case MsgPDUSessionReleaseCommand:
		return "PDU SESSION RELEASE COMMAND"
	case MsgPDUSessionReleaseComplete:
		return "PDU SESSION RELEASE COMPLETE"
	case MsgStatus5GSM:
		return "5GSM STATUS"
	}
	return fmt.Sprintf("message type 0x%02x", uint8(t))
}
