package udm

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/suci"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
)

// Defaults.
const (
	DefaultName       = "udm"
	DefaultSBITimeout = 5 * time.Second
)

// DefaultAddr is where the UDM serves SBI unless configured otherwise
// (free5gc's UDM default address, any port).
var DefaultAddr = netip.MustParseAddrPort("127.0.0.3:0")

// ErrConfig reports an invalid configuration.
var ErrConfig = errors.New("udm: invalid config")

// HomeNetworkKey is one SIDF private key (TS 33.501 §6.12.5): the
// protection scheme, the home network public key identifier and the
// 32-octet private key in hex. The key never appears in errors or logs.
type HomeNetworkKey struct {
	Scheme     ident.ProtectionScheme `json:"scheme"`
	ID         uint8                  `json:"id"`
	PrivateKey string                 `json:"privateKey"`
}

// String names the key without its value.
func (k HomeNetworkKey) String() string {
	return fmt.Sprintf("HomeNetworkKey{%v id %d [redacted]}", k.Scheme, k.ID)
}

// GoString is String, so %#v does not print the key either.
func (k HomeNetworkKey) GoString() string { return k.String() }

// LogValue keeps the key out of slog output.
func (k HomeNetworkKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// Config of one UDM.
type Config struct {
	// Name is the actor name in trace events (default "udm").
	Name string
	// InstanceID is the NF instance id (a UUID); drawn from Deps.Rand when empty.
	InstanceID string
	// Addr is where the SBI server listens (loopback; default 127.0.0.3, any port).
	Addr netip.AddrPort
	// HomeNetworkKeys are the SIDF private keys for Profile A and B SUCIs.
	HomeNetworkKeys []HomeNetworkKey
	// UDRAPIRoot, when set, is used instead of discovering the UDR at the NRF.
	UDRAPIRoot string
	// HomePLMN is the servingPlmnId the UDM asks the UDR for when an SDM
	// request names none ("MCCMNC"; default: the MCC and a 2-digit MNC of
	// the IMSI).
	HomePLMN string
	// SBITimeout bounds each outbound SBI request (default 5 s).
	SBITimeout time.Duration

	ring suci.KeyRing
}

// Validate fills defaults and checks the values; it also parses the home
// network keys.
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
	if c.SBITimeout <= 0 {
		c.SBITimeout = DefaultSBITimeout
	}
	c.UDRAPIRoot = strings.TrimRight(c.UDRAPIRoot, "/")
	if c.UDRAPIRoot != "" && !strings.HasPrefix(c.UDRAPIRoot, "http://") && !strings.HasPrefix(c.UDRAPIRoot, "https://") {
		return fmt.Errorf("%w: UDR apiRoot %q is not http(s)", ErrConfig, c.UDRAPIRoot)
	}
	if c.HomePLMN != "" {
		if _, err := ident.ParsePLMN(c.HomePLMN); err != nil {
			return fmt.Errorf("%w: home PLMN: %w", ErrConfig, err)
		}
	}
	ring := suci.KeyRing{}
	for i, k := range c.HomeNetworkKeys {
		raw, err := hex.DecodeString(k.PrivateKey)
		if err != nil {
			return fmt.Errorf("%w: home network key %d (%v id %d) is not hex", ErrConfig, i, k.Scheme, k.ID)
		}
		pk, err := suci.NewPrivateKey(k.Scheme, raw)
		clear(raw)
		if err != nil {
			return fmt.Errorf("%w: home network key %d (%v id %d): %w", ErrConfig, i, k.Scheme, k.ID, err)
		}
		if err := ring.Add(k.ID, pk); err != nil {
			return fmt.Errorf("%w: home network key %d: %w", ErrConfig, i, err)
		}
	}
	c.ring = ring
	return nil
}

// Deps are the UDM's injected collaborators; nil fields get defaults
// except Net, which Start needs.
type Deps struct {
	Clock  clock.Clock
	Rand   io.Reader // RAND, ids; default crypto/rand
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
