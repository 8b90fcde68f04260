package sbi_test

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi"
	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/transport"
)

// fakeNRF answers NFRegister (TS 29.510 §5.2.2.2.2) and NFDeregister
// (§5.2.2.4.2) and records what it was asked.
type fakeNRF struct {
	mu       sync.Mutex
	profiles map[string]models.NrfNfManagementNfProfile
	from     []netip.Addr
	deleted  []string
	refuse   bool
}

// seen returns the registered profiles, the registrations' source
// addresses and the deregistered ids.
func (f *fakeNRF) seen() (map[string]models.NrfNfManagementNfProfile, []netip.Addr, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.profiles, f.from, f.deleted
}

func (f *fakeNRF) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /nnrf-nfm/v1/nf-instances/{id}", func(w http.ResponseWriter, r *http.Request) {
		var p models.NrfNfManagementNfProfile
		if pd := sbi.DecodeJSON(r, &p); pd != nil {
			sbi.WriteProblem(w, pd)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.refuse {
			sbi.WriteProblem(w, sbi.Problem(http.StatusForbidden, sbi.CauseForbidden, "refused"))
			return
		}
		f.profiles[r.PathValue("id")] = p
		f.from = append(f.from, netip.MustParseAddrPort(r.RemoteAddr).Addr())
		sbi.WriteJSON(w, http.StatusCreated, p)
	})
	mux.HandleFunc("DELETE /nnrf-nfm/v1/nf-instances/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.profiles, r.PathValue("id"))
		f.deleted = append(f.deleted, r.PathValue("id"))
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

var _ = Describe("Server", func() {
	const id = "8a2d4f4e-0000-4000-8000-000000000009"
	var (
		nw      *transport.MemNetwork
		nrf     *fakeNRF
		nrfRoot string
		ctx     context.Context
		hello   http.Handler
	)
	BeforeEach(func() {
		nw = transport.NewMem(transport.MemOptions{})
		DeferCleanup(nw.Close)
		nrf = &fakeNRF{profiles: map[string]models.NrfNfManagementNfProfile{}}
		var closer func() error
		var err error
		nrfRoot, closer, err = nw.ServeSBI(netip.MustParseAddrPort("127.0.0.10:80"), nrf.handler())
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(closer)
		ctx = context.Background()
		hello = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	})

	get := func(s *sbi.Server) (int, error) {
		rsp, err := s.Client.Get(s.APIRoot + "/x")
		if err != nil {
			return 0, err
		}
		_ = rsp.Body.Close()
		return rsp.StatusCode, nil
	}

	// Reference: TS 29.510 §5.2.2.2.2 (NFRegister), §5.2.2.4.2 (NFDeregister)
	It("serves the handler, registers the profile from the served address and deregisters at Close", func() {
		s, err := sbi.Serve(nw, sbi.ServerConfig{Name: "xnf", Addr: netip.MustParseAddrPort("127.0.0.3:0"), Handler: hello, NRF: nrfRoot})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.APIRoot).To(HavePrefix("http://127.0.0.3:"))
		Expect(get(s)).To(Equal(http.StatusTeapot))

		Expect(s.Register(ctx, models.NrfNfManagementNfType_UDM, id, models.ServiceName_NUDM_UEAU, models.ServiceName_NUDM_SDM)).To(Succeed())
		profiles, from, _ := nrf.seen()
		Expect(profiles[id].NfType).To(Equal(models.NrfNfManagementNfType_UDM))
		Expect(profiles[id].NfServices).To(HaveLen(2))
		Expect(from).To(Equal([]netip.Addr{netip.MustParseAddr("127.0.0.3")}))

		Expect(s.Close(ctx)).To(Succeed())
		_, _, deleted := nrf.seen()
		Expect(deleted).To(Equal([]string{id}))
		_, err = get(s)
		Expect(err).To(HaveOccurred())
	})

	It("skips the NRF when none is configured", func() {
		s, err := sbi.Serve(nw, sbi.ServerConfig{Name: "xnf", Addr: netip.MustParseAddrPort("127.0.0.3:0"), Handler: hello})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Register(ctx, models.NrfNfManagementNfType_AUSF, id, models.ServiceName_NAUSF_AUTH)).To(Succeed())
		Expect(s.Close(ctx)).To(Succeed())
		profiles, _, deleted := nrf.seen()
		Expect(profiles).To(BeEmpty())
		Expect(deleted).To(BeEmpty())
		_, err = s.NRF.Discover(ctx, models.NrfNfManagementNfType_UDM, models.NrfNfManagementNfType_AUSF, models.ServiceName_NUDM_UEAU)
		Expect(err).To(HaveOccurred())
	})

	It("names the NF in a refused registration and does not deregister what was not registered", func() {
		nrf.mu.Lock()
		nrf.refuse = true
		nrf.mu.Unlock()
		s, err := sbi.Serve(nw, sbi.ServerConfig{Name: "xnf", Addr: netip.MustParseAddrPort("127.0.0.3:0"), Handler: hello, NRF: nrfRoot})
		Expect(err).NotTo(HaveOccurred())
		err = s.Register(ctx, models.NrfNfManagementNfType_AUSF, id, models.ServiceName_NAUSF_AUTH)
		Expect(err).To(MatchError(sbi.ErrNRF))
		Expect(err.Error()).To(HavePrefix("xnf: NRF registration: "))
		Expect(s.Close(ctx)).To(Succeed())
		_, _, deleted := nrf.seen()
		Expect(deleted).To(BeEmpty())
	})

	It("stops without deregistering", func() {
		s, err := sbi.Serve(nw, sbi.ServerConfig{Name: "xnf", Addr: netip.MustParseAddrPort("127.0.0.3:0"), Handler: hello, NRF: nrfRoot})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Register(ctx, models.NrfNfManagementNfType_AUSF, id, models.ServiceName_NAUSF_AUTH)).To(Succeed())
		Expect(s.Stop()).To(Succeed())
		_, _, deleted := nrf.seen()
		Expect(deleted).To(BeEmpty())
		_, err = get(s)
		Expect(err).To(HaveOccurred())
	})

	It("names the NF when the address cannot be served", func() {
		_, err := sbi.Serve(nw, sbi.ServerConfig{Name: "xnf", Addr: netip.MustParseAddrPort("127.0.0.10:80"), Handler: hello})
		Expect(err).To(MatchError(transport.ErrAddrInUse))
		Expect(err.Error()).To(HavePrefix("xnf: serve SBI: "))
	})
})

