package uplane_test

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	gtpie "github.com/wmnsk/go-gtp/gtpv1/ie"
	gtpmsg "github.com/wmnsk/go-gtp/gtpv1/message"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/dn/netstack"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/ue/uplane"
)

var (
	upfN3  = netip.MustParseAddrPort("127.0.0.8:2152")
	gnbN3  = netip.MustParseAddrPort("127.0.0.20:2152")
	remote = netip.MustParseAddr("10.100.0.1")
	ue     = netip.MustParseAddr("10.60.0.1")
)

const (
	ulTEID = 0x0a0b0c0d
	dlTEID = 0x100
	qfi    = 9
)

// miniUPF decapsulates what the plane sends into a "remote" stack and
// tunnels the remote stack's answers back on the downlink TEID.
type miniUPF struct {
	ep     transport.Endpoint
	remote *netstack.Stack
	mu     sync.Mutex
	seen   []*gtpmsg.Header
	other  chan []byte // non-G-PDU messages received
}

func newMiniUPF(nw transport.Network) (*miniUPF, error) {
	st, err := netstack.New(netstack.Options{})
	if err != nil {
		return nil, err
	}
	if err := st.AddAddress(remote); err != nil {
		return nil, err
	}
	m := &miniUPF{remote: st, other: make(chan []byte, 16)}
	m.ep, err = nw.Listen(transport.N3, upfN3, func(_ netip.AddrPort, b []byte) {
		h, err := gtpmsg.ParseHeader(b)
		if err != nil || h.Type != gtpmsg.MsgTypeTPDU {
			m.other <- append([]byte(nil), b...)
			return
		}
		m.mu.Lock()
		m.seen = append(m.seen, h)
		m.mu.Unlock()
		_ = st.Inject(h.Payload)
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	go st.Run(ctx, func(pkt []byte) {
		b, err := gtpmsg.NewTPDUWithExtentionHeader(dlTEID, pkt,
			gtpmsg.NewExtensionHeader(gtpmsg.ExtHeaderTypePDUSessionContainer, []byte{0x00, qfi}, 0)).Marshal()
		if err == nil {
			_ = m.ep.Send(ctx, gnbN3, b)
		}
	})
	DeferCleanup(func() { cancel(); st.Close(); _ = m.ep.Close() })
	return m, nil
}

func (m *miniUPF) first() *gtpmsg.Header {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.seen) == 0 {
		return nil
	}
	return m.seen[0]
}

func udpEchoServer(st *netstack.Stack, at netip.AddrPort) {
	c, err := st.ListenUDP(at)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(c.Close)
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = c.WriteTo(buf[:n], from)
		}
	}()
}

