package roles

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/netip"
	"sync"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/ausf"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/dlink"
	"github.com/credbed/credbed/ue/dlink/link"
)

// Defaults of both roles.
const (
	DefaultDNN              = "internet"
	DefaultRoutingIndicator = "0"
)

// Deps are a device's injected dependencies.
type Deps struct {
	// UE is the device's UE (the PD's holds its subscription; the TD's
	// has an empty slot). Required.
	UE *ue.UE
	// Net carries the direct link (a transport.DL endpoint). Required.
	Net transport.Network
	// Clock drives the direct-link timers and expiry checks. Required.
	Clock clock.Clock
	// Rand draws nonces and ephemeral keys (and a baseline PD's K and
	// OPc); default crypto/rand.
	Rand io.Reader
	// Trace receives the direct-link events; default trace.Discard.
	Trace trace.Sink
	// Counter persists a PD's counter (default a fresh MemCounter; PD only).
	Counter CounterStore
	// OnClose, when set, is called once by Close (the testbed frees the
	// device's direct-link address).
	OnClose func()
}

func (d *Deps) fill() error {
	switch {
	case d.UE == nil:
		return fmt.Errorf("%w: no UE", ErrConfig)
	case d.Net == nil:
		return fmt.Errorf("%w: no network", ErrConfig)
	case d.Clock == nil:
		return fmt.Errorf("%w: no clock", ErrConfig)
	}
	if d.Rand == nil {
		d.Rand = cryptoRand{}
	}
	if d.Trace == nil {
		d.Trace = trace.Discard
	}
	return nil
}

// PDConfig configures a provisioning device.
type PDConfig struct {
	// Name is the actor of the PD's direct-link machine (default
	// "pd/<SUPI>").
	Name string
	// CPF says where the CPF is (its root URL in the data network and its
	// AF_ID). Required.
	CPF profile.Service
	// PLMN is the PD's home network: the A-KID realm is derived from it
	// (ausf.HomeNetworkRealm). Required.
	PLMN ident.PLMN
	// RoutingIndicator of the PD's USIM, the A-KID's username prefix
	// (TS 33.535 §6.1; default "0").
	RoutingIndicator string
	// DNN and SNSSAI of the PDU session that reaches the CPF (default
	// "internet", SST 1).
	DNN    string
	SNSSAI nasx.SNSSAI
	// DirectLink is where the PD's direct-link endpoint binds. Required.
	DirectLink netip.AddrPort
	// Medium sets the fragment size of the direct link (default BLE).
	Medium dlink.Preset
	// Identity, when set, is the PD's own bootstrap identity: its key hash
	// goes into every AuthRequest and the handshake is mutually
	// authenticated with targets that trust it (DPP L).
	Identity *credential.Identity
}

// Validate checks c and fills defaults.
func (c *PDConfig) Validate() error {
	if c.CPF.Root == "" {
		return fmt.Errorf("%w: no CPF root URL", ErrConfig)
	}
	if err := c.PLMN.Validate(); err != nil {
		return fmt.Errorf("%w: PLMN: %w", ErrConfig, err)
	}
	if c.RoutingIndicator == "" {
		c.RoutingIndicator = DefaultRoutingIndicator
	}
	if c.DNN == "" {
		c.DNN = DefaultDNN
	}
	if c.SNSSAI == (nasx.SNSSAI{}) {
		c.SNSSAI = nasx.SNSSAI{SST: 1}
	}
	if !c.DirectLink.IsValid() {
		return fmt.Errorf("%w: no direct-link address", ErrConfig)
	}
	if err := fillMedium(&c.Medium); err != nil {
		return err
	}
	if c.Identity != nil && c.Identity.Key == nil {
		return fmt.Errorf("%w: PD identity without a key", ErrConfig)
	}
	return nil
}

func fillMedium(m *dlink.Preset) error {
	if m.Name == "" && m.MTU == 0 {
		*m, _ = dlink.LookupPreset(dlink.PresetBLE)
	}
	if err := m.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return nil
}

// ProvisioningDevice is a UE with its own subscription and the
// provisioning application. It satisfies profile.PD. Safe for concurrent
// use; several exchanges with distinct targets may run at once (the CPF
// still sees one counter sequence, so one PD should send its CPF requests
// one at a time).
type ProvisioningDevice struct {
	cfg  PDConfig
	deps Deps
	supi string
	name string
	mux  *linkMux

	ctrMu sync.Mutex
	ctr   uint64
	ctrOK bool

	mu     sync.Mutex
	kausf  aka.Key256
	kakma  aka.Key256
	akid   string
	hc     *http.Client
	hcAddr netip.Addr
	closed bool
}

