package ue

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/ue/gmm"
	"github.com/credbed/credbed/ue/gnb"
	"github.com/credbed/credbed/ue/uplane"
	"github.com/credbed/credbed/ue/usim"
)

// DropSendFailed is the Cause of the KindDrop event of an uplink message
// the serving cell refused (the 5GMM machine's tokens are gmm.Drop*).
const DropSendFailed = "send-failed"

// Errors.
var (
	ErrNotAttached = errors.New("ue: not attached to a cell")
	ErrBusy        = errors.New("ue: a procedure is already running")
	// ErrNotRegistered, ErrRegistered, ErrNoCredential and ErrUSIMInvalid
	// are the 5GMM machine's refusals.
	ErrNotRegistered = gmm.ErrNotRegistered
	ErrRegistered    = gmm.ErrRegistered
	ErrNoCredential  = gmm.ErrNoCredential
	ErrUSIMInvalid   = gmm.ErrUSIMInvalid
	// ErrSend: the serving cell refused an uplink message; the running
	// procedure is aborted.
	ErrSend = errors.New("ue: uplink NAS not sent")
	// ErrDeregistrationTimeout: T3521 expired five times; the UE de-registered
	// locally.
	ErrDeregistrationTimeout = errors.New("ue: no DEREGISTRATION ACCEPT (T3521 expired 5 times)")
	// ErrNoSession: no PDU session (with a user plane) to dial from.
	ErrNoSession = errors.New("ue: no PDU session with a user plane")
	// ErrNoPSI: all 15 PDU session identities are in use.
	ErrNoPSI = errors.New("ue: no free PDU session identity")
	// ErrSessionAborted: the PDU session procedure ended without an answer
	// (the UE de-registered or the connection was released).
	ErrSessionAborted = errors.New("ue: PDU session procedure aborted")
	// ErrAborted: a power cycle or factory reset ended the waited procedure.
	ErrAborted = errors.New("ue: procedure aborted by power cycle or factory reset")
	// ErrNotDeregistered: credentials change only in 5GMM-DEREGISTERED.
	ErrNotDeregistered = errors.New("ue: not in 5GMM-DEREGISTERED")
)

// Radio is the serving cell as the UE sees it. *gnb.Link implements it; tests
// may plug a scripted network.
type Radio interface {
	// SendNAS sends an uplink NAS PDU (initial or not: the cell decides).
	SendNAS(ctx context.Context, pdu []byte) error
	// SessionAddress reports the address of PDU session psi; ready is true
	// when the user plane is wired (else the cell calls SessionReady later).
	SessionAddress(psi uint8, ip netip.Addr) (ready bool, err error)
	// Plane is the user plane serving the UE (nil without one).
	Plane() *uplane.Plane
	// Release drops the NAS signalling connection locally.
	Release()
	// Detach leaves the cell.
	Detach()
}

// Config configures one UE.
type Config struct {
	// Name is the actor in trace events (default "ue/<SUPI>", or "ue/empty").
	Name string
	// Credential fills the USIM slot; nil leaves it empty (a target device).
	Credential *usim.Credential
	// GMM configures the 5GMM machine (security capability, requested NSSAI,
	// serving PLMN, emergency, timers).
	GMM gmm.Config
}

// Validate checks c and fills defaults.
func (c *Config) Validate() error {
	if c.Credential != nil {
		if err := c.Credential.Validate(); err != nil {
			return err
		}
	}
	return c.GMM.Validate()
}

// Deps are the UE's injected dependencies.
type Deps struct {
	Clock  clock.Clock  // default: wall clock
	Rand   io.Reader    // SUCI ephemeral keys; default crypto/rand
	Trace  trace.Sink   // default: trace.Discard
	Logger *slog.Logger // default: discard
}

// UE is one emulated UE. Its methods are safe for concurrent use.
type UE struct {
	cfg  Config
	clk  clock.Clock
	tr   trace.Sink
	log  *slog.Logger
	rand io.Reader

	mu       sync.Mutex
	name     string
	sim      usim.USIM
	m        gmm.Machine
	radio    Radio
	timers   [gmm.NumTimers]ueTimer
	actions  []action
	flushing bool
	sending  bool // flush is handing an uplink message to the radio
	wait     *waiter
	last     [5]lastOutcome

	sessions []*session
	pti      uint8
}

