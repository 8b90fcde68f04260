package gsm

import (
	"fmt"
	"net/netip"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/trace"
)

// Application error causes of Nsmf_PDUSession replies (TS 29.502
// §6.1.3.2.3.1, §6.1.3.3.4.2.2, §6.1.3.4.4.2.2, and TS 29.500 Table
// 5.2.7.2-1).
const (
	CauseN1SMError             = "N1_SM_ERROR"
	CauseN2SMError             = "N2_SM_ERROR"
	CauseDNNDenied             = "DNN_DENIED"
	CauseDNNNotSupported       = "DNN_NOT_SUPPORTED"
	CauseSNSSAIDenied          = "SNSSAI_DENIED"
	CausePDUTypeDenied         = "PDUTYPE_DENIED"
	CauseSSCDenied             = "SSC_DENIED"
	CauseSubscriptionDenied    = "SUBSCRIPTION_DENIED"
	CauseInsufficientResources = "INSUFFICIENT_RESOURCES_SLICE_DNN"
	CauseNetworkFailure        = "NETWORK_FAILURE"
	CauseSystemFailure         = "SYSTEM_FAILURE"
	CauseContextNotFound       = "CONTEXT_NOT_FOUND"
	CauseMandatoryIEIncorrect  = "MANDATORY_IE_INCORRECT"
	CauseUPFNotResponding      = "UPF_NOT_RESPONDING"
)

// HTTP statuses of replies (RFC 9110), named here so the machine does not
// import net/http.
const (
	StatusOK                  = 200
	StatusCreated             = 201
	StatusNoContent           = 204
	StatusBadRequest          = 400
	StatusForbidden           = 403
	StatusNotFound            = 404
	StatusInternalServerError = 500
	StatusGatewayTimeout      = 504
)

// Policy holds the decisions the machine takes from configuration.
type Policy struct {
	// QoS is the default QoS flow and session AMBR; the subscription's
	// values override it field by field. Defaults: QFI 1, 5QI 9, ARP
	// priority 8, 1 Gbit/s each way.
	QoS QoS
	// DNNNotSubscribedCause is the 5GSM cause when the subscription has no
	// configuration for the DNN (default #27 missing or unknown DNN; #33
	// requested service option not subscribed is the other reading of TS
	// 24.501 Annex B).
	DNNNotSubscribedCause uint8
	// SNSSAINotSubscribedCause is the 5GSM cause when the subscription has
	// no sm-data for the S-NSSAI (default #33).
	SNSSAINotSubscribedCause uint8
}

func (p *Policy) fill() {
	if p.QoS.QFI == 0 {
		p.QoS.QFI = 1
	}
	if p.QoS.FiveQI == 0 {
		p.QoS.FiveQI = 9
	}
	if p.QoS.ARPPriority == 0 {
		p.QoS.ARPPriority = 8
	}
	if p.QoS.AMBR.UL == 0 {
		p.QoS.AMBR.UL = 1_000_000_000
	}
	if p.QoS.AMBR.DL == 0 {
		p.QoS.AMBR.DL = 1_000_000_000
	}
	if p.DNNNotSubscribedCause == 0 {
		p.DNNNotSubscribedCause = nasx.GSMCauseMissingOrUnknownDNN
	}
	if p.SNSSAINotSubscribedCause == 0 {
		p.SNSSAINotSubscribedCause = nasx.GSMCauseServiceOptionNotSubscribed
	}
}

// qos merges a subscribed QoS over the defaults.
func (p *Policy) qos(sub QoS) QoS {
	q := p.QoS
	if sub.QFI != 0 && sub.QFI <= 63 {
		q.QFI = sub.QFI
	}
	if sub.FiveQI != 0 {
		q.FiveQI = sub.FiveQI
	}
	if sub.ARPPriority >= 1 && sub.ARPPriority <= 15 {
		q.ARPPriority = sub.ARPPriority
	}
	if sub.AMBR.UL != 0 {
		q.AMBR.UL = sub.AMBR.UL
	}
	if sub.AMBR.DL != 0 {
		q.AMBR.DL = sub.AMBR.DL
	}
	return q
}

// afterDelete says what follows a PFCP deletion in flight.
type afterDelete uint8

const (
	afterSilent          afterDelete = iota // nothing to send (the request was answered or there is none)
	afterNoContent                          // reply 204 (ReleaseSMContext)
	afterSetupFailure                       // reply with PDU SESSION ESTABLISHMENT REJECT #26
	afterReplyCommand                       // reply with RELEASE COMMAND (+ N2 release command)
	afterTransferCommand                    // N1N2MessageTransfer of RELEASE COMMAND (+ N2)
)

// Context flags.
const (
	flagPFCP      uint8 = 1 << iota // a PFCP session exists at the UPF
	flagDeferred                    // release as soon as the exchange in flight ends
	flagWaitN2Rel                   // waiting for PDU_RES_REL_RSP
	flagWaitN1Rel                   // waiting for PDU SESSION RELEASE COMPLETE
	flagANRes                       // the gNB (may) hold resources for the session
)

// Context is one PDU session's 5GSM state: a plain value the driver keeps
// per SM context and passes to Machine.Handle under its own lock.
type Context struct {
	State        State
	PDUSessionID uint8
	PTI          uint8 // PTI of the UE-requested procedure in progress (0 when network-requested)
	// RequestedType is the PDU session type the UE asked for (0 = absent).
	RequestedType uint8
	DNN           string
	SNSSAI        nasx.SNSSAI
	UEAddr        netip.Addr
	QoS           QoS
	UPSEID        uint64
	ULTunnel      ngapx.GTPTunnel // UPF N3 F-TEID
	DLTunnel      ngapx.GTPTunnel // gNB F-TEID
	relCause      uint8
	after         afterDelete
	flags         uint8
}

