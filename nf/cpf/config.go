package cpf

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/store"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
)

// Store kinds.
const (
	StoreBolt = "bolt"
	StoreMem  = "mem"
)

// Defaults.
const (
	DefaultName             = "cpf"
	DefaultPathRoot         = "/cpf"
	DefaultAFID             = "cpf.credbed.test"
	DefaultRoutingIndicator = "0"
	DefaultProvisionTTL     = 5 * time.Minute
	DefaultActivationTTL    = 24 * time.Hour
	DefaultRateBurst        = 10
	DefaultRatePerSecond    = 5.0
	DefaultAuthFailBurst    = 20
	DefaultAuthFailPerSec   = 1.0
	DefaultKAFCacheTTL      = time.Minute
	DefaultSBITimeout       = 5 * time.Second
	DefaultAllocationProbes = 16
	DefaultMaxTracked       = 1 << 16
)

// DefaultSBIAddr is the address the CPF's outbound SBI requests come from.
var DefaultSBIAddr = netip.MustParseAddrPort("127.0.0.30:0")

// ErrConfig reports an invalid configuration.
var ErrConfig = errors.New("cpf: invalid config")

// Config of one CPF.
type Config struct {
	// Name is the actor name in trace events (default "cpf").
	Name string
	// PathRoot prefixes every profile API: profile p serves under
	// PathRoot + "/" + p (default "/cpf").
	PathRoot string
	// AFID is the CPF's AKMA application function id (TS 33.535 §6.1,
	// AF_ID): the CPF asks the AAnF for K_AF with it, and PDs derive
	// K_AF with it (provproto.KAF). Default "cpf.credbed.test".
	AFID string

	// PLMN is the home network of provisioned targets (default 001/01).
	PLMN ident.PLMN
	// RoutingIndicator goes into every credential package (default "0").
	RoutingIndicator string
	// HNKeys are the home network SUCI public keys put into every package
	// (TS 33.501 Annex C). Empty means targets can only use the null
	// scheme (3gpp.md §6.4 C3): allowed, so that scenario can run.
	HNKeys []credential.HNKey
	// TargetDNNs, TargetSNSSAIs and TargetAuthMethod shape the subscription
	// written for each target (defaults: internet, SST 1, 5G_AKA).
	TargetDNNs       []string
	TargetSNSSAIs    []subscriber.SNSSAI
	TargetAuthMethod string

	// ProvisionTTL is how long a pending, unconfirmed target lives; it is
	// also the binding expiry of its package (default 5 min).
	ProvisionTTL time.Duration
	// ActivationTTL is how long a confirmed target may take to first
	// authenticate (default 24 h).
	ActivationTTL time.Duration

	// RateBurst and RatePerSecond shape the per-PD token bucket of
	// authenticated requests; AuthFailBurst and AuthFailPerSecond the
	// per-source bucket of failed authentications (429 once empty).
	RateBurst         int
	RatePerSecond     float64
	AuthFailBurst     int
	AuthFailPerSecond float64
	// MaxTracked bounds the buckets and cached keys kept in memory.
	MaxTracked int

	// KAFCacheTTL bounds how long a K_AF from the AAnF is reused (also
	// bounded by the AAnF's expiry); negative disables the cache.
	KAFCacheTTL time.Duration
	// AllocationProbes bounds the SUPIs tried per allocation (default 16).
	AllocationProbes int
	// SweepInterval, when positive, runs PurgeExpired periodically on the
	// injected clock (one timer for the whole CPF).
	SweepInterval time.Duration

	// SBIAddr is where outbound SBI requests come from (loopback).
	SBIAddr netip.AddrPort
	// UDRAPIRoot and AAnFAPIRoot, when set, are used instead of NRF
	// discovery (Deps.NRF).
	UDRAPIRoot  string
	AAnFAPIRoot string
	// SBITimeout bounds each outbound SBI request (default 5 s).
	SBITimeout time.Duration

	// Store is StoreBolt (default) or StoreMem; ignored when Deps.Store is
	// set. Path is the bbolt file (required for StoreBolt).
	Store       string
	Path        string
	NoSync      bool
	LockTimeout time.Duration
}

