package gmm

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/ue/usim"
)

// Errors: local refusals of user requests. Protocol rejections are Outcome
// values, never errors.
var (
	ErrBusy          = errors.New("gmm: a 5GMM procedure is already running")
	ErrRegistered    = errors.New("gmm: already registered")
	ErrNotRegistered = errors.New("gmm: not registered")
	ErrNoCredential  = errors.New("gmm: USIM slot is empty")
	// ErrUSIMInvalid: the USIM is considered invalid for 5GS after a reject
	// with cause #3, #6 or #7 or an AUTHENTICATION REJECT, until switch-off or
	// removal (TS 24.501 §5.5.1.2.5); PowerCycle clears it.
	ErrUSIMInvalid = errors.New("gmm: USIM invalid for 5GS until switch-off")
	ErrBadEvent    = errors.New("gmm: invalid event")
)

// Default timer values (TS 24.501 §10.2, Table 10.2.2).
const (
	DefaultT3510 = 15 * time.Second
	DefaultT3520 = 15 * time.Second
	DefaultT3521 = 15 * time.Second
)

// MaxAuthFailures is how many consecutive authentication failures make the
// UE deem the network not genuine (TS 24.501 §5.4.1.3.7).
const MaxAuthFailures = 3

// MaxDeregAttempts: T3521 expiries before a UE-originating de-registration
// is aborted locally (the request is retransmitted four times; TS 24.501
// §5.5.2.2.6).
const MaxDeregAttempts = 5

// Config is shared by every UE of one profile (it is read, never written,
// after Validate).
type Config struct {
	// SecurityCapability is the UE security capability the UE sends and
	// expects replayed (default 5G-EA0..3 and 5G-IA0..3: f0 f0).
	SecurityCapability nasx.UESecurityCapability
	// RequestedNSSAI goes in the full REGISTRATION REQUEST (a non-cleartext IE).
	RequestedNSSAI []nasx.SNSSAI
	// ServingPLMN names the serving network for RES* and KAUSF (TS 33.501
	// §6.1.1.4); zero means the USIM's home PLMN.
	ServingPLMN ident.PLMN
	// Emergency allows the null integrity algorithm NIA0 (TS 33.501 §5.5.2);
	// otherwise a SECURITY MODE COMMAND selecting NIA0 is refused with #24.
	Emergency bool
	// IMEISV is the 5GS mobile identity contents of the IMEISV, sent when the
	// network asks for it; nil = none.
	IMEISV []byte
	// T3510, T3520 and T3521 (defaults DefaultT35xx).
	T3510, T3520, T3521 time.Duration
}

// Validate checks c and fills defaults.
func (c *Config) Validate() error {
	if c.SecurityCapability == nil {
		c.SecurityCapability = nasx.NewUESecurityCapability(0xf0, 0xf0)
	}
	if n := len(c.SecurityCapability); n < 2 || n > 8 {
		return fmt.Errorf("gmm: UE security capability of %d octets, want 2..8", n)
	}
	if !c.ServingPLMN.IsZero() {
		if err := c.ServingPLMN.Validate(); err != nil {
			return fmt.Errorf("gmm: serving PLMN: %w", err)
		}
	}
	if c.T3510 <= 0 {
		c.T3510 = DefaultT3510
	}
	if c.T3520 <= 0 {
		c.T3520 = DefaultT3520
	}
	if c.T3521 <= 0 {
		c.T3521 = DefaultT3521
	}
	return nil
}

// Event is an input to Handle.
type Event interface {
	// Kind is the table column of a user event; Downlink is classified by its
	// message type after the security checks.
	Kind() EventKind
}

// Register starts an initial registration: with the 5G-GUTI and an
// integrity-protected REGISTRATION REQUEST when the UE holds a GUTI and a
// security context, otherwise (or with ForceSUCI) with a fresh SUCI.
type Register struct{ ForceSUCI bool }

// Deregister starts a UE-originating de-registration.
type Deregister struct{ SwitchOff bool }

// SendSM sends a 5GSM message to the network in UL NAS TRANSPORT.
type SendSM struct {
	PDUSessionID uint8
	RequestType  uint8 // nasx.RequestInitial, ...; 0 = absent
	SNSSAI       *nasx.SNSSAI
	DNN          string
	Payload      []byte // the plain 5GSM message
}

// Downlink is a NAS PDU from the network (or anyone on the radio).
type Downlink struct{ PDU []byte }