type ueTimer struct {
	t   clock.Timer
	gen uint32
}

type lastOutcome struct {
	o  gmm.Outcome
	ok bool
}

// New builds a UE (not attached to any cell).
func New(cfg Config, deps Deps) (*UE, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Clock == nil {
		deps.Clock = clock.Real{}
	}
	if deps.Rand == nil {
		deps.Rand = rand.Reader
	}
	if deps.Trace == nil {
		deps.Trace = trace.Discard
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	u := &UE{cfg: cfg, clk: deps.Clock, tr: deps.Trace, log: deps.Logger, rand: deps.Rand}
	if cfg.Credential != nil {
		if err := u.sim.Install(*cfg.Credential); err != nil {
			return nil, err
		}
	}
	u.cfg.Credential = nil // the USIM holds it now
	u.m.Init(&u.cfg.GMM, &u.sim, u.rand)
	u.m.SetTracing(deps.Trace != trace.Discard)
	u.setName()
	return u, nil
}

func (u *UE) setName() {
	switch {
	case u.cfg.Name != "":
		u.name = u.cfg.Name
	case u.sim.Present():
		u.name = "ue/" + u.sim.SUPI().String()
	default:
		u.name = "ue/empty"
	}
}

// Name returns the actor name.
func (u *UE) Name() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.name
}

// ---- attachment ----

// Attach camps the UE on g (leaving any previous cell).
func (u *UE) Attach(g *gnb.GNB) { u.AttachRadio(g.Connect(u)) }

// AttachRadio camps the UE on any Radio (a gNB link, a scripted network).
func (u *UE) AttachRadio(r Radio) {
	u.mu.Lock()
	old := u.radio
	u.radio = r
	u.mu.Unlock()
	if old != nil && old != r {
		old.Detach()
	}
}

// Radio returns the serving cell.
func (u *UE) Radio() Radio {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.radio
}

// ---- gnb.Terminal ----

// ReceiveNAS is the UE's downlink NAS entry (gnb.Terminal): the PDU passes
// the 5GMM security checks and the transition table.
func (u *UE) ReceiveNAS(pdu []byte) {
	u.mu.Lock()
	out, err := u.m.Handle(gmm.Downlink{PDU: pdu})
	if err != nil {
		u.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN1, Name: "NAS", Cause: gmm.DropUndecodable, Detail: err.Error()})
	}
	u.apply(out)
	u.mu.Unlock()
	u.flush()
}

// ConnectionReleased implements gnb.Terminal.
func (u *UE) ConnectionReleased() {
	u.mu.Lock()
	if u.staleRelease() {
		u.mu.Unlock()
		return
	}
	out, _ := u.m.Handle(gmm.ConnectionReleased{})
	u.apply(out)
	for _, s := range u.sessions {
		s.UserPlane = false
	}
	u.mu.Unlock()
	u.flush()
}

// SessionReady implements gnb.Terminal.
func (u *UE) SessionReady(psi uint8) {
	u.mu.Lock()
	if s := u.session(psi); s != nil && s.Accepted {
		s.UserPlane = true
		s.complete(nil)
	}
	u.mu.Unlock()
}

// staleRelease reports that a release notification (gnb.Terminal: the
// cell drops its context before it tells the UE) concerns a connection the
// UE already left: the cell holds a new connection for the UE, or an uplink
// message is queued or being sent, which opens one. Without this, a UE
// registering again right after a de-registration would abort its new
// registration when the old connection's release reaches it (u.mu held).
// A radio that cannot tell (no Connected method) gets every release.
func (u *UE) staleRelease() bool {
	c, ok := u.radio.(interface{ Connected() bool })
	if !ok {
		return false
	}
	if c.Connected() {
		return true
	}
	pending := u.sending
	for _, a := range u.actions {
		pending = pending || a.kind == actSend
	}
	return pending
}

// ---- output handling ----

type actionKind uint8

const (
	actSend actionKind = iota + 1
	actRelease
	actSessionAddress
)

type action struct {
	kind actionKind
	pdu  []byte
	psi  uint8
	ip   netip.Addr
}

