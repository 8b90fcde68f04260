// Package trace records typed events from every NF, UE, link and attacker.
// Events are the test oracle (specs assert on them, never on log lines) and
// the source of reports. Keys are recorded by name only, never by value.
package trace

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/credbed/credbed/internal/clock"
)

// Kind classifies an event.
type Kind string

// Event kinds.
const (
	KindMessage  Kind = "message"  // a protocol message sent or received on an interface (NAS, NGAP, PFCP, GTP-U, direct link)
	KindRequest  Kind = "request"  // an SBI request (Name = operation)
	KindResponse Kind = "response" // an SBI response (Name = operation, Status = HTTP status)
	KindState    Kind = "state"    // a state change (Name = new state, Detail = old state or context)
	KindKey      Kind = "key"      // a key was derived or stored (Name = key name, never its value)
	KindReject   Kind = "reject"   // a protocol rejection (Cause = 5GMM/5GSM cause, ProblemDetails cause, HTTP status...)
	KindDrop     Kind = "drop"     // a message was discarded (integrity failure, replay, unknown TEID...)
	KindAttack   Kind = "attack"   // an attacker capability acted
	KindFault    Kind = "fault"    // an injected fault (restart, link cut)
	KindCheck    Kind = "check"    // a scenario check or invariant result
	KindNote     Kind = "note"     // anything else worth showing in a sequence chart
)

// Interface names used in Event.Iface.
const (
	IfaceSBI = "SBI"
	IfaceN1  = "N1"
	IfaceN2  = "N2"
	IfaceN3  = "N3"
	IfaceN4  = "N4"
	IfaceN6  = "N6"
	IfaceDL  = "DL" // the direct link between provisioning and target device
	IfaceAPI = "CPF"
)

// Event is one typed trace record.
type Event struct {
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	Kind   Kind      `json:"kind"`
	Actor  string    `json:"actor"`            // who recorded it: "amf", "ausf", "ue/imsi-001010000000001", "attacker"
	Peer   string    `json:"peer,omitempty"`   // the other side, when there is one
	Iface  string    `json:"iface,omitempty"`  // SBI, N1, N2, N3, N4, N6, DL
	Name   string    `json:"name"`             // message, operation, state or key name
	SUPI   string    `json:"supi,omitempty"`   // subscriber concerned, when known
	Status int       `json:"status,omitempty"` // HTTP status for SBI responses
	Cause  string    `json:"cause,omitempty"`  // rejection cause: "5GMM#3", "USER_NOT_FOUND", ...
	Detail string    `json:"detail,omitempty"` // short free text, never a secret
}

// Sink receives events. Implementations must be safe for concurrent use.
type Sink interface {
	Emit(e Event)
}

// Discard drops every event; it is the default when no recorder is wired.
var Discard Sink = discard{}

type discard struct{}

func (discard) Emit(Event) {}

// Recorder keeps events in memory, stamped with a sequence number and the
// time of its clock. Limit bounds memory for long runs (0 = unlimited); once
// reached, further events are counted but not kept.
type Recorder struct {
	clk     clock.Clock
	seq     atomic.Uint64
	mu      sync.Mutex
	events  []Event
	limit   int
	dropped atomic.Uint64
	subs    []func(Event)
}

// NewRecorder returns a recorder that stamps events with clk (the wall clock if nil).
func NewRecorder(clk clock.Clock) *Recorder {
	if clk == nil {
		clk = clock.Real{}
	}
	return &Recorder{clk: clk}
}

// SetLimit bounds the number of kept events.
func (r *Recorder) SetLimit(n int) {
	r.mu.Lock()
	r.limit = n
	r.mu.Unlock()
}

// Subscribe registers f to be called synchronously for every event.
// f must be fast and must not emit events itself.
func (r *Recorder) Subscribe(f func(Event)) {
	r.mu.Lock()
	r.subs = append(r.subs, f)
	r.mu.Unlock()
}

// Emit records e.
func (r *Recorder) Emit(e Event) {
	e.Seq = r.seq.Add(1)
	if e.At.IsZero() {
		e.At = r.clk.Now()
	}
	r.mu.Lock()
	if r.limit > 0 && len(r.events) >= r.limit {
		r.dropped.Add(1)
	} else {
		r.events = append(r.events, e)
	}
	subs := r.subs
	r.mu.Unlock()
	for _, f := range subs {
		f(e)
	}
}

// Events returns a copy of the kept events in emission order.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Event, len(r.events))
	copy(out, r.events)
	return out
}

// Len returns the number of kept events.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// Dropped returns how many events were not kept because of the limit.
func (r *Recorder) Dropped() uint64 { return r.dropped.Load() }

// Reset forgets every kept event.
func (r *Recorder) Reset() {
	r.mu.Lock()
	r.events = nil
	r.mu.Unlock()
}

// Filter returns the kept events for which match is true.
func (r *Recorder) Filter(match func(Event) bool) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Event
	for _, e := range r.events {
		if match(e) {
			out = append(out, e)
		}
	}
	return out
}

// Count returns how many kept events match.
func (r *Recorder) Count(match func(Event) bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if match(e) {
			n++
		}
	}
	return n
}

// Match builds a predicate from the non-zero fields of want (Seq and At are ignored).
func Match(want Event) func(Event) bool {
	return func(e Event) bool {
		return (want.Kind == "" || e.Kind == want.Kind) &&
			(want.Actor == "" || e.Actor == want.Actor) &&
			(want.Peer == "" || e.Peer == want.Peer) &&
			(want.Iface == "" || e.Iface == want.Iface) &&
			(want.Name == "" || e.Name == want.Name) &&
			(want.SUPI == "" || e.SUPI == want.SUPI) &&
			(want.Status == 0 || e.Status == want.Status) &&
			(want.Cause == "" || e.Cause == want.Cause)
	}
}

// Tee fans events out to several sinks.
type Tee []Sink

// Emit sends e to every sink.
func (t Tee) Emit(e Event) {
	for _, s := range t {
		s.Emit(e)
	}
}
