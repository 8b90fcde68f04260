package testbed

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/credbed/credbed/internal/capture"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/dn"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/store"
	"github.com/credbed/credbed/internal/suci"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/aanf"
	"github.com/credbed/credbed/nf/amf"
	"github.com/credbed/credbed/nf/ausf"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/nf/nrf"
	"github.com/credbed/credbed/nf/smf"
	"github.com/credbed/credbed/nf/udm"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/nf/upf"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/scenarios/profile/builtin"
	"github.com/credbed/credbed/ue/gnb"
	"github.com/free5gc/openapi/models"
)

// Bed is one running emulated system.
type Bed struct {
	Topo    Topology
	Plan    Plan
	Net     transport.Network
	Clock   clock.Clock
	Trace   *trace.Recorder
	Sink    trace.Sink
	Log     *slog.Logger
	Capture *capture.Writer
	Store   store.Store

	NRF  *nrf.NF
	UDR  *udr.NF
	UDM  *udm.NF
	AUSF *ausf.NF
	AANF *aanf.NF
	UPF  *upf.UPF
	DN   *dn.DN
	SMF  *smf.SMF
	AMF  *amf.NF
	CPF  *cpf.NF
	// Profiles are the solution profiles whose network halves the CPF serves.
	Profiles *profile.Registry
	GNBs     []*gnb.GNB

	// HNKeys are the home network SUCI key pairs (Profile A id 1, Profile B id 2).
	HNKeys map[ident.ProtectionScheme]*suci.PrivateKey

	nrfRoot string
	udrRoot string

	rngMu sync.Mutex
	rng   *rand.ChaCha8

	ueCounter atomic.Uint64

	// roles is the bookkeeping of the device roles and the CPF front
	// (lifecycle.go).
	roles roleState

	closers []func() error
	release func()
	closed  bool
}

// New builds and starts a bed. On error everything already started is
// closed. In net mode a plan whose addresses are taken by another process
// is skipped and the next one tried.
func New(ctx context.Context, topo Topology) (*Bed, error) {
	if err := topo.Validate(); err != nil {
		return nil, err
	}
	skip := map[byte]bool{}
	for attempt := 0; ; attempt++ {
		plan, release, err := newPlan(topo.Mode, skip)
		if err != nil {
			return nil, err
		}
		b, err := newBed(ctx, topo, plan, release)
		if err == nil || topo.Mode != "net" || attempt >= 8 || !addrInUse(err) {
			return b, err
		}
		skip[plan.octet] = true
	}
}

func addrInUse(err error) bool {
	return errors.Is(err, transport.ErrAddrInUse) || errors.Is(err, syscall.EADDRINUSE)
}

func newBed(ctx context.Context, topo Topology, plan Plan, release func()) (b *Bed, err error) {
	var seed [32]byte
	for i := 0; i < 8; i++ {
		seed[i] = byte(uint64(topo.Seed) >> (8 * i))
	}
	copy(seed[8:], topo.Name)
	b = &Bed{
		Topo:    topo,
		Plan:    plan,
		Clock:   topo.Clock,
		Log:     slog.New(slog.DiscardHandler),
		rng:     rand.NewChaCha8(seed),
		release: release,
	}
	defer func() {
		if err != nil {
			_ = b.Close()
			b = nil
		}
	}()
	if b.Clock == nil {
		b.Clock = clock.Real{}
	}
	b.Trace = trace.NewRecorder(b.Clock)
	b.Trace.SetLimit(topo.TraceLimit)
	b.Sink = b.Trace
	if topo.NoTrace {
		b.Sink = trace.Discard
	}
	if topo.Mode == "net" {
		n := transport.NewNet(transport.NetOptions{Logger: b.Log})
		b.Net = n
	} else {
		b.Net = transport.NewMem(transport.MemOptions{})
	}
	b.onClose(b.Net.Close)
	if topo.OnNetwork != nil {
		topo.OnNetwork(b.Net, b.Clock)
	}
	if topo.Capture != "" {
		w, err := capture.Create(topo.Capture, capture.Config{}, capture.Deps{Clock: b.Clock})
		if err != nil {
			return nil, fmt.Errorf("testbed: capture: %w", err)
		}
		b.Capture = w
		remove := w.Install(b.Net.Chain())
		b.onClose(func() error { remove(); return w.Close() })
	}
	if err := b.startStore(); err != nil {
		return nil, err
	}
	if err := b.startCore(ctx); err != nil {
		return nil, err
	}
	return b, nil
}