func (c *Context) has(f uint8) bool { return c.flags&f != 0 }
func (c *Context) set(f uint8)      { c.flags |= f }
func (c *Context) clear(f uint8)    { c.flags &^= f }

// HasPFCPSession reports whether the SMF believes a PFCP session exists.
func (c *Context) HasPFCPSession() bool { return c.has(flagPFCP) }

// Output is what one step of the machine asks the driver to do.
type Output struct {
	Actions []Action
	// Trace holds the step's trace events without Actor and SUPI, which
	// the driver fills in.
	Trace []trace.Event
	// Rule is how the transition table classified the (state, event) pair.
	Rule RuleKind
}

func (o *Output) add(a ...Action) { o.Actions = append(o.Actions, a...) }

func (o *Output) trace(e trace.Event) { o.Trace = append(o.Trace, e) }

// Reply returns the step's Reply, if any.
func (o *Output) Reply() (Reply, bool) {
	for _, a := range o.Actions {
		if r, ok := a.(Reply); ok {
			return r, true
		}
	}
	return Reply{}, false
}

// RuleKind classifies a transition table entry.
type RuleKind uint8

// Rule kinds.
const (
	Handled  RuleKind = iota + 1 // the event drives the procedure
	Rejected                     // the event is refused: SBI error, 5GSM reject or 5GSM STATUS
	Ignored                      // an outcome that no longer matters: dropped, its resources freed
)

func (k RuleKind) String() string {
	switch k {
	case Handled:
		return "handled"
	case Rejected:
		return "rejected"
	case Ignored:
		return "ignored"
	}
	return "missing"
}

type handler func(m *Machine, c *Context, ev Event, o *Output)

type rule struct {
	kind RuleKind
	h    handler
}

// Machine is the 5GSM transition table with its policy. It holds no
// per-session state and is safe for concurrent use.
type Machine struct {
	p     Policy
	table [NumStates][NumEventKinds]rule
}

// NewMachine builds a machine; zero Policy fields take their defaults.
func NewMachine(p Policy) *Machine {
	p.fill()
	m := &Machine{p: p}
	m.table = buildTable()
	return m
}

// Policy returns the machine's policy with defaults filled in.
func (m *Machine) Policy() Policy { return m.p }

// Rule returns the classification of (s, k); 0 when the table has no entry.
func (m *Machine) Rule(s State, k EventKind) RuleKind {
	if s >= NumStates || k >= NumEventKinds {
		return 0
	}
	return m.table[s][k].kind
}

// Handle applies ev to c and returns the actions to perform.
func (m *Machine) Handle(c *Context, ev Event) Output {
	var o Output
	if ev == nil {
		o.Rule = Rejected
		return o
	}
	k := ev.Kind()
	if c.State >= NumStates || k >= NumEventKinds {
		o.Rule = Rejected
		if k.FromSBI() {
			o.add(Reply{Status: StatusInternalServerError, Cause: CauseSystemFailure, Detail: "corrupt SM context"})
		}
		return o
	}
	r := m.table[c.State][k]
	o.Rule = r.kind
	old := c.State
	if psi, ok := n1PSI(ev); ok && c.State.Live() && old != Inactive && psi != c.PDUSessionID {
		// TS 24.501 §7.3.2: a 5GSM message for another PDU session identity.
		o.Rule = Rejected
		m.status(c, o.traceN1In(ev), &o, nasx.GSMCauseInvalidPDUSessionIdentity, n1PTI(ev), psi)
		return o
	}
	r.h(m, c, ev, &o)
	if c.State != old {
		o.trace(trace.Event{Kind: trace.KindState, Name: c.State.String(), Detail: old.String() + " on " + k.String()})
	}
	return o
}

func (c *Context) to(s State) { c.State = s }

