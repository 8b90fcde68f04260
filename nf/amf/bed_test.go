package amf_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/amf"
	"github.com/credbed/credbed/nf/amf/internal/scripted"
	"github.com/credbed/credbed/nf/nrf"
)

var (
	plmn      = ident.PLMN{MCC: "001", MNC: "01"}
	nrfAddr   = netip.MustParseAddrPort("127.0.0.10:80")
	homeAddr  = netip.MustParseAddrPort("127.0.0.30:80")
	udmAddr   = netip.MustParseAddrPort("127.0.0.31:80")
	startTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// guard bounds every wait on an asynchronous delivery of the mem network;
// it is a safety net against hangs, not a timing assertion.
const guard = 10 * time.Second

type seeded struct{ r *rand.ChaCha8 }

func newSeeded(salt uint64) *seeded {
	var s [32]byte
	seed := uint64(GinkgoRandomSeed()) ^ salt
	for i := range s {
		s[i] = byte(seed >> (8 * (i % 8)))
	}
	return &seeded{r: rand.NewChaCha8(s)}
}

func (s *seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

func subscriber(i int) scripted.Subscriber {
	supi, err := ident.NewIMSI(plmn, fmt.Sprintf("%010d", i))
	if err != nil {
		panic(err)
	}
	s := scripted.Subscriber{SUPI: supi, NSSAI: []string{"1"}}
	for j := range s.K {
		s.K[j] = byte(i*31 + j)
		s.OPc[j] = byte(i*7 + 3*j)
	}
	return s
}

// bed is one AMF on a mem network with a real NRF and the in-test AUSF/UDM.
type bed struct {
	net  *transport.MemNetwork
	clk  *clock.Fake
	rec  *trace.Recorder
	home *scripted.Home
	amf  *amf.NF
	nrf  string
	hc   *homeHandler

	wmu     sync.Mutex
	waiters []waiter
}

type bedOpt func(*amf.Config)

func newBed(opts ...bedOpt) *bed {
	b := &bed{net: transport.NewMem(transport.MemOptions{}), clk: clock.NewFake(startTime)}
	DeferCleanup(b.net.Close)
	b.rec = trace.NewRecorder(b.clk)
	b.rec.SetLimit(200_000)
	b.rec.Subscribe(b.notify)
	n, err := nrf.New(nrf.Config{}, nrf.Deps{Clock: b.clk, Trace: b.rec})
	Expect(err).NotTo(HaveOccurred())
	b.nrf, _, err = b.net.ServeSBI(nrfAddr, n.Handler())
	Expect(err).NotTo(HaveOccurred())
	b.home = scripted.NewHome(newSeeded(1), plmn.ServingNetworkName())
	var root string
	b.hc = &homeHandler{h: b.home, root: func() string { return root }}
	root, _, err = b.net.ServeSBI(homeAddr, b.hc.routes())
	Expect(err).NotTo(HaveOccurred())
	cl := b.net.SBIClient(homeAddr)
	ctx := context.Background()
	for _, p := range []struct {
		t   models.NrfNfManagementNfType
		id  string
		svc []models.ServiceName
	}{
		{models.NrfNfManagementNfType_AUSF, "6f1c2b9e-0000-4000-8000-000000000001", []models.ServiceName{models.ServiceName_NAUSF_AUTH}},
		{models.NrfNfManagementNfType_UDM, "6f1c2b9e-0000-4000-8000-000000000002", []models.ServiceName{models.ServiceName_NUDM_UECM, models.ServiceName_NUDM_SDM}},
	} {
		prof, err := sbi.Profile(p.t, p.id, root, p.svc...)
		Expect(err).NotTo(HaveOccurred())
		Expect(sbi.RegisterNF(ctx, cl, b.nrf, prof)).To(Succeed())
	}
	cfg := amf.Config{NRF: b.nrf}
	cfg.PLMN = plmn
	cfg.TACs = []uint32{1, 2}
	for _, o := range opts {
		o(&cfg)
	}
	b.amf, err = amf.New(cfg, amf.Deps{Net: b.net, Clock: b.clk, Rand: newSeeded(2), Trace: b.rec})
	Expect(err).NotTo(HaveOccurred())
	Expect(b.amf.Start(ctx)).To(Succeed())
	DeferCleanup(b.amf.Close)
	DeferCleanup(func() {
		if CurrentSpecReport().Failed() {
			AddReportEntry("trace", b.dump())
		}
	})
	return b
}

func (b *bed) dump() string {
	var sb strings.Builder
	for _, e := range b.rec.Events() {
		fmt.Fprintf(&sb, "%4d %-8s %-6s %-4s %-40s %-6s %-20s %d %s\n", e.Seq, e.Kind, e.Actor, e.Iface, e.Name, e.SUPI, e.Cause, e.Status, e.Detail)
	}
	return sb.String()
}

func (b *bed) count(want trace.Event) int { return b.rec.Count(trace.Match(want)) }

func (b *bed) countDetail(k trace.Kind, substr string) int {
	return b.rec.Count(func(e trace.Event) bool { return e.Kind == k && strings.Contains(e.Detail, substr) })
}

// addUE provisions subscriber i and returns its scripted UE.
func (b *bed) addUE(i int) *scripted.UE {
	s := subscriber(i)
	b.home.Add(s)
	return scripted.NewUE(s, plmn)
}

// gnb is a scripted gNB: one N2 association, UEs demultiplexed by RAN UE
// NGAP ID.
type gnb struct {
	b    *bed
	ep   transport.StreamEndpoint
	amf  netip.AddrPort
	rx   chan ngapx.Msg // non-UE-associated
	mu   sync.Mutex
	ues  map[uint32]chan ngapx.Msg
	next uint32
	bad  chan []byte // undecodable downlink
}

func (b *bed) gnb(addr string) *gnb {
	g := &gnb{b: b, amf: b.amf.N2Addr(), rx: make(chan ngapx.Msg, 64), ues: map[uint32]chan ngapx.Msg{}, bad: make(chan []byte, 4)}
	ep, err := b.net.ListenStream(transport.N2, netip.MustParseAddrPort(addr), func(_ netip.AddrPort, _ uint16, p []byte) {
		m, err := ngapx.Parse(p)
		if err != nil {
			g.bad <- p
			return
		}
		if ua, ok := m.(ngapx.UEAssociated); ok {
			if ids := ua.UEIDs(); ids.HasRAN {
				g.mu.Lock()
				c := g.ues[ids.RAN]
				g.mu.Unlock()
				if c != nil {
					c <- m
					return
				}
			}
		}
		g.rx <- m
	})
	Expect(err).NotTo(HaveOccurred())
	g.ep = ep
	DeferCleanup(ep.Close)
	return g
}

func (g *gnb) send(m ngapx.Msg) {
	GinkgoHelper()
	b, err := m.Build()
	Expect(err).NotTo(HaveOccurred())
	Expect(g.ep.SendStream(context.Background(), g.amf, 0, b)).To(Succeed())
}

func (g *gnb) sendRaw(p []byte) {
	GinkgoHelper()
	Expect(g.ep.Send(context.Background(), g.amf, p)).To(Succeed())
}

func recv[T any](c chan T) T {
	GinkgoHelper()
	select {
	case m := <-c:
		return m
	case <-time.After(guard):
		Fail("nothing received")
	}
	var z T
	return z
}

func (g *gnb) setup() {
	GinkgoHelper()
	p, _ := nasx.NewPLMN(plmn.MCC, plmn.MNC)
	g.send(&ngapx.NGSetupRequest{GlobalGNBID: ngapx.GlobalGNBID{PLMN: p, GNBID: 1, BitLen: 22}, RANNodeName: "gnb-test",
		SupportedTAs: []ngapx.SupportedTA{{TAC: 1, PLMNs: []ngapx.BroadcastPLMN{{PLMN: p, Slices: []ngapx.SNSSAI{{SST: 1}}}}}}})
	_, ok := recv(g.rx).(*ngapx.NGSetupResponse)
	Expect(ok).To(BeTrue())
}

func (g *gnb) location() ngapx.UserLocationNR {
	p, _ := nasx.NewPLMN(plmn.MCC, plmn.MNC)
	return ngapx.UserLocationNR{NRCGI: ngapx.NRCGI{PLMN: p, CellID: 0x10}, TAI: ngapx.TAI{PLMN: p, TAC: 1}}
}

// conn is one UE's N2 connection through g.
type conn struct {
	g     *gnb
	ue    *scripted.UE
	ran   uint32
	amfID uint64
	rx    chan ngapx.Msg
	// released is set by UE CONTEXT RELEASE COMMAND.
	released bool
	ics      *ngapx.InitialContextSetupRequest
	lastUL   []byte
	statuses []uint8
}

func (g *gnb) connect(ue *scripted.UE) *conn {
	g.mu.Lock()
	g.next++
	c := &conn{g: g, ue: ue, ran: g.next, rx: make(chan ngapx.Msg, 64)}
	g.ues[c.ran] = c.rx
	g.mu.Unlock()
	return c
}

// initial sends INITIAL UE MESSAGE with pdu.
func (c *conn) initial(pdu []byte) {
	GinkgoHelper()
	c.lastUL = pdu
	c.g.send(&ngapx.InitialUEMessage{RANUENGAPID: c.ran, NASPDU: pdu, Location: c.g.location(), RRCEstablishmentCause: ngapx.RRCMoSignalling})
}

// uplink sends UPLINK NAS TRANSPORT with pdu.
func (c *conn) uplink(pdu []byte) {
	GinkgoHelper()
	c.lastUL = pdu
	c.g.send(&ngapx.UplinkNASTransport{AMFUENGAPID: c.amfID, RANUENGAPID: c.ran, NASPDU: pdu, Location: c.g.location()})
}

// step receives one downlink message, lets the UE answer, and reports
// whether the connection is still up.
func (c *conn) step() bool {
	GinkgoHelper()
	m := recv(c.rx)
	switch m := m.(type) {
	case *ngapx.DownlinkNASTransport:
		c.amfID = m.AMFUENGAPID
		c.nas(m.NASPDU)
	case *ngapx.InitialContextSetupRequest:
		c.amfID = m.AMFUENGAPID
		c.ics = m
		c.g.send(&ngapx.InitialContextSetupResponse{AMFUENGAPID: m.AMFUENGAPID, RANUENGAPID: c.ran})
		c.nas(m.NASPDU)
	case *ngapx.UEContextReleaseCommand:
		c.released = true
		c.g.send(&ngapx.UEContextReleaseComplete{AMFUENGAPID: m.AMFUENGAPID, RANUENGAPID: c.ran})
		return false
	case *ngapx.ErrorIndication:
		Fail(fmt.Sprintf("ERROR INDICATION %v", m.Cause))
	default:
		Fail(fmt.Sprintf("unexpected %T", m))
	}
	return true
}

func (c *conn) nas(pdu []byte) {
	GinkgoHelper()
	ul, name, err := c.ue.Respond(pdu)
	Expect(err).NotTo(HaveOccurred())
	if name == "5GMM STATUS" {
		c.statuses = append(c.statuses, statusCause(c.ue, pdu))
	}
	if ul != nil {
		c.uplink(ul)
	}
}

func statusCause(ue *scripted.UE, pdu []byte) uint8 {
	if len(pdu) >= 4 && pdu[1] == 0 {
		return pdu[3]
	}
	return 0
}

// until steps until done() or the connection is released.
func (c *conn) until(done func() bool) {
	GinkgoHelper()
	for !done() {
		if !c.step() {
			return
		}
	}
}

// register runs a registration with pdu as the initial message until the
// UE is registered (REGISTRATION COMPLETE sent) or released.
func (c *conn) register(pdu []byte) {
	GinkgoHelper()
	c.initial(pdu)
	c.until(func() bool { return c.ue.Registered })
}

// await returns once an event matching pred has been recorded (event
// driven; guard only catches hangs).
func (b *bed) await(pred func(trace.Event) bool) {
	GinkgoHelper()
	ch := make(chan struct{}, 1)
	b.wmu.Lock()
	b.waiters = append(b.waiters, waiter{pred: pred, ch: ch})
	b.wmu.Unlock()
	if b.rec.Count(pred) > 0 {
		return
	}
	recv(ch)
}

// awaitCount returns once n events matching pred have been recorded.
func (b *bed) awaitCount(pred func(trace.Event) bool, n int) {
	GinkgoHelper()
	ch := make(chan struct{}, 1)
	b.wmu.Lock()
	b.waiters = append(b.waiters, waiter{pred: pred, ch: ch})
	b.wmu.Unlock()
	for b.rec.Count(pred) < n {
		recv(ch)
	}
}

// awaitDeleted waits for the n-th context deletion.
func (b *bed) awaitDeleted(n int) {
	GinkgoHelper()
	b.awaitCount(func(e trace.Event) bool {
		return e.Actor == "amf" && e.Kind == trace.KindState && e.Name == "CONTEXT-DELETED"
	}, n)
}

type waiter struct {
	pred func(trace.Event) bool
	ch   chan struct{}
}

func (b *bed) notify(e trace.Event) {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	for _, w := range b.waiters {
		if w.pred(e) {
			select {
			case w.ch <- struct{}{}:
			default:
			}
		}
	}
}

// awaitState waits for the AMF's state event name for supi.
func (b *bed) awaitState(supi, name string) {
	GinkgoHelper()
	b.await(func(e trace.Event) bool {
		return e.Actor == "amf" && e.Kind == trace.KindState && e.SUPI == supi && e.Name == name
	})
}

// registered waits for REGISTERED and returns the AMF's view.
func (b *bed) registered(supi string) amf.UEView {
	GinkgoHelper()
	b.awaitState(supi, "REGISTERED")
	v, ok := b.amf.UE(supi)
	Expect(ok).To(BeTrue())
	return v
}
