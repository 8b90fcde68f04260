package gnb

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/ue/uplane"
)

// Errors.
var (
	ErrNoNetwork   = errors.New("gnb: Deps.Net is nil")
	ErrStarted     = errors.New("gnb: already started")
	ErrNotStarted  = errors.New("gnb: not started")
	ErrClosed      = errors.New("gnb: closed")
	ErrSetupFailed = errors.New("gnb: NG Setup failed")
	// ErrNoAMFUEID: a second uplink NAS message before the AMF answered the
	// first (the AMF UE NGAP ID is not known yet).
	ErrNoAMFUEID = errors.New("gnb: AMF UE NGAP ID not known yet")
	// ErrNotConnected: the link has no N2 UE context.
	ErrNotConnected = errors.New("gnb: UE not connected")
	// ErrNoUserPlane: the gNB runs without a user plane.
	ErrNoUserPlane = errors.New("gnb: no user plane")
	ErrDetached    = errors.New("gnb: link detached")
)

// SetupFailure is the error Start returns for NG SETUP FAILURE; it wraps
// ErrSetupFailed.
type SetupFailure struct{ Cause ngapx.Cause }

func (e *SetupFailure) Error() string { return fmt.Sprintf("gnb: NG Setup failed: %s", e.Cause) }

// Unwrap returns ErrSetupFailed.
func (e *SetupFailure) Unwrap() error { return ErrSetupFailed }

const numShards = 64

type shard struct {
	mu sync.RWMutex
	m  map[uint32]*ueCtx
}

// GNB is one gNB.
type GNB struct {
	cfg      Config
	net      transport.Network
	tr       trace.Sink
	log      *slog.Logger
	plane    *uplane.Plane
	ownPlane bool
	loc      ngapx.UserLocationNR
	plmn     nasx.PLMN

	ep  transport.Endpoint
	sep transport.StreamEndpoint // nil when the network has no streams

	shards   [numShards]shard
	nextRAN  atomic.Uint32
	nextTEID atomic.Uint32
	count    atomic.Int64

	setupCh  chan error
	started  atomic.Bool
	ready    atomic.Bool
	closed   atomic.Bool
	mu       sync.Mutex
	amfName  string
	c        counters
	closeOne sync.Once
}

type counters struct {
	ngapIn, ngapOut, ngapDropped, errorIndRx, errorIndTx, nasDL, nasUL atomic.Uint64
}

// Stats counts the gNB's N2 traffic.
type Stats struct {
	NGAPIn, NGAPOut, NGAPDropped           uint64
	ErrorIndicationsRx, ErrorIndicationsTx uint64
	NASDownlink, NASUplink                 uint64
	UEContexts                             int
}

// New builds a gNB; Start binds N2 and runs NG Setup.
func New(cfg Config, deps Deps) (*GNB, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Net == nil {
		return nil, ErrNoNetwork
	}
	if deps.Rand == nil {
		deps.Rand = rand.Reader
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Trace == nil {
		deps.Trace = trace.Discard
	}
	plmn, err := nasx.NewPLMN(cfg.PLMN.MCC, cfg.PLMN.MNC)
	if err != nil {
		return nil, fmt.Errorf("gnb: PLMN: %w", err)
	}
	g := &GNB{
		cfg: cfg, net: deps.Net, tr: deps.Trace, log: deps.Logger, plane: deps.Plane, plmn: plmn,
		setupCh: make(chan error, 1),
		loc: ngapx.UserLocationNR{NRCGI: ngapx.NRCGI{PLMN: plmn, CellID: cfg.CellID},
			TAI: ngapx.TAI{PLMN: plmn, TAC: cfg.TAC}},
	}
	for i := range g.shards {
		g.shards[i].m = make(map[uint32]*ueCtx)
	}
	var seed [8]byte
	if _, err := io.ReadFull(deps.Rand, seed[:]); err != nil {
		return nil, fmt.Errorf("gnb: rand: %w", err)
	}
	g.nextTEID.Store(binary.BigEndian.Uint32(seed[:4]) | 1)
	g.nextRAN.Store(binary.BigEndian.Uint32(seed[4:]) & 0xffff)
	if g.plane == nil && cfg.N3Addr.IsValid() {
		p, err := uplane.New(uplane.Config{Name: cfg.Name + "/uplane", N3Addr: cfg.N3Addr},
			uplane.Deps{Net: deps.Net, Logger: deps.Logger, Trace: deps.Trace, OnErrorIndication: g.onGTPErrorIndication})
		if err != nil {
			return nil, fmt.Errorf("gnb: user plane: %w", err)
		}
		g.plane, g.ownPlane = p, true
	}
	return g, nil
}

// Config returns the validated configuration.
func (g *GNB) Config() Config { return g.cfg }

// Plane returns the user plane (nil without one).
func (g *GNB) Plane() *uplane.Plane { return g.plane }

// N2Addr returns the bound N2 address (after Start).
func (g *GNB) N2Addr() netip.AddrPort {
	if g.ep == nil {
		return g.cfg.N2Addr
	}
	return g.ep.LocalAddr()
}

// AMFName returns the AMF name learnt in NG Setup.
func (g *GNB) AMFName() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.amfName
}

