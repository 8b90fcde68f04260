package upf

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
)

// Deps are the UPF's injected dependencies.
type Deps struct {
	Net    transport.Network // required by Start
	Clock  clock.Clock       // default: wall clock
	Rand   io.Reader         // seeds TEID and SEID allocation; default crypto/rand
	Logger *slog.Logger      // default: discard
	Trace  trace.Sink        // default: trace.Discard
}

// UPF is one User Plane Function.
type UPF struct {
	cfg      Config
	clk      clock.Clock
	log      *slog.Logger
	tr       trace.Sink
	net      transport.Network
	recovery time.Time

	ul   *table  // TEID -> uplink rules
	dl   *table  // UE IPv4 -> downlink rules
	bufs buffers // UP SEID -> buffered downlink packets
	c    counters

	ctx    context.Context
	cancel context.CancelFunc
	eps    atomic.Pointer[endpoints] // set once by Start

	mu        sync.Mutex // N4 state below
	rng       *mrand.Rand
	sessions  map[uint64]*session
	teidOwner map[uint32]uint64
	ueOwner   map[uint32]uint64
	assocs    map[string]association
	replies   replyCache
	started   bool
	closed    bool
}

type endpoints struct{ n3, n4, n6 transport.Endpoint }

type association struct {
	peer     netip.AddrPort
	recovery time.Time
}

// Errors.
var (
	ErrStarted   = errors.New("upf: already started")
	ErrNoNetwork = errors.New("upf: Deps.Net is nil")
)

// New builds a UPF; Start binds its endpoints.
func New(cfg Config, deps Deps) (*UPF, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Clock == nil {
		deps.Clock = clock.Real{}
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
	var seed [16]byte
	if _, err := io.ReadFull(deps.Rand, seed[:]); err != nil {
		return nil, fmt.Errorf("upf: seeding allocator: %w", err)
	}
	hint := min(cfg.MaxSessions, 4096)
	u := &UPF{
		cfg: cfg, clk: deps.Clock, log: deps.Logger, tr: deps.Trace, net: deps.Net,
		recovery:  deps.Clock.Now(),
		ul:        newTable(hint),
		dl:        newTable(hint),
		rng:       mrand.New(mrand.NewPCG(binary.BigEndian.Uint64(seed[:8]), binary.BigEndian.Uint64(seed[8:]))),
		sessions:  make(map[uint64]*session, hint),
		teidOwner: make(map[uint32]uint64, hint),
		ueOwner:   make(map[uint32]uint64, hint),
		assocs:    map[string]association{},
		replies:   newReplyCache(1024),
	}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	return u, nil
}

// Config returns the validated configuration.
func (u *UPF) Config() Config { return u.cfg }

// Start binds the N3, N4 and N6 endpoints on Deps.Net.
func (u *UPF) Start(ctx context.Context) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.started {
		return ErrStarted
	}
	if u.net == nil {
		return ErrNoNetwork
	}
	var (
		e   endpoints
		err error
	)
	if e.n4, err = u.net.Listen(transport.N4, u.cfg.N4Addr, u.HandleN4); err != nil {
		return fmt.Errorf("upf: N4 listen: %w", err)
	}
	if e.n3, err = u.net.Listen(transport.N3, u.cfg.N3Addr, u.HandleN3); err != nil {
		_ = e.n4.Close()
		return fmt.Errorf("upf: N3 listen: %w", err)
	}
	if e.n6, err = u.net.Listen(transport.N6, u.cfg.N6Addr, u.HandleN6); err != nil {
		_ = e.n4.Close()
		_ = e.n3.Close()
		return fmt.Errorf("upf: N6 listen: %w", err)
	}
	u.eps.Store(&e)
	u.started = true
	u.emit(trace.Event{Kind: trace.KindState, Name: "started",
		Detail: fmt.Sprintf("n3=%v n4=%v n6=%v", u.cfg.N3Addr, u.cfg.N4Addr, u.cfg.N6Addr)})
	return nil
}

