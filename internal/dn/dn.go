package dn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credbed/credbed/internal/dn/netstack"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
)

// DefaultN6Port is the port of N6 endpoints when a config leaves it out
// (the same as nf/upf's).
const DefaultN6Port = 46006

// Route sends downlink packets for UE addresses in Prefix to the UPF's N6
// endpoint UPF.
type Route struct {
	Prefix netip.Prefix
	UPF    netip.AddrPort
}

// Config configures the data network.
type Config struct {
	// Name is the actor name in trace events (default "dn").
	Name string
	// Addr is the services' address inside the data network (default 10.100.0.1).
	Addr netip.Addr
	// N6Addr is the data network's N6 endpoint (default 127.0.0.9:46006).
	N6Addr netip.AddrPort
	// UPF is the default route: the UPF N6 endpoint for UE addresses no
	// Route covers (default 127.0.0.8:46006).
	UPF netip.AddrPort
	// Routes are more specific routes, longest prefix first.
	Routes []Route
	// MTU of the data network link (default 1400).
	MTU uint32
	// UDPEchoPort and TCPEchoPort serve the echo services (default 7; set
	// to a port no service uses to move them).
	UDPEchoPort, TCPEchoPort uint16
	// HTTPPort serves the HTTP server (default 80).
	HTTPPort uint16
	// Page is the body of GET / (default a short greeting).
	Page string
}

// ErrConfig reports an invalid configuration.
var ErrConfig = errors.New("dn: invalid config")

// Validate checks c and fills defaults.
func (c *Config) Validate() error {
	if c.Name == "" {
		c.Name = "dn"
	}
	if !c.Addr.IsValid() {
		c.Addr = netip.MustParseAddr("10.100.0.1")
	}
	if !c.N6Addr.IsValid() {
		c.N6Addr = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.9"), DefaultN6Port)
	}
	if !c.UPF.IsValid() {
		c.UPF = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.8"), DefaultN6Port)
	}
	if c.MTU == 0 {
		c.MTU = 1400
	}
	if c.UDPEchoPort == 0 {
		c.UDPEchoPort = 7
	}
	if c.TCPEchoPort == 0 {
		c.TCPEchoPort = 7
	}
	if c.HTTPPort == 0 {
		c.HTTPPort = 80
	}
	if c.Page == "" {
		c.Page = "credbed data network\n"
	}
	if !c.Addr.Is4() {
		return fmt.Errorf("%w: address %v must be IPv4", ErrConfig, c.Addr)
	}
	for _, r := range c.Routes {
		if !r.Prefix.IsValid() || !r.Prefix.Addr().Is4() || !r.UPF.IsValid() {
			return fmt.Errorf("%w: route %v via %v", ErrConfig, r.Prefix, r.UPF)
		}
	}
	return nil
}

// Deps are the data network's injected dependencies.
type Deps struct {
	Net    transport.Network // required by Start
	Logger *slog.Logger
	Trace  trace.Sink
}

// DN is the data network.
type DN struct {
	cfg Config
	net transport.Network
	log *slog.Logger
	tr  trace.Sink
	st  *netstack.Stack
	mux *http.ServeMux

	ctx    context.Context
	cancel context.CancelFunc
	ep     atomic.Pointer[epBox]
	wg     sync.WaitGroup

	routes atomic.Pointer[[]Route] // copy on write: read per downlink packet

	mu      sync.Mutex
	closers []io.Closer
	started bool

	n6In, n6Out, noRoute, bad, sendFail atomic.Uint64
}

type epBox struct{ transport.Endpoint }

// Errors.
var (
	ErrNoNetwork = errors.New("dn: Deps.Net is nil")
	ErrHandle    = errors.New("dn: cannot mount handler")
)

// New builds the data network and its stack; Start binds N6 and starts the services.
func New(cfg Config, deps Deps) (*DN, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Trace == nil {
		deps.Trace = trace.Discard
	}
	st, err := netstack.New(netstack.Options{MTU: cfg.MTU})
	if err != nil {
		return nil, err
	}
	if err := st.AddAddress(cfg.Addr); err != nil {
		st.Close()
		return nil, err
	}
	d := &DN{cfg: cfg, net: deps.Net, log: deps.Logger, tr: deps.Trace, st: st, mux: http.NewServeMux()}
	rs := append([]Route(nil), cfg.Routes...)
	d.routes.Store(&rs)
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, d.cfg.Page)
	})
	return d, nil
}

