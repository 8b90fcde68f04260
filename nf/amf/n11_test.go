package amf_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/netip"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	subs "github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/amf"
	"github.com/credbed/credbed/nf/amf/internal/scripted"
	"github.com/credbed/credbed/nf/ausf"
	"github.com/credbed/credbed/nf/nrf"
	"github.com/credbed/credbed/nf/smf"
	"github.com/credbed/credbed/nf/udm"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/nf/upf"
)

var (
	upfIP = netip.MustParseAddr("127.0.0.8")
	gnbIP = netip.MustParseAddr("127.0.0.50")
)

// n11Bed is the AMF with the real NRF, UDR, UDM, AUSF, SMF and UPF on one
// mem network, a scripted gNB and a registered scripted UE.
type n11Bed struct {
	*bed
	smf  *smf.SMF
	upf  *upf.UPF
	g    *gnb
	c    *conn
	ue   *scripted.UE
	supi string
}

func newN11Bed(amfOpts ...bedOpt) *n11Bed {
	GinkgoHelper()
	net := transport.NewMem(transport.MemOptions{})
	DeferCleanup(net.Close)
	clk := clock.NewFake(startTime)
	rec := trace.NewRecorder(clk)
	b := &bed{net: net, clk: clk, rec: rec}
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
	u, err := udr.New(udr.Config{Store: udr.StoreMem}, udr.Deps{Clock: clk, Trace: rec, HTTP: net.SBIClient(udrAddr)})
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

	nb := &n11Bed{bed: b}
	nb.upf, err = upf.New(upf.Config{N3Addr: netip.AddrPortFrom(upfIP, transport.PortGTPU), N4Addr: netip.AddrPortFrom(upfIP, transport.PortPFCP),
		N6Addr: netip.AddrPortFrom(upfIP, upf.DefaultN6Port), DN: netip.MustParseAddrPort("127.0.0.20:46006")},
		upf.Deps{Net: net, Clock: clk, Rand: newSeeded(6), Trace: rec})
	Expect(err).NotTo(HaveOccurred())
	Expect(nb.upf.Start(ctx)).To(Succeed())
	DeferCleanup(nb.upf.Close)
	nb.smf, err = smf.New(smf.Config{Addr: netip.MustParseAddrPort("127.0.0.7:80"), N4Addr: netip.MustParseAddrPort("127.0.0.7:8805"),
		UPFN4Addr: netip.AddrPortFrom(upfIP, transport.PortPFCP), UPFN3Addr: upfIP,
		DNNs: []smf.DNN{{Name: "internet", Pool: netip.MustParsePrefix("10.60.0.0/16")}, {Name: "ims", Pool: netip.MustParsePrefix("10.61.0.0/24")}}},
		smf.Deps{Net: net, Clock: clk, Rand: newSeeded(7), Trace: rec, NRF: b.nrf})
	Expect(err).NotTo(HaveOccurred())
	Expect(nb.smf.Start(ctx)).To(Succeed())
	DeferCleanup(nb.smf.Close)

	cfg := amf.Config{NRF: b.nrf}
	cfg.PLMN = plmn
	cfg.TACs = []uint32{1}
	for _, o := range amfOpts {
		o(&cfg)
	}
	b.amf, err = amf.New(cfg, amf.Deps{Net: net, Clock: clk, Rand: newSeeded(5), Trace: rec})
	Expect(err).NotTo(HaveOccurred())
	Expect(b.amf.Start(ctx)).To(Succeed())
	DeferCleanup(b.amf.Close)

	s := subscriber(1)
	sub := subs.Subscription{SUPI: s.SUPI.String(), PLMN: "00101", K: hex.EncodeToString(s.K[:]),
		OPc: hex.EncodeToString(s.OPc[:]), AMF: "8000", SQN: "000000000020", AuthMethod: subs.AuthMethod5GAKA,
		DNNs: []string{"internet"}, SNSSAIs: []subs.SNSSAI{{SST: 1}}}
	Expect(u.Provision(ctx, sub)).To(Succeed())
	nb.ue, nb.supi = scripted.NewUE(s, plmn), sub.SUPI
	nb.g = b.gnb("127.0.0.50:38412")
	nb.g.setup()
	nb.c = nb.g.connect(nb.ue)
	pdu, err := nb.ue.InitialRegistration()
	Expect(err).NotTo(HaveOccurred())
	nb.c.register(pdu)
	b.registered(nb.supi)
	return nb
}

