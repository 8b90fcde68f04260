package bedenv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/blocks"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/scenarios/profile/builtin"
	"github.com/credbed/credbed/testbed"
	"github.com/credbed/credbed/ue"
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

// Env is a testbed.Bed seen by the scenario engine.
type Env struct {
	Bed     *testbed.Bed
	profile profile.Profile
	actors  map[string]any
}

// New builds the bed for one run.
func New(ctx context.Context, cfg scenarios.EnvConfig, o Options) (*Env, error) {
	if err := o.fill(); err != nil {
		return nil, err
	}
	p, err := o.Profiles.Get(cfg.Profile)
	if err != nil {
		return nil, err
	}
	if roles := unsupportedRoles(cfg.Actors); len(roles) > 0 {
		return nil, fmt.Errorf("%w: actors with roles %s need the testbed's device roles", ErrNotReady, strings.Join(roles, ", "))
	}
	// Subscribers: one per ue actor, then the topology's extra ones.
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
	bed, err := testbed.New(ctx, testbed.Topology{
		Name:        cfg.Scenario + "-" + cfg.Profile,
		Mode:        cfg.Mode,
		Seed:        cfg.Seed,
		TraceLimit:  o.TraceLimit,
		Subscribers: subs,
	})
	if err != nil {
		return nil, err
	}
	if cfg.OnNetwork != nil {
		cfg.OnNetwork(bed.Net, bed.Clock)
	}
	e := &Env{Bed: bed, profile: p, actors: map[string]any{}}
	next := 0
	for _, a := range cfg.Actors {
		var u *ue.UE
		switch a.Role {
		case blocks.RoleUE:
			u, err = bed.NewUE(subs[next], testbed.UEOptions{Name: a.Name})
			next++
		case blocks.RoleAttacker:
			u, err = bed.NewUEWith(nil, testbed.UEOptions{Name: a.Name}) // an empty slot: it must steal one
		case blocks.RoleRogueGNB:
			e.actors[a.Name] = &LinkActor{Name: a.Name}
			continue
		}
		if err != nil {
			_ = bed.Close()
			return nil, fmt.Errorf("bedenv: actor %s: %w", a.Name, err)
		}
		e.actors[a.Name] = &Device{name: a.Name, role: a.Role, ue: u}
	}
	return e, nil
}

// unsupportedRoles lists the roles of actors the testbed cannot build yet.
func unsupportedRoles(actors []scenarios.ActorSpec) []string {
	var out []string
	for _, a := range actors {
		switch a.Role {
		case blocks.RoleUE, blocks.RoleAttacker, blocks.RoleRogueGNB:
			continue
		}
		if !slices.Contains(out, a.Role) {
			out = append(out, a.Role)
		}
	}
	return out
}

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

// nodeHost mirrors the last octets of testbed/addr.go's address plan
// until the testbed exports node addresses by name.
func nodeHost(name string) (byte, bool) {
	switch name {
	case "smf":
		return 2, true
	case "udm":
		return 3, true
	case "udr":
		return 4, true
	case "upf":
		return 8, true
	case "ausf":
		return 9, true
	case "nrf":
		return 10, true
	case "aanf":
		return 11, true
	case "amf":
		return 18, true
	case "dn":
		return 20, true
	case "cpf":
		return 21, true
	}
	return 0, false
}

// Addr returns a node's address (devices have none of their own: they sit
// behind their gNB, "gnb").
func (e *Env) Addr(name string) (netip.Addr, bool) {
	if h, ok := nodeHost(name); ok {
		return e.Bed.Plan.NF(h), true
	}
	if name == "gnb" {
		return e.Bed.Plan.GNB(0), true
	}
	return netip.Addr{}, false
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

// Close tears the bed down.
func (e *Env) Close() error { return e.Bed.Close() }
