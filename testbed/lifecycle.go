package testbed

// The provisioning lifecycle on a bed (DESIGN reference flow, steps 1-9):
// the driver of one lifecycle and its concurrent form (devices.go builds
// the devices).

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/dlink"
	"github.com/credbed/credbed/ue/gmm"
	"github.com/credbed/credbed/ue/roles"
)

// ---- the lifecycle ----

// Step is one step of the reference flow (DESIGN).
type Step int

// Steps.
const (
	// StepPDAttach: the PD registers and opens its PDU session (skipped
	// when done already).
	StepPDAttach Step = iota + 1
	// StepAKMA: the PD derives K_AKMA and its A-KID from its KAUSF (the
	// AUSF registered the same at the AAnF).
	StepAKMA
	// StepBootstrap: the PD reads the TD's bootstrap URI out of band; the
	// TD's responder is armed for the profile.
	StepBootstrap
	// StepProvisionRequest: the PD's provisioning request to the CPF over
	// its PDU session, up to the CPF's answer (DESIGN steps 4 and 5 as the
	// PD sees them).
	StepProvisionRequest
	// StepNetworkCredential: the network holds the TD's subscription,
	// pending and owned by the PD, at the UDR (step 5's outcome).
	StepNetworkCredential
	// StepDirectLink: the delivery over the direct link, the TD's atomic
	// install and proof of possession, and the confirmation the profile
	// requires (step 6).
	StepDirectLink
	// StepTargetAttach: the TD registers with the new credential, its
	// subscription becomes active, it opens a PDU session and exchanges
	// data with the data network (step 7).
	StepTargetAttach
	// StepDeprovision: the PD deprovisions the TD; the TD gets the
	// protected network-initiated DEREGISTRATION REQUEST, its contexts at
	// the AMF, SMF and UPF are gone and its data no longer flows (step 8).
	StepDeprovision
	// StepRejected: the TD registers again with the old credential and is
	// rejected (#3 by default) without any context (step 9).
	StepRejected

	// NumSteps is the number of steps.
	NumSteps = int(StepRejected)
)

var stepNames = [...]string{"", "pd-attach", "akma", "bootstrap", "provision-request", "network-credential",
	"direct-link", "target-attach", "deprovision", "rejected"}

func (s Step) String() string {
	if s >= 1 && int(s) <= NumSteps {
		return stepNames[s]
	}
	return "step-" + strconv.Itoa(int(s))
}

// StepResult is how one step went.
type StepResult struct {
	Step    Step
	Skipped bool
	Took    time.Duration
	// Err is the step's failure (nil when it passed or was skipped).
	Err error
	// Detail says what the step did or saw (never a secret).
	Detail string
}

// ErrLifecycle matches every *StepError.
var ErrLifecycle = errors.New("testbed: lifecycle step failed")

// StepError is a lifecycle step that did not end as the profile expects.
type StepError struct {
	Step Step
	Err  error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("testbed: step %d %s: %v", e.Step, e.Step, e.Err)
}

// Unwrap returns the step's error.
func (e *StepError) Unwrap() error { return e.Err }

// Is matches ErrLifecycle.
func (e *StepError) Is(target error) bool { return target == ErrLifecycle }

// TargetState is the TD's state when the PD deprovisions it.
type TargetState int

// Target states at deprovisioning.
const (
	// TargetConnected (default): registered and CM-CONNECTED; the AMF
	// sends the protected DEREGISTRATION REQUEST (3gpp.md §6.3 X5).
	TargetConnected TargetState = iota
	// TargetIdle: registered, its NAS signalling connection released
	// (the AMF keeps its context in CM-IDLE and cannot reach it; §6.3 X6).
	TargetIdle
	// TargetDeregistered: the TD de-registered itself before (§6.3 X6,
	// "switched off").
	TargetDeregistered
)

func (t TargetState) String() string {
	switch t {
	case TargetConnected:
		return "connected"
	case TargetIdle:
		return "idle"
	case TargetDeregistered:
		return "deregistered"
	}
	return "target-state-" + strconv.Itoa(int(t))
}

// DefaultStepTimeout bounds one lifecycle step.
const DefaultStepTimeout = 30 * time.Second

// LifecycleOptions tune Lifecycle.
type LifecycleOptions struct {
	// TargetAt is the TD's state when the PD deprovisions it.
	TargetAt TargetState
	// StepTimeout bounds each step (default DefaultStepTimeout).
	StepTimeout time.Duration
	// Probe is the datagram echoed by the data network in step 7
	// (default "credbed lifecycle probe").
	Probe []byte
}