// buildTable is the transition table: every (state, event) pair names its
// rule. Pairs not listed explicitly fall into the defaults at the end,
// which reject SBI events and ignore internal outcomes.
func buildTable() (t [NumStates][NumEventKinds]rule) {
	h := func(f handler) rule { return rule{Handled, f} }
	rej := func(f handler) rule { return rule{Rejected, f} }
	ign := func(f handler) rule { return rule{Ignored, f} }

	live := []State{Inactive, Authorizing, EstablishmentPending, WaitN2Response, Activating, Active, Deactivating, Idle, Releasing, ReleasePending}
	up := []State{WaitN2Response, Active, Idle} // PFCP session set up, no exchange in flight

	// Defaults.
	for _, s := range live {
		t[s][EvEstablishmentRequest] = rej(rejectDuplicateCreate)
		t[s][EvN2SetupResponse] = rej(rejectN2)
		t[s][EvN2SetupFailure] = rej(rejectN2)
		t[s][EvN2ReleaseResponse] = rej(rejectN2)
		t[s][EvUPDeactivate] = rej(rejectUpCnx)
		t[s][EvUPActivate] = rej(rejectUpCnx)
		t[s][EvReleaseRequest] = rej(rejectN1)
		t[s][EvReleaseComplete] = rej(rejectN1)
		t[s][EvStatus] = h(statusReceived)
		t[s][EvUnexpectedN1] = rej(unexpectedN1)
		t[s][EvNetworkRelease] = h(deferRelease)
		t[s][EvReleaseContext] = h(deferRelease)
	}
	for s := range NumStates {
		t[s][EvAuthorization] = ign(dropAuthorization)
		t[s][EvPFCPEstablished] = ign(dropPFCPEstablished)
		t[s][EvTransferResult] = ign(nothing)
		t[s][EvPFCPModified] = ign(nothing)
		t[s][EvPFCPDeleted] = ign(nothing)
	}
	for k := range NumEventKinds {
		if k.FromSBI() {
			t[Released][k] = rej(contextGone)
		}
	}

	// Establishment (TS 23.502 §4.3.2.2.1).
	t[Inactive][EvEstablishmentRequest] = h(establish)
	t[Authorizing][EvAuthorization] = h(authorize)
	t[EstablishmentPending][EvPFCPEstablished] = h(pfcpEstablished)
	t[WaitN2Response][EvTransferResult] = h(transferResult)
	t[WaitN2Response][EvN2SetupResponse] = h(n2SetupResponse)
	t[WaitN2Response][EvN2SetupFailure] = h(n2SetupFailure)
	t[Activating][EvPFCPModified] = h(activated)

	// AN release and service request (TS 23.502 §4.2.6, §4.2.3.2).
	t[Active][EvUPDeactivate] = h(deactivate)
	t[WaitN2Response][EvUPDeactivate] = h(deactivateNoAN)
	t[Idle][EvUPDeactivate] = h(deactivateNoAN)
	t[ReleasePending][EvUPDeactivate] = h(anGoneDuringRelease)
	t[Deactivating][EvPFCPModified] = h(deactivated)
	for _, s := range up {
		t[s][EvUPActivate] = h(activateUP)
	}

	// Release (TS 23.502 §4.3.4.2; TS 29.502 §5.2.2.4).
	for _, s := range up {
		t[s][EvReleaseRequest] = h(releaseRequested)
		t[s][EvNetworkRelease] = h(networkRelease)
		t[s][EvReleaseContext] = h(releaseContext)
	}
	t[Inactive][EvReleaseContext] = h(releaseNow)
	t[Inactive][EvNetworkRelease] = h(releaseNow)
	t[ReleasePending][EvReleaseRequest] = h(repeatReleaseCommand)
	t[ReleasePending][EvReleaseComplete] = h(releaseCompleted)
	t[ReleasePending][EvN2ReleaseResponse] = h(n2Released)
	t[ReleasePending][EvReleaseContext] = h(releaseNow)
	t[ReleasePending][EvNetworkRelease] = h(alreadyReleasing)
	t[Releasing][EvPFCPDeleted] = h(pfcpDeleted)
	// The busy states (Authorizing, EstablishmentPending, Activating,
	// Deactivating, Releasing) keep the defaults: NetworkRelease and
	// ReleaseContext are deferred until the exchange in flight ends.
	return t
}

// --- establishment ---

func establish(m *Machine, c *Context, ev Event, o *Output) {
	e := ev.(EstablishmentRequest)
	c.PDUSessionID, c.DNN, c.SNSSAI = e.PDUSessionID, e.DNN, e.SNSSAI
	if e.Msg == nil {
		o.trace(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN1, Name: "5GSM (undecodable)", Detail: "received"})
		if e.HasPTI && validPTI(e.PTI) {
			c.PTI = e.PTI
			m.rejectEstablishment(c, o, c.PDUSessionID, nasx.GSMCauseInvalidMandatoryInformation,
				StatusForbidden, CauseN1SMError, "N1 SM message does not decode")
			return
		}
		o.add(Reply{Status: StatusForbidden, Cause: CauseN1SMError, Detail: "N1 SM message does not decode"})
		o.trace(trace.Event{Kind: trace.KindReject, Iface: trace.IfaceSBI, Name: "CreateSMContext", Cause: CauseN1SMError})
		c.to(Released)
		return
	}
	req, ok := e.Msg.(*nasx.PDUSessionEstablishmentRequest)
	if !ok {
		name := o.traceN1In(ev)
		h := e.Msg.GSM()
		m.status(c, name, o, nasx.GSMCauseMessageTypeNotCompatibleWithProtocolState, h.PTI, h.PDUSessionID)
		if r, ok := lastReply(o); ok {
			r.Status, r.Cause, r.Detail = StatusForbidden, CauseN1SMError, "the N1 SM message is not a PDU SESSION ESTABLISHMENT REQUEST"
			setLastReply(o, r)
		}
		c.to(Released)
		return
	}
	o.traceN1In(ev)
	c.PTI, c.RequestedType = req.PTI, req.PDUSessionType
	psi := req.PDUSessionID
	switch {
	case !validPTI(req.PTI):
		// TS 24.501 §7.3.1: unassigned or reserved PTI.
		m.rejectEstablishment(c, o, psi, nasx.GSMCauseInvalidPTIValue, StatusForbidden, CauseN1SMError, "invalid PTI")
	case psi < 1 || psi > 15 || psi != e.PDUSessionID:
		// TS 24.501 §7.3.2: reserved or unassigned PSI, or not the one the AMF named.
		m.rejectEstablishment(c, o, psi, nasx.GSMCauseInvalidPDUSessionIdentity, StatusForbidden, CauseN1SMError,
			fmt.Sprintf("PDU session identity %d (pduSessionId %d)", psi, e.PDUSessionID))
	case e.DNN == "" || !e.DNNServed:
		// TS 24.501 §6.4.1.4.1: #27 missing or unknown DNN.
		m.rejectEstablishment(c, o, psi, nasx.GSMCauseMissingOrUnknownDNN, StatusForbidden, CauseDNNNotSupported,
			fmt.Sprintf("DNN %q is not served", e.DNN))
	case !e.SNSSAIServed:
		m.rejectEstablishment(c, o, psi, nasx.GSMCauseServiceOptionNotSupported, StatusForbidden, CauseSNSSAIDenied,
			fmt.Sprintf("S-NSSAI %v is not served", e.SNSSAI))
	case req.PDUSessionType == nasx.PDUSessionIPv6 || req.PDUSessionType == nasx.PDUSessionUnstructured || req.PDUSessionType == nasx.PDUSessionEthernet:
		// TS 24.501 §6.4.1.4.1: #50 PDU session type IPv4 only allowed.
		m.rejectEstablishment(c, o, psi, nasx.GSMCauseIPv4OnlyAllowed, StatusForbidden, CausePDUTypeDenied,
			fmt.Sprintf("PDU session type %d", req.PDUSessionType))
	case req.PDUSessionType > nasx.PDUSessionEthernet:
		m.rejectEstablishment(c, o, psi, nasx.GSMCauseUnknownPDUSessionType, StatusForbidden, CausePDUTypeDenied,
			fmt.Sprintf("PDU session type %d", req.PDUSessionType))
	case req.SSCMode > nasx.SSCMode1:
		m.rejectEstablishment(c, o, psi, nasx.GSMCauseNotSupportedSSCMode, StatusForbidden, CauseSSCDenied,
			fmt.Sprintf("SSC mode %d", req.SSCMode))
	default:
		o.add(QuerySubscription{DNN: c.DNN, SNSSAI: c.SNSSAI})
		c.to(Authorizing)
	}
}