var _ = Describe("ClientCache", func() {
	It("reuses the client while the apiRoot stays, and rebuilds it when it changes", func() {
		var c sbi.ClientCache[*int]
		Expect(c.Cached()).To(BeNil())
		built := 0
		build := func(p sbi.Peer) (*int, error) {
			built++
			n := built
			return &n, nil
		}
		a, err := c.Get(sbi.Peer{APIRoot: "http://127.0.0.4:80"}, build)
		Expect(err).NotTo(HaveOccurred())
		Expect(*a.API).To(Equal(1))
		Expect(a.Root).To(Equal("http://127.0.0.4:80"))
		again, _ := c.Get(sbi.Peer{APIRoot: "http://127.0.0.4:80"}, build)
		Expect(again).To(BeIdenticalTo(a))
		Expect(c.Cached()).To(BeIdenticalTo(a))
		b, _ := c.Get(sbi.Peer{APIRoot: "http://127.0.0.5:80"}, build)
		Expect(*b.API).To(Equal(2))
		c.Reset()
		Expect(c.Cached()).To(BeNil())
		b2, _ := c.Get(sbi.Peer{APIRoot: "http://127.0.0.5:80"}, build)
		Expect(*b2.API).To(Equal(3))
	})

	It("returns a build error and caches nothing", func() {
		var c sbi.ClientCache[int]
		boom := errors.New("boom")
		_, err := c.Get(sbi.Peer{APIRoot: "x"}, func(sbi.Peer) (int, error) { return 0, boom })
		Expect(err).To(MatchError(boom))
		Expect(c.Cached()).To(BeNil())
	})
})

var _ = Describe("UpstreamProblem", func() {
	oe := func(status int, body string) error {
		return openapi.GenericOpenAPIError{RawBody: []byte(body), ErrorStatus: status}
	}
	// Reference: TS 29.500 §5.2.7.2 (ProblemDetails relayed)
	DescribeTable("answers with the peer's ProblemDetails or a 500",
		func(err error, allowed []int, status int32, cause, detail string, unreachable bool) {
			pd, u := sbi.UpstreamProblem(err, models.NrfNfManagementNfType_UDR, allowed...)
			Expect(pd.Status).To(Equal(status))
			Expect(pd.Cause).To(Equal(cause))
			Expect(pd.Detail).To(Equal(detail))
			Expect(u).To(Equal(unreachable))
		},
		Entry("relayed as is", oe(404, `{"status":404,"cause":"USER_NOT_FOUND","detail":"d"}`), nil, int32(404), "USER_NOT_FOUND", "d", false),
		Entry("status from the answer", oe(403, `{"cause":"FORBIDDEN"}`), nil, int32(403), "FORBIDDEN", "", false),
		Entry("status the clients do not decode", oe(409, `{"status":409,"cause":"X"}`), nil, int32(500), "X", "", false),
		Entry("status not allowed by the caller", oe(503, `{"status":503,"cause":"X"}`), []int{400, 404}, int32(500), "X", "", false),
		Entry("status allowed by the caller", oe(409, `{"status":409,"cause":"X"}`), []int{409}, int32(409), "X", "", false),
		Entry("no ProblemDetails", oe(502, `<html>`), nil, int32(500), sbi.CauseUpstreamServerError, "UDR answered 502", false),
		Entry("empty ProblemDetails", oe(502, `{}`), nil, int32(500), sbi.CauseUpstreamServerError, "UDR answered 502", false),
		Entry("no answer", errors.New("connection refused"), nil, int32(500), sbi.CauseUpstreamServerError, "UDR not reachable", true),
	)
})
