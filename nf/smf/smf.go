package smf

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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/randx"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/smf/gsm"
)

// Errors of the Go API.
var (
	ErrNotStarted = errors.New("smf: not started")
	ErrStarted    = errors.New("smf: already started")
	ErrNoNetwork  = errors.New("smf: Deps.Net is nil")
	ErrNoSession  = errors.New("smf: no such PDU session")
	ErrClosed     = errors.New("smf: closed")
)

// SMF is one Session Management Function.
type SMF struct {
	cfg       Config
	clk       clock.Clock
	log       *slog.Logger
	tr        trace.Sink
	net       transport.Network
	nrfRoot   string
	m         *gsm.Machine
	st        *store
	pools     map[string]*pool // by lower-case DNN
	handler   http.Handler
	recovery  time.Time
	userAgent string

	refBase uint64        // SM context references: splitmix64(refBase + refSeq), a bijection
	refSeq  atomic.Uint64 // so references never repeat and are not sequential on the wire

	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex // lifecycle
	started bool
	closed  atomic.Bool
	apiRoot atomic.Pointer[string]
	stopSBI func() error
	n4ep    transport.Endpoint
	n4      n4
	http    *http.Client
	nrf     interface {
		Register(ctx context.Context, p models.NrfNfManagementNfProfile) error
		Deregister(ctx context.Context, id string) error
		Discover(ctx context.Context, t, r models.NrfNfManagementNfType, s models.ServiceName) (string, error)
		Forget(t models.NrfNfManagementNfType)
	}
	inflight sync.WaitGroup
}

// New builds an SMF; Start binds its endpoints, associates with the UPF
// and registers at the NRF.
func New(cfg Config, deps Deps) (*SMF, error) {
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
	var seed [32]byte
	if _, err := io.ReadFull(deps.Rand, seed[:]); err != nil {
		return nil, fmt.Errorf("smf: seeding: %w", err)
	}
	if cfg.InstanceID == "" {
		cfg.InstanceID = randx.UUIDv4([16]byte(seed[16:32]))
	}
	s := &SMF{
		cfg: cfg, clk: deps.Clock, log: deps.Logger, tr: deps.Trace, net: deps.Net, nrfRoot: strings.TrimRight(deps.NRF, "/"),
		m:         gsm.NewMachine(cfg.Policy),
		st:        newStore(),
		pools:     map[string]*pool{},
		recovery:  deps.Clock.Now(),
		userAgent: "SMF-" + cfg.InstanceID,
		refBase:   binary.BigEndian.Uint64(seed[0:8]),
	}
	s.n4.nextTEID.Store(binary.BigEndian.Uint32(seed[8:12]))
	for _, d := range cfg.DNNs {
		p, err := newPool(d.Pool)
		if err != nil {
			return nil, fmt.Errorf("%w: DNN %q: %w", ErrConfig, d.Name, err)
		}
		s.pools[strings.ToLower(d.Name)] = p
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.handler = s.routes()
	return s, nil
}

// Config returns the validated configuration.
func (s *SMF) Config() Config { return s.cfg }

// Handler returns the Nsmf_PDUSession handler (Start serves it on Deps.Net).
func (s *SMF) Handler() http.Handler { return s.handler }

// APIRoot returns the apiRoot the SMF serves at (after Start).
func (s *SMF) APIRoot() string {
	if p := s.apiRoot.Load(); p != nil {
		return *p
	}
	return ""
}

// InstanceID returns the NF instance id.
func (s *SMF) InstanceID() string { return s.cfg.InstanceID }

// Start binds the N4 endpoint, sets up the PFCP association with the UPF
// (TS 29.244 §6.2.6), serves the SBI and registers at the NRF when one is
// configured. A failed association is returned as an error; the SMF then
// is not started.
func (s *SMF) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return ErrClosed
	}
	if s.started {
		return ErrStarted
	}
	if s.net == nil {
		return ErrNoNetwork
	}
	s.http = s.net.SBIClient(s.cfg.Addr)
	if s.nrfRoot != "" {
		s.nrf = sbi.NewNRFClientPeer(sbi.Peer{APIRoot: s.nrfRoot, HTTP: s.http, UserAgent: s.userAgent}, s.clk)
	}
	ep, err := s.net.Listen(transport.N4, s.cfg.N4Addr, s.handleN4)
	if err != nil {
		return fmt.Errorf("smf: N4 listen: %w", err)
	}
	s.n4ep = ep
	s.n4.client = pfcpx.NewClient(ep, s.clk, pfcpx.ClientConfig{T1: s.cfg.PFCPT1, N1: s.cfg.PFCPN1})
	if err := s.associate(ctx); err != nil {
		s.n4.client.Close()
		_ = ep.Close()
		return err
	}
	root, stop, err := s.net.ServeSBI(s.cfg.Addr, s.handler)
	if err != nil {
		s.n4.client.Close()
		_ = ep.Close()
		return fmt.Errorf("smf: serve SBI: %w", err)
	}
	s.apiRoot.Store(&root)
	s.stopSBI = stop
	if s.nrf != nil {
		if err := s.register(ctx); err != nil {
			_ = stop()
			s.n4.client.Close()
			_ = ep.Close()
			return err
		}
	}
	s.started = true
	s.log.Info("smf started", "sbi", root, "n4", s.cfg.N4Addr, "upf", s.cfg.UPFN4Addr, "nrf", s.nrfRoot != "")
	s.emit(trace.Event{Kind: trace.KindState, Name: "started", Detail: fmt.Sprintf("sbi=%s n4=%v upf=%v", root, s.cfg.N4Addr, s.cfg.UPFN4Addr)})
	return nil
}

