package testbed_test

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	gtpmsg "github.com/wmnsk/go-gtp/gtpv1/message"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/amf"
	"github.com/credbed/credbed/nf/upf"
	"github.com/credbed/credbed/testbed"
	"github.com/credbed/credbed/ue"
)

// awaitUserPlane waits until the SMF activated the user plane of supi's
// session after seq: the AMF's UpdateSMContext with the gNB's PDU SESSION
// RESOURCE SETUP RESPONSE answered 200 (the UPF has the downlink tunnel).
// EstablishSession returns once the UE's side is wired, which can be a
// little earlier (the accept travels in PDU SESSION RESOURCE SETUP
// REQUEST); a UPF that does not buffer discards downlink packets until
// then. (amf.Config.DeferSessionAccept closes that gap.)
func (e *env) awaitUserPlane(after uint64, supi string) {
	GinkgoHelper()
	e.await(after, match(trace.Event{Actor: "amf", Kind: trace.KindResponse, Name: amf.OpSMFUpdate, SUPI: supi, Status: 200}))
}

// session registers UE i and establishes a PDU session whose user plane
// is active.
func (e *env) session(i int) (*ue.UE, ue.Session) {
	GinkgoHelper()
	u := e.newUE(i)
	e.expectRegistered(0, u, e.supi(i), register(u))
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	m := e.mark()
	s, err := u.EstablishSession(ctx, e.Topo.DNN, nasx.SNSSAI{SST: 1})
	Expect(err).NotTo(HaveOccurred())
	Expect(s.Accepted).To(BeTrue(), "%+v", s)
	e.awaitUserPlane(m, e.supi(i))
	return u, s
}

// expectNoSession checks that the SMF, the UPF and the AMF hold nothing for
// supi's session at addr.
func (e *env) expectNoSession(supi string, addr netip.Addr) {
	GinkgoHelper()
	Expect(e.SMF.Sessions(supi)).To(BeEmpty())
	_, ok := e.UPF.SessionByUEIP(addr)
	Expect(ok).To(BeFalse(), "the UPF still routes %s", addr)
	Expect(e.UPF.Stats().Sessions).To(BeZero())
	Expect(e.AMF.Sessions(supi)).To(BeEmpty())
}

// sendOldTEID sends a G-PDU on teid to the UPF from an attacker's N3
// endpoint and waits for the UPF's Error Indication (TS 29.281 §7.3.1),
// which it sends after counting the drop.
func (e *env) sendOldTEID(teid uint32, src netip.Addr) {
	GinkgoHelper()
	got := make(chan []byte, 1)
	ep, err := e.Net.Listen(transport.N3, netip.AddrPortFrom(e.Plan.Attacker(0), transport.PortGTPU), func(_ netip.AddrPort, p []byte) {
		select {
		case got <- p:
		default:
		}
	})
	Expect(err).NotTo(HaveOccurred())
	defer ep.Close()
	inner := make([]byte, 28) // IPv4/UDP header from the UE's old address
	inner[0], inner[3], inner[8], inner[9] = 0x45, 28, 64, 17
	s4, d4 := src.As4(), e.DN.Addr().As4()
	copy(inner[12:], s4[:])
	copy(inner[16:], d4[:])
	b, err := gtpmsg.NewTPDU(teid, inner).Marshal()
	Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	Expect(ep.Send(ctx, e.UPF.Config().N3Addr, b)).To(Succeed())
	select {
	case p := <-got:
		m, err := gtpmsg.Parse(p)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.MessageType()).To(Equal(gtpmsg.MsgTypeErrorIndication))
	case <-time.After(guard):
		Fail("no GTP-U Error Indication from the UPF")
	}
}

