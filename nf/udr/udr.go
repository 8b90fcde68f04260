package udr

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/credbed/credbed/internal/store"
	"github.com/credbed/credbed/internal/trace"
)

// Errors of the Go API.
var (
	ErrNotFound = errors.New("udr: subscription not found")
	ErrInvalid  = errors.New("udr: invalid subscription data")
	ErrClosed   = errors.New("udr: closed")
)

// NF is one UDR. It is safe for concurrent use; all state is in its store.
type NF struct {
	cfg       Config
	deps      Deps
	st        store.Store
	ownsStore bool
	handler   http.Handler
}

// New opens the UDR's store (or uses deps.Store) and builds its handler.
// A corrupt or locked bbolt file is an error wrapping store.ErrCorrupt or
// store.ErrLocked.
func New(cfg Config, deps Deps) (*NF, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	deps.fill()
	u := &NF{cfg: cfg, deps: deps, st: deps.Store}
	if u.st == nil {
		switch cfg.Store {
		case StoreMem:
			u.st = store.NewMem()
		default:
			if cfg.Path == "" {
				return nil, fmt.Errorf("udr: config: the bolt store needs a path")
			}
			st, err := store.Open(cfg.Path, store.Options{Timeout: cfg.LockTimeout, NoSync: cfg.NoSync})
			if err != nil {
				return nil, fmt.Errorf("udr: %w", err)
			}
			u.st = st
		}
		u.ownsStore = true
	}
	u.handler = u.routes()
	return u, nil
}

// Start does nothing: the UDR has no background work.
func (u *NF) Start(ctx context.Context) error { return ctx.Err() }

// Close closes the store when the UDR opened it. Every later call fails
// with ErrClosed (503 over SBI).
func (u *NF) Close() error {
	if !u.ownsStore {
		return nil
	}
	if err := u.st.Close(); err != nil && !errors.Is(err, store.ErrClosed) {
		return fmt.Errorf("udr: close: %w", err)
	}
	return nil
}

// Handler returns the Nudr_DataRepository handler.
func (u *NF) Handler() http.Handler { return u.handler }

// Config returns the validated configuration.
func (u *NF) Config() Config { return u.cfg }

func (u *NF) emit(e trace.Event) {
	e.Actor = u.cfg.Name
	if e.Iface == "" {
		e.Iface = trace.IfaceSBI
	}
	u.deps.Trace.Emit(e)
}
