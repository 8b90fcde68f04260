package intercept_test

import (
	"context"
	"net/http"
	"net/netip"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/internal/transport/intercept"
)

func TestIntercept(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "intercept")
}

var (
	a   = netip.MustParseAddrPort("127.0.0.1:38412")
	b   = netip.MustParseAddrPort("127.0.0.2:38412")
	n2  = transport.Packet{Kind: transport.N2, From: a, To: b, Stream: 3, Payload: []byte{0x00, 0x15}}
	req = transport.Packet{Kind: transport.SBI, From: a, To: b, Method: http.MethodPut,
		Path: "/nausf-auth/v1/ue-authentications/1/5g-aka-confirmation?x=1", Header: http.Header{"A": {"1"}}, Payload: []byte(`{}`)}
	rsp = transport.Packet{Kind: transport.SBI, From: b, To: a, Method: http.MethodPut,
		Path: req.Path, Status: 200, Response: true}
)

// injector records what it is asked to inject.
type injector struct{ got []transport.Packet }

func (i *injector) Inject(_ context.Context, p transport.Packet) error {
	i.got = append(i.got, p)
	return nil
}

var _ = Describe("matchers", func() {
	DescribeTable("select",
		func(m intercept.Match, p transport.Packet, want bool) { Expect(m(p)).To(Equal(want)) },
		Entry("All", intercept.All(), n2, true),
		Entry("Kind hit", intercept.Kind(transport.N3, transport.N2), n2, true),
		Entry("Kind miss", intercept.Kind(transport.N3), n2, false),
		Entry("From", intercept.From(a), n2, true),
		Entry("From miss", intercept.From(b), n2, false),
		Entry("FromAddr", intercept.FromAddr(a.Addr()), n2, true),
		Entry("To", intercept.To(b), n2, true),
		Entry("ToAddr miss", intercept.ToAddr(a.Addr()), n2, false),
		Entry("Requests", intercept.Requests(), req, true),
		Entry("Requests on response", intercept.Requests(), rsp, false),
		Entry("Requests on N2", intercept.Requests(), n2, false),
		Entry("Responses", intercept.Responses(), rsp, true),
		Entry("Method", intercept.Method(http.MethodPut), req, true),
		Entry("Path ignores the query", intercept.Path("/nausf-auth/v1/ue-authentications/1/5g-aka-confirmation"), req, true),
		Entry("PathPrefix", intercept.PathPrefix("/nausf-auth/v1/"), rsp, true),
		Entry("PathPrefix miss", intercept.PathPrefix("/nudm-ueau/v1/"), req, false),
		Entry("Status", intercept.Status(200), rsp, true),
		Entry("Status on request", intercept.Status(200), req, false),
		Entry("Stream", intercept.Stream(3), n2, true),
		Entry("Stream miss", intercept.Stream(0), n2, false),
		Entry("Injected miss", intercept.Injected(), n2, false),
		Entry("Payload", intercept.Payload(func(p []byte) bool { return len(p) == 2 }), n2, true),
		Entry("And", intercept.And(intercept.Kind(transport.N2), intercept.Stream(3)), n2, true),
		Entry("And miss", intercept.And(intercept.Kind(transport.N2), intercept.Stream(4)), n2, false),
		Entry("Or", intercept.Or(intercept.Stream(4), intercept.From(a)), n2, true),
		Entry("Not", intercept.Not(intercept.Kind(transport.N2)), n2, false),
		Entry("nil Match selects all", intercept.And(nil), n2, true),
	)

	It("First selects only the first n matches", func() {
		m := intercept.First(2, intercept.Kind(transport.N2))
		Expect([]bool{m(req), m(n2), m(n2), m(n2)}).To(Equal([]bool{false, true, true, false}))
	})
})

var _ = Describe("interceptors", func() {
	It("Observe sees and passes", func() {
		var seen []transport.Packet
		out := intercept.Observe(func(p transport.Packet) { seen = append(seen, p) })(n2)
		Expect(out).To(Equal([]transport.Packet{n2}))
		Expect(seen).To(Equal([]transport.Packet{n2}))
	})

	It("Drop drops only what matches", func() {
		f := intercept.Drop(intercept.Kind(transport.N2))
		Expect(f(n2)).To(BeEmpty())
		Expect(f(req)).To(Equal([]transport.Packet{req}))
	})

	It("Duplicate adds a deep copy marked Injected", func() {
		out := intercept.Duplicate(intercept.All())(req)
		Expect(out).To(HaveLen(2))
		Expect(out[0]).To(Equal(req))
		Expect(out[1].Injected).To(BeTrue())
		out[1].Payload[0] = 'X'
		out[1].Header.Set("A", "2")
		Expect(req.Payload[0]).To(Equal(byte('{')))
		Expect(req.Header.Get("A")).To(Equal("1"))
	})

	It("Modify edits a copy", func() {
		out := intercept.Modify(intercept.Requests(), func(p *transport.Packet) {
			p.Payload[0] = '['
			p.Header.Set("A", "2")
		})(req)
		Expect(out).To(HaveLen(1))
		Expect(string(out[0].Payload)).To(Equal("[}"))
		Expect(out[0].Header.Get("A")).To(Equal("2"))
		Expect(string(req.Payload)).To(Equal("{}"))
		Expect(req.Header.Get("A")).To(Equal("1"))
		Expect(intercept.Modify(intercept.Requests(), func(*transport.Packet) {})(n2)).To(Equal([]transport.Packet{n2}))
	})

	It("Delay holds a packet for d, injects it once, and lets injected packets pass", func() {
		clk := clock.NewFake(time.Unix(0, 0))
		inj := &injector{}
		f := intercept.Delay(inj, clk, 2*time.Second, intercept.Kind(transport.N2))
		Expect(f(n2)).To(BeEmpty())
		Expect(f(req)).To(Equal([]transport.Packet{req}))
		clk.Advance(time.Second)
		Expect(inj.got).To(BeEmpty())
		clk.Advance(time.Second)
		Expect(inj.got).To(Equal([]transport.Packet{n2}))
		again := inj.got[0]
		again.Injected = true
		Expect(f(again)).To(Equal([]transport.Packet{again}))
	})

	It("Recorder keeps copies up to its bound and replays them", func() {
		rec := intercept.NewRecorder(intercept.Kind(transport.N2), 2)
		f := rec.Interceptor()
		for _, p := range []transport.Packet{n2, req, n2, n2} {
			Expect(f(p)).To(Equal([]transport.Packet{p}))
		}
		Expect(rec.Len()).To(Equal(2))
		Expect(rec.Overflow()).To(Equal(1))
		ps := rec.Packets()
		ps[0].Payload[0] = 0xff
		Expect(rec.Packets()[0].Payload[0]).To(Equal(byte(0x00)))
		inj := &injector{}
		Expect(rec.Replay(context.Background(), inj, 1)).To(Succeed())
		Expect(inj.got).To(Equal([]transport.Packet{n2}))
		Expect(rec.Replay(context.Background(), inj, 2)).To(HaveOccurred())
		rec.Reset()
		Expect(rec.Len()).To(BeZero())
	})
})