func authorize(m *Machine, c *Context, ev Event, o *Output) {
	a := ev.(Authorization)
	if a.Result == AuthOK && a.UEAddr.IsValid() {
		c.UEAddr = a.UEAddr
		c.QoS = m.p.qos(a.QoS)
		o.add(Reply{Status: StatusCreated},
			EstablishPFCP{UEAddr: c.UEAddr, DNN: c.DNN, QFI: c.QoS.QFI, AMBR: c.QoS.AMBR})
		c.to(EstablishmentPending)
		return
	}
	if a.UEAddr.IsValid() {
		o.add(FreeAddress{DNN: c.DNN, Addr: a.UEAddr})
	}
	psi := c.PDUSessionID
	switch a.Result {
	case AuthUserUnknown:
		m.rejectEstablishment(c, o, psi, nasx.GSMCauseUserAuthenticationFailed, StatusForbidden, CauseSubscriptionDenied, detailOr(a.Detail, "no subscription data"))
	case AuthDNNNotSubscribed:
		m.rejectEstablishment(c, o, psi, m.p.DNNNotSubscribedCause, StatusForbidden, CauseDNNDenied, detailOr(a.Detail, "DNN "+c.DNN+" not subscribed"))
	case AuthSNSSAINotSubscribed:
		m.rejectEstablishment(c, o, psi, m.p.SNSSAINotSubscribedCause, StatusForbidden, CauseSNSSAIDenied, detailOr(a.Detail, "S-NSSAI "+c.SNSSAI.String()+" not subscribed"))
	case AuthNoAddress:
		m.rejectEstablishment(c, o, psi, nasx.GSMCauseInsufficientResources, StatusInternalServerError, CauseInsufficientResources, detailOr(a.Detail, "address pool exhausted"))
	default:
		m.rejectEstablishment(c, o, psi, nasx.GSMCauseNetworkFailure, StatusGatewayTimeout, CauseNetworkFailure, detailOr(a.Detail, "subscription check failed"))
	}
}

func pfcpEstablished(m *Machine, c *Context, ev Event, o *Output) {
	p := ev.(PFCPEstablished)
	if !p.OK {
		// 201 was sent already: the reject goes through N1N2MessageTransfer
		// and the AMF learns that the SM context is gone.
		rej := &nasx.PDUSessionEstablishmentReject{GSMHeader: c.hdr(), Cause: nasx.GSMCauseInsufficientResources}
		o.trace(rejectEvent(rej.MessageType().String(), rej.Cause, detailOr(p.Detail, "PFCP session establishment failed")))
		o.add(TransferToAMF{N1: rej}, FreeAddress{DNN: c.DNN, Addr: c.UEAddr}, NotifyReleased{})
		c.UEAddr = netip.Addr{}
		c.to(Released)
		return
	}
	c.UPSEID, c.ULTunnel = p.UPSEID, p.ULTunnel
	c.set(flagPFCP)
	if c.has(flagDeferred) {
		m.startDelete(c, o, afterSilent)
		return
	}
	c.set(flagANRes)
	o.add(TransferToAMF{N1: m.accept(c), N2: m.setupInfo(c)})
	c.to(WaitN2Response)
}

func transferResult(m *Machine, c *Context, ev Event, o *Output) {
	r := ev.(TransferResult)
	if r.OK {
		return
	}
	// The AMF refused the accept (the UE is gone): release locally.
	o.trace(trace.Event{Kind: trace.KindReject, Iface: trace.IfaceSBI, Name: "N1N2MessageTransfer",
		Status: r.Status, Detail: r.Detail})
	c.clear(flagANRes)
	m.startDelete(c, o, afterSilent)
}

