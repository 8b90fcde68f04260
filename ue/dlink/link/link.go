package link

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/ue/dlink"
)

// maxPeers bounds the reassembly state kept per sender address.
const maxPeers = 8

// Errors.
var (
	ErrNotAttached = errors.New("link: no endpoint attached")
	ErrNoPeer      = errors.New("link: no peer address to start towards")
	ErrClosed      = errors.New("link: driver closed")
)

// Config configures a Driver.
type Config struct {
	// Peer is where frames go. Zero means "answer whoever sent the frame
	// being processed" (the TD side). An initiator needs it.
	Peer netip.AddrPort
	// Medium gives the MTU frames are fragmented to; default the BLE preset.
	Medium dlink.Preset
	// Actor names the driver in its own trace events (fragment errors,
	// send failures); default "dlink".
	Actor string
	// OnResult, if set, is called for every Result the machine reports,
	// outside the driver's lock.
	OnResult func(dlink.Result)
}

// Validate checks the configuration and fills defaults.
func (c *Config) Validate() error {
	if c.Medium.Name == "" && c.Medium.MTU == 0 {
		c.Medium, _ = dlink.LookupPreset(dlink.PresetBLE)
	}
	if err := c.Medium.Validate(); err != nil {
		return err
	}
	if c.Actor == "" {
		c.Actor = "dlink"
	}
	return nil
}

// Deps are the driver's injected dependencies.
type Deps struct {
	Clock clock.Clock
	Trace trace.Sink
}

// Driver connects one machine to one endpoint. Received fragments are
// processed in arrival order under one lock; frames are sent after the lock
// is released, in the order the machine produced them.
type Driver struct {
	cfg  Config
	clk  clock.Clock
	sink trace.Sink

	mu      sync.Mutex
	m       dlink.Machine
	ep      transport.Endpoint
	ctx     context.Context
	seq     uint8
	reasm   map[netip.AddrPort]*dlink.Reassembler
	order   []netip.AddrPort
	timer   clock.Timer
	gen     uint64
	outbox  []pending
	results []dlink.Result
	first   *dlink.Result
	done    chan struct{}
	closed  bool

	sendMu sync.Mutex
}

type pending struct {
	to    netip.AddrPort
	typ   dlink.FrameType
	frags [][]byte
}

// New returns a driver for m (a *dlink.Initiator or *dlink.Responder).
func New(m dlink.Machine, cfg Config, deps Deps) (*Driver, error) {
	if m == nil {
		return nil, errors.New("link: nil machine")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Clock == nil {
		return nil, errors.New("link: no clock")
	}
	if deps.Trace == nil {
		deps.Trace = trace.Discard
	}
	return &Driver{cfg: cfg, clk: deps.Clock, sink: deps.Trace, m: m, ctx: context.Background(),
		reasm: map[netip.AddrPort]*dlink.Reassembler{}, done: make(chan struct{})}, nil
}

// Handler is the transport.Handler to pass to Network.Listen.
func (d *Driver) Handler() transport.Handler { return d.handle }

// Attach gives the driver its endpoint; the driver owns it from now on and
// closes it in Close.
func (d *Driver) Attach(ep transport.Endpoint) {
	d.mu.Lock()
	d.ep = ep
	d.mu.Unlock()
}

// Start records ctx for sends and, for an initiator, sends its first frame.
func (d *Driver) Start(ctx context.Context) error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return ErrClosed
	}
	if d.ep == nil {
		d.mu.Unlock()
		return ErrNotAttached
	}
	d.ctx = ctx
	s, ok := d.m.(interface{ Start() dlink.Output })
	if ok && !d.cfg.Peer.IsValid() {
		d.mu.Unlock()
		return ErrNoPeer
	}
	if ok {
		d.apply(s.Start(), netip.AddrPort{})
	}
	d.mu.Unlock()
	d.after()
	return nil
}

// Do runs an out-of-band operation on the machine under the driver's lock
// (e.g. func() dlink.Output { return td.FactoryReset() }) and applies its output.
func (d *Driver) Do(op func() dlink.Output) {
	d.mu.Lock()
	if !d.closed {
		d.apply(op(), netip.AddrPort{})
	}
	d.mu.Unlock()
	d.after()
}

// Done is closed when the machine reports its first Result (an initiator's
// end; a responder reports one per session, use OnResult).
func (d *Driver) Done() <-chan struct{} { return d.done }

// Result returns the first Result, once Done is closed.
func (d *Driver) Result() (dlink.Result, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.first == nil {
		return dlink.Result{}, false
	}
	return *d.first, true
}

// Close stops the timer and closes the endpoint.
func (d *Driver) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.stopTimer()
	ep := d.ep
	d.mu.Unlock()
	if ep != nil {
		return ep.Close()
	}
	return nil
}