// Ready reports whether NG Setup succeeded.
func (g *GNB) Ready() bool { return g.ready.Load() }

// Start binds the N2 endpoint, starts the user plane it owns and runs NG
// Setup (TS 38.413 §8.7.1), waiting for the answer until ctx is done.
func (g *GNB) Start(ctx context.Context) error {
	if g.closed.Load() {
		return ErrClosed
	}
	if g.started.Swap(true) {
		return ErrStarted
	}
	if sl, ok := g.net.(transport.StreamListener); ok {
		ep, err := sl.ListenStream(transport.N2, g.cfg.N2Addr, g.HandleN2)
		if err != nil {
			return fmt.Errorf("gnb: listen N2: %w", err)
		}
		g.ep, g.sep = ep, ep
	} else {
		ep, err := g.net.Listen(transport.N2, g.cfg.N2Addr, func(from netip.AddrPort, b []byte) { g.HandleN2(from, 0, b) })
		if err != nil {
			return fmt.Errorf("gnb: listen N2: %w", err)
		}
		g.ep = ep
	}
	if g.ownPlane {
		if err := g.plane.Start(ctx); err != nil {
			return fmt.Errorf("gnb: user plane: %w", err)
		}
	}
	ta := ngapx.SupportedTA{TAC: g.cfg.TAC, PLMNs: []ngapx.BroadcastPLMN{{PLMN: g.plmn, Slices: g.cfg.Slices}}}
	req := &ngapx.NGSetupRequest{
		GlobalGNBID:      ngapx.GlobalGNBID{PLMN: g.plmn, GNBID: g.cfg.GNBID, BitLen: g.cfg.GNBIDBits},
		RANNodeName:      g.cfg.Name,
		SupportedTAs:     []ngapx.SupportedTA{ta},
		DefaultPagingDRX: g.cfg.PagingDRX,
	}
	if err := g.send(ctx, 0, req); err != nil {
		return fmt.Errorf("gnb: NG Setup: %w", err)
	}
	select {
	case err := <-g.setupCh:
		if err != nil {
			return err
		}
		g.ready.Store(true)
		return nil
	case <-ctx.Done():
		return fmt.Errorf("gnb: NG Setup: %w", ctx.Err())
	}
}

// Close unbinds N2 and closes the user plane the gNB owns. UE contexts are
// dropped; their terminals are told the connection is gone.
func (g *GNB) Close() error {
	var err error
	g.closeOne.Do(func() {
		g.closed.Store(true)
		if g.ep != nil {
			err = g.ep.Close()
		}
		for i := range g.shards {
			s := &g.shards[i]
			s.mu.Lock()
			ctxs := make([]*ueCtx, 0, len(s.m))
			for _, c := range s.m {
				ctxs = append(ctxs, c)
			}
			clear(s.m)
			s.mu.Unlock()
			for _, c := range ctxs {
				g.count.Add(-1)
				g.dropContext(c)
				if c.link != nil && c.link.t != nil {
					c.link.t.ConnectionReleased()
				}
			}
		}
		if g.ownPlane {
			if e := g.plane.Close(); err == nil {
				err = e
			}
		}
	})
	return err
}

// Stats returns the counters.
func (g *GNB) Stats() Stats {
	return Stats{
		NGAPIn: g.c.ngapIn.Load(), NGAPOut: g.c.ngapOut.Load(), NGAPDropped: g.c.ngapDropped.Load(),
		ErrorIndicationsRx: g.c.errorIndRx.Load(), ErrorIndicationsTx: g.c.errorIndTx.Load(),
		NASDownlink: g.c.nasDL.Load(), NASUplink: g.c.nasUL.Load(), UEContexts: int(g.count.Load()),
	}
}

