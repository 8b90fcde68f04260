package amf_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"net/netip"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/nasx"
	subs "github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/amf"
	"github.com/credbed/credbed/nf/amf/internal/scripted"
	"github.com/credbed/credbed/nf/ausf"
	"github.com/credbed/credbed/nf/nrf"
	"github.com/credbed/credbed/nf/udm"
	"github.com/credbed/credbed/nf/udr"
)

// The same procedures against credbed's own NRF, UDR, UDM and AUSF (the
// lead's testbed/ suite covers more; this one checks the AMF's side of
// their contracts: discovery, 5G AKA, UECM with the callback, SDM, and the
// deregistration notification after the subscription is deleted).
var _ = Describe("AMF with the real NRF, UDR, UDM and AUSF", Label("conformance", "fullstack"), func() {
	var (
		b   *bed
		u   *udr.NF
		sub subs.Subscription
		ue  *scripted.UE
	)
	BeforeEach(func() {
		net := transport.NewMem(transport.MemOptions{})
		DeferCleanup(net.Close)
		clk := clock.NewFake(startTime)
		rec := trace.NewRecorder(clk)
		b = &bed{net: net, clk: clk, rec: rec}
		rec.Subscribe(b.notify)
		DeferCleanup(func() {
			if CurrentSpecReport().Failed() {
				AddReportEntry("trace", b.dump())
			}
		})
		ctx := context.Background()
		n, err := nrf.New(nrf.Config{}, nrf.Deps{Clock: clk, Trace: rec})
		Expect(err).NotTo(HaveOccurred())
		b.nrf, _, err = net.ServeSBI(nrfAddr, n.Handler())
		Expect(err).NotTo(HaveOccurred())
		udrAddr := netip.MustParseAddrPort("127.0.0.4:80")
		u, err = udr.New(udr.Config{Store: udr.StoreMem}, udr.Deps{Clock: clk, Trace: rec, HTTP: net.SBIClient(udrAddr)})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(u.Close)
		udrRoot, _, err := net.ServeSBI(udrAddr, u.Handler())
		Expect(err).NotTo(HaveOccurred())
		dm, err := udm.New(udm.Config{Addr: netip.MustParseAddrPort("127.0.0.3:80"), UDRAPIRoot: udrRoot},
			udm.Deps{Clock: clk, Rand: newSeeded(3), Trace: rec, Net: net, NRF: b.nrf})
		Expect(err).NotTo(HaveOccurred())
		Expect(dm.Start(ctx)).To(Succeed())
		DeferCleanup(dm.Close)
		au, err := ausf.New(ausf.Config{Addr: netip.MustParseAddrPort("127.0.0.9:80"), ServingNetworks: []string{plmn.ServingNetworkName()}},
			ausf.Deps{Clock: clk, Rand: newSeeded(4), Trace: rec, Net: net, NRF: b.nrf})
		Expect(err).NotTo(HaveOccurred())
		Expect(au.Start(ctx)).To(Succeed())
		DeferCleanup(au.Close)
		cfg := amf.Config{NRF: b.nrf}
		cfg.PLMN = plmn
		b.amf, err = amf.New(cfg, amf.Deps{Net: net, Clock: clk, Rand: newSeeded(5), Trace: rec})
		Expect(err).NotTo(HaveOccurred())
		Expect(b.amf.Start(ctx)).To(Succeed())
		DeferCleanup(b.amf.Close)

		s := subscriber(1)
		sub = subs.Subscription{SUPI: s.SUPI.String(), PLMN: "00101", K: hex.EncodeToString(s.K[:]),
			OPc: hex.EncodeToString(s.OPc[:]), AMF: "8000", SQN: "000000000020", AuthMethod: subs.AuthMethod5GAKA, DNNs: []string{"internet"}, SNSSAIs: []subs.SNSSAI{{SST: 1}}}
		Expect(u.Provision(ctx, sub)).To(Succeed())
		ue = scripted.NewUE(s, plmn)
	})

	// Reference: TS 23.502 §4.2.2.2.2 and §4.2.2.3.3; TS 29.503 §5.3.2.3.2; TS 24.501 §5.5.2.3.
	It("registers, de-registers when the subscription is deleted at the UDR, and then rejects the UE with #3", func() {
		g := b.gnb("127.0.0.50:38412")
		g.setup()
		c := g.connect(ue)
		pdu, _ := ue.InitialRegistration()
		c.register(pdu)
		v := b.registered(sub.SUPI)
		Expect(v.HasSecurityContext).To(BeTrue())
		ue.Seen = nil

		req, err := http.NewRequest(http.MethodDelete, "http://127.0.0.4:80/nudr-dr/v2/subscription-data/"+sub.SUPI, nil)
		Expect(err).NotTo(HaveOccurred())
		rsp, err := b.net.SBIClient(netip.MustParseAddrPort("127.0.0.99:80")).Do(req)
		Expect(err).NotTo(HaveOccurred())
		Expect(rsp.StatusCode).To(Equal(http.StatusNoContent))
		_ = rsp.Body.Close()

		c.until(func() bool { return false })
		Expect(ue.Seen).To(Equal([]string{"DEREGISTRATION REQUEST (UE TERMINATED)"}))
		Expect(ue.DeregCause).To(Equal(nasx.CauseIllegalUE))
		b.awaitState(sub.SUPI, "CONTEXT-DELETED")
		Expect(b.count(trace.Event{Actor: "amf", Kind: trace.KindResponse, Name: amf.OpDeregNotification, Status: 204})).To(Equal(1))

		c2 := g.connect(ue)
		pdu, _ = ue.InitialRegistration()
		c2.register(pdu)
		Expect(ue.Rejected).To(Equal(nasx.CauseIllegalUE))
		b.awaitDeleted(2)
		Expect(b.amf.Counts().Contexts).To(BeZero())
	})
})