// Close unbinds the endpoints. Sessions are forgotten.
func (u *UPF) Close() error {
	u.mu.Lock()
	if u.closed {
		u.mu.Unlock()
		return nil
	}
	u.closed = true
	u.cancel()
	for _, s := range u.sessions {
		u.uninstall(s, "UPF closed")
	}
	u.mu.Unlock()
	e := u.eps.Swap(&endpoints{})
	if e == nil {
		return nil
	}
	var errs []error
	for _, ep := range []transport.Endpoint{e.n3, e.n4, e.n6} {
		if ep != nil {
			errs = append(errs, ep.Close())
		}
	}
	return errors.Join(errs...)
}

// Stats returns a snapshot of the counters.
func (u *UPF) Stats() Stats {
	s := u.c.snapshot()
	s.BufferedNow, s.BufferedBytes = int(u.bufs.pkts.Load()), int(u.bufs.bytes.Load())
	u.mu.Lock()
	s.Sessions = len(u.sessions)
	s.Associations = len(u.assocs)
	u.mu.Unlock()
	return s
}

// SessionView is a copy of one PFCP session's state.
type SessionView struct {
	UPSEID, CPSEID uint64
	CPAddr         netip.Addr
	NodeID         string
	PDRs           []pfcpx.PDR
	FARs           []pfcpx.FAR
	QERs           []pfcpx.QER
	BARs           []pfcpx.BAR
	TEIDs          []uint32     // uplink TEIDs the session owns
	UEIPs          []netip.Addr // UE addresses the session owns
	Buffered       int          // downlink packets buffered now
}

// Session returns the session with UP SEID seid.
func (u *UPF) Session(seid uint64) (SessionView, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	s, ok := u.sessions[seid]
	if !ok {
		return SessionView{}, false
	}
	v := SessionView{UPSEID: s.upSEID, CPSEID: s.cpSEID, CPAddr: s.cpAddr, NodeID: s.nodeID,
		PDRs: slices.Clone(s.pdrs), FARs: slices.Clone(s.fars), QERs: slices.Clone(s.qers),
		BARs: slices.Clone(s.bars), TEIDs: slices.Clone(s.teids), Buffered: u.bufs.count(seid)}
	slices.Sort(v.TEIDs)
	for _, k := range s.ueIPs {
		v.UEIPs = append(v.UEIPs, keyAddr(k))
	}
	return v, true
}

// SessionByTEID returns the UP SEID of the session owning uplink TEID teid.
func (u *UPF) SessionByTEID(teid uint32) (uint64, bool) {
	rs := u.ul.load(teid)
	if rs == nil {
		return 0, false
	}
	return rs.seid, true
}

// SessionByUEIP returns the UP SEID of the session owning UE address a.
func (u *UPF) SessionByUEIP(a netip.Addr) (uint64, bool) {
	if !a.Is4() {
		return 0, false
	}
	rs := u.dl.load(ip4key(a))
	if rs == nil {
		return 0, false
	}
	return rs.seid, true
}

func (u *UPF) emit(e trace.Event) {
	e.Actor = u.cfg.Name
	u.tr.Emit(e)
}

// drop counts a discarded packet and traces it when the count for its
// reason reaches a power of two (1, 2, 4, ...), so floods stay cheap.
func (u *UPF) drop(r DropReason, iface string, peer netip.AddrPort, name, detail string) {
	n := u.c.drops[r].Add(1)
	if n&(n-1) != 0 {
		return
	}
	if detail != "" {
		detail += " "
	}
	p := ""
	if peer.IsValid() {
		p = peer.String()
	}
	u.emit(trace.Event{Kind: trace.KindDrop, Iface: iface, Peer: p, Name: name,
		Cause: r.String(), Detail: fmt.Sprintf("%scount=%d", detail, n)})
}
