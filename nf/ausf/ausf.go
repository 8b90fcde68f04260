package ausf

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/free5gc/openapi/models"
	UDMUEAU "github.com/free5gc/openapi/udm/UEAuthentication"

	"github.com/credbed/credbed/internal/randx"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

// Errors of the Go API.
var (
	ErrNoNetwork = errors.New("ausf: Deps.Net is nil")
	ErrStarted   = errors.New("ausf: already started")
)

// NF is one AUSF. It is safe for concurrent use.
type NF struct {
	cfg     Config
	deps    Deps
	rnd     *randx.Source
	ctxs    *ctxStore
	handler http.Handler

	mu      sync.Mutex // lifecycle
	started bool

	srv atomic.Pointer[sbi.Server] // set by Start
	udm sbi.ClientCache[*UDMUEAU.APIClient]
}

// udmPeer is the Nudm_UEAuthentication client for one apiRoot.
type udmPeer = sbi.PeerClient[*UDMUEAU.APIClient]

// New builds an AUSF from cfg (defaults filled by Validate) and deps.
func New(cfg Config, deps Deps) (*NF, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	deps.fill()
	rnd, err := randx.New(deps.Rand, 16)
	if err != nil {
		return nil, fmt.Errorf("ausf: %w", err)
	}
	a := &NF{cfg: cfg, deps: deps, rnd: rnd, ctxs: newCtxStore(cfg.ContextTTL)}
	if a.cfg.InstanceID == "" {
		a.cfg.InstanceID = rnd.UUID()
	}
	a.handler = a.routes()
	return a, nil
}

// Start serves the SBI at cfg.Addr on Deps.Net and registers the AUSF's
// NFProfile (nausf-auth) at the NRF when Deps.NRF is set.
func (a *NF) Start(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.started {
		return ErrStarted
	}
	if a.deps.Net == nil {
		return ErrNoNetwork
	}
	l, err := sbi.Serve(a.deps.Net, sbi.ServerConfig{Name: "ausf", Addr: a.cfg.Addr, Handler: a.handler, NRF: a.deps.NRF, Clock: a.deps.Clock})
	if err != nil {
		return err
	}
	a.srv.Store(l)
	if err := l.Register(ctx, models.NrfNfManagementNfType_AUSF, a.cfg.InstanceID, models.ServiceName_NAUSF_AUTH); err != nil {
		a.srv.Store(nil)
		_ = l.Stop()
		return err
	}
	a.started = true
	a.emit(trace.Event{Kind: trace.KindState, Name: "registered", Detail: l.APIRoot})
	return nil
}

// Close deregisters from the NRF and stops serving; pending
// authentication contexts are dropped. It is safe to call more than once.
func (a *NF) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.started {
		return nil
	}
	a.started = false
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.SBITimeout)
	defer cancel()
	err := a.srv.Load().Close(ctx)
	a.srv.Store(nil)
	a.udm.Reset()
	return err
}

// Handler returns the SBI handler (Start serves it; tests may serve it themselves).
func (a *NF) Handler() http.Handler { return a.handler }

// APIRoot returns the apiRoot the AUSF serves at (empty before Start).
func (a *NF) APIRoot() string {
	if l := a.srv.Load(); l != nil {
		return l.APIRoot
	}
	return ""
}

// Config returns the validated configuration.
func (a *NF) Config() Config { return a.cfg }

// InstanceID returns the NF instance id.
func (a *NF) InstanceID() string { return a.cfg.InstanceID }

// PendingContexts returns how many authentication contexts are held
// (expired ones included until their shard is swept).
func (a *NF) PendingContexts() int { return a.ctxs.len() }

func (a *NF) emit(e trace.Event) {
	e.Actor = a.cfg.Name
	if e.Iface == "" {
		e.Iface = trace.IfaceSBI
	}
	a.deps.Trace.Emit(e)
}

func (a *NF) outbound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, a.cfg.SBITimeout)
}
