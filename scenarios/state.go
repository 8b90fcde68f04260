package scenarios

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
)

// ActorScenario is the trace Actor of events the engine itself emits
// (steps, checks).
const ActorScenario = "scenario"

// Saved is what a step left under its `save:` name.
type Saved struct {
	Step  int // 0-based index of the step
	Value any
	Err   error // the step's error, if it failed (steps with expect error|any)
	// StartSeq and EndSeq bound the trace events of the step: events with
	// StartSeq < Seq <= EndSeq were emitted while it ran.
	StartSeq, EndSeq uint64
}

// State is what blocks see during one run: the environment, the scenario's
// actors and saved values, the attack interceptor chain, seeded randomness
// and waits on the clock and the trace. It lives for one (scenario,
// profile) run.
type State struct {
	env     Env
	scn     *Scenario
	profile string
	seed    int64
	quiet   time.Duration

	chain transport.Chain // attack interceptors; runs before the capture

	mu       sync.Mutex
	saved    map[string]Saved
	cleanups []func()
	rngSeq   uint64
	marks    []string
	mark     func(string)

	events  signal // fires on every trace event
	lastSeq atomic.Uint64
	driving atomic.Int32 // Wait/WaitFor calls moving a hand-driven clock
}

// signal wakes every waiter when something happens. The channel exists
// only while someone waits, so firing with no waiter costs a lock.
type signal struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel closed at the next fire.
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

func newState(scn *Scenario, profile string, seed int64, quiet time.Duration) *State {
	return &State{scn: scn, profile: profile, seed: seed, quiet: quiet,
		saved: map[string]Saved{}}
}

// attach binds the environment and subscribes to its trace.
func (st *State) attach(env Env) {
	st.env = env
	if ev := env.Trace().Events(); len(ev) > 0 {
		st.bumpSeq(ev[len(ev)-1].Seq)
	}
	env.Trace().Subscribe(func(e trace.Event) {
		st.bumpSeq(e.Seq)
		st.events.fire()
	})
}

func (st *State) bumpSeq(seq uint64) {
	for {
		cur := st.lastSeq.Load()
		if seq <= cur || st.lastSeq.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// Env returns the environment.
func (st *State) Env() Env { return st.env }

// Scenario returns the running scenario.
func (st *State) Scenario() *Scenario { return st.scn }

// Profile returns the solution profile of the run.
func (st *State) Profile() string { return st.profile }

// Seed returns the run's seed.
func (st *State) Seed() int64 { return st.seed }

// NewRand returns a generator seeded from the run's seed; successive calls
// return different, reproducible streams. A generator is not safe for
// concurrent use: an interceptor that uses one must lock around it.
func (st *State) NewRand() *rand.Rand {
	st.mu.Lock()
	st.rngSeq++
	n := st.rngSeq
	st.mu.Unlock()
	return rand.New(rand.NewPCG(uint64(st.seed), n))
}

// Actor returns the environment's value for a declared actor.
func (st *State) Actor(name string) (any, error) {
	if _, ok := st.scn.Actor(name); !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownActor, name)
	}
	return st.env.Actor(name)
}

// ActorSpec returns the declaration of an actor.
func (st *State) ActorSpec(name string) (ActorSpec, bool) { return st.scn.Actor(name) }

// Identity returns how an actor appears in the trace (its trace Actor name
// and current SUPI), when its value implements Identity.
func (st *State) Identity(actor string) (traceName, supi string, err error) {
	v, err := st.Actor(actor)
	if err != nil {
		return "", "", err
	}
	id, ok := v.(Identity)
	if !ok {
		return "", "", fmt.Errorf("%w: actor %q (%T) has no trace identity", ErrRole, actor, v)
	}
	return id.TraceName(), id.SUPI(), nil
}

// Save records a value under name (the runner does it for `save:`).
func (st *State) Save(name string, s Saved) {
	st.mu.Lock()
	st.saved[name] = s
	st.mu.Unlock()
}

// Saved returns what the step saving name left.
func (st *State) Saved(name Ref) (Saved, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.saved[string(name)]
	if !ok {
		return Saved{}, fmt.Errorf("%w: %q", ErrNotSaved, name)
	}
	return s, nil
}

// Value returns the value saved under name; it fails if that step failed.
func (st *State) Value(name Ref) (any, error) {
	s, err := st.Saved(name)
	if err != nil {
		return nil, err
	}
	if s.Err != nil {
		return nil, fmt.Errorf("%w: %q: step %d failed: %v", ErrNotSaved, name, s.Step+1, s.Err)
	}
	return s.Value, nil
}