func (u *UE) emit(e trace.Event) {
	e.Actor = u.name
	if u.sim.Present() {
		e.SUPI = u.sim.SUPI().String()
	}
	u.tr.Emit(e)
}

// apply runs with u.mu held; IO waits for flush.
func (u *UE) apply(out gmm.Output) {
	for _, e := range out.Events {
		u.emit(e)
	}
	if u.wait != nil && u.wait.kind == waitRegistration {
		u.wait.reg.Messages = append(u.wait.reg.Messages, out.Messages...)
	}
	for _, op := range out.Timers {
		u.timer(op)
	}
	for _, ul := range out.Uplink {
		u.actions = append(u.actions, action{kind: actSend, pdu: ul.PDU})
	}
	for _, sm := range out.SM {
		u.handleSM(sm)
	}
	if out.Release {
		u.actions = append(u.actions, action{kind: actRelease})
	}
	for _, d := range out.Done {
		u.finish(d)
	}
}

// flush performs queued IO without holding u.mu, in order; a call made while
// another goroutine (or an outer frame) flushes returns at once.
func (u *UE) flush() {
	u.mu.Lock()
	if u.flushing {
		u.mu.Unlock()
		return
	}
	u.flushing = true
	for len(u.actions) > 0 {
		a := u.actions[0]
		u.actions = u.actions[1:]
		if len(u.actions) == 0 {
			u.actions = nil
		}
		r := u.radio
		u.sending = a.kind == actSend
		u.mu.Unlock()
		var err error
		ready := false
		switch {
		case r == nil:
			err = ErrNotAttached
		case a.kind == actSend:
			err = r.SendNAS(context.Background(), a.pdu)
		case a.kind == actRelease:
			r.Release()
		case a.kind == actSessionAddress:
			ready, err = r.SessionAddress(a.psi, a.ip)
		}
		u.mu.Lock()
		u.sending = false
		switch a.kind {
		case actSend:
			if err != nil {
				u.sendFailed(err)
			}
		case actSessionAddress:
			if s := u.session(a.psi); s != nil {
				switch {
				case err == nil && ready:
					s.UserPlane = true
					s.complete(nil)
				case err != nil:
					// No user plane at this cell: the session exists
					// in the network but carries no traffic here.
					u.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN3, Name: "user plane not wired",
						Detail: fmt.Sprintf("psi %d: %v", a.psi, err)})
					s.complete(nil)
				}
			}
		}
	}
	u.flushing = false
	u.mu.Unlock()
}

// sendFailed aborts the running procedure after an uplink failure (u.mu held).
func (u *UE) sendFailed(err error) {
	u.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN1, Name: "uplink NAS", Cause: DropSendFailed, Detail: "not sent: " + err.Error()})
	w := u.wait
	out, _ := u.m.Handle(gmm.ConnectionReleased{})
	u.apply(out)
	if w != nil && !w.done {
		w.finish(fmt.Errorf("%w: %w", ErrSend, err))
		u.wait = nil
	}
	u.abortSessions(fmt.Errorf("%w: %w", ErrSend, err), false)
}

// timer applies a timer operation on the injected clock (u.mu held).
func (u *UE) timer(op gmm.TimerOp) {
	slot := &u.timers[op.Timer]
	if slot.t != nil {
		slot.t.Stop()
		slot.t = nil
	}
	slot.gen++
	if !op.Start {
		return
	}
	gen, t := slot.gen, op.Timer
	slot.t = u.clk.AfterFunc(op.After, func() { u.fire(t, gen) })
}

func (u *UE) fire(t gmm.Timer, gen uint32) {
	u.mu.Lock()
	slot := &u.timers[t]
	if slot.gen != gen {
		u.mu.Unlock()
		return
	}
	slot.t = nil
	out, _ := u.m.Handle(gmm.TimerExpired{Timer: t})
	u.apply(out)
	u.mu.Unlock()
	u.flush()
}

// ---- waiting ----

type waitKind uint8

const (
	waitRegistration waitKind = iota + 1
	waitDeregistration
)

type waiter struct {
	kind waitKind
	ch   chan struct{}
	done bool
	err  error
	reg  RegResult
	oc   gmm.Outcome
}

func (w *waiter) finish(err error) {
	if w.done {
		return
	}
	w.done, w.err = true, err
	close(w.ch)
}

