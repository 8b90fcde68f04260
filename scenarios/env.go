package scenarios

import (
	"context"
	"net/netip"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
)

// Env is the environment the blocks act on: one emulated system built for
// one (scenario, profile) run. The testbed satisfies it; tests use a small
// fake. Every method must be safe for concurrent use.
type Env interface {
	// Network is the transport every link of the environment uses.
	Network() transport.Network
	// Clock is the environment's time source (a *clock.Fake in mem mode).
	Clock() clock.Clock
	// Trace is the recorder every NF, UE, link and attacker emits to.
	Trace() *trace.Recorder
	// Actor returns the value playing a declared actor (a PD, a TD, a UE,
	// an attacker...). Blocks assert the small interfaces they need.
	Actor(name string) (any, error)
	// Addr returns the address of a network node (Nodes) or an actor.
	Addr(name string) (netip.Addr, bool)
	// Invariants are checked after every run (see Invariant).
	Invariants() []Invariant
	// Close tears the environment down.
	Close() error
}

// EnvFactory builds a fresh environment for one run.
type EnvFactory func(ctx context.Context, cfg EnvConfig) (Env, error)

// EnvConfig is what a factory gets.
type EnvConfig struct {
	Scenario string // scenario id
	Profile  string // solution profile name
	Mode     string // "mem" or "net"
	Seed     int64  // the run's seed for this (scenario, profile)
	Topology Topology
	Actors   []ActorSpec
	// OnNetwork must be called once, as soon as the network and clock
	// exist and before any NF starts, so the runner's interceptor (attacks,
	// then the capture) sees every packet. If a factory does not call it,
	// the runner installs its interceptor after the factory returns.
	OnNetwork func(nw transport.Network, clk clock.Clock)
	// MarkCapture marks the run's capture as carrying plaintext secrets on
	// purpose (e.g. the baseline profile's direct link), with a reason.
	MarkCapture func(reason string)
}

// Invariant is a property every run must keep, whatever the attack (e.g. no
// NAS message accepted without integrity after security mode). Check gets
// the run's trace and returns nil when the property holds.
type Invariant struct {
	Name  string
	Check func(ctx context.Context, events []trace.Event) error
}

// Restarter is an optional Env capability: restart a network node (fault blocks).
type Restarter interface {
	Restart(ctx context.Context, node string) error
}

// Endpoints is an optional Env capability: the address and port a node or
// actor uses on a link kind (e.g. the AMF's SBI server in net mode).
type Endpoints interface {
	Endpoint(name string, k transport.Kind) (netip.AddrPort, bool)
}

// Settler is an optional Env capability: wait until no message is in flight.
// Without it the runner waits for the trace to go quiet.
type Settler interface {
	Settle(ctx context.Context) error
}

// Advancer is satisfied by clocks that tests and mem-mode beds advance by
// hand (*clock.Fake): waits advance them instead of sleeping.
type Advancer interface {
	Advance(d time.Duration)
}

// Identity is implemented by actor values that know how they appear in the
// trace: their trace Actor name and, once they hold a credential, their SUPI.
type Identity interface {
	TraceName() string
	SUPI() string
}
