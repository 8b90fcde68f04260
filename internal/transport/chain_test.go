package transport_test

import (
	"context"
	"net/netip"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/internal/transport/intercept"
)

var messageKinds = []transport.Kind{transport.N2, transport.N3, transport.N4, transport.N6, transport.DL}

var _ = Describe("the interceptor chain on message links", func() {
	for _, m := range modes {
		Context("in "+m.name+" mode", func() {
			var (
				nw  transport.Network
				ctx = context.Background()
			)
			BeforeEach(func() {
				nw = m.make()
				DeferCleanup(nw.Close)
			})

			for _, k := range messageKinds {
				Context("on "+string(k), func() {
					var (
						a, b transport.StreamEndpoint
						got  chan msg
					)
					BeforeEach(func() {
						var h transport.StreamHandler
						h, got = collector()
						a = listen(nw, k, "127.0.0.71:0", nil)
						b = listen(nw, k, "127.0.0.72:0", h)
					})

					It("lets observers see the packet with its addresses and payload", func() {
						rec := intercept.NewRecorder(intercept.Kind(k), 0)
						DeferCleanup(nw.Chain().Add("rec", rec.Interceptor()))
						Expect(a.SendStream(ctx, b.LocalAddr(), 5, []byte("seen"))).To(Succeed())
						Eventually(got).Should(Receive())
						ps := rec.Packets()
						Expect(ps).To(HaveLen(1))
						Expect(ps[0].Kind).To(Equal(k))
						Expect(ps[0].From).To(Equal(a.LocalAddr()))
						Expect(ps[0].To).To(Equal(b.LocalAddr()))
						Expect(ps[0].Stream).To(Equal(uint16(5)))
						Expect(string(ps[0].Payload)).To(Equal("seen"))
						Expect(ps[0].Injected).To(BeFalse())
					})

					It("drops what the chain drops", func() {
						DeferCleanup(nw.Chain().Add("drop", intercept.Drop(intercept.Payload(func(b []byte) bool { return string(b) == "drop me" }))))
						Expect(a.Send(ctx, b.LocalAddr(), []byte("drop me"))).To(Succeed())
						Expect(a.Send(ctx, b.LocalAddr(), []byte("keep me"))).To(Succeed())
						// Messages of one sender arrive in order, so the first to
						// arrive proves the dropped one never will.
						var r msg
						Eventually(got).Should(Receive(&r))
						Expect(string(r.payload)).To(Equal("keep me"))
					})

					It("delivers what the chain modifies", func() {
						DeferCleanup(nw.Chain().Add("mod", intercept.Modify(intercept.Kind(k), func(p *transport.Packet) {
							p.Payload[0] = 'X'
							p.Stream = 9
						})))
						orig := []byte("abc")
						Expect(a.Send(ctx, b.LocalAddr(), orig)).To(Succeed())
						var r msg
						Eventually(got).Should(Receive(&r))
						Expect(string(r.payload)).To(Equal("Xbc"))
						Expect(string(orig)).To(Equal("abc"))
						if k == transport.N2 {
							Expect(r.stream).To(Equal(uint16(9)))
						}
					})

					It("delivers duplicates twice", func() {
						DeferCleanup(nw.Chain().Add("dup", intercept.Duplicate(intercept.Kind(k))))
						Expect(a.Send(ctx, b.LocalAddr(), []byte("twice"))).To(Succeed())
						for range 2 {
							var r msg
							Eventually(got).Should(Receive(&r))
							Expect(string(r.payload)).To(Equal("twice"))
						}
					})

					It("redirects what the chain re-addresses", func() {
						h2, got2 := collector()
						c := listen(nw, k, "127.0.0.73:0", h2)
						DeferCleanup(nw.Chain().Add("redir", intercept.Modify(intercept.To(b.LocalAddr()), func(p *transport.Packet) {
							p.To = c.LocalAddr()
						})))
						Expect(a.Send(ctx, b.LocalAddr(), []byte("stolen"))).To(Succeed())
						var r msg
						Eventually(got2).Should(Receive(&r))
						Expect(string(r.payload)).To(Equal("stolen"))
					})

					It("injects attacker packets through the chain, marked Injected", func() {
						rec := intercept.NewRecorder(intercept.Injected(), 0)
						DeferCleanup(nw.Chain().Add("rec", rec.Interceptor()))
						p := transport.Packet{Kind: k, From: a.LocalAddr(), To: b.LocalAddr(), Stream: 2, Payload: []byte("forged")}
						Expect(nw.Inject(ctx, p)).To(Succeed())
						var r msg
						Eventually(got).Should(Receive(&r))
						Expect(string(r.payload)).To(Equal("forged"))
						Expect(r.from).To(Equal(a.LocalAddr())) // impersonates a
						Expect(rec.Len()).To(Equal(1))
					})

					It("injects from an address no endpoint holds", func() {
						p := transport.Packet{Kind: k, From: ap("127.0.0.74:0"), To: b.LocalAddr(), Payload: []byte("stranger")}
						Expect(nw.Inject(ctx, p)).To(Succeed())
						var r msg
						Eventually(got).Should(Receive(&r))
						Expect(string(r.payload)).To(Equal("stranger"))
						Expect(r.from.Addr()).To(Equal(netip.MustParseAddr("127.0.0.74")))
					})

					It("replays a recorded packet", func() {
						rec := intercept.NewRecorder(intercept.Kind(k), 0)
						DeferCleanup(nw.Chain().Add("rec", rec.Interceptor()))
						Expect(a.Send(ctx, b.LocalAddr(), []byte("once"))).To(Succeed())
						Eventually(got).Should(Receive())
						Expect(rec.Replay(ctx, nw, 0)).To(Succeed())
						var r msg
						Eventually(got).Should(Receive(&r))
						Expect(string(r.payload)).To(Equal("once"))
						Expect(rec.Len()).To(Equal(2))
						Expect(rec.Packets()[1].Injected).To(BeTrue())
					})

					It("delays a packet until the clock passes the delay", func() {
						clk := clock.NewFake(time.Unix(0, 0))
						late := intercept.Payload(func(b []byte) bool { return string(b) == "late" })
						DeferCleanup(nw.Chain().Add("delay", intercept.Delay(nw, clk, time.Second, late)))
						next := func() string {
							var r msg
							Eventually(got).Should(Receive(&r))
							Expect(r.from).To(Equal(a.LocalAddr()))
							return string(r.payload)
						}
						Expect(a.Send(ctx, b.LocalAddr(), []byte("late"))).To(Succeed())
						Expect(a.Send(ctx, b.LocalAddr(), []byte("marker1"))).To(Succeed())
						Expect(next()).To(Equal("marker1"))
						clk.Advance(999 * time.Millisecond)
						Expect(a.Send(ctx, b.LocalAddr(), []byte("marker2"))).To(Succeed())
						Expect(next()).To(Equal("marker2"))
						clk.Advance(time.Millisecond)
						Expect(next()).To(Equal("late"))
						Expect(clk.Pending()).To(BeZero())
					})
				})
			}
		})
	}
})
