package gnb_test

import (
	"context"
	"encoding/binary"
	"net/netip"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/gmm"
	"github.com/credbed/credbed/ue/gnb"
	"github.com/credbed/credbed/ue/internal/netsim"
	"github.com/credbed/credbed/ue/usim"
)

type env struct {
	net  *transport.MemNetwork
	amf  *scriptAMF
	g    *gnb.GNB
	rec  *trace.Recorder
	r    interface{ Read([]byte) (int, error) }
	cred []usim.Credential
	nws  []*netsim.Network
}

func newEnv(nUE int, n3 bool) *env {
	r := seeded()
	mem := transport.NewMem(transport.MemOptions{})
	DeferCleanup(mem.Close)
	creds, ring := subscribers(r, nUE)
	e := &env{net: mem, amf: newAMF(mem, ring), rec: trace.NewRecorder(clock.NewFake(time.Unix(0, 0))), r: r, cred: creds}
	for i, c := range creds {
		nw := netsim.New(c, ring, r)
		nw.GUTI.TMSI = uint32(i+1) << 16
		e.amf.add(nw)
		e.nws = append(e.nws, nw)
	}
	cfg := gnb.Config{PLMN: plmn, AMFAddr: amfAddr, N2Addr: netip.MustParseAddrPort("127.0.0.30:38412")}
	if n3 {
		cfg.N3Addr = netip.MustParseAddrPort("127.0.0.31:2152")
	}
	g, err := gnb.New(cfg, gnb.Deps{Net: mem, Rand: r, Trace: e.rec})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(g.Close)
	e.g = g
	return e
}

func (e *env) start() {
	Expect(e.g.Start(context.Background())).To(Succeed())
	e.amf.expect("NGSetupRequest")
}

func (e *env) newUE(i int) *ue.UE {
	c := e.cred[i]
	u, err := ue.New(ue.Config{Credential: &c, GMM: gmm.Config{RequestedNSSAI: []nasx.SNSSAI{{SST: 1}}}},
		ue.Deps{Rand: e.r, Trace: e.rec})
	Expect(err).NotTo(HaveOccurred())
	u.Attach(e.g)
	return u
}

func ctx10s() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	DeferCleanup(cancel)
	return ctx
}