// TimerExpired reports that a timer the machine started has expired.
type TimerExpired struct{ Timer Timer }

// ConnectionReleased reports that the NAS signalling connection is gone
// (UE context release on N2, or a local release).
type ConnectionReleased struct{}

// Kind implements Event.
func (Register) Kind() EventKind { return EvRegister }

// Kind implements Event.
func (Deregister) Kind() EventKind { return EvDeregister }

// Kind implements Event.
func (SendSM) Kind() EventKind { return EvSendSM }

// Kind implements Event; the table uses the classified message type.
func (Downlink) Kind() EventKind { return EvUnsupportedMessage }

// Kind implements Event.
func (e TimerExpired) Kind() EventKind {
	switch e.Timer {
	case T3510:
		return EvT3510
	case T3520:
		return EvT3520
	case T3521:
		return EvT3521
	}
	return 0
}

// Kind implements Event.
func (ConnectionReleased) Kind() EventKind { return EvConnectionReleased }

// Timer names a UE 5GMM timer (TS 24.501 §10.2).
type Timer uint8

// Timers.
const (
	T3510 Timer = iota // REGISTRATION REQUEST sent
	T3520              // AUTHENTICATION FAILURE sent
	T3521              // DEREGISTRATION REQUEST sent (not switch-off)
	NumTimers
)

func (t Timer) String() string {
	switch t {
	case T3510:
		return "T3510"
	case T3520:
		return "T3520"
	case T3521:
		return "T3521"
	}
	return fmt.Sprintf("Timer(%d)", uint8(t))
}

// TimerOp asks the driver to start (or restart) or stop a timer.
type TimerOp struct {
	Timer Timer
	Start bool
	After time.Duration // with Start
}

// Uplink is a NAS PDU to send, in order.
type Uplink struct {
	PDU     []byte
	Message nasx.MessageType
	SecHdr  uint8
}

// Direction of a NAS message.
type Direction uint8

// Directions.
const (
	UL Direction = 1
	DL Direction = 2
)

func (d Direction) lower() string {
	if d == UL {
		return "ul"
	}
	return "dl"
}

func (d Direction) String() string {
	if d == UL {
		return "UL"
	}
	return "DL"
}

// Message records one NAS message the machine sent or received (Dropped:
// received and discarded).
type Message struct {
	Dir     Direction
	Type    nasx.MessageType
	SecHdr  uint8
	Dropped bool
}

func (m Message) String() string {
	s := fmt.Sprintf("%s %s (sechdr %d)", m.Dir, m.Type, m.SecHdr)
	if m.Dropped {
		s += " dropped"
	}
	return s
}

// SMPayload is a 5GSM message (or a 5GMM cause saying it could not be
// forwarded) received in DL NAS TRANSPORT.
type SMPayload struct {
	PDUSessionID uint8
	Payload      []byte
	Cause        *uint8 // 5GMM cause, e.g. #90 payload was not forwarded
}

// Procedure names what an Outcome finishes.
type Procedure uint8

// Procedures.
const (
	ProcRegistration          Procedure = iota + 1 // UE-initiated registration
	ProcDeregistration                             // UE-originating de-registration
	ProcNetworkDeregistration                      // network-initiated de-registration
	ProcAuthentication                             // authentication outside registration (reject, network not genuine)
)

func (p Procedure) String() string {
	switch p {
	case ProcRegistration:
		return "registration"
	case ProcDeregistration:
		return "deregistration"
	case ProcNetworkDeregistration:
		return "network-deregistration"
	case ProcAuthentication:
		return "authentication"
	}
	return fmt.Sprintf("Procedure(%d)", uint8(p))
}

// Reason says how a procedure ended when not by a plain accept or reject.
type Reason uint8

// Reasons.
const (
	ReasonNone              Reason = iota
	ReasonAccepted                 // REGISTRATION ACCEPT / DEREGISTRATION ACCEPT / switch-off sent
	ReasonRejected                 // REGISTRATION REJECT with Cause
	ReasonAuthReject               // AUTHENTICATION REJECT
	ReasonNetworkNotGenuine        // 3 consecutive authentication failures or T3520 expiry
	ReasonTimeout                  // T3510 expiry, or T3521 after the last retransmission
	ReasonReleased                 // the connection was released before the procedure ended
	ReasonDeregistered             // the network de-registered the UE (Cause when present)
)

