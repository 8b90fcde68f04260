package dn_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/dn"
	"github.com/credbed/credbed/internal/dn/netstack"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
)

var (
	upfN6  = netip.MustParseAddrPort("127.0.0.8:46006")
	upf2N6 = netip.MustParseAddrPort("127.0.0.18:46006")
	dnN6   = netip.MustParseAddrPort("127.0.0.9:46006")
	svc    = netip.MustParseAddr("10.100.0.1")
	ue     = netip.MustParseAddr("10.60.0.1")
)

// fakeUPF relays between an N6 endpoint and a UE-side stack, standing in
// for the UPF and the tunnel.
type fakeUPF struct {
	ep transport.Endpoint
	ue *netstack.Stack
}

func newFakeUPF(nw transport.Network, at netip.AddrPort, ueAddr netip.Addr) (*fakeUPF, error) {
	st, err := netstack.New(netstack.Options{})
	if err != nil {
		return nil, err
	}
	if err := st.AddAddress(ueAddr); err != nil {
		return nil, err
	}
	f := &fakeUPF{ue: st}
	f.ep, err = nw.Listen(transport.N6, at, func(_ netip.AddrPort, pkt []byte) { _ = st.Inject(pkt) })
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	go st.Run(ctx, func(pkt []byte) { _ = f.ep.Send(ctx, dnN6, pkt) })
	DeferCleanup(func() { cancel(); st.Close(); _ = f.ep.Close() })
	return f, nil
}

var _ = Describe("Data network", Label("userplane", "n6"), func() {
	var (
		nw  *transport.MemNetwork
		d   *dn.DN
		u   *fakeUPF
		rec *trace.Recorder
		ctx context.Context
	)
	BeforeEach(func() {
		nw = transport.NewMem(transport.MemOptions{})
		DeferCleanup(nw.Close)
		rec = trace.NewRecorder(clock.NewFake(time.Unix(0, 0)))
		var err error
		d, err = dn.New(dn.Config{Addr: svc, N6Addr: dnN6, UPF: upfN6}, dn.Deps{Net: nw, Trace: rec})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Start(context.Background())).To(Succeed())
		DeferCleanup(d.Close)
		u, err = newFakeUPF(nw, upfN6, ue)
		Expect(err).NotTo(HaveOccurred())
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
		DeferCleanup(cancel)
	})

	httpFrom := func(st *netstack.Stack, from netip.Addr) *http.Client {
		return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			return st.DialTCP(ctx, from, netip.MustParseAddrPort(addr))
		}}}
	}
	get := func(c *http.Client, url string) (int, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := c.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	// Reference: RFC 862 (echo); TS 23.501 §5.6 (the DN reached over N6)
	It("serves UDP echo, TCP echo and HTTP", func() {
		c, err := u.ue.DialUDP(netip.AddrPortFrom(ue, 0), netip.AddrPortFrom(svc, 7))
		Expect(err).NotTo(HaveOccurred())
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		_, err = c.Write([]byte("udp"))
		Expect(err).NotTo(HaveOccurred())
		buf := make([]byte, 64)
		n, err := c.Read(buf)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(buf[:n])).To(Equal("udp"))

		t, err := u.ue.DialTCP(ctx, ue, netip.AddrPortFrom(svc, 7))
		Expect(err).NotTo(HaveOccurred())
		defer t.Close()
		_ = t.SetDeadline(time.Now().Add(10 * time.Second))
		_, err = t.Write([]byte("tcp"))
		Expect(err).NotTo(HaveOccurred())
		_, err = io.ReadFull(t, buf[:3])
		Expect(err).NotTo(HaveOccurred())
		Expect(string(buf[:3])).To(Equal("tcp"))

		code, body := get(httpFrom(u.ue, ue), d.URL()+"/")
		Expect(code).To(Equal(http.StatusOK))
		Expect(body).To(Equal("credbed data network\n"))
		code, _ = get(httpFrom(u.ue, ue), d.URL()+"/nothing-here")
		Expect(code).To(Equal(http.StatusNotFound))
		Expect(d.Stats().N6In).To(BeNumerically(">", 0))
		Expect(d.Stats().N6Out).To(BeNumerically(">", 0))
	})

	It("mounts handlers and refuses conflicting ones with an error", func() {
		Expect(d.Handle("GET /cpf/hello", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "hello from "+r.RemoteAddr)
		}))).To(Succeed())
		code, body := get(httpFrom(u.ue, ue), d.URL()+"/cpf/hello")
		Expect(code).To(Equal(http.StatusOK))
		Expect(body).To(HavePrefix("hello from 10.60.0.1:"))

		err := d.Handle("GET /{$}", http.NotFoundHandler())
		Expect(errors.Is(err, dn.ErrHandle)).To(BeTrue(), "%v", err)
		Expect(errors.Is(d.Handle("/x", nil), dn.ErrHandle)).To(BeTrue())
	})

	It("hosts services on added addresses and own listeners", func() {
		cpf := netip.MustParseAddr("10.100.0.2")
		Expect(d.AddAddress(cpf)).To(Succeed())
		l, err := d.ListenTCP(netip.AddrPortFrom(cpf, 8080))
		Expect(err).NotTo(HaveOccurred())
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "cpf") })}
		go func() { _ = srv.Serve(l) }()
		DeferCleanup(srv.Close)
		code, body := get(httpFrom(u.ue, ue), "http://10.100.0.2:8080/")
		Expect(code).To(Equal(http.StatusOK))
		Expect(body).To(Equal("cpf"))
	})

	It("routes downlink by the longest matching UE prefix", func() {
		ue2 := netip.MustParseAddr("10.61.0.1")
		u2, err := newFakeUPF(nw, upf2N6, ue2)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.AddRoute(dn.Route{Prefix: netip.MustParsePrefix("10.61.0.0/16"), UPF: upf2N6})).To(Succeed())
		code, _ := get(httpFrom(u2.ue, ue2), d.URL()+"/")
		Expect(code).To(Equal(http.StatusOK))
		Expect(d.AddRoute(dn.Route{})).NotTo(Succeed())
	})

	It("counts N6 messages that are not IPv4 packets", func() {
		ep, err := nw.Listen(transport.N6, netip.MustParseAddrPort("127.0.0.28:46006"), func(netip.AddrPort, []byte) {})
		Expect(err).NotTo(HaveOccurred())
		for _, junk := range [][]byte{nil, []byte("junk"), make([]byte, 40)} {
			Expect(ep.Send(ctx, dnN6, junk)).To(Succeed())
		}
		Eventually(func() uint64 { return d.Stats().Malformed }).Should(Equal(uint64(3)))
		Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindDrop, Actor: "dn", Cause: "malformed packet"}))).To(Equal(2))
	})

	DescribeTable("rejects bad configuration",
		func(cfg dn.Config) {
			_, err := dn.New(cfg, dn.Deps{})
			Expect(errors.Is(err, dn.ErrConfig)).To(BeTrue(), "%v", err)
		},
		Entry("IPv6 service address", dn.Config{Addr: netip.MustParseAddr("2001:db8::1")}),
		Entry("a route without UPF", dn.Config{Routes: []dn.Route{{Prefix: netip.MustParsePrefix("10.0.0.0/8")}}}),
	)

	It("needs a network to start", func() {
		d2, err := dn.New(dn.Config{}, dn.Deps{})
		Expect(err).NotTo(HaveOccurred())
		Expect(errors.Is(d2.Start(context.Background()), dn.ErrNoNetwork)).To(BeTrue())
		Expect(d2.Close()).To(Succeed())
	})
})
