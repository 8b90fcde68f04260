package transport

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
)

// Defaults shared by both networks.
const (
	DefaultQueueLen   = 4096
	DefaultMaxSBIBody = 16 << 20
	// MaxDatagram bounds one N3, N4, N6 or DL message (the UDP payload limit).
	MaxDatagram = 65507
	// firstEphemeral is where port-0 binds start in mem mode.
	firstEphemeral = 32768
)

// MemOptions configures a MemNetwork. The zero value is usable.
type MemOptions struct {
	// QueueLen bounds each endpoint's delivery queue; a Send to a full
	// queue fails with ErrQueueFull and is counted (default 4096).
	QueueLen int
	// MaxSBIBody bounds SBI request and response bodies (default 16 MiB).
	MaxSBIBody int
}

func (o *MemOptions) fill() {
	if o.QueueLen <= 0 {
		o.QueueLen = DefaultQueueLen
	}
	if o.MaxSBIBody <= 0 {
		o.MaxSBIBody = DefaultMaxSBIBody
	}
}

// Stats counts the failures a network absorbed.
type Stats struct {
	QueueFull     uint64 // messages refused by a full delivery queue
	NoRoute       uint64 // messages and requests with no endpoint or server at the destination
	HandlerPanics uint64 // SBI handlers that panicked (mem mode)
	LinkErrors    uint64 // socket read/accept errors other than close, bad N2 frames (net mode)
}

type stats struct{ queueFull, noRoute, panics, linkErrors atomic.Uint64 }

func (s *stats) snapshot() Stats {
	return Stats{
		QueueFull:     s.queueFull.Load(),
		NoRoute:       s.noRoute.Load(),
		HandlerPanics: s.panics.Load(),
		LinkErrors:    s.linkErrors.Load(),
	}
}

// MemNetwork is the in-process Network: no sockets, bytes copied on send,
// one delivery goroutine and one bounded queue per endpoint, SBI served by
// calling the real http.Handler from an in-memory RoundTripper.
type MemNetwork struct {
	opts  MemOptions
	chain Chain

	routes  sync.Map // addrKey -> *memEndpoint
	servers sync.Map // netip.AddrPort -> *memServer

	mu       sync.Mutex // bind/close only
	closed   atomic.Bool
	sbiSeq   atomic.Uint64
	nextPort uint16
	wg       sync.WaitGroup
	st       stats
}

var (
	_ Network        = (*MemNetwork)(nil)
	_ StreamListener = (*MemNetwork)(nil)
	_ SBIInjector    = (*MemNetwork)(nil)
)

// NewMem returns an empty in-process network.
func NewMem(opts MemOptions) *MemNetwork {
	opts.fill()
	return &MemNetwork{opts: opts, nextPort: firstEphemeral}
}

// Mode returns "mem".
func (n *MemNetwork) Mode() string { return "mem" }

// N2Carrier returns "mem".
func (n *MemNetwork) N2Carrier() string { return "mem" }

// Chain returns the interceptor chain.
func (n *MemNetwork) Chain() *Chain { return &n.chain }

// Stats returns the failure counters.
func (n *MemNetwork) Stats() Stats { return n.st.snapshot() }

// Listen binds a message endpoint (N2, N3, N4, N6, DL) at addr, a loopback
// address; port 0 picks a free port deterministically.
func (n *MemNetwork) Listen(k Kind, addr netip.AddrPort, h Handler) (Endpoint, error) {
	return n.ListenStream(k, addr, handlerOf(h))
}

// ListenStream is Listen with a handler that also gets the stream id.
func (n *MemNetwork) ListenStream(k Kind, addr netip.AddrPort, h StreamHandler) (StreamEndpoint, error) {
	if k == SBI {
		return nil, fmt.Errorf("%w: use ServeSBI for %q", ErrBadKind, k)
	}
	sp, err := spaceOf(k)
	if err != nil {
		return nil, err
	}
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	addr = unmap(addr)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed.Load() {
		return nil, ErrClosed
	}
	if addr.Port() == 0 {
		addr = n.freePortLocked(sp, addr.Addr())
	}
	key := addrKey{sp, addr}
	if n.inUseLocked(key) {
		return nil, fmt.Errorf("%w: %s %s", ErrAddrInUse, k, addr)
	}
	e := &memEndpoint{n: n, kind: k, key: key, q: newQueue(n.opts.QueueLen), max: maxPayload(k)}
	n.routes.Store(key, e)
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		e.q.run(h)
	}()
	return e, nil
}

func (n *MemNetwork) inUseLocked(key addrKey) bool {
	if _, ok := n.routes.Load(key); ok {
		return true
	}
	if key.sp == spaceTCP {
		if _, ok := n.servers.Load(key.ap); ok {
			return true
		}
	}
	return false
}

func (n *MemNetwork) freePortLocked(sp space, ip netip.Addr) netip.AddrPort {
	for {
		p := n.nextPort
		n.nextPort++
		if n.nextPort == 0 {
			n.nextPort = firstEphemeral
		}
		ap := netip.AddrPortFrom(ip, p)
		if !n.inUseLocked(addrKey{sp, ap}) {
			return ap
		}
	}
}

func maxPayload(k Kind) int {
	if k == N2 {
		return MaxN2Payload
	}
	return MaxDatagram
}

