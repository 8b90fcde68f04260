package ausf

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/free5gc/openapi/models"
	UDMUEAU "github.com/free5gc/openapi/udm/UEAuthentication"

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
	rnd     *randSource
	ctxs    *ctxStore
	handler http.Handler

	mu       sync.Mutex // lifecycle
	started  bool
	closeSrv func() error

	links atomic.Pointer[links] // set by Start
	udm   atomic.Pointer[udmPeer]
}

// links are what Start sets up: the served apiRoot, the outbound client
// and the NRF client.
type links struct {
	apiRoot string
	client  *http.Client
	nrf     *sbi.NRFClient
}

// udmPeer is the Nudm_UEAuthentication client for one apiRoot.
type udmPeer struct {
	root string
	c    *UDMUEAU.APIClient
}

// New builds an AUSF from cfg (defaults filled by Validate) and deps.
func New(cfg Config, deps Deps) (*NF, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	deps.fill()
	rnd, err := newRandSource(deps.Rand, 16)
	if err != nil {
		return nil, fmt.Errorf("ausf: %w", err)
	}
	a := &NF{cfg: cfg, deps: deps, rnd: rnd, ctxs: newCtxStore(cfg.ContextTTL)}
	if a.cfg.InstanceID == "" {
		a.cfg.InstanceID = rnd.uuid()
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
	root, closer, err := a.deps.Net.ServeSBI(a.cfg.Addr, a.handler)
	if err != nil {
		return fmt.Errorf("ausf: serve SBI: %w", err)
	}
	from, err := addrOf(root)
	if err != nil {
		_ = closer()
		return fmt.Errorf("ausf: %w", err)
	}
	client := a.deps.Net.SBIClient(from)
	l := &links{apiRoot: root, client: client, nrf: sbi.NewNRFClient(client, a.deps.NRF, a.deps.Clock)}
	a.links.Store(l)
	if a.deps.NRF != "" {
		p, err := sbi.Profile(models.NrfNfManagementNfType_AUSF, a.cfg.InstanceID, root, models.ServiceName_NAUSF_AUTH)
		if err == nil {
			err = l.nrf.Register(ctx, p)
		}
		if err != nil {
			a.links.Store(nil)
			_ = closer()
			return fmt.Errorf("ausf: NRF registration: %w", err)
		}
	}
	a.closeSrv = closer
	a.started = true
	a.emit(trace.Event{Kind: trace.KindState, Name: "registered", Detail: root})
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
	var errs []error
	if l := a.links.Load(); l != nil && a.deps.NRF != "" {
		if err := l.nrf.Deregister(ctx, a.cfg.InstanceID); err != nil {
			errs = append(errs, fmt.Errorf("ausf: NRF deregistration: %w", err))
		}
	}
	if err := a.closeSrv(); err != nil {
		errs = append(errs, fmt.Errorf("ausf: close SBI server: %w", err))
	}
	a.links.Store(nil)
	a.udm.Store(nil)
	return errors.Join(errs...)
}

// Handler returns the SBI handler (Start serves it; tests may serve it themselves).
func (a *NF) Handler() http.Handler { return a.handler }

// APIRoot returns the apiRoot the AUSF serves at (empty before Start).
func (a *NF) APIRoot() string {
	if l := a.links.Load(); l != nil {
		return l.apiRoot
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