func n2SetupResponse(m *Machine, c *Context, ev Event, o *Output) {
	t := ev.(N2SetupResponse).Transfer
	switch {
	case t == nil:
		o.add(Reply{Status: StatusBadRequest, Cause: CauseN2SMError, Detail: "no setup response transfer"})
		return
	case !t.DLTunnel.Addr.Is4() || t.DLTunnel.TEID == 0:
		o.add(Reply{Status: StatusForbidden, Cause: CauseN2SMError, Detail: fmt.Sprintf("unusable DL tunnel %v/%#x", t.DLTunnel.Addr, t.DLTunnel.TEID)})
		return
	case !hasQFI(t.QFIs, c.QoS.QFI):
		o.add(Reply{Status: StatusForbidden, Cause: CauseN2SMError, Detail: fmt.Sprintf("QoS flow %d not accepted by the gNB", c.QoS.QFI)})
		return
	}
	c.DLTunnel = t.DLTunnel
	o.add(ModifyPFCP{UPSEID: c.UPSEID, Mod: pfcpx.ActivateDownlink(t.DLTunnel.TEID, t.DLTunnel.Addr, c.DNN), Purpose: "activate downlink"})
	c.to(Activating)
}

func n2SetupFailure(m *Machine, c *Context, ev Event, o *Output) {
	f := ev.(N2SetupFailure)
	o.trace(trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN2, Name: "PDU Session Resource Setup Unsuccessful Transfer", Cause: f.Cause.String()})
	c.clear(flagANRes)
	m.startDelete(c, o, afterSetupFailure)
}

func activated(m *Machine, c *Context, ev Event, o *Output) {
	p := ev.(PFCPModified)
	if !p.OK {
		c.DLTunnel = ngapx.GTPTunnel{}
		o.add(Reply{Status: StatusInternalServerError, Cause: CauseUPFNotResponding, Detail: detailOr(p.Detail, "PFCP session modification failed")})
		c.to(WaitN2Response)
		return
	}
	o.add(Reply{Status: StatusOK, UpCnxState: UpActivated})
	c.to(Active)
	if c.has(flagDeferred) {
		m.startDelete(c, o, afterSilent)
	}
}

// --- UP deactivation / activation ---

func deactivate(m *Machine, c *Context, ev Event, o *Output) {
	o.add(ModifyPFCP{UPSEID: c.UPSEID, Mod: pfcpx.DeactivateDownlink(), Purpose: "deactivate downlink"})
	c.to(Deactivating)
}

func deactivateNoAN(m *Machine, c *Context, ev Event, o *Output) {
	c.clear(flagANRes)
	o.add(Reply{Status: StatusOK, UpCnxState: UpDeactivated})
	c.to(Idle)
}

func deactivated(m *Machine, c *Context, ev Event, o *Output) {
	p := ev.(PFCPModified)
	if !p.OK {
		o.add(Reply{Status: StatusInternalServerError, Cause: CauseUPFNotResponding, Detail: detailOr(p.Detail, "PFCP session modification failed")})
		c.to(Active)
		return
	}
	c.clear(flagANRes)
	c.DLTunnel = ngapx.GTPTunnel{}
	o.add(Reply{Status: StatusOK, UpCnxState: UpDeactivated})
	c.to(Idle)
	if c.has(flagDeferred) {
		m.startDelete(c, o, afterSilent)
	}
}

func activateUP(m *Machine, c *Context, ev Event, o *Output) {
	c.set(flagANRes)
	o.add(Reply{Status: StatusOK, UpCnxState: UpActivating, N2: m.setupInfo(c)})
	c.to(WaitN2Response)
}

func anGoneDuringRelease(m *Machine, c *Context, ev Event, o *Output) {
	c.clear(flagWaitN2Rel)
	o.add(Reply{Status: StatusOK, UpCnxState: UpDeactivated})
	m.maybeReleased(c, o)
}

// --- release ---

func releaseRequested(m *Machine, c *Context, ev Event, o *Output) {
	r := ev.(ReleaseRequest)
	o.traceN1In(ev)
	if r.Msg != nil {
		c.PTI = r.Msg.PTI
	}
	c.relCause = nasx.GSMCauseRegularDeactivation
	m.startDelete(c, o, afterReplyCommand)
}

func networkRelease(m *Machine, c *Context, ev Event, o *Output) {
	r := ev.(NetworkRelease)
	c.PTI = 0
	c.relCause = r.Cause
	if c.relCause == 0 {
		c.relCause = nasx.GSMCauseRegularDeactivation
	}
	after := afterReplyCommand
	if r.Transfer {
		after = afterTransferCommand
	}
	m.startDelete(c, o, after)
}

func releaseContext(m *Machine, c *Context, ev Event, o *Output) {
	c.clear(flagANRes)
	m.startDelete(c, o, afterNoContent)
}

// releaseNow ends a context that has no PFCP session (Inactive) or whose
// PFCP session is already gone (ReleasePending).
func releaseNow(m *Machine, c *Context, ev Event, o *Output) {
	if c.UEAddr.IsValid() {
		o.add(FreeAddress{DNN: c.DNN, Addr: c.UEAddr})
		c.UEAddr = netip.Addr{}
	}
	if nr, ok := ev.(NetworkRelease); !ok || !nr.Transfer {
		o.add(Reply{Status: StatusNoContent})
	}
	c.clear(flagWaitN1Rel | flagWaitN2Rel)
	c.to(Released)
}

func alreadyReleasing(m *Machine, c *Context, ev Event, o *Output) {
	if nr, ok := ev.(NetworkRelease); !ok || !nr.Transfer {
		o.add(Reply{Status: StatusNoContent})
	}
}

