package transport

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/net/http2"
)

// netServer is one h2c SBI server.
type netServer struct {
	srv  *http.Server
	done chan struct{}
	once sync.Once
}

// ServeSBI serves h over HTTP/2 with prior knowledge (h2c, TS 29.500 §5.2.2)
// at addr (loopback; port 0 picks one) and returns the real apiRoot.
func (n *NetNetwork) ServeSBI(addr netip.AddrPort, h http.Handler) (string, func() error, error) {
	if h == nil {
		return "", nil, fmt.Errorf("transport: nil SBI handler")
	}
	if err := checkLoopback(addr); err != nil {
		return "", nil, err
	}
	addr = unmap(addr)
	if n.closed.Load() {
		return "", nil, ErrClosed
	}
	if addr.Port() != 0 && n.endpointAt(addrKey{spaceTCP, addr}) != nil {
		return "", nil, fmt.Errorf("%w: sbi %s", ErrAddrInUse, addr)
	}
	ln, err := net.Listen(ipNetwork("tcp", addr.Addr()), addr.String())
	if err != nil {
		return "", nil, bindErr(err)
	}
	var protos http.Protocols
	protos.SetUnencryptedHTTP2(true)
	s := &netServer{
		srv: &http.Server{
			Handler:           h,
			Protocols:         &protos,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(n.log.Handler(), slog.LevelDebug),
		},
		done: make(chan struct{}),
	}
	n.mu.Lock()
	if n.closed.Load() {
		n.mu.Unlock()
		ln.Close()
		return "", nil, ErrClosed
	}
	n.servers[s] = struct{}{}
	n.wg.Add(1)
	n.mu.Unlock()
	go func() {
		defer n.wg.Done()
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	apiRoot := "http://" + netAddrPort(ln.Addr()).String()
	return apiRoot, func() error { return n.closeServer(s) }, nil
}

func (n *NetNetwork) closeServer(s *netServer) error {
	var err error
	s.once.Do(func() {
		err = s.srv.Close()
		<-s.done
		n.mu.Lock()
		delete(n.servers, s)
		n.mu.Unlock()
	})
	return err
}

// netSBIClient is the RoundTripper of one NF: HTTP/2 prior-knowledge
// connections (as free5gc's openapi client makes) dialed from the NF's
// address, pooled per server, with the chain run on each request before the
// wire and on each response after it.
type netSBIClient struct {
	n    *NetNetwork
	from netip.AddrPort
	h2   *http2.Transport

	mu     sync.Mutex
	conns  map[netip.AddrPort][]*h2conn
	closed bool
	dialMu sync.Mutex
}

type h2conn struct {
	cc     *http2.ClientConn
	local  netip.AddrPort
	remote netip.AddrPort
}

func (n *NetNetwork) sbiClient(from netip.AddrPort) *netSBIClient {
	n.mu.Lock()
	defer n.mu.Unlock()
	if c := n.clients[from]; c != nil {
		return c
	}
	c := &netSBIClient{
		n:     n,
		from:  from,
		h2:    &http2.Transport{AllowHTTP: true},
		conns: make(map[netip.AddrPort][]*h2conn),
	}
	if n.closed.Load() {
		c.closed = true
	} else {
		n.clients[from] = c
	}
	return c
}

func (c *netSBIClient) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req.Body, req.ContentLength, c.n.opts.MaxSBIBody)
	if err != nil {
		return nil, err
	}
	if c.n.closed.Load() {
		return nil, ErrClosed
	}
	if req.URL == nil || req.URL.Scheme != "http" {
		return nil, fmt.Errorf("%w: only http:// apiRoots are served", ErrNoRoute)
	}
	to, err := hostAddrPort(req.URL)
	if err != nil {
		return nil, err
	}
	ctx := req.Context()
	hc, err := c.conn(ctx, to, false)
	if err != nil {
		return nil, err
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	p := Packet{
		Kind:      SBI,
		From:      hc.local,
		To:        to,
		Method:    method,
		Path:      req.URL.RequestURI(),
		Header:    req.Header.Clone(),
		Payload:   body,
		SBIStream: c.n.sbiSeq.Add(1),
	}
	var rp Packet
	if c.n.chain.empty() {
		rp, err = c.send(ctx, p, req, hc)
	} else {
		reqs := c.n.chain.Apply(p)
		if len(reqs) == 0 {
			return nil, fmt.Errorf("%w: request %s %s", ErrDropped, p.Method, p.Path)
		}
		for i, q := range reqs {
			sender := c
			if q.From != p.From {
				sender = c.n.sbiClient(netip.AddrPortFrom(q.From.Addr(), 0))
			}
			orig, via := req, hc
			if q.To != to {
				orig = nil
			}
			if sender != c || unmap(q.To) != hc.remote {
				via = nil
			}
			r, e := sender.send(ctx, q, orig, via)
			if i == 0 {
				rp, err = r, e
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return clientResponse(req, rp), nil
}

// send writes one request packet that already passed the chain and returns
// the response packet after the chain. hc, when set, is the connection the
// packet's addresses were taken from.
func (c *netSBIClient) send(ctx context.Context, q Packet, orig *http.Request, hc *h2conn) (Packet, error) {
	if q.Kind != SBI || q.Response {
		return Packet{}, fmt.Errorf("%w: interceptor turned an SBI request into %s", ErrBadKind, q.Kind)
	}
	q.To = unmap(q.To)
	if err := checkLoopback(q.To); err != nil {
		return Packet{}, err
	}
	if hc == nil || hc.remote != q.To || !hc.cc.ReserveNewRequest() {
		var err error
		if hc, err = c.conn(ctx, q.To, true); err != nil {
			return Packet{}, err
		}
	}
	out, err := http.NewRequestWithContext(ctx, q.Method, "http://"+q.To.String()+q.Path, nil)
	if err != nil {
		return Packet{}, fmt.Errorf("%w: malformed request %s %q", ErrDropped, q.Method, q.Path)
	}
	if q.Header != nil {
		out.Header = q.Header
	}
	if orig != nil && orig.Host != "" {
		out.Host = orig.Host
	}
	if len(q.Payload) > 0 {
		pl := q.Payload
		out.Body = io.NopCloser(bytes.NewReader(pl))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(pl)), nil }
		out.ContentLength = int64(len(pl))
	}
	resp, err := hc.cc.RoundTrip(out)
	if err != nil {
		return Packet{}, fmt.Errorf("transport: sbi %s %s: %w", q.Method, q.To, err)
	}
	rb, err := io.ReadAll(io.LimitReader(resp.Body, int64(c.n.opts.MaxSBIBody)+1))
	resp.Body.Close()
	if err != nil {
		return Packet{}, fmt.Errorf("transport: sbi response from %s: %w", q.To, err)
	}
	if len(rb) > c.n.opts.MaxSBIBody {
		return Packet{}, fmt.Errorf("%w: SBI response over %d bytes", ErrTooLarge, c.n.opts.MaxSBIBody)
	}
	if len(rb) == 0 {
		rb = nil
	}
	rp := Packet{
		Kind:      SBI,
		From:      hc.remote,
		To:        hc.local,
		Method:    q.Method,
		Path:      q.Path,
		Status:    resp.StatusCode,
		Header:    resp.Header,
		Payload:   rb,
		Response:  true,
		SBIStream: q.SBIStream,
	}
	if c.n.chain.empty() {
		return rp, nil
	}
	rs := c.n.chain.Apply(rp)
	if len(rs) == 0 {
		return Packet{}, fmt.Errorf("%w: response to %s %s", ErrDropped, q.Method, q.Path)
	}
	if !rs[0].Response || rs[0].Kind != SBI {
		return Packet{}, fmt.Errorf("%w: interceptor turned an SBI response into a request", ErrBadKind)
	}
	return rs[0], nil
}

// conn returns a usable connection to to, dialing one when none can take a
// request; with reserve it also reserves a stream for the next RoundTrip.
func (c *netSBIClient) conn(ctx context.Context, to netip.AddrPort, reserve bool) (*h2conn, error) {
	if hc := c.pick(to, reserve); hc != nil {
		return hc, nil
	}
	c.dialMu.Lock()
	defer c.dialMu.Unlock()
	if hc := c.pick(to, reserve); hc != nil {
		return hc, nil
	}
	if err := checkLoopback(to); err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: c.n.opts.DialTimeout}
	if c.from.Addr().IsValid() {
		if err := checkLoopback(c.from); err != nil {
			return nil, err
		}
		d.LocalAddr = tcpAddr(netip.AddrPortFrom(c.from.Addr(), 0))
	}
	nc, err := d.DialContext(ctx, ipNetwork("tcp", to.Addr()), to.String())
	if err != nil {
		return nil, dialErr(to, fmt.Errorf("transport: sbi connect %s: %w", to, err))
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	cc, err := c.h2.NewClientConn(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("transport: sbi h2c handshake with %s: %w", to, err)
	}
	hc := &h2conn{cc: cc, local: netAddrPort(nc.LocalAddr()), remote: to}
	if reserve && !cc.ReserveNewRequest() {
		cc.Close()
		return nil, fmt.Errorf("transport: sbi connection to %s refused a stream", to)
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		cc.Close()
		return nil, ErrClosed
	}
	c.conns[to] = append(c.conns[to], hc)
	c.mu.Unlock()
	return hc, nil
}

// pick returns a pooled connection that can take a request, pruning closed ones.
func (c *netSBIClient) pick(to netip.AddrPort, reserve bool) *h2conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	list := c.conns[to]
	keep := list[:0]
	var found *h2conn
	for _, hc := range list {
		st := hc.cc.State()
		if st.Closed || st.Closing {
			hc.cc.Close()
			continue
		}
		keep = append(keep, hc)
		if found != nil {
			continue
		}
		if reserve {
			if hc.cc.ReserveNewRequest() {
				found = hc
			}
		} else if hc.cc.CanTakeNewRequest() {
			found = hc
		}
	}
	for i := len(keep); i < len(list); i++ {
		list[i] = nil
	}
	c.conns[to] = keep
	return found
}

func (c *netSBIClient) close() {
	c.mu.Lock()
	c.closed = true
	all := c.conns
	c.conns = make(map[netip.AddrPort][]*h2conn)
	c.mu.Unlock()
	for _, l := range all {
		for _, hc := range l {
			hc.cc.Close()
		}
	}
}
