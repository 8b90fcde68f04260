package profiletest

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/store"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/suci"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/aanf"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/nf/nrf"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/scenarios/profile/builtin"
	"github.com/credbed/credbed/ue/dlink"
	"github.com/credbed/credbed/ue/dlink/link"
)

// Addresses on the mem network.
var (
	NRFAddr  = netip.MustParseAddrPort("127.0.0.10:80")
	UDRAddr  = netip.MustParseAddrPort("127.0.0.4:80")
	AAnFAddr = netip.MustParseAddrPort("127.0.0.19:80")
	CPFAddr  = netip.MustParseAddrPort("127.0.0.40:80")
)

// Start is the fake clock's start.
var Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Options shape a Core.
type Options struct {
	// Seed seeds every random source (print it: GinkgoRandomSeed()).
	Seed int64
	// Dir, when set, keeps the CPF state in a bbolt file there (so a
	// restart reopens it); otherwise in memory (restarts keep the Mem).
	Dir string
	// CPF adjusts the CPF configuration (HNKeys, TTLs, rate limits).
	CPF func(*cpf.Config)
	// Trace receives every event besides the Core's recorder.
	Trace trace.Sink
}

// Core is the network side: NRF, UDR, AAnF and CPF over one mem network.
type Core struct {
	Net      *transport.MemNetwork
	Clock    *clock.Fake
	Trace    *trace.Recorder
	NRF      *nrf.NF
	UDR      *udr.NF
	AAnF     *aanf.NF
	CPF      *cpf.NF
	Profiles *profile.Registry
	// UDRStore and CPFStore are the stores, spied for snapshots.
	UDRStore *SpyStore
	CPFStore *SpyStore
	// Service is where PDs find the CPF.
	Service profile.Service
	// HNKey is the home network Profile A key pair put into packages.
	HNKey *suci.PrivateKey

	opts     Options
	sink     trace.Sink
	rnd      *lockedRand
	nrfRoot  string
	udrRoot  string
	cpfClose func() error
	nextPD   atomic.Uint32
	nextTD   atomic.Uint32
	closers  []func() error
}

type lockedRand struct {
	mu sync.Mutex
	r  *rand.ChaCha8
}

func (l *lockedRand) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// NewCore builds and starts the network side. Close releases it.
func NewCore(ctx context.Context, o Options) (*Core, error) {
	var seed [32]byte
	copy(seed[:], strconv.FormatInt(o.Seed, 10))
	c := &Core{
		Net:   transport.NewMem(transport.MemOptions{}),
		Clock: clock.NewFake(Start),
		opts:  o,
		rnd:   &lockedRand{r: rand.NewChaCha8(seed)},
	}
	c.Trace = trace.NewRecorder(c.Clock)
	c.sink = c.Trace
	if o.Trace != nil {
		c.sink = trace.Tee{c.Trace, o.Trace}
	}
	if err := c.build(ctx); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Core) build(ctx context.Context) error {
	var err error
	c.NRF, err = nrf.New(nrf.Config{}, nrf.Deps{Clock: c.Clock, Trace: c.sink})
	if err != nil {
		return err
	}
	root, closer, err := c.Net.ServeSBI(NRFAddr, c.NRF.Handler())
	if err != nil {
		return err
	}
	c.nrfRoot = root
	c.closers = append(c.closers, closer)

	c.UDRStore = NewSpy(store.NewMem())
	c.UDR, err = udr.New(udr.Config{Store: udr.StoreMem}, udr.Deps{Clock: c.Clock, Trace: c.sink, Store: c.UDRStore})
	if err != nil {
		return err
	}
	c.udrRoot, closer, err = c.Net.ServeSBI(UDRAddr, c.UDR.Handler())
	if err != nil {
		return err
	}
	c.closers = append(c.closers, closer, c.UDR.Close)
	p, err := sbi.Profile(models.NrfNfManagementNfType_UDR, "udr-0001", c.udrRoot, models.ServiceName_NUDR_DR)
	if err != nil {
		return err
	}
	if err := sbi.RegisterNF(ctx, c.Net.SBIClient(UDRAddr), c.nrfRoot, p); err != nil {
		return err
	}

	c.AAnF, err = aanf.New(aanf.Config{Addr: AAnFAddr, InstanceID: "aanf-0001"},
		aanf.Deps{Clock: c.Clock, Trace: c.sink, Net: c.Net, NRF: c.nrfRoot, Rand: c.rnd})
	if err != nil {
		return err
	}
	if err := c.AAnF.Start(ctx); err != nil {
		return err
	}
	c.closers = append(c.closers, c.AAnF.Close)

	c.HNKey, err = suci.GenerateKey(ident.SchemeProfileA, c.rnd)
	if err != nil {
		return err
	}
	var cpfStore store.Store = store.NewMem()
	if c.opts.Dir != "" {
		cpfStore, err = store.Open(filepath.Join(c.opts.Dir, "cpf.db"), store.Options{NoSync: true})
		if err != nil {
			return err
		}
	}
	c.CPFStore = NewSpy(cpfStore)
	c.closers = append(c.closers, func() error { return c.CPFStore.Close() })
	if c.Profiles, err = builtin.Registry(); err != nil {
		return err
	}
	return c.startCPF(ctx)
}