func (r Reason) String() string {
	return [...]string{"none", "accepted", "rejected", "authentication reject", "network not genuine",
		"timeout", "connection released", "deregistered by network"}[min(int(r), 7)]
}

// Outcome reports the end of a procedure.
type Outcome struct {
	Procedure Procedure
	Accepted  bool
	Reason    Reason
	// Cause is the 5GMM cause of a reject or a network de-registration (0 = none).
	Cause uint8
	// Protected says whether the reject or de-registration arrived integrity
	// protected (an unprotected reject is a residual risk: scenario X4).
	Protected bool
	// USIMInvalid: the UE now considers the USIM invalid for 5GS.
	USIMInvalid bool
	// ReRegister: the network asked for a new registration, which the machine
	// has started (a new Registration outcome follows).
	ReRegister bool
	// T3346 is the back-off the network asked for (0 = none).
	T3346 time.Duration
}

// Output is what one Handle call produced. The driver sends Uplink in order,
// applies Timers, emits Events (filling Actor and SUPI) and reports Done.
type Output struct {
	Uplink   []Uplink
	Timers   []TimerOp
	Events   []trace.Event
	Messages []Message
	SM       []SMPayload
	Done     []Outcome
	// Release asks the driver to release the NAS signalling connection
	// locally (network deemed not genuine).
	Release bool

	quiet bool // the machine's tracing is off: no Events
}

// tracing reports whether events are recorded (Machine.SetTracing).
func (o *Output) tracing() bool { return !o.quiet }

func (o *Output) event(e trace.Event) {
	if o.quiet {
		return
	}
	if o.Events == nil {
		o.Events = make([]trace.Event, 0, 8)
	}
	o.Events = append(o.Events, e)
}

func (o *Output) timer(op TimerOp) {
	if o.Timers == nil {
		o.Timers = make([]TimerOp, 0, 4)
	}
	o.Timers = append(o.Timers, op)
}

func (o *Output) startTimer(t Timer, d time.Duration) {
	o.timer(TimerOp{Timer: t, Start: true, After: d})
}

func (o *Output) stopTimer(t Timer) { o.timer(TimerOp{Timer: t}) }

func (o *Output) done(oc Outcome) { o.Done = append(o.Done, oc) }

// Trace vocabulary of the machine's events (Iface N1, Peer "amf").
const (
	PeerAMF = "amf"
	// Detail of a KindMessage event: "ul sht=<n>" or "dl sht=<n>" (security
	// header type n), the same form nf/amf uses.
	DetailFmt = "%s sht=%d"
	// Names of KindNote events.
	NoteNullSchemeSUCI     = "SUCI null scheme"     // no home network key: the MSIN travels in clear
	NoteNetworkNotGenuine  = "network not genuine"  // TS 24.501 §5.4.1.3.7
	NoteUSIMInvalid        = "USIM invalid for 5GS" // after #3/#6/#7 or AUTHENTICATION REJECT
	NoteSecurityActivated  = "NAS security activated"
	NoteReRegistration     = "re-registration"
	NoteUnprotectedReject  = "unprotected reject accepted" // residual risk X4
	NoteDeregistrationDone = "deregistration aborted locally"
)

// Reason tokens: the Cause of KindDrop events (internal/metrics uses it as
// the "reason" label; Detail carries the free text).
const (
	DropUndecodable  = "undecodable"         // header or message does not decode
	DropWrongEPD     = "wrong-epd"           // a 5GSM message outside DL NAS TRANSPORT
	DropNotProtected = "not-protected"       // plain where TS 24.501 §4.4.4.2 requires protection
	DropNoContext    = "no-security-context" // protected without a NAS security context
	DropMACFailure   = "mac-failure"         // NAS MAC check failed
	DropReplay       = "replay"              // NAS COUNT already seen
	DropIntegrity    = "integrity-failure"   // another integrity check failure
	DropHeader       = "bad-security-header" // a security header type not used downlink, or the wrong one
	DropState        = "invalid-state"       // not compatible with, or ignored in, the current state
	DropUnsupported  = "unsupported"         // a message or payload the UE does not handle
)

// Key names in KindKey events (never values).
const (
	KeyKAUSF   = "KAUSF"
	KeyKSEAF   = "KSEAF"
	KeyKAMF    = "KAMF"
	KeyKNASint = "KNASint"
	KeyKNASenc = "KNASenc"
)

