package testbed_test

import (
	"context"
	"io"
	"net/http"
	"net/netip"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/testbed"
)

var _ = Describe("Bed", func() {
	// Reference: TS 38.413 §8.7.1 (NG Setup of every gNB); TS 29.510 §5.2.2.2 (NF registration at the NRF)
	DescribeTable("starts, sets up its gNBs and stops", func(mode string) {
		subs, err := subscriber.Generate(3, GinkgoRandomSeed(), subscriber.GenOptions{})
		Expect(err).NotTo(HaveOccurred())
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		b, err := testbed.New(ctx, testbed.Topology{Mode: mode, GNBs: 2, Subscribers: subs})
		Expect(err).NotTo(HaveOccurred())
		Expect(b.GNBs).To(HaveLen(2))
		for _, g := range b.GNBs {
			Expect(g.Ready()).To(BeTrue())
		}
		Expect(b.AMF.Counts().GNBs).To(Equal(2))
		Expect(b.Trace.Count(trace.Match(trace.Event{Actor: "udr", Kind: trace.KindState, Detail: "provisioned"}))).To(Equal(3))
		Expect(b.Close()).To(Succeed())
		Expect(b.Close()).To(Succeed(), "Close is idempotent")
	}, Entry("mem", "mem"), Entry("net", netMode, "net"))

	It("refuses an invalid topology", func() {
		_, err := testbed.New(context.Background(), testbed.Topology{Mode: "carrier-pigeon"})
		Expect(err).To(MatchError(testbed.ErrTopology))
		_, err = testbed.New(context.Background(), testbed.Topology{MCC: "1"})
		Expect(err).To(MatchError(testbed.ErrTopology))
	})

	// Reference: TS 24.501 §6.4.1 (UE-requested PDU session establishment); TS 23.502 §4.3.2.2.1
	// Reference: TS 29.502 §5.2.2.2, §5.2.2.3 (Nsmf_PDUSession); TS 38.413 §8.2.1; TS 29.281 (N3); RFC 862 (echo)
	DescribeTable("establishes a PDU session after registration and carries UDP and HTTP to the data network", Label("userplane"),
		func(mode string) {
			e := newEnv(mode)
			supi := e.supi(0)
			u := e.newUE(0)
			e.expectRegistered(0, u, supi, register(u))
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			m := e.mark()
			s, err := u.EstablishSession(ctx, "internet", nasx.SNSSAI{SST: 1})
			Expect(err).NotTo(HaveOccurred())
			Expect(s.Accepted).To(BeTrue(), "%+v", s)
			Expect(s.MMCause).To(BeZero())
			Expect(s.Addr.Is4()).To(BeTrue())
			Expect(s.UserPlane).To(BeTrue())
			e.awaitUserPlane(m, supi)

			info, ok := e.SMF.Session(supi, s.ID)
			Expect(ok).To(BeTrue())
			Expect(info.UEAddr).To(Equal(s.Addr))
			Expect(info.DLTunnel.TEID).NotTo(BeZero())
			_, ok = e.UPF.SessionByUEIP(s.Addr)
			Expect(ok).To(BeTrue())
			Expect(e.AMF.Sessions(supi)).To(HaveLen(1))

			c, err := u.Dial(ctx, "udp", netip.AddrPortFrom(e.DN.Addr(), 7).String())
			Expect(err).NotTo(HaveOccurred())
			defer c.Close()
			Expect(c.SetDeadline(time.Now().Add(guard))).To(Succeed())
			_, err = c.Write([]byte("credbed echo"))
			Expect(err).NotTo(HaveOccurred())
			buf := make([]byte, 64)
			n, err := c.Read(buf)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(buf[:n])).To(Equal("credbed echo"))

			hc, err := u.HTTPClient()
			Expect(err).NotTo(HaveOccurred())
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.DN.URL()+"/", nil)
			Expect(err).NotTo(HaveOccurred())
			rsp, err := hc.Do(req)
			Expect(err).NotTo(HaveOccurred())
			defer rsp.Body.Close()
			body, err := io.ReadAll(rsp.Body)
			Expect(err).NotTo(HaveOccurred())
			Expect(rsp.StatusCode).To(Equal(http.StatusOK))
			Expect(string(body)).To(Equal(e.DN.Config().Page))
			st := e.UPF.Stats()
			Expect(st.UplinkForwarded).To(BeNumerically(">=", 2))
			Expect(st.DownlinkForwarded).To(BeNumerically(">=", 2))
		}, Entry("mem", "mem"), Entry("net", netMode, "net"))
})
