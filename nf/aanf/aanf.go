package aanf

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"sync"

	"github.com/free5gc/openapi/models"

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

	mu       sync.Mutex // lifecycle
	started  bool
	apiRoot  string
	nrf      *sbi.NRFClient
	closeSrv func() error
}

// New builds an AAnF from cfg (defaults filled by Validate) and deps.
func New(cfg Config, deps Deps) (*NF, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	deps.fill()
	n := &NF{cfg: cfg, deps: deps, store: newCtxStore()}
	if n.cfg.InstanceID == "" {
		rnd, err := newRandSource(deps.Rand, 1)
		if err != nil {
			return nil, fmt.Errorf("aanf: %w", err)
		}
		n.cfg.InstanceID = rnd.uuid()
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
	root, closer, err := n.deps.Net.ServeSBI(n.cfg.Addr, n.handler)
	if err != nil {
		return fmt.Errorf("aanf: serve SBI: %w", err)
	}
	pu, err := url.Parse(root)
	var from netip.AddrPort
	if err == nil {
		from, err = netip.ParseAddrPort(pu.Host)
	}
	if err != nil {
		_ = closer()
		return fmt.Errorf("aanf: bad apiRoot %q: %w", root, err)
	}
	n.nrf = sbi.NewNRFClient(n.deps.Net.SBIClient(from), n.deps.NRF, n.deps.Clock)
	if n.deps.NRF != "" {
		p, err := sbi.Profile(models.NrfNfManagementNfType_AANF, n.cfg.InstanceID, root, models.ServiceName_NAANF_AKMA)
		if err == nil {
			err = n.nrf.Register(ctx, p)
		}
		if err != nil {
			_ = closer()
			return fmt.Errorf("aanf: NRF registration: %w", err)
		}
	}
	n.apiRoot, n.closeSrv, n.started = root, closer, true
	n.emit(trace.Event{Kind: trace.KindState, Name: "registered", Detail: root})
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
	var errs []error
	if n.deps.NRF != "" {
		if err := n.nrf.Deregister(ctx, n.cfg.InstanceID); err != nil {
			errs = append(errs, fmt.Errorf("aanf: NRF deregistration: %w", err))
		}
	}
	if err := n.closeSrv(); err != nil {
		errs = append(errs, fmt.Errorf("aanf: close SBI server: %w", err))
	}
	return errors.Join(errs...)
}

// Handler returns the SBI handler.
func (n *NF) Handler() http.Handler { return n.handler }

// APIRoot returns the apiRoot the AAnF serves at (empty before Start).
func (n *NF) APIRoot() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.apiRoot
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
