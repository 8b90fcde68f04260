package transport_test

import (
	"context"
	"fmt"
	"net/netip"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/transport"
)

var _ = Describe("message endpoints", func() {
	for _, m := range modes {
		Context("in "+m.name+" mode", func() {
			var nw transport.Network
			ctx := context.Background()

			BeforeEach(func() {
				nw = m.make()
				DeferCleanup(nw.Close)
			})

			// Reference: TS 29.281 §4.4.2 (GTP-U over UDP), TS 29.244 §4.2 (PFCP
			// over UDP), TS 38.412 §7 (NGAP over an SCTP association).
			DescribeTable("deliver every message in order with the sender's address",
				func(k transport.Kind) {
					h, got := collector()
					a := listen(nw, k, "127.0.0.31:0", nil)
					b := listen(nw, k, "127.0.0.32:0", h)
					const count = 200
					for i := range count {
						Expect(a.SendStream(ctx, b.LocalAddr(), uint16(i%3), []byte(fmt.Sprintf("m%03d", i)))).To(Succeed())
					}
					for i := range count {
						var r msg
						Eventually(got).Should(Receive(&r))
						Expect(string(r.payload)).To(Equal(fmt.Sprintf("m%03d", i)))
						Expect(r.from).To(Equal(a.LocalAddr()))
						if k == transport.N2 {
							Expect(r.stream).To(Equal(uint16(i % 3)))
						}
					}
				},
				Entry("N2", transport.N2),
				Entry("N3", transport.N3),
				Entry("N4", transport.N4),
				Entry("N6", transport.N6),
				Entry("DL", transport.DL),
			)

			DescribeTable("copy the payload: changing it after Send does not change what arrives",
				func(k transport.Kind) {
					h, got := collector()
					a := listen(nw, k, "127.0.0.33:0", nil)
					b := listen(nw, k, "127.0.0.34:0", h)
					buf := []byte("original")
					Expect(a.Send(ctx, b.LocalAddr(), buf)).To(Succeed())
					copy(buf, "MUTATED!")
					var r msg
					Eventually(got).Should(Receive(&r))
					Expect(string(r.payload)).To(Equal("original"))
				},
				Entry("N2", transport.N2),
				Entry("N3", transport.N3),
				Entry("DL", transport.DL),
			)

			It("reports the endpoint's real bound address", func() {
				e := listen(nw, transport.N4, "127.0.0.35:0", nil)
				Expect(e.LocalAddr().Addr()).To(Equal(netip.MustParseAddr("127.0.0.35")))
				Expect(e.LocalAddr().Port()).NotTo(BeZero())
			})

			It("refuses a second endpoint on a bound address", func() {
				e := listen(nw, transport.N2, "127.0.0.36:0", nil)
				_, err := nw.Listen(transport.N2, e.LocalAddr(), nil)
				Expect(err).To(MatchError(transport.ErrAddrInUse))
			})

			It("refuses non-loopback addresses", func() {
				_, err := nw.Listen(transport.N3, ap("10.0.0.1:2152"), nil)
				Expect(err).To(MatchError(transport.ErrNotLoopback))
				_, _, err = nw.ServeSBI(ap("192.168.1.1:80"), nil)
				Expect(err).To(HaveOccurred())
				_, _, err = nw.ServeSBI(ap("192.168.1.1:80"), noopHandler())
				Expect(err).To(MatchError(transport.ErrNotLoopback))
				_, err = nw.Listen(transport.N2, ap("[2001:db8::1]:38412"), nil)
				Expect(err).To(MatchError(transport.ErrNotLoopback))
				if m.name == "net" {
					e := listen(nw, transport.N3, "127.0.0.37:0", nil)
					Expect(e.Send(ctx, ap("8.8.8.8:2152"), []byte("x"))).To(MatchError(transport.ErrNotLoopback))
				}
			})

			It("refuses SBI and unknown kinds on Listen", func() {
				_, err := nw.Listen(transport.SBI, ap("127.0.0.38:0"), nil)
				Expect(err).To(MatchError(transport.ErrBadKind))
				_, err = nw.Listen(transport.Kind("x2"), ap("127.0.0.38:0"), nil)
				Expect(err).To(MatchError(transport.ErrBadKind))
			})

			It("refuses oversized messages", func() {
				a := listen(nw, transport.N3, "127.0.0.39:0", nil)
				Expect(a.Send(ctx, ap("127.0.0.40:2152"), make([]byte, transport.MaxDatagram+1))).To(MatchError(transport.ErrTooLarge))
			})

			It("fails Send on a closed endpoint", func() {
				e, err := nw.Listen(transport.N4, ap("127.0.0.41:0"), nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(e.Close()).To(Succeed())
				Expect(e.Send(ctx, ap("127.0.0.42:8805"), []byte("x"))).To(MatchError(transport.ErrClosed))
			})

			It("names its mode and N2 carrier", func() {
				Expect(nw.Mode()).To(Equal(m.name))
				if m.name == "mem" {
					Expect(nw.N2Carrier()).To(Equal("mem"))
				} else {
					Expect(nw.N2Carrier()).To(Equal("tcp-framed"))
				}
			})
		})
	}

	Context("in mem mode", func() {
		ctx := context.Background()

		It("reports an unbound destination as ErrNoRoute", func() {
			nw := transport.NewMem(transport.MemOptions{})
			DeferCleanup(nw.Close)
			a := listen(nw, transport.N3, "127.0.0.43:2152", nil)
			Expect(a.Send(ctx, ap("127.0.0.44:2152"), []byte("x"))).To(MatchError(transport.ErrNoRoute))
			Expect(nw.Stats().NoRoute).To(Equal(uint64(1)))
		})

		It("bounds each queue: a full queue is an error and is counted", func() {
			nw := transport.NewMem(transport.MemOptions{QueueLen: 2})
			DeferCleanup(nw.Close)
			release := make(chan struct{})
			DeferCleanup(func() { close(release) })
			a := listen(nw, transport.N4, "127.0.0.45:8805", nil)
			b := listen(nw, transport.N4, "127.0.0.46:8805", func(netip.AddrPort, uint16, []byte) { <-release })
			var full error
			for range 10 {
				if err := a.Send(ctx, b.LocalAddr(), []byte("x")); err != nil {
					full = err
					break
				}
			}
			Expect(full).To(MatchError(transport.ErrQueueFull))
			Expect(nw.Stats().QueueFull).To(BeNumerically(">=", 1))
		})

		It("picks deterministic ports for port 0", func() {
			first := func() []netip.AddrPort {
				nw := transport.NewMem(transport.MemOptions{})
				defer nw.Close()
				var out []netip.AddrPort
				for _, k := range []transport.Kind{transport.N2, transport.N3, transport.N3} {
					e, err := nw.Listen(k, ap("127.0.0.47:0"), nil)
					Expect(err).NotTo(HaveOccurred())
					out = append(out, e.LocalAddr())
				}
				return out
			}
			Expect(first()).To(Equal(first()))
		})

		It("keeps N2 and UDP port spaces apart, like TCP and UDP", func() {
			nw := transport.NewMem(transport.MemOptions{})
			DeferCleanup(nw.Close)
			listen(nw, transport.N2, "127.0.0.48:2152", nil)
			listen(nw, transport.N3, "127.0.0.48:2152", nil)
		})
	})
})
