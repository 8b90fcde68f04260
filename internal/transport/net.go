package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// NetOptions configures a NetNetwork. The zero value is usable.
type NetOptions struct {
	// QueueLen bounds each N2 endpoint's delivery queue; a full queue stops
	// reading the associations (TCP back-pressure) (default 4096).
	QueueLen int
	// MaxSBIBody bounds SBI request and response bodies (default 16 MiB).
	MaxSBIBody int
	// DialTimeout bounds N2 association and SBI connection set-up (default 5 s).
	DialTimeout time.Duration
	// Logger receives socket errors that no caller can see (nil discards).
	Logger *slog.Logger
}

func (o *NetOptions) fill() {
	if o.QueueLen <= 0 {
		o.QueueLen = DefaultQueueLen
	}
	if o.MaxSBIBody <= 0 {
		o.MaxSBIBody = DefaultMaxSBIBody
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// N2CarrierTCPFramed names the N2 carrier of NetNetwork: this build has no
// SCTP (no kernel support without cgo), so NGAP goes over length-framed TCP
// (see AppendN2Frame).
const N2CarrierTCPFramed = "tcp-framed"

// NetNetwork is the socket Network, on loopback only: h2c for SBI (TS
// 29.500 §5.2), length-framed TCP for N2, UDP for N3, N4, N6 and DL. The
// chain runs in the sender before the wire, with the real socket addresses.
type NetNetwork struct {
	opts  NetOptions
	log   *slog.Logger
	chain Chain

	mu      sync.Mutex
	closed  atomic.Bool
	sbiSeq  atomic.Uint64
	eps     map[addrKey]netEndpoint
	servers map[*netServer]struct{}
	clients map[netip.AddrPort]*netSBIClient
	wg      sync.WaitGroup
	st      stats
}

// netEndpoint is what Inject and Close need from an endpoint.
type netEndpoint interface {
	close()
	// emit sends q from this endpoint without the chain.
	emit(ctx context.Context, q Packet) error
}

var (
	_ Network        = (*NetNetwork)(nil)
	_ StreamListener = (*NetNetwork)(nil)
	_ SBIInjector    = (*NetNetwork)(nil)
)

// NewNet returns a socket network with nothing bound.
func NewNet(opts NetOptions) *NetNetwork {
	opts.fill()
	return &NetNetwork{
		opts:    opts,
		log:     opts.Logger,
		eps:     make(map[addrKey]netEndpoint),
		servers: make(map[*netServer]struct{}),
		clients: make(map[netip.AddrPort]*netSBIClient),
	}
}

// Mode returns "net".
func (n *NetNetwork) Mode() string { return "net" }

// N2Carrier returns "tcp-framed".
func (n *NetNetwork) N2Carrier() string { return N2CarrierTCPFramed }

// Chain returns the interceptor chain.
func (n *NetNetwork) Chain() *Chain { return &n.chain }

// Stats returns the failure counters.
func (n *NetNetwork) Stats() Stats { return n.st.snapshot() }

// Listen binds a message endpoint at addr (loopback; port 0 picks one): a
// UDP socket for N3, N4, N6 and DL, a framed-TCP listener for N2.
func (n *NetNetwork) Listen(k Kind, addr netip.AddrPort, h Handler) (Endpoint, error) {
	return n.ListenStream(k, addr, handlerOf(h))
}

// ListenStream is Listen with a handler that also gets the stream id.
func (n *NetNetwork) ListenStream(k Kind, addr netip.AddrPort, h StreamHandler) (StreamEndpoint, error) {
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
	if n.closed.Load() {
		return nil, ErrClosed
	}
	if sp == spaceTCP {
		return n.listenN2(addr, h)
	}
	return n.listenUDP(k, addr, h)
}

// register records a bound endpoint; SO_REUSEPORT lets the kernel accept a
// second N2 listener on one address, so duplicates are refused here.
func (n *NetNetwork) register(key addrKey, e netEndpoint) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed.Load() {
		return ErrClosed
	}
	if _, ok := n.eps[key]; ok {
		return fmt.Errorf("%w: %s", ErrAddrInUse, key.ap)
	}
	n.eps[key] = e
	return nil
}

func (n *NetNetwork) unregister(key addrKey, e netEndpoint) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.eps[key] == e {
		delete(n.eps, key)
	}
}

func (n *NetNetwork) endpointAt(key addrKey) netEndpoint {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.eps[key]
}

func bindErr(err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w: %w", ErrAddrInUse, err)
	}
	return err
}

// bindFailed reports a dial that failed on its local address, not on the peer.
func bindFailed(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EADDRNOTAVAIL)
}

