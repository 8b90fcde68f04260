package gsm

import (
	"fmt"
	"net/netip"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/pfcpx"
)

// State is the 5GSM state of one PDU session as the SMF sees it.
type State uint8

// States. The "pending" states hold while the driver performs one
// request/response exchange (Nudm_SDM, PFCP) for the session.
const (
	// Inactive: the SM context exists but no procedure has run.
	Inactive State = iota
	// Authorizing: the request passed the 5GSM checks; the subscription
	// (Nudm_SDM sm-data) is being checked and a UE address allocated.
	Authorizing
	// EstablishmentPending: 201 sent; PFCP Session Establishment in flight.
	EstablishmentPending
	// WaitN2Response: N1 accept and N2 setup request sent towards the AMF;
	// waiting for the gNB's DL tunnel (PDU_RES_SETUP_RSP).
	WaitN2Response
	// Activating: PFCP modification adding the DL tunnel in flight.
	Activating
	// Active: user plane set up in both directions.
	Active
	// Deactivating: PFCP modification buffering downlink in flight (AN release).
	Deactivating
	// Idle: user plane deactivated; the PFCP session and address remain.
	Idle
	// Releasing: PFCP Session Deletion in flight.
	Releasing
	// ReleasePending: PFCP session deleted; waiting for the gNB's release
	// response and/or the UE's PDU SESSION RELEASE COMPLETE.
	ReleasePending
	// Released: final; the SM context is gone.
	Released
	// NumStates counts the states.
	NumStates
)

var stateNames = [NumStates]string{
	"Inactive", "Authorizing", "EstablishmentPending", "WaitN2Response", "Activating",
	"Active", "Deactivating", "Idle", "Releasing", "ReleasePending", "Released",
}

