package udr

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/store"
	"github.com/credbed/credbed/internal/trace"
)

// Store kinds.
const (
	StoreBolt = "bolt"
	StoreMem  = "mem"
)

// DefaultName is the UDR's actor name in trace events.
const DefaultName = "udr"

// Config of one UDR.
type Config struct {
	// Name is the actor name in trace events.
	Name string
	// Store is StoreBolt (default) or StoreMem; ignored when Deps.Store is set.
	Store string
	// Path is the bbolt file (required for StoreBolt).
	Path string
	// NoSync skips fsync after each commit (see store.Options).
	NoSync bool
	// LockTimeout bounds the wait for the bbolt file lock.
	LockTimeout time.Duration
	// APIRoot is used in Location headers; when empty it comes from the request's Host.
	APIRoot string
}

// Validate fills defaults and checks the values.
func (c *Config) Validate() error {
	if c.Name == "" {
		c.Name = DefaultName
	}
	if c.Store == "" {
		c.Store = StoreBolt
	}
	switch c.Store {
	case StoreBolt, StoreMem:
	default:
		return fmt.Errorf("udr: config: store %q is not %s or %s", c.Store, StoreBolt, StoreMem)
	}
	if c.LockTimeout == 0 {
		c.LockTimeout = store.DefaultTimeout
	}
	return nil
}

// Deps are the UDR's injected collaborators; nil fields get defaults.
type Deps struct {
	Clock  clock.Clock
	Trace  trace.Sink
	Logger *slog.Logger
	// Store, when set, is used instead of opening one from Config; the
	// UDR does not close it.
	Store store.Store
	// HTTP sends data-change notifications to subscribers (normally
	// transport.Network.SBIClient(the UDR's address)); nil sends none.
	HTTP *http.Client
}

func (d *Deps) fill() {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Trace == nil {
		d.Trace = trace.Discard
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
}
