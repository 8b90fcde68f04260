package gmm

import (
	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/nasx"
)

// EventKind indexes the transition table.
type EventKind uint8

// Event kinds. The first group are uplink NAS messages after security
// processing; the rest come from the AMF's SBI peers, its timers and N2.
const (
	EvRegistrationRequest EventKind = iota
	EvRegistrationComplete
	EvIdentityResponse
	EvAuthenticationResponse
	EvAuthenticationFailure
	EvSecurityModeComplete
	EvSecurityModeReject
	EvDeregistrationRequest // UE originating
	EvDeregistrationAccept  // UE terminated
	EvServiceRequest
	EvULNASTransport
	EvStatus        // 5GMM STATUS from the UE
	EvUnexpectedNAS // a decodable 5GMM message the UE never sends (e.g. REGISTRATION ACCEPT)
	EvInvalidNAS    // a 5GMM message that cannot be decoded

	EvAUSFAuthResult
	EvAUSFConfirmResult
	EvUECMRegistrationResult
	EvSDMResult
	EvUECMDeregistrationResult

	EvNetworkDeregister
	EvTimerExpired
	EvN2Released

	// NumEventKinds is the number of event kinds.
	NumEventKinds
)

var eventNames = [NumEventKinds]string{
	EvRegistrationRequest:      "REGISTRATION REQUEST",
	EvRegistrationComplete:     "REGISTRATION COMPLETE",
	EvIdentityResponse:         "IDENTITY RESPONSE",
	EvAuthenticationResponse:   "AUTHENTICATION RESPONSE",
	EvAuthenticationFailure:    "AUTHENTICATION FAILURE",
	EvSecurityModeComplete:     "SECURITY MODE COMPLETE",
	EvSecurityModeReject:       "SECURITY MODE REJECT",
	EvDeregistrationRequest:    "DEREGISTRATION REQUEST (UE originating)",
	EvDeregistrationAccept:     "DEREGISTRATION ACCEPT (UE terminated)",
	EvServiceRequest:           "SERVICE REQUEST",
	EvULNASTransport:           "UL NAS TRANSPORT",
	EvStatus:                   "5GMM STATUS",
	EvUnexpectedNAS:            "unexpected NAS message",
	EvInvalidNAS:               "invalid NAS message",
	EvAUSFAuthResult:           "Nausf_UEAuthentication_Authenticate result",
	EvAUSFConfirmResult:        "Nausf_UEAuthentication_5gAkaConfirm result",
	EvUECMRegistrationResult:   "Nudm_UECM_Registration result",
	EvSDMResult:                "Nudm_SDM_Get result",
	EvUECMDeregistrationResult: "Nudm_UECM_Deregistration result",
	EvNetworkDeregister:        "network-initiated de-registration",
	EvTimerExpired:             "timer expiry",
	EvN2Released:               "N2 UE context released",
}

// String names the event kind.
func (k EventKind) String() string {
	if k < NumEventKinds {
		return eventNames[k]
	}
	return "event-invalid"
}

// Event is one input of the machine.
type Event interface {
	Kind() EventKind
}

// Sec says how an uplink NAS message arrived.
type Sec struct {
	// Hdr is the security header type (nasx.SecHdr*).
	Hdr uint8
	// Verified is true when the message passed the integrity check and the
	// replay check with a NAS security context (TS 33.501 §6.4.3.2).
	Verified bool
}

// RegistrationRequest is REGISTRATION REQUEST (TS 24.501 §8.2.6).
type RegistrationRequest struct {
	Sec
	Msg     *nasx.RegistrationRequest
	Initial bool // first message of the N2 connection (INITIAL UE MESSAGE)
	prior   *Prior
}

// RegistrationComplete is REGISTRATION COMPLETE.
type RegistrationComplete struct{ Sec }

// IdentityResponse is IDENTITY RESPONSE.
type IdentityResponse struct {
	Sec
	Msg *nasx.IdentityResponse
}

// AuthenticationResponse is AUTHENTICATION RESPONSE.
type AuthenticationResponse struct {
	Sec
	Msg *nasx.AuthenticationResponse
}

// AuthenticationFailure is AUTHENTICATION FAILURE.
type AuthenticationFailure struct {
	Sec
	Msg *nasx.AuthenticationFailure
}

// SecurityModeComplete is SECURITY MODE COMPLETE.
type SecurityModeComplete struct {
	Sec
	Msg *nasx.SecurityModeComplete
}

// SecurityModeReject is SECURITY MODE REJECT.
type SecurityModeReject struct {
	Sec
	Msg *nasx.SecurityModeReject
}

// DeregistrationRequest is DEREGISTRATION REQUEST (UE originating).
type DeregistrationRequest struct {
	Sec
	Msg     *nasx.DeregistrationRequestUEOriginating
	Initial bool
	prior   *Prior
}

// DeregistrationAccept is DEREGISTRATION ACCEPT (UE terminated).
type DeregistrationAccept struct{ Sec }

// ServiceRequest is SERVICE REQUEST.
type ServiceRequest struct {
	Sec
	Msg     *nasx.ServiceRequest
	Initial bool
	prior   *Prior
}