func (s State) String() string {
	if s < NumStates {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Live reports whether the state still owns resources or may receive
// requests (every state but Released).
func (s State) Live() bool { return s < Released }

// EventKind classifies an Event; it indexes the transition table.
type EventKind uint8

// Event kinds.
const (
	EvEstablishmentRequest EventKind = iota // Nsmf_PDUSession_CreateSMContext with the N1 request
	EvAuthorization                         // outcome of QuerySubscription
	EvPFCPEstablished                       // outcome of EstablishPFCP
	EvTransferResult                        // outcome of TransferToAMF (N1N2MessageTransfer)
	EvN2SetupResponse                       // UpdateSMContext with PDU_RES_SETUP_RSP
	EvN2SetupFailure                        // UpdateSMContext with PDU_RES_SETUP_FAIL
	EvPFCPModified                          // outcome of ModifyPFCP
	EvUPDeactivate                          // UpdateSMContext upCnxState DEACTIVATED (AN release)
	EvUPActivate                            // UpdateSMContext upCnxState ACTIVATING (service request)
	EvReleaseRequest                        // UpdateSMContext with N1 PDU SESSION RELEASE REQUEST
	EvReleaseComplete                       // UpdateSMContext with N1 PDU SESSION RELEASE COMPLETE
	EvStatus                                // UpdateSMContext with N1 5GSM STATUS
	EvUnexpectedN1                          // UpdateSMContext with another (or undecodable) N1 SM message
	EvNetworkRelease                        // UpdateSMContext release=true, or the SMF's own decision
	EvReleaseContext                        // Nsmf_PDUSession_ReleaseSMContext (AMF: local release)
	EvPFCPDeleted                           // outcome of DeletePFCP
	EvN2ReleaseResponse                     // UpdateSMContext with PDU_RES_REL_RSP
	NumEventKinds
)

var eventNames = [NumEventKinds]string{
	"EstablishmentRequest", "Authorization", "PFCPEstablished", "TransferResult",
	"N2SetupResponse", "N2SetupFailure", "PFCPModified", "UPDeactivate", "UPActivate",
	"ReleaseRequest", "ReleaseComplete", "Status", "UnexpectedN1", "NetworkRelease",
	"ReleaseContext", "PFCPDeleted", "N2ReleaseResponse",
}

func (k EventKind) String() string {
	if k < NumEventKinds {
		return eventNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// FromSBI reports whether events of this kind come with an SBI request
// that expects a Reply (the others are results of the driver's own actions).
func (k EventKind) FromSBI() bool {
	switch k {
	case EvAuthorization, EvPFCPEstablished, EvTransferResult, EvPFCPModified, EvPFCPDeleted:
		return false
	}
	return true
}

// Event is one input of the machine.
type Event interface{ Kind() EventKind }

// EstablishmentRequest is a Create SM Context request (TS 29.502
// §5.2.2.2.1) with its N1 SM message.
type EstablishmentRequest struct {
	PDUSessionID uint8       // SmContextCreateData.pduSessionId
	DNN          string      // SmContextCreateData.dnn ("" when absent)
	SNSSAI       nasx.SNSSAI // SmContextCreateData.sNssai
	DNNServed    bool        // the SMF has an address pool for DNN
	SNSSAIServed bool        // the SMF serves SNSSAI
	// Msg is the parsed N1 SM message; nil when it did not decode.
	Msg nasx.GSMMsg
	// PTI is the raw PTI octet of an undecodable N1 message (HasPTI).
	PTI    uint8
	HasPTI bool
}

// AuthResult is the outcome of the subscription check.
type AuthResult uint8

// Subscription check outcomes.
const (
	AuthOK                  AuthResult = iota // subscribed; UEAddr allocated
	AuthUserUnknown                           // the UDM does not know the SUPI (404 USER_NOT_FOUND)
	AuthDNNNotSubscribed                      // no DNN configuration for the DNN in the S-NSSAI's sm-data
	AuthSNSSAINotSubscribed                   // no sm-data for the S-NSSAI
	AuthNoAddress                             // the DNN's address pool is exhausted
	AuthFailure                               // the UDM could not be reached or failed
)

var authNames = [...]string{"OK", "UserUnknown", "DNNNotSubscribed", "SNSSAINotSubscribed", "NoAddress", "Failure"}

func (a AuthResult) String() string {
	if int(a) < len(authNames) {
		return authNames[a]
	}
	return fmt.Sprintf("AuthResult(%d)", uint8(a))
}

// Authorization is the outcome of QuerySubscription.
type Authorization struct {
	Result AuthResult
	UEAddr netip.Addr // allocated address (AuthOK)
	// QoS is the subscribed default QoS (5gQosProfile, sessionAmbr); zero
	// fields take the Policy defaults.
	QoS QoS
	// Detail explains a failure (never a secret).
	Detail string
}

// PFCPEstablished is the outcome of EstablishPFCP.
type PFCPEstablished struct {
	OK       bool
	UPSEID   uint64
	ULTunnel ngapx.GTPTunnel // the UPF's N3 F-TEID
	Cause    pfcpx.Cause     // PFCP cause (0 when no response)
	Detail   string
}

// TransferResult is the outcome of TransferToAMF.
type TransferResult struct {
	OK     bool
	Status int // HTTP status (0 when no response)
	Detail string
}

// N2SetupResponse carries the PDU Session Resource Setup Response Transfer.
type N2SetupResponse struct {
	Transfer *ngapx.PDUSessionSetupResponseTransfer
}

// N2SetupFailure carries the PDU Session Resource Setup Unsuccessful Transfer.
type N2SetupFailure struct {
	Cause ngapx.Cause
}

// PFCPModified is the outcome of ModifyPFCP.
type PFCPModified struct {
	OK     bool
	Cause  pfcpx.Cause
	Detail string
}

// UPDeactivate is an UpdateSMContext with upCnxState DEACTIVATED.
type UPDeactivate struct{}

// UPActivate is an UpdateSMContext with upCnxState ACTIVATING.
type UPActivate struct{}

// ReleaseRequest is a UE's PDU SESSION RELEASE REQUEST.
type ReleaseRequest struct {
	Msg *nasx.PDUSessionReleaseRequest
}

// ReleaseComplete is a UE's PDU SESSION RELEASE COMPLETE.
type ReleaseComplete struct {
	Msg *nasx.PDUSessionReleaseComplete
}

// Status is a UE's 5GSM STATUS.
type Status struct {
	Msg *nasx.Status5GSM
}

// UnexpectedN1 is an N1 SM message the machine does not process in an
// UpdateSMContext: another message type, or bytes that did not decode.
type UnexpectedN1 struct {
	Type         nasx.MessageType // 0 when unknown
	PDUSessionID uint8
	PTI          uint8
	Malformed    bool // the message did not decode
	Implemented  bool // the type is one credbed decodes (else #97)
}

// NetworkRelease asks for a network-requested PDU session release (TS
// 23.502 §4.3.4.2): N1 PDU SESSION RELEASE COMMAND and N2 Resource Release
// Command, in the reply (an UpdateSMContext with release=true) or, with
// Transfer, through N1N2MessageTransfer (the SMF's own decision).
type NetworkRelease struct {
	Cause    uint8 // 5GSM cause; 0 = #36 regular deactivation
	Transfer bool
}

// ReleaseContext is Nsmf_PDUSession_ReleaseSMContext: the AMF releases the
// SM context (e.g. the UE was deregistered); no N1/N2 signalling follows.
type ReleaseContext struct{}

// PFCPDeleted is the outcome of DeletePFCP. The session is forgotten
// either way; OK is false when the UPF did not confirm.
type PFCPDeleted struct {
	OK     bool
	Cause  pfcpx.Cause
	Detail string
}

// N2ReleaseResponse is an UpdateSMContext with PDU_RES_REL_RSP.
type N2ReleaseResponse struct{}

// Kind implementations.
func (EstablishmentRequest) Kind() EventKind { return EvEstablishmentRequest }
func (Authorization) Kind() EventKind        { return EvAuthorization }
func (PFCPEstablished) Kind() EventKind      { return EvPFCPEstablished }
func (TransferResult) Kind() EventKind       { return EvTransferResult }
func (N2SetupResponse) Kind() EventKind      { return EvN2SetupResponse }
func (N2SetupFailure) Kind() EventKind       { return EvN2SetupFailure }
func (PFCPModified) Kind() EventKind         { return EvPFCPModified }
func (UPDeactivate) Kind() EventKind         { return EvUPDeactivate }
func (UPActivate) Kind() EventKind           { return EvUPActivate }
func (ReleaseRequest) Kind() EventKind       { return EvReleaseRequest }
func (ReleaseComplete) Kind() EventKind      { return EvReleaseComplete }
func (Status) Kind() EventKind               { return EvStatus }
func (UnexpectedN1) Kind() EventKind         { return EvUnexpectedN1 }
func (NetworkRelease) Kind() EventKind       { return EvNetworkRelease }
func (ReleaseContext) Kind() EventKind       { return EvReleaseContext }
func (PFCPDeleted) Kind() EventKind          { return EvPFCPDeleted }
func (N2ReleaseResponse) Kind() EventKind    { return EvN2ReleaseResponse }

// AMBR is an aggregate maximum bit rate pair in bit/s.
type AMBR struct{ UL, DL uint64 }

// QoS is the session's single QoS flow and its session AMBR.
type QoS struct {
	QFI         uint8 // QoS flow identifier (1..63)
	FiveQI      uint8 // standardized 5QI
	ARPPriority uint8 // 1..15
	AMBR        AMBR
}

// Action is one output of the machine, performed by the driver in order.
type Action interface{ action() }

// QuerySubscription asks the driver to read the subscriber's sm-data
// (Nudm_SDM Get, TS 29.503 §5.2.2.2.5) for DNN and S-NSSAI and, when they
// are subscribed, to allocate a UE address from the DNN's pool; the
// outcome comes back as Authorization.
type QuerySubscription struct {
	DNN    string
	SNSSAI nasx.SNSSAI
}

// EstablishPFCP asks for a PFCP Session Establishment (TS 29.244 §7.5.2):
// uplink PDR on an UPF-chosen F-TEID, downlink PDR on UEAddr, FARs and
// the session QER; the outcome comes back as PFCPEstablished.
type EstablishPFCP struct {
	UEAddr netip.Addr
	DNN    string
	QFI    uint8
	AMBR   AMBR
}

// ModifyPFCP asks for a PFCP Session Modification (TS 29.244 §7.5.4); the
// outcome comes back as PFCPModified.
type ModifyPFCP struct {
	UPSEID  uint64
	Mod     pfcpx.Modification
	Purpose string // "activate downlink", "deactivate downlink"
}

// DeletePFCP asks for a PFCP Session Deletion (TS 29.244 §7.5.6); the
// outcome comes back as PFCPDeleted (unless Orphan).
type DeletePFCP struct {
	UPSEID uint64
	// Orphan marks a session created after the SM context went away: the
	// driver deletes it and feeds nothing back.
	Orphan bool
}

// FreeAddress returns a UE address to its DNN's pool.
type FreeAddress struct {
	DNN  string
	Addr netip.Addr
}

// N2Kind names the N2 SM information the SMF sends.
type N2Kind uint8

// N2 SM information kinds (TS 29.502 §6.1.6.3.x N2SmInfoType).
const (
	N2SetupRequest   N2Kind = iota + 1 // PDU_RES_SETUP_REQ: PDU Session Resource Setup Request Transfer
	N2ReleaseCommand                   // PDU_RES_REL_CMD: PDU Session Resource Release Command Transfer
)

func (k N2Kind) String() string {
	switch k {
	case N2SetupRequest:
		return "PDU_RES_SETUP_REQ"
	case N2ReleaseCommand:
		return "PDU_RES_REL_CMD"
	}
	return fmt.Sprintf("N2Kind(%d)", uint8(k))
}

// N2Info is N2 SM information for the gNB, carried unread by the AMF.
type N2Info struct {
	Kind    N2Kind
	Setup   *ngapx.PDUSessionSetupRequestTransfer // N2SetupRequest
	Release *ngapx.PDUSessionCauseTransfer        // N2ReleaseCommand
}

// Build returns the APER encoding of the transfer.
func (n *N2Info) Build() ([]byte, error) {
	switch {
	case n.Kind == N2SetupRequest && n.Setup != nil:
		return n.Setup.Build()
	case n.Kind == N2ReleaseCommand && n.Release != nil:
		return n.Release.BuildReleaseCommand()
	}
	return nil, fmt.Errorf("gsm: N2 info %v without its transfer", n.Kind)
}

// UpCnxState values of replies (TS 29.502 §6.1.6.3.2).
const (
	UpActivated   = "ACTIVATED"
	UpDeactivated = "DEACTIVATED"
	UpActivating  = "ACTIVATING"
)

// Reply answers the SBI request that carried the event.
type Reply struct {
	// Status is the HTTP status: 201 for a created SM context, 200 with
	// content, 204 without, >= 400 for an error.
	Status int
	// Cause is the application error (TS 29.502 §6.1.3.x.3.1, e.g.
	// "DNN_DENIED") when Status >= 400.
	Cause  string
	Detail string
	// N1 is an N1 SM message for the UE (PDU SESSION ESTABLISHMENT REJECT
	// in an error, RELEASE COMMAND or 5GSM STATUS in an update reply).
	N1 nasx.GSMMsg
	// N2 is N2 SM information for the gNB.
	N2 *N2Info
	// UpCnxState is the user plane connection state to report ("" = none).
	UpCnxState string
}

// TransferToAMF asks for Namf_Communication N1N2MessageTransfer (TS 29.518
// §5.2.2.3.1) of N1 and/or N2 to the UE's serving AMF; the outcome comes
// back as TransferResult.
type TransferToAMF struct {
	N1 nasx.GSMMsg
	N2 *N2Info
}

// NotifyReleased asks for an SM context status notification (TS 29.502
// §5.2.2.5, resourceStatus RELEASED) to the AMF's smContextStatusUri: the
// SMF released the SM context on its own.
type NotifyReleased struct{}

func (QuerySubscription) action() {}
func (EstablishPFCP) action()     {}
func (ModifyPFCP) action()        {}
func (DeletePFCP) action()        {}
func (FreeAddress) action()       {}
func (Reply) action()             {}
func (TransferToAMF) action()     {}
func (NotifyReleased) action()    {}