// ---- N2 ----

func (g *GNB) stream(ran uint32) uint16 { return 1 + uint16(ran%uint32(g.cfg.Streams-1)) }

// send builds m and sends it to the AMF on stream.
func (g *GNB) send(ctx context.Context, stream uint16, m ngapx.Msg) error {
	b, err := m.Build()
	if err != nil {
		return fmt.Errorf("gnb: build %s: %w", MessageName(m), err)
	}
	g.emit(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN2, Peer: "amf", Name: MessageName(m), Detail: "out"})
	return g.sendRaw(ctx, stream, b)
}

func (g *GNB) sendRaw(ctx context.Context, stream uint16, b []byte) error {
	if g.ep == nil {
		return ErrNotStarted
	}
	g.c.ngapOut.Add(1)
	if g.sep != nil {
		return g.sep.SendStream(ctx, g.cfg.AMFAddr, stream, b)
	}
	return g.ep.Send(ctx, g.cfg.AMFAddr, b)
}

func (g *GNB) emit(e trace.Event) {
	if e.Actor == "" {
		e.Actor = g.cfg.Name
	}
	g.tr.Emit(e)
}

func (g *GNB) drop(name, why string) {
	g.c.ngapDropped.Add(1)
	g.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN2, Peer: "amf", Name: name, Detail: why})
}

// HandleN2 is the N2 entry point: the endpoint's delivery goroutine calls it
// for every NGAP PDU, in arrival order. It never panics on bad input:
// undecodable PDUs are answered with ERROR INDICATION (TS 38.413 §10.2).
func (g *GNB) HandleN2(from netip.AddrPort, stream uint16, payload []byte) {
	if g.closed.Load() {
		return
	}
	g.c.ngapIn.Add(1)
	m, err := ngapx.Parse(payload)
	if err != nil {
		g.drop("NGAP", err.Error())
		if !errors.Is(err, ngapx.ErrUnsupported) {
			g.errorIndication(nil, nil, ngapx.CauseProtocolTransferSyntaxError)
		}
		return
	}
	g.emit(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN2, Peer: "amf", Name: MessageName(m), Detail: "in"})
	switch v := m.(type) {
	case *ngapx.NGSetupResponse:
		g.mu.Lock()
		g.amfName = v.AMFName
		g.mu.Unlock()
		g.signalSetup(nil)
	case *ngapx.NGSetupFailure:
		g.signalSetup(&SetupFailure{Cause: v.Cause})
	case *ngapx.DownlinkNASTransport:
		g.downlinkNAS(v)
	case *ngapx.InitialContextSetupRequest:
		g.initialContextSetup(v)
	case *ngapx.UEContextReleaseCommand:
		g.ueContextRelease(v)
	case *ngapx.PDUSessionResourceSetupRequest:
		g.pduSessionSetup(v)
	case *ngapx.PDUSessionResourceReleaseCommand:
		g.pduSessionRelease(v)
	case *ngapx.ErrorIndication:
		g.c.errorIndRx.Add(1)
		d := "error indication"
		if v.Cause != nil {
			d = v.Cause.String()
		}
		g.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN2, Peer: "amf", Name: "ErrorIndication received", Detail: d})
	default:
		g.drop(MessageName(m), "not handled by the gNB")
	}
}

func (g *GNB) signalSetup(err error) {
	select {
	case g.setupCh <- err:
	default:
	}
}

func (g *GNB) errorIndication(amf *uint64, ran *uint32, cause ngapx.Cause) {
	g.c.errorIndTx.Add(1)
	stream := uint16(0)
	if ran != nil {
		stream = g.stream(*ran)
	}
	if err := g.send(context.Background(), stream, &ngapx.ErrorIndication{AMFUENGAPID: amf, RANUENGAPID: ran, Cause: &cause}); err != nil {
		g.log.Debug("gnb: error indication not sent", "err", err)
	}
}