// Config returns the validated configuration.
func (d *DN) Config() Config { return d.cfg }

// Addr returns the services' address.
func (d *DN) Addr() netip.Addr { return d.cfg.Addr }

// URL returns the base URL of the HTTP server, e.g. "http://10.100.0.1".
func (d *DN) URL() string {
	if d.cfg.HTTPPort == 80 {
		return "http://" + d.cfg.Addr.String()
	}
	return "http://" + netip.AddrPortFrom(d.cfg.Addr, d.cfg.HTTPPort).String()
}

// Start binds the N6 endpoint and starts the echo and HTTP services.
func (d *DN) Start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started {
		return nil
	}
	if d.net == nil {
		return ErrNoNetwork
	}
	ep, err := d.net.Listen(transport.N6, d.cfg.N6Addr, d.HandleN6)
	if err != nil {
		return fmt.Errorf("dn: N6 listen: %w", err)
	}
	if err := d.startServices(); err != nil {
		_ = ep.Close()
		for _, c := range d.closers {
			_ = c.Close()
		}
		d.closers = nil
		return err
	}
	d.ep.Store(&epBox{ep})
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		d.st.Run(d.ctx, d.sendN6)
	}()
	d.started = true
	d.emit(trace.Event{Kind: trace.KindState, Name: "started",
		Detail: fmt.Sprintf("addr=%v n6=%v", d.cfg.Addr, d.cfg.N6Addr)})
	return nil
}

func (d *DN) startServices() error {
	a := d.cfg.Addr
	uc, err := d.st.ListenUDP(netip.AddrPortFrom(a, d.cfg.UDPEchoPort))
	if err != nil {
		return fmt.Errorf("dn: UDP echo: %w", err)
	}
	d.closers = append(d.closers, uc)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		udpEcho(uc)
	}()
	tl, err := d.st.ListenTCP(netip.AddrPortFrom(a, d.cfg.TCPEchoPort))
	if err != nil {
		return fmt.Errorf("dn: TCP echo: %w", err)
	}
	d.closers = append(d.closers, tl)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		tcpEcho(tl)
	}()
	hl, err := d.st.ListenTCP(netip.AddrPortFrom(a, d.cfg.HTTPPort))
	if err != nil {
		return fmt.Errorf("dn: HTTP: %w", err)
	}
	srv := &http.Server{Handler: d.mux, ReadHeaderTimeout: 10 * time.Second}
	d.closers = append(d.closers, srv)
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		_ = srv.Serve(hl)
	}()
	return nil
}

func udpEcho(c net.PacketConn) {
	buf := make([]byte, 65535)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			return
		}
		_, _ = c.WriteTo(buf[:n], from)
	}
}

func tcpEcho(l net.Listener) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			_, _ = io.Copy(c, c)
		}()
	}
}

// Close stops the services and unbinds N6.
func (d *DN) Close() error {
	d.mu.Lock()
	closers := d.closers
	d.closers = nil
	d.mu.Unlock()
	d.cancel()
	var errs []error
	for _, c := range closers {
		errs = append(errs, c.Close())
	}
	if b := d.ep.Swap(nil); b != nil {
		errs = append(errs, b.Close())
	}
	d.st.Close()
	d.wg.Wait()
	return errors.Join(errs...)
}

// Handle mounts h on the HTTP server at pattern (net/http ServeMux
// syntax). A conflicting or invalid pattern is an error, not a panic.
func (d *DN) Handle(pattern string, h http.Handler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %q: %v", ErrHandle, pattern, r)
		}
	}()
	if h == nil {
		return fmt.Errorf("%w: %q: nil handler", ErrHandle, pattern)
	}
	d.mux.Handle(pattern, h)
	return nil
}