// Rand returns the bed's seeded random source (safe for concurrent use).
func (b *Bed) Rand() io.Reader { return lockedReader{b} }

type lockedReader struct{ b *Bed }

func (r lockedReader) Read(p []byte) (int, error) {
	r.b.rngMu.Lock()
	defer r.b.rngMu.Unlock()
	return r.b.rng.Read(p)
}

func (b *Bed) onClose(f func() error) { b.closers = append(b.closers, f) }

// Close stops every NF in reverse start order and releases the addresses.
func (b *Bed) Close() error {
	if b == nil || b.closed {
		return nil
	}
	b.closed = true
	var errs []error
	for i := len(b.closers) - 1; i >= 0; i-- {
		if err := b.closers[i](); err != nil && !errors.Is(err, transport.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if b.release != nil {
		b.release()
	}
	return errors.Join(errs...)
}

func (b *Bed) startStore() error {
	if b.Topo.StorePath == "" {
		b.Store = store.NewMem()
	} else {
		s, err := store.Open(b.Topo.StorePath, store.Options{NoSync: b.Topo.StoreNoSync})
		if err != nil {
			return fmt.Errorf("testbed: store: %w", err)
		}
		b.Store = s
	}
	b.onClose(b.Store.Close)
	return nil
}

// serve serves h as an SBI server of the NF at host and returns its apiRoot.
func (b *Bed) serve(host byte, h http.Handler) (string, error) {
	root, closer, err := b.Net.ServeSBI(b.Plan.SBI(host, b.Topo.Mode), h)
	if err != nil {
		return "", err
	}
	b.onClose(closer)
	return root, nil
}

func (b *Bed) startCore(ctx context.Context) error {
	var err error
	b.NRF, err = nrf.New(nrf.Config{}, nrf.Deps{Clock: b.Clock, Trace: b.Sink, Logger: b.Log})
	if err != nil {
		return err
	}
	if b.nrfRoot, err = b.serve(hostNRF, b.NRF.Handler()); err != nil {
		return err
	}
	if err := b.NRF.Start(ctx); err != nil {
		return err
	}
	b.onClose(b.NRF.Close)

	udrAddr := b.Plan.SBI(hostUDR, b.Topo.Mode)
	b.UDR, err = udr.New(udr.Config{Store: udr.StoreMem}, udr.Deps{Clock: b.Clock, Trace: b.Sink, Logger: b.Log, Store: b.Store,
		HTTP: b.Net.SBIClient(udrAddr)})
	if err != nil {
		return err
	}
	if b.udrRoot, err = b.serve(hostUDR, b.UDR.Handler()); err != nil {
		return err
	}
	if err := b.UDR.Start(ctx); err != nil {
		return err
	}
	b.onClose(b.UDR.Close)
	prof, err := sbi.Profile(models.NrfNfManagementNfType_UDR, "00000000-0000-4000-8000-0000000000d4", b.udrRoot, models.ServiceName_NUDR_DR)
	if err != nil {
		return err
	}
	if _, _, pd := b.NRF.Register(ctx, prof.NfInstanceId, prof); pd != nil {
		return fmt.Errorf("testbed: register UDR at NRF: %s", pd.Detail)
	}
	for _, s := range b.Topo.Subscribers {
		if err := b.UDR.Provision(ctx, s); err != nil {
			return fmt.Errorf("testbed: load subscriber %s: %w", s.SUPI, err)
		}
	}

	if err := b.startHome(ctx); err != nil {
		return err
	}

	upfAddr := b.Plan.NF(hostUPF)
	dnAddr := b.Plan.NF(hostDN)
	b.UPF, err = upf.New(upf.Config{
		N3Addr: netip.AddrPortFrom(upfAddr, transport.PortGTPU),
		N4Addr: netip.AddrPortFrom(upfAddr, transport.PortPFCP),
		N6Addr: netip.AddrPortFrom(upfAddr, upf.DefaultN6Port),
		DN:     netip.AddrPortFrom(dnAddr, dn.DefaultN6Port),
	}, upf.Deps{Net: b.Net, Clock: b.Clock, Rand: b.Rand(), Logger: b.Log, Trace: b.Sink})
	if err != nil {
		return err
	}
	if err := b.UPF.Start(ctx); err != nil {
		return err
	}
	b.onClose(b.UPF.Close)

	b.DN, err = dn.New(dn.Config{
		N6Addr: netip.AddrPortFrom(dnAddr, dn.DefaultN6Port),
		UPF:    netip.AddrPortFrom(upfAddr, upf.DefaultN6Port),
	}, dn.Deps{Net: b.Net, Logger: b.Log, Trace: b.Sink})
	if err != nil {
		return err
	}
	if err := b.DN.Start(ctx); err != nil {
		return err
	}
	b.onClose(b.DN.Close)
	if err := b.startCPF(ctx); err != nil {
		return err
	}

	pool, err := netip.ParsePrefix(b.Topo.Pool)
	if err != nil {
		return fmt.Errorf("%w: pool %q", ErrTopology, b.Topo.Pool)
	}
	smfAddr := b.Plan.NF(hostSMF)
	b.SMF, err = smf.New(smf.Config{
		Addr:      b.Plan.SBI(hostSMF, b.Topo.Mode),
		N4Addr:    netip.AddrPortFrom(smfAddr, transport.PortPFCP),
		UPFN4Addr: netip.AddrPortFrom(upfAddr, transport.PortPFCP),
		UPFN3Addr: upfAddr,
		DNNs:      []smf.DNN{{Name: b.Topo.DNN, Pool: pool}},
	}, smf.Deps{Clock: b.Clock, Rand: b.Rand(), Logger: b.Log, Trace: b.Sink, Net: b.Net, NRF: b.nrfRoot})
	if err != nil {
		return err
	}
	if err := b.SMF.Start(ctx); err != nil {
		return err
	}
	b.onClose(b.SMF.Close)
	return b.startAccess(ctx)
}

// PLMN returns the bed's PLMN.
func (b *Bed) PLMN() ident.PLMN { return ident.PLMN{MCC: b.Topo.MCC, MNC: b.Topo.MNC} }

// startAccess starts the AMF and the gNBs.
func (b *Bed) startAccess(ctx context.Context) error {
	cfg := amf.Config{NRF: b.nrfRoot}
	cfg.PLMN = b.PLMN()
	cfg.TACs = []uint32{b.Topo.TAC}
	cfg.DeregistrationCause = b.Topo.DeregCause
	cfg.RejectCauses = map[string]uint8{
		"USER_NOT_FOUND":                b.Topo.RejectCause,
		"AUTHENTICATION_REJECTED":       b.Topo.RejectCause,
		"UNSUPPORTED_PROTECTION_SCHEME": b.Topo.RejectCause,
		"404":                           b.Topo.RejectCause,
		"403":                           b.Topo.RejectCause,
	}
	amfIP := b.Plan.NF(hostAMF)
	cfg.N2Addr = netip.AddrPortFrom(amfIP, transport.PortNGAP)
	cfg.SBIAddr = b.Plan.SBI(hostAMF, b.Topo.Mode)
	a, err := amf.New(cfg, amf.Deps{Net: b.Net, Clock: b.Clock, Rand: b.Rand(), Trace: b.Sink, Logger: b.Log})
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		return err
	}
	b.AMF = a
	b.onClose(a.Close)
	for i := 0; i < b.Topo.GNBs; i++ {
		ip := b.Plan.GNB(i)
		g, err := gnb.New(gnb.Config{
			Name:    fmt.Sprintf("gnb-%d", i+1),
			PLMN:    b.PLMN(),
			GNBID:   uint32(i + 1),
			TAC:     b.Topo.TAC,
			N2Addr:  netip.AddrPortFrom(ip, transport.PortNGAP),
			AMFAddr: a.N2Addr(),
			N3Addr:  netip.AddrPortFrom(ip, transport.PortGTPU),
		}, gnb.Deps{Net: b.Net, Rand: b.Rand(), Logger: b.Log, Trace: b.Sink})
		if err != nil {
			return err
		}
		b.onClose(g.Close)
		if err := g.Start(ctx); err != nil {
			return fmt.Errorf("testbed: gNB %d: %w", i+1, err)
		}
		b.GNBs = append(b.GNBs, g)
	}
	return nil
}

// ServingNetworkName is the bed's SNN (3-digit MNC, TS 24.501 §9.12.1).
func (b *Bed) ServingNetworkName() string {
	p, err := ident.NewPLMN(b.Topo.MCC, b.Topo.MNC)
	if err != nil {
		return ""
	}
	return p.ServingNetworkName()
}

// startHome starts the UDM, AUSF and AAnF with freshly drawn home network keys.
func (b *Bed) startHome(ctx context.Context) error {
	b.HNKeys = map[ident.ProtectionScheme]*suci.PrivateKey{}
	var hn []udm.HomeNetworkKey
	for _, k := range []struct {
		scheme ident.ProtectionScheme
		id     uint8
	}{{ident.SchemeProfileA, 1}, {ident.SchemeProfileB, 2}} {
		priv, err := suci.GenerateKey(k.scheme, b.Rand())
		if err != nil {
			return err
		}
		b.HNKeys[k.scheme] = priv
		hn = append(hn, udm.HomeNetworkKey{Scheme: k.scheme, ID: k.id, PrivateKey: hex.EncodeToString(priv.Bytes())})
	}
	var err error
	b.UDM, err = udm.New(udm.Config{Addr: b.Plan.SBI(hostUDM, b.Topo.Mode), HomeNetworkKeys: hn, HomePLMN: b.Topo.PLMNString()},
		udm.Deps{Clock: b.Clock, Rand: b.Rand(), Logger: b.Log, Trace: b.Sink, Net: b.Net, NRF: b.nrfRoot})
	if err != nil {
		return err
	}
	if err := b.UDM.Start(ctx); err != nil {
		return err
	}
	b.onClose(b.UDM.Close)

	b.AANF, err = aanf.New(aanf.Config{Addr: b.Plan.SBI(hostAANF, b.Topo.Mode)},
		aanf.Deps{Clock: b.Clock, Rand: b.Rand(), Logger: b.Log, Trace: b.Sink, Net: b.Net, NRF: b.nrfRoot})
	if err != nil {
		return err
	}
	if err := b.AANF.Start(ctx); err != nil {
		return err
	}
	b.onClose(b.AANF.Close)

	b.AUSF, err = ausf.New(ausf.Config{Addr: b.Plan.SBI(hostAUSF, b.Topo.Mode), ServingNetworks: []string{b.ServingNetworkName()},
		MNCLength: len(b.Topo.MNC)},
		ausf.Deps{Clock: b.Clock, Rand: b.Rand(), Logger: b.Log, Trace: b.Sink, Net: b.Net, NRF: b.nrfRoot})
	if err != nil {
		return err
	}
	if err := b.AUSF.Start(ctx); err != nil {
		return err
	}
	b.onClose(b.AUSF.Close)
	return nil
}

// startCPF starts the Credential Provisioning Function, serves every
// registered profile's network half in the data network.
func (b *Bed) startCPF(ctx context.Context) error {
	reg := b.Topo.Profiles
	if reg == nil {
		var err error
		if reg, err = builtin.Registry(); err != nil {
			return err
		}
	}
	b.Profiles = reg
	var keys []credential.HNKey
	for _, sch := range []ident.ProtectionScheme{ident.SchemeProfileA, ident.SchemeProfileB} {
		if k, ok := b.HNKeys[sch]; ok {
			keys = append(keys, credential.HNKey{Scheme: credential.Scheme(sch), ID: b.HNKeyID(sch), Public: k.Public().Bytes()})
		}
	}
	b.roles.cpfConfig = cpf.Config{
		PLMN:         b.PLMN(),
		HNKeys:       keys,
		TargetDNNs:   []string{b.Topo.DNN},
		ProvisionTTL: b.Topo.PendingTTL,
		SBIAddr:      b.Plan.SBI(hostCPF, b.Topo.Mode),
	}
	if b.Topo.CPF != nil {
		b.Topo.CPF(&b.roles.cpfConfig)
	}
	c, err := b.newCPF()
	if err != nil {
		return err
	}
	b.CPF = c
	b.roles.cpf.Store(c)
	b.onClose(b.closeCPF)
	// The data network serves whichever CPF is current (RestartCPF).
	if err := b.DN.Handle(c.Config().PathRoot+"/", http.HandlerFunc(b.serveCPF)); err != nil {
		return err
	}
	return c.Start(ctx)
}