var _ profile.PD = (*ProvisioningDevice)(nil)

// NewProvisioningDevice builds a PD around deps.UE, which must hold the
// PD's credential. Start binds its direct-link endpoint.
func NewProvisioningDevice(cfg PDConfig, deps Deps) (*ProvisioningDevice, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := deps.fill(); err != nil {
		return nil, err
	}
	s := deps.UE.SUPI()
	if s.IsZero() {
		return nil, fmt.Errorf("%w: the PD's UE holds no credential", ErrConfig)
	}
	if deps.Counter == nil {
		deps.Counter = NewMemCounter(0)
	}
	p := &ProvisioningDevice{cfg: cfg, deps: deps, supi: s.String()}
	p.name = cfg.Name
	if p.name == "" {
		p.name = "pd/" + p.supi
	}
	p.mux = newLinkMux(p.name, deps.Trace)
	return p, nil
}

// Start binds the PD's direct-link endpoint at Config.DirectLink.
func (p *ProvisioningDevice) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return ErrClosed
	}
	ep, err := p.deps.Net.Listen(transport.DL, p.cfg.DirectLink, p.mux.handle)
	if err != nil {
		return fmt.Errorf("roles: PD direct link: %w", err)
	}
	p.mux.attach(ep)
	return nil
}

// Close unbinds the direct-link endpoint and drops the HTTP client; the
// UE stays as it is.
func (p *ProvisioningDevice) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	hc := p.hc
	p.hc = nil
	clear(p.kausf[:])
	clear(p.kakma[:])
	p.mu.Unlock()
	if hc != nil {
		hc.CloseIdleConnections()
	}
	err := p.mux.close()
	if p.deps.OnClose != nil {
		p.deps.OnClose()
	}
	return err
}

// Config returns the validated configuration.
func (p *ProvisioningDevice) Config() PDConfig { return p.cfg }

// UE returns the PD's UE.
func (p *ProvisioningDevice) UE() *ue.UE { return p.deps.UE }

// TraceName is the actor name of the PD's UE.
func (p *ProvisioningDevice) TraceName() string { return p.deps.UE.Name() }

// Name is the actor name of the PD's direct-link machine.
func (p *ProvisioningDevice) Name() string { return p.name }

// SUPI returns the PD's own SUPI.
func (p *ProvisioningDevice) SUPI() string { return p.supi }

// CPF says where the CPF is.
func (p *ProvisioningDevice) CPF() profile.Service { return p.cfg.CPF }

// DirectLinkAddr is the PD's direct-link address.
func (p *ProvisioningDevice) DirectLinkAddr() netip.AddrPort { return p.cfg.DirectLink }

// Rand returns the PD's randomness.
func (p *ProvisioningDevice) Rand() io.Reader { return p.deps.Rand }

// Connect registers the PD and opens its PDU session, as far as not done
// yet (DESIGN step 1).
func (p *ProvisioningDevice) Connect(ctx context.Context) (Connection, error) {
	return Connect(ctx, p.deps.UE, p.cfg.DNN, p.cfg.SNSSAI)
}

