package aanf

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/randx"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

// Errors of the Go API.
var (
	ErrNoNetwork = errors.New("aanf: Deps.Net is nil")
	ErrStarted   = errors.New("aanf: already started")
)

// NF is one AAnF. It is safe for concurrent use.
type NF struct {
	cfg     Config
	deps    Deps
	store   *ctxStore
	handler http.Handler

	mu      sync.Mutex // lifecycle
	started bool
	srv     *sbi.Server // kept after Close (APIRoot)
}

// New builds an AAnF from cfg (defaults filled by Validate) and deps.
func New(cfg Config, deps Deps) (*NF, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	deps.fill()
	n := &NF{cfg: cfg, deps: deps, store: newCtxStore()}
	if n.cfg.InstanceID == "" {
		rnd, err := randx.New(deps.Rand, 1)
		if err != nil {
			return nil, fmt.Errorf("aanf: %w", err)
		}
		n.cfg.InstanceID = rnd.UUID()
	}
	n.handler = n.routes()
	return n, nil
}

// Start serves the SBI at cfg.Addr on Deps.Net and registers the AAnF's
// NFProfile (naanf-akma) at the NRF when Deps.NRF is set.
func (n *NF) Start(ctx context.Context) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.started {
		return ErrStarted
	}
	if n.deps.Net == nil {
		return ErrNoNetwork
	}
	srv, err := sbi.Serve(n.deps.Net, sbi.ServerConfig{Name: "aanf", Addr: n.cfg.Addr, Handler: n.handler, NRF: n.deps.NRF, Clock: n.deps.Clock})
	if err != nil {
		return err
	}
	if err := srv.Register(ctx, models.NrfNfManagementNfType_AANF, n.cfg.InstanceID, models.ServiceName_NAANF_AKMA); err != nil {
		_ = srv.Stop()
		return err
	}
	n.srv, n.started = srv, true
	n.emit(trace.Event{Kind: trace.KindState, Name: "registered", Detail: srv.APIRoot})
	return nil
}

// Close deregisters from the NRF and stops serving. AKMA contexts are kept
// (a restarted AAnF value is a new, empty one).
func (n *NF) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.started {
		return nil
	}
	n.started = false
	ctx, cancel := context.WithTimeout(context.Background(), n.cfg.SBITimeout)
	defer cancel()
	return n.srv.Close(ctx)
}

// Handler returns the SBI handler.
func (n *NF) Handler() http.Handler { return n.handler }

// APIRoot returns the apiRoot the AAnF serves at (empty before Start).
func (n *NF) APIRoot() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.srv == nil {
		return ""
	}
	return n.srv.APIRoot
}

// Config returns the validated configuration.
func (n *NF) Config() Config { return n.cfg }

// Contexts returns the number of stored AKMA contexts.
func (n *NF) Contexts() int { return n.store.len() }

func (n *NF) emit(e trace.Event) {
	e.Actor = n.cfg.Name
	if e.Iface == "" {
		e.Iface = trace.IfaceSBI
	}
	n.deps.Trace.Emit(e)
}