// ULNASTransport is UL NAS TRANSPORT.
type ULNASTransport struct {
	Sec
	Msg *nasx.ULNASTransport
}

// Status is 5GMM STATUS from the UE.
type Status struct {
	Sec
	Cause uint8
}

// UnexpectedNAS is a decodable 5GMM message of a type the UE never sends.
type UnexpectedNAS struct {
	Sec
	Type nasx.MessageType
}

// InvalidNAS is a 5GMM message that could not be decoded; Cause is the
// 5GMM STATUS cause to answer with (#95, #96 or #97, TS 24.501 §7).
type InvalidNAS struct {
	Sec
	Cause  uint8
	Detail string
}

// Outcome is how an SBI request ended, as the mapping to 5GMM causes sees
// it: Status 0 means no answer (transport error, timeout); Cause is the
// ProblemDetails cause when there was one.
type Outcome struct {
	Status int
	Cause  string
	Detail string
}

// OK reports a 2xx answer.
func (o Outcome) OK() bool { return o.Status >= 200 && o.Status < 300 }

// Resync is the resynchronisation information of an Authenticate request
// (TS 29.509 ResynchronizationInfo, TS 33.501 §6.1.3.3.2).
type Resync struct {
	RAND [16]byte
	AUTS [aka.AUTSLen]byte
}

// AUSFAuthResult is the answer to AUSFAuthenticate: on success a 5G SE AV
// (RAND, AUTN, HXRES*) and the 5g-aka confirmation URI.
type AUSFAuthResult struct {
	Seq uint32
	Outcome
	RAND       [16]byte
	AUTN       [16]byte
	HXRESStar  [16]byte
	ConfirmURI string
}

// AUSFConfirmResult is the answer to AUSFConfirm. Success means
// authResult AUTHENTICATION_SUCCESS with a SUPI and KSEAF.
type AUSFConfirmResult struct {
	Seq uint32
	Outcome
	Success bool
	SUPI    string
	KSEAF   aka.Key256
}

// UECMRegistrationResult is the answer to UECMRegister.
type UECMRegistrationResult struct {
	Seq uint32
	Outcome
}

// SDMResult is the answer to SDMGetAMData: the subscribed S-NSSAIs (empty
// when the subscription names none).
type SDMResult struct {
	Seq uint32
	Outcome
	NSSAI []nasx.SNSSAI
}

// UECMDeregistrationResult is the answer to UECMDeregister.
type UECMDeregistrationResult struct {
	Seq uint32
	Outcome
}

// NetworkDeregister starts network-initiated de-registration (TS 24.501
// §5.5.2.3), e.g. after Nudm_UECM_DeregistrationNotification with
// SUBSCRIPTION_WITHDRAWN. Cause 0 uses Config.DeregistrationCause;
// NoCause sends none.
type NetworkDeregister struct {
	Cause          uint8
	NoCause        bool
	ReRegistration bool
	Reason         string // for the trace, e.g. "SUBSCRIPTION_WITHDRAWN"
}

// TimerExpired reports the expiry of a timer started with StartTimer; Gen
// must be the StartTimer's, so stale expiries are ignored.
type TimerExpired struct {
	Timer TimerID
	Gen   uint32
}

// N2Released reports that the UE's N2 connection is gone (UE CONTEXT
// RELEASE COMPLETE, or the RAN lost the UE).
type N2Released struct{}

func (RegistrationRequest) Kind() EventKind      { return EvRegistrationRequest }
func (RegistrationComplete) Kind() EventKind     { return EvRegistrationComplete }
func (IdentityResponse) Kind() EventKind         { return EvIdentityResponse }
func (AuthenticationResponse) Kind() EventKind   { return EvAuthenticationResponse }
func (AuthenticationFailure) Kind() EventKind    { return EvAuthenticationFailure }
func (SecurityModeComplete) Kind() EventKind     { return EvSecurityModeComplete }
func (SecurityModeReject) Kind() EventKind       { return EvSecurityModeReject }
func (DeregistrationRequest) Kind() EventKind    { return EvDeregistrationRequest }
func (DeregistrationAccept) Kind() EventKind     { return EvDeregistrationAccept }
func (ServiceRequest) Kind() EventKind           { return EvServiceRequest }
func (ULNASTransport) Kind() EventKind           { return EvULNASTransport }
func (Status) Kind() EventKind                   { return EvStatus }
func (UnexpectedNAS) Kind() EventKind            { return EvUnexpectedNAS }
func (InvalidNAS) Kind() EventKind               { return EvInvalidNAS }
func (AUSFAuthResult) Kind() EventKind           { return EvAUSFAuthResult }
func (AUSFConfirmResult) Kind() EventKind        { return EvAUSFConfirmResult }
func (UECMRegistrationResult) Kind() EventKind   { return EvUECMRegistrationResult }
func (SDMResult) Kind() EventKind                { return EvSDMResult }
func (UECMDeregistrationResult) Kind() EventKind { return EvUECMDeregistrationResult }
func (NetworkDeregister) Kind() EventKind        { return EvNetworkDeregister }
func (TimerExpired) Kind() EventKind             { return EvTimerExpired }
func (N2Released) Kind() EventKind               { return EvN2Released }
