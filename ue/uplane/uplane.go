package uplane

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	gtpie "github.com/wmnsk/go-gtp/gtpv1/ie"
	gtpmsg "github.com/wmnsk/go-gtp/gtpv1/message"

	"github.com/credbed/credbed/internal/dn/netstack"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
)

// Sender sends one datagram; transport.Endpoint satisfies it.
type Sender interface {
	Send(ctx context.Context, to netip.AddrPort, payload []byte) error
}

// Config configures a Plane.
type Config struct {
	// Name is the actor name in trace events (default "uplane").
	Name string
	// N3Addr is where the Plane binds its own N3 endpoint when Deps.N3 is
	// nil (default 127.0.0.20:2152). It is the downlink F-TEID address.
	N3Addr netip.AddrPort
	// MTU of the UE link (default 1400, leaving room for GTP-U/UDP/IPv4).
	MTU uint32
	// QueueLen bounds uplink packets waiting for encapsulation (default 4096).
	QueueLen int
}

// Validate checks c and fills defaults.
func (c *Config) Validate() error {
	if c.Name == "" {
		c.Name = "uplane"
	}
	if !c.N3Addr.IsValid() {
		c.N3Addr = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.20"), transport.PortGTPU)
	}
	if c.MTU == 0 {
		c.MTU = 1400
	}
	if c.QueueLen <= 0 {
		c.QueueLen = 4096
	}
	if c.MTU < 576 || c.MTU > 9000 {
		return fmt.Errorf("uplane: MTU %d out of range 576..9000", c.MTU)
	}
	return nil
}

// Deps are the Plane's injected dependencies.
type Deps struct {
	// N3 sends GTP-U for the Plane (the gNB's N3 endpoint, whose handler
	// calls HandleN3). When nil, Start binds Config.N3Addr on Net.
	N3     Sender
	Net    transport.Network
	Logger *slog.Logger
	Trace  trace.Sink
	// OnErrorIndication, when set, is called when a GTP-U peer reports that
	// it has no context for an uplink TEID (TS 29.281 §7.3.1), so the gNB
	// can release the session. It must not block.
	OnErrorIndication func(peer netip.AddrPort, teid uint32)
}

// Session is one PDU session's user-plane tunnel as the RAN sees it.
type Session struct {
	UEIP   netip.Addr
	ULTEID uint32         // the UPF's F-TEID, put in uplink G-PDUs
	UPF    netip.AddrPort // the UPF's N3 address (port 2152 when given as 0)
	DLTEID uint32         // the gNB's F-TEID, carried by downlink G-PDUs
	QFI    uint8
}

type sess struct {
	Session
	exts []*gtpmsg.ExtensionHeader // UL PDU SESSION INFORMATION with the QFI
}

// Errors.
var (
	ErrSession   = errors.New("uplane: bad session")
	ErrNoSession = errors.New("uplane: no session for this UE address")
	ErrNotIPv4   = errors.New("uplane: not an IPv4 packet")
	ErrGTPU      = errors.New("uplane: malformed GTP-U")
)

// DropReason says why the Plane discarded a packet.
type DropReason uint8

// Drop reasons.
const (
	DropMalformedGTPU DropReason = iota
	DropUnknownTEID              // downlink G-PDU on a TEID with no session (Error Indication sent)
	DropBadInner                 // inner packet is not IPv4 or not addressed to the session's UE
	DropNoSession                // uplink packet from an address with no session
	DropSendFailed
	DropUnsupported // GTP-U message types the Plane does not handle
	NumDropReasons
)

var dropNames = [NumDropReasons]string{"malformed GTP-U", "unknown TEID", "bad inner packet",
	"no session", "send failed", "unsupported GTP-U"}

// String names the reason.
func (r DropReason) String() string {
	if r < NumDropReasons {
		return dropNames[r]
	}
	return fmt.Sprintf("DropReason(%d)", uint8(r))
}

// Stats is a snapshot of the Plane's counters.
type Stats struct {
	Uplink, Downlink   uint64 // G-PDUs sent to / accepted from the UPF
	EchoRequests       uint64
	ErrorIndicationsRx uint64
	ErrorIndicationsTx uint64
	Drops              [NumDropReasons]uint64
	Sessions           int
}

// Plane is the RAN-side user plane of every UE of one gNB.
type Plane struct {
	cfg  Config
	deps Deps
	log  *slog.Logger
	tr   trace.Sink
	st   *netstack.Stack

	bySrc  sync.Map // uint32 UE IPv4 -> *sess
	byTEID sync.Map // uint32 DL TEID -> *sess
	mu     sync.Mutex
	n      int
	owned  transport.Endpoint // the endpoint Start bound, if any
	send   atomic.Pointer[senderBox]

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	ul, dl, echo, eiRx, eiTx atomic.Uint64
	drops                    [NumDropReasons]atomic.Uint64
}

