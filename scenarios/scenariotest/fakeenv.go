package scenariotest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// Addresses of the fake nodes.
var (
	AMF  = netip.MustParseAddr("127.0.0.18")
	AUSF = netip.MustParseAddr("127.0.0.9")
)

// Options tune the factory.
type Options struct {
	// Fail makes the factory fail.
	Fail error
	// Invariants are returned by every env.
	Invariants []scenarios.Invariant
	// SkipOnNetwork makes the factory not call OnNetwork (the runner then
	// installs its interceptor itself).
	SkipOnNetwork bool
	// Start is the fake clock's start (default 2026-01-01 UTC).
	Start time.Time
	// Built receives every env built (for assertions).
	Built chan<- *Env
	// NextClock makes the env's clock a NextClock (it tells its next
	// timer), so runs jump straight to it.
	NextClock bool
}

// NextClock is a clock.Fake that also tells when its next timer is due
// (scenarios.NextTimer).
type NextClock struct {
	*clock.Fake
	mu  sync.Mutex
	due map[*int]time.Time
}

// NewNextClock returns a NextClock at start.
func NewNextClock(start time.Time) *NextClock {
	return &NextClock{Fake: clock.NewFake(start), due: map[*int]time.Time{}}
}

// AfterFunc schedules f and remembers its deadline until it fires or stops.
func (c *NextClock) AfterFunc(d time.Duration, f func()) clock.Timer {
	k := new(int)
	c.mu.Lock()
	c.due[k] = c.Now().Add(d)
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		delete(c.due, k)
		c.mu.Unlock()
	}
	t := c.Fake.AfterFunc(d, func() { forget(); f() })
	return stopFunc(func() bool { forget(); return t.Stop() })
}

type stopFunc func() bool

func (s stopFunc) Stop() bool { return s() }

// Next returns the earliest pending deadline.
func (c *NextClock) Next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var at time.Time
	for _, t := range c.due {
		if at.IsZero() || t.Before(at) {
			at = t
		}
	}
	return at, !at.IsZero()
}

// Factory returns an EnvFactory building fake envs.
func Factory(o Options) scenarios.EnvFactory {
	return func(ctx context.Context, cfg scenarios.EnvConfig) (scenarios.Env, error) {
		if o.Fail != nil {
			return nil, o.Fail
		}
		e, err := New(ctx, cfg, o)
		if err != nil {
			return nil, err
		}
		if o.Built != nil {
			o.Built <- e
		}
		return e, nil
	}
}

// Env is the fake environment.
type Env struct {
	Cfg scenarios.EnvConfig
	nw  *transport.MemNetwork
	clk interface {
		clock.Clock
		Advance(time.Duration)
		Pending() int
	}
	rec      *trace.Recorder
	opts     Options
	actors   map[string]*Actor
	closers  []func() error
	mu       sync.Mutex
	Restarts []string
	closed   bool
}

// Actor is a fake device or attacker.
type Actor struct {
	Name, Role string
	Addr       netip.AddrPort
	env        *Env
	ep         transport.Endpoint
	mu         sync.Mutex
	supi       string
}

// TraceName is how the actor appears in the trace.
func (a *Actor) TraceName() string { return "ue/" + a.Name }

// SUPI returns the SUPI the actor holds (set by give_credential).
func (a *Actor) SUPI() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.supi
}

// New builds an env.
func New(_ context.Context, cfg scenarios.EnvConfig, o Options) (*Env, error) {
	start := o.Start
	if start.IsZero() {
		start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	e := &Env{Cfg: cfg, nw: transport.NewMem(transport.MemOptions{}), clk: clock.NewFake(start), opts: o, actors: map[string]*Actor{}}
	if o.NextClock {
		e.clk = NewNextClock(start)
	}
	e.rec = trace.NewRecorder(e.clk)
	if !o.SkipOnNetwork && cfg.OnNetwork != nil {
		cfg.OnNetwork(e.nw, e.clk)
	}
	if err := e.start(cfg); err != nil {
		_ = e.Close()
		return nil, err
	}
	return e, nil
}

func (e *Env) start(cfg scenarios.EnvConfig) error {
	amf := netip.AddrPortFrom(AMF, transport.PortNGAP)
	var amfEP transport.Endpoint
	amfEP, err := e.nw.Listen(transport.N2, amf, func(from netip.AddrPort, payload []byte) {
		msg := string(payload)
		if !strings.HasPrefix(msg, "ping:") {
			e.rec.Emit(trace.Event{Kind: trace.KindDrop, Actor: "amf", Peer: from.String(), Iface: trace.IfaceN2, Name: "garbled", Detail: "not a ping"})
			return
		}
		e.rec.Emit(trace.Event{Kind: trace.KindMessage, Actor: "amf", Peer: from.String(), Iface: trace.IfaceN2, Name: "ping", Detail: "rx"})
		_ = amfEP.Send(context.Background(), from, []byte("pong:"+strings.TrimPrefix(msg, "ping:")))
	})
	if err != nil {
		return err
	}
	e.closers = append(e.closers, amfEP.Close)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /nausf-auth/v1/ue-authentications", e.authenticate)
	_, closeSBI, err := e.nw.ServeSBI(netip.AddrPortFrom(AUSF, transport.PortSBI), mux)
	if err != nil {
		return err
	}
	e.closers = append(e.closers, closeSBI)

	for i, spec := range cfg.Actors {
		a := &Actor{Name: spec.Name, Role: spec.Role, env: e,
			Addr: netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 3, byte(i + 1)}), transport.PortDL)}
		ep, err := e.nw.Listen(transport.DL, a.Addr, a.onDL)
		if err != nil {
			return err
		}
		a.ep = ep
		e.closers = append(e.closers, ep.Close)
		e.actors[spec.Name] = a
	}
	return nil
}