// finish routes a procedure outcome (u.mu held).
func (u *UE) finish(d gmm.Outcome) {
	if int(d.Procedure) < len(u.last) {
		u.last[d.Procedure] = lastOutcome{o: d, ok: true}
	}
	if u.m.State() == gmm.StateDeregistered || d.Procedure == gmm.ProcNetworkDeregistration {
		u.abortSessions(ErrSessionAborted, true)
	}
	w := u.wait
	if w == nil {
		return
	}
	switch {
	case w.kind == waitRegistration && d.Procedure == gmm.ProcRegistration:
		w.reg.Accepted, w.reg.Reason, w.reg.Cause = d.Accepted, d.Reason, d.Cause
		w.reg.Protected, w.reg.USIMInvalid, w.reg.T3346 = d.Protected, d.USIMInvalid, d.T3346
		if d.Accepted {
			w.reg.GUTI, _ = u.m.GUTI()
		}
	case w.kind == waitDeregistration && d.Procedure == gmm.ProcDeregistration:
		w.oc = d
	case w.kind == waitRegistration && d.Procedure == gmm.ProcAuthentication:
		return
	default:
		return
	}
	u.wait = nil
	w.finish(nil)
}

// begin starts a waited procedure.
func (u *UE) begin(kind waitKind, ev gmm.Event) (*waiter, error) {
	u.mu.Lock()
	if u.radio == nil {
		u.mu.Unlock()
		return nil, ErrNotAttached
	}
	if u.wait != nil {
		u.mu.Unlock()
		return nil, ErrBusy
	}
	w := &waiter{kind: kind, ch: make(chan struct{})}
	u.wait = w
	out, err := u.m.Handle(ev)
	if err != nil {
		u.wait = nil
		u.mu.Unlock()
		return nil, err
	}
	u.apply(out)
	u.mu.Unlock()
	u.flush()
	return w, nil
}

func (u *UE) await(ctx context.Context, w *waiter) error {
	select {
	case <-w.ch:
		return w.err
	case <-ctx.Done():
		u.mu.Lock()
		if u.wait == w {
			u.wait = nil
		}
		u.mu.Unlock()
		return ctx.Err()
	}
}

// ---- 5GMM API ----

// RegResult is how a registration ended. A network rejection is a value
// (Accepted false, Reason, Cause), not an error.
type RegResult struct {
	Accepted bool
	Reason   gmm.Reason
	// Cause is the 5GMM cause of a REGISTRATION REJECT (or of a network
	// de-registration that ended the procedure); 0 = none.
	Cause uint8
	// Protected: the reject arrived integrity protected (an unprotected one
	// is the residual risk of scenario X4).
	Protected   bool
	USIMInvalid bool
	T3346       time.Duration
	// GUTI is the 5G-GUTI assigned (when accepted).
	GUTI ident.GUTI
	// Messages are the NAS messages sent and received during the procedure,
	// in order (dropped ones flagged).
	Messages []gmm.Message
}

// CauseString renders the cause as "5GMM#n" ("" when none).
func (r RegResult) CauseString() string {
	if r.Cause == 0 {
		return ""
	}
	return gmm.CauseString(r.Cause)
}

// RegisterOptions change a registration.
type RegisterOptions struct {
	// ForceSUCI registers with a fresh SUCI even when a 5G-GUTI and a
	// security context are held.
	ForceSUCI bool
}

// Register runs an initial registration and waits for its end: with the
// 5G-GUTI and an integrity-protected request when the UE holds a GUTI and a
// security context, otherwise with a fresh SUCI. Errors are local (not
// attached, busy, empty or invalid USIM, send failure, ctx); network
// rejections are RegResult values.
func (u *UE) Register(ctx context.Context) (RegResult, error) {
	return u.RegisterWith(ctx, RegisterOptions{})
}

// RegisterWith is Register with options.
func (u *UE) RegisterWith(ctx context.Context, o RegisterOptions) (RegResult, error) {
	w, err := u.begin(waitRegistration, gmm.Register{ForceSUCI: o.ForceSUCI})
	if err != nil {
		return RegResult{}, err
	}
	err = u.await(ctx, w)
	return w.reg, err
}

