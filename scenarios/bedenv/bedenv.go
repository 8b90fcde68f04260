package bedenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/blocks"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/scenarios/profile/builtin"
	"github.com/credbed/credbed/testbed"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/dlink"
	"github.com/credbed/credbed/ue/roles"
)

// ErrNotReady reports a scenario needing testbed features not built yet.
var ErrNotReady = errors.New("bedenv: the testbed cannot build this yet")

// Options configure the factory.
type Options struct {
	// Profiles resolves profile names (default: the built-in profiles).
	Profiles *profile.Registry
	// Logger receives the bed's logs (default: discarded).
	Logger *slog.Logger
	// TraceLimit bounds the events a bed keeps (0: unlimited).
	TraceLimit int
	// WallClock runs mem-mode beds on the wall clock. By default a mem-mode
	// bed runs on a clock.Fake that the scenario runner drives (it jumps to
	// the next timer whenever a waiting step leaves the system quiet), so
	// protocol timeouts cost no real time; net-mode beds always use the
	// wall clock.
	WallClock bool
}

// Factory returns a scenarios.EnvFactory building one bed per run.
func Factory(o Options) (scenarios.EnvFactory, error) {
	if err := o.fill(); err != nil {
		return nil, err
	}
	return func(ctx context.Context, cfg scenarios.EnvConfig) (scenarios.Env, error) {
		return New(ctx, cfg, o)
	}, nil
}

func (o *Options) fill() error {
	if o.Profiles == nil {
		reg, err := builtin.Registry()
		if err != nil {
			return err
		}
		o.Profiles = reg
	}
	return nil
}

// clock returns the clock of a bed in mode: nil (the wall clock) in net
// mode or when asked, else a SimClock starting at the current time (so the
// few timestamps taken from the wall clock stay close).
func (o *Options) clock(mode string, q *quietness) clock.Clock {
	if o.WallClock || mode == "net" {
		return nil
	}
	return &SimClock{Fake: clock.NewFake(time.Now().UTC().Truncate(time.Millisecond)), q: q}
}

// SimClock is the hand-driven clock of a mem-mode bed: a clock.Fake the
// scenario runner advances (scenarios.Advancer) and, while a step waits
// and the trace is quiet, asks for its next timer (scenarios.NextTimer) to
// jump to it. A quiet trace does not always mean that everything waits on
// a timer, so SimClock names no timer (and the runner does not jump)
//   - while another goroutine of the process runs or is ready to run: a
//     handler still computing (200 registrations in flight, a starved CPU)
//     must not see its timeouts fire under it;
//   - while a block settles (Env.Settle) and for settleGrace after: a block
//     that settles and then acts, e.g. injects the next frame of a replay,
//     must act before time jumps under it.
//
// Waits that move the clock themselves (Advance) are not held back.
type SimClock struct {
	*clock.Fake
	q *quietness
}

// settleGrace is how long after a Settle returned SimClock names no timer.
const settleGrace = 2 * settleQuiet

// quietness is what SimClock knows of the bed's Settle calls.
type quietness struct {
	settling atomic.Int32
	last     atomic.Int64 // wall-clock Unix nanoseconds of the last Settle return
}

// Next returns the earliest pending timer, or false while the bed is not
// known to be waiting on one (see SimClock).
func (c *SimClock) Next() (time.Time, bool) {
	if c.q != nil && (c.q.settling.Load() > 0 || time.Since(time.Unix(0, c.q.last.Load())) < settleGrace) {
		return time.Time{}, false
	}
	if processBusy() {
		return time.Time{}, false
	}
	return c.Fake.Next()
}

// Settle bounds.
const (
	settleQuiet = 10 * time.Millisecond // scenarios.DefaultQuietWindow
	settleMax   = 2 * time.Second
)