func (o *LifecycleOptions) fill() {
	if o.StepTimeout <= 0 {
		o.StepTimeout = DefaultStepTimeout
	}
	if len(o.Probe) == 0 {
		o.Probe = []byte("credbed lifecycle probe")
	}
}

// LifecycleResult is one lifecycle, step by step.
type LifecycleResult struct {
	Profile string
	PD      string // the PD's SUPI
	Device  string // the TD's device id
	SUPI    string // the TD's provisioned SUPI
	// Steps are the steps run, in order, up to the first failure.
	Steps []StepResult
	// Provisioned is the profile's provisioning outcome (steps 4-6).
	Provisioned profile.Provisioned
	// Attach is the TD's registration and session (step 7).
	Attach roles.Connection
	// Deregistration is the TD's network-initiated de-registration
	// (step 8, TargetConnected).
	Deregistration gmm.Outcome
	// Rejection is the TD's last registration (step 9).
	Rejection ue.RegResult
	Took      time.Duration
}

// Step returns the result of step s, if it ran.
func (r LifecycleResult) Step(s Step) (StepResult, bool) {
	for _, x := range r.Steps {
		if x.Step == s {
			return x, true
		}
	}
	return StepResult{}, false
}

// Err returns the first failed step as a *StepError, nil when none failed.
func (r LifecycleResult) Err() error {
	for _, x := range r.Steps {
		if x.Err != nil {
			return &StepError{Step: x.Step, Err: x.Err}
		}
	}
	return nil
}

// OK reports that all nine steps ran and none failed.
func (r LifecycleResult) OK() bool {
	if len(r.Steps) != NumSteps {
		return false
	}
	return r.Err() == nil
}

// timedPD is a PD that notes when the direct-link exchange starts and
// ends, to split ProvisionTarget into steps 4 and 6.
type timedPD struct {
	profile.PD
	now        func() time.Time
	mu         sync.Mutex
	start, end time.Time
}

func (p *timedPD) RunInitiator(ctx context.Context, td profile.TD, cfg dlink.InitiatorConfig) (dlink.Result, error) {
	p.mu.Lock()
	if p.start.IsZero() {
		p.start = p.now()
	}
	p.mu.Unlock()
	res, err := p.PD.RunInitiator(ctx, td, cfg)
	p.mu.Lock()
	p.end = p.now()
	p.mu.Unlock()
	return res, err
}

func (p *timedPD) times() (start, end time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.start, p.end
}

// lifecycle runs the steps of one lifecycle.
type lifecycle struct {
	b   *Bed
	p   profile.Profile
	pd  *roles.ProvisioningDevice
	td  *roles.TargetDevice
	o   LifecycleOptions
	res LifecycleResult
	ctx context.Context
}

func (l *lifecycle) now() time.Time { return l.b.Clock.Now() }

// run runs one step and records it; false stops the lifecycle.
func (l *lifecycle) run(s Step, f func(ctx context.Context, r *StepResult) error) bool {
	ctx, cancel := context.WithTimeout(l.ctx, l.o.StepTimeout)
	defer cancel()
	r := StepResult{Step: s}
	t0 := l.now()
	r.Err = f(ctx, &r)
	r.Took = l.now().Sub(t0)
	l.res.Steps = append(l.res.Steps, r)
	return r.Err == nil
}

// Lifecycle runs steps 1-9 of the reference flow with the profile named
// profileName, the provisioning device pd and the target device td (both
// made on this bed), and returns each step's outcome and timing. The error
// is the first failed step (a *StepError), or an unknown profile. The TD is
// left deprovisioned and rejected; the caller closes it.
//
// Reference: DESIGN reference flow; TR 33.899 KI #12.2 R1-R3.
func (b *Bed) Lifecycle(ctx context.Context, profileName string, pd *roles.ProvisioningDevice, td *roles.TargetDevice, o LifecycleOptions) (LifecycleResult, error) {
	p, err := b.Profiles.Get(profileName)
	if err != nil {
		return LifecycleResult{}, err
	}
	if pd == nil || td == nil {
		return LifecycleResult{}, fmt.Errorf("testbed: lifecycle needs a PD and a TD")
	}
	o.fill()
	l := &lifecycle{b: b, p: p, pd: pd, td: td, o: o, ctx: ctx,
		res: LifecycleResult{Profile: p.Name(), PD: pd.SUPI(), Device: td.DeviceID()}}
	t0 := l.now()
	_ = l.run(StepPDAttach, l.pdAttach) &&
		l.run(StepAKMA, l.akma) &&
		l.run(StepBootstrap, l.bootstrap) &&
		l.provision() &&
		l.run(StepTargetAttach, l.targetAttach) &&
		l.run(StepDeprovision, l.deprovision) &&
		l.run(StepRejected, l.rejected)
	l.res.Took = l.now().Sub(t0)
	return l.res, l.res.Err()
}

