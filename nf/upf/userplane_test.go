package upf_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	gtpmsg "github.com/wmnsk/go-gtp/gtpv1/message"

	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/upf"
)

var _ = Describe("User plane through GTP-U, UPF and data network", Label("userplane", "n3", "n6"), func() {
	for _, mode := range []string{"mem", "net"} {
		Context("over "+mode, func() {
			var (
				b  *bed
				us ueSession
			)
			BeforeEach(func() {
				var err error
				b, err = newBed(mode)
				DeferCleanup(func() {
					if b != nil {
						b.close()
					}
				})
				Expect(err).NotTo(HaveOccurred())
				_, err = b.associate()
				Expect(err).NotTo(HaveOccurred())
				us, err = b.establish(ueIP(0), 1)
				Expect(err).NotTo(HaveOccurred())
			})

			// Reference: TS 23.502 §4.3.2.2.1 (user plane after steps 16a/16b); TS 29.281 §5.1; TS 38.415 §5.5.2 (QFI)
			It("carries UDP echo, TCP echo and an HTTP fetch from a UE", func() {
				reply, err := b.udpEcho(us.ue, "ping over N3")
				Expect(err).NotTo(HaveOccurred())
				Expect(reply).To(Equal("ping over N3"))

				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				c, err := b.ran.DialTCP(ctx, us.ue, ap(dnAddr, 7))
				Expect(err).NotTo(HaveOccurred())
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				msg := make([]byte, 20000) // several segments: exercises TCP over the tunnel
				for i := range msg {
					msg[i] = byte(i)
				}
				go func() { _, _ = c.Write(msg) }()
				got := make([]byte, len(msg))
				_, err = io.ReadFull(c, got)
				Expect(err).NotTo(HaveOccurred())
				Expect(got).To(Equal(msg))

				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.dn.URL()+"/", nil)
				resp, err := b.ran.HTTPClient(us.ue).Do(req)
				Expect(err).NotTo(HaveOccurred())
				body, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				Expect(resp.StatusCode).To(Equal(http.StatusOK))
				Expect(string(body)).To(Equal("credbed data network\n"))

				st := b.upf.Stats()
				Expect(st.UplinkForwarded).To(BeNumerically(">=", 3))
				Expect(st.DownlinkForwarded).To(BeNumerically(">=", 3))
				Expect(st.DroppedTotal()).To(BeZero())
				Expect(b.ran.Stats().Downlink).To(BeNumerically(">=", 3))
			})

			// Reference: TS 23.502 §4.3.4.2 step 1b (N4 session release); TS 29.281 §7.3.1 (Error Indication on an unknown TEID)
			It("stops traffic once the session is deleted", func() {
				_, err := b.udpEcho(us.ue, "before")
				Expect(err).NotTo(HaveOccurred())
				r, err := b.do(func(seq uint32) ([]byte, error) { return pfcpx.BuildSessionDeletionRequest(seq, us.upSEID) })
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Cause).To(Equal(pfcpx.CauseRequestAccepted))

				c, err := b.ran.DialUDP(us.ue, ap(dnAddr, 7))
				Expect(err).NotTo(HaveOccurred())
				defer c.Close()
				_, err = c.Write([]byte("after"))
				Expect(err).NotTo(HaveOccurred())
				Eventually(func() uint64 { return b.upf.Stats().Dropped(upf.DropUnknownTEID) }).Should(BeNumerically(">=", 1))
				Eventually(func() uint64 { return b.ran.Stats().ErrorIndicationsRx }).Should(BeNumerically(">=", 1))
				Expect(b.upf.Stats().ErrorIndicationsSent).To(BeNumerically(">=", 1))
				Expect(b.rec.Count(trace.Match(trace.Event{Kind: trace.KindDrop, Actor: "upf", Cause: "unknown TEID"}))).To(BeNumerically(">=", 1))
				Expect(b.rec.Count(trace.Match(trace.Event{Kind: trace.KindMessage, Actor: "gnb", Name: "GTP-U Error Indication"}))).To(BeNumerically(">=", 1))
			})
		})
	}

	Context("GTP-U towards the UPF", func() {
		var (
			b  *bed
			p  *probe
			us ueSession
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
			us, err = b.establish(ueIP(0), 1)
			Expect(err).NotTo(HaveOccurred())
			p, err = b.probe()
			Expect(err).NotTo(HaveOccurred())
		})

		// Reference: TS 29.281 §7.3.1: TEID Data I = the unknown TEID, GTP-U Peer Address = the UPF, UDP Port extension header
		It("drops a G-PDU on an unknown TEID, counts it and sends an Error Indication", func() {
			gpdu, err := gtpmsg.NewTPDU(0xdeadbeef, ipv4UDP(ueIP(0), dnAddr)).Marshal()
			Expect(err).NotTo(HaveOccurred())
			Expect(p.send(b, gpdu)).To(Succeed())
			var raw []byte
			Eventually(p.in).Should(Receive(&raw))
			ei, err := gtpmsg.ParseErrorIndication(raw)
			Expect(err).NotTo(HaveOccurred())
			Expect(ei.Header.TEID).To(BeZero())
			Expect(ei.TEIDDataI.MustTEID()).To(Equal(uint32(0xdeadbeef)))
			Expect(ei.GTPUPeerAddress.MustGSNAddress()).To(Equal(b.p.upf.String()))
			Expect(ei.Header.ExtensionHeaders).To(HaveLen(1))
			Expect(ei.Header.ExtensionHeaders[0].Type).To(Equal(gtpmsg.ExtHeaderTypeUDPPort))
			Expect(b.upf.Stats().Dropped(upf.DropUnknownTEID)).To(Equal(uint64(1)))
			Expect(b.upf.Stats().ErrorIndicationsSent).To(Equal(uint64(1)))
			Expect(b.rec.Count(trace.Match(trace.Event{Kind: trace.KindDrop, Actor: "upf", Iface: trace.IfaceN3, Cause: "unknown TEID"}))).To(Equal(1))
		})

		// Reference: TS 29.281 §7.2.1/§7.2.2: Echo Response echoes the sequence number and carries Recovery
		It("answers an Echo Request", func() {
			echo, err := gtpmsg.NewEchoRequest(77).Marshal()
			Expect(err).NotTo(HaveOccurred())
			Expect(p.send(b, echo)).To(Succeed())
			var raw []byte
			Eventually(p.in).Should(Receive(&raw))
			er, err := gtpmsg.ParseEchoResponse(raw)
			Expect(err).NotTo(HaveOccurred())
			Expect(er.Sequence()).To(Equal(uint16(77)))
			Expect(er.Recovery).NotTo(BeNil())
		})

		// Reference: TS 29.244 §5.2.1 (PDI: UE IP address and QFI must match); TS 38.415 §5.5.2.2
		DescribeTable("drops uplink packets no PDR matches",
			func(build func() []byte, reason upf.DropReason) {
				Expect(p.send(b, build())).To(Succeed())
				Eventually(func() uint64 { return b.upf.Stats().Dropped(reason) }).Should(Equal(uint64(1)))
				Expect(b.upf.Stats().UplinkForwarded).To(BeZero())
			},
			Entry("spoofed UE source address", func() []byte {
				return gpduQFI(us.ulTEID, 9, ipv4UDP(ueIP(5), dnAddr))
			}, upf.DropNoPDR),
			Entry("another QFI", func() []byte {
				return gpduQFI(us.ulTEID, 3, ipv4UDP(ueIP(0), dnAddr))
			}, upf.DropNoPDR),
			Entry("an inner packet that is not IPv4", func() []byte {
				return gpduQFI(us.ulTEID, 9, []byte("hello"))
			}, upf.DropMalformedInner),
		)

		// Reference: TS 29.281 §5.1, §5.2.1: bytes that are not GTP-U, or need an unknown extension header, are discarded
		DescribeTable("bad GTP-U bytes are counted, never a crash",
			func(raw []byte, reason upf.DropReason) {
				Expect(p.send(b, raw)).To(Succeed())
				Eventually(func() uint64 { return b.upf.Stats().Dropped(reason) }).Should(Equal(uint64(1)))
				// still alive
				echo, _ := gtpmsg.NewEchoRequest(1).Marshal()
				Expect(p.send(b, echo)).To(Succeed())
				Eventually(p.in).Should(Receive())
			},
			Entry("empty", []byte{}, upf.DropMalformedGTPU),
			Entry("GTPv2", []byte{0x48, 1, 0, 4, 0, 0, 0, 0}, upf.DropMalformedGTPU),
			Entry("length beyond the bytes", []byte{0x30, 0xff, 0x10, 0, 0, 0, 0, 1}, upf.DropMalformedGTPU),
			Entry("zero-length extension header", []byte{0x34, 0xff, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 0, 0, 0, 0}, upf.DropMalformedGTPU),
			Entry("comprehension-required unknown extension", []byte{0x34, 0xff, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x83, 1, 0, 0, 0}, upf.DropUnsupportedGTPU),
			Entry("unsupported message type", []byte{0x30, 16, 0, 0, 0, 0, 0, 1}, upf.DropUnsupportedGTPU),
		)

		// Reference: TS 29.244 §5.2.5 (gate status), §5.2.3 (FAR DROP/BUFF)
		It("enforces a closed uplink gate", func() {
			r, err := b.do(func(seq uint32) ([]byte, error) {
				return pfcpx.BuildSessionModificationRequest(seq, us.upSEID, pfcpx.SetGates(pfcpx.GateClosed, pfcpx.GateOpen))
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Cause).To(Equal(pfcpx.CauseRequestAccepted))
			Expect(p.send(b, gpduQFI(us.ulTEID, 9, ipv4UDP(ueIP(0), dnAddr)))).To(Succeed())
			Eventually(func() uint64 { return b.upf.Stats().Dropped(upf.DropGateClosed) }).Should(Equal(uint64(1)))
		})

		// Reference: TS 29.244 §5.2.1, §5.2.3 (FAR BUFF); TS 23.502 §4.2.6 (AN release: the downlink FAR buffers)
		// and §4.2.3.2 (service request: the FAR forwards again and the buffered data follows)
		It("buffers downlink while the FAR buffers and delivers it once the FAR forwards again", func() {
			r, err := b.do(func(seq uint32) ([]byte, error) {
				return pfcpx.BuildSessionModificationRequest(seq, us.upSEID, pfcpx.DeactivateDownlink())
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Cause).To(Equal(pfcpx.CauseRequestAccepted))
			c, err := b.dn.DialUDP(ap(us.ue, 9999))
			Expect(err).NotTo(HaveOccurred())
			defer c.Close()
			_, err = c.Write([]byte("to the UE"))
			Expect(err).NotTo(HaveOccurred())
			Eventually(func() uint64 { return b.upf.Stats().DownlinkBuffered }).Should(Equal(uint64(1)))
			Expect(b.ran.Stats().Downlink).To(BeZero())

			r, err = b.do(func(seq uint32) ([]byte, error) {
				return pfcpx.BuildSessionModificationRequest(seq, us.upSEID, pfcpx.ActivateDownlink(us.dlTEID, b.p.gnb, "internet"))
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(r.Cause).To(Equal(pfcpx.CauseRequestAccepted))
			Eventually(func() uint64 { return b.ran.Stats().Downlink }).Should(Equal(uint64(1)))
			st := b.upf.Stats()
			Expect(st.BufferReleased).To(Equal(uint64(1)))
			Expect(st.BufferedNow).To(BeZero())
			Expect(st.DroppedTotal()).To(BeZero())
		})
	})

	// Reference: TS 23.502 §4.3.2.2.1 for each of 1,000 UEs; TS 29.244 §7.5.2
	It("serves 1,000 sessions in one UPF", Label("scale"), func() {
		b, err := newBed("mem")
		DeferCleanup(func() {
			if b != nil {
				b.close()
			}
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = b.associate()
		Expect(err).NotTo(HaveOccurred())
		const n = 1000
		sessions := make([]ueSession, n)
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
		)
		work := make(chan int)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					s, err := b.establish(ueIP(i), uint64(i+1))
					if err == nil {
						sessions[i] = s
						var reply string
						reply, err = b.udpEcho(s.ue, fmt.Sprintf("ue %d", i))
						if err == nil && reply != fmt.Sprintf("ue %d", i) {
							err = fmt.Errorf("ue %d: reply %q", i, reply)
						}
					}
					if err != nil {
						mu.Lock()
						errs = append(errs, fmt.Errorf("ue %d: %w", i, err))
						mu.Unlock()
					}
				}
			}()
		}
		for i := range n {
			work <- i
		}
		close(work)
		wg.Wait()
		Expect(errs).To(BeEmpty())
		st := b.upf.Stats()
		Expect(st.Sessions).To(Equal(n))
		Expect(st.UplinkForwarded).To(BeNumerically(">=", n))
		Expect(st.DownlinkForwarded).To(BeNumerically(">=", n))
		Expect(st.DroppedTotal()).To(BeZero())
		seen := map[uint32]bool{}
		for _, s := range sessions {
			Expect(seen[s.ulTEID]).To(BeFalse(), "TEIDs are unique")
			seen[s.ulTEID] = true
		}
		Expect(b.ran.Stats().Sessions).To(Equal(n))
	})
})

// ipv4UDP builds a minimal IPv4/UDP packet (checksums zero: the UPF does not check them).
func ipv4UDP(src, dst interface{ As4() [4]byte }) []byte {
	p := make([]byte, 28)
	p[0], p[2], p[3], p[8], p[9] = 0x45, 0, 28, 64, 17
	s, d := src.As4(), dst.As4()
	copy(p[12:16], s[:])
	copy(p[16:20], d[:])
	p[21], p[23], p[25] = 9, 7, 8
	return p
}

// gpduQFI builds a G-PDU with a UL PDU Session Container (TS 38.415 §5.5.2.2).
func gpduQFI(teid uint32, qfi uint8, inner []byte) []byte {
	b, err := gtpmsg.NewTPDUWithExtentionHeader(teid, inner,
		gtpmsg.NewExtensionHeader(gtpmsg.ExtHeaderTypePDUSessionContainer, []byte{0x10, qfi}, 0)).Marshal()
	if err != nil {
		panic(err)
	}
	return b
}
