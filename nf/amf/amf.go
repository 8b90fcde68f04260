package amf

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/amf/gmm"
)

// Errors.
var (
	ErrNoNetwork  = errors.New("amf: Deps.Net is nil")
	ErrStarted    = errors.New("amf: already started")
	ErrNotStarted = errors.New("amf: not started")
	ErrClosed     = errors.New("amf: closed")
	// ErrUnknownUE: no UE context for the SUPI.
	ErrUnknownUE = errors.New("amf: no UE context")
)

// Deps are the AMF's injected collaborators; nil fields get defaults
// except Net, which Start needs.
type Deps struct {
	Net    transport.Network
	Clock  clock.Clock
	Rand   io.Reader
	Logger *slog.Logger
	Trace  trace.Sink
	// SM receives the 5GSM side of the AMF (see n1n2.go); nil selects the
	// AMF's own N11 client (n11.go), which calls the SMF found at the NRF
	// (or Config.SMF) and answers UL NAS TRANSPORT with "payload was not
	// forwarded" when there is none.
	SM SessionManagement
}

// NF is one AMF. Its methods are safe for concurrent use.
type NF struct {
	cfg  Config
	deps Deps
	m    *gmm.Machine
	sm   SessionManagement

	ctx    context.Context
	cancel context.CancelFunc

	ues   *contexts
	gnbs  sync.Map // netip.AddrPort -> *gnbAssoc
	ids   atomic.Uint64
	tmsis atomic.Uint32
	tmsiK uint32 // odd multiplier: TMSIs are a permutation of a counter

	n2       transport.Endpoint
	n2s      transport.StreamEndpoint // n2 when the network carries streams
	apiRoot  string
	sbiClose func() error
	client   *http.Client
	nrf      *sbi.NRFClient
	peers    peers

	workers []chan func()
	stop    chan struct{} // closed to end the workers
	wg      sync.WaitGroup
	state   atomic.Int32 // 0 new, 1 started, 2 closed
	mu      sync.Mutex   // Start/Close
}

// New builds an AMF from cfg (defaults filled by Validate) and deps.
func New(cfg Config, deps Deps) (*NF, error) {
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
	var seed [24]byte
	if _, err := io.ReadFull(deps.Rand, seed[:]); err != nil {
		return nil, fmt.Errorf("amf: seeding: %w", err)
	}
	if cfg.InstanceID == "" {
		cfg.InstanceID = uuid(seed[:16])
	}
	n := &NF{cfg: cfg, deps: deps, ues: newContexts()}
	n.sm = deps.SM
	if n.sm == nil {
		n.sm = n11{n: n}
	}
	n.tmsiK = binary.BigEndian.Uint32(seed[16:20]) | 1
	n.tmsis.Store(binary.BigEndian.Uint32(seed[20:24]))
	m, err := gmm.NewMachine(cfg.Config, n.newTMSI)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	m.SetTracing(deps.Trace != trace.Discard)
	n.m = m
	n.cfg.Config = m.Config()
	n.ctx, n.cancel = context.WithCancel(context.Background())
	return n, nil
}

// newTMSI allocates a 5G-TMSI: an odd multiplier applied to a counter is
// a bijection on 32 bits, so TMSIs repeat only after 2^32 allocations,
// while consecutive ones do not look sequential (TS 33.501 §6.12.3).
func (n *NF) newTMSI() uint32 { return n.tmsis.Add(1) * n.tmsiK }

