package blocks

import (
	"fmt"
	"sync/atomic"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// MaxActEvents bounds the per-packet trace events one installed capability
// emits; the rest are counted and summarised at teardown.
const MaxActEvents = 200

// Reporter emits the trace events of one installed capability: one event
// per packet it acts on (up to MaxActEvents), then a summary at teardown.
type Reporter struct {
	st    *scenarios.State
	kind  trace.Kind
	actor string
	name  string
	n     atomic.Int64
}

// NewReporter returns a reporter for the capability name acting for actor
// ("attacker" when empty); kind is trace.KindAttack or trace.KindFault.
func NewReporter(st *scenarios.State, kind trace.Kind, actor, name string) *Reporter {
	if actor == "" {
		actor = "attacker"
		if kind == trace.KindFault {
			actor = "fault"
		}
	}
	r := &Reporter{st: st, kind: kind, actor: actor, name: name}
	st.Defer(func() {
		if n := r.n.Load(); n > MaxActEvents {
			st.Emit(trace.Event{Kind: kind, Actor: r.actor, Name: name, Detail: fmt.Sprintf("acted on %d packets in all (%d not traced one by one)", n, n-MaxActEvents)})
		}
	})
	return r
}

// Actor returns the trace actor name.
func (r *Reporter) Actor() string { return r.actor }

// Act records that the capability acted on p; what says how ("dropped").
func (r *Reporter) Act(p transport.Packet, what string) {
	if r.n.Add(1) > MaxActEvents {
		return
	}
	r.st.Emit(trace.Event{Kind: r.kind, Actor: r.actor, Iface: IfaceOf(p.Kind), Name: r.name, Detail: what + ": " + Describe(p)})
}

// Note records a capability event not tied to one packet.
func (r *Reporter) Note(detail string) {
	r.st.Emit(trace.Event{Kind: r.kind, Actor: r.actor, Name: r.name, Detail: detail})
}

// Count returns how many packets the capability acted on.
func (r *Reporter) Count() int64 { return r.n.Load() }

// Handle is what an installed capability returns (save it to stop the
// capability later with the stop action).
type Handle struct {
	Name     string
	Reporter *Reporter
	remove   func()
	stopped  atomic.Bool
}

// Install adds f to st's attack chain and returns its handle.
func Install(st *scenarios.State, name string, rep *Reporter, f transport.Interceptor) *Handle {
	return &Handle{Name: name, Reporter: rep, remove: st.Intercept(name, f)}
}

// Stop removes the capability from the chain (idempotent).
func (h *Handle) Stop() {
	if h.stopped.CompareAndSwap(false, true) {
		h.remove()
	}
}

// Acted returns how many packets the capability acted on.
func (h *Handle) Acted() int64 {
	if h.Reporter == nil {
		return 0
	}
	return h.Reporter.Count()
}