func (l *lifecycle) pdAttach(ctx context.Context, r *StepResult) error {
	c, err := l.b.ConnectDevice(ctx, l.pd)
	r.Skipped = err == nil && c.Skipped()
	if err != nil {
		return err
	}
	r.Detail = fmt.Sprintf("registered=%v session=%d %v", c.Registered, c.Session.ID, c.Session.Addr)
	return nil
}

func (l *lifecycle) akma(_ context.Context, r *StepResult) error {
	creds, err := l.pd.AKMA(l.pd.CPF().AFID)
	if err != nil {
		return err
	}
	r.Detail = "A-KID " + creds.AKID
	return nil
}

func (l *lifecycle) bootstrap(ctx context.Context, r *StepResult) error {
	uri := l.td.BootstrapURI()
	bs, err := credential.ParseURI(uri)
	if err != nil {
		return fmt.Errorf("bootstrap URI: %w", err)
	}
	if bs.DeviceID != l.td.DeviceID() || bs.Hash() != l.td.Bootstrap().Hash() {
		return fmt.Errorf("bootstrap URI names %s, not the target's key", bs.DeviceID)
	}
	if err := l.p.PrepareTarget(ctx, l.td); err != nil {
		return fmt.Errorf("arming the target: %w", err)
	}
	r.Detail = fmt.Sprintf("%s, responder %s", uri[:min(len(uri), 24)]+"...", l.p.DirectLink())
	return nil
}

// provision runs steps 4 to 6 through the profile's ProvisionTarget.
func (l *lifecycle) provision() bool {
	ctx, cancel := context.WithTimeout(l.ctx, 3*l.o.StepTimeout)
	defer cancel()
	tp := &timedPD{PD: l.pd, now: l.now}
	t0 := l.now()
	got, err := l.p.ProvisionTarget(ctx, tp, l.td)
	t1 := l.now()
	dlStart, _ := tp.times()
	l.res.Provisioned = got
	if dlStart.IsZero() {
		// Failed before the direct link: the request or the CPF's answer.
		l.res.Steps = append(l.res.Steps, StepResult{Step: StepProvisionRequest, Took: t1.Sub(t0), Err: err,
			Detail: "no direct-link exchange"})
		if err == nil {
			l.res.Steps[len(l.res.Steps)-1].Err = errors.New("the profile provisioned without a direct-link exchange")
		}
		return false
	}
	l.res.Steps = append(l.res.Steps, StepResult{Step: StepProvisionRequest, Took: dlStart.Sub(t0),
		Detail: "the CPF answered with the credential"})
	if err != nil {
		l.res.Steps = append(l.res.Steps,
			StepResult{Step: StepNetworkCredential, Skipped: true, Detail: "not checked: the delivery failed"},
			StepResult{Step: StepDirectLink, Took: t1.Sub(dlStart), Err: err})
		return false
	}
	l.res.SUPI = got.SUPI
	ok := l.run(StepNetworkCredential, l.networkCredential)
	if !ok {
		return false
	}
	// Step 6 ran inside ProvisionTarget; its checks run now.
	r := StepResult{Step: StepDirectLink, Took: t1.Sub(dlStart)}
	r.Err = l.directLink(&r)
	l.res.Steps = append(l.res.Steps, r)
	return r.Err == nil
}

func (l *lifecycle) networkCredential(ctx context.Context, r *StepResult) error {
	d, err := l.b.UDR.Get(ctx, l.res.SUPI)
	if err != nil {
		return fmt.Errorf("the UDR holds no subscription for %s: %w", l.res.SUPI, err)
	}
	if d.Provisioning == nil {
		return fmt.Errorf("subscription %s has no provisioning record", l.res.SUPI)
	}
	if d.Provisioning.State != udr.StatePending {
		return fmt.Errorf("subscription %s is %s before the target authenticated, want pending", l.res.SUPI, d.Provisioning.State)
	}
	if d.Provisioning.Owner != l.pd.SUPI() {
		return fmt.Errorf("subscription %s is owned by %q, not the PD", l.res.SUPI, d.Provisioning.Owner)
	}
	r.Detail = fmt.Sprintf("%s pending at the UDR, owner %s", l.res.SUPI, l.pd.SUPI())
	return nil
}