func (c *Core) cpfConfig() cpf.Config {
	cfg := cpf.Config{
		HNKeys: []credential.HNKey{{Scheme: credential.SchemeProfileA, ID: 1, Public: c.HNKey.Public().Bytes()}},
	}
	if c.opts.CPF != nil {
		c.opts.CPF(&cfg)
	}
	return cfg
}

func (c *Core) startCPF(ctx context.Context) error {
	var err error
	c.CPF, err = cpf.New(c.cpfConfig(), cpf.Deps{Clock: c.Clock, Rand: c.rnd, Trace: c.sink, Net: c.Net, NRF: c.nrfRoot, Store: c.CPFStore})
	if err != nil {
		return err
	}
	if err := c.Profiles.MountAll(c.CPF); err != nil {
		return err
	}
	root, closer, err := c.Net.ServeSBI(CPFAddr, c.CPF.Handler())
	if err != nil {
		return err
	}
	c.cpfClose = closer
	c.Service = profile.Service{Root: root + c.CPF.Config().PathRoot, AFID: c.CPF.Config().AFID}
	return c.CPF.Start(ctx)
}

// RestartCPF closes the CPF and builds a new one on the same store (a
// process restart: only the store survives).
// With Options.Dir the bbolt file is closed and reopened.
func (c *Core) RestartCPF(ctx context.Context) error {
	if c.cpfClose != nil {
		_ = c.cpfClose()
		c.cpfClose = nil
	}
	_ = c.CPF.Close()
	if c.opts.Dir != "" {
		_ = c.CPFStore.Store.Close()
		st, err := store.Open(filepath.Join(c.opts.Dir, "cpf.db"), store.Options{NoSync: true})
		if err != nil {
			return err
		}
		c.CPFStore.Store = st
	}
	return c.startCPF(ctx)
}

// CrashCPFStore closes the CPF's store under it, as a crash would: later
// writes fail until RestartCPF (needs Options.Dir).
func (c *Core) CrashCPFStore() error { return c.CPFStore.Store.Close() }

// Close releases everything.
func (c *Core) Close() error {
	var errs []error
	if c.CPF != nil {
		errs = append(errs, c.CPF.Close())
	}
	if c.cpfClose != nil {
		errs = append(errs, c.cpfClose())
	}
	for i := len(c.closers) - 1; i >= 0; i-- {
		errs = append(errs, c.closers[i]())
	}
	errs = append(errs, c.Net.Close())
	return errors.Join(errs...)
}

// Snapshots returns the UDR's and the CPF's store contents.
func (c *Core) Snapshots() (udrSnap, cpfSnap Snapshot, err error) {
	if udrSnap, err = c.UDRStore.Snapshot(); err != nil {
		return nil, nil, err
	}
	cpfSnap, err = c.CPFStore.Snapshot()
	return udrSnap, cpfSnap, err
}

