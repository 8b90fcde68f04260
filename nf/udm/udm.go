package udm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

// Errors of the Go API.
var (
	ErrNoNetwork = errors.New("udm: Deps.Net is nil")
	ErrStarted   = errors.New("udm: already started")
)

// lockStripes is the number of per-SUPI locks that serialise the SQN
// read-modify-write of one UE.
const lockStripes = 1024

// NF is one UDM. It is safe for concurrent use.
type NF struct {
	cfg     Config
	deps    Deps
	rnd     *randSource
	handler http.Handler
	cbToken string // secret path element of the data-change callback

	sqnLocks [lockStripes]sync.Mutex

	mu       sync.Mutex // lifecycle
	started  bool
	closeSrv func() error

	links atomic.Pointer[links] // set by Start

	udr atomic.Pointer[udrPeer]

	subMu      sync.Mutex // serialises creating the UDR data-change subscription
	subscribed atomic.Bool
	subURI     string // Location of that subscription (subMu)
	subRootV   atomic.Pointer[string]
}

// New builds a UDM from cfg (defaults filled by Validate) and deps.
func New(cfg Config, deps Deps) (*NF, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	deps.fill()
	rnd, err := newRandSource(deps.Rand, 16)
	if err != nil {
		return nil, fmt.Errorf("udm: %w", err)
	}
	u := &NF{cfg: cfg, deps: deps, rnd: rnd}
	if u.cfg.InstanceID == "" {
		u.cfg.InstanceID = rnd.uuid()
	}
	var tok [12]byte
	_, _ = rnd.Read(tok[:])
	u.cbToken = fmt.Sprintf("%x", tok)
	u.handler = u.routes()
	return u, nil
}

// Start serves the SBI at cfg.Addr on Deps.Net and registers the UDM's
// NFProfile (nudm-ueau, nudm-uecm, nudm-sdm) at the NRF when Deps.NRF is set.
func (u *NF) Start(ctx context.Context) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.started {
		return ErrStarted
	}
	if u.deps.Net == nil {
		return ErrNoNetwork
	}
	root, closer, err := u.deps.Net.ServeSBI(u.cfg.Addr, u.handler)
	if err != nil {
		return fmt.Errorf("udm: serve SBI: %w", err)
	}
	from, err := addrOf(root)
	if err != nil {
		_ = closer()
		return fmt.Errorf("udm: %w", err)
	}
	client := u.deps.Net.SBIClient(from)
	l := &links{apiRoot: root, client: client, nrf: sbi.NewNRFClient(client, u.deps.NRF, u.deps.Clock)}
	u.links.Store(l)
	if u.deps.NRF != "" {
		p, err := sbi.Profile(models.NrfNfManagementNfType_UDM, u.cfg.InstanceID, root,
			models.ServiceName_NUDM_UEAU, models.ServiceName_NUDM_UECM, models.ServiceName_NUDM_SDM)
		if err == nil {
			err = l.nrf.Register(ctx, p)
		}
		if err != nil {
			u.links.Store(nil)
			_ = closer()
			return fmt.Errorf("udm: NRF registration: %w", err)
		}
	}
	u.closeSrv = closer
	u.started = true
	u.emit(trace.Event{Kind: trace.KindState, Name: "registered", Detail: root})
	return nil
}

// Close removes the UDR data-change subscription, deregisters from the
// NRF and stops serving. It is safe to call more than once.
func (u *NF) Close() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.started {
		return nil
	}
	u.started = false
	ctx, cancel := context.WithTimeout(context.Background(), u.cfg.SBITimeout)
	defer cancel()
	u.unsubscribe(ctx)
	var errs []error
	if l := u.links.Load(); l != nil && u.deps.NRF != "" {
		if err := l.nrf.Deregister(ctx, u.cfg.InstanceID); err != nil {
			errs = append(errs, fmt.Errorf("udm: NRF deregistration: %w", err))
		}
	}
	if err := u.closeSrv(); err != nil {
		errs = append(errs, fmt.Errorf("udm: close SBI server: %w", err))
	}
	u.links.Store(nil)
	u.udr.Store(nil)
	return errors.Join(errs...)
}

// Handler returns the SBI handler (Start serves it; tests may serve it themselves).
func (u *NF) Handler() http.Handler { return u.handler }

// APIRoot returns the apiRoot the UDM serves at (empty before Start).
func (u *NF) APIRoot() string {
	if l := u.links.Load(); l != nil {
		return l.apiRoot
	}
	return ""
}

// Config returns the validated configuration.
func (u *NF) Config() Config { return u.cfg }

// InstanceID returns the NF instance id.
func (u *NF) InstanceID() string { return u.cfg.InstanceID }

func (u *NF) emit(e trace.Event) {
	e.Actor = u.cfg.Name
	if e.Iface == "" {
		e.Iface = trace.IfaceSBI
	}
	u.deps.Trace.Emit(e)
}

// sqnLock returns the lock serialising SQN updates of supi.
func (u *NF) sqnLock(supi string) *sync.Mutex {
	h := uint32(2166136261)
	for i := 0; i < len(supi); i++ {
		h = (h ^ uint32(supi[i])) * 16777619
	}
	return &u.sqnLocks[h%lockStripes]
}

// outbound bounds an outbound SBI call.
func (u *NF) outbound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, u.cfg.SBITimeout)
}

func (u *NF) now() time.Time { return u.deps.Clock.Now() }

// addrOf parses the host:port of an apiRoot.
func addrOf(root string) (netip.AddrPort, error) {
	pu, err := url.Parse(root)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad apiRoot %q: %w", root, err)
	}
	ap, err := netip.ParseAddrPort(pu.Host)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("apiRoot %q has no address:port: %w", root, err)
	}
	return ap, nil
}
