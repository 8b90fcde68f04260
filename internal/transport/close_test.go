package transport_test

import (
	"context"
	"net"
	"net/http"
	"runtime"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/transport"
)

var _ = Describe("Close", func() {
	ctx := context.Background()

	// exercise binds one endpoint of every kind, serves SBI and makes one
	// call of each sort so every goroutine kind exists.
	exercise := func(nw transport.Network, ip string) {
		GinkgoHelper()
		var eps []transport.Endpoint
		for _, k := range messageKinds {
			h, got := collector()
			a, err := nw.(transport.StreamListener).ListenStream(k, ap(ip+":0"), nil)
			Expect(err).NotTo(HaveOccurred())
			b, err := nw.(transport.StreamListener).ListenStream(k, ap(ip+":0"), h)
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Send(ctx, b.LocalAddr(), []byte("x"))).To(Succeed())
			Eventually(got).Should(Receive())
			eps = append(eps, a, b)
		}
		var calls atomic.Int64
		root, _, err := nw.ServeSBI(ap(ip+":0"), echoHandler(&calls))
		Expect(err).NotTo(HaveOccurred())
		_, _, err = do(nw.SBIClient(ap(ip+":0")), http.MethodGet, root+"/echo/a", "")
		Expect(err).NotTo(HaveOccurred())
	}

	for _, m := range modes {
		It("ends every goroutine of the "+m.name+" network", func() {
			before := runtime.NumGoroutine()
			nw := m.make()
			exercise(nw, "127.0.0.91")
			Expect(runtime.NumGoroutine()).To(BeNumerically(">", before))
			Expect(nw.Close()).To(Succeed())
			// Socket goroutines (the HTTP/2 connection readers) end as the
			// kernel reports the close, hence Eventually.
			Eventually(runtime.NumGoroutine).Should(BeNumerically("<=", before))
			_, err := nw.Listen(transport.N3, ap("127.0.0.91:0"), nil)
			Expect(err).To(MatchError(transport.ErrClosed))
			Expect(nw.Close()).To(Succeed()) // idempotent
		})
	}

	It("releases the sockets of the net network", func() {
		nw := transport.NewNet(transport.NetOptions{})
		udp, err := nw.Listen(transport.N3, ap("127.0.0.92:0"), nil)
		Expect(err).NotTo(HaveOccurred())
		n2, err := nw.Listen(transport.N2, ap("127.0.0.92:0"), nil)
		Expect(err).NotTo(HaveOccurred())
		root, _, err := nw.ServeSBI(ap("127.0.0.93:0"), noopHandler())
		Expect(err).NotTo(HaveOccurred())
		Expect(nw.Close()).To(Succeed())

		u, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(udp.LocalAddr()))
		Expect(err).NotTo(HaveOccurred())
		Expect(u.Close()).To(Succeed())
		t, err := net.Listen("tcp4", n2.LocalAddr().String())
		Expect(err).NotTo(HaveOccurred())
		Expect(t.Close()).To(Succeed())
		s, err := net.Listen("tcp4", root[len("http://"):])
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Close()).To(Succeed())
	})

	It("releases an endpoint's address when the endpoint closes", func() {
		for _, m := range modes {
			nw := m.make()
			DeferCleanup(nw.Close)
			e, err := nw.Listen(transport.N4, ap("127.0.0.94:0"), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(e.Close()).To(Succeed())
			e2, err := nw.Listen(transport.N4, e.LocalAddr(), nil)
			Expect(err).NotTo(HaveOccurred(), m.name)
			Expect(e2.Close()).To(Succeed())
		}
	})
})