// Rand returns the core's seeded randomness.
func (c *Core) Rand() io.Reader { return c.rnd }

// Subscribe provisions an active subscriber at the UDR (a PD's own
// subscription, or a bystander a PD may try to hijack).
func (c *Core) Subscribe(ctx context.Context, supi string) (subscriber.Subscription, error) {
	var k, opc [16]byte
	_, _ = c.rnd.Read(k[:])
	_, _ = c.rnd.Read(opc[:])
	sub := subscriber.Subscription{SUPI: supi, K: hex.EncodeToString(k[:]), OPc: hex.EncodeToString(opc[:]), AKMA: true}
	sub.ApplyDefaults(subscriber.Defaults{})
	if err := sub.Validate(); err != nil {
		return sub, err
	}
	return sub, c.UDR.Provision(ctx, sub)
}

// PDOptions shape a PD.
type PDOptions struct {
	// Entitlement, when not nil, is stored for the PD at the UDR.
	Entitlement *udr.Entitlement
	// NoAKMA leaves the PD without an AKMA context at the AAnF.
	NoAKMA bool
}

// DefaultEntitlement allows 4 targets in a range of 1000 SUPIs that
// depends on n.
func DefaultEntitlement(n int) *udr.Entitlement {
	start := 1000000 + n*1000
	return &udr.Entitlement{MaxTargets: 4, SupiRanges: []udr.SupiRange{{
		Start: fmt.Sprintf("00101%010d", start), End: fmt.Sprintf("00101%010d", start+999)}}}
}

// NewPD makes a provisioning device: its subscription at the UDR, its
// entitlement, its AKMA keys derived from a fresh KAUSF as the UE and the
// AUSF would (TS 33.535 A.2, A.3, §6.1) and registered at the AAnF with
// Naanf_AKMA_AnchorKey_Register, an HTTP client on the mem network and a
// direct-link endpoint.
func (c *Core) NewPD(ctx context.Context, o PDOptions) (*PD, error) {
	n := int(c.nextPD.Add(1))
	supi := fmt.Sprintf("imsi-00101%010d", n)
	if _, err := c.Subscribe(ctx, supi); err != nil {
		return nil, err
	}
	if o.Entitlement != nil {
		if err := c.UDR.SetEntitlement(ctx, supi, *o.Entitlement); err != nil {
			return nil, err
		}
	}
	addr := netip.AddrFrom4([4]byte{127, 0, 1, byte(n)})
	pd := &PD{core: c, supi: supi, http: c.Net.SBIClient(netip.AddrPortFrom(addr, 40000)),
		dlAddr: netip.AddrPortFrom(addr, transport.PortDL), svc: c.Service}
	if !o.NoAKMA {
		if err := pd.Reauthenticate(ctx); err != nil {
			return nil, err
		}
	}
	return pd, nil
}

// PD is a test provisioning device; it satisfies profile.PD.
type PD struct {
	core   *Core
	supi   string
	http   *http.Client
	dlAddr netip.AddrPort
	svc    profile.Service

	mu    sync.Mutex
	kakma aka.Key256
	akid  string
	ctr   uint64
}

var _ profile.PD = (*PD)(nil)