func (l *lifecycle) directLink(r *StepResult) error {
	got := l.res.Provisioned
	pkg, ok := l.td.Credential()
	if !ok {
		return errors.New("the target holds no credential")
	}
	defer pkg.Wipe()
	if pkg.SUPI.String() != got.SUPI {
		return fmt.Errorf("the target installed %s, the CPF provisioned %s", pkg.SUPI, got.SUPI)
	}
	if s := l.td.UE().SUPI(); s.String() != got.SUPI {
		return fmt.Errorf("the target's USIM holds %q, want %s", s.String(), got.SUPI)
	}
	if l.p.DirectLink() == dlink.Secure && !got.Confirmed {
		return errors.New("the CPF did not confirm the proof of possession")
	}
	r.Detail = fmt.Sprintf("installed %s (binding counter %d), confirmed=%v", got.SUPI, pkg.Binding.Counter, got.Confirmed)
	return nil
}

func (l *lifecycle) targetAttach(ctx context.Context, r *StepResult) error {
	c, err := l.b.ConnectDevice(ctx, l.td)
	l.res.Attach = c
	if err != nil {
		return err
	}
	if !c.Registered {
		return errors.New("the target was registered before its first registration")
	}
	dn := netip.AddrPortFrom(l.b.DN.Addr(), l.b.DN.Config().UDPEchoPort)
	if err := roles.Echo(ctx, l.td.UE(), dn, l.o.Probe); err != nil {
		return err
	}
	supi := l.res.SUPI
	if err := l.b.waitFor(ctx, "the subscription to become active", func() bool {
		d, err := l.b.UDR.Get(ctx, supi)
		return err == nil && d.Provisioning != nil && d.Provisioning.State == udr.StateActive
	}); err != nil {
		return err
	}
	r.Detail = fmt.Sprintf("registered (5G-TMSI %d), session %d %v, echo from %v, subscription active",
		c.Registration.GUTI.TMSI, c.Session.ID, c.Session.Addr, dn)
	return nil
}

func (l *lifecycle) deprovision(ctx context.Context, r *StepResult) error {
	u := l.td.UE()
	supi := l.res.SUPI
	switch l.o.TargetAt {
	case TargetIdle:
		if err := l.b.releaseConnection(ctx, u, supi); err != nil {
			return fmt.Errorf("making the target idle: %w", err)
		}
	case TargetDeregistered:
		if err := u.Deregister(ctx, false); err != nil {
			return fmt.Errorf("de-registering the target: %w", err)
		}
		// The UE waits for the network to release the NAS signalling
		// connection after DEREGISTRATION ACCEPT (TS 24.501 §5.5.2.2.2).
		if err := l.b.waitReleased(ctx, u); err != nil {
			return err
		}
	}
	ueAddr := l.res.Attach.Session.Addr
	got, err := l.p.Deprovision(ctx, l.pd, supi)
	if err != nil {
		return err
	}
	if got.SUPI != supi {
		return fmt.Errorf("the CPF removed %s, not %s", got.SUPI, supi)
	}
	if _, err := l.b.UDR.Get(ctx, supi); !errors.Is(err, udr.ErrNotFound) {
		return fmt.Errorf("the UDR still holds %s after deprovisioning (%v)", supi, err)
	}
	var notes []string
	if l.o.TargetAt == TargetConnected {
		if err := l.b.waitFor(ctx, "the target's network de-registration", func() bool {
			_, ok := u.LastOutcome(gmm.ProcNetworkDeregistration)
			return ok && u.State() == gmm.StateDeregistered
		}); err != nil {
			return err
		}
		oc, _ := u.LastOutcome(gmm.ProcNetworkDeregistration)
		l.res.Deregistration = oc
		switch {
		case !oc.Protected:
			return errors.New("the DEREGISTRATION REQUEST was not integrity protected")
		case oc.Cause != l.b.Topo.DeregCause:
			return fmt.Errorf("de-registered with cause #%d, want #%d", oc.Cause, l.b.Topo.DeregCause)
		}
		notes = append(notes, fmt.Sprintf("protected DEREGISTRATION REQUEST #%d", oc.Cause))
	}
	if err := l.b.waitFor(ctx, "the AMF, SMF and UPF to drop the target", func() bool {
		if _, ok := l.b.AMF.UE(supi); ok {
			return false
		}
		if len(l.b.SMF.Sessions(supi)) > 0 {
			return false
		}
		if ueAddr.IsValid() {
			if _, ok := l.b.UPF.SessionByUEIP(ueAddr); ok {
				return false
			}
		}
		return true
	}); err != nil {
		return err
	}
	if len(u.Sessions()) > 0 && l.o.TargetAt == TargetConnected {
		return errors.New("the target still holds a PDU session")
	}
	notes = append(notes, "no AMF context, no SM context, no UPF session for "+ueAddr.String())
	r.Detail = strings.Join(notes, "; ")
	return nil
}