type senderBox struct{ Sender }

// New builds a Plane. Sessions can be added before Start; packets flow after it.
func New(cfg Config, deps Deps) (*Plane, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Trace == nil {
		deps.Trace = trace.Discard
	}
	st, err := netstack.New(netstack.Options{MTU: cfg.MTU, QueueLen: cfg.QueueLen})
	if err != nil {
		return nil, err
	}
	p := &Plane{cfg: cfg, deps: deps, log: deps.Logger, tr: deps.Trace, st: st}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	if deps.N3 != nil {
		p.send.Store(&senderBox{deps.N3})
	}
	return p, nil
}

// Config returns the validated configuration.
func (p *Plane) Config() Config { return p.cfg }

// N3Addr returns the downlink F-TEID address: the bound endpoint's address,
// or Config.N3Addr.
func (p *Plane) N3Addr() netip.AddrPort {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.owned != nil {
		return p.owned.LocalAddr()
	}
	return p.cfg.N3Addr
}

// Start binds the N3 endpoint (when Deps.N3 is nil) and starts the uplink
// goroutine (one per Plane).
func (p *Plane) Start(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.deps.N3 == nil && p.owned == nil {
		if p.deps.Net == nil {
			return errors.New("uplane: Deps.N3 and Deps.Net are both nil")
		}
		ep, err := p.deps.Net.Listen(transport.N3, p.cfg.N3Addr, p.HandleN3)
		if err != nil {
			return fmt.Errorf("uplane: N3 listen: %w", err)
		}
		p.owned = ep
		p.send.Store(&senderBox{ep})
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.st.Run(p.ctx, p.uplink)
	}()
	return nil
}

// Close stops the stack and unbinds the endpoint Start bound.
func (p *Plane) Close() error {
	p.cancel()
	p.st.Close()
	p.wg.Wait()
	p.mu.Lock()
	ep := p.owned
	p.owned = nil
	p.mu.Unlock()
	if ep != nil {
		return ep.Close()
	}
	return nil
}

