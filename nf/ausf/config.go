package ausf

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
)

// Defaults.
const (
	DefaultName       = "ausf"
	DefaultContextTTL = 30 * time.Second
	DefaultSBITimeout = 5 * time.Second
	// DefaultMaxResync bounds EAP-AKA' re-synchronisations per context.
	DefaultMaxResync = 2
)

// DefaultAddr is where the AUSF serves SBI unless configured otherwise
// (free5gc's AUSF default address, any port).
var DefaultAddr = netip.MustParseAddrPort("127.0.0.9:0")

// ErrConfig reports an invalid configuration.
var ErrConfig = errors.New("ausf: invalid config")

// Config of one AUSF.
type Config struct {
	// Name is the actor name in trace events (default "ausf").
	Name string
	// InstanceID is the NF instance id (a UUID); drawn from Deps.Rand when empty.
	InstanceID string
	// Addr is where the SBI server listens (loopback; default 127.0.0.9, any port).
	Addr netip.AddrPort
	// ServingNetworks are the serving network names
	// ("5G:mnc<MNC>.mcc<MCC>.3gppnetwork.org") the AUSF authenticates for
	// (TS 33.501 §6.1.2); at least one is required.
	ServingNetworks []string
	// AKMA derives and registers AKMA keys after every successful
	// authentication, not only for subscribers the UDM marks (akmaInd).
	AKMA bool
	// MNCLength (2 or 3) splits an IMSI SUPI into MCC and MNC for the A-KID
	// realm when the SEAF sent a SUPI rather than a SUCI (default 2).
	MNCLength int
	// ContextTTL is how long an authentication context waits for its
	// confirmation (default 30 s).
	ContextTTL time.Duration
	// MaxResync bounds EAP-AKA' re-synchronisations per context (default 2).
	MaxResync int
	// UDMAPIRoot and AAnFAPIRoot, when set, are used instead of NRF discovery.
	UDMAPIRoot  string
	AAnFAPIRoot string
	// SBITimeout bounds each outbound SBI request (default 5 s).
	SBITimeout time.Duration

	snns map[string]bool
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
	if c.MNCLength == 0 {
		c.MNCLength = 2
	}
	if c.MNCLength != 2 && c.MNCLength != 3 {
		return fmt.Errorf("%w: MNC length %d", ErrConfig, c.MNCLength)
	}
	if c.ContextTTL <= 0 {
		c.ContextTTL = DefaultContextTTL
	}
	if c.MaxResync <= 0 {
		c.MaxResync = DefaultMaxResync
	}
	if c.SBITimeout <= 0 {
		c.SBITimeout = DefaultSBITimeout
	}
	if len(c.ServingNetworks) == 0 {
		return fmt.Errorf("%w: no serving network names configured", ErrConfig)
	}
	c.snns = make(map[string]bool, len(c.ServingNetworks))
	for _, s := range c.ServingNetworks {
		if _, err := ident.ParseServingNetworkName(s); err != nil {
			return fmt.Errorf("%w: serving network %q: %w", ErrConfig, s, err)
		}
		c.snns[s] = true
	}
	for _, r := range []*string{&c.UDMAPIRoot, &c.AAnFAPIRoot} {
		*r = strings.TrimRight(*r, "/")
		if *r != "" && !strings.HasPrefix(*r, "http://") && !strings.HasPrefix(*r, "https://") {
			return fmt.Errorf("%w: apiRoot %q is not http(s)", ErrConfig, *r)
		}
	}
	return nil
}

// Deps are the AUSF's injected collaborators; nil fields get defaults
// except Net, which Start needs.
type Deps struct {
	Clock  clock.Clock
	Rand   io.Reader // context ids, EAP identifiers; default crypto/rand
	Logger *slog.Logger
	Trace  trace.Sink
	// Net serves the SBI and provides the outbound client.
	Net transport.Network
	// NRF is the NRF's apiRoot ("http://127.0.0.10:80").
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
