package transport

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// n2Endpoint is an N2 endpoint on the tcp-framed carrier: it listens at its
// address, dials a peer on the first send to it, keeps one TCP connection
// per association keyed by the peer's address, and hands every frame to one
// delivery goroutine.
type n2Endpoint struct {
	n      *NetNetwork
	key    addrKey
	ln     *net.TCPListener
	q      *queue
	closed atomic.Bool

	mu     sync.Mutex
	conns  map[netip.AddrPort]*n2Conn
	dialMu sync.Mutex
}

// n2Conn is one association.
type n2Conn struct {
	c      *net.TCPConn
	local  netip.AddrPort
	remote netip.AddrPort
	wmu    sync.Mutex
}

func (n *NetNetwork) listenN2(addr netip.AddrPort, h StreamHandler) (*n2Endpoint, error) {
	if addr.Port() != 0 && n.endpointAt(addrKey{spaceTCP, addr}) != nil {
		return nil, fmt.Errorf("%w: n2 %s", ErrAddrInUse, addr)
	}
	lc := net.ListenConfig{Control: reusePort}
	l, err := lc.Listen(context.Background(), ipNetwork("tcp", addr.Addr()), addr.String())
	if err != nil {
		return nil, bindErr(err)
	}
	e := &n2Endpoint{
		n:     n,
		key:   addrKey{spaceTCP, netAddrPort(l.Addr())},
		ln:    l.(*net.TCPListener),
		q:     newQueue(n.opts.QueueLen),
		conns: make(map[netip.AddrPort]*n2Conn),
	}
	if err := n.register(e.key, e); err != nil {
		l.Close()
		return nil, err
	}
	n.wg.Add(2)
	go func() {
		defer n.wg.Done()
		e.q.run(h)
	}()
	go e.accept()
	return e, nil
}

func (e *n2Endpoint) accept() {
	defer e.n.wg.Done()
	for {
		c, err := e.ln.AcceptTCP()
		if err != nil {
			if !e.closed.Load() && !errors.Is(err, net.ErrClosed) {
				e.n.st.linkErrors.Add(1)
				e.n.log.Warn("n2 accept", "local", e.key.ap, "err", err)
			}
			return
		}
		e.add(c)
	}
}

// add registers an association and starts its reader.
func (e *n2Endpoint) add(c *net.TCPConn) *n2Conn {
	_ = c.SetNoDelay(true)
	nc := &n2Conn{c: c, local: netAddrPort(c.LocalAddr()), remote: netAddrPort(c.RemoteAddr())}
	e.mu.Lock()
	if e.closed.Load() {
		e.mu.Unlock()
		c.Close()
		return nil
	}
	if old := e.conns[nc.remote]; old != nil {
		old.c.Close()
	}
	e.conns[nc.remote] = nc
	e.n.wg.Add(1)
	e.mu.Unlock()
	go e.read(nc)
	return nc
}

func (e *n2Endpoint) read(nc *n2Conn) {
	defer e.n.wg.Done()
	fr := NewN2FrameReader(bufio.NewReaderSize(nc.c, 32<<10), MaxN2Payload)
	for {
		f, err := fr.Next()
		if err != nil {
			if !e.closed.Load() && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				e.n.st.linkErrors.Add(1)
				e.n.log.Warn("n2 association ended", "local", nc.local, "peer", nc.remote, "err", err)
			}
			e.drop(nc)
			return
		}
		if err := e.q.pushWait(item{from: nc.remote, stream: f.Stream, payload: f.Payload}); err != nil {
			e.drop(nc)
			return
		}
	}
}

func (e *n2Endpoint) drop(nc *n2Conn) {
	e.mu.Lock()
	if e.conns[nc.remote] == nc {
		delete(e.conns, nc.remote)
	}
	e.mu.Unlock()
	nc.c.Close()
}

// conn returns the association with to, dialing it from the endpoint's own
// address when there is none (from an ephemeral port if that bind fails).
func (e *n2Endpoint) conn(ctx context.Context, to netip.AddrPort) (*n2Conn, error) {
	e.mu.Lock()
	nc := e.conns[to]
	e.mu.Unlock()
	if nc != nil {
		return nc, nil
	}
	e.dialMu.Lock()
	defer e.dialMu.Unlock()
	e.mu.Lock()
	nc = e.conns[to]
	e.mu.Unlock()
	if nc != nil {
		return nc, nil
	}
	if e.closed.Load() {
		return nil, ErrClosed
	}
	d := net.Dialer{LocalAddr: tcpAddr(e.key.ap), Control: reusePort, Timeout: e.n.opts.DialTimeout}
	c, err := d.DialContext(ctx, ipNetwork("tcp", to.Addr()), to.String())
	if err != nil && bindFailed(err) {
		d = net.Dialer{LocalAddr: tcpAddr(netip.AddrPortFrom(e.key.ap.Addr(), 0)), Timeout: e.n.opts.DialTimeout}
		c, err = d.DialContext(ctx, ipNetwork("tcp", to.Addr()), to.String())
	}
	if err != nil {
		return nil, dialErr(to, fmt.Errorf("transport: n2 association to %s: %w", to, err))
	}
	nc = e.add(c.(*net.TCPConn))
	if nc == nil {
		return nil, ErrClosed
	}
	// Key the association by the address we dialed, whatever form the
	// kernel reports it in.
	if nc.remote != to {
		e.mu.Lock()
		delete(e.conns, nc.remote)
		nc.remote = to
		e.conns[to] = nc
		e.mu.Unlock()
	}
	return nc, nil
}