// CauseString renders a 5GMM cause for trace events: "5GMM#3".
func CauseString(c uint8) string { return fmt.Sprintf("5GMM#%d", c) }

// Machine is one UE's 5GMM entity. It is a value meant to be embedded in the
// UE; it is not safe for concurrent use (the driver serialises events).
type Machine struct {
	cfg  *Config
	sim  *usim.USIM
	rand io.Reader

	state State

	// Current 5G NAS security context (TS 24.501 §4.4.2): keys, COUNTs and
	// ngKSI; sec.Valid() false when there is none.
	sec   nassec.Context
	ksi   uint8
	kamf  aka.Key256
	kausf aka.Key256

	// Partial native context from the last successful 5G AKA, taken into use
	// by the next SECURITY MODE COMMAND with its ngKSI.
	newKSI   uint8
	newKAMF  aka.Key256
	newKAUSF aka.Key256

	guti    ident.GUTI
	hasGUTI bool
	t3512   time.Duration

	fullReq  []byte // full plain REGISTRATION REQUEST, for SECURITY MODE COMPLETE
	identity []byte // 5GS mobile identity used in the last REGISTRATION REQUEST

	authFails     uint8
	deregAttempts uint8
	retriedSUCI   bool
	switchOff     bool
	usimInvalid   bool
	// connected: a NAS signalling connection exists (the UE sent something
	// since the last release). secure: secure exchange of NAS messages is
	// established on it (TS 24.501 §4.4.2.x): a successful SMC, or a
	// downlink message verified with the current context. Until then the
	// UE sends only initial messages integrity protected (header type 1)
	// and everything else plain, so a network that lost the context (and
	// identifies or authenticates the UE again) can read the answers.
	connected bool
	secure    bool
	// quiet: the driver discards trace events (SetTracing).
	quiet bool
}

func (m *Machine) disconnect() { m.connected, m.secure = false, false }

// New returns a machine in 5GMM-DEREGISTERED for the USIM sim. cfg must have
// been validated and is shared read-only; rand feeds SUCI concealment.
func New(cfg *Config, sim *usim.USIM, rand io.Reader) *Machine {
	m := &Machine{}
	m.Init(cfg, sim, rand)
	return m
}

// Init initialises m in place (for UEs that embed a Machine by value).
func (m *Machine) Init(cfg *Config, sim *usim.USIM, rand io.Reader) {
	*m = Machine{cfg: cfg, sim: sim, rand: rand, state: StateDeregistered, ksi: nasx.KSINoKey, newKSI: nasx.KSINoKey}
}

// SetTracing says whether the driver records trace events (default on).
// Off, Output.Events stays empty and no event details are formatted;
// everything else in an Output is the same. Init turns it back on.
func (m *Machine) SetTracing(on bool) { m.quiet = !on }

// State returns the 5GMM state.
func (m *Machine) State() State { return m.state }

// Registered reports whether the UE is in 5GMM-REGISTERED.
func (m *Machine) Registered() bool { return m.state == StateRegistered }

// GUTI returns the stored 5G-GUTI.
func (m *Machine) GUTI() (ident.GUTI, bool) { return m.guti, m.hasGUTI }

// HasSecurityContext reports whether a current 5G NAS security context exists.
func (m *Machine) HasSecurityContext() bool { return m.sec.Valid() }

// NgKSI returns the key set identifier of the current context (7 = none).
func (m *Machine) NgKSI() uint8 { return m.ksi }

// NASCounts returns the next uplink and downlink NAS COUNT of the current context.
func (m *Machine) NASCounts() (ul, dl nassec.Count) { return m.sec.Counts() }

// USIMInvalid reports whether the USIM is considered invalid for 5GS.
func (m *Machine) USIMInvalid() bool { return m.usimInvalid }

// T3512 returns the periodic registration timer the network assigned (not
// scheduled by the emulator: no timer per idle UE).
func (m *Machine) T3512() time.Duration { return m.t3512 }

// KAUSF returns the KAUSF of the current security context, for AKMA key
// derivation (TS 33.535 §6.1); ok is false before a successful SMC.
func (m *Machine) KAUSF() (k aka.Key256, ok bool) { return m.kausf, !m.kausf.IsZero() }

