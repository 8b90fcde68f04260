package intercept

import (
	"context"
	"fmt"
	"sync"

	"github.com/credbed/credbed/internal/transport"
)

// DefaultRecorderMax is the number of packets a Recorder keeps when its
// max is 0.
const DefaultRecorderMax = 10000

// Recorder keeps deep copies of the packets its Match selects, in chain
// order, up to a bound; later packets are counted, not kept.
type Recorder struct {
	m   Match
	max int

	mu       sync.Mutex
	pkts     []transport.Packet
	overflow int
}

// NewRecorder records what m selects (every packet when m is nil), keeping
// at most max packets (DefaultRecorderMax when max <= 0).
func NewRecorder(m Match, max int) *Recorder {
	if max <= 0 {
		max = DefaultRecorderMax
	}
	return &Recorder{m: m, max: max}
}

// Interceptor returns the observer to add to a chain.
func (r *Recorder) Interceptor() transport.Interceptor {
	return func(p transport.Packet) []transport.Packet {
		if r.m.ok(p) {
			r.add(p)
		}
		return []transport.Packet{p}
	}
}

func (r *Recorder) add(p transport.Packet) {
	c := p.Clone()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pkts) >= r.max {
		r.overflow++
		return
	}
	r.pkts = append(r.pkts, c)
}

// Packets returns deep copies of the recorded packets.
func (r *Recorder) Packets() []transport.Packet {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]transport.Packet, len(r.pkts))
	for i, p := range r.pkts {
		out[i] = p.Clone()
	}
	return out
}

// Len returns the number of recorded packets.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.pkts)
}

// Overflow returns the number of selected packets not kept.
func (r *Recorder) Overflow() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.overflow
}

// Reset forgets every recorded packet.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pkts, r.overflow = nil, 0
}

// Replay injects a copy of the i-th recorded packet through inj.
func (r *Recorder) Replay(ctx context.Context, inj Injector, i int) error {
	r.mu.Lock()
	if i < 0 || i >= len(r.pkts) {
		n := len(r.pkts)
		r.mu.Unlock()
		return fmt.Errorf("intercept: replay index %d out of %d recorded packets", i, n)
	}
	p := r.pkts[i].Clone()
	r.mu.Unlock()
	return Replay(ctx, inj, p)
}

// Replay injects a copy of p through inj (marked Injected by the network).
func Replay(ctx context.Context, inj Injector, p transport.Packet) error {
	return inj.Inject(ctx, p.Clone())
}