func dialErr(to netip.AddrPort, err error) error {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%w: %s: %w", ErrNoRoute, to, err)
	}
	return err
}

func ipNetwork(base string, a netip.Addr) string {
	if a.Unmap().Is4() {
		return base + "4"
	}
	return base + "6"
}

// Inject sends p as if it came from p.From, through the chain, marked
// Injected. A packet whose From is one of this network's endpoints leaves
// from that endpoint's socket; otherwise from a short-lived socket bound to
// p.From (or to p.From's address with an ephemeral port when p.From's port
// is taken).
func (n *NetNetwork) Inject(ctx context.Context, p Packet) error {
	if n.closed.Load() {
		return ErrClosed
	}
	p = p.Clone()
	p.Injected = true
	p.From, p.To = unmap(p.From), unmap(p.To)
	if p.Kind == SBI {
		if p.Response {
			n.chain.Apply(p)
			return fmt.Errorf("%w: no stream awaits an injected SBI response", ErrNoRoute)
		}
		_, err := n.InjectSBI(ctx, p)
		return err
	}
	if _, err := spaceOf(p.Kind); err != nil {
		return err
	}
	return n.emitAll(ctx, n.chain.Apply(p), nil, netip.AddrPort{})
}

// InjectSBI sends the SBI request p from p.From's address through the
// chain, marked Injected, and returns the response packet after the chain.
func (n *NetNetwork) InjectSBI(ctx context.Context, p Packet) (Packet, error) {
	if n.closed.Load() {
		return Packet{}, ErrClosed
	}
	if p.Kind != SBI || p.Response {
		return Packet{}, fmt.Errorf("%w: InjectSBI needs an SBI request", ErrBadKind)
	}
	p = p.Clone()
	p.Injected = true
	p.From, p.To = unmap(p.From), unmap(p.To)
	reqs := n.chain.Apply(p)
	if len(reqs) == 0 {
		return Packet{}, fmt.Errorf("%w: request %s %s", ErrDropped, p.Method, p.Path)
	}
	var resp Packet
	var first error
	for i, q := range reqs {
		r, err := n.sbiClient(q.From).send(ctx, q, nil, nil)
		if i == 0 {
			resp, first = r, err
		}
	}
	return resp, first
}

