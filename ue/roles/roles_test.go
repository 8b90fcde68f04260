package roles_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/dlink"
	"github.com/credbed/credbed/ue/gmm"
	"github.com/credbed/credbed/ue/roles"
	"github.com/credbed/credbed/ue/usim"
)

// guard bounds waits on the mem network's delivery goroutines (a hang
// guard, never a timing assertion).
const guard = 10 * time.Second

var (
	plmn   = ident.PLMN{MCC: "001", MNC: "01"}
	pdAddr = netip.MustParseAddrPort("127.0.3.1:47800")
	tdAddr = netip.MustParseAddrPort("127.0.3.2:47800")
)

type lockedRand struct {
	mu sync.Mutex
	r  *rand.ChaCha8
}

func (l *lockedRand) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// env is a mem network, a fake clock and a recorder: the direct link
// between a PD and a TD, without a core network (the PD's UE is never
// registered here; the testbed's specs run the whole flow).
type env struct {
	net transport.Network
	clk *clock.Fake
	rec *trace.Recorder
	rnd *lockedRand
	id  credential.Identity
	pkg credential.Package
}

func newEnv(mode ...string) *env {
	var s [32]byte
	binary.BigEndian.PutUint64(s[:], uint64(GinkgoRandomSeed()))
	var nw transport.Network = transport.NewMem(transport.MemOptions{})
	if len(mode) > 0 && mode[0] == "net" {
		nw = transport.NewNet(transport.NetOptions{})
	}
	e := &env{net: nw, clk: clock.NewFake(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)),
		rnd: &lockedRand{r: rand.NewChaCha8(s)}}
	e.rec = trace.NewRecorder(e.clk)
	DeferCleanup(e.net.Close)
	var err error
	e.id, err = credential.NewIdentity(e.rnd, "td-0001")
	Expect(err).NotTo(HaveOccurred())
	e.pkg = credential.Package{
		SUPI: ident.SUPI{Type: ident.SUPITypeIMSI, Value: "001010000000042"},
		K:    [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, OPc: [16]byte{0x99}, AMF: credential.DefaultAMF(),
		RoutingIndicator: "0", PLMN: plmn,
		Binding: credential.Binding{TargetID: "td-0001", PDID: "imsi-001010000000001", Counter: 1, Expiry: e.clk.Now().Add(time.Hour)},
	}
	return e
}

func (e *env) newUE(cred *usim.Credential) *ue.UE {
	u, err := ue.New(ue.Config{Credential: cred, GMM: gmm.Config{ServingPLMN: plmn}}, ue.Deps{Clock: e.clk, Rand: e.rnd, Trace: e.rec})
	Expect(err).NotTo(HaveOccurred())
	return u
}

func (e *env) deps(u *ue.UE) roles.Deps {
	return roles.Deps{UE: u, Net: e.net, Clock: e.clk, Rand: e.rnd, Trace: e.rec}
}

func (e *env) newPD(o ...func(*roles.PDConfig, *roles.Deps)) *roles.ProvisioningDevice {
	cred := usim.Credential{SUPI: ident.SUPI{Type: ident.SUPITypeIMSI, Value: "001010000000001"}, K: aka.Key128{1}, OPc: aka.Key128{2},
		AMF: credential.DefaultAMF(), PLMN: plmn}
	cfg := roles.PDConfig{CPF: profile.Service{Root: "http://10.100.0.1/cpf", AFID: "cpf.credbed.test"}, PLMN: plmn, DirectLink: pdAddr}
	d := e.deps(e.newUE(&cred))
	for _, f := range o {
		f(&cfg, &d)
	}
	pd, err := roles.NewProvisioningDevice(cfg, d)
	Expect(err).NotTo(HaveOccurred())
	Expect(pd.Start(context.Background())).To(Succeed())
	DeferCleanup(pd.Close)
	return pd
}

func (e *env) newTD(o ...func(*roles.TDConfig)) *roles.TargetDevice {
	cfg := roles.TDConfig{Identity: e.id, DirectLink: tdAddr}
	for _, f := range o {
		f(&cfg)
	}
	td, err := roles.NewTargetDevice(cfg, e.deps(e.newUE(nil)))
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(td.Close)
	return td
}

