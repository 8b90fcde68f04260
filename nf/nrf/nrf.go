package nrf

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/credbed/credbed/internal/trace"
)

// ErrClosed is returned by the Go API after Close.
var ErrClosed = errors.New("nrf: closed")

// NF is one NRF. It is safe for concurrent use.
type NF struct {
	cfg  Config
	deps Deps

	mu       sync.RWMutex
	closed   bool
	profiles map[string]*entry // by nfInstanceId; entries are immutable

	handler http.Handler
}

// New builds an NRF from cfg (defaults filled by Validate) and deps.
func New(cfg Config, deps Deps) (*NF, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	deps.fill()
	n := &NF{cfg: cfg, deps: deps, profiles: make(map[string]*entry)}
	n.handler = n.routes()
	return n, nil
}

// Start does nothing: the NRF has no background work. The caller serves
// Handler (e.g. with transport.Network.ServeSBI).
func (n *NF) Start(ctx context.Context) error { return ctx.Err() }

// Close forgets every profile; the handler then answers 503.
func (n *NF) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.closed = true
	n.profiles = nil
	return nil
}

// Handler returns the SBI handler (Nnrf_NFManagement and Nnrf_NFDiscovery).
func (n *NF) Handler() http.Handler { return n.handler }

// Config returns the validated configuration.
func (n *NF) Config() Config { return n.cfg }

func (n *NF) emit(e trace.Event) {
	e.Actor = n.cfg.Name
	if e.Iface == "" {
		e.Iface = trace.IfaceSBI
	}
	n.deps.Trace.Emit(e)
}