func (d *Driver) handle(from netip.AddrPort, payload []byte) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	frame, err := d.reassembler(from).Push(payload)
	switch {
	case err != nil:
		d.sink.Emit(trace.Event{Kind: trace.KindDrop, Actor: d.cfg.Actor, Peer: from.String(), Iface: trace.IfaceDL,
			Name: "fragment", Cause: dlink.DropMalformed, Detail: err.Error()})
	case frame != nil:
		d.apply(d.m.Receive(frame), from)
	}
	d.mu.Unlock()
	d.after()
}

func (d *Driver) reassembler(from netip.AddrPort) *dlink.Reassembler {
	r, ok := d.reasm[from]
	if ok {
		return r
	}
	if len(d.order) >= maxPeers {
		delete(d.reasm, d.order[0])
		d.order = d.order[1:]
	}
	r = &dlink.Reassembler{}
	d.reasm[from] = r
	d.order = append(d.order, from)
	return r
}

// apply queues the output's frames, sets the timer and emits the events.
// Called with d.mu held.
func (d *Driver) apply(out dlink.Output, from netip.AddrPort) {
	to := d.cfg.Peer
	if !to.IsValid() {
		to = from
	}
	for _, e := range out.Events {
		if e.Peer == "" && to.IsValid() {
			e.Peer = to.String()
		}
		d.sink.Emit(e)
	}
	for _, f := range out.Frames {
		h, _ := dlink.ParseHeader(f)
		if !to.IsValid() {
			d.sink.Emit(trace.Event{Kind: trace.KindDrop, Actor: d.cfg.Actor, Iface: trace.IfaceDL,
				Name: h.Type.String(), Cause: "no-destination"})
			continue
		}
		frags, err := dlink.Fragment(f, d.cfg.Medium.MTU, d.seq)
		d.seq++
		if err != nil {
			d.sink.Emit(trace.Event{Kind: trace.KindDrop, Actor: d.cfg.Actor, Iface: trace.IfaceDL,
				Name: h.Type.String(), Cause: "fragment", Detail: err.Error()})
			continue
		}
		d.outbox = append(d.outbox, pending{to: to, typ: h.Type, frags: frags})
	}
	switch out.Timer {
	case dlink.TimerSet:
		d.stopTimer()
		d.gen++
		g := d.gen
		d.timer = d.clk.AfterFunc(out.After, func() { d.fire(g) })
	case dlink.TimerStop:
		d.stopTimer()
	}
	if out.Result != nil {
		d.results = append(d.results, *out.Result)
		if d.first == nil {
			r := *out.Result
			d.first = &r
			close(d.done)
		}
	}
}

func (d *Driver) stopTimer() {
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.gen++
}

func (d *Driver) fire(g uint64) {
	d.mu.Lock()
	if d.closed || g != d.gen {
		d.mu.Unlock()
		return
	}
	d.timer = nil
	d.apply(d.m.Timeout(), netip.AddrPort{})
	d.mu.Unlock()
	d.after()
}

// after sends what is queued and reports results, outside d.mu.
func (d *Driver) after() {
	d.flush()
	if d.cfg.OnResult == nil {
		d.mu.Lock()
		d.results = nil
		d.mu.Unlock()
		return
	}
	d.mu.Lock()
	rs := d.results
	d.results = nil
	d.mu.Unlock()
	for _, r := range rs {
		d.cfg.OnResult(r)
	}
}

// flush drains the outbox. A flush already running (possibly further up
// this goroutine's stack, if an endpoint delivers synchronously) picks up
// new frames itself, so frames keep their order and nothing deadlocks.
func (d *Driver) flush() {
	for {
		if !d.sendMu.TryLock() {
			return
		}
		for {
			d.mu.Lock()
			batch, ep, ctx := d.outbox, d.ep, d.ctx
			d.outbox = nil
			d.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			for _, p := range batch {
				d.send(ep, ctx, p)
			}
		}
		d.sendMu.Unlock()
		d.mu.Lock()
		empty := len(d.outbox) == 0
		d.mu.Unlock()
		if empty {
			return
		}
	}
}

func (d *Driver) send(ep transport.Endpoint, ctx context.Context, p pending) {
	if ep == nil {
		d.sink.Emit(trace.Event{Kind: trace.KindDrop, Actor: d.cfg.Actor, Iface: trace.IfaceDL, Name: p.typ.String(),
			Cause: "send", Detail: ErrNotAttached.Error()})
		return
	}
	for i, frag := range p.frags {
		if err := ep.Send(ctx, p.to, frag); err != nil {
			d.sink.Emit(trace.Event{Kind: trace.KindDrop, Actor: d.cfg.Actor, Peer: p.to.String(), Iface: trace.IfaceDL,
				Name: p.typ.String(), Cause: "send", Detail: fmt.Sprintf("fragment %d/%d: %v", i+1, len(p.frags), err)})
			return
		}
	}
}
