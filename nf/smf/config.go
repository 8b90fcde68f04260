package smf

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
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/smf/gsm"
)

// Defaults.
const (
	DefaultName        = "smf"
	DefaultSBITimeout  = 5 * time.Second
	DefaultPFCPTimeout = 10 * time.Second
	DefaultMaxSessions = 100_000
)

// Default addresses (the UPF's defaults are nf/upf's).
var (
	// DefaultAddr is where the SMF serves SBI (any port).
	DefaultAddr = netip.MustParseAddrPort("127.0.0.7:0")
	// DefaultN4Addr is the SMF's PFCP endpoint.
	DefaultN4Addr = netip.MustParseAddrPort("127.0.0.7:8805")
	// DefaultUPFN4Addr is the UPF's PFCP endpoint.
	DefaultUPFN4Addr = netip.MustParseAddrPort("127.0.0.8:8805")
	// DefaultPool is the address pool of the default DNN "internet".
	DefaultPool = netip.MustParsePrefix("10.60.0.0/16")
)

// ErrConfig reports an invalid configuration.
var ErrConfig = errors.New("smf: invalid config")

// DNN is one data network the SMF serves, with its UE IPv4 address pool.
type DNN struct {
	Name string       `json:"name"`
	Pool netip.Prefix `json:"pool"` // IPv4, /8../30; the network and broadcast addresses are never handed out
}

// SNSSAI is an S-NSSAI in configuration form: SST and an optional SD of 6
// hex digits.
type SNSSAI struct {
	SST uint8  `json:"sst"`
	SD  string `json:"sd,omitempty"`
}

// NAS returns the S-NSSAI as nasx.SNSSAI.
func (s SNSSAI) NAS() (nasx.SNSSAI, error) {
	n := nasx.SNSSAI{SST: s.SST}
	if s.SD == "" {
		return n, nil
	}
	b, err := hex.DecodeString(s.SD)
	if err != nil || len(b) != 3 {
		return n, fmt.Errorf("%w: SD %q is not 6 hex digits", ErrConfig, s.SD)
	}
	n.SD, n.HasSD = uint32(b[0])<<16|uint32(b[1])<<8|uint32(b[2]), true
	return n, nil
}

// Config of one SMF.
type Config struct {
	// Name is the actor name in trace events (default "smf").
	Name string
	// InstanceID is the NF instance id (a UUID); drawn from Deps.Rand when empty.
	InstanceID string
	// Addr is where the SBI server listens (loopback; default 127.0.0.7, any port).
	Addr netip.AddrPort
	// N4Addr is the SMF's PFCP endpoint (default 127.0.0.7:8805); its
	// address is the CP F-SEID address.
	N4Addr netip.AddrPort
	// NodeID is the SMF's PFCP Node ID (default: the N4 address).
	NodeID string
	// UPFN4Addr is the UPF's PFCP endpoint (default 127.0.0.8:8805).
	UPFN4Addr netip.AddrPort
	// UPFN3Addr is the UPF's N3 (GTP-U) address, used as the UL F-TEID
	// address when the SMF allocates TEIDs (default: the UPF N4 address).
	UPFN3Addr netip.Addr
	// SMFAllocatesTEID makes the SMF choose the UL TEIDs instead of asking
	// the UPF (F-TEID CHOOSE, TS 29.244 §5.5.3). The SMF also allocates
	// when the UPF does not announce the FTUP feature.
	SMFAllocatesTEID bool
	// DNNs are the data networks served (default: internet, 10.60.0.0/16).
	DNNs []DNN
	// SNSSAIs are the slices served (default: SST 1, no SD, and SST 1 SD 010203).
	SNSSAIs []SNSSAI
	// UDMAPIRoot, when set, is used instead of discovering the UDM at the NRF.
	UDMAPIRoot string
	// AMFAPIRoot is the AMF used when a create request's smContextStatusUri
	// gives none and no NRF is configured.
	AMFAPIRoot string
	// Policy holds the default QoS and the 5GSM causes of subscription
	// rejections (see gsm.Policy).
	Policy gsm.Policy
	// SBITimeout bounds each outbound SBI request (default 5 s).
	SBITimeout time.Duration
	// PFCPTimeout bounds each PFCP exchange on top of the T1/N1
	// retransmissions (default 10 s).
	PFCPTimeout time.Duration
	// PFCPT1 and PFCPN1 tune PFCP retransmission (defaults 3 s and 3).
	PFCPT1 time.Duration
	PFCPN1 int
	// MaxSessions bounds the SM contexts (default 100,000); beyond it
	// creation is rejected with 500 INSUFFICIENT_RESOURCES_SLICE_DNN and #26.
	MaxSessions int

	snssais []nasx.SNSSAI
}

