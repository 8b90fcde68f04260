package cpf

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"net/http"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/randx"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/store"
	"github.com/credbed/credbed/internal/trace"
)

// Errors of the Go API.
var (
	ErrClosed  = errors.New("cpf: closed")
	ErrMount   = errors.New("cpf: cannot mount profile")
	ErrNoPeers = errors.New("cpf: neither Deps.HTTP nor Deps.Net is set")
)

// NF is one Credential Provisioning Function. Its state is in its store;
// profiles are mounted on it with Mount and served by Handler.
type NF struct {
	b         *Backend
	ownsStore bool

	mu     sync.Mutex
	mounts map[string]http.Handler
	mux    atomic.Pointer[http.ServeMux] // replaced, never modified, on Mount
	timer  clock.Timer
	closed bool
	ctx    context.Context
	cancel context.CancelFunc
}

// New opens the CPF's store (or uses deps.Store) and builds its backend.
func New(cfg Config, deps Deps) (*NF, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	deps.fill()
	hc := deps.HTTP
	if hc == nil {
		if deps.Net == nil {
			return nil, ErrNoPeers
		}
		hc = deps.Net.SBIClient(cfg.SBIAddr)
	}
	rnd, err := randx.New(deps.Rand, 4)
	if err != nil {
		return nil, fmt.Errorf("cpf: %w", err)
	}
	st := deps.Store
	owns := false
	if st == nil {
		switch cfg.Store {
		case StoreMem:
			st = store.NewMem()
		default:
			if cfg.Path == "" {
				return nil, fmt.Errorf("%w: the bolt store needs a path", ErrConfig)
			}
			s, err := store.Open(cfg.Path, store.Options{Timeout: cfg.LockTimeout, NoSync: cfg.NoSync})
			if err != nil {
				return nil, fmt.Errorf("cpf: %w", err)
			}
			st = s
		}
		owns = true
	}
	p := &peers{http: hc, udr: cfg.UDRAPIRoot, aanf: cfg.AAnFAPIRoot, timeout: cfg.SBITimeout}
	if deps.NRF != "" && (cfg.UDRAPIRoot == "" || cfg.AAnFAPIRoot == "") {
		p.nrf = sbi.NewNRFClientPeer(sbi.Peer{APIRoot: deps.NRF, HTTP: hc, UserAgent: "AF"}, deps.Clock)
	}
	b := &Backend{
		cfg: cfg, clk: deps.Clock, rnd: rnd, log: deps.Logger, tr: deps.Trace, st: st, peers: p,
		kafs:    newKAFCache(cfg.KAFCacheTTL, cfg.MaxTracked),
		reqLim:  newLimiter(cfg.RateBurst, cfg.RatePerSecond, cfg.MaxTracked),
		failLim: newLimiter(cfg.AuthFailBurst, cfg.AuthFailPerSecond, cfg.MaxTracked),
		seed:    maphash.MakeSeed(),
	}
	c := &NF{b: b, ownsStore: owns, mounts: map[string]http.Handler{}}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.rebuild()
	return c, nil
}

// Backend returns the generic part profiles build on.
func (c *NF) Backend() *Backend { return c.b }

// Config returns the validated configuration.
func (c *NF) Config() Config { return c.b.cfg }

var profileName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// Mount serves a profile's network half under PathRoot + "/" + name.
// build gets the backend and that prefix and returns the handler; its
// routes must include the prefix (Handler does not strip it, so request
// MACs cover the path as sent).
func (c *NF) Mount(name string, build func(b *Backend, prefix string) (http.Handler, error)) error {
	if !profileName.MatchString(name) {
		return fmt.Errorf("%w: name %q is not [a-z][a-z0-9-]*", ErrMount, name)
	}
	if build == nil {
		return fmt.Errorf("%w: %s: nil builder", ErrMount, name)
	}
	prefix := c.b.cfg.PathRoot + "/" + name
	h, err := build(c.b, prefix)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrMount, name, err)
	}
	if h == nil {
		return fmt.Errorf("%w: %s: nil handler", ErrMount, name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.mounts[name]; dup {
		return fmt.Errorf("%w: %s is already mounted", ErrMount, name)
	}
	c.mounts[name] = h
	c.rebuild()
	return nil
}

// Profiles returns the mounted profile names, sorted.
func (c *NF) Profiles() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.mounts))
	for n := range c.mounts {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// rebuild makes a new mux (the mux in use is never modified). Callers
// hold c.mu or own c exclusively.
func (c *NF) rebuild() {
	mux := http.NewServeMux()
	for name, h := range c.mounts {
		mux.Handle(c.b.cfg.PathRoot+"/"+name+"/", h)
	}
	mux.Handle("/", c.b.Serve(OpUnknown, func(*Call) Reply {
		return refuse(http.StatusNotFound, CauseNoResource, "no CPF resource at this path").Reply()
	}))
	c.mux.Store(mux)
}

// Handler serves every mounted profile; mount it on the data network's
// HTTP server (internal/dn: d.Handle(cfg.PathRoot+"/", c.Handler())).
func (c *NF) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.mux.Load().ServeHTTP(w, r) })
}

// Start completes deprovisionings interrupted by a restart and removes
// expired targets, then, with SweepInterval set, sweeps periodically.
func (c *NF) Start(ctx context.Context) error {
	if _, err := c.PurgeExpired(ctx); err != nil {
		return err
	}
	c.b.emit(trace.Event{Kind: trace.KindState, Name: "started", Detail: "path root " + c.b.cfg.PathRoot})
	if c.b.cfg.SweepInterval > 0 {
		c.schedule()
	}
	return nil
}

func (c *NF) schedule() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.timer = c.b.clk.AfterFunc(c.b.cfg.SweepInterval, func() {
		if _, err := c.PurgeExpired(c.ctx); err != nil {
			c.b.log.Warn("cpf: sweep", "err", err)
		}
		c.schedule()
	})
}

// Close stops the periodic sweep and closes the store when the CPF opened it.
func (c *NF) Close() error {
	c.mu.Lock()
	c.closed = true
	if c.timer != nil {
		c.timer.Stop()
	}
	c.mu.Unlock()
	c.cancel()
	if !c.ownsStore {
		return nil
	}
	if err := c.b.st.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
		return fmt.Errorf("cpf: close: %w", err)
	}
	return nil
}

// PurgeExpired is Backend.PurgeExpired.
func (c *NF) PurgeExpired(ctx context.Context) (SweepResult, error) { return c.b.PurgeExpired(ctx) }
