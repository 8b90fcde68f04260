package link_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/ue/dlink"
	"github.com/credbed/credbed/ue/dlink/link"
)

func TestLink(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "dlink/link")
}

// pumpNet is a deterministic in-test network: Send runs the chain and queues
// the packet; pump delivers queued packets one by one in this goroutine.
type pumpNet struct {
	chain transport.Chain
	eps   map[netip.AddrPort]*pumpEP
	queue []transport.Packet
	Tap   []transport.Packet
}

type pumpEP struct {
	n    *pumpNet
	addr netip.AddrPort
	h    transport.Handler
}

func (e *pumpEP) LocalAddr() netip.AddrPort { return e.addr }
func (e *pumpEP) Close() error              { delete(e.n.eps, e.addr); return nil }
func (e *pumpEP) Send(_ context.Context, to netip.AddrPort, payload []byte) error {
	p := transport.Packet{Kind: transport.DL, From: e.addr, To: to, Payload: bytes.Clone(payload)}
	e.n.Tap = append(e.n.Tap, p)
	e.n.queue = append(e.n.queue, e.n.chain.Apply(p)...)
	return nil
}

func (n *pumpNet) listen(addr netip.AddrPort, h transport.Handler) *pumpEP {
	ep := &pumpEP{n: n, addr: addr, h: h}
	n.eps[addr] = ep
	return ep
}

// pump delivers until quiet, then advances the clock to fire timers, until
// done or nothing is left.
func (n *pumpNet) pump(clk *clock.Fake, done <-chan struct{}) {
	for steps := 0; steps < 100000; steps++ {
		if len(n.queue) > 0 {
			p := n.queue[0]
			n.queue = n.queue[1:]
			if ep, ok := n.eps[p.To]; ok {
				ep.h(p.From, p.Payload)
			}
			continue
		}
		select {
		case <-done:
			return
		default:
		}
		if clk.Pending() == 0 {
			return
		}
		clk.Advance(time.Second)
	}
	Fail("network did not settle")
}

var (
	pdAddr = netip.MustParseAddrPort("127.0.0.1:47800")
	tdAddr = netip.MustParseAddrPort("127.0.0.2:47800")
)

type bed struct {
	net    *pumpNet
	clk    *clock.Fake
	rec    *trace.Recorder
	td     *dlink.Responder
	pd     *dlink.Initiator
	pdDrv  *link.Driver
	tdDrv  *link.Driver
	pkg    credential.Package
	tdRes  []dlink.Result
	preset dlink.Preset
}