var _ = Describe("gNB over N2 (transport mem)", Label("conformance"), func() {
	// Reference: TS 38.413 §8.7.1 (NG Setup), §9.2.6.1.
	It("runs NG Setup with its global gNB ID and supported TA", func() {
		e := newEnv(1, false)
		Expect(e.g.Start(context.Background())).To(Succeed())
		req := e.amf.expect("NGSetupRequest").msg.(*ngapx.NGSetupRequest)
		Expect(req.GlobalGNBID.GNBID).To(Equal(uint32(1)))
		Expect(req.GlobalGNBID.BitLen).To(Equal(uint8(gnb.DefaultGNBIDBits)))
		Expect(req.SupportedTAs).To(HaveLen(1))
		Expect(req.SupportedTAs[0].TAC).To(Equal(uint32(1)))
		Expect(req.SupportedTAs[0].PLMNs[0].PLMN.String()).To(Equal("00101"))
		Expect(e.g.Ready()).To(BeTrue())
		Expect(e.g.AMFName()).To(Equal("amf"))
		Expect(e.g.Start(context.Background())).To(MatchError(gnb.ErrStarted))
	})

	// Reference: TS 38.413 §8.7.1.3 (NG SETUP FAILURE).
	It("reports NG SETUP FAILURE with its cause", func() {
		e := newEnv(1, false)
		e.amf.failSetup = true
		err := e.g.Start(context.Background())
		Expect(err).To(MatchError(gnb.ErrSetupFailed))
		var sf *gnb.SetupFailure
		Expect(err).To(BeAssignableToTypeOf(sf))
		Expect(err.(*gnb.SetupFailure).Cause).To(Equal(ngapx.CauseMiscUnknownPLMN))
	})

	// Reference: TS 38.413 §8.6.1-§8.6.3 (NAS transport), §8.3.1 (Initial Context Setup); TS 23.502 §4.2.2.2.2.
	It("relays a whole registration: Initial UE Message, UL/DL NAS Transport, Initial Context Setup", func() {
		e := newEnv(1, false)
		e.start()
		u := e.newUE(0)
		res, err := u.Register(ctx10s())
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Accepted).To(BeTrue())
		Expect(e.amf.errs).To(BeEmpty())

		init := e.amf.expect("InitialUEMessage").msg.(*ngapx.InitialUEMessage)
		Expect(init.Location.TAI.TAC).To(Equal(uint32(1)))
		Expect(init.Location.TAI.PLMN.String()).To(Equal("00101"))
		Expect(init.Location.NRCGI.CellID).To(Equal(e.g.Config().CellID))
		Expect(init.RRCEstablishmentCause).To(Equal(ngapx.RRCMoSignalling))
		ul := e.amf.expect("UplinkNASTransport").msg.(*ngapx.UplinkNASTransport)
		Expect(ul.RANUENGAPID).To(Equal(init.RANUENGAPID))
		Expect(ul.AMFUENGAPID).To(Equal(uint64(101)))
		icsr := e.amf.expect("InitialContextSetupResponse").msg.(*ngapx.InitialContextSetupResponse)
		Expect(icsr.RANUENGAPID).To(Equal(init.RANUENGAPID))
		e.amf.expect("UplinkNASTransport") // REGISTRATION COMPLETE after the response
		Expect(e.rec.Filter(trace.Match(trace.Event{Kind: trace.KindKey, Name: "KgNB", Actor: "gnb"}))).To(HaveLen(1))
		st := e.g.Stats()
		Expect(st.UEContexts).To(Equal(1))
		Expect(st.NASUplink).To(Equal(uint64(4)))
		Expect(st.NASDownlink).To(Equal(uint64(3)))
	})

	// Reference: TS 38.413 §8.3.3 (UE Context Release), §8.6.1 (a new Initial UE Message afterwards).
	It("releases a UE context on command and starts a new one for the next uplink", func() {
		e := newEnv(1, false)
		e.start()
		u := e.newUE(0)
		_, err := u.Register(ctx10s())
		Expect(err).NotTo(HaveOccurred())
		init := e.amf.expect("InitialUEMessage").msg.(*ngapx.InitialUEMessage)
		ran := init.RANUENGAPID
		b, err := (&ngapx.UEContextReleaseCommand{AMFUENGAPID: 101, RANUENGAPID: &ran, Cause: ngapx.CauseNASNormalRelease}).Build()
		Expect(err).NotTo(HaveOccurred())
		Expect(e.amf.ep.SendStream(context.Background(), e.g.N2Addr(), 1, b)).To(Succeed())
		c := e.amf.expect("UEContextReleaseComplete").msg.(*ngapx.UEContextReleaseComplete)
		Expect(c.RANUENGAPID).To(Equal(ran))
		Expect(u.Registered()).To(BeTrue(), "release keeps 5GMM-REGISTERED (idle)")
		Expect(u.Deregister(ctx10s(), false)).To(Succeed())
		again := e.amf.expect("InitialUEMessage").msg.(*ngapx.InitialUEMessage)
		Expect(again.RANUENGAPID).NotTo(Equal(ran))
	})

	// Reference: TS 38.413 §8.2.1, §8.2.2 (PDU session resources), §9.3.4.1/§9.3.4.2 (transfers); TS 29.281 (G-PDU).
	It("wires a PDU session into the user plane and tears it down on release", func() {
		e := newEnv(1, true)
		upf := make(chan []byte, 16)
		ep, err := e.net.Listen(transport.N3, upfAddr, func(_ netip.AddrPort, b []byte) { upf <- b })
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(ep.Close)
		e.start()
		u := e.newUE(0)
		_, err = u.Register(ctx10s())
		Expect(err).NotTo(HaveOccurred())
		s, err := u.EstablishSession(ctx10s(), "internet", nasx.SNSSAI{SST: 1})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Accepted).To(BeTrue())
		Expect(s.UserPlane).To(BeTrue())

		resp := e.amf.expect("PDUSessionResourceSetupResponse").msg.(*ngapx.PDUSessionResourceSetupResponse)
		Expect(resp.Failed).To(BeEmpty())
		Expect(resp.Setup).To(HaveLen(1))
		tr, err := ngapx.ParsePDUSessionSetupResponseTransfer(resp.Setup[0].Transfer)
		Expect(err).NotTo(HaveOccurred())
		Expect(tr.DLTunnel.Addr.String()).To(Equal("127.0.0.31"))
		Expect(tr.QFIs).To(Equal([]uint8{1}))
		ps, ok := e.g.Plane().Session(s.Addr)
		Expect(ok).To(BeTrue())
		Expect(ps.ULTEID).To(Equal(uint32(0x1001)))
		Expect(ps.DLTEID).To(Equal(tr.DLTunnel.TEID))
		Expect(ps.UPF).To(Equal(upfAddr))

		conn, err := u.Dial(ctx10s(), "udp", "192.0.2.10:9000")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(conn.Close)
		_, err = conn.Write([]byte("hello"))
		Expect(err).NotTo(HaveOccurred())
		var gpdu []byte
		Eventually(upf, 5*time.Second).Should(Receive(&gpdu))
		Expect(gpdu[1]).To(Equal(byte(0xff)), "G-PDU")
		Expect(binary.BigEndian.Uint32(gpdu[4:8])).To(Equal(uint32(0x1001)))

		ran := resp.RANUENGAPID
		rt, err := (&ngapx.PDUSessionCauseTransfer{Cause: ngapx.CauseNASNormalRelease}).BuildReleaseCommand()
		Expect(err).NotTo(HaveOccurred())
		b, err := (&ngapx.PDUSessionResourceReleaseCommand{AMFUENGAPID: 101, RANUENGAPID: ran,
			PDUSessions: []ngapx.PDUSessionItem{{ID: s.ID, Transfer: rt}}}).Build()
		Expect(err).NotTo(HaveOccurred())
		Expect(e.amf.ep.SendStream(context.Background(), e.g.N2Addr(), 1, b)).To(Succeed())
		rr := e.amf.expect("PDUSessionResourceReleaseResponse").msg.(*ngapx.PDUSessionResourceReleaseResponse)
		Expect(rr.PDUSessions).To(HaveLen(1))
		_, ok = e.g.Plane().Session(s.Addr)
		Expect(ok).To(BeFalse())
	})

	// Reference: TS 38.413 §10.2 (transfer syntax error), §10.6 (unknown UE NGAP ID), §8.7.5 (Error Indication).
	It("answers undecodable NGAP and unknown UE IDs with ERROR INDICATION and keeps serving", func() {
		e := newEnv(1, false)
		e.start()
		Expect(e.amf.ep.SendStream(context.Background(), e.g.N2Addr(), 0, []byte{0xde, 0xad, 0xbe, 0xef})).To(Succeed())
		ei := e.amf.expect("ErrorIndication").msg.(*ngapx.ErrorIndication)
		Expect(*ei.Cause).To(Equal(ngapx.CauseProtocolTransferSyntaxError))

		b, err := (&ngapx.DownlinkNASTransport{AMFUENGAPID: 7, RANUENGAPID: 424242, NASPDU: []byte{0x7e, 0, 0x5b, 1}}).Build()
		Expect(err).NotTo(HaveOccurred())
		Expect(e.amf.ep.SendStream(context.Background(), e.g.N2Addr(), 1, b)).To(Succeed())
		ei = e.amf.expect("ErrorIndication").msg.(*ngapx.ErrorIndication)
		Expect(*ei.Cause).To(Equal(ngapx.CauseRadioNetworkUnknownLocalUENGAPID))
		Expect(*ei.RANUENGAPID).To(Equal(uint32(424242)))

		u := e.newUE(0)
		res, err := u.Register(ctx10s())
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Accepted).To(BeTrue())
		Expect(e.g.Stats().ErrorIndicationsTx).To(Equal(uint64(2)))
	})

	// Reference: TS 38.413 §9.3.3.2 (RAN UE NGAP ID unique per gNB); one N2 association, no goroutine per UE.
	It("serves many UEs over one association with distinct RAN UE NGAP IDs", func() {
		const n = 24
		e := newEnv(n, false)
		e.start()
		var wg sync.WaitGroup
		results := make([]ue.RegResult, n)
		for i := 0; i < n; i++ {
			u := e.newUE(i)
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				r, err := u.Register(ctx10s())
				Expect(err).NotTo(HaveOccurred())
				results[i] = r
			}()
		}
		wg.Wait()
		for i, r := range results {
			Expect(r.Accepted).To(BeTrue(), "UE %d", i)
		}
		Expect(e.amf.errs).To(BeEmpty())
		Expect(e.g.Stats().UEContexts).To(Equal(n))
		seen := map[uint32]bool{}
		for len(seen) < n {
			seen[e.amf.expect("InitialUEMessage").msg.(*ngapx.InitialUEMessage).RANUENGAPID] = true
		}
	})
})

