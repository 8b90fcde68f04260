package nrf

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/trace"
)

// Defaults.
const (
	DefaultName           = "nrf"
	DefaultValidityPeriod = 5 * time.Minute
	DefaultHeartBeatTimer = 60 * time.Second
)

// Config of one NRF.
type Config struct {
	// Name is the actor name in trace events.
	Name string
	// APIRoot is used in Location headers ("http://127.0.0.10:80"); when
	// empty it is taken from each request's Host.
	APIRoot string
	// ValidityPeriod is how long consumers may cache a search result.
	ValidityPeriod time.Duration
	// HeartBeatTimer is given to profiles that register without one.
	HeartBeatTimer time.Duration
}

// Validate fills defaults and checks the values.
func (c *Config) Validate() error {
	if c.Name == "" {
		c.Name = DefaultName
	}
	if c.ValidityPeriod == 0 {
		c.ValidityPeriod = DefaultValidityPeriod
	}
	if c.HeartBeatTimer == 0 {
		c.HeartBeatTimer = DefaultHeartBeatTimer
	}
	if c.ValidityPeriod < time.Second || c.HeartBeatTimer < time.Second {
		return fmt.Errorf("nrf: config: validity period and heartbeat timer must be at least 1s")
	}
	c.APIRoot = strings.TrimRight(c.APIRoot, "/")
	if c.APIRoot != "" && !strings.HasPrefix(c.APIRoot, "http://") && !strings.HasPrefix(c.APIRoot, "https://") {
		return fmt.Errorf("nrf: config: apiRoot %q is not an http(s) URI", c.APIRoot)
	}
	return nil
}

// Deps are the NRF's injected collaborators; nil fields get defaults.
type Deps struct {
	Clock  clock.Clock
	Trace  trace.Sink
	Logger *slog.Logger
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