// ResolveEndpoint returns the address of a Peer on a link kind: a literal
// with a port as is; otherwise the environment's endpoint for that kind
// when it is an Endpoints, else the address with the kind's well-known port.
func (st *State) ResolveEndpoint(p Peer, k transport.Kind) (netip.AddrPort, error) {
	if ap, ok := peerLiteral(p); ok && ap.Port() != 0 {
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
	}
	if e, ok := st.env.(Endpoints); ok && !isLiteral(p) {
		if ap, ok := e.Endpoint(string(p), k); ok {
			return ap, nil
		}
	}
	ap, err := st.ResolvePeer(p)
	if err != nil {
		return ap, err
	}
	return netip.AddrPortFrom(ap.Addr(), wellKnownPort(k)), nil
}

func isLiteral(p Peer) bool {
	_, ok := peerLiteral(p)
	return ok
}

func wellKnownPort(k transport.Kind) uint16 {
	switch k {
	case transport.SBI:
		return transport.PortSBI
	case transport.N2:
		return transport.PortNGAP
	case transport.N3:
		return transport.PortGTPU
	case transport.N4:
		return transport.PortPFCP
	case transport.DL:
		return transport.PortDL
	}
	return 0
}

// ResolvePeer returns the address of a Peer: an actor's or node's address
// (port 0: any port), or the literal.
func (st *State) ResolvePeer(p Peer) (netip.AddrPort, error) {
	if ap, ok := peerLiteral(p); ok {
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
	}
	if a, ok := st.env.Addr(string(p)); ok {
		return netip.AddrPortFrom(a, 0), nil
	}
	return netip.AddrPort{}, fmt.Errorf("%w: no address for %q", ErrUnsupported, p)
}

// Intercept adds an interceptor to the run's attack chain (which runs
// before the capture, so captures show what was delivered). The returned
// function removes it; the runner removes everything at teardown.
func (st *State) Intercept(name string, f transport.Interceptor) (remove func()) {
	return st.chain.Add(name, f)
}

// Interceptors lists the installed attack interceptors.
func (st *State) Interceptors() []string { return st.chain.Names() }

// Inject sends a packet through the environment's network as if it came
// from p.From (marked Injected).
func (st *State) Inject(ctx context.Context, p transport.Packet) error {
	return st.env.Network().Inject(ctx, p)
}

// Emit records an event in the run's trace.
func (st *State) Emit(e trace.Event) { st.env.Trace().Emit(e) }

// Events returns the run's trace so far.
func (st *State) Events() []trace.Event { return st.env.Trace().Events() }

// LastSeq returns the sequence number of the last kept event (0 if none):
// a mark for "events after this point".
func (st *State) LastSeq() uint64 { return st.lastSeq.Load() }

// Defer registers f to run at teardown (last registered, first run).
func (st *State) Defer(f func()) {
	st.mu.Lock()
	st.cleanups = append(st.cleanups, f)
	st.mu.Unlock()
}

// MarkCapture marks the run's capture as carrying plaintext secrets on purpose.
func (st *State) MarkCapture(reason string) {
	st.mu.Lock()
	st.marks = append(st.marks, reason)
	mark := st.mark
	st.mu.Unlock()
	if mark != nil {
		mark(reason)
	}
}

func (st *State) captureMarks() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]string(nil), st.marks...)
}

func (st *State) teardown() {
	st.mu.Lock()
	cs := st.cleanups
	st.cleanups = nil
	st.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
}

// fakeTick is how far a wait advances a hand-driven clock at a time, so
// timers fire in order with the messages they cause handled in between.
func fakeTick(total time.Duration) time.Duration {
	return max(total/20, 10*time.Millisecond)
}

// Wait lets d pass: it advances a hand-driven clock (mem mode) in ticks,
// letting the system settle between them, or sleeps on a real one.
func (st *State) Wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return st.Settle(ctx)
	}
	adv, ok := st.env.Clock().(Advancer)
	if ok {
		st.driving.Add(1)
		defer st.driving.Add(-1)
	}
	if !ok {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	tick := fakeTick(d)
	for done := time.Duration(0); done < d; {
		if err := st.Settle(ctx); err != nil {
			return err
		}
		step := min(tick, d-done)
		if idle(adv) {
			step = d - done // nothing scheduled: jump
		}
		adv.Advance(step)
		done += step
	}
	return st.Settle(ctx)
}