// Validate fills defaults and checks the values.
func (c *Config) Validate() error {
	if c.Name == "" {
		c.Name = DefaultName
	}
	if !c.Addr.IsValid() {
		c.Addr = DefaultAddr
	}
	if !c.N4Addr.IsValid() {
		c.N4Addr = DefaultN4Addr
	}
	if !c.UPFN4Addr.IsValid() {
		c.UPFN4Addr = DefaultUPFN4Addr
	}
	if !c.UPFN3Addr.IsValid() {
		c.UPFN3Addr = c.UPFN4Addr.Addr()
	}
	for _, a := range []netip.Addr{c.Addr.Addr(), c.N4Addr.Addr(), c.UPFN4Addr.Addr(), c.UPFN3Addr} {
		if !a.Unmap().IsLoopback() {
			return fmt.Errorf("%w: address %v is not loopback", ErrConfig, a)
		}
	}
	if !c.N4Addr.Addr().Unmap().Is4() || !c.UPFN3Addr.Unmap().Is4() {
		return fmt.Errorf("%w: the N4 and UPF N3 addresses must be IPv4 (F-SEID and F-TEID are IPv4)", ErrConfig)
	}
	if c.NodeID == "" {
		c.NodeID = c.N4Addr.Addr().String()
	}
	if len(c.DNNs) == 0 {
		c.DNNs = []DNN{{Name: "internet", Pool: DefaultPool}}
	}
	seen := map[string]bool{}
	for i, d := range c.DNNs {
		if d.Name == "" || len(d.Name) > 100 {
			return fmt.Errorf("%w: DNN %d has no usable name", ErrConfig, i)
		}
		k := strings.ToLower(d.Name)
		if seen[k] {
			return fmt.Errorf("%w: DNN %q listed twice", ErrConfig, d.Name)
		}
		seen[k] = true
		if _, err := newPool(d.Pool); err != nil {
			return fmt.Errorf("%w: DNN %q: %w", ErrConfig, d.Name, err)
		}
	}
	if len(c.SNSSAIs) == 0 {
		c.SNSSAIs = []SNSSAI{{SST: 1}, {SST: 1, SD: "010203"}}
	}
	c.snssais = c.snssais[:0]
	for _, s := range c.SNSSAIs {
		n, err := s.NAS()
		if err != nil {
			return err
		}
		c.snssais = append(c.snssais, n)
	}
	for _, r := range []*string{&c.UDMAPIRoot, &c.AMFAPIRoot} {
		*r = strings.TrimRight(*r, "/")
		if *r != "" && !strings.HasPrefix(*r, "http://") && !strings.HasPrefix(*r, "https://") {
			return fmt.Errorf("%w: apiRoot %q is not http(s)", ErrConfig, *r)
		}
	}
	if c.SBITimeout <= 0 {
		c.SBITimeout = DefaultSBITimeout
	}
	if c.PFCPTimeout <= 0 {
		c.PFCPTimeout = DefaultPFCPTimeout
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	return nil
}

// Deps are the SMF's injected collaborators; nil fields get defaults
// except Net, which Start needs.
type Deps struct {
	Clock  clock.Clock
	Rand   io.Reader // SM context references, SEIDs, TEIDs, instance id; default crypto/rand
	Logger *slog.Logger
	Trace  trace.Sink
	// Net serves the SBI, binds the N4 endpoint and provides the outbound client.
	Net transport.Network
	// NRF is the NRF's apiRoot ("http://127.0.0.10:80"); empty: no
	// registration and no discovery.
	NRF string
}