// deferRelease handles a release request while an exchange is in flight:
// the release happens when its outcome arrives. The request is answered
// at once (204), as the SM context is as good as gone for the AMF.
func deferRelease(m *Machine, c *Context, ev Event, o *Output) {
	c.set(flagDeferred)
	if nr, ok := ev.(NetworkRelease); !ok || !nr.Transfer {
		o.add(Reply{Status: StatusNoContent})
	}
	if c.State == Authorizing {
		// No PFCP session yet: the subscription outcome will be dropped.
		c.to(Released)
	}
}

func repeatReleaseCommand(m *Machine, c *Context, ev Event, o *Output) {
	r := ev.(ReleaseRequest)
	o.traceN1In(ev)
	if r.Msg != nil {
		c.PTI = r.Msg.PTI
	}
	o.add(Reply{Status: StatusOK, N1: m.releaseCommand(c)})
}

func releaseCompleted(m *Machine, c *Context, ev Event, o *Output) {
	o.traceN1In(ev)
	c.clear(flagWaitN1Rel)
	o.add(Reply{Status: StatusNoContent})
	m.maybeReleased(c, o)
}

func n2Released(m *Machine, c *Context, ev Event, o *Output) {
	c.clear(flagWaitN2Rel)
	o.add(Reply{Status: StatusNoContent})
	m.maybeReleased(c, o)
}

func (m *Machine) maybeReleased(c *Context, o *Output) {
	if c.has(flagWaitN1Rel) || c.has(flagWaitN2Rel) {
		return
	}
	o.add(NotifyReleased{})
	c.to(Released)
}

func (m *Machine) startDelete(c *Context, o *Output, after afterDelete) {
	c.after = after
	c.clear(flagDeferred)
	if c.State == Idle {
		c.clear(flagANRes)
	}
	o.add(DeletePFCP{UPSEID: c.UPSEID})
	c.to(Releasing)
}

func pfcpDeleted(m *Machine, c *Context, ev Event, o *Output) {
	d := ev.(PFCPDeleted)
	if !d.OK {
		o.trace(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN4, Name: "PFCP Session Deletion", Cause: d.Cause.TraceCause(), Detail: detailOr(d.Detail, "not confirmed; session forgotten")})
	}
	c.clear(flagPFCP)
	if c.UEAddr.IsValid() {
		o.add(FreeAddress{DNN: c.DNN, Addr: c.UEAddr})
		c.UEAddr = netip.Addr{}
	}
	switch c.after {
	case afterNoContent:
		o.add(Reply{Status: StatusNoContent})
		c.to(Released)
	case afterSetupFailure:
		rej := &nasx.PDUSessionEstablishmentReject{GSMHeader: c.hdr(), Cause: nasx.GSMCauseInsufficientResources}
		o.trace(rejectEvent(rej.MessageType().String(), rej.Cause, "the gNB could not set up the PDU session"))
		o.add(Reply{Status: StatusOK, N1: rej, UpCnxState: UpDeactivated}, NotifyReleased{})
		c.to(Released)
	case afterReplyCommand, afterTransferCommand:
		var n2 *N2Info
		c.set(flagWaitN1Rel)
		if c.has(flagANRes) {
			n2 = &N2Info{Kind: N2ReleaseCommand, Release: &ngapx.PDUSessionCauseTransfer{Cause: ngapx.CauseNASNormalRelease}}
			c.set(flagWaitN2Rel)
		}
		c.clear(flagANRes)
		cmd := m.releaseCommand(c)
		if c.after == afterTransferCommand {
			o.add(TransferToAMF{N1: cmd, N2: n2})
		} else {
			o.add(Reply{Status: StatusOK, N1: cmd, N2: n2, UpCnxState: UpDeactivated})
		}
		c.to(ReleasePending)
	default:
		c.to(Released)
	}
}

// --- rejections and ignores ---

func rejectDuplicateCreate(m *Machine, c *Context, ev Event, o *Output) {
	o.add(Reply{Status: StatusForbidden, Cause: CauseN1SMError, Detail: "SM context already created"})
}

func rejectN2(m *Machine, c *Context, ev Event, o *Output) {
	d := fmt.Sprintf("N2 SM information (%v) not expected in state %v", ev.Kind(), c.State)
	o.trace(trace.Event{Kind: trace.KindReject, Iface: trace.IfaceSBI, Name: "UpdateSMContext", Cause: CauseN2SMError, Detail: d})
	o.add(Reply{Status: StatusForbidden, Cause: CauseN2SMError, Detail: d})
}

func rejectUpCnx(m *Machine, c *Context, ev Event, o *Output) {
	d := fmt.Sprintf("upCnxState change (%v) not applicable in state %v", ev.Kind(), c.State)
	o.trace(trace.Event{Kind: trace.KindReject, Iface: trace.IfaceSBI, Name: "UpdateSMContext", Cause: CauseMandatoryIEIncorrect, Detail: d})
	o.add(Reply{Status: StatusBadRequest, Cause: CauseMandatoryIEIncorrect, Detail: d})
}

// rejectN1 answers a 5GSM message the state cannot take with 5GSM STATUS
// #98 (TS 24.501 §7.4).
func rejectN1(m *Machine, c *Context, ev Event, o *Output) {
	name := o.traceN1In(ev)
	m.status(c, name, o, nasx.GSMCauseMessageTypeNotCompatibleWithProtocolState, n1PTI(ev), c.PDUSessionID)
}