// Settle waits until no message is in flight (scenarios.Settler): no trace
// event for settleQuiet and, at that moment, no other goroutine of the
// process running or ready to run (a handler still computing emits nothing
// until it is done); at most settleMax. Blocks settle before they act or
// count, e.g. after a flood, and steps that move a hand-driven clock settle
// between ticks.
func (e *Env) Settle(ctx context.Context) error {
	e.q.settling.Add(1)
	defer func() {
		e.q.last.Store(time.Now().UnixNano())
		e.q.settling.Add(-1)
	}()
	limit := time.NewTimer(settleMax)
	defer limit.Stop()
	quiet := time.NewTimer(settleQuiet)
	defer quiet.Stop()
	for {
		select {
		case <-e.events.wait():
			if !quiet.Stop() {
				select {
				case <-quiet.C:
				default:
				}
			}
			quiet.Reset(settleQuiet)
		case <-quiet.C:
			if !processBusy() {
				return nil
			}
			quiet.Reset(time.Millisecond)
		case <-limit.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// signal wakes every waiter at the next fire; its channel exists only
// while someone waits.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

func (s *signal) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

func (s *signal) fire() {
	s.mu.Lock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
	s.mu.Unlock()
}

// processBusy reports whether a goroutine other than the caller is running
// or runnable (Go runtime scheduler metrics).
func processBusy() bool {
	s := []metrics.Sample{{Name: "/sched/goroutines/runnable:goroutines"}, {Name: "/sched/goroutines/running:goroutines"}}
	metrics.Read(s)
	for i := range s {
		if s[i].Value.Kind() != metrics.KindUint64 {
			return false // not supported by this runtime: trust the quiet trace
		}
	}
	return s[0].Value.Uint64() > 0 || s[1].Value.Uint64() > 1
}

// Env is a testbed.Bed seen by the scenario engine.
type Env struct {
	Bed     *testbed.Bed
	profile profile.Profile
	actors  map[string]any
	closers []func() error
	events  signal     // fires on every trace event (Settle)
	q       *quietness // shared with the SimClock
}

// New builds the bed for one run: the topology's extra subscribers, one
// subscriber per ue actor, and a device per actor (provisioning devices
// entitled to their own SUPI range; rogue PDs with a subscription but no
// entitlement; targets armed for the profile; impostor targets presenting
// a genuine target's published bootstrap information; attackers with an
// empty UE; rogue gNBs on the links only).
func New(ctx context.Context, cfg scenarios.EnvConfig, o Options) (*Env, error) {
	if err := o.fill(); err != nil {
		return nil, err
	}
	p, err := o.Profiles.Get(cfg.Profile)
	if err != nil {
		return nil, err
	}
	if roles := unsupportedRoles(cfg.Actors); len(roles) > 0 {
		return nil, fmt.Errorf("%w: actors with roles %s", ErrNotReady, strings.Join(roles, ", "))
	}
	medium, ok := dlink.LookupPreset(cfg.Topology.DirectLink)
	if !ok {
		medium, _ = dlink.LookupPreset(dlink.PresetBLE)
	}
	nUE := 0
	for _, a := range cfg.Actors {
		if a.Role == blocks.RoleUE {
			nUE++
		}
	}
	subs, err := subscriber.Generate(nUE+cfg.Topology.Subscribers, cfg.Seed, subscriber.GenOptions{AKMA: true})
	if err != nil {
		return nil, err
	}
	q := &quietness{}
	bed, err := testbed.New(ctx, testbed.Topology{
		Name:        cfg.Scenario + "-" + cfg.Profile,
		Mode:        cfg.Mode,
		Clock:       o.clock(cfg.Mode, q),
		Seed:        cfg.Seed,
		TraceLimit:  o.TraceLimit,
		Subscribers: subs,
		Profiles:    o.Profiles,
		OnNetwork:   cfg.OnNetwork,
	})
	if err != nil {
		return nil, err
	}
	e := &Env{Bed: bed, profile: p, actors: map[string]any{}, q: q}
	bed.Trace.Subscribe(func(trace.Event) { e.events.fire() })
	if err := e.build(ctx, cfg.Actors, subs, medium); err != nil {
		_ = e.Close()
		return nil, err
	}
	return e, nil
}

// build makes every actor.
func (e *Env) build(ctx context.Context, actors []scenarios.ActorSpec, subs []subscriber.Subscription, medium dlink.Preset) error {
	bed := e.Bed
	next := 0
	for _, a := range actors {
		uo := testbed.UEOptions{Name: a.Name}
		var v any
		switch a.Role {
		case blocks.RoleUE:
			u, err := bed.NewUE(subs[next], uo)
			if err != nil {
				return fmt.Errorf("bedenv: actor %s: %w", a.Name, err)
			}
			next++
			v = &Device{name: a.Name, role: a.Role, ue: u}
		case blocks.RoleAttacker:
			u, err := bed.NewUEWith(nil, uo) // an empty slot: it must steal one
			if err != nil {
				return fmt.Errorf("bedenv: actor %s: %w", a.Name, err)
			}
			v = &Device{name: a.Name, role: a.Role, ue: u}
		case blocks.RoleRogueGNB:
			v = &LinkActor{Name: a.Name}
		case blocks.RoleProvisioningDevice, blocks.RoleRoguePD:
			pd, err := bed.NewProvisioningDeviceWith(ctx, subscriber.Subscription{}, testbed.PDOptions{
				NoEntitlement: a.Role == blocks.RoleRoguePD, Medium: medium, UE: uo})
			if err != nil {
				return fmt.Errorf("bedenv: actor %s: %w", a.Name, err)
			}
			e.closers = append(e.closers, pd.Close)
			v = pd
			if a.Role == blocks.RoleRoguePD {
				v = &RoguePD{ProvisioningDevice: pd}
			}
		case blocks.RoleTargetDevice, blocks.RoleRogueTD:
			td, err := e.target(ctx, a, medium, uo)
			if err != nil {
				return fmt.Errorf("bedenv: actor %s: %w", a.Name, err)
			}
			v = td
		}
		e.actors[a.Name] = v
	}
	return nil
}

// target makes a target device armed for the run's profile; a rogue one
// answers with its own key while presenting the bootstrap information of
// a genuine target of the same device id (the QR code the PD scans).
func (e *Env) target(ctx context.Context, a scenarios.ActorSpec, medium dlink.Preset, uo testbed.UEOptions) (any, error) {
	td, err := e.Bed.NewTargetWith("", testbed.TDOptions{Medium: medium, UE: uo})
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, td.Close)
	var v profile.TD = td
	var out any = td
	if a.Role == blocks.RoleRogueTD {
		genuine, err := credential.NewIdentity(e.Bed.Rand(), td.DeviceID())
		if err != nil {
			return nil, err
		}
		imp := &Impostor{TargetDevice: td, Genuine: genuine.Bootstrap()}
		v, out = imp, imp
	}
	if err := e.profile.PrepareTarget(ctx, v); err != nil {
		return nil, fmt.Errorf("arming the target for %s: %w", e.profile.Name(), err)
	}
	return out, nil
}

// unsupportedRoles lists the roles of actors this environment cannot build.
func unsupportedRoles(actors []scenarios.ActorSpec) []string {
	var out []string
	for _, a := range actors {
		switch a.Role {
		case blocks.RoleUE, blocks.RoleAttacker, blocks.RoleRogueGNB, blocks.RoleProvisioningDevice,
			blocks.RoleRoguePD, blocks.RoleTargetDevice, blocks.RoleRogueTD:
			continue
		}
		if !slices.Contains(out, a.Role) {
			out = append(out, a.Role)
		}
	}
	return out
}

// RoguePD is a provisioning device without entitlement that may claim
// another device's identity in what it sends the CPF (claim_identity).
type RoguePD struct {
	*roles.ProvisioningDevice
	mu      sync.Mutex
	claimed string
}

// ClaimSUPI makes SUPI return supi from now on.
func (r *RoguePD) ClaimSUPI(supi string) {
	r.mu.Lock()
	r.claimed = supi
	r.mu.Unlock()
}

// SUPI returns the claimed SUPI, or the device's own.
func (r *RoguePD) SUPI() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.claimed != "" {
		return r.claimed
	}
	return r.ProvisioningDevice.SUPI()
}

// Impostor is a rogue target device (3gpp.md §6.1 D4): it presents the
// published bootstrap information of a genuine target (Genuine) but holds
// only its own bootstrap key, so it cannot prove the genuine key.
type Impostor struct {
	*roles.TargetDevice
	Genuine credential.Bootstrap
}

// Bootstrap returns the genuine target's bootstrap information.
func (i *Impostor) Bootstrap() credential.Bootstrap { return i.Genuine }

// LinkActor is an actor that only acts on links (a rogue gNB): it has no
// device of its own.
type LinkActor struct{ Name string }

// TraceName is the actor's name in the trace.
func (l *LinkActor) TraceName() string { return l.Name }

// SUPI is empty: a link actor holds no credential.
func (l *LinkActor) SUPI() string { return "" }

// Device is an actor played by an emulated UE.
type Device struct {
	name, role string
	ue         *ue.UE

	mu       sync.Mutex
	lastSUPI string
}

// UE returns the device's UE.
func (d *Device) UE() *ue.UE { return d.ue }

// TraceName is the device's actor name in the trace.
func (d *Device) TraceName() string { return d.ue.Name() }

// SUPI returns the SUPI the device holds, or the last one it held.
func (d *Device) SUPI() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s := d.ue.SUPI(); !s.IsZero() {
		d.lastSUPI = s.String()
	}
	return d.lastSUPI
}