func (e *env) secureConfig(pkg credential.Package) dlink.InitiatorConfig {
	bs := e.id.Bootstrap()
	sealed, err := credential.Seal(e.rnd, bs.Key, credential.SealAAD(bs.DeviceID, bs.Hash()), pkg)
	Expect(err).NotTo(HaveOccurred())
	return dlink.InitiatorConfig{Variant: dlink.Secure, Target: bs, Sealed: sealed, Binding: pkg.Binding}
}

func run(pd *roles.ProvisioningDevice, td *roles.TargetDevice, cfg dlink.InitiatorConfig) dlink.Result {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	res, err := pd.RunInitiator(ctx, td, cfg)
	Expect(err).NotTo(HaveOccurred())
	return res
}

var _ = Describe("Target device", func() {
	var e *env
	BeforeEach(func() { e = newEnv() })

	// Reference: DESIGN step 6; TR 33.899 KI #12.2 R1; 3gpp.md §5.4 (sealed package, proof of possession)
	DescribeTable("installs a securely delivered credential in its USIM before answering with the proof of possession", func(mode string) {
		if mode == "net" {
			e = newEnv("net")
		}
		pd, td := e.newPD(), e.newTD()
		Expect(td.ArmResponder(dlink.Secure)).To(Succeed())
		res := run(pd, td, e.secureConfig(e.pkg))
		Expect(res.OK()).To(BeTrue(), "%v %s", res.Status, res.Reason)
		Expect(credential.VerifyProof(e.pkg, res.Proof)).To(BeTrue())
		Expect(td.UE().HasCredential()).To(BeTrue())
		Expect(td.UE().SUPI()).To(Equal(e.pkg.SUPI))
		Expect(td.UE().Name()).To(Equal("ue/imsi-001010000000042"))
		got, ok := td.Credential()
		Expect(ok).To(BeTrue())
		Expect(got.Equal(e.pkg)).To(BeTrue())
		Expect(td.SUPI()).To(Equal("imsi-001010000000042"))
		Expect(td.Counter()).To(Equal(uint64(1)))
		installed := e.rec.Filter(trace.Match(trace.Event{Kind: trace.KindKey, Actor: "td/td-0001", Name: roles.EvInstalled}))
		Expect(installed).To(HaveLen(1))
		Expect(installed[0].SUPI).To(Equal("imsi-001010000000042"))
		// Keys never reach the trace.
		for _, ev := range e.rec.Events() {
			Expect(ev.Detail).NotTo(ContainSubstring("0102030405060708"))
		}
	}, Entry("mem", "mem"), Entry("net (UDP on loopback)", Serial, "net"))

	// Reference: DESIGN solution profiles (baseline: plaintext delivery); 3gpp.md §6.1 D1
	It("installs a baseline credential sent in clear", func() {
		pd, td := e.newPD(), e.newTD()
		Expect(td.ArmResponder(dlink.Baseline)).To(Succeed())
		pkg := e.pkg
		res := run(pd, td, dlink.InitiatorConfig{Variant: dlink.Baseline, Package: &pkg})
		Expect(res.OK()).To(BeTrue())
		Expect(td.UE().SUPI()).To(Equal(e.pkg.SUPI))
	})

	// Reference: 3gpp.md §6.2 N5 (nothing half-installed); TR 33.899 KI #12.2 R1
	It("withholds the proof and wipes the responder when the USIM refuses the credential", func() {
		pd, td := e.newPD(), e.newTD()
		Expect(td.ArmResponder(dlink.Secure)).To(Succeed())
		bad := e.pkg.Clone()
		// A Profile B key that is not a curve point: the package is well
		// formed, the USIM cannot conceal with it.
		bad.HNKeys = []credential.HNKey{{Scheme: credential.SchemeProfileB, ID: 2, Public: append([]byte{2}, bytes.Repeat([]byte{0xff}, 32)...)}}
		cfg := e.secureConfig(bad)
		cfg.Retries = -1
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan dlink.Result, 1)
		go func() {
			res, _ := pd.RunInitiator(ctx, td, cfg)
			done <- res
		}()
		// The PD hears nothing back and times out on the fake clock.
		Eventually(func() int {
			return e.rec.Count(trace.Match(trace.Event{Actor: "td/td-0001", Name: roles.EvInstallFailed}))
		}, guard).Should(Equal(1))
		for len(done) == 0 {
			e.clk.Advance(time.Second)
			Eventually(func() bool { return len(done) > 0 || e.clk.Pending() > 0 }, guard).Should(BeTrue())
		}
		res := <-done
		Expect(res.Status).To(Equal(dlink.StatusTimeout))
		Expect(td.UE().HasCredential()).To(BeFalse())
		_, ok := td.Credential()
		Expect(ok).To(BeFalse())
		Expect(td.InstallError()).To(MatchError(usim.ErrInvalidCredential))
		Expect(td.Results()).To(ContainElement(HaveField("Status", dlink.StatusConfigureFailure)))
		Expect(e.rec.Count(trace.Match(trace.Event{Kind: trace.KindMessage, Actor: "td/td-0001", Name: "ProofOfPossession"}))).To(BeZero())
	})

	// Reference: 3gpp.md §6.7 L3 (factory reset), §6.1 D5 (the counter survives the reset), D9
	It("keeps its credential across re-arming, refuses a second PD, and forgets the credential on factory reset", func() {
		pd, td := e.newPD(), e.newTD()
		Expect(td.ArmResponder(dlink.Secure)).To(Succeed())
		Expect(run(pd, td, e.secureConfig(e.pkg)).OK()).To(BeTrue())
		Expect(td.ArmResponder(dlink.Secure)).To(Succeed())
		_, ok := td.Credential()
		Expect(ok).To(BeTrue())
		second := e.pkg.Clone()
		second.Binding.Counter = 2
		second.SUPI.Value = "001010000000043"
		Expect(run(pd, td, e.secureConfig(second)).Status).To(Equal(dlink.StatusAlreadyProvisioned))
		Expect(td.UE().SUPI()).To(Equal(e.pkg.SUPI))

		td.FactoryReset()
		Expect(td.UE().HasCredential()).To(BeFalse())
		_, ok = td.Credential()
		Expect(ok).To(BeFalse())
		Expect(td.Counter()).To(Equal(uint64(1)))
		// The old package cannot be rolled back in.
		Expect(run(pd, td, e.secureConfig(e.pkg)).Status).To(Equal(dlink.StatusReplay))
		Expect(run(pd, td, e.secureConfig(second)).OK()).To(BeTrue())
		Expect(td.UE().SUPI()).To(Equal(second.SUPI))
	})

	// Reference: 3gpp.md §6.7 L3 (a reset done on the UE alone still empties the responder)
	It("follows a factory reset made on its UE directly", func() {
		pd, td := e.newPD(), e.newTD()
		Expect(td.ArmResponder(dlink.Secure)).To(Succeed())
		Expect(run(pd, td, e.secureConfig(e.pkg)).OK()).To(BeTrue())
		td.UE().FactoryReset()
		_, ok := td.Credential()
		Expect(ok).To(BeFalse())
		second := e.pkg.Clone()
		second.Binding.Counter = 2
		Expect(run(pd, td, e.secureConfig(second)).OK()).To(BeTrue())
	})

	It("binds its endpoint only while armed", func() {
		pd, td := e.newPD(), e.newTD()
		_, armed := td.Armed()
		Expect(armed).To(BeFalse())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := pd.RunInitiator(ctx, td, e.secureConfig(e.pkg))
		Expect(err).To(MatchError(context.Canceled))
		Expect(td.ArmResponder(dlink.Baseline)).To(Succeed())
		v, armed := td.Armed()
		Expect(armed).To(BeTrue())
		Expect(v).To(Equal(dlink.Baseline))
		Expect(td.Disarm()).To(Succeed())
		_, armed = td.Armed()
		Expect(armed).To(BeFalse())
		// The address is free again.
		ep, err := e.net.Listen(transport.DL, tdAddr, func(netip.AddrPort, []byte) {})
		Expect(err).NotTo(HaveOccurred())
		Expect(ep.Close()).To(Succeed())
	})

	It("refuses a UE that already holds a credential and a bad configuration", func() {
		cred := usim.Credential{SUPI: e.pkg.SUPI, K: aka.Key128{1}, OPc: aka.Key128{2}, AMF: credential.DefaultAMF(), PLMN: plmn}
		_, err := roles.NewTargetDevice(roles.TDConfig{Identity: e.id, DirectLink: tdAddr}, e.deps(e.newUE(&cred)))
		Expect(err).To(MatchError(roles.ErrSlotFilled))
		_, err = roles.NewTargetDevice(roles.TDConfig{Identity: e.id}, e.deps(e.newUE(nil)))
		Expect(err).To(MatchError(roles.ErrConfig))
		_, err = roles.NewTargetDevice(roles.TDConfig{DirectLink: tdAddr}, e.deps(e.newUE(nil)))
		Expect(err).To(MatchError(roles.ErrConfig))
		_, err = roles.NewTargetDevice(roles.TDConfig{Identity: e.id, DirectLink: tdAddr}, roles.Deps{Net: e.net, Clock: e.clk})
		Expect(err).To(MatchError(roles.ErrConfig))
	})

	It("describes itself without secrets", func() {
		td := e.newTD()
		Expect(td.String()).To(ContainSubstring("td-0001"))
		Expect(td.BootstrapURI()).To(HavePrefix("DPP:"))
		b, err := credential.ParseURI(td.BootstrapURI())
		Expect(err).NotTo(HaveOccurred())
		Expect(b.Hash()).To(Equal(td.Bootstrap().Hash()))
	})
})