var _ = Describe("PDU sessions (mem)", Label("conformance", "userplane"), func() {
	// Reference: TS 24.501 §6.4.3 (UE-requested PDU session release); TS 23.502 §4.3.4.2
	// Reference: TS 38.413 §8.2.2; TS 29.502 §5.2.2.3, §5.2.2.5 (status notification RELEASED)
	It("releases the PDU session on the UE's request and the UPF removes its rules", func() {
		e := newEnv("mem")
		supi := e.supi(0)
		u, s := e.session(0)
		m := e.mark()
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		Expect(u.ReleaseSession(ctx, s.ID)).To(Succeed())
		Expect(u.Sessions()).To(BeEmpty())
		e.await(m, and(match(trace.Event{Actor: "amf", Kind: trace.KindNote, Name: amf.NoteSessionGone, SUPI: supi}),
			detailHas("released by the SMF")))
		e.expectNoSession(supi, s.Addr)
		for _, name := range []string{nasx.MsgPDUSessionReleaseCommand.String()} {
			Expect(e.since(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindMessage, Name: name}))).To(HaveLen(1), name)
		}
		Expect(e.since(m, match(trace.Event{Actor: "gnb-1", Kind: trace.KindMessage, Name: "PDUSessionResourceReleaseCommand"}))).NotTo(BeEmpty())
		// The UE stays registered and can open a session again.
		Expect(u.Registered()).To(BeTrue())
		m = e.mark()
		s2, err := u.EstablishSession(ctx, e.Topo.DNN, nasx.SNSSAI{SST: 1})
		Expect(err).NotTo(HaveOccurred())
		Expect(s2.Accepted).To(BeTrue(), "%+v", s2)
		e.awaitUserPlane(m, supi)
	})

	// Reference: TS 23.502 §4.2.2.3.3 (network-initiated de-registration: step 2 releases the SM
	// contexts), §4.3.4.2; TS 29.502 §5.2.2.4; TS 29.281 §7.3.1 (unknown TEID); TR 33.899 KI #12.2 R3
	DescribeTable("tears the session down when the network de-registers the UE",
		func(deregister func(e *env, supi string)) {
			e := newEnv("mem")
			supi := e.supi(0)
			u, s := e.session(0)
			info, ok := e.SMF.Session(supi, s.ID)
			Expect(ok).To(BeTrue())
			before := e.UPF.Stats().Dropped(upf.DropUnknownTEID)
			m := e.mark()
			deregister(e, supi)
			e.awaitAMF(m, supi, amf.StateContextDeleted)
			e.await(m, match(trace.Event{Actor: "amf", Kind: trace.KindResponse, Name: amf.OpSMFRelease, SUPI: supi, Status: 204}))
			e.expectNoSession(supi, s.Addr)
			Expect(u.Registered()).To(BeFalse())
			// An uplink packet on the old tunnel is dropped and counted at the UPF.
			e.sendOldTEID(info.ULTunnel.TEID, s.Addr)
			Expect(e.UPF.Stats().Dropped(upf.DropUnknownTEID)).To(Equal(before + 1))
		},
		Entry("subscription removed at the UDR (subscription withdrawn)", func(e *env, supi string) {
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			Expect(e.UDR.Remove(ctx, supi)).To(Succeed())
		}),
		Entry("the AMF's Deregister", func(e *env, supi string) {
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			Expect(e.AMF.Deregister(ctx, supi, 0)).To(Succeed())
			// Deregister returns once the request is out and the SM contexts are released.
			Expect(e.SMF.Sessions(supi)).To(BeEmpty())
		}),
	)

	// Reference: TS 24.501 §6.4.1.4.1 (#27 missing or unknown DNN); TS 23.502 §4.3.2.2.1 step 4 (sm-data)
	// Reference: TS 29.503 §5.2.2.2.5; TS 29.502 §5.2.2.2.1 (SmContextCreateError with the N1 reject)
	It("refuses a session for a DNN the subscription does not allow (#27)", func() {
		e := newEnv("mem", func(t *testbed.Topology) { t.Subscribers[0].DNNs = []string{"ims"} })
		supi := e.supi(0)
		u := e.newUE(0)
		e.expectRegistered(0, u, supi, register(u))
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		m := e.mark()
		s, err := u.EstablishSession(ctx, e.Topo.DNN, nasx.SNSSAI{SST: 1})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Accepted).To(BeFalse())
		Expect(s.Cause).To(Equal(nasx.GSMCauseMissingOrUnknownDNN))
		Expect(s.MMCause).To(BeZero(), "the reject comes from the SMF, not a 5GMM #90")
		e.await(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindReject, Name: nasx.MsgPDUSessionEstablishmentReject.String(), Cause: "5GSM#27"}))
		Expect(e.since(m, match(trace.Event{Actor: "amf", Kind: trace.KindResponse, Name: amf.OpSMFCreate, Status: 403}))).To(HaveLen(1))
		Expect(e.SMF.Sessions(supi)).To(BeEmpty())
		Expect(e.AMF.Sessions(supi)).To(BeEmpty())
		Expect(e.UPF.Stats().Sessions).To(BeZero())
		Expect(u.Sessions()).To(BeEmpty())
	})
})