// register puts the SMF's profile at the NRF: Nsmf_PDUSession and an
// smfInfo naming the served S-NSSAIs and DNNs (TS 29.510 §6.1.6.2.9).
func (s *SMF) register(ctx context.Context) error {
	p, err := sbi.Profile(models.NrfNfManagementNfType_SMF, s.cfg.InstanceID, s.APIRoot(), models.ServiceName_NSMF_PDUSESSION)
	if err != nil {
		return fmt.Errorf("smf: NRF profile: %w", err)
	}
	info := &models.SmfInfo{}
	for _, n := range s.cfg.snssais {
		sn := toModelSnssai(n)
		item := models.SnssaiSmfInfoItem{SNssai: &models.ExtSnssai{Sst: sn.Sst, Sd: sn.Sd}}
		for _, d := range s.cfg.DNNs {
			item.DnnSmfInfoList = append(item.DnnSmfInfoList, models.DnnSmfInfoItem{Dnn: d.Name})
		}
		info.SNssaiSmfInfoList = append(info.SNssaiSmfInfoList, item)
	}
	p.SmfInfo = info
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SBITimeout)
	defer cancel()
	s.emit(trace.Event{Kind: trace.KindRequest, Iface: trace.IfaceSBI, Name: "Nnrf_NFManagement_NFRegister", Peer: "nrf"})
	if err := s.nrf.Register(ctx, p); err != nil {
		s.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: "Nnrf_NFManagement_NFRegister", Peer: "nrf", Detail: err.Error()})
		return fmt.Errorf("smf: NRF registration: %w", err)
	}
	s.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: "Nnrf_NFManagement_NFRegister", Peer: "nrf", Status: http.StatusCreated})
	return nil
}

// Close deregisters from the NRF, stops serving and unbinds N4. PFCP
// sessions at the UPF are left as they are (the UPF's own Close drops them).
func (s *SMF) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	var errs []error
	if started && s.nrf != nil {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.SBITimeout)
		if err := s.nrf.Deregister(ctx, s.cfg.InstanceID); err != nil {
			errs = append(errs, err)
		}
		cancel()
	}
	if s.stopSBI != nil {
		errs = append(errs, s.stopSBI())
	}
	s.cancel()
	s.inflight.Wait()
	if s.n4.client != nil {
		s.n4.client.Close()
	}
	if s.n4ep != nil {
		errs = append(errs, s.n4ep.Close())
	}
	return errors.Join(errs...)
}