var _ = Describe("Provisioning device", func() {
	var e *env
	BeforeEach(func() { e = newEnv() })

	// Reference: 3gpp.md §6.2 N3, §6.3 X2 (counters strictly increase); §6.6 S4
	It("hands out strictly increasing counters, saved before use, across a restart", func() {
		store := roles.NewMemCounter(41)
		pd := e.newPD(func(_ *roles.PDConfig, d *roles.Deps) { d.Counter = store })
		Expect(pd.Counter()).To(Equal(uint64(41)))
		for want := uint64(42); want < 45; want++ {
			v, err := pd.NextCounter()
			Expect(err).NotTo(HaveOccurred())
			Expect(v).To(Equal(want))
			saved, _ := store.Load()
			Expect(saved).To(Equal(want), "saved before it is returned")
		}
		Expect(pd.Close()).To(Succeed())
		again := e.newPD(func(_ *roles.PDConfig, d *roles.Deps) { d.Counter = store })
		v, err := again.NextCounter()
		Expect(err).NotTo(HaveOccurred())
		Expect(v).To(Equal(uint64(45)))
		Expect(store.Saves()).To(Equal(uint64(4)))
	})

	It("keeps its counter in a file", func() {
		fc := roles.FileCounter{Path: filepath.Join(GinkgoT().TempDir(), "pd.ctr"), NoSync: true}
		pd := e.newPD(func(_ *roles.PDConfig, d *roles.Deps) { d.Counter = fc })
		for range 3 {
			_, err := pd.NextCounter()
			Expect(err).NotTo(HaveOccurred())
		}
		v, err := fc.Load()
		Expect(err).NotTo(HaveOccurred())
		Expect(v).To(Equal(uint64(3)))
	})

	It("refuses to hand out a counter it could not save", func() {
		fc := roles.FileCounter{Path: filepath.Join(GinkgoT().TempDir(), "missing", "pd.ctr")}
		pd := e.newPD(func(_ *roles.PDConfig, d *roles.Deps) { d.Counter = fc })
		_, err := pd.NextCounter()
		Expect(err).To(MatchError(roles.ErrCounter))
		Expect(pd.Counter()).To(BeZero())
	})

	// Reference: TS 33.535 §6.1 (AKMA keys only after a primary authentication)
	It("has no AKMA keys and no HTTP client before registration", func() {
		pd := e.newPD()
		_, err := pd.AKMA("cpf.credbed.test")
		Expect(err).To(MatchError(roles.ErrNoAKMA))
		Expect(pd.HTTPClient()).To(BeNil())
		Expect(pd.SUPI()).To(Equal("imsi-001010000000001"))
		Expect(pd.Name()).To(Equal("pd/imsi-001010000000001"))
		Expect(pd.String()).NotTo(ContainSubstring("K"))
	})

	// Reference: DESIGN step 6 (one PD, several targets); 3gpp.md §6.1 (frames from strangers are dropped)
	It("runs exchanges with several targets at once over one endpoint and drops frames from strangers", func() {
		pd := e.newPD()
		td1 := e.newTD()
		id2, err := credential.NewIdentity(e.rnd, "td-0002")
		Expect(err).NotTo(HaveOccurred())
		td2, err := roles.NewTargetDevice(roles.TDConfig{Identity: id2, DirectLink: netip.MustParseAddrPort("127.0.3.3:47800")}, e.deps(e.newUE(nil)))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(td2.Close)
		Expect(td1.ArmResponder(dlink.Secure)).To(Succeed())
		Expect(td2.ArmResponder(dlink.Secure)).To(Succeed())
		pkg2 := e.pkg.Clone()
		pkg2.SUPI.Value, pkg2.Binding.TargetID = "001010000000043", "td-0002"
		bs2 := id2.Bootstrap()
		sealed2, err := credential.Seal(e.rnd, bs2.Key, credential.SealAAD(bs2.DeviceID, bs2.Hash()), pkg2)
		Expect(err).NotTo(HaveOccurred())
		cfg1 := e.secureConfig(e.pkg)
		cfg2 := dlink.InitiatorConfig{Variant: dlink.Secure, Target: bs2, Sealed: sealed2, Binding: pkg2.Binding}
		results := make(chan dlink.Result, 2)
		for _, x := range []struct {
			td  *roles.TargetDevice
			cfg dlink.InitiatorConfig
		}{{td1, cfg1}, {td2, cfg2}} {
			go func() {
				defer GinkgoRecover()
				results <- run(pd, x.td, x.cfg)
			}()
		}
		Expect((<-results).OK()).To(BeTrue())
		Expect((<-results).OK()).To(BeTrue())
		Expect(td1.UE().SUPI()).To(Equal(e.pkg.SUPI))
		Expect(td2.UE().SUPI()).To(Equal(pkg2.SUPI))

		ep, err := e.net.Listen(transport.DL, netip.MustParseAddrPort("127.0.3.9:47800"), func(netip.AddrPort, []byte) {})
		Expect(err).NotTo(HaveOccurred())
		defer ep.Close()
		Expect(ep.Send(context.Background(), pdAddr, []byte{1, 2, 3, 4})).To(Succeed())
		Eventually(func() int {
			return e.rec.Count(trace.Match(trace.Event{Kind: trace.KindDrop, Actor: "pd/imsi-001010000000001", Cause: dlink.DropUnexpected}))
		}, guard).Should(Equal(1))
	})

	It("refuses a second exchange with the same target while one runs", func() {
		pd := e.newPD()
		td := e.newTD()
		// Not armed: the first exchange waits for answers that never come.
		cfg := e.secureConfig(e.pkg)
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan struct{})
		go func() {
			defer GinkgoRecover()
			close(started)
			_, _ = pd.RunInitiator(ctx, td, cfg)
		}()
		<-started
		Eventually(func() error {
			_, err := pd.RunInitiator(context.Background(), td, cfg)
			return err
		}, guard).Should(MatchError(roles.ErrBusy))
		cancel()
	})

	It("refuses a bad configuration", func() {
		u := e.newUE(nil)
		_, err := roles.NewProvisioningDevice(roles.PDConfig{CPF: profile.Service{Root: "http://x"}, PLMN: plmn, DirectLink: pdAddr}, e.deps(u))
		Expect(err).To(MatchError(roles.ErrConfig), "an empty UE cannot be a PD")
		_, err = roles.NewProvisioningDevice(roles.PDConfig{PLMN: plmn, DirectLink: pdAddr}, e.deps(u))
		Expect(err).To(MatchError(roles.ErrConfig))
		_, err = roles.NewProvisioningDevice(roles.PDConfig{CPF: profile.Service{Root: "http://x"}, PLMN: plmn}, e.deps(u))
		Expect(err).To(MatchError(roles.ErrConfig))
	})
})

var _ = Describe("Counter files", func() {
	DescribeTable("parse", func(in string, want uint64, ok bool) {
		v, err := roles.ParseCounter([]byte(in))
		if !ok {
			Expect(err).To(HaveOccurred())
			return
		}
		Expect(err).NotTo(HaveOccurred())
		Expect(v).To(Equal(want))
		Expect(string(roles.FormatCounter(v))).To(Equal(string(bytes.TrimSuffix([]byte(in), []byte("\n")))))
	},
		Entry("digits", "42", uint64(42), true),
		Entry("with a newline", "7\n", uint64(7), true),
		Entry("max", "18446744073709551615", uint64(1<<64-1), true),
		Entry("overflow", "18446744073709551616", uint64(0), false),
		Entry("empty", "", uint64(0), false),
		Entry("sign", "-1", uint64(0), false),
		Entry("space", "1 ", uint64(0), false),
		Entry("two newlines", "1\n\n", uint64(0), false),
	)
})