// Validate fills defaults and checks the values.
func (c *Config) Validate() error {
	if c.Name == "" {
		c.Name = DefaultName
	}
	if c.PathRoot == "" {
		c.PathRoot = DefaultPathRoot
	}
	c.PathRoot = "/" + strings.Trim(c.PathRoot, "/")
	if c.PathRoot == "/" || strings.ContainsAny(c.PathRoot, "{}?# ") {
		return fmt.Errorf("%w: path root %q", ErrConfig, c.PathRoot)
	}
	if c.AFID == "" {
		c.AFID = DefaultAFID
	}
	if c.PLMN.IsZero() {
		c.PLMN = ident.PLMN{MCC: "001", MNC: "01"}
	}
	if err := c.PLMN.Validate(); err != nil {
		return fmt.Errorf("%w: PLMN: %w", ErrConfig, err)
	}
	if c.RoutingIndicator == "" {
		c.RoutingIndicator = DefaultRoutingIndicator
	}
	if len(c.RoutingIndicator) > credential.MaxRoutingInd || strings.Trim(c.RoutingIndicator, "0123456789") != "" {
		return fmt.Errorf("%w: routing indicator %q is not 1 to 4 digits", ErrConfig, c.RoutingIndicator)
	}
	if len(c.HNKeys) > credential.MaxHNKeys {
		return fmt.Errorf("%w: %d home network keys, limit %d", ErrConfig, len(c.HNKeys), credential.MaxHNKeys)
	}
	for i, k := range c.HNKeys {
		if err := k.Validate(); err != nil {
			return fmt.Errorf("%w: home network key %d: %w", ErrConfig, i, err)
		}
	}
	if len(c.TargetDNNs) == 0 {
		c.TargetDNNs = []string{subscriber.DefaultDNN}
	}
	if len(c.TargetSNSSAIs) == 0 {
		c.TargetSNSSAIs = []subscriber.SNSSAI{{SST: subscriber.DefaultSST}}
	}
	if c.TargetAuthMethod == "" {
		c.TargetAuthMethod = subscriber.DefaultAuthMethod
	}
	if c.ProvisionTTL <= 0 {
		c.ProvisionTTL = DefaultProvisionTTL
	}
	if c.ProvisionTTL < time.Second {
		return fmt.Errorf("%w: provision TTL below one second (bindings have second precision)", ErrConfig)
	}
	if c.ActivationTTL <= 0 {
		c.ActivationTTL = DefaultActivationTTL
	}
	if c.RateBurst <= 0 {
		c.RateBurst = DefaultRateBurst
	}
	if c.RatePerSecond <= 0 {
		c.RatePerSecond = DefaultRatePerSecond
	}
	if c.AuthFailBurst <= 0 {
		c.AuthFailBurst = DefaultAuthFailBurst
	}
	if c.AuthFailPerSecond <= 0 {
		c.AuthFailPerSecond = DefaultAuthFailPerSec
	}
	if c.MaxTracked <= 0 {
		c.MaxTracked = DefaultMaxTracked
	}
	if c.KAFCacheTTL == 0 {
		c.KAFCacheTTL = DefaultKAFCacheTTL
	}
	if c.AllocationProbes <= 0 {
		c.AllocationProbes = DefaultAllocationProbes
	}
	if !c.SBIAddr.IsValid() {
		c.SBIAddr = DefaultSBIAddr
	}
	if !c.SBIAddr.Addr().IsLoopback() {
		return fmt.Errorf("%w: SBI address %v is not loopback", ErrConfig, c.SBIAddr)
	}
	for _, r := range []*string{&c.UDRAPIRoot, &c.AAnFAPIRoot} {
		*r = strings.TrimRight(*r, "/")
		if *r != "" && !strings.HasPrefix(*r, "http://") && !strings.HasPrefix(*r, "https://") {
			return fmt.Errorf("%w: apiRoot %q is not http(s)", ErrConfig, *r)
		}
	}
	if c.SBITimeout <= 0 {
		c.SBITimeout = DefaultSBITimeout
	}
	if c.Store == "" {
		c.Store = StoreBolt
	}
	switch c.Store {
	case StoreBolt, StoreMem:
	default:
		return fmt.Errorf("%w: store %q is not %s or %s", ErrConfig, c.Store, StoreBolt, StoreMem)
	}
	if c.LockTimeout == 0 {
		c.LockTimeout = store.DefaultTimeout
	}
	return nil
}

// Deps are the CPF's injected collaborators; nil fields get defaults.
type Deps struct {
	Clock clock.Clock
	// Rand draws K, OPc, operation ids and sealing keys; crypto/rand by
	// default. It need not be safe for concurrent use.
	Rand   io.Reader
	Logger *slog.Logger
	Trace  trace.Sink
	// Net provides the outbound SBI client (Net.SBIClient(Config.SBIAddr));
	// HTTP, when set, is used instead.
	Net  transport.Network
	HTTP *http.Client
	// NRF is the NRF's apiRoot, for discovering the UDR and the AAnF.
	NRF string
	// Store, when set, is used instead of opening one from Config; the CPF
	// does not close it.
	Store store.Store
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