func (l *lifecycle) rejected(ctx context.Context, r *StepResult) error {
	u := l.td.UE()
	// A rejected or de-registered UE registers again once the network has
	// released its connection (TS 24.501 §5.5.2.2.2, §5.5.2.3.2).
	if err := l.b.waitReleased(ctx, u); err != nil && !u.Registered() {
		return err
	}
	if u.USIMInvalid() || u.Registered() {
		// #3 holds until switch-off (TS 24.501 §5.5.1.2.5); an idle TD
		// that never heard of the de-registration is switched off and on
		// too (the emulated UE has no Service Request): it comes back with
		// its 5G-GUTI, which the AMF no longer knows.
		u.PowerCycle()
	}
	res, err := u.Register(ctx)
	l.res.Rejection = res
	if err != nil {
		return err
	}
	switch {
	case res.Accepted:
		return errors.New("the deprovisioned credential registered again")
	case res.Cause != l.b.Topo.RejectCause:
		return fmt.Errorf("rejected with %s (%s), want #%d", res.CauseString(), res.Reason, l.b.Topo.RejectCause)
	}
	if _, ok := l.b.AMF.UE(l.res.SUPI); ok {
		return errors.New("the AMF kept a context for the rejected target")
	}
	r.Detail = fmt.Sprintf("REGISTRATION REJECT %s, protected=%v, no AMF context", res.CauseString(), res.Protected)
	return nil
}

// waitReleased waits until u's serving cell holds no N2 context for it
// (the network released the NAS signalling connection).
func (b *Bed) waitReleased(ctx context.Context, u *ue.UE) error {
	l, ok := u.Radio().(interface{ Connected() bool })
	if !ok {
		return nil
	}
	return b.waitFor(ctx, "the release of the NAS signalling connection", func() bool { return !l.Connected() })
}

// releaseConnection moves a registered UE to CM-IDLE: the AMF releases
// its N2 connection as after user inactivity (TS 23.502 §4.2.6), and the
// UE and the AMF both see it released.
func (b *Bed) releaseConnection(ctx context.Context, u *ue.UE, supi string) error {
	ok, err := b.AMF.ReleaseConnection(ctx, supi)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s was not connected", supi)
	}
	return b.waitFor(ctx, "the AN release", func() bool {
		v, found := b.AMF.UE(supi)
		return found && !v.Connected && u.Registered()
	})
}

// Device is a role that registers and opens its PDU session (both
// *roles.ProvisioningDevice and *roles.TargetDevice).
type Device interface {
	Connect(ctx context.Context) (roles.Connection, error)
}

// ConnectDevice registers d and opens its PDU session as far as not done
// (roles Connect), then waits until the UPF forwards downlink packets to
// the session (AwaitUserPlane).
func (b *Bed) ConnectDevice(ctx context.Context, d Device) (roles.Connection, error) {
	c, err := d.Connect(ctx)
	if err != nil {
		return c, err
	}
	return c, b.AwaitUserPlane(ctx, c.Session.Addr)
}

// AwaitUserPlane waits until the UPF's session of the UE address ueAddr
// forwards downlink packets towards the RAN (its downlink FAR carries the
// gNB's tunnel). The UE's EstablishSession may return a little earlier,
// and a downlink packet sent meanwhile is dropped.
func (b *Bed) AwaitUserPlane(ctx context.Context, ueAddr netip.Addr) error {
	return b.waitFor(ctx, "the downlink user plane of "+ueAddr.String(), func() bool {
		seid, ok := b.UPF.SessionByUEIP(ueAddr)
		if !ok {
			return false
		}
		v, ok := b.UPF.Session(seid)
		if !ok {
			return false
		}
		for _, f := range v.FARs {
			if f.Forwarding != nil && f.Forwarding.Destination == pfcpx.Access && f.Forwarding.OuterHeader != nil {
				return true
			}
		}
		return false
	})
}