func (e *n2Endpoint) LocalAddr() netip.AddrPort { return e.key.ap }

func (e *n2Endpoint) Send(ctx context.Context, to netip.AddrPort, payload []byte) error {
	return e.SendStream(ctx, to, 0, payload)
}

// SendStream frames payload on stream and writes it on the association with
// to, through the chain (From/To are the association's socket addresses).
func (e *n2Endpoint) SendStream(ctx context.Context, to netip.AddrPort, stream uint16, payload []byte) error {
	if e.closed.Load() {
		return ErrClosed
	}
	to = unmap(to)
	if err := checkLoopback(to); err != nil {
		return err
	}
	if len(payload) == 0 {
		return fmt.Errorf("%w: empty payload", ErrBadFrame)
	}
	if len(payload) > MaxN2Payload {
		return fmt.Errorf("%w: %d bytes on n2", ErrTooLarge, len(payload))
	}
	nc, err := e.conn(ctx, to)
	if err != nil {
		return err
	}
	if e.n.chain.empty() {
		return e.write(ctx, nc, stream, payload)
	}
	p := Packet{Kind: N2, From: nc.local, To: to, Stream: stream, Payload: bytes.Clone(payload)}
	return e.n.emitAll(ctx, e.n.chain.Apply(p), e, p.From)
}

func (e *n2Endpoint) emit(ctx context.Context, q Packet) error {
	if e.closed.Load() {
		return ErrClosed
	}
	nc, err := e.conn(ctx, q.To)
	if err != nil {
		return err
	}
	return e.write(ctx, nc, q.Stream, q.Payload)
}

func (e *n2Endpoint) write(ctx context.Context, nc *n2Conn, stream uint16, payload []byte) error {
	buf, err := AppendN2Frame(make([]byte, 0, N2FrameHeaderLen+len(payload)), stream, payload)
	if err != nil {
		return err
	}
	nc.wmu.Lock()
	if dl, ok := ctx.Deadline(); ok {
		_ = nc.c.SetWriteDeadline(dl)
	}
	_, err = nc.c.Write(buf)
	nc.wmu.Unlock()
	if err != nil {
		e.drop(nc)
		return fmt.Errorf("transport: n2 write to %s: %w", nc.remote, err)
	}
	return nil
}

// Close closes the listener and every association and stops delivery.
func (e *n2Endpoint) Close() error {
	e.close()
	return nil
}

func (e *n2Endpoint) close() {
	if e.closed.Swap(true) {
		return
	}
	e.n.unregister(e.key, e)
	_ = e.ln.Close()
	e.q.stop()
	e.mu.Lock()
	for k, nc := range e.conns {
		nc.c.Close()
		delete(e.conns, k)
	}
	e.mu.Unlock()
}

// emitN2Once sends one frame over a short-lived connection from q.From's
// address (an attacker that is not an endpoint of this network).
func (n *NetNetwork) emitN2Once(ctx context.Context, q Packet) error {
	from := q.From
	if !from.Addr().IsValid() {
		from = netip.AddrPortFrom(loopbackLike(q.To.Addr()), 0)
	}
	if err := checkLoopback(from); err != nil {
		return err
	}
	buf, err := AppendN2Frame(nil, q.Stream, q.Payload)
	if err != nil {
		return err
	}
	d := net.Dialer{LocalAddr: tcpAddr(from), Control: reusePort, Timeout: n.opts.DialTimeout}
	c, err := d.DialContext(ctx, ipNetwork("tcp", q.To.Addr()), q.To.String())
	if err != nil && from.Port() != 0 && bindFailed(err) {
		d = net.Dialer{LocalAddr: tcpAddr(netip.AddrPortFrom(from.Addr(), 0)), Timeout: n.opts.DialTimeout}
		c, err = d.DialContext(ctx, ipNetwork("tcp", q.To.Addr()), q.To.String())
	}
	if err != nil {
		return dialErr(q.To, err)
	}
	defer c.Close()
	_, err = c.Write(buf)
	return err
}
