package aanf

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
)

// Defaults.
const (
	DefaultName        = "aanf"
	DefaultKAFLifetime = time.Hour
	DefaultSBITimeout  = 5 * time.Second
)

// DefaultUaProtocolID is the Ua* security protocol identifier put after the
// AF FQDN in AF_ID: (0x01,0x00,0x00,0x00,0x07), "shared key TLS 1.3" of
// TS 33.222 §5.4.0.2 (TS 33.220 Annex H.3).
var DefaultUaProtocolID = [5]byte{0x01, 0x00, 0x00, 0x00, 0x07}

// DefaultAddr is where the AAnF serves SBI unless configured otherwise.
var DefaultAddr = netip.MustParseAddrPort("127.0.0.19:0")

// ErrConfig reports an invalid configuration.
var ErrConfig = errors.New("aanf: invalid config")

// Config of one AAnF.
type Config struct {
	// Name is the actor name in trace events (default "aanf").
	Name string
	// InstanceID is the NF instance id (a UUID); drawn from Deps.Rand when empty.
	InstanceID string
	// Addr is where the SBI server listens (loopback; default 127.0.0.19, any port).
	Addr netip.AddrPort
	// UaProtocolID completes AF_ID (default DefaultUaProtocolID).
	UaProtocolID *[5]byte
	// KAFLifetime sets the expiry given with each K_AF (default 1 h).
	KAFLifetime time.Duration
	// AllowedAFs, when not empty, lists the afIds that may get a K_AF;
	// others get 403 (TS 33.535 §6.2: the AAnF checks the AF is authorised).
	AllowedAFs []string
	// SBITimeout bounds the NRF requests (default 5 s).
	SBITimeout time.Duration

	allowed map[string]bool
}

// Validate fills defaults and checks the values.
func (c *Config) Validate() error {
	if c.Name == "" {
		c.Name = DefaultName
	}
	if !c.Addr.IsValid() {
		c.Addr = DefaultAddr
	}
	if !c.Addr.Addr().IsLoopback() {
		return fmt.Errorf("%w: address %v is not loopback", ErrConfig, c.Addr)
	}
	if c.UaProtocolID == nil {
		p := DefaultUaProtocolID
		c.UaProtocolID = &p
	}
	if c.KAFLifetime <= 0 {
		c.KAFLifetime = DefaultKAFLifetime
	}
	if c.SBITimeout <= 0 {
		c.SBITimeout = DefaultSBITimeout
	}
	c.allowed = nil
	if len(c.AllowedAFs) > 0 {
		c.allowed = make(map[string]bool, len(c.AllowedAFs))
		for _, af := range c.AllowedAFs {
			if !validAFID(af) {
				return fmt.Errorf("%w: AF id %q", ErrConfig, af)
			}
			c.allowed[strings.ToLower(af)] = true
		}
	}
	return nil
}

// Deps are the AAnF's injected collaborators; nil fields get defaults
// except Net, which Start needs.
type Deps struct {
	Clock  clock.Clock
	Rand   io.Reader // instance id; default crypto/rand
	Logger *slog.Logger
	Trace  trace.Sink
	// Net serves the SBI and provides the NRF client.
	Net transport.Network
	// NRF is the NRF's apiRoot; empty skips registration.
	NRF string
}

func (d *Deps) fill() {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Trace == nil {
		d.Trace = trace.Discard
	}
}