func uuid(b []byte) string {
	var u [16]byte
	copy(u[:], b)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// Config returns the validated configuration.
func (n *NF) Config() Config { return n.cfg }

// Machine returns the 5GMM machine (read-only use: its Config and table).
func (n *NF) Machine() *gmm.Machine { return n.m }

// APIRoot returns the SBI apiRoot once started.
func (n *NF) APIRoot() string { return n.apiRoot }

// N2Addr returns the bound NGAP address once started.
func (n *NF) N2Addr() netip.AddrPort {
	if n.n2 == nil {
		return n.cfg.N2Addr
	}
	return n.n2.LocalAddr()
}

// Handler returns the SBI handler (also served by Start).
func (n *NF) Handler() http.Handler { return n.routes() }

// Start binds N2, serves SBI, starts the workers and registers at the NRF.
func (n *NF) Start(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch n.state.Load() {
	case 1:
		return ErrStarted
	case 2:
		return ErrClosed
	}
	if n.deps.Net == nil {
		return ErrNoNetwork
	}
	n.workers = make([]chan func(), n.cfg.Workers)
	n.stop = make(chan struct{})
	for i := range n.workers {
		q := make(chan func(), n.cfg.QueueLen)
		n.workers[i] = q
		n.wg.Add(1)
		go n.work(q, n.stop)
	}
	root, closer, err := n.deps.Net.ServeSBI(n.cfg.SBIAddr, n.routes())
	if err != nil {
		n.stopWorkers()
		return fmt.Errorf("amf: SBI: %w", err)
	}
	n.apiRoot, n.sbiClose = root, closer
	n.client = n.deps.Net.SBIClient(n.cfg.SBIAddr)
	if sl, ok := n.deps.Net.(transport.StreamListener); ok {
		ep, err := sl.ListenStream(transport.N2, n.cfg.N2Addr, n.HandleN2)
		if err != nil {
			_ = closer()
			n.stopWorkers()
			return fmt.Errorf("amf: N2 listen: %w", err)
		}
		n.n2, n.n2s = ep, ep
	} else {
		ep, err := n.deps.Net.Listen(transport.N2, n.cfg.N2Addr, func(from netip.AddrPort, b []byte) { n.HandleN2(from, 0, b) })
		if err != nil {
			_ = closer()
			n.stopWorkers()
			return fmt.Errorf("amf: N2 listen: %w", err)
		}
		n.n2 = ep
	}
	if n.cfg.NRF != "" {
		n.nrf = sbi.NewNRFClient(n.client, n.cfg.NRF, n.deps.Clock)
		if err := n.register(ctx); err != nil {
			_ = n.n2.Close()
			_ = closer()
			n.stopWorkers()
			return err
		}
	}
	n.state.Store(1)
	n.emit(trace.Event{Kind: trace.KindState, Name: "started",
		Detail: fmt.Sprintf("n2=%v (%s) sbi=%s workers=%d", n.n2.LocalAddr(), n.deps.Net.N2Carrier(), root, n.cfg.Workers)})
	return nil
}

// Close deregisters from the NRF, unbinds N2 and the SBI server, stops the
// workers and the timers. UE contexts are forgotten.
func (n *NF) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.state.Load() != 1 {
		n.state.Store(2)
		return nil
	}
	n.state.Store(2)
	var errs []error
	if n.nrf != nil {
		ctx, cancel := context.WithTimeout(context.Background(), n.cfg.SBITimeout)
		if err := n.nrf.Deregister(ctx, n.cfg.InstanceID); err != nil {
			errs = append(errs, fmt.Errorf("amf: NRF deregistration: %w", err))
		}
		cancel()
	}
	n.cancel()
	errs = append(errs, n.n2.Close(), n.sbiClose())
	n.stopWorkers()
	for _, e := range n.ues.entries() {
		e.mu.Lock()
		for i, t := range e.timers {
			if t != nil {
				t.Stop()
				e.timers[i] = nil
			}
		}
		e.gone = true
		e.u = gmm.UE{}
		e.mu.Unlock()
	}
	return errors.Join(errs...)
}

// stopWorkers ends the workers; queued work is dropped. The queues are
// never closed, so a post racing Close needs no recovery.
func (n *NF) stopWorkers() {
	close(n.stop)
	n.wg.Wait()
}

func (n *NF) work(q chan func(), stop <-chan struct{}) {
	defer n.wg.Done()
	for {
		select {
		case f := <-q:
			f()
		case <-stop:
			return
		}
	}
}

// post queues f on the worker of UE id (per-UE ordering). It blocks while
// the queue is full (back-pressure) unless the AMF is closing.
func (n *NF) post(id uint64, f func()) bool {
	if n.state.Load() != 1 {
		return false
	}
	ws := n.workers
	if len(ws) == 0 {
		return false
	}
	q := ws[id%uint64(len(ws))]
	select {
	case q <- f:
		return true
	case <-n.stop:
		return false
	case <-n.ctx.Done():
		return false
	}
}

// postAsync is post from a context that must not block (an SBI handler that
// may run on a worker in mem mode, a timer callback).
func (n *NF) postAsync(id uint64, f func()) {
	if n.state.Load() != 1 || len(n.workers) == 0 {
		return
	}
	q := n.workers[id%uint64(len(n.workers))]
	select {
	case q <- f:
	default:
		go n.post(id, f)
	}
}

func (n *NF) emit(e trace.Event) {
	e.Actor = n.cfg.Name
	n.deps.Trace.Emit(e)
}

// UEView is a read-only snapshot of one UE context.
type UEView struct {
	AMFUENGAPID        uint64
	SUPI               string
	State              gmm.State
	HasSecurityContext bool
	GUTI               string // "" when none
	TMSI               uint32
	Connected          bool
}

// UE returns the context of supi.
func (n *NF) UE(supi string) (UEView, bool) {
	id, ok := n.ues.bySUPI.load(supi)
	if !ok {
		return UEView{}, false
	}
	e, ok := n.ues.byID.load(id)
	if !ok {
		return UEView{}, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gone {
		return UEView{}, false
	}
	v := UEView{AMFUENGAPID: e.id, SUPI: e.u.SUPI(), State: e.u.State(),
		HasSecurityContext: e.u.HasSecurityContext(), Connected: e.u.Connected()}
	if g, ok := e.u.GUTI(); ok {
		v.GUTI, v.TMSI = g.String(), g.TMSI
	}
	return v, true
}

// Counts are the numbers of contexts and associations.
type Counts struct {
	Contexts   int // UE contexts (any state)
	Registered int // UE contexts in REGISTERED
	Sessions   int // PDU sessions (the AMF's own N11 client)
	SUPIs      int // contexts with a known SUPI
	GNBs       int // gNBs with a successful NG Setup
}

// Counts returns the current counts (Registered walks every context).
func (n *NF) Counts() Counts {
	c := Counts{Contexts: n.ues.byID.len(), SUPIs: n.ues.bySUPI.len()}
	for _, e := range n.ues.entries() {
		e.mu.Lock()
		if !e.gone && e.u.State() == gmm.Registered {
			c.Registered++
		}
		c.Sessions += len(e.sm)
		e.mu.Unlock()
	}
	n.gnbs.Range(func(_, v any) bool {
		if v.(*gnbAssoc).setup.Load() {
			c.GNBs++
		}
		return true
	})
	return c
}