// Reauthenticate draws a new KAUSF and registers the new AKMA context at
// the AAnF (a new primary authentication): a new A-KID and K_AF.
func (p *PD) Reauthenticate(ctx context.Context) error {
	var kausf aka.Key256
	_, _ = p.core.rnd.Read(kausf[:])
	kakma, err := aka.KAKMA(kausf, p.supi)
	if err != nil {
		return err
	}
	atid, err := aka.ATID(kausf, p.supi)
	if err != nil {
		return err
	}
	akid, err := aka.AKID("0", atid, "5gc.mnc001.mcc001.3gppnetwork.org")
	if err != nil {
		return err
	}
	body := fmt.Sprintf(`{"supi":%q,"aKId":%q,"kAkma":%q}`, p.supi, akid, hex.EncodeToString(kakma[:]))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.core.AAnF.APIRoot()+"/naanf-akma/v1/register-anchorkey", bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	rsp, err := p.core.Net.SBIClient(netip.MustParseAddrPort("127.0.0.9:80")).Do(req)
	if err != nil {
		return err
	}
	_ = rsp.Body.Close()
	if rsp.StatusCode != http.StatusOK {
		return fmt.Errorf("profiletest: AAnF register: %d", rsp.StatusCode)
	}
	p.mu.Lock()
	p.kakma, p.akid = kakma, akid
	p.mu.Unlock()
	return nil
}

// SUPI returns the PD's SUPI.
func (p *PD) SUPI() string { return p.supi }

// CPF returns where the CPF is.
func (p *PD) CPF() profile.Service { return p.svc }

// HTTPClient returns the PD's client on the mem network (its requests come
// from 127.0.1.<n>).
func (p *PD) HTTPClient() *http.Client { return p.http }

// AKMA returns the A-KID and K_AF for afID.
func (p *PD) AKMA(afID string) (provproto.Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.akid == "" {
		return provproto.Credentials{}, errors.New("profiletest: PD has no AKMA context")
	}
	kaf, err := provproto.KAF(p.kakma, afID)
	if err != nil {
		return provproto.Credentials{}, err
	}
	return provproto.Credentials{AKID: p.akid, KAF: kaf}, nil
}

// NextCounter returns the next counter.
func (p *PD) NextCounter() (uint64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ctr++
	return p.ctr, nil
}

// Counter returns the last counter handed out.
func (p *PD) Counter() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ctr
}

// Rand returns the core's randomness.
func (p *PD) Rand() io.Reader { return p.core.rnd }

// RunInitiator runs one direct-link exchange with td over the mem network.
func (p *PD) RunInitiator(ctx context.Context, td profile.TD, cfg dlink.InitiatorConfig) (dlink.Result, error) {
	cfg.Actor = "pd/" + p.supi
	ini, err := dlink.NewInitiator(cfg, dlink.Deps{Rand: p.core.rnd, Clock: p.core.Clock})
	if err != nil {
		return dlink.Result{}, err
	}
	drv, err := link.New(ini, link.Config{Peer: td.DirectLinkAddr(), Actor: cfg.Actor}, link.Deps{Clock: p.core.Clock, Trace: p.core.sink})
	if err != nil {
		return dlink.Result{}, err
	}
	ep, err := p.core.Net.Listen(transport.DL, p.dlAddr, drv.Handler())
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

// TD is a test target device; it satisfies profile.TD.
type TD struct {
	core *Core
	id   credential.Identity
	addr netip.AddrPort

	mu      sync.Mutex
	resp    *dlink.Responder
	drv     *link.Driver
	results []dlink.Result
}

var _ profile.TD = (*TD)(nil)

// NewTD makes a target device with a fresh bootstrap identity.
func (c *Core) NewTD() (*TD, error) {
	n := int(c.nextTD.Add(1))
	id, err := credential.NewIdentity(c.rnd, fmt.Sprintf("td-%04d", n))
	if err != nil {
		return nil, err
	}
	addr := netip.AddrFrom4([4]byte{127, 0, 2, byte(n)})
	return &TD{core: c, id: id, addr: netip.AddrPortFrom(addr, transport.PortDL)}, nil
}

// Identity returns the TD's factory identity (bootstrap private key included).
func (t *TD) Identity() credential.Identity { return t.id }

// Bootstrap returns the bootstrap information.
func (t *TD) Bootstrap() credential.Bootstrap { return t.id.Bootstrap() }

// DirectLinkAddr returns the responder's address.
func (t *TD) DirectLinkAddr() netip.AddrPort { return t.addr }

// ArmResponder (re)starts the responder speaking variant.
func (t *TD) ArmResponder(variant dlink.Variant) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	cfg := dlink.ResponderConfig{Variant: variant, Identity: t.id, Actor: "td/" + t.id.DeviceID}
	if t.resp != nil {
		if pkg, ok := t.resp.Credential(); ok {
			cfg.Installed = &pkg
		}
		cfg.Counter = t.resp.Counter()
	}
	if t.drv != nil {
		_ = t.drv.Close()
		t.drv = nil
	}
	r, err := dlink.NewResponder(cfg, dlink.Deps{Rand: t.core.rnd, Clock: t.core.Clock})
	if err != nil {
		return err
	}
	drv, err := link.New(r, link.Config{Actor: cfg.Actor, OnResult: func(res dlink.Result) {
		t.mu.Lock()
		t.results = append(t.results, res)
		t.mu.Unlock()
	}}, link.Deps{Clock: t.core.Clock, Trace: t.core.sink})
	if err != nil {
		return err
	}
	ep, err := t.core.Net.Listen(transport.DL, t.addr, drv.Handler())
	if err != nil {
		return err
	}
	drv.Attach(ep)
	if err := drv.Start(context.Background()); err != nil {
		_ = drv.Close()
		return err
	}
	t.resp, t.drv = r, drv
	return nil
}