// PowerCycle models switch-off and switch-on (TS 24.501 §5.5.1.2.5: "until
// switch off"): the state returns to 5GMM-DEREGISTERED, the "USIM invalid"
// mark and the failure counters are cleared, and running timers stop. A
// valid security context and GUTI survive (they are stored in non-volatile
// memory, TS 24.501 §4.4.2.1).
func (m *Machine) PowerCycle() Output {
	out := Output{quiet: m.quiet}
	m.stopAll(&out)
	m.setState(&out, StateDeregistered)
	m.usimInvalid, m.authFails, m.deregAttempts = false, 0, 0
	m.disconnect()
	m.clearNew()
	m.fullReq = nil
	return out
}

// Forget deletes the GUTI and every security context (factory reset; the
// driver wipes the USIM separately).
func (m *Machine) Forget() Output {
	out := m.PowerCycle()
	m.deleteContext()
	return out
}

// Handle processes one event. A non-nil error is a local refusal of a user
// request (ErrBusy, ErrRegistered, ErrNotRegistered, ErrNoCredential,
// ErrUSIMInvalid) or an invalid event; protocol outcomes are in Output.Done.
func (m *Machine) Handle(ev Event) (Output, error) {
	out := Output{quiet: m.quiet}
	if m.cfg == nil {
		return out, fmt.Errorf("%w: machine not initialised", ErrBadEvent)
	}
	in := input{ev: ev}
	switch e := ev.(type) {
	case Downlink:
		if !m.classify(e.PDU, &in, &out) {
			return out, nil
		}
	case *Downlink:
		if e == nil || !m.classify(e.PDU, &in, &out) {
			return out, nil
		}
	case nil:
		return out, fmt.Errorf("%w: nil event", ErrBadEvent)
	default:
		in.kind = ev.Kind()
	}
	if in.kind == 0 || in.kind >= numEventKinds {
		return out, fmt.Errorf("%w: %T", ErrBadEvent, ev)
	}
	t := table[m.state][in.kind]
	switch t.disp {
	case Handle:
		err := t.h(m, &in, &out)
		return out, err
	case Refuse:
		return out, t.err
	case Status98:
		m.dropped(&out, &in, DropState, "not compatible with state "+m.state.String())
		m.sendStatus(&out, nasx.CauseMessageTypeNotCompatibleWithProtocolState)
	case Status97:
		m.dropped(&out, &in, DropUnsupported, "not implemented")
		m.sendStatus(&out, nasx.CauseMessageTypeNonExistent)
	default: // Ignore (and any hole, which the completeness test forbids)
		if in.msg != nil || in.msgType != 0 {
			m.dropped(&out, &in, DropState, "ignored in state "+m.state.String())
		}
	}
	return out, nil
}

// input is a classified event.
type input struct {
	ev      Event
	kind    EventKind
	pdu     []byte // raw downlink PDU
	hdr     uint8  // outer security header type
	msgType nasx.MessageType
	msg     nasx.Msg // parsed plain 5GMM message (for SMC: the inner message before verification)
}

// protected reports whether the message arrived integrity protected and verified.
func (in *input) protected() bool { return in.hdr != nasx.SecHdrPlain }

func (m *Machine) setState(out *Output, s State) {
	if m.state == s {
		return
	}
	out.event(trace.Event{Kind: trace.KindState, Name: s.String(), Detail: m.state.String()})
	m.state = s
}

func (m *Machine) stopAll(out *Output) {
	for t := Timer(0); t < NumTimers; t++ {
		out.stopTimer(t)
	}
}

func (m *Machine) clearNew() {
	m.newKSI, m.newKAMF, m.newKAUSF = nasx.KSINoKey, aka.Key256{}, aka.Key256{}
}

// deleteContext deletes the 5G-GUTI, ngKSI and every NAS security context
// (TS 24.501 §5.5.1.2.5 for #3/#6/#7/#9, §5.4.1.3.5).
func (m *Machine) deleteContext() {
	m.sec = nassec.Context{}
	m.secure = false
	m.ksi, m.kamf, m.kausf = nasx.KSINoKey, aka.Key256{}, aka.Key256{}
	m.clearNew()
	m.guti, m.hasGUTI = ident.GUTI{}, false
}

func (m *Machine) msgEvent(out *Output, dir Direction, t nasx.MessageType, hdr uint8, dropped bool) {
	out.Messages = append(out.Messages, Message{Dir: dir, Type: t, SecHdr: hdr, Dropped: dropped})
	if !dropped && out.tracing() {
		out.event(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN1, Peer: PeerAMF,
			Name: t.String(), Detail: fmt.Sprintf(DetailFmt, dir.lower(), hdr)})
	}
}