// ServeSBI registers h at addr (a loopback address; port 0 picks one) and
// returns its apiRoot "http://<ip>:<port>".
func (n *MemNetwork) ServeSBI(addr netip.AddrPort, h http.Handler) (string, func() error, error) {
	if h == nil {
		return "", nil, fmt.Errorf("transport: nil SBI handler")
	}
	if err := checkLoopback(addr); err != nil {
		return "", nil, err
	}
	addr = unmap(addr)
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed.Load() {
		return "", nil, ErrClosed
	}
	if addr.Port() == 0 {
		addr = n.freePortLocked(spaceTCP, addr.Addr())
	}
	if n.inUseLocked(addrKey{spaceTCP, addr}) {
		return "", nil, fmt.Errorf("%w: sbi %s", ErrAddrInUse, addr)
	}
	s := &memServer{h: h}
	n.servers.Store(addr, s)
	closer := func() error {
		n.servers.CompareAndDelete(addr, s)
		return nil
	}
	return "http://" + addr.String(), closer, nil
}

// SBIClient returns a client whose requests come from from and reach the
// servers of this network in-process, through the chain.
func (n *MemNetwork) SBIClient(from netip.AddrPort) *http.Client {
	return &http.Client{Transport: &memRoundTripper{n: n, from: unmap(from)}}
}

// Inject sends p as if it came from p.From, through the chain, marked
// Injected. An SBI request is served and its response (after the chain)
// discarded; use InjectSBI to get it.
func (n *MemNetwork) Inject(ctx context.Context, p Packet) error {
	if n.closed.Load() {
		return ErrClosed
	}
	p = p.Clone()
	p.Injected = true
	if p.Kind == SBI {
		if p.Response {
			n.chain.Apply(p)
			return fmt.Errorf("%w: no stream awaits an injected SBI response", ErrNoRoute)
		}
		_, err := n.exchange(ctx, p, nil)
		return err
	}
	if _, err := spaceOf(p.Kind); err != nil {
		return err
	}
	return n.deliver(p)
}

// InjectSBI sends the SBI request p through the chain, marked Injected, and
// returns the response packet as the chain let it through.
func (n *MemNetwork) InjectSBI(ctx context.Context, p Packet) (Packet, error) {
	if n.closed.Load() {
		return Packet{}, ErrClosed
	}
	if p.Kind != SBI || p.Response {
		return Packet{}, fmt.Errorf("%w: InjectSBI needs an SBI request", ErrBadKind)
	}
	p = p.Clone()
	p.Injected = true
	return n.exchange(ctx, p, nil)
}

// Close closes every endpoint and server and waits for the delivery
// goroutines to finish.
func (n *MemNetwork) Close() error {
	n.mu.Lock()
	if n.closed.Swap(true) {
		n.mu.Unlock()
		return nil
	}
	n.routes.Range(func(k, v any) bool {
		v.(*memEndpoint).close()
		return true
	})
	n.servers.Clear()
	n.mu.Unlock()
	n.wg.Wait()
	return nil
}

// deliver runs p through the chain and queues what comes out.
func (n *MemNetwork) deliver(p Packet) error {
	if n.chain.empty() {
		return n.deliverOne(p)
	}
	var first error
	for _, q := range n.chain.Apply(p) {
		var err error
		if q.Kind == SBI {
			err = fmt.Errorf("%w: interceptor turned a %s message into SBI", ErrBadKind, p.Kind)
		} else {
			err = n.deliverOne(q)
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (n *MemNetwork) deliverOne(q Packet) error {
	sp, err := spaceOf(q.Kind)
	if err != nil {
		return err
	}
	v, ok := n.routes.Load(addrKey{sp, q.To})
	if !ok {
		n.st.noRoute.Add(1)
		return fmt.Errorf("%w: %s %s", ErrNoRoute, q.Kind, q.To)
	}
	err = v.(*memEndpoint).q.push(item{from: q.From, stream: q.Stream, payload: q.Payload})
	if err == ErrQueueFull {
		n.st.queueFull.Add(1)
		return fmt.Errorf("%w: %s %s", ErrQueueFull, q.Kind, q.To)
	}
	return err
}

// memEndpoint is one bound endpoint of a MemNetwork.
type memEndpoint struct {
	n      *MemNetwork
	kind   Kind
	key    addrKey
	q      *queue
	max    int
	closed atomic.Bool
}

func (e *memEndpoint) LocalAddr() netip.AddrPort { return e.key.ap }

func (e *memEndpoint) Send(ctx context.Context, to netip.AddrPort, payload []byte) error {
	return e.SendStream(ctx, to, 0, payload)
}

// SendStream copies payload and passes it through the chain to the
// endpoint bound at to.
func (e *memEndpoint) SendStream(ctx context.Context, to netip.AddrPort, stream uint16, payload []byte) error {
	if e.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(payload) > e.max {
		return fmt.Errorf("%w: %d bytes on %s", ErrTooLarge, len(payload), e.kind)
	}
	return e.n.deliver(Packet{
		Kind:    e.kind,
		From:    e.key.ap,
		To:      unmap(to),
		Stream:  stream,
		Payload: bytes.Clone(payload),
	})
}

// Close unbinds the endpoint; pending messages are discarded and the
// handler is not called again once a call in progress returns.
func (e *memEndpoint) Close() error {
	e.n.mu.Lock()
	defer e.n.mu.Unlock()
	e.close()
	return nil
}

func (e *memEndpoint) close() {
	if e.closed.Swap(true) {
		return
	}
	e.n.routes.CompareAndDelete(e.key, e)
	e.q.stop()
}