// Credential returns the installed credential.
func (t *TD) Credential() (credential.Package, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.resp == nil {
		return credential.Package{}, false
	}
	var pkg credential.Package
	var ok bool
	t.drv.Do(func() dlink.Output {
		pkg, ok = t.resp.Credential()
		return dlink.Output{}
	})
	return pkg, ok
}

// Close stops the responder.
func (t *TD) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.drv == nil {
		return nil
	}
	err := t.drv.Close()
	t.drv = nil
	return err
}

// SecureURL returns the URL of path under the secure profile's root.
func (p *PD) URL(profileName, path string) string { return p.svc.URL(profileName) + path }

// Secure sends one request of the secure protocol from the PD, as a test
// plays the PD: MACed under its K_AF with counter ctr (0 takes the next
// one), altered as o asks. It returns the answer and the Authorization it
// signed (honest values, for checking the response MAC).
func (p *PD) Secure(ctx context.Context, method, path string, body []byte, ctr uint64, o provproto.EncodeOptions) (profile.Answer, provproto.Auth, error) {
	creds, err := p.AKMA(p.svc.AFID)
	if err != nil {
		return profile.Answer{}, provproto.Auth{}, err
	}
	if ctr == 0 {
		ctr, _ = p.NextCounter()
	}
	u := p.URL("secure", path)
	target, err := profile.RequestTarget(u)
	if err != nil {
		return profile.Answer{}, provproto.Auth{}, err
	}
	sent := provproto.SignRequest(creds, ctr, provproto.Request{Method: method, Path: target, Body: body}, o)
	ans, err := profile.Send(ctx, p.http, method, u, body, map[string]string{provproto.HeaderAuthorization: sent.Header()})
	honest := sent
	honest.AKID, honest.Counter = creds.AKID, ctr
	return ans, honest, err
}

// Raw sends a request with the given headers only (no protection): what an
// attacker without keys, or a baseline PD, sends.
func (p *PD) Raw(ctx context.Context, profileName, method, path string, body []byte, header map[string]string) (profile.Answer, error) {
	return profile.Send(ctx, p.http, method, p.URL(profileName, path), body, header)
}

// KAF returns the PD's current K_AF for the CPF (to check response MACs).
func (p *PD) KAF() (aka.Key256, error) {
	c, err := p.AKMA(p.svc.AFID)
	return c.KAF, err
}

// Open opens a sealed credential with the TD's bootstrap private key, as
// the TD does.
func (t *TD) Open(sealed []byte) (credential.Package, error) {
	return credential.Open(t.id.Key, credential.SealAAD(t.id.DeviceID, t.id.Bootstrap().Hash()), sealed)
}

// Results returns the responder's exchange results so far.
func (t *TD) Results() []dlink.Result {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]dlink.Result(nil), t.results...)
}