func newBed(seed int64, presetName string) *bed {
	var s [32]byte
	binary.BigEndian.PutUint64(s[:], uint64(seed))
	rnd := rand.NewChaCha8(s)
	b := &bed{net: &pumpNet{eps: map[netip.AddrPort]*pumpEP{}}, clk: clock.NewFake(time.Date(2029, 6, 1, 0, 0, 0, 0, time.UTC))}
	b.rec = trace.NewRecorder(b.clk)
	var ok bool
	b.preset, ok = dlink.LookupPreset(presetName)
	Expect(ok).To(BeTrue())
	id, err := credential.NewIdentity(rnd, "td-0001")
	Expect(err).NotTo(HaveOccurred())
	b.pkg = credential.Package{
		SUPI: ident.SUPI{Type: ident.SUPITypeIMSI, Value: "001010000000042"},
		K:    [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, AMF: credential.DefaultAMF(),
		HNKeys:           []credential.HNKey{{Scheme: credential.SchemeProfileA, ID: 1, Public: bytes.Repeat([]byte{7}, 32)}},
		RoutingIndicator: "0000", PLMN: ident.PLMN{MCC: "001", MNC: "01"},
		Binding: credential.Binding{TargetID: "td-0001", PDID: "imsi-001010000000001", Counter: 1, Expiry: b.clk.Now().Add(time.Hour)},
	}
	b.pkg.OPc[0] = 0x99
	bs := id.Bootstrap()
	sealed, err := credential.Seal(rnd, bs.Key, credential.SealAAD(bs.DeviceID, bs.Hash()), b.pkg)
	Expect(err).NotTo(HaveOccurred())
	b.td, err = dlink.NewResponder(dlink.ResponderConfig{Identity: id}, dlink.Deps{Rand: rnd, Clock: b.clk})
	Expect(err).NotTo(HaveOccurred())
	b.pd, err = dlink.NewInitiator(dlink.InitiatorConfig{Target: bs, Sealed: sealed, Binding: b.pkg.Binding}, dlink.Deps{Rand: rnd})
	Expect(err).NotTo(HaveOccurred())

	b.tdDrv, err = link.New(b.td, link.Config{Medium: b.preset, Actor: "td-link",
		OnResult: func(r dlink.Result) { b.tdRes = append(b.tdRes, r) }}, link.Deps{Clock: b.clk, Trace: b.rec})
	Expect(err).NotTo(HaveOccurred())
	b.tdDrv.Attach(b.net.listen(tdAddr, b.tdDrv.Handler()))
	b.pdDrv, err = link.New(b.pd, link.Config{Peer: tdAddr, Medium: b.preset, Actor: "pd-link"}, link.Deps{Clock: b.clk, Trace: b.rec})
	Expect(err).NotTo(HaveOccurred())
	b.pdDrv.Attach(b.net.listen(pdAddr, b.pdDrv.Handler()))
	DeferCleanup(func() { b.pdDrv.Close(); b.tdDrv.Close() })
	return b
}

var _ = Describe("Driver", func() {
	// Reference: DESIGN step 6 over an emulated medium; R1.
	DescribeTable("provisions over every medium preset, fragmenting to its MTU",
		func(preset string) {
			b := newBed(GinkgoRandomSeed(), preset)
			Expect(b.pdDrv.Start(context.Background())).To(Succeed())
			b.net.pump(b.clk, b.pdDrv.Done())
			res, ok := b.pdDrv.Result()
			Expect(ok).To(BeTrue())
			Expect(res.OK()).To(BeTrue())
			got, ok := b.td.Credential()
			Expect(ok).To(BeTrue())
			Expect(got.Equal(b.pkg)).To(BeTrue())
			Expect(b.tdRes).To(HaveLen(1))
			for _, p := range b.net.Tap {
				Expect(len(p.Payload)).To(BeNumerically("<=", b.preset.MTU))
			}
			Expect(b.rec.Count(trace.Match(trace.Event{Kind: trace.KindMessage, Actor: "pd", Name: "AuthRequest", Peer: tdAddr.String()}))).To(Equal(1))
		},
		Entry("BLE", dlink.PresetBLE),
		Entry("NFC", dlink.PresetNFC),
		Entry("PC5", dlink.PresetPC5),
		Entry("WLAN direct", dlink.PresetWLANDirect),
	)

	// Reference: 3gpp.md §6.1 D1 through the medium: an eavesdropper reassembling fragments sees no K.
	It("shows a fragment-level eavesdropper no K", func() {
		b := newBed(GinkgoRandomSeed(), dlink.PresetNFC)
		Expect(b.pdDrv.Start(context.Background())).To(Succeed())
		b.net.pump(b.clk, b.pdDrv.Done())
		var r dlink.Reassembler
		frames := 0
		for _, p := range b.net.Tap {
			f, err := r.Push(p.Payload)
			Expect(err).NotTo(HaveOccurred())
			if f != nil {
				frames++
				Expect(bytes.Contains(f, b.pkg.K[:])).To(BeFalse())
			}
		}
		Expect(frames).To(Equal(6))
	})

	// Reference: 3gpp.md §6.2 N5 (half-provisioned states) under loss: never a wrong or partial credential.
	It("keeps the outcome consistent over a lossy medium", func() {
		for k := range 20 {
			b := newBed(GinkgoRandomSeed()+int64(k), dlink.PresetBLE)
			var s [32]byte
			binary.BigEndian.PutUint64(s[:], uint64(GinkgoRandomSeed())+uint64(k))
			lossy := b.preset
			lossy.Loss = 0.2
			b.net.chain.Add("medium", link.Medium(lossy, rand.New(rand.NewChaCha8(s)), nil))
			Expect(b.pdDrv.Start(context.Background())).To(Succeed())
			b.net.pump(b.clk, b.pdDrv.Done())
			res, ok := b.pdDrv.Result()
			Expect(ok).To(BeTrue())
			got, installed := b.td.Credential()
			if res.OK() {
				Expect(installed).To(BeTrue())
			}
			if installed {
				Expect(got.Equal(b.pkg)).To(BeTrue())
			}
		}
	})

	It("delivers nothing out of range", func() {
		b := newBed(GinkgoRandomSeed(), dlink.PresetNFC)
		b.net.chain.Add("medium", link.Medium(b.preset, rand.New(rand.NewPCG(1, 2)), func(_, _ netip.AddrPort) float64 { return 1 }))
		Expect(b.pdDrv.Start(context.Background())).To(Succeed())
		b.net.pump(b.clk, b.pdDrv.Done())
		res, _ := b.pdDrv.Result()
		Expect(res.Status).To(Equal(dlink.StatusTimeout))
		Expect(b.td.Provisioned()).To(BeFalse())
	})

	It("drops malformed fragments with a trace event and refuses to start unattached", func() {
		b := newBed(GinkgoRandomSeed(), dlink.PresetBLE)
		b.tdDrv.Handler()(pdAddr, []byte{0xD1, 0, 5, 2})
		Expect(b.rec.Count(trace.Match(trace.Event{Kind: trace.KindDrop, Actor: "td-link", Name: "fragment"}))).To(Equal(1))
		d, err := link.New(b.pd, link.Config{Peer: tdAddr}, link.Deps{Clock: b.clk})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Start(context.Background())).To(MatchError(link.ErrNotAttached))
	})
})