func key4(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

// AddSession wires a PDU session: ueIP becomes an address of the stack,
// uplink packets from it go to the UPF at upf with TEID ulTEID and QFI qfi,
// and downlink G-PDUs with TEID dlTEID are delivered to it. Adding a
// session for an address that has one replaces it.
func (p *Plane) AddSession(ueIP netip.Addr, ulTEID uint32, upf netip.AddrPort, dlTEID uint32, qfi uint8) error {
	if upf.Port() == 0 {
		upf = netip.AddrPortFrom(upf.Addr(), transport.PortGTPU)
	}
	s := &sess{Session: Session{UEIP: ueIP, ULTEID: ulTEID, UPF: upf, DLTEID: dlTEID, QFI: qfi & 0x3f}}
	switch {
	case !ueIP.Is4():
		return fmt.Errorf("%w: UE address %v is not IPv4", ErrSession, ueIP)
	case ulTEID == 0 || dlTEID == 0:
		return fmt.Errorf("%w: TEID 0", ErrSession)
	case !upf.Addr().IsValid():
		return fmt.Errorf("%w: no UPF address", ErrSession)
	}
	if s.QFI != 0 {
		// TS 38.415 §5.5.2.2: PDU type 1 (UL PDU SESSION INFORMATION), then the QFI.
		s.exts = []*gtpmsg.ExtensionHeader{gtpmsg.NewExtensionHeader(gtpmsg.ExtHeaderTypePDUSessionContainer,
			[]byte{1 << 4, s.QFI}, gtpmsg.ExtHeaderTypeNoMoreExtensionHeaders)}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	k := key4(ueIP)
	if v, ok := p.byTEID.Load(dlTEID); ok && v.(*sess).UEIP != ueIP {
		return fmt.Errorf("%w: downlink TEID %#x is in use by %v", ErrSession, dlTEID, v.(*sess).UEIP)
	}
	if old, ok := p.bySrc.Load(k); ok {
		p.byTEID.CompareAndDelete(old.(*sess).DLTEID, old)
	} else {
		if err := p.st.AddAddress(ueIP); err != nil {
			return err
		}
		p.n++
	}
	p.bySrc.Store(k, s)
	p.byTEID.Store(dlTEID, s)
	p.emit(trace.Event{Kind: trace.KindState, Iface: trace.IfaceN3, Name: "uplane-session-added",
		Detail: fmt.Sprintf("ue=%v ul-teid=%#x upf=%v dl-teid=%#x qfi=%d", ueIP, ulTEID, upf, dlTEID, s.QFI)})
	return nil
}

// RemoveSession removes the session of ueIP and its address: its
// connections stop, and G-PDUs on its downlink TEID are dropped.
func (p *Plane) RemoveSession(ueIP netip.Addr) error {
	if !ueIP.Is4() {
		return fmt.Errorf("%w: %v", ErrNoSession, ueIP)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.bySrc.LoadAndDelete(key4(ueIP))
	if !ok {
		return fmt.Errorf("%w: %v", ErrNoSession, ueIP)
	}
	s := v.(*sess)
	p.byTEID.CompareAndDelete(s.DLTEID, s)
	p.n--
	p.emit(trace.Event{Kind: trace.KindState, Iface: trace.IfaceN3, Name: "uplane-session-removed",
		Detail: fmt.Sprintf("ue=%v dl-teid=%#x", ueIP, s.DLTEID)})
	return p.st.RemoveAddress(ueIP)
}

// Session returns the session of ueIP.
func (p *Plane) Session(ueIP netip.Addr) (Session, bool) {
	if !ueIP.Is4() {
		return Session{}, false
	}
	v, ok := p.bySrc.Load(key4(ueIP))
	if !ok {
		return Session{}, false
	}
	return v.(*sess).Session, true
}

// Stats returns the counters.
func (p *Plane) Stats() Stats {
	s := Stats{Uplink: p.ul.Load(), Downlink: p.dl.Load(), EchoRequests: p.echo.Load(),
		ErrorIndicationsRx: p.eiRx.Load(), ErrorIndicationsTx: p.eiTx.Load()}
	for i := range p.drops {
		s.Drops[i] = p.drops[i].Load()
	}
	p.mu.Lock()
	s.Sessions = p.n
	p.mu.Unlock()
	return s
}

func (p *Plane) emit(e trace.Event) {
	e.Actor = p.cfg.Name
	p.tr.Emit(e)
}

func (p *Plane) drop(r DropReason, peer netip.AddrPort, detail string) {
	n := p.drops[r].Add(1)
	if n&(n-1) != 0 {
		return
	}
	ps := ""
	if peer.IsValid() {
		ps = peer.String()
	}
	p.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN3, Peer: ps, Name: "G-PDU",
		Cause: r.String(), Detail: fmt.Sprintf("%s count=%d", detail, n)})
}

func (p *Plane) sendN3(to netip.AddrPort, b []byte) bool {
	box := p.send.Load()
	if box == nil {
		p.drop(DropSendFailed, to, "no N3 endpoint")
		return false
	}
	if err := box.Send(p.ctx, to, b); err != nil {
		p.drop(DropSendFailed, to, err.Error())
		return false
	}
	return true
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 2048); return &b }}

// uplink encapsulates one packet the stack sent (TS 29.281 §5.1 header with
// the TS 38.415 PDU Session Container) and sends it to the session's UPF.
func (p *Plane) uplink(pkt []byte) {
	if len(pkt) < 20 || pkt[0]>>4 != 4 {
		p.drop(DropBadInner, netip.AddrPort{}, "uplink")
		return
	}
	v, ok := p.bySrc.Load(binary.BigEndian.Uint32(pkt[12:16]))
	if !ok {
		p.drop(DropNoSession, netip.AddrPort{}, "src="+netip.AddrFrom4([4]byte(pkt[12:16])).String())
		return
	}
	s := v.(*sess)
	h := gtpmsg.Header{Flags: 0x30, Type: gtpmsg.MsgTypeTPDU, TEID: s.ULTEID, Payload: pkt}
	if s.exts != nil {
		h.Flags |= 0x04
		h.NextExtensionHeaderType = gtpmsg.ExtHeaderTypePDUSessionContainer
		h.ExtensionHeaders = s.exts
	}
	h.SetLength()
	n := h.MarshalLen()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	if cap(*bp) < n {
		*bp = make([]byte, n)
	}
	out := (*bp)[:n]
	if err := h.MarshalTo(out); err != nil {
		p.drop(DropSendFailed, s.UPF, err.Error())
		return
	}
	if p.sendN3(s.UPF, out) {
		p.ul.Add(1)
	}
}