// HTTPClient reaches the data network over the PD's first PDU session with
// a user plane; nil without one. The client is kept while that session
// lives, so its connections are reused.
func (p *ProvisioningDevice) HTTPClient() *http.Client {
	var addr netip.Addr
	for _, s := range p.deps.UE.Sessions() {
		if s.Accepted && s.UserPlane {
			addr = s.Addr
			break
		}
	}
	if !addr.IsValid() {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	if p.hc != nil && p.hcAddr == addr {
		return p.hc
	}
	hc, err := p.deps.UE.HTTPClient()
	if err != nil {
		return nil
	}
	if p.hc != nil {
		p.hc.CloseIdleConnections()
	}
	p.hc, p.hcAddr = hc, addr
	return hc
}

// AKMA returns the PD's A-KID and K_AF for afID, derived from the KAUSF of
// its current security context as the AUSF derives them (TS 33.535 §6.1,
// A.2 K_AKMA, A.3 A-TID, A-KID = RID.A-TID@realm, A.4 K_AF).
func (p *ProvisioningDevice) AKMA(afID string) (provproto.Credentials, error) {
	kausf, ok := p.deps.UE.KAUSF()
	if !ok {
		return provproto.Credentials{}, ErrNoAKMA
	}
	defer clear(kausf[:])
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return provproto.Credentials{}, ErrClosed
	}
	if p.akid == "" || kausf != p.kausf {
		kakma, err := aka.KAKMA(kausf, p.supi)
		if err != nil {
			return provproto.Credentials{}, fmt.Errorf("roles: K_AKMA: %w", err)
		}
		atid, err := aka.ATID(kausf, p.supi)
		if err != nil {
			return provproto.Credentials{}, fmt.Errorf("roles: A-TID: %w", err)
		}
		akid, err := aka.AKID(p.cfg.RoutingIndicator, atid, ausf.HomeNetworkRealm(p.cfg.PLMN))
		if err != nil {
			return provproto.Credentials{}, fmt.Errorf("roles: A-KID: %w", err)
		}
		p.kausf, p.kakma, p.akid = kausf, kakma, akid
		clear(kakma[:])
	}
	kaf, err := provproto.KAF(p.kakma, afID)
	if err != nil {
		return provproto.Credentials{}, fmt.Errorf("roles: K_AF: %w", err)
	}
	return provproto.Credentials{AKID: p.akid, KAF: kaf}, nil
}

// NextCounter returns a counter strictly greater than every one returned
// before, saved in the counter store before it is returned.
func (p *ProvisioningDevice) NextCounter() (uint64, error) {
	p.ctrMu.Lock()
	defer p.ctrMu.Unlock()
	if !p.ctrOK {
		v, err := p.deps.Counter.Load()
		if err != nil {
			return 0, err
		}
		p.ctr, p.ctrOK = v, true
	}
	if p.ctr == math.MaxUint64 {
		return 0, fmt.Errorf("%w: exhausted (3gpp.md §6.6 S4: re-key the PD)", ErrCounter)
	}
	next := p.ctr + 1
	if err := p.deps.Counter.Save(next); err != nil {
		return 0, err
	}
	p.ctr = next
	return next, nil
}

// Counter returns the last counter handed out (or loaded).
func (p *ProvisioningDevice) Counter() uint64 {
	p.ctrMu.Lock()
	defer p.ctrMu.Unlock()
	if !p.ctrOK {
		if v, err := p.deps.Counter.Load(); err == nil {
			p.ctr, p.ctrOK = v, true
		}
	}
	return p.ctr
}

// RunInitiator runs one direct-link exchange as initiator with td over the
// PD's endpoint and returns its result. cfg.Actor defaults to the PD's
// name and cfg.Identity to Config.Identity.
func (p *ProvisioningDevice) RunInitiator(ctx context.Context, td profile.TD, cfg dlink.InitiatorConfig) (dlink.Result, error) {
	if cfg.Actor == "" {
		cfg.Actor = p.name
	}
	if cfg.Identity == nil {
		cfg.Identity = p.cfg.Identity
	}
	ini, err := dlink.NewInitiator(cfg, dlink.Deps{Rand: p.deps.Rand, Clock: p.deps.Clock})
	if err != nil {
		return dlink.Result{}, err
	}
	peer := td.DirectLinkAddr()
	drv, err := link.New(ini, link.Config{Peer: peer, Medium: p.cfg.Medium, Actor: cfg.Actor},
		link.Deps{Clock: p.deps.Clock, Trace: p.deps.Trace})
	if err != nil {
		return dlink.Result{}, err
	}
	ep, err := p.mux.open(peer, drv.Handler())
	if err != nil {
		return dlink.Result{}, err
	}
	drv.Attach(ep)
	defer drv.Close()
	if err := drv.Start(ctx); err != nil {
		return dlink.Result{}, err
	}
	select {
	case <-drv.Done():
	case <-ctx.Done():
		return dlink.Result{}, ctx.Err()
	}
	res, _ := drv.Result()
	return res, nil
}

// String describes the PD without secrets.
func (p *ProvisioningDevice) String() string {
	return fmt.Sprintf("ProvisioningDevice{%s dl=%v counter=%d}", p.supi, p.cfg.DirectLink, p.Counter())
}
