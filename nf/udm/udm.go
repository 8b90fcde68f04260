package udm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/udr/DataRepository"

	"github.com/credbed/credbed/internal/randx"
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
	rnd     *randx.Source
	handler http.Handler
	cbToken string // secret path element of the data-change callback

	sqnLocks [lockStripes]sync.Mutex

	mu      sync.Mutex // lifecycle
	started bool

	srv atomic.Pointer[sbi.Server] // set by Start

	udr sbi.ClientCache[*DataRepository.APIClient]

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
	rnd, err := randx.New(deps.Rand, 16)
	if err != nil {
		return nil, fmt.Errorf("udm: %w", err)
	}
	u := &NF{cfg: cfg, deps: deps, rnd: rnd}
	if u.cfg.InstanceID == "" {
		u.cfg.InstanceID = rnd.UUID()
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
	l, err := sbi.Serve(u.deps.Net, sbi.ServerConfig{Name: "udm", Addr: u.cfg.Addr, Handler: u.handler, NRF: u.deps.NRF, Clock: u.deps.Clock})
	if err != nil {
		return err
	}
	u.srv.Store(l)
	if err := l.Register(ctx, models.NrfNfManagementNfType_UDM, u.cfg.InstanceID,
		models.ServiceName_NUDM_UEAU, models.ServiceName_NUDM_UECM, models.ServiceName_NUDM_SDM); err != nil {
		u.srv.Store(nil)
		_ = l.Stop()
		return err
	}
	u.started = true
	u.emit(trace.Event{Kind: trace.KindState, Name: "registered", Detail: l.APIRoot})
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
	err := u.srv.Load().Close(ctx)
	u.srv.Store(nil)
	u.udr.Reset()
	return err
}

// Handler returns the SBI handler (Start serves it; tests may serve it themselves).
func (u *NF) Handler() http.Handler { return u.handler }

// APIRoot returns the apiRoot the UDM serves at (empty before Start).
func (u *NF) APIRoot() string {
	if l := u.srv.Load(); l != nil {
		return l.APIRoot
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