// drop records a discarded downlink PDU (KindDrop): cause is a reason
// token (Drop*), reason the free text.
func (m *Machine) drop(out *Output, name string, hdr uint8, t nasx.MessageType, cause, reason string) {
	if t != 0 {
		m.msgEvent(out, DL, t, hdr, true)
	}
	out.event(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN1, Peer: PeerAMF, Name: name, Cause: cause,
		Detail: fmt.Sprintf("sht=%d: %s", hdr, reason)})
}

func (m *Machine) dropped(out *Output, in *input, cause, reason string) {
	name := "NAS"
	if in.msgType != 0 {
		name = in.msgType.String()
	}
	out.event(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN1, Peer: PeerAMF, Name: name, Cause: cause,
		Detail: fmt.Sprintf("sht=%d: %s", in.hdr, reason)})
}

// send builds msg, protects it when a security context exists (header type
// hdr; HdrIntegrityCiphered when 0 is passed and a context exists) and queues it.
func (m *Machine) send(out *Output, msg nasx.Msg, hdr uint8) error {
	plain, err := msg.Build()
	if err != nil {
		return fmt.Errorf("gmm: build %s: %w", msg.MessageType(), err)
	}
	return m.sendPlain(out, plain, msg.MessageType(), hdr)
}

func (m *Machine) sendPlain(out *Output, plain []byte, t nasx.MessageType, hdr uint8) error {
	pdu := plain
	switch {
	case !m.sec.Valid():
		hdr = nasx.SecHdrPlain
	case hdr == nasx.SecHdrIntegrity:
		// An initial NAS message with a current context (§4.4.6).
	case !m.secure:
		hdr = nasx.SecHdrPlain
	case hdr == nasx.SecHdrPlain:
		hdr = nasx.SecHdrIntegrityCiphered
	}
	if hdr != nasx.SecHdrPlain {
		p, err := m.sec.Protect(plain, hdr)
		if err != nil {
			return fmt.Errorf("gmm: protect %s: %w", t, err)
		}
		pdu = p
	}
	out.Uplink = append(out.Uplink, Uplink{PDU: pdu, Message: t, SecHdr: hdr})
	m.msgEvent(out, UL, t, hdr, false)
	m.connected = true
	return nil
}

func (m *Machine) sendStatus(out *Output, cause uint8) {
	_ = m.send(out, &nasx.Status5GMM{Cause: cause}, 0)
}

// unprotectedAllowed lists the downlink messages a UE processes without
// integrity protection (TS 24.501 §4.4.4.2). DEREGISTRATION REQUEST (UE
// terminated) is deliberately absent.
func unprotectedAllowed(msg nasx.Msg) bool {
	switch v := msg.(type) {
	case *nasx.IdentityRequest:
		return v.IdentityType == nasx.IdentitySUCI
	case *nasx.AuthenticationRequest, *nasx.AuthenticationReject:
		return true
	case *nasx.RegistrationReject:
		return v.Cause != nasx.CauseNotAuthorizedForCAG && v.Cause != nasx.CausePLMNNotAllowedAtLocation
	case *nasx.ServiceReject:
		return v.Cause != nasx.CauseNotAuthorizedForCAG && v.Cause != nasx.CausePLMNNotAllowedAtLocation
	case *nasx.DeregistrationAcceptUEOriginating:
		return true
	}
	return false
}

func kindOf(msg nasx.Msg) EventKind {
	switch msg.(type) {
	case *nasx.AuthenticationRequest:
		return EvAuthenticationRequest
	case *nasx.AuthenticationReject:
		return EvAuthenticationReject
	case *nasx.IdentityRequest:
		return EvIdentityRequest
	case *nasx.SecurityModeCommand:
		return EvSecurityModeCommand
	case *nasx.RegistrationAccept:
		return EvRegistrationAccept
	case *nasx.RegistrationReject:
		return EvRegistrationReject
	case *nasx.DeregistrationRequestUETerminated:
		return EvDeregistrationRequest
	case *nasx.DeregistrationAcceptUEOriginating:
		return EvDeregistrationAccept
	case *nasx.DLNASTransport:
		return EvDLNASTransport
	case *nasx.ServiceAccept:
		return EvServiceAccept
	case *nasx.ServiceReject:
		return EvServiceReject
	case *nasx.Status5GMM:
		return EvStatus
	}
	if msg.MessageType() == nasx.MsgAuthenticationResult {
		return EvAuthenticationResult
	}
	return EvUnsupportedMessage
}