// sm sends a 5GSM message in UL NAS TRANSPORT (protected, TS 24.501 §8.2.10).
func (nb *n11Bed) sm(msg nasx.GSMMsg, req uint8, dnn string) {
	GinkgoHelper()
	payload, err := msg.Build()
	Expect(err).NotTo(HaveOccurred())
	ul := &nasx.ULNASTransport{PayloadContainerType: nasx.PayloadN1SM, Payload: payload, PDUSessionID: msg.GSM().PDUSessionID,
		RequestType: req, DNN: dnn}
	if req != 0 {
		ul.SNSSAI = &nasx.SNSSAI{SST: 1}
	}
	plain, err := ul.Build()
	Expect(err).NotTo(HaveOccurred())
	pdu, err := nb.ue.Protect(plain)
	Expect(err).NotTo(HaveOccurred())
	nb.c.uplink(pdu)
}

// dl opens a protected DL NAS TRANSPORT and returns it with its 5GSM message.
func (nb *n11Bed) dl(pdu []byte) (*nasx.DLNASTransport, nasx.GSMMsg) {
	GinkgoHelper()
	plain, _, err := nb.ue.Sec.Unprotect(pdu)
	Expect(err).NotTo(HaveOccurred())
	m, err := nasx.Parse(plain)
	Expect(err).NotTo(HaveOccurred())
	t, ok := m.(*nasx.DLNASTransport)
	Expect(ok).To(BeTrue(), "%T", m)
	if t.Cause != nil {
		return t, nil
	}
	g, err := nasx.ParseGSM(t.Payload)
	Expect(err).NotTo(HaveOccurred())
	return t, g
}

func estRequest(psi, pti uint8) *nasx.PDUSessionEstablishmentRequest {
	return &nasx.PDUSessionEstablishmentRequest{GSMHeader: nasx.GSMHeader{PDUSessionID: psi, PTI: pti},
		IntegrityMaxDataRateUL: nasx.MaxDataRateFull, IntegrityMaxDataRateDL: nasx.MaxDataRateFull,
		PDUSessionType: nasx.PDUSessionIPv4, SSCMode: nasx.SSCMode1}
}

// establish runs a PDU session establishment up to the gNB's PDU SESSION
// RESOURCE SETUP REQUEST and returns it with the accept it carries.
func (nb *n11Bed) establish(psi uint8) (*ngapx.PDUSessionResourceSetupRequest, *nasx.PDUSessionEstablishmentAccept) {
	GinkgoHelper()
	nb.sm(estRequest(psi, 1), nasx.RequestInitial, "internet")
	req, ok := recv(nb.c.rx).(*ngapx.PDUSessionResourceSetupRequest)
	Expect(ok).To(BeTrue())
	Expect(req.PDUSessions).To(HaveLen(1))
	Expect(req.PDUSessions[0].ID).To(Equal(psi))
	Expect(req.PDUSessions[0].SNSSAI).To(Equal(nasx.SNSSAI{SST: 1}))
	if req.PDUSessions[0].NASPDU == nil {
		return req, nil
	}
	t, g := nb.dl(req.PDUSessions[0].NASPDU)
	Expect(t.PDUSessionID).To(Equal(psi))
	acc, ok := g.(*nasx.PDUSessionEstablishmentAccept)
	Expect(ok).To(BeTrue(), "%T", g)
	return req, acc
}