// ueFor finds the UE context of a UE-associated message and checks the AMF
// UE NGAP ID (learning it on first sight); on failure it sends ERROR
// INDICATION (TS 38.413 §10.6) and returns nil.
func (g *GNB) ueFor(amf uint64, ran uint32) *ueCtx {
	c := g.lookup(ran)
	if c == nil {
		g.drop("NGAP", fmt.Sprintf("unknown RAN UE NGAP ID %d", ran))
		g.errorIndication(&amf, &ran, ngapx.CauseRadioNetworkUnknownLocalUENGAPID)
		return nil
	}
	c.mu.Lock()
	ok := true
	if !c.hasAMF {
		c.amf, c.hasAMF = amf, true
	} else if c.amf != amf {
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		g.drop("NGAP", fmt.Sprintf("inconsistent AMF UE NGAP ID %d for RAN UE NGAP ID %d", amf, ran))
		g.errorIndication(&amf, &ran, ngapx.CauseRadioNetworkInconsistentRemoteID)
		return nil
	}
	return c
}

func (g *GNB) downlinkNAS(v *ngapx.DownlinkNASTransport) {
	c := g.ueFor(v.AMFUENGAPID, v.RANUENGAPID)
	if c == nil {
		return
	}
	g.deliver(c.link, v.NASPDU)
}

func (g *GNB) deliver(l *Link, pdu []byte) {
	if len(pdu) == 0 {
		return
	}
	g.c.nasDL.Add(1)
	if l == nil || l.t == nil {
		g.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN2, Name: "NAS", Detail: "no terminal behind the UE context"})
		return
	}
	l.t.ReceiveNAS(pdu)
}

// initialContextSetup answers INITIAL CONTEXT SETUP REQUEST (TS 38.413
// §8.3.1). The emulator runs no RRC security, so KgNB is not stored at all.
func (g *GNB) initialContextSetup(v *ngapx.InitialContextSetupRequest) {
	c := g.ueFor(v.AMFUENGAPID, v.RANUENGAPID)
	if c == nil {
		return
	}
	g.emit(trace.Event{Kind: trace.KindKey, Iface: trace.IfaceN2, Name: "KgNB", Detail: "received, not stored (no RRC security)"})
	var ready []uint8
	resp := &ngapx.InitialContextSetupResponse{AMFUENGAPID: v.AMFUENGAPID, RANUENGAPID: v.RANUENGAPID}
	for _, it := range v.PDUSessions {
		tr, cause, ok, up := g.setupSession(c, it)
		if ok {
			resp.PDUSessions = append(resp.PDUSessions, ngapx.PDUSessionItem{ID: it.ID, Transfer: tr})
			if up {
				ready = append(ready, it.ID)
			}
		} else {
			resp.Failed = append(resp.Failed, failedItem(it.ID, cause))
		}
	}
	if err := g.send(context.Background(), g.stream(v.RANUENGAPID), resp); err != nil {
		g.log.Debug("gnb: initial context setup response not sent", "err", err)
	}
	g.deliver(c.link, v.NASPDU)
	for _, it := range v.PDUSessions {
		g.deliver(c.link, it.NASPDU)
	}
	g.notifyReady(c.link, ready)
}

func failedItem(id uint8, cause ngapx.Cause) ngapx.PDUSessionItem {
	b, _ := (&ngapx.PDUSessionCauseTransfer{Cause: cause}).BuildSetupUnsuccessful()
	return ngapx.PDUSessionItem{ID: id, Transfer: b}
}

// ueContextRelease answers UE CONTEXT RELEASE COMMAND (TS 38.413 §8.3.3):
// the UE context and its user-plane sessions go, the terminal learns that
// its connection is released.
func (g *GNB) ueContextRelease(v *ngapx.UEContextReleaseCommand) {
	var c *ueCtx
	if v.RANUENGAPID != nil {
		c = g.lookup(*v.RANUENGAPID)
	} else {
		c = g.lookupAMF(v.AMFUENGAPID)
	}
	if c == nil {
		g.drop("UEContextReleaseCommand", "unknown UE")
		g.errorIndication(&v.AMFUENGAPID, v.RANUENGAPID, ngapx.CauseRadioNetworkUnknownLocalUENGAPID)
		return
	}
	if !g.remove(c) {
		return
	}
	g.dropContext(c)
	if err := g.send(context.Background(), g.stream(c.ran), &ngapx.UEContextReleaseComplete{AMFUENGAPID: v.AMFUENGAPID, RANUENGAPID: c.ran}); err != nil {
		g.log.Debug("gnb: release complete not sent", "err", err)
	}
	// A terminal that already opened a new connection (e.g. registering
	// again right after a de-registration) is not told that the old one
	// went: it would abort the procedure running on the new one.
	if l := c.link; l != nil && l.t != nil && l.idle() {
		l.t.ConnectionReleased()
	}
}

