package upf_test

import (
	"encoding/binary"
	"net/netip"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	gtpmsg "github.com/wmnsk/go-gtp/gtpv1/message"

	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/upf"
)

var _ = Describe("Downlink buffering", Label("userplane", "n4", "n6"), func() {
	var (
		b   *bed
		p   *probe
		dnN netip.AddrPort
	)
	BeforeEach(func() {
		var err error
		b, err = newBed("mem")
		DeferCleanup(func() {
			if b != nil {
				b.close()
			}
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = b.associate()
		Expect(err).NotTo(HaveOccurred())
		// The probe plays the gNB: its address goes into the downlink FAR.
		p, err = b.probe()
		Expect(err).NotTo(HaveOccurred())
		dnN = ap(b.p.dn, upf.DefaultN6Port)
	})

	// establish runs step 10a only: the downlink FAR buffers (no gNB tunnel yet).
	establish := func(ue netip.Addr, bufferPackets uint8) uint64 {
		s := pfcpx.PDUSession{NodeID: b.p.smf.String(), CPSEID: 7, CPAddr: b.p.smf, UEIP: ue, QFI: 9,
			NetworkInstance: "internet", BufferPackets: bufferPackets}
		r, err := b.do(func(seq uint32) ([]byte, error) {
			return pfcpx.BuildSessionEstablishmentRequest(seq, s.Establishment())
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Cause).To(Equal(pfcpx.CauseRequestAccepted))
		return r.UPSEID
	}
	modify := func(seid uint64, m pfcpx.Modification) pfcpx.Cause {
		r, err := b.do(func(seq uint32) ([]byte, error) { return pfcpx.BuildSessionModificationRequest(seq, seid, m) })
		Expect(err).NotTo(HaveOccurred())
		return r.Cause
	}
	// activate is step 16a: the downlink FAR forwards to the probe.
	activate := func(seid uint64) {
		Expect(modify(seid, pfcpx.ActivateDownlink(0x4242, b.p.probe, "internet"))).To(Equal(pfcpx.CauseRequestAccepted))
	}
	// fromDN hands the UPF n downlink packets for ue (payload: their index) as N6 would.
	fromDN := func(ue netip.Addr, n, size int) {
		for i := range n {
			b.upf.HandleN6(dnN, ipv4Numbered(dnAddr, ue, i, size))
		}
	}
	// marker hands the UPF one packet numbered 999 for ue.
	marker := func(ue netip.Addr) { b.upf.HandleN6(dnN, ipv4Numbered(dnAddr, ue, 999, 60)) }
	// received decodes n G-PDUs from the probe and returns their inner indexes.
	received := func(n int) []int {
		var out []int
		for range n {
			var raw []byte
			Eventually(p.in).Should(Receive(&raw))
			var h gtpmsg.Header
			Expect(h.UnmarshalBinary(raw)).To(Succeed())
			Expect(h.Type).To(Equal(uint8(gtpmsg.MsgTypeTPDU)))
			Expect(h.TEID).To(Equal(uint32(0x4242)))
			Expect(h.ExtensionHeaders).To(HaveLen(1), "DL PDU Session Container")
			Expect(h.ExtensionHeaders[0].Content[1] & 0x3f).To(Equal(uint8(9)))
			out = append(out, int(binary.BigEndian.Uint32(h.Payload[28:32])))
		}
		return out
	}
	seq := func(from, to int) []int {
		var out []int
		for i := from; i < to; i++ {
			out = append(out, i)
		}
		return out
	}

	// Reference: TS 29.244 §5.2.1, §7.5.2.3 (Apply Action BUFF); TS 23.502 §4.3.2.2.1 steps 10a and 16a:
	// downlink data that reaches the UPF before the gNB tunnel is known is delivered, in order, after the modification
	It("keeps downlink packets while the FAR buffers and forwards them in order once it forwards", func() {
		ue := ueIP(0)
		seid := establish(ue, 0)
		fromDN(ue, 5, 60)
		st := b.upf.Stats()
		Expect(st.DownlinkBuffered).To(Equal(uint64(5)))
		Expect(st.BufferedNow).To(Equal(5))
		Expect(st.DownlinkForwarded).To(BeZero())
		Expect(st.DroppedTotal()).To(BeZero())
		v, _ := b.upf.Session(seid)
		Expect(v.Buffered).To(Equal(5))
		Expect(b.rec.Count(trace.Match(trace.Event{Kind: trace.KindNote, Actor: "upf", Name: "downlink buffering"}))).To(Equal(1))

		// A modification after which the FAR still buffers releases nothing.
		Expect(modify(seid, pfcpx.SetGates(pfcpx.GateOpen, pfcpx.GateOpen))).To(Equal(pfcpx.CauseRequestAccepted))
		Expect(b.upf.Stats().BufferedNow).To(Equal(5))
		Expect(b.upf.Stats().N3Out).To(BeZero())

		activate(seid)
		Expect(received(5)).To(Equal(seq(0, 5)))
		// Later packets follow the buffered ones directly.
		marker(ue)
		Expect(received(1)).To(Equal([]int{999}))
		st = b.upf.Stats()
		Expect(st.BufferReleased).To(Equal(uint64(5)))
		Expect(st.DownlinkForwarded).To(Equal(uint64(6)))
		Expect(st.BufferedNow).To(BeZero())
		Expect(st.BufferedBytes).To(BeZero())
		v, _ = b.upf.Session(seid)
		Expect(v.Buffered).To(BeZero())
		Expect(b.rec.Count(trace.Match(trace.Event{Kind: trace.KindNote, Actor: "upf", Name: "buffered downlink released"}))).To(Equal(1))
	})

	// Reference: TS 29.244 §5.2.4 (BAR: Suggested Buffering Packets Count), §7.5.2.6 (Create BAR):
	// the buffer is bounded; what does not fit is dropped and counted
	DescribeTable("bounds each session's buffer",
		func(bufferPackets uint8, n, size, kept int) {
			ue := ueIP(1)
			seid := establish(ue, bufferPackets)
			fromDN(ue, n, size)
			st := b.upf.Stats()
			Expect(st.DownlinkBuffered).To(Equal(uint64(kept)))
			Expect(st.BufferedNow).To(Equal(kept))
			Expect(st.BufferedBytes).To(Equal(kept * size))
			Expect(st.Dropped(upf.DropBufferFull)).To(Equal(uint64(n - kept)))
			Expect(b.rec.Count(trace.Match(trace.Event{Kind: trace.KindDrop, Actor: "upf", Cause: "buffer full"}))).To(BeNumerically(">=", 1))
			activate(seid)
			Expect(received(kept)).To(Equal(seq(0, kept)), "the oldest packets are kept")
			marker(ue)
			Expect(received(1)).To(Equal([]int{999}), "and nothing else")
		},
		Entry("16 packets by default", uint8(0), 20, 100, 16),
		Entry("32 KiB by default", uint8(0), 16, 3000, 10),
		Entry("fewer packets when the BAR suggests it", uint8(4), 10, 100, 4),
		Entry("never more than the UPF's own bound", uint8(200), 20, 100, 16),
	)

	// Reference: TS 29.244 §7.5.6 (Session Deletion), §5.2.1: a deleted session's buffered packets are discarded
	It("discards the buffer when the session is deleted", func() {
		ue := ueIP(2)
		seid := establish(ue, 0)
		fromDN(ue, 3, 100)
		r, err := b.do(func(seq uint32) ([]byte, error) { return pfcpx.BuildSessionDeletionRequest(seq, seid) })
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Cause).To(Equal(pfcpx.CauseRequestAccepted))
		st := b.upf.Stats()
		Expect(st.BufferedNow).To(BeZero())
		Expect(st.BufferedBytes).To(BeZero())
		Expect(st.Dropped(upf.DropBufferDiscarded)).To(Equal(uint64(3)))
		Expect(b.rec.Count(trace.Match(trace.Event{Kind: trace.KindDrop, Actor: "upf", Cause: "buffer discarded"}))).To(Equal(1))
		fromDN(ue, 1, 100)
		Expect(b.upf.Stats().Dropped(upf.DropNoSession)).To(Equal(uint64(1)))
		Expect(b.upf.Stats().N3Out).To(BeZero())
	})

	// Reference: TS 29.244 §5.2.3: buffered packets meet the FAR that replaces BUFF; DROP discards them
	It("drops the buffered packets when the FAR turns to DROP", func() {
		ue := ueIP(3)
		seid := establish(ue, 0)
		fromDN(ue, 2, 100)
		Expect(modify(seid, pfcpx.Modification{UpdateFARs: []pfcpx.FARUpdate{{ID: pfcpx.FARDownlink, Action: pfcpx.ActDrop}}})).
			To(Equal(pfcpx.CauseRequestAccepted))
		st := b.upf.Stats()
		Expect(st.BufferedNow).To(BeZero())
		Expect(st.Dropped(upf.DropFARDrop)).To(Equal(uint64(2)))
		Expect(st.N3Out).To(BeZero())
	})

	// Reference: TS 29.244 §7.5.2.3 (BAR ID names a BAR of the session), §7.5.4.11, §7.5.4.12, §7.6 (Cause 73)
	It("keeps the session's BAR and rejects FARs naming an unknown one", func() {
		seid := establish(ueIP(4), 8)
		v, _ := b.upf.Session(seid)
		Expect(v.BARs).To(Equal([]pfcpx.BAR{{ID: pfcpx.BARSession, SuggestedPackets: 8}}))
		Expect(modify(seid, pfcpx.Modification{UpdateBAR: &pfcpx.BAR{ID: pfcpx.BARSession, SuggestedPackets: 2}})).
			To(Equal(pfcpx.CauseRequestAccepted))
		fromDN(ueIP(4), 3, 100)
		Expect(b.upf.Stats().DownlinkBuffered).To(Equal(uint64(2)))

		bar := uint8(9)
		Expect(modify(seid, pfcpx.Modification{UpdateFARs: []pfcpx.FARUpdate{{ID: pfcpx.FARDownlink, BARID: &bar}}})).
			To(Equal(pfcpx.CauseRuleCreationModificationFailure))
		one := pfcpx.BARSession
		Expect(modify(seid, pfcpx.Modification{RemoveBAR: &one})).
			To(Equal(pfcpx.CauseRuleCreationModificationFailure), "the downlink FAR still names it")
		Expect(b.rec.Count(trace.Match(trace.Event{Kind: trace.KindReject, Actor: "upf", Cause: "PFCP#73"}))).To(Equal(2))
		v, _ = b.upf.Session(seid)
		Expect(v.Buffered).To(Equal(2), "a rejected modification changes nothing")
	})

	// Reference: TS 29.244 §5.2.1: no packet is lost or left behind when downlink data races the modification
	It("loses nothing when packets arrive while the FAR is switched to forwarding", func() {
		ue := ueIP(5)
		seid := establish(ue, 0)
		const n = 200
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer GinkgoRecover()
			fromDN(ue, n, 60)
		}()
		activate(seid)
		wg.Wait()
		st := b.upf.Stats()
		Expect(st.BufferedNow).To(BeZero(), "nothing stranded in a queue")
		fwd := int(st.DownlinkForwarded)
		Expect(uint64(fwd) + st.Dropped(upf.DropBufferFull)).To(Equal(uint64(n)))
		Expect(st.DownlinkBuffered - st.BufferReleased).To(BeZero())
		Expect(received(fwd)).To(HaveLen(fwd))
	})

	// Reference: TS 29.244 §5.2.4: one session's buffer does not take another's room
	It("keeps one queue per session", func() {
		a, c := ueIP(6), ueIP(7)
		sa := establish(a, 2)
		sc := establish(c, 0)
		fromDN(a, 5, 100)
		fromDN(c, 5, 100)
		va, _ := b.upf.Session(sa)
		vc, _ := b.upf.Session(sc)
		Expect(va.Buffered).To(Equal(2))
		Expect(vc.Buffered).To(Equal(5))
		Expect(b.upf.Stats().BufferedNow).To(Equal(7))
	})
})

// ipv4Numbered builds an IPv4/UDP packet of size bytes whose payload starts
// with the big-endian index i.
func ipv4Numbered(src, dst netip.Addr, i, size int) []byte {
	p := make([]byte, max(size, 32))
	p[0], p[8], p[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(p[2:4], uint16(len(p)))
	s, d := src.As4(), dst.As4()
	copy(p[12:16], s[:])
	copy(p[16:20], d[:])
	binary.BigEndian.PutUint16(p[20:22], 7)
	binary.BigEndian.PutUint16(p[22:24], 9999)
	binary.BigEndian.PutUint16(p[24:26], uint16(len(p)-20))
	binary.BigEndian.PutUint32(p[28:32], uint32(i))
	return p
}