// activate answers the setup request as the gNB does (DL tunnel teid).
func (nb *n11Bed) activate(psi uint8, teid uint32) {
	GinkgoHelper()
	tr, err := (&ngapx.PDUSessionSetupResponseTransfer{DLTunnel: ngapx.GTPTunnel{Addr: gnbIP, TEID: teid}, QFIs: []uint8{1}}).Build()
	Expect(err).NotTo(HaveOccurred())
	nb.g.send(&ngapx.PDUSessionResourceSetupResponse{AMFUENGAPID: nb.c.amfID, RANUENGAPID: nb.c.ran,
		Setup: []ngapx.PDUSessionItem{{ID: psi, Transfer: tr}}})
}

func (nb *n11Bed) updated(status, n int) {
	GinkgoHelper()
	nb.awaitCount(trace.Match(trace.Event{Actor: "amf", Kind: trace.KindResponse, Name: amf.OpSMFUpdate, Status: status}), n)
}

var _ = Describe("AMF N11 with the real SMF and UPF", Label("userplane", "fullstack"), func() {
	var nb *n11Bed
	BeforeEach(func() { nb = newN11Bed() })

	// Reference: TS 23.502 §4.3.2.2.1 steps 1-16; TS 29.502 §5.2.2.2, §5.2.2.3; TS 38.413 §8.2.1
	It("establishes a PDU session: create, N1N2 transfer, PDU SESSION RESOURCE SETUP, activation", func() {
		req, acc := nb.establish(1)
		Expect(acc.PDUAddress.Is4()).To(BeTrue())
		tr, err := ngapx.ParsePDUSessionSetupRequestTransfer(req.PDUSessions[0].Transfer)
		Expect(err).NotTo(HaveOccurred())
		Expect(tr.ULTunnel.Addr).To(Equal(upfIP))
		nb.activate(1, 0x99)
		nb.updated(http.StatusOK, 1)

		ss := nb.amf.Sessions(nb.supi)
		Expect(ss).To(HaveLen(1))
		info, ok := nb.smf.Session(nb.supi, 1)
		Expect(ok).To(BeTrue())
		Expect(ss[0].SMContextRef).To(Equal(info.Ref))
		Expect(ss[0].DNN).To(Equal("internet"))
		Expect(info.DLTunnel.TEID).To(Equal(uint32(0x99)))
		Expect(info.UEAddr).To(Equal(acc.PDUAddress))
		seid, ok := nb.upf.SessionByTEID(tr.ULTunnel.TEID)
		Expect(ok).To(BeTrue())
		Expect(seid).To(Equal(info.UPSEID))
		Expect(nb.amf.Counts().Sessions).To(Equal(1))
		// Every N11 call is traced as a request/response pair.
		for _, op := range []string{amf.OpSMFCreate, amf.OpSMFUpdate} {
			Expect(nb.count(trace.Event{Actor: "amf", Kind: trace.KindRequest, Name: op, SUPI: nb.supi})).To(Equal(1), op)
		}
		Expect(nb.count(trace.Event{Actor: "amf", Kind: trace.KindResponse, Name: amf.OpSMFCreate, Status: http.StatusCreated})).To(Equal(1))
		Expect(nb.countWith(trace.Event{Actor: "amf", Kind: trace.KindNote, Name: amf.NoteN2Setup}, "psi=1 ok")).To(Equal(1))
	})

	// Reference: TS 24.501 §6.4.1.4.1 (#27 missing or unknown DNN); TS 29.502 §5.2.2.2.1 (SmContextCreateError with N1)
	It("relays the SMF's PDU SESSION ESTABLISHMENT REJECT for a DNN the subscription does not allow", func() {
		nb.sm(estRequest(2, 1), nasx.RequestInitial, "ims")
		dl, ok := recv(nb.c.rx).(*ngapx.DownlinkNASTransport)
		Expect(ok).To(BeTrue())
		t, g := nb.dl(dl.NASPDU)
		Expect(t.PDUSessionID).To(Equal(uint8(2)))
		rej, ok := g.(*nasx.PDUSessionEstablishmentReject)
		Expect(ok).To(BeTrue(), "%T", g)
		Expect(rej.Cause).To(Equal(nasx.GSMCauseMissingOrUnknownDNN))
		Expect(nb.amf.Sessions(nb.supi)).To(BeEmpty())
		Expect(nb.smf.Sessions(nb.supi)).To(BeEmpty())
	})

	// Reference: TS 24.501 §5.4.5.2.5 c (no routing context for the PDU session id: #90)
	It("returns a 5GSM message for a PDU session it does not know with #90", func() {
		nb.sm(&nasx.PDUSessionReleaseRequest{GSMHeader: nasx.GSMHeader{PDUSessionID: 5, PTI: 3}}, 0, "")
		dl, ok := recv(nb.c.rx).(*ngapx.DownlinkNASTransport)
		Expect(ok).To(BeTrue())
		t, _ := nb.dl(dl.NASPDU)
		Expect(t.Cause).NotTo(BeNil())
		Expect(*t.Cause).To(Equal(nasx.CausePayloadNotForwarded))
		Expect(nb.count(trace.Event{Actor: "amf", Kind: trace.KindNote, Name: amf.NotePayloadNotForwarded})).To(Equal(1))
	})

	// Reference: TS 23.502 §4.3.4.2 (UE-requested release); TS 24.501 §6.4.3; TS 38.413 §8.2.2; TS 29.502 §5.2.2.5
	It("releases a PDU session on the UE's request: modify, RELEASE COMMAND, release response and complete, RELEASED", func() {
		req, _ := nb.establish(1)
		tr, _ := ngapx.ParsePDUSessionSetupRequestTransfer(req.PDUSessions[0].Transfer)
		nb.activate(1, 0x99)
		nb.updated(http.StatusOK, 1)

		nb.sm(&nasx.PDUSessionReleaseRequest{GSMHeader: nasx.GSMHeader{PDUSessionID: 1, PTI: 2}}, 0, "")
		cmd, ok := recv(nb.c.rx).(*ngapx.PDUSessionResourceReleaseCommand)
		Expect(ok).To(BeTrue())
		Expect(cmd.PDUSessions).To(HaveLen(1))
		_, g := nb.dl(cmd.NASPDU)
		Expect(g).To(BeAssignableToTypeOf(&nasx.PDUSessionReleaseCommand{}))
		Expect(nb.amf.Sessions(nb.supi)[0].Releasing).To(BeTrue())
		_, ok = nb.upf.SessionByTEID(tr.ULTunnel.TEID)
		Expect(ok).To(BeFalse(), "the UPF session is gone before the RELEASE COMMAND")

		rt, err := ngapx.BuildPDUSessionReleaseResponseTransfer()
		Expect(err).NotTo(HaveOccurred())
		nb.g.send(&ngapx.PDUSessionResourceReleaseResponse{AMFUENGAPID: nb.c.amfID, RANUENGAPID: nb.c.ran,
			PDUSessions: []ngapx.PDUSessionItem{{ID: 1, Transfer: rt}}})
		nb.updated(http.StatusNoContent, 1)
		nb.sm(&nasx.PDUSessionReleaseComplete{GSMHeader: nasx.GSMHeader{PDUSessionID: 1, PTI: 2}}, 0, "")
		nb.updated(http.StatusNoContent, 2)
		nb.await(withDetail(trace.Event{Actor: "amf", Kind: trace.KindNote, Name: amf.NoteSessionGone}, "psi=1 released by the SMF"))
		Expect(nb.amf.Sessions(nb.supi)).To(BeEmpty())
		Expect(nb.smf.Sessions(nb.supi)).To(BeEmpty())
		nb.await(trace.Match(trace.Event{Actor: "amf", Kind: trace.KindResponse, Name: amf.OpSMStatusNotify, Status: http.StatusNoContent}))
	})

	// Reference: TS 23.502 §4.3.2.2.1 step 15 (N2 setup failure); TS 38.413 §8.2.1.3; TS 24.501 §6.4.1.4.1 (#26)
	It("relays the reject when the gNB cannot set the session up, and forgets it on RELEASED", func() {
		nb.establish(1)
		fail, err := (&ngapx.PDUSessionCauseTransfer{Cause: ngapx.CauseMiscNotEnoughUserPlaneResources}).BuildSetupUnsuccessful()
		Expect(err).NotTo(HaveOccurred())
		nb.g.send(&ngapx.PDUSessionResourceSetupResponse{AMFUENGAPID: nb.c.amfID, RANUENGAPID: nb.c.ran,
			Failed: []ngapx.PDUSessionItem{{ID: 1, Transfer: fail}}})
		dl, ok := recv(nb.c.rx).(*ngapx.DownlinkNASTransport)
		Expect(ok).To(BeTrue())
		_, g := nb.dl(dl.NASPDU)
		rej, ok := g.(*nasx.PDUSessionEstablishmentReject)
		Expect(ok).To(BeTrue(), "%T", g)
		Expect(rej.Cause).To(Equal(nasx.GSMCauseInsufficientResources))
		nb.await(withDetail(trace.Event{Actor: "amf", Kind: trace.KindNote, Name: amf.NoteSessionGone}, "psi=1 released by the SMF"))
		Expect(nb.amf.Sessions(nb.supi)).To(BeEmpty())
		Expect(nb.countWith(trace.Event{Actor: "amf", Kind: trace.KindNote, Name: amf.NoteN2Setup}, "psi=1 failed")).To(Equal(1))
	})

	// Reference: TS 23.502 §4.2.2.3.3 step 2, §4.3.4.2; TS 29.502 §5.2.2.4 (ReleaseSMContext)
	It("releases every SM context when it de-registers the UE", func() {
		req, _ := nb.establish(1)
		tr, _ := ngapx.ParsePDUSessionSetupRequestTransfer(req.PDUSessions[0].Transfer)
		nb.activate(1, 0x99)
		nb.updated(http.StatusOK, 1)
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		Expect(nb.amf.Deregister(ctx, nb.supi, 0)).To(Succeed())
		// Deregister returns once the request is out and the contexts are released.
		Expect(nb.smf.Sessions(nb.supi)).To(BeEmpty())
		_, ok := nb.upf.SessionByTEID(tr.ULTunnel.TEID)
		Expect(ok).To(BeFalse())
		Expect(nb.count(trace.Event{Actor: "amf", Kind: trace.KindResponse, Name: amf.OpSMFRelease, Status: http.StatusNoContent})).To(Equal(1))
		nb.c.until(func() bool { return false })
		Expect(nb.ue.Deregistered).To(BeTrue())
		nb.awaitState(nb.supi, amf.StateContextDeleted)
		Expect(nb.amf.Counts().Sessions).To(BeZero())
	})

	// Reference: TS 23.502 §4.2.2.3.2 step 2 (before the DEREGISTRATION ACCEPT)
	It("releases every SM context before accepting the UE's de-registration", func() {
		nb.establish(1)
		nb.activate(1, 0x99)
		nb.updated(http.StatusOK, 1)
		pdu, err := nb.ue.Deregistration(false, false)
		Expect(err).NotTo(HaveOccurred())
		nb.c.uplink(pdu)
		dl, ok := recv(nb.c.rx).(*ngapx.DownlinkNASTransport)
		Expect(ok).To(BeTrue())
		Expect(nb.smf.Sessions(nb.supi)).To(BeEmpty(), "released before the accept went out")
		_, name, err := nb.ue.Respond(dl.NASPDU)
		Expect(err).NotTo(HaveOccurred())
		Expect(name).To(Equal("DEREGISTRATION ACCEPT (UE ORIGINATING)"))
	})

	// Reference: TS 29.502 §5.2.2.5 (SM context status notification), TS 29.500 §5.2.7
	It("answers SM context status notifications", func() {
		body, _ := json.Marshal(models.SmfPduSessionSmContextStatusNotification{StatusInfo: &models.StatusInfo{ResourceStatus: models.ResourceStatus_RELEASED}})
		uri := nb.amf.SMContextStatusURI(nb.supi, 1)
		Expect(uri).To(Equal(nb.amf.APIRoot() + "/namf-callback/v1/smContextStatus/" + nb.supi + "/1"))
		Expect(post(nb.bed, uri, "application/json", body).StatusCode).To(Equal(http.StatusNoContent))
		Expect(post(nb.bed, nb.amf.SMContextStatusURI("imsi-001019999999999", 1), "application/json", body).StatusCode).To(Equal(http.StatusNotFound))
		Expect(post(nb.bed, nb.amf.SMContextStatusURI(nb.supi, 16), "application/json", body).StatusCode).To(Equal(http.StatusNotFound))
		Expect(post(nb.bed, uri, "application/json", []byte(`{}`)).StatusCode).To(Equal(http.StatusBadRequest))
		Expect(post(nb.bed, uri, "application/json", []byte(`{`)).StatusCode).To(Equal(http.StatusBadRequest))
	})

	// Reference: TS 24.501 §6.4.1.3 (PDU session id reused with "initial request")
	It("releases the old SM context when the UE reuses a PDU session id", func() {
		nb.establish(1)
		nb.activate(1, 0x99)
		nb.updated(http.StatusOK, 1)
		old := nb.amf.Sessions(nb.supi)[0].SMContextRef
		nb.establish(1)
		ss := nb.amf.Sessions(nb.supi)
		Expect(ss).To(HaveLen(1))
		Expect(ss[0].SMContextRef).NotTo(Equal(old))
		Expect(nb.count(trace.Event{Actor: "amf", Kind: trace.KindRequest, Name: amf.OpSMFRelease})).To(Equal(1))
	})
})