// classify runs the downlink security checks (TS 24.501 §4.4.4.2, TS 33.501
// §6.4.3.2) and fills in; false means the PDU was dropped (and traced).
func (m *Machine) classify(pdu []byte, in *input, out *Output) bool {
	in.pdu = pdu
	h, err := nasx.PeekHeader(pdu)
	if err != nil {
		m.drop(out, "NAS", 0, 0, DropUndecodable, "undecodable: "+err.Error())
		return false
	}
	if h.EPD != nasx.EPD5GMM {
		m.drop(out, "NAS", 0, 0, DropWrongEPD, "5GSM message outside DL NAS TRANSPORT")
		return false
	}
	in.hdr = h.SecurityHeaderType
	if h.MessageTypeKnown {
		in.msgType = h.MessageType
	}
	switch in.hdr {
	case nasx.SecHdrPlain:
		msg, err := nasx.Parse(pdu)
		if err != nil {
			return m.unparsable(in, out, err)
		}
		if !unprotectedAllowed(msg) {
			m.drop(out, in.msgType.String(), in.hdr, in.msgType, DropNotProtected, "not integrity protected")
			return false
		}
		in.msg = msg
	case nasx.SecHdrIntegrityNewCtx:
		// SECURITY MODE COMMAND: verified by its handler with the new context.
		_, inner, err := nassec.Split(pdu)
		if err != nil {
			m.drop(out, "NAS", in.hdr, 0, DropUndecodable, "undecodable: "+err.Error())
			return false
		}
		msg, err := nasx.Parse(inner)
		if err != nil {
			return m.unparsable(in, out, err)
		}
		if _, ok := msg.(*nasx.SecurityModeCommand); !ok {
			m.drop(out, in.msgType.String(), in.hdr, in.msgType, DropHeader, "new-context header on a message other than SECURITY MODE COMMAND")
			return false
		}
		in.msg = msg
	case nasx.SecHdrIntegrity, nasx.SecHdrIntegrityCiphered:
		if !m.sec.Valid() {
			m.drop(out, "NAS", in.hdr, in.msgType, DropNoContext, "no NAS security context")
			return false
		}
		plain, _, err := m.sec.Unprotect(pdu)
		if err != nil {
			reason, cause := err.Error(), DropIntegrity
			switch {
			case errors.Is(err, nassec.ErrMACFailure):
				reason, cause = "MAC failure", DropMACFailure
			case errors.Is(err, nassec.ErrReplay):
				reason, cause = "replayed NAS COUNT", DropReplay
			}
			m.drop(out, nameOr(in.msgType), in.hdr, in.msgType, cause, reason)
			return false
		}
		m.secure = true // a message verified with the current context
		msg, err := nasx.Parse(plain)
		if err != nil {
			return m.unparsable(in, out, err)
		}
		in.msgType = msg.MessageType()
		in.msg = msg
	default:
		m.drop(out, nameOr(in.msgType), in.hdr, in.msgType, DropHeader, "security header type not used downlink")
		return false
	}
	if msg, ok := in.msg.(nasx.GSMMsg); ok {
		m.drop(out, msg.MessageType().String(), in.hdr, msg.MessageType(), DropWrongEPD, "5GSM message outside DL NAS TRANSPORT")
		return false
	}
	in.msgType = in.msg.MessageType()
	in.kind = kindOf(in.msg)
	m.msgEvent(out, DL, in.msgType, in.hdr, false)
	return true
}

func nameOr(t nasx.MessageType) string {
	if t == 0 {
		return "NAS"
	}
	return t.String()
}

// unparsable handles a PDU that passed the security checks but does not
// decode: an unknown message type is answered with 5GMM STATUS #97 once
// security is active; other garbage is dropped.
func (m *Machine) unparsable(in *input, out *Output, err error) bool {
	m.drop(out, nameOr(in.msgType), in.hdr, in.msgType, DropUndecodable, "unparsable: "+err.Error())
	if errors.Is(err, nasx.ErrUnknownMessageType) && in.hdr != nasx.SecHdrPlain && m.state != StateDeregistered {
		m.sendStatus(out, nasx.CauseMessageTypeNonExistent)
	}
	return false
}