func unexpectedN1(m *Machine, c *Context, ev Event, o *Output) {
	u := ev.(UnexpectedN1)
	name := o.traceN1In(ev)
	cause := nasx.GSMCauseMessageTypeNotCompatibleWithProtocolState
	switch {
	case u.Malformed && u.Implemented:
		cause = nasx.GSMCauseInvalidMandatoryInformation // TS 24.501 §7.5
	case !u.Implemented:
		cause = nasx.GSMCauseMessageTypeNonExistent // TS 24.501 §7.4
	}
	m.status(c, name, o, cause, u.PTI, c.PDUSessionID)
}

func statusReceived(m *Machine, c *Context, ev Event, o *Output) {
	o.traceN1In(ev)
	o.add(Reply{Status: StatusNoContent})
}

func contextGone(m *Machine, c *Context, ev Event, o *Output) {
	o.add(Reply{Status: StatusNotFound, Cause: CauseContextNotFound, Detail: "SM context released"})
}

func dropAuthorization(m *Machine, c *Context, ev Event, o *Output) {
	if a := ev.(Authorization); a.UEAddr.IsValid() {
		o.add(FreeAddress{DNN: c.DNN, Addr: a.UEAddr})
	}
}

func dropPFCPEstablished(m *Machine, c *Context, ev Event, o *Output) {
	if p := ev.(PFCPEstablished); p.OK {
		o.add(DeletePFCP{UPSEID: p.UPSEID, Orphan: true})
	}
}

func nothing(m *Machine, c *Context, ev Event, o *Output) {}

// --- message builders ---

func (c *Context) hdr() nasx.GSMHeader {
	return nasx.GSMHeader{PDUSessionID: c.PDUSessionID, PTI: c.PTI}
}

func (m *Machine) rejectEstablishment(c *Context, o *Output, psi, cause uint8, status int, problem, detail string) {
	rej := &nasx.PDUSessionEstablishmentReject{GSMHeader: nasx.GSMHeader{PDUSessionID: psi, PTI: c.PTI}, Cause: cause}
	o.trace(rejectEvent(rej.MessageType().String(), cause, detail))
	o.add(Reply{Status: status, Cause: problem, Detail: detail, N1: rej})
	c.to(Released)
}

// status replies with 5GSM STATUS (the request itself succeeds: 200).
func (m *Machine) status(c *Context, name string, o *Output, cause, pti, psi uint8) {
	st := &nasx.Status5GSM{GSMHeader: nasx.GSMHeader{PDUSessionID: psi, PTI: pti}, Cause: cause}
	o.trace(rejectEvent(st.MessageType().String(), cause, name+" not processed"))
	o.add(Reply{Status: StatusOK, N1: st})
}

func (m *Machine) accept(c *Context) *nasx.PDUSessionEstablishmentAccept {
	q := c.QoS
	sn := c.SNSSAI
	a := &nasx.PDUSessionEstablishmentAccept{
		GSMHeader:           c.hdr(),
		PDUSessionType:      nasx.PDUSessionIPv4,
		SSCMode:             nasx.SSCMode1,
		QoSRules:            nasx.DefaultQoSRules(q.QFI),
		SessionAMBR:         NASSessionAMBR(q.AMBR),
		PDUAddress:          c.UEAddr,
		SNSSAI:              &sn,
		DNN:                 c.DNN,
		QoSFlowDescriptions: nasx.DefaultQoSFlowDescriptions(q.QFI, q.FiveQI),
	}
	if c.RequestedType == nasx.PDUSessionIPv4v6 {
		// TS 24.501 §6.4.1.3: IPv4v6 requested, IPv4 selected: #50.
		cause := nasx.GSMCauseIPv4OnlyAllowed
		a.Cause = &cause
	}
	return a
}

func (m *Machine) setupInfo(c *Context) *N2Info {
	q := c.QoS
	return &N2Info{Kind: N2SetupRequest, Setup: &ngapx.PDUSessionSetupRequestTransfer{
		SessionAMBR:    &ngapx.AMBR{DL: q.AMBR.DL, UL: q.AMBR.UL},
		ULTunnel:       c.ULTunnel,
		PDUSessionType: ngapx.PDUSessionTypeIPv4,
		QoSFlows:       []ngapx.QoSFlowSetup{{QFI: q.QFI, FiveQI: q.FiveQI, ARP: ngapx.ARP{Priority: q.ARPPriority}}},
	}}
}

func (m *Machine) releaseCommand(c *Context) *nasx.PDUSessionReleaseCommand {
	cause := c.relCause
	if cause == 0 {
		cause = nasx.GSMCauseRegularDeactivation
	}
	return &nasx.PDUSessionReleaseCommand{GSMHeader: c.hdr(), Cause: cause}
}

// NASSessionAMBR encodes a session AMBR in bit/s as the NAS IE value
// (TS 24.501 §9.11.4.14), in the smallest of the 1 kbit/s, 1 Mbit/s and
// 1 Gbit/s units that holds it, rounding up.
func NASSessionAMBR(a AMBR) nasx.SessionAMBR {
	ul, ulu := ambrValue(a.UL)
	dl, dlu := ambrValue(a.DL)
	return nasx.SessionAMBR{DLUnit: dlu, DL: dl, ULUnit: ulu, UL: ul}
}

func ambrValue(bps uint64) (uint16, uint8) {
	k := (bps + 999) / 1000
	switch {
	case k <= 0xffff:
		return uint16(k), nasx.AMBRUnit1Kbps
	case (k+999)/1000 <= 0xffff:
		return uint16((k + 999) / 1000), nasx.AMBRUnit1Mbps
	}
	g := (k + 999_999) / 1_000_000
	if g > 0xffff {
		g = 0xffff
	}
	return uint16(g), nasx.AMBRUnit1Gbps
}