// waitFor polls cond with a short backoff on the bed's clock until it
// holds or ctx ends (state the bed's NFs change asynchronously: the AMF's
// de-registration, the SMF's release, the UPF's rule removal).
func (b *Bed) waitFor(ctx context.Context, what string, cond func() bool) error {
	d := 50 * time.Microsecond
	for {
		if cond() {
			return nil
		}
		ch := make(chan struct{})
		t := b.Clock.AfterFunc(d, func() { close(ch) })
		select {
		case <-ch:
		case <-ctx.Done():
			t.Stop()
			if cond() {
				return nil
			}
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		}
		d = min(2*d, 5*time.Millisecond)
	}
}

// ---- many lifecycles ----

// StepStats sums one step over many lifecycles.
type StepStats struct {
	Runs, Skipped, Failed int
	Total, Max            time.Duration
}

// LifecyclesResult sums a Lifecycles run.
type LifecyclesResult struct {
	Profile            string
	N, OK, Failed, PDs int
	// Took is the wall time of the lifecycles (PDs registered before).
	Took time.Duration
	// Steps sums every step (index Step-1).
	Steps [NumSteps]StepStats
	// Errors are the first failures (at most 16).
	Errors []error
}

// PerSecond is the rate of successful lifecycles.
func (r LifecyclesResult) PerSecond() float64 {
	if r.Took <= 0 {
		return 0
	}
	return float64(r.OK) / r.Took.Seconds()
}

const maxLifecycleErrors = 16

func (r *LifecyclesResult) add(res LifecycleResult, err error) {
	if err == nil {
		r.OK++
	} else {
		r.Failed++
		if len(r.Errors) < maxLifecycleErrors {
			r.Errors = append(r.Errors, fmt.Errorf("%s: %w", res.Device, err))
		}
	}
	for _, s := range res.Steps {
		if s.Step < 1 || int(s.Step) > NumSteps {
			continue
		}
		st := &r.Steps[s.Step-1]
		st.Runs++
		st.Total += s.Took
		st.Max = max(st.Max, s.Took)
		if s.Skipped {
			st.Skipped++
		}
		if s.Err != nil {
			st.Failed++
		}
	}
}

// Lifecycles runs n lifecycles of profileName on fresh targets with
// concurrency workers. Each worker owns one provisioning device (with a
// generated subscription, registered and connected before the clock
// starts) and runs its lifecycles one after the other; a target exists
// only while its lifecycle runs, so no goroutine or endpoint is kept per
// idle target. A bed running more than a few lifecycles per second needs
// Topology.CPF = UnlimitedCPF. Failed lifecycles are counted; the error is
// for a failed set-up or ctx.
func (b *Bed) Lifecycles(ctx context.Context, profileName string, n, concurrency int) (LifecyclesResult, error) {
	res := LifecyclesResult{Profile: profileName, N: n}
	if _, err := b.Profiles.Get(profileName); err != nil {
		return res, err
	}
	if n <= 0 {
		return res, nil
	}
	k := min(max(concurrency, 1), n)
	pds := make([]*roles.ProvisioningDevice, k)
	defer func() {
		for _, pd := range pds {
			if pd != nil {
				_ = pd.Close()
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make([]error, k)
	for w := range pds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pd, err := b.NewProvisioningDeviceWith(ctx, subscriber.Subscription{}, PDOptions{})
			if err == nil {
				pds[w] = pd
				_, err = b.ConnectDevice(ctx, pd)
			}
			errs[w] = err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return res, fmt.Errorf("testbed: provisioning devices: %w", err)
	}
	res.PDs = k
	var (
		next atomic.Int64
		mu   sync.Mutex
	)
	t0 := b.Clock.Now()
	for w := range pds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if int(next.Add(1)) > n {
					return
				}
				lr, err := b.lifecycleOnce(ctx, profileName, pds[w])
				mu.Lock()
				res.add(lr, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.Took = b.Clock.Now().Sub(t0)
	return res, ctx.Err()
}

// lifecycleOnce runs one lifecycle of pd on a fresh target.
func (b *Bed) lifecycleOnce(ctx context.Context, profileName string, pd *roles.ProvisioningDevice) (LifecycleResult, error) {
	td, err := b.NewTarget("")
	if err != nil {
		return LifecycleResult{}, err
	}
	defer td.Close()
	return b.Lifecycle(ctx, profileName, pd, td, LifecycleOptions{})
}