func (s *SMF) emit(e trace.Event) {
	e.Actor = s.cfg.Name
	s.tr.Emit(e)
}

// newRef returns a fresh SM context reference (also the CP SEID): the
// splitmix64 finaliser, a bijection of uint64, over a seeded counter, so
// no two references are equal and no lock is taken.
func (s *SMF) newRef() uint64 {
	for {
		z := s.refBase + s.refSeq.Add(1)*0x9e3779b97f4a7c15
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		if z ^= z >> 31; z != 0 {
			return z
		}
	}
}

func (s *SMF) pool(dnn string) *pool { return s.pools[strings.ToLower(dnn)] }

func (s *SMF) servesSNSSAI(n nasx.SNSSAI) bool {
	for _, x := range s.cfg.snssais {
		if x == n {
			return true
		}
	}
	return false
}

// SessionInfo is a read-only view of one SM context.
type SessionInfo struct {
	Ref          string // smContextRef
	SUPI         string
	PDUSessionID uint8
	DNN          string
	SNSSAI       nasx.SNSSAI
	State        gsm.State
	UEAddr       netip.Addr
	CPSEID       uint64
	UPSEID       uint64          // 0 when no PFCP session exists
	ULTunnel     ngapx.GTPTunnel // UPF N3 F-TEID
	DLTunnel     ngapx.GTPTunnel // gNB F-TEID (zero until activated)
	AMFAPIRoot   string
}

func (sc *smContext) info() SessionInfo {
	i := SessionInfo{Ref: sc.refString(), SUPI: sc.supi, PDUSessionID: sc.c.PDUSessionID, DNN: sc.c.DNN,
		SNSSAI: sc.c.SNSSAI, State: sc.c.State, UEAddr: sc.c.UEAddr, CPSEID: sc.ref,
		ULTunnel: sc.c.ULTunnel, DLTunnel: sc.c.DLTunnel, AMFAPIRoot: sc.amfRoot}
	if sc.c.HasPFCPSession() {
		i.UPSEID = sc.c.UPSEID
	}
	return i
}

// Session returns the SM context of (supi, psi). It waits for an exchange
// in flight on that context to finish.
func (s *SMF) Session(supi string, psi uint8) (SessionInfo, bool) {
	sc := s.st.bySession(supi, psi)
	if sc == nil {
		return SessionInfo{}, false
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if !sc.c.State.Live() {
		return SessionInfo{}, false
	}
	return sc.info(), true
}

// Sessions returns the SUPI's SM contexts.
func (s *SMF) Sessions(supi string) []SessionInfo {
	var out []SessionInfo
	for _, sc := range s.st.ofSUPI(supi) {
		sc.mu.Lock()
		if sc.c.State.Live() {
			out = append(out, sc.info())
		}
		sc.mu.Unlock()
	}
	return out
}

// Count returns the number of SM contexts.
func (s *SMF) Count() int { return s.st.len() }

// AddressesInUse returns the number of UE addresses allocated from dnn's pool.
func (s *SMF) AddressesInUse(dnn string) int {
	if p := s.pool(dnn); p != nil {
		return p.inUse()
	}
	return 0
}

// Release performs a network-requested release of one PDU session (TS
// 23.502 §4.3.4.2): PFCP deletion, then PDU SESSION RELEASE COMMAND (and
// the N2 Resource Release Command when the gNB holds resources) through
// N1N2MessageTransfer; the SM context ends when the UE and gNB answer
// (UpdateSMContext), or when the AMF releases it.
func (s *SMF) Release(ctx context.Context, supi string, psi uint8, cause uint8) error {
	if s.closed.Load() {
		return ErrClosed
	}
	sc := s.st.bySession(supi, psi)
	if sc == nil {
		return ErrNoSession
	}
	s.handleNow(ctx, sc, gsm.NetworkRelease{Cause: cause, Transfer: true})
	return nil
}