// --- helpers ---

func validPTI(p uint8) bool { return p >= 1 && p <= 254 }

func hasQFI(l []uint8, q uint8) bool {
	for _, x := range l {
		if x == q {
			return true
		}
	}
	return false
}

func detailOr(d, def string) string {
	if d != "" {
		return d
	}
	return def
}

func rejectEvent(name string, cause uint8, detail string) trace.Event {
	return trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN1, Name: name,
		Cause: fmt.Sprintf("5GSM#%d", cause), Detail: detail}
}

func lastReply(o *Output) (Reply, bool) {
	for i := len(o.Actions) - 1; i >= 0; i-- {
		if r, ok := o.Actions[i].(Reply); ok {
			return r, true
		}
	}
	return Reply{}, false
}

func setLastReply(o *Output, r Reply) {
	for i := len(o.Actions) - 1; i >= 0; i-- {
		if _, ok := o.Actions[i].(Reply); ok {
			o.Actions[i] = r
			return
		}
	}
}

// traceN1In records a received N1 SM message and returns its name.
func (o *Output) traceN1In(ev Event) string {
	name := ""
	switch e := ev.(type) {
	case EstablishmentRequest:
		if e.Msg != nil {
			name = e.Msg.MessageType().String()
		}
	case ReleaseRequest:
		name = nasx.MsgPDUSessionReleaseRequest.String()
	case ReleaseComplete:
		name = nasx.MsgPDUSessionReleaseComplete.String()
	case Status:
		name = nasx.MsgStatus5GSM.String()
		if e.Msg != nil {
			o.trace(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN1, Name: name, Cause: fmt.Sprintf("5GSM#%d", e.Msg.Cause), Detail: "received"})
			return name
		}
	case UnexpectedN1:
		name = "5GSM (undecodable)"
		if e.Type != 0 {
			name = e.Type.String()
		}
	default:
		return ev.Kind().String()
	}
	if name == "" {
		name = "5GSM (undecodable)"
	}
	o.trace(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN1, Name: name, Detail: "received"})
	return name
}

// n1PSI returns the PDU session identity of an N1-carrying event from an
// UpdateSMContext.
func n1PSI(ev Event) (uint8, bool) {
	switch e := ev.(type) {
	case ReleaseRequest:
		if e.Msg != nil {
			return e.Msg.PDUSessionID, true
		}
	case ReleaseComplete:
		if e.Msg != nil {
			return e.Msg.PDUSessionID, true
		}
	case Status:
		if e.Msg != nil {
			return e.Msg.PDUSessionID, true
		}
	case UnexpectedN1:
		if !e.Malformed {
			return e.PDUSessionID, true
		}
	}
	return 0, false
}

func n1PTI(ev Event) uint8 {
	switch e := ev.(type) {
	case ReleaseRequest:
		if e.Msg != nil {
			return e.Msg.PTI
		}
	case ReleaseComplete:
		if e.Msg != nil {
			return e.Msg.PTI
		}
	case Status:
		if e.Msg != nil {
			return e.Msg.PTI
		}
	case UnexpectedN1:
		return e.PTI
	}
	return 0
}

// ClassifyN1 turns the N1 SM message of an UpdateSMContext request into an
// event: ReleaseRequest, ReleaseComplete, Status, or UnexpectedN1 for any
// other or undecodable message.
func ClassifyN1(b []byte) Event {
	h, herr := nasx.PeekHeader(b)
	msg, err := nasx.ParseGSM(b)
	if err == nil {
		switch v := msg.(type) {
		case *nasx.PDUSessionReleaseRequest:
			return ReleaseRequest{Msg: v}
		case *nasx.PDUSessionReleaseComplete:
			return ReleaseComplete{Msg: v}
		case *nasx.Status5GSM:
			return Status{Msg: v}
		}
		g := msg.GSM()
		return UnexpectedN1{Type: msg.MessageType(), PDUSessionID: g.PDUSessionID, PTI: g.PTI, Implemented: true}
	}
	u := UnexpectedN1{Malformed: true}
	if herr == nil && h.EPD == nasx.EPD5GSM {
		u.Type, u.PDUSessionID, u.PTI = h.MessageType, h.PDUSessionID, h.PTI
		u.Implemented = implementedGSM(h.MessageType)
	}
	return u
}

func implementedGSM(t nasx.MessageType) bool {
	switch t {
	case nasx.MsgPDUSessionEstablishmentRequest, nasx.MsgPDUSessionEstablishmentAccept, nasx.MsgPDUSessionEstablishmentReject,
		nasx.MsgPDUSessionReleaseRequest, nasx.MsgPDUSessionReleaseCommand, nasx.MsgPDUSessionReleaseComplete, nasx.MsgStatus5GSM:
		return true
	}
	return false
}

// NewEstablishmentRequest builds the event of a Create SM Context request
// from the raw N1 SM message (n1 may be nil or undecodable).
func NewEstablishmentRequest(psi uint8, dnn string, snssai nasx.SNSSAI, dnnServed, snssaiServed bool, n1 []byte) EstablishmentRequest {
	e := EstablishmentRequest{PDUSessionID: psi, DNN: dnn, SNSSAI: snssai, DNNServed: dnnServed, SNSSAIServed: snssaiServed}
	if msg, err := nasx.ParseGSM(n1); err == nil {
		e.Msg = msg
		return e
	}
	if h, err := nasx.PeekHeader(n1); err == nil && h.EPD == nasx.EPD5GSM {
		e.PTI, e.HasPTI = h.PTI, true
	}
	return e
}