// Network returns the bed's transport.
func (e *Env) Network() transport.Network { return e.Bed.Net }

// Clock returns the bed's clock.
func (e *Env) Clock() clock.Clock { return e.Bed.Clock }

// Trace returns the bed's recorder.
func (e *Env) Trace() *trace.Recorder { return e.Bed.Trace }

// Profile returns the run's solution profile.
func (e *Env) Profile() profile.Profile { return e.profile }

// Actor returns the value playing an actor.
func (e *Env) Actor(name string) (any, error) {
	a, ok := e.actors[name]
	if !ok {
		return nil, fmt.Errorf("bedenv: no actor %q", name)
	}
	return a, nil
}

// Addr returns a node's address (devices have none of their own: they sit
// behind their gNB, "gnb").
func (e *Env) Addr(name string) (netip.Addr, bool) {
	return e.Bed.Plan.Node(name)
}

// invariantNames are the bed's invariants, one report row each.
func invariantNames() []string {
	return []string{testbed.InvTraceComplete, testbed.InvNASIntegrity, testbed.InvKSEAFAfterRES,
		testbed.InvSessionAuthenticated, testbed.InvNoCredentialAfterDeprovisioning}
}

// Invariants returns the bed's invariants (testbed.CheckInvariants: the
// trace checks and the UDR state, evaluated once, reported per name).
func (e *Env) Invariants() []scenarios.Invariant {
	var once sync.Once
	var violations []testbed.Violation
	var out []scenarios.Invariant
	for _, name := range invariantNames() {
		out = append(out, scenarios.Invariant{Name: name, Check: func(context.Context, []trace.Event) error {
			once.Do(func() { violations = e.Bed.CheckInvariants() })
			var msgs []string
			for _, v := range violations {
				if v.Name == name {
					msgs = append(msgs, v.Detail)
				}
			}
			if len(msgs) == 0 {
				return nil
			}
			return errors.New(strings.Join(msgs, "; "))
		}})
	}
	return out
}

// Close closes the devices, then the bed.
func (e *Env) Close() error {
	var errs []error
	for i := len(e.closers) - 1; i >= 0; i-- {
		errs = append(errs, e.closers[i]())
	}
	errs = append(errs, e.Bed.Close())
	return errors.Join(errs...)
}