var _ = Describe("rogue gNB attacker capabilities", Label("conformance", "attack"), func() {
	// Reference: TS 33.501 §6.4.3.2 (replayed NAS is discarded), STYLE.md (attackers act through capabilities).
	It("delivers a replayed downlink NAS message that the UE drops", func() {
		e := newEnv(1, false)
		e.start()
		u := e.newUE(0)
		_, err := u.Register(ctx10s())
		Expect(err).NotTo(HaveOccurred())
		e.amf.mu.Lock()
		accept := e.amf.dlSent[len(e.amf.dlSent)-1] // the protected REGISTRATION ACCEPT
		e.amf.mu.Unlock()

		rogue, err := gnb.New(gnb.Config{Name: "rogue", PLMN: plmn, AMFAddr: amfAddr, GNBID: 66,
			N2Addr: netip.MustParseAddrPort("127.0.0.66:38412")}, gnb.Deps{Net: e.net, Trace: e.rec})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(rogue.Close)
		Expect(rogue.Start(ctx10s())).To(Succeed())
		rogue.DeliverDownlinkNAS(u, accept)
		Expect(e.rec.Filter(trace.Match(trace.Event{Kind: trace.KindAttack, Actor: "rogue"}))).To(HaveLen(1))
		drops := e.rec.Filter(trace.Match(trace.Event{Kind: trace.KindDrop, Actor: u.Name()}))
		Expect(drops).To(HaveLen(1))
		Expect(drops[0].Detail).To(ContainSubstring("replayed"))
		Expect(u.Registered()).To(BeTrue())

		// Forged uplink NAS from a UE that does not exist reaches the AMF.
		e.amf.drain()
		Expect(rogue.SendUplinkNAS(ctx10s(), rogue.Connect(nil), []byte{0x7e, 0x00, 0x41, 0x79, 0x00, 0x01, 0x00})).To(Succeed())
		g := e.amf.expect("InitialUEMessage")
		Expect(g.from).To(Equal(rogue.N2Addr()))
		Expect(rogue.SendNGAP(ctx10s(), 0, []byte{0x00})).To(Succeed())
	})
})