// WaitFor waits until an event after seq since matches, for at most within
// on the environment's clock (advanced by hand in mem mode), and returns it.
func (st *State) WaitFor(ctx context.Context, match func(trace.Event) bool, since uint64, within time.Duration) (trace.Event, error) {
	find := func() (trace.Event, bool) {
		ev := st.env.Trace().Filter(func(e trace.Event) bool { return e.Seq > since && match(e) })
		if len(ev) > 0 {
			return ev[0], true
		}
		return trace.Event{}, false
	}
	if adv, ok := st.env.Clock().(Advancer); ok {
		st.driving.Add(1)
		defer st.driving.Add(-1)
		tick := fakeTick(within)
		for done := time.Duration(0); ; {
			if err := st.Settle(ctx); err != nil {
				return trace.Event{}, err
			}
			if e, ok := find(); ok {
				return e, nil
			}
			if done >= within {
				return trace.Event{}, fmt.Errorf("%w: no matching event within %s", ErrTimeout, within)
			}
			step := min(tick, within-done)
			if idle(adv) {
				step = within - done // nothing scheduled: jump
			}
			adv.Advance(step)
			done += step
		}
	}
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for {
		changed := st.events.wait()
		if e, ok := find(); ok {
			return e, nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			if e, ok := find(); ok {
				return e, nil
			}
			return trace.Event{}, fmt.Errorf("%w: no matching event within %s", ErrTimeout, within)
		case <-ctx.Done():
			return trace.Event{}, ctx.Err()
		}
	}
}

// NextTimer is implemented by hand-driven clocks that can tell when their
// next timer is due, so a waiting run jumps straight to it.
type NextTimer interface {
	Next() (time.Time, bool)
}

// driveWhile moves a hand-driven clock while a step blocks (until done or
// ctx ends), as a discrete-event simulation does: whenever the system has
// been quiet for the quiet window and the step still waits, time jumps to
// the next timer (a clock that is a NextTimer) or moves one small tick
// while timers are pending. Steps that move the clock themselves (wait,
// wait_for) are left alone.
func (st *State) driveWhile(ctx context.Context, adv Advancer, done <-chan struct{}) {
	q := st.quiet
	if q <= 0 {
		q = DefaultQuietWindow
	}
	quiet := time.NewTimer(q)
	defer quiet.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-st.events.wait():
			if !quiet.Stop() {
				select {
				case <-quiet.C:
				default:
				}
			}
			quiet.Reset(q)
		case <-quiet.C:
			if st.driving.Load() == 0 {
				st.step(adv)
			}
			quiet.Reset(q)
		}
	}
}

// autoTick is how far driveWhile moves a clock that cannot tell its next timer.
const autoTick = 10 * time.Millisecond

// step moves adv to its next timer, or by autoTick while timers are pending.
func (st *State) step(adv Advancer) {
	if n, ok := adv.(NextTimer); ok {
		if at, ok := n.Next(); ok {
			if d := at.Sub(st.env.Clock().Now()); d > 0 {
				adv.Advance(d)
			} else {
				adv.Advance(0)
			}
		}
		return
	}
	if !idle(adv) {
		adv.Advance(autoTick)
	}
}

// idle reports whether a hand-driven clock has no timer pending (when it can tell).
func idle(c Advancer) bool {
	p, ok := c.(interface{ Pending() int })
	return ok && p.Pending() == 0
}

// maxSettle bounds how long Settle waits for a busy trace to go quiet.
const maxSettle = 2 * time.Second

// Settle waits until no message is in flight: through the environment's
// Settler when it has one, else until the trace has been quiet for the
// runner's quiet window (bounded).
func (st *State) Settle(ctx context.Context) error {
	if s, ok := st.env.(Settler); ok {
		return s.Settle(ctx)
	}
	if st.quiet <= 0 {
		return ctx.Err()
	}
	limit := time.NewTimer(maxSettle)
	defer limit.Stop()
	quiet := time.NewTimer(st.quiet)
	defer quiet.Stop()
	for {
		select {
		case <-st.events.wait():
			if !quiet.Stop() {
				select {
				case <-quiet.C:
				default:
				}
			}
			quiet.Reset(st.quiet)
		case <-quiet.C:
			return nil
		case <-limit.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// errAbort marks a run stopped by its deadline.
var errAbort = errors.New("scenarios: run deadline exceeded")