// HandleN3 processes one GTP-U message received on the gNB's N3 endpoint:
// downlink G-PDUs go to their UE, Echo Requests are answered, Error
// Indications are counted and reported.
func (p *Plane) HandleN3(from netip.AddrPort, b []byte) {
	var h gtpmsg.Header
	if err := decode(&h, b); err != nil {
		p.drop(DropMalformedGTPU, from, err.Error())
		return
	}
	switch h.Type {
	case gtpmsg.MsgTypeTPDU:
		p.downlink(from, &h)
	case gtpmsg.MsgTypeEchoRequest:
		p.echo.Add(1)
		if r, err := gtpmsg.NewEchoResponse(h.SequenceNumber, gtpie.NewRecovery(0)).Marshal(); err == nil {
			p.sendN3(from, r)
		}
	case gtpmsg.MsgTypeErrorIndication:
		p.eiRx.Add(1)
		var teid uint32
		if ei, err := gtpmsg.ParseErrorIndication(b); err == nil && ei.TEIDDataI != nil {
			teid, _ = ei.TEIDDataI.TEID()
		}
		p.emit(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN3, Peer: from.String(),
			Name: "GTP-U Error Indication", Detail: fmt.Sprintf("teid=%#x", teid)})
		if f := p.deps.OnErrorIndication; f != nil {
			f(from, teid)
		}
	case gtpmsg.MsgTypeEchoResponse, gtpmsg.MsgTypeEndMarker:
	default:
		p.drop(DropUnsupported, from, fmt.Sprintf("message type %d", h.Type))
	}
}

func decode(h *gtpmsg.Header, b []byte) (err error) {
	if len(b) < 8 || b[0]>>5 != 1 || b[0]&0x10 == 0 {
		return fmt.Errorf("%w: bad version or length", ErrGTPU)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: decoder panic: %v", ErrGTPU, r)
		}
	}()
	if err := h.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("%w: %w", ErrGTPU, err)
	}
	return nil
}

func (p *Plane) downlink(from netip.AddrPort, h *gtpmsg.Header) {
	v, ok := p.byTEID.Load(h.TEID)
	if !ok {
		p.drop(DropUnknownTEID, from, fmt.Sprintf("teid=%#x", h.TEID))
		ei := gtpmsg.NewErrorIndication(0, 0, gtpie.NewTEIDDataI(h.TEID), gtpie.NewGSNAddress(p.N3Addr().Addr().String()))
		if b, err := ei.Marshal(); err == nil && p.sendN3(from, b) {
			p.eiTx.Add(1)
		}
		return
	}
	s := v.(*sess)
	in := h.Payload
	if len(in) < 20 || in[0]>>4 != 4 || binary.BigEndian.Uint32(in[16:20]) != key4(s.UEIP) {
		p.drop(DropBadInner, from, fmt.Sprintf("teid=%#x", h.TEID))
		return
	}
	if err := p.st.Inject(in); err != nil {
		p.drop(DropBadInner, from, err.Error())
		return
	}
	p.dl.Add(1)
}

// DialUDP opens a UDP socket from ueIP (an ephemeral port) to remote.
func (p *Plane) DialUDP(ueIP netip.Addr, remote netip.AddrPort) (net.Conn, error) {
	if _, ok := p.Session(ueIP); !ok {
		return nil, fmt.Errorf("%w: %v", ErrNoSession, ueIP)
	}
	return p.st.DialUDP(netip.AddrPortFrom(ueIP, 0), remote)
}

// ListenUDP binds a UDP socket at ueIP:port (a UE-side server).
func (p *Plane) ListenUDP(ueIP netip.Addr, port uint16) (net.PacketConn, error) {
	if _, ok := p.Session(ueIP); !ok {
		return nil, fmt.Errorf("%w: %v", ErrNoSession, ueIP)
	}
	return p.st.ListenUDP(netip.AddrPortFrom(ueIP, port))
}

// DialTCP opens a TCP connection from ueIP to remote.
func (p *Plane) DialTCP(ctx context.Context, ueIP netip.Addr, remote netip.AddrPort) (net.Conn, error) {
	if _, ok := p.Session(ueIP); !ok {
		return nil, fmt.Errorf("%w: %v", ErrNoSession, ueIP)
	}
	return p.st.DialTCP(ctx, ueIP, remote)
}

// ListenTCP listens for TCP connections at ueIP:port (a UE-side server).
func (p *Plane) ListenTCP(ueIP netip.Addr, port uint16) (net.Listener, error) {
	if _, ok := p.Session(ueIP); !ok {
		return nil, fmt.Errorf("%w: %v", ErrNoSession, ueIP)
	}
	return p.st.ListenTCP(netip.AddrPortFrom(ueIP, port))
}

// HTTPClient returns an HTTP/1.1 client whose connections come from ueIP.
// URLs must use IP literals (the data network has no name service).
func (p *Plane) HTTPClient(ueIP netip.Addr) *http.Client {
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			return nil, fmt.Errorf("uplane: %q is not an IP:port (no DNS in the data network): %w", addr, err)
		}
		return p.DialTCP(ctx, ueIP, ap)
	}
	return &http.Client{Transport: &http.Transport{
		DialContext:         dial,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     30 * time.Second,
	}}
}