// dropContext detaches c from its link and removes its user-plane sessions.
func (g *GNB) dropContext(c *ueCtx) {
	if l := c.link; l != nil {
		l.mu.Lock()
		if l.cur == c {
			l.cur = nil
		}
		l.mu.Unlock()
	}
	c.mu.Lock()
	sess := c.sessions
	c.sessions = nil
	c.mu.Unlock()
	for _, s := range sess {
		g.unwire(s)
	}
}

func (g *GNB) onGTPErrorIndication(peer netip.AddrPort, teid uint32) {
	g.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN3, Peer: peer.String(), Name: "GTP-U Error Indication",
		Detail: fmt.Sprintf("UPF has no context for TEID %#x", teid)})
}

// ---- UE contexts ----

// ueCtx is the N2 context of one connected UE.
type ueCtx struct {
	ran  uint32
	link *Link

	mu       sync.Mutex
	amf      uint64
	hasAMF   bool
	sessions []*upSession
}

func (g *GNB) shard(ran uint32) *shard { return &g.shards[ran%numShards] }

func (g *GNB) lookup(ran uint32) *ueCtx {
	s := g.shard(ran)
	s.mu.RLock()
	c := s.m[ran]
	s.mu.RUnlock()
	return c
}

func (g *GNB) lookupAMF(amf uint64) *ueCtx {
	for i := range g.shards {
		s := &g.shards[i]
		s.mu.RLock()
		for _, c := range s.m {
			c.mu.Lock()
			hit := c.hasAMF && c.amf == amf
			c.mu.Unlock()
			if hit {
				s.mu.RUnlock()
				return c
			}
		}
		s.mu.RUnlock()
	}
	return nil
}

// newContext allocates a RAN UE NGAP ID (TS 38.413 §9.3.3.2) and registers
// a context for l.
func (g *GNB) newContext(l *Link) *ueCtx {
	for {
		ran := g.nextRAN.Add(1)
		s := g.shard(ran)
		s.mu.Lock()
		if _, used := s.m[ran]; !used {
			c := &ueCtx{ran: ran, link: l}
			s.m[ran] = c
			s.mu.Unlock()
			g.count.Add(1)
			return c
		}
		s.mu.Unlock()
	}
}

// remove unregisters c; false if it was already gone.
func (g *GNB) remove(c *ueCtx) bool {
	s := g.shard(c.ran)
	s.mu.Lock()
	ok := s.m[c.ran] == c
	if ok {
		delete(s.m, c.ran)
	}
	s.mu.Unlock()
	if ok {
		g.count.Add(-1)
	}
	return ok
}

// MessageName names an NGAP message for traces, e.g. "InitialUEMessage".
func MessageName(m ngapx.Msg) string {
	switch m.(type) {
	case *ngapx.NGSetupRequest:
		return "NGSetupRequest"
	case *ngapx.NGSetupResponse:
		return "NGSetupResponse"
	case *ngapx.NGSetupFailure:
		return "NGSetupFailure"
	case *ngapx.InitialUEMessage:
		return "InitialUEMessage"
	case *ngapx.UplinkNASTransport:
		return "UplinkNASTransport"
	case *ngapx.DownlinkNASTransport:
		return "DownlinkNASTransport"
	case *ngapx.InitialContextSetupRequest:
		return "InitialContextSetupRequest"
	case *ngapx.InitialContextSetupResponse:
		return "InitialContextSetupResponse"
	case *ngapx.UEContextReleaseCommand:
		return "UEContextReleaseCommand"
	case *ngapx.UEContextReleaseComplete:
		return "UEContextReleaseComplete"
	case *ngapx.PDUSessionResourceSetupRequest:
		return "PDUSessionResourceSetupRequest"
	case *ngapx.PDUSessionResourceSetupResponse:
		return "PDUSessionResourceSetupResponse"
	case *ngapx.PDUSessionResourceReleaseCommand:
		return "PDUSessionResourceReleaseCommand"
	case *ngapx.PDUSessionResourceReleaseResponse:
		return "PDUSessionResourceReleaseResponse"
	case *ngapx.ErrorIndication:
		return "ErrorIndication"
	}
	return m.Procedure().String() + "/" + m.Kind().String()
}