var _ = Describe("AMF N11 with DeferSessionAccept", Label("userplane", "fullstack"), func() {
	// Reference: TS 23.502 §4.3.2.2.1 steps 12-16; TS 38.413 §8.2.1 (the NAS-PDU IE is optional)
	It("sends the accept in DL NAS TRANSPORT once the SMF activated the user plane", func() {
		nb := newN11Bed(func(c *amf.Config) { c.DeferSessionAccept = true })
		req, acc := nb.establish(1)
		Expect(acc).To(BeNil(), "no NAS-PDU in the setup request")
		Expect(req.PDUSessions[0].NASPDU).To(BeNil())
		nb.activate(1, 0x77)
		dl, ok := recv(nb.c.rx).(*ngapx.DownlinkNASTransport)
		Expect(ok).To(BeTrue())
		info, ok := nb.smf.Session(nb.supi, 1)
		Expect(ok).To(BeTrue())
		Expect(info.DLTunnel.TEID).To(Equal(uint32(0x77)), "the downlink tunnel is at the UPF before the UE learns its address")
		_, g := nb.dl(dl.NASPDU)
		a, ok := g.(*nasx.PDUSessionEstablishmentAccept)
		Expect(ok).To(BeTrue(), "%T", g)
		Expect(a.PDUAddress).To(Equal(info.UEAddr))
	})
})

// withDetail is trace.Match that also compares Detail.
func withDetail(want trace.Event, detail string) func(trace.Event) bool {
	m := trace.Match(want)
	return func(e trace.Event) bool { return m(e) && e.Detail == detail }
}

func (nb *n11Bed) countWith(want trace.Event, detail string) int {
	return nb.rec.Count(withDetail(want, detail))
}