// emitAll writes packets that already passed the chain. A packet still
// from origFrom leaves through via; one an interceptor re-addressed leaves
// from the endpoint bound at its From, or from a short-lived socket.
func (n *NetNetwork) emitAll(ctx context.Context, pkts []Packet, via netEndpoint, origFrom netip.AddrPort) error {
	var first error
	for _, q := range pkts {
		err := n.emit(ctx, q, via, origFrom)
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (n *NetNetwork) emit(ctx context.Context, q Packet, via netEndpoint, origFrom netip.AddrPort) error {
	q.From, q.To = unmap(q.From), unmap(q.To)
	if err := checkLoopback(q.To); err != nil {
		return err
	}
	if q.Kind == SBI {
		if q.Response {
			return fmt.Errorf("%w: SBI response outside a stream", ErrBadKind)
		}
		_, err := n.sbiClient(q.From).send(ctx, q, nil, nil)
		return err
	}
	sp, err := spaceOf(q.Kind)
	if err != nil {
		return err
	}
	if via != nil && q.From == origFrom {
		return via.emit(ctx, q)
	}
	if e := n.endpointAt(addrKey{sp, q.From}); e != nil {
		return e.emit(ctx, q)
	}
	if sp == spaceTCP {
		return n.emitN2Once(ctx, q)
	}
	return n.emitUDPOnce(q)
}

// emitUDPOnce sends one datagram from a socket bound for the occasion.
func (n *NetNetwork) emitUDPOnce(q Packet) error {
	from := q.From
	if !from.Addr().IsValid() {
		from = netip.AddrPortFrom(loopbackLike(q.To.Addr()), 0)
	}
	if err := checkLoopback(from); err != nil {
		return err
	}
	c, err := net.ListenUDP(ipNetwork("udp", from.Addr()), net.UDPAddrFromAddrPort(from))
	if err != nil && from.Port() != 0 {
		c, err = net.ListenUDP(ipNetwork("udp", from.Addr()), net.UDPAddrFromAddrPort(netip.AddrPortFrom(from.Addr(), 0)))
	}
	if err != nil {
		return bindErr(err)
	}
	defer c.Close()
	_, err = c.WriteToUDPAddrPort(q.Payload, q.To)
	return err
}

func loopbackLike(a netip.Addr) netip.Addr {
	if a.Unmap().Is4() {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	return netip.IPv6Loopback()
}

// SBIClient returns a client whose connections are bound to from's address
// (port ephemeral) and whose requests and responses pass the chain.
func (n *NetNetwork) SBIClient(from netip.AddrPort) *http.Client {
	return &http.Client{Transport: n.sbiClient(unmap(from))}
}

// Close closes every endpoint, server and client connection, then waits for
// the goroutines this network started.
func (n *NetNetwork) Close() error {
	n.mu.Lock()
	if n.closed.Swap(true) {
		n.mu.Unlock()
		return nil
	}
	eps := make([]netEndpoint, 0, len(n.eps))
	for _, e := range n.eps {
		eps = append(eps, e)
	}
	srvs := make([]*netServer, 0, len(n.servers))
	for s := range n.servers {
		srvs = append(srvs, s)
	}
	cls := make([]*netSBIClient, 0, len(n.clients))
	for _, c := range n.clients {
		cls = append(cls, c)
	}
	n.mu.Unlock()
	for _, e := range eps {
		e.close()
	}
	var first error
	for _, s := range srvs {
		if err := n.closeServer(s); err != nil && first == nil {
			first = err
		}
	}
	for _, c := range cls {
		c.close()
	}
	n.wg.Wait()
	return first
}

// udpEndpoint is an N3, N4, N6 or DL endpoint: one UDP socket and one read
// goroutine that calls the handler in arrival order.
type udpEndpoint struct {
	n      *NetNetwork
	kind   Kind
	key    addrKey
	conn   *net.UDPConn
	h      StreamHandler
	closed atomic.Bool
}

func (n *NetNetwork) listenUDP(k Kind, addr netip.AddrPort, h StreamHandler) (*udpEndpoint, error) {
	c, err := net.ListenUDP(ipNetwork("udp", addr.Addr()), net.UDPAddrFromAddrPort(addr))
	if err != nil {
		return nil, bindErr(err)
	}
	e := &udpEndpoint{n: n, kind: k, key: addrKey{spaceUDP, netAddrPort(c.LocalAddr())}, conn: c, h: h}
	if err := n.register(e.key, e); err != nil {
		c.Close()
		return nil, err
	}
	n.wg.Add(1)
	go e.read()
	return e, nil
}

func (e *udpEndpoint) read() {
	defer e.n.wg.Done()
	buf := make([]byte, MaxDatagram+1)
	fails := 0
	for {
		nr, from, err := e.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if e.closed.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			e.n.st.linkErrors.Add(1)
			e.n.log.Warn("udp read", "kind", e.kind, "local", e.key.ap, "err", err)
			if fails++; fails > 100 {
				return
			}
			continue
		}
		fails = 0
		if e.h != nil && !e.closed.Load() {
			e.h(unmap(from), 0, bytes.Clone(buf[:nr]))
		}
	}
}

func (e *udpEndpoint) LocalAddr() netip.AddrPort { return e.key.ap }

func (e *udpEndpoint) Send(ctx context.Context, to netip.AddrPort, payload []byte) error {
	return e.SendStream(ctx, to, 0, payload)
}

// SendStream sends one datagram (the stream id is ignored on UDP).
func (e *udpEndpoint) SendStream(ctx context.Context, to netip.AddrPort, stream uint16, payload []byte) error {
	if e.closed.Load() {
		return ErrClosed
	}
	to = unmap(to)
	if err := checkLoopback(to); err != nil {
		return err
	}
	if len(payload) > MaxDatagram {
		return fmt.Errorf("%w: %d bytes on %s", ErrTooLarge, len(payload), e.kind)
	}
	if e.n.chain.empty() {
		_, err := e.conn.WriteToUDPAddrPort(payload, to)
		return err
	}
	p := Packet{Kind: e.kind, From: e.key.ap, To: to, Stream: stream, Payload: bytes.Clone(payload)}
	return e.n.emitAll(ctx, e.n.chain.Apply(p), e, p.From)
}

func (e *udpEndpoint) emit(_ context.Context, q Packet) error {
	if e.closed.Load() {
		return ErrClosed
	}
	if len(q.Payload) > MaxDatagram {
		return fmt.Errorf("%w: %d bytes on %s", ErrTooLarge, len(q.Payload), q.Kind)
	}
	_, err := e.conn.WriteToUDPAddrPort(q.Payload, q.To)
	return err
}

// Close closes the socket; the read goroutine ends with it.
func (e *udpEndpoint) Close() error {
	e.close()
	return nil
}

func (e *udpEndpoint) close() {
	if e.closed.Swap(true) {
		return
	}
	e.n.unregister(e.key, e)
	_ = e.conn.Close()
}