// Reference: TS 23.502 §4.3.2.2.1 (PDU session establishment); TS 29.244 §7.5.2 (one PFCP session each)
var _ = Describe("PDU sessions at scale (mem)", Label("conformance", "userplane", "scale"), func() {
	const n = 1000
	It(fmt.Sprintf("establishes a PDU session for each of %d UEs through 4 gNBs", n), func() {
		e := newEnvN("mem", n, func(t *testbed.Topology) { t.Name, t.GNBs = "scale", 4 })
		var (
			mu        sync.Mutex
			activated int
			done      = make(chan struct{})
		)
		e.Trace.Subscribe(func(ev trace.Event) {
			if ev.Actor == "amf" && ev.Kind == trace.KindResponse && ev.Name == amf.OpSMFUpdate && ev.Status == 200 {
				mu.Lock()
				activated++
				if activated == n {
					close(done)
				}
				mu.Unlock()
			}
		})
		ues := make([]*ue.UE, n)
		for i := range ues {
			ues[i] = e.newUE(i, testbed.UEOptions{GNB: 1 + i%4})
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		run := func(f func(i int) error) []error {
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range ues {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = f(i)
				}()
			}
			wg.Wait()
			return errs
		}
		for i, err := range run(func(i int) error {
			r, err := ues[i].Register(ctx)
			if err == nil && !r.Accepted {
				err = fmt.Errorf("not accepted: %+v", r)
			}
			return err
		}) {
			Expect(err).NotTo(HaveOccurred(), "registration of UE %d", i)
		}
		sessions := make([]ue.Session, n)
		start := time.Now()
		for i, err := range run(func(i int) (err error) {
			sessions[i], err = ues[i].EstablishSession(ctx, e.Topo.DNN, nasx.SNSSAI{SST: 1})
			return err
		}) {
			Expect(err).NotTo(HaveOccurred(), "session of UE %d", i)
		}
		select {
		case <-done:
		case <-ctx.Done():
			Fail("the SMF did not activate every user plane")
		}
		took := time.Since(start)
		AddReportEntry(fmt.Sprintf("%d concurrent PDU session establishments", n), took.String())
		GinkgoWriter.Printf("%d PDU sessions in %v (%.0f/s)\n", n, took, float64(n)/took.Seconds())
		addrs := map[netip.Addr]bool{}
		for i, s := range sessions {
			Expect(s.Accepted).To(BeTrue(), "UE %d: %+v", i, s)
			Expect(s.UserPlane).To(BeTrue(), "UE %d", i)
			addrs[s.Addr] = true
		}
		Expect(addrs).To(HaveLen(n), "every UE has its own address")
		Expect(e.SMF.Count()).To(Equal(n))
		Expect(e.UPF.Stats().Sessions).To(Equal(n))
		Expect(e.AMF.Counts().Sessions).To(Equal(n))
	})
})