// AddAddress gives the data network another service address (for a
// service that wants its own IP, such as the CPF).
func (d *DN) AddAddress(a netip.Addr) error { return d.st.AddAddress(a) }

// ListenTCP listens for TCP connections inside the data network at a (an
// address of the DN: Addr() or one added with AddAddress).
func (d *DN) ListenTCP(a netip.AddrPort) (net.Listener, error) { return d.st.ListenTCP(a) }

// ListenUDP binds a UDP socket inside the data network at a.
func (d *DN) ListenUDP(a netip.AddrPort) (net.PacketConn, error) { return d.st.ListenUDP(a) }

// DialTCP opens a TCP connection from the DN address to remote (a UE).
func (d *DN) DialTCP(ctx context.Context, remote netip.AddrPort) (net.Conn, error) {
	return d.st.DialTCP(ctx, d.cfg.Addr, remote)
}

// DialUDP opens a UDP socket from the DN address to remote (a UE).
func (d *DN) DialUDP(remote netip.AddrPort) (net.Conn, error) {
	return d.st.DialUDP(netip.AddrPortFrom(d.cfg.Addr, 0), remote)
}

// AddRoute adds a downlink route (UE prefix via a UPF's N6 endpoint).
func (d *DN) AddRoute(r Route) error {
	if !r.Prefix.IsValid() || !r.Prefix.Addr().Is4() || !r.UPF.IsValid() {
		return fmt.Errorf("%w: route %v via %v", ErrConfig, r.Prefix, r.UPF)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	rs := append(append([]Route(nil), *d.routes.Load()...), r)
	d.routes.Store(&rs)
	return nil
}

// Stats counts N6 traffic.
type Stats struct {
	N6In, N6Out       uint64 // packets from / to UPFs
	NoRoute           uint64 // downlink packets with an unroutable destination
	Malformed         uint64 // N6 messages that are not IPv4 packets
	SendFailed        uint64
	StackIn, StackOut uint64
}

// Stats returns the counters.
func (d *DN) Stats() Stats {
	in, out, _ := d.st.Counters()
	return Stats{N6In: d.n6In.Load(), N6Out: d.n6Out.Load(), NoRoute: d.noRoute.Load(),
		Malformed: d.bad.Load(), SendFailed: d.sendFail.Load(), StackIn: in, StackOut: out}
}

// HandleN6 takes one raw IPv4 packet from a UPF into the data network. It
// is the N6 endpoint's handler.
func (d *DN) HandleN6(from netip.AddrPort, pkt []byte) {
	d.n6In.Add(1)
	if err := d.st.Inject(pkt); err != nil {
		n := d.bad.Add(1)
		if n&(n-1) == 0 {
			d.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN6, Peer: from.String(), Name: "packet",
				Cause: "malformed packet", Detail: fmt.Sprintf("count=%d", n)})
		}
	}
}

func (d *DN) upfFor(dst netip.Addr) (netip.AddrPort, bool) {
	best, bits := d.cfg.UPF, -1
	for _, r := range *d.routes.Load() {
		if r.Prefix.Contains(dst) && r.Prefix.Bits() > bits {
			best, bits = r.UPF, r.Prefix.Bits()
		}
	}
	return best, best.IsValid()
}

// sendN6 routes one packet the stack sent to the UPF serving its destination.
func (d *DN) sendN6(pkt []byte) {
	if len(pkt) < 20 {
		return
	}
	dst := netip.AddrFrom4([4]byte(pkt[16:20]))
	to, ok := d.upfFor(dst)
	b := d.ep.Load()
	if !ok || b == nil {
		d.noRoute.Add(1)
		return
	}
	if err := b.Send(d.ctx, to, pkt); err != nil {
		n := d.sendFail.Add(1)
		if n&(n-1) == 0 {
			d.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN6, Peer: to.String(), Name: "packet",
				Cause: "send failed", Detail: fmt.Sprintf("%v count=%d", err, n)})
		}
		return
	}
	d.n6Out.Add(1)
}

func (d *DN) emit(e trace.Event) {
	e.Actor = d.cfg.Name
	d.tr.Emit(e)
}