// onDL handles direct-link and reply messages to an actor.
func (a *Actor) onDL(from netip.AddrPort, payload []byte) {
	msg := string(payload)
	switch {
	case strings.HasPrefix(msg, "pong:"):
		a.env.rec.Emit(trace.Event{Kind: trace.KindMessage, Actor: a.TraceName(), Peer: from.String(), Name: "pong", Detail: "rx"})
	case strings.HasPrefix(msg, "cred:"):
		supi := strings.TrimPrefix(msg, "cred:")
		a.mu.Lock()
		a.supi = supi
		a.mu.Unlock()
		a.env.rec.Emit(trace.Event{Kind: trace.KindState, Actor: a.TraceName(), Iface: trace.IfaceDL, Name: "provisioned", SUPI: supi})
	default:
		a.env.rec.Emit(trace.Event{Kind: trace.KindDrop, Actor: a.TraceName(), Peer: from.String(), Iface: trace.IfaceDL, Name: "garbled"})
	}
}

func (e *Env) authenticate(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		SUPI string `json:"supi"`
	}
	_ = json.Unmarshal(body, &req)
	e.rec.Emit(trace.Event{Kind: trace.KindRequest, Actor: "ausf", Peer: r.RemoteAddr, Iface: trace.IfaceSBI, Name: "UEAuthenticationsPost", SUPI: req.SUPI})
	status := http.StatusCreated
	switch {
	case req.SUPI == "":
		status = http.StatusBadRequest
	case strings.HasPrefix(req.SUPI, "imsi-999"):
		status = http.StatusForbidden
		e.rec.Emit(trace.Event{Kind: trace.KindReject, Actor: "ausf", Iface: trace.IfaceSBI, Name: "UEAuthenticationsPost", SUPI: req.SUPI, Cause: "SERVING_NETWORK_NOT_AUTHORIZED"})
	}
	e.rec.Emit(trace.Event{Kind: trace.KindResponse, Actor: "ausf", Peer: r.RemoteAddr, Iface: trace.IfaceSBI, Name: "UEAuthenticationsPost", Status: status, SUPI: req.SUPI})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"supi":"` + req.SUPI + `"}`))
}

// Network returns the mem network.
func (e *Env) Network() transport.Network { return e.nw }

// Clock returns the fake clock.
func (e *Env) Clock() clock.Clock { return e.clk }

// Trace returns the recorder.
func (e *Env) Trace() *trace.Recorder { return e.rec }

// Actor returns a fake actor.
func (e *Env) Actor(name string) (any, error) {
	a, ok := e.actors[name]
	if !ok {
		return nil, fmt.Errorf("scenariotest: no actor %q", name)
	}
	return a, nil
}

// Addr resolves nodes and actors.
func (e *Env) Addr(name string) (netip.Addr, bool) {
	switch name {
	case "amf":
		return AMF, true
	case "ausf":
		return AUSF, true
	}
	if a, ok := e.actors[name]; ok {
		return a.Addr.Addr(), true
	}
	return netip.Addr{}, false
}

// Invariants returns the configured invariants.
func (e *Env) Invariants() []scenarios.Invariant { return e.opts.Invariants }

// Restart records a restart (the fake nodes keep no state).
func (e *Env) Restart(_ context.Context, node string) error {
	if node != "amf" && node != "ausf" {
		return fmt.Errorf("scenariotest: cannot restart %q", node)
	}
	e.mu.Lock()
	e.Restarts = append(e.Restarts, node)
	e.mu.Unlock()
	e.rec.Emit(trace.Event{Kind: trace.KindState, Actor: node, Name: "restarted"})
	return nil
}

// Closed reports whether Close ran.
func (e *Env) Closed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

// Close closes everything.
func (e *Env) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	var errs []error
	for _, c := range e.closers {
		errs = append(errs, c())
	}
	errs = append(errs, e.nw.Close())
	return errors.Join(errs...)
}

// Blocks are the test-only actions acting on fake actors.
func Blocks() []*scenarios.Block {
	return []*scenarios.Block{ping(), register(), giveCredential(), sleepOnClock()}
}

type sleepArgs struct {
	For time.Duration `yaml:"for"`
}

// sleep_on_clock: a block blocked on a timer of the env's clock, as a
// protocol timeout would be (the runner must move a hand-driven clock).
func sleepOnClock() *scenarios.Block {
	return scenarios.NewAction("sleep_on_clock", scenarios.Spec{Summary: "fake: block on a clock timer"},
		func(ctx context.Context, st *scenarios.State, _ string, a *sleepArgs) (any, error) {
			fired := make(chan struct{})
			t := st.Env().Clock().AfterFunc(a.For, func() { close(fired) })
			select {
			case <-fired:
				return st.Env().Clock().Now(), nil
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			}
		})
}

// Registry returns reg with the fake blocks added (or an error).
func Registry(reg *scenarios.Registry) (*scenarios.Registry, error) {
	return reg, reg.Register(Blocks()...)
}

type pingArgs struct {
	Text   string        `yaml:"text"`
	Within time.Duration `yaml:"within"`
}

func actorOf(st *scenarios.State, name string) (*Actor, error) {
	v, err := st.Actor(name)
	if err != nil {
		return nil, err
	}
	a, ok := v.(*Actor)
	if !ok {
		return nil, fmt.Errorf("%w: %T", scenarios.ErrRole, v)
	}
	return a, nil
}

// ping: the actor sends "ping:TEXT" to the amf over N2 and waits for the pong.
func ping() *scenarios.Block {
	return scenarios.NewAction("ping", scenarios.Spec{Summary: "fake: N2 ping to the amf", Actor: scenarios.ActorRequired, Ifaces: []string{"N2"}},
		func(ctx context.Context, st *scenarios.State, actor string, a *pingArgs) (any, error) {
			act, err := actorOf(st, actor)
			if err != nil {
				return nil, err
			}
			since := st.LastSeq()
			ep, err := act.env.nw.Listen(transport.N2, netip.AddrPortFrom(act.Addr.Addr(), 0), act.onDL)
			if err != nil {
				return nil, err
			}
			defer ep.Close()
			if err := ep.Send(ctx, netip.AddrPortFrom(AMF, transport.PortNGAP), []byte("ping:"+a.Text)); err != nil {
				return nil, err
			}
			within := a.Within
			if within == 0 {
				within = time.Second
			}
			_, err = st.WaitFor(ctx, func(e trace.Event) bool { return e.Actor == act.TraceName() && e.Name == "pong" }, since, within)
			return nil, err
		})
}

type registerArgs struct {
	SUPI string `yaml:"supi"`
}

// register (sbi_register): the actor POSTs {supi} to the ausf; error unless 201.
func register() *scenarios.Block {
	return scenarios.NewAction("sbi_register", scenarios.Spec{Summary: "fake: SBI call to the ausf", Actor: scenarios.ActorRequired, Ifaces: []string{"SBI"}},
		func(ctx context.Context, st *scenarios.State, actor string, a *registerArgs) (any, error) {
			act, err := actorOf(st, actor)
			if err != nil {
				return nil, err
			}
			supi := a.SUPI
			if supi == "" {
				supi = act.SUPI()
			}
			c := act.env.nw.SBIClient(netip.AddrPortFrom(act.Addr.Addr(), 0))
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+AUSF.String()+"/nausf-auth/v1/ue-authentications",
				strings.NewReader(`{"supi":"`+supi+`"}`))
			req.Header.Set("Content-Type", "application/json")
			rsp, err := c.Do(req)
			if err != nil {
				return nil, err
			}
			defer rsp.Body.Close()
			if rsp.StatusCode != http.StatusCreated {
				return rsp.StatusCode, fmt.Errorf("registration refused: %d", rsp.StatusCode)
			}
			return rsp.StatusCode, nil
		})
}

type giveArgs struct {
	To   scenarios.ActorRef `yaml:"to"`
	SUPI string             `yaml:"supi"`
}

func (a *giveArgs) Validate() error {
	if a.To == "" || a.SUPI == "" {
		return errors.New("to and supi are required")
	}
	return nil
}

// give_credential: the actor sends "cred:SUPI" in plaintext over the direct link.
func giveCredential() *scenarios.Block {
	return scenarios.NewAction("give_credential", scenarios.Spec{Summary: "fake: plaintext credential over the DL", Actor: scenarios.ActorRequired,
		Roles: []string{scenarios.RoleProvisioningDevice}, Ifaces: []string{"DL"}},
		func(ctx context.Context, st *scenarios.State, actor string, a *giveArgs) (any, error) {
			from, err := actorOf(st, actor)
			if err != nil {
				return nil, err
			}
			to, err := actorOf(st, string(a.To))
			if err != nil {
				return nil, err
			}
			st.MarkCapture("fake plaintext credential on the direct link")
			since := st.LastSeq()
			if err := from.ep.Send(ctx, to.Addr, []byte("cred:"+a.SUPI)); err != nil {
				return nil, err
			}
			_, err = st.WaitFor(ctx, func(e trace.Event) bool { return e.Actor == to.TraceName() && e.Name == "provisioned" }, since, time.Second)
			return nil, err
		})
}