// Deregister runs a UE-originating de-registration (TS 24.501 §5.5.2.2).
// With switchOff it returns once the request is sent.
func (u *UE) Deregister(ctx context.Context, switchOff bool) error {
	w, err := u.begin(waitDeregistration, gmm.Deregister{SwitchOff: switchOff})
	if err != nil {
		return err
	}
	if err := u.await(ctx, w); err != nil {
		return err
	}
	if w.oc.Reason == gmm.ReasonTimeout {
		return ErrDeregistrationTimeout
	}
	return nil
}

// PowerCycle switches the UE off and on without de-registering: the 5GMM
// state returns to 5GMM-DEREGISTERED and the "USIM invalid" mark is cleared
// (TS 24.501 §5.5.1.2.5 "until switch off"); the USIM, a valid security
// context and the 5G-GUTI survive. The connection to the cell is released.
func (u *UE) PowerCycle() {
	u.mu.Lock()
	u.apply(u.m.PowerCycle())
	u.abortSessions(ErrSessionAborted, true)
	u.failWait(ErrAborted)
	u.actions = append(u.actions, action{kind: actRelease})
	u.mu.Unlock()
	u.flush()
}

// FactoryReset wipes the USIM (K, OPc, SQN array) and forgets the GUTI and
// every security context.
func (u *UE) FactoryReset() {
	u.mu.Lock()
	u.apply(u.m.Forget())
	u.sim.Wipe()
	u.setName()
	u.abortSessions(ErrSessionAborted, true)
	u.failWait(ErrAborted)
	u.actions = append(u.actions, action{kind: actRelease})
	u.mu.Unlock()
	u.flush()
}

func (u *UE) failWait(err error) {
	if u.wait != nil {
		u.wait.finish(err)
		u.wait = nil
	}
}

// InstallCredential fills the USIM slot atomically (the old credential, its
// SQN array, the GUTI and the security contexts go). Only in
// 5GMM-DEREGISTERED.
func (u *UE) InstallCredential(c usim.Credential) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m.State() != gmm.StateDeregistered || u.wait != nil {
		return ErrNotDeregistered
	}
	if err := u.sim.Install(c); err != nil {
		return err
	}
	u.apply(u.m.Forget())
	u.setName()
	u.emit(trace.Event{Kind: trace.KindKey, Name: "K", Detail: "credential installed in USIM"})
	return nil
}

// InstallPackage installs a provisioned credential package (usim.FromPackage).
func (u *UE) InstallPackage(p credential.Package) error {
	c, err := usim.FromPackage(p)
	if err != nil {
		return err
	}
	return u.InstallCredential(c)
}

// ---- inspection ----

// SUPI returns the USIM's SUPI (zero when empty).
func (u *UE) SUPI() ident.SUPI {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.sim.SUPI()
}

// HasCredential reports whether the USIM slot is filled.
func (u *UE) HasCredential() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.sim.Present()
}

// State returns the 5GMM state.
func (u *UE) State() gmm.State {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.m.State()
}

// Registered reports whether the UE is in 5GMM-REGISTERED.
func (u *UE) Registered() bool { return u.State() == gmm.StateRegistered }

// GUTI returns the stored 5G-GUTI.
func (u *UE) GUTI() (ident.GUTI, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.m.GUTI()
}

// HasSecurityContext reports whether the UE holds a current 5G NAS security context.
func (u *UE) HasSecurityContext() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.m.HasSecurityContext()
}

// USIMInvalid reports whether the UE considers its USIM invalid for 5GS.
func (u *UE) USIMInvalid() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.m.USIMInvalid()
}

// LastOutcome returns the last outcome of procedure p (e.g. the network
// de-registration a deprovisioning caused).
func (u *UE) LastOutcome(p gmm.Procedure) (gmm.Outcome, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if int(p) >= len(u.last) {
		return gmm.Outcome{}, false
	}
	return u.last[p].o, u.last[p].ok
}

// KAUSF returns the KAUSF of the current security context for AKMA key
// derivation (TS 33.535 §6.1). It is secret: never log it.
func (u *UE) KAUSF() (aka.Key256, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.m.KAUSF()
}

// String describes the UE without secrets.
func (u *UE) String() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return fmt.Sprintf("%s{%s %s}", u.name, u.m.State(), u.sim.String())
}