var _ = Describe("RAN-side UE user plane", Label("userplane", "n3"), func() {
	var (
		nw  *transport.MemNetwork
		p   *uplane.Plane
		upf *miniUPF
		rec *trace.Recorder
		eis chan uint32
	)
	BeforeEach(func() {
		nw = transport.NewMem(transport.MemOptions{})
		DeferCleanup(nw.Close)
		rec = trace.NewRecorder(clock.NewFake(time.Unix(0, 0)))
		eis = make(chan uint32, 4)
		var err error
		p, err = uplane.New(uplane.Config{Name: "gnb", N3Addr: gnbN3}, uplane.Deps{Net: nw, Trace: rec,
			OnErrorIndication: func(_ netip.AddrPort, teid uint32) { eis <- teid }})
		Expect(err).NotTo(HaveOccurred())
		Expect(p.Start(context.Background())).To(Succeed())
		DeferCleanup(p.Close)
		upf, err = newMiniUPF(nw)
		Expect(err).NotTo(HaveOccurred())
		Expect(p.AddSession(ue, ulTEID, upfN3, dlTEID, qfi)).To(Succeed())
	})

	exchange := func(msg string) (string, error) {
		c, err := p.DialUDP(ue, netip.AddrPortFrom(remote, 7))
		if err != nil {
			return "", err
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.Write([]byte(msg)); err != nil {
			return "", err
		}
		buf := make([]byte, 2048)
		n, err := c.Read(buf)
		return string(buf[:n]), err
	}

	// Reference: TS 29.281 §5.1 (G-PDU with the UPF's TEID); TS 38.415 §5.5.2.2 (UL PDU SESSION INFORMATION: PDU type 1, QFI)
	It("tunnels a UE's packets with the uplink TEID and the QFI container, and delivers the downlink", func() {
		udpEchoServer(upf.remote, netip.AddrPortFrom(remote, 7))
		reply, err := exchange("hello")
		Expect(err).NotTo(HaveOccurred())
		Expect(reply).To(Equal("hello"))
		h := upf.first()
		Expect(h).NotTo(BeNil())
		Expect(h.TEID).To(Equal(uint32(ulTEID)))
		Expect(h.ExtensionHeaders).To(HaveLen(1))
		Expect(h.ExtensionHeaders[0].Type).To(Equal(gtpmsg.ExtHeaderTypePDUSessionContainer))
		Expect(h.ExtensionHeaders[0].Content[0] >> 4).To(Equal(uint8(1)))
		Expect(h.ExtensionHeaders[0].Content[1]).To(Equal(uint8(qfi)))
		Expect(netip.AddrFrom4([4]byte(h.Payload[12:16]))).To(Equal(ue))
		st := p.Stats()
		Expect(st.Uplink).To(BeNumerically(">=", 1))
		Expect(st.Downlink).To(BeNumerically(">=", 1))
		Expect(st.Sessions).To(Equal(1))
	})

	It("carries TCP both ways", func() {
		l, err := upf.remote.ListenTCP(netip.AddrPortFrom(remote, 9))
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(l.Close)
		go func() {
			c, err := l.Accept()
			if err == nil {
				_, _ = io.Copy(c, c)
				_ = c.Close()
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := p.DialTCP(ctx, ue, netip.AddrPortFrom(remote, 9))
		Expect(err).NotTo(HaveOccurred())
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		msg := make([]byte, 10000)
		for i := range msg {
			msg[i] = byte(i * 7)
		}
		go func() { _, _ = c.Write(msg) }()
		got := make([]byte, len(msg))
		_, err = io.ReadFull(c, got)
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(Equal(msg))
	})

	// Reference: TS 29.281 §7.2.2 (Echo Response)
	It("answers Echo Requests", func() {
		req, _ := gtpmsg.NewEchoRequest(5).Marshal()
		Expect(upf.ep.Send(context.Background(), gnbN3, req)).To(Succeed())
		var raw []byte
		Eventually(upf.other).Should(Receive(&raw))
		r, err := gtpmsg.ParseEchoResponse(raw)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Sequence()).To(Equal(uint16(5)))
	})

	// Reference: TS 29.281 §7.3.1: the RAN also reports unknown TEIDs with an Error Indication
	It("drops downlink on an unknown TEID and answers with an Error Indication", func() {
		g, _ := gtpmsg.NewTPDU(0x5555, make([]byte, 20)).Marshal()
		Expect(upf.ep.Send(context.Background(), gnbN3, g)).To(Succeed())
		var raw []byte
		Eventually(upf.other).Should(Receive(&raw))
		ei, err := gtpmsg.ParseErrorIndication(raw)
		Expect(err).NotTo(HaveOccurred())
		Expect(ei.TEIDDataI.MustTEID()).To(Equal(uint32(0x5555)))
		Expect(p.Stats().Drops[uplane.DropUnknownTEID]).To(Equal(uint64(1)))
		Expect(p.Stats().ErrorIndicationsTx).To(Equal(uint64(1)))
	})

	It("drops downlink whose inner packet is not for the session's UE", func() {
		pkt := make([]byte, 20)
		pkt[0] = 0x45
		copy(pkt[16:20], []byte{10, 60, 0, 99})
		g, _ := gtpmsg.NewTPDU(dlTEID, pkt).Marshal()
		Expect(upf.ep.Send(context.Background(), gnbN3, g)).To(Succeed())
		Eventually(func() uint64 { return p.Stats().Drops[uplane.DropBadInner] }).Should(Equal(uint64(1)))
	})

	// Reference: TS 29.281 §7.3.1: the UPF's Error Indication tells the gNB the uplink tunnel is gone
	It("reports Error Indications from the UPF", func() {
		ei, _ := gtpmsg.NewErrorIndication(0, 0, gtpie.NewTEIDDataI(ulTEID), gtpie.NewGSNAddress("127.0.0.8")).Marshal()
		Expect(upf.ep.Send(context.Background(), gnbN3, ei)).To(Succeed())
		Eventually(eis).Should(Receive(Equal(uint32(ulTEID))))
		Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindMessage, Actor: "gnb", Name: "GTP-U Error Indication"}))).To(Equal(1))
	})

	// Reference: TS 23.502 §4.3.4.2 (the RAN releases the session's resources)
	It("forgets a removed session", func() {
		Expect(p.RemoveSession(ue)).To(Succeed())
		_, err := p.DialUDP(ue, netip.AddrPortFrom(remote, 7))
		Expect(errors.Is(err, uplane.ErrNoSession)).To(BeTrue())
		Expect(errors.Is(p.RemoveSession(ue), uplane.ErrNoSession)).To(BeTrue())
		g, _ := gtpmsg.NewTPDU(dlTEID, make([]byte, 20)).Marshal()
		Expect(upf.ep.Send(context.Background(), gnbN3, g)).To(Succeed())
		Eventually(func() uint64 { return p.Stats().Drops[uplane.DropUnknownTEID] }).Should(Equal(uint64(1)))
		Expect(p.Stats().Sessions).To(BeZero())
	})

	DescribeTable("refuses bad sessions",
		func(ueIP netip.Addr, ul uint32, upfAddr netip.AddrPort, dl uint32) {
			Expect(errors.Is(p.AddSession(ueIP, ul, upfAddr, dl, 1), uplane.ErrSession)).To(BeTrue())
		},
		Entry("IPv6 UE", netip.MustParseAddr("2001:db8::1"), uint32(1), upfN3, uint32(2)),
		Entry("uplink TEID 0", netip.MustParseAddr("10.60.0.2"), uint32(0), upfN3, uint32(2)),
		Entry("downlink TEID 0", netip.MustParseAddr("10.60.0.2"), uint32(1), upfN3, uint32(0)),
		Entry("no UPF", netip.MustParseAddr("10.60.0.2"), uint32(1), netip.AddrPort{}, uint32(2)),
		Entry("a downlink TEID another UE has", netip.MustParseAddr("10.60.0.2"), uint32(1), upfN3, uint32(dlTEID)),
	)

	It("works over an N3 endpoint the gNB owns", func() {
		udpEchoServer(upf.remote, netip.AddrPortFrom(remote, 7))
		Expect(p.Close()).To(Succeed()) // free 127.0.0.20:2152
		var p2 *uplane.Plane
		ep, err := nw.Listen(transport.N3, gnbN3, func(from netip.AddrPort, b []byte) { p2.HandleN3(from, b) })
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(ep.Close)
		p2, err = uplane.New(uplane.Config{}, uplane.Deps{N3: ep})
		Expect(err).NotTo(HaveOccurred())
		Expect(p2.Start(context.Background())).To(Succeed())
		DeferCleanup(p2.Close)
		Expect(p2.AddSession(ue, ulTEID, upfN3, dlTEID, qfi)).To(Succeed())
		c, err := p2.DialUDP(ue, netip.AddrPortFrom(remote, 7))
		Expect(err).NotTo(HaveOccurred())
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		_, err = c.Write([]byte("via the gNB's endpoint"))
		Expect(err).NotTo(HaveOccurred())
		buf := make([]byte, 64)
		n, err := c.Read(buf)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(buf[:n])).To(Equal("via the gNB's endpoint"))
	})

	It("counts GTP-U it cannot decode", func() {
		for _, junk := range [][]byte{nil, {0x30}, {0x48, 1, 0, 4, 0, 0, 0, 0}, {0x30, 0xff, 0x10, 0, 0, 0, 0, 1}} {
			p.HandleN3(upfN3, junk)
		}
		Expect(p.Stats().Drops[uplane.DropMalformedGTPU]).To(Equal(uint64(4)))
	})
})
