package aanf_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/aanf"
	"github.com/credbed/credbed/nf/nrf"
)

func TestAAnF(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "aanf")
}

const (
	supi  = "imsi-001010000000001"
	realm = "5gc.mnc001.mcc001.3gppnetwork.org"
	afID  = "cpf.credbed.test"
)

type fixture struct {
	n    *aanf.NF
	rec  *trace.Recorder
	clk  *clock.Fake
	hc   *http.Client
	root string
	net  *transport.MemNetwork
	nrf  string
}

func newFixture(cfg aanf.Config) *fixture {
	GinkgoHelper()
	f := &fixture{clk: clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)), net: transport.NewMem(transport.MemOptions{})}
	DeferCleanup(f.net.Close)
	f.rec = trace.NewRecorder(f.clk)
	r, err := nrf.New(nrf.Config{}, nrf.Deps{Clock: f.clk})
	Expect(err).NotTo(HaveOccurred())
	var closer func() error
	f.nrf, closer, err = f.net.ServeSBI(netip.MustParseAddrPort("127.0.0.10:80"), r.Handler())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(closer)
	f.n, err = aanf.New(cfg, aanf.Deps{Clock: f.clk, Trace: f.rec, Net: f.net, NRF: f.nrf})
	Expect(err).NotTo(HaveOccurred())
	Expect(f.n.Start(context.Background())).To(Succeed())
	DeferCleanup(f.n.Close)
	f.root = f.n.APIRoot()
	f.hc = f.net.SBIClient(netip.MustParseAddrPort("127.0.0.9:80"))
	return f
}

func (f *fixture) post(path string, body any) (int, string, []byte) {
	GinkgoHelper()
	var raw []byte
	switch v := body.(type) {
	case string:
		raw = []byte(v)
	default:
		raw, _ = json.Marshal(v)
	}
	req, err := http.NewRequest(http.MethodPost, f.root+path, bytes.NewReader(raw))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	rsp, err := f.hc.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer rsp.Body.Close()
	out, _ := io.ReadAll(rsp.Body)
	return rsp.StatusCode, rsp.Header.Get("Content-Type"), out
}

// anchor derives a K_AKMA and A-KID from a KAUSF the way the AUSF and the UE do.
func anchor(seed byte) (aka.Key256, string) {
	GinkgoHelper()
	var kausf aka.Key256
	for i := range kausf {
		kausf[i] = seed + byte(i)
	}
	k, err := aka.KAKMA(kausf, supi)
	Expect(err).NotTo(HaveOccurred())
	atid, err := aka.ATID(kausf, supi)
	Expect(err).NotTo(HaveOccurred())
	akid, err := aka.AKID("0", atid, realm)
	Expect(err).NotTo(HaveOccurred())
	return k, akid
}

var _ = Describe("AAnF", func() {
	// Reference: TS 33.535 §6.1 step 3 (Naanf_AKMA_AnchorKey_Register), §6.2 steps 4-5 and A.4 (K_AF), TS 29.535 §5.2.2
	It("stores the anchor key and derives K_AF for the requesting AF", func() {
		f := newFixture(aanf.Config{})
		kakma, akid := anchor(1)
		st, ct, body := f.post(aanf.PathRegister, aanf.AkmaKeyInfo{Supi: supi, AKId: akid, KAkma: hex.EncodeToString(kakma[:])})
		Expect(st).To(Equal(http.StatusOK))
		Expect(ct).To(Equal(sbi.ContentJSON))
		Expect(string(body)).NotTo(ContainSubstring(hex.EncodeToString(kakma[:])))

		id, _ := aka.AFID(afID, aanf.DefaultUaProtocolID)
		want, _ := aka.KAF(kakma, id)
		st, _, body = f.post(aanf.PathRetrieveAppKey, aanf.AkmaAfKeyRequest{AfID: afID, AKId: akid})
		Expect(st).To(Equal(http.StatusOK))
		var got aanf.AkmaAfKeyData
		Expect(json.Unmarshal(body, &got)).To(Succeed())
		Expect(got.Kaf).To(Equal(hex.EncodeToString(want[:])))
		Expect(got.Supi).To(Equal(supi))
		Expect(got.Expiry).To(Equal(f.clk.Now().Add(aanf.DefaultKAFLifetime)))
		Expect(got.String()).NotTo(ContainSubstring(got.Kaf))

		// another AF gets another key
		st, _, body = f.post(aanf.PathRetrieveAppKey, aanf.AkmaAfKeyRequest{AfID: "other.af", AKId: akid})
		Expect(st).To(Equal(http.StatusOK))
		var other aanf.AkmaAfKeyData
		Expect(json.Unmarshal(body, &other)).To(Succeed())
		Expect(other.Kaf).NotTo(Equal(got.Kaf))

		Expect(f.rec.Count(trace.Match(trace.Event{Kind: trace.KindKey, Name: aanf.KeyKAF}))).To(Equal(2))
		for _, e := range f.rec.Events() {
			Expect(e.Detail).NotTo(ContainSubstring(got.Kaf))
			Expect(e.Detail).NotTo(ContainSubstring(hex.EncodeToString(kakma[:])))
		}
	})

	// Reference: TS 33.535 §6.1 (a new primary authentication replaces the AKMA context), §6.4 (context removal), TS 29.535 CONTEXT_NOT_FOUND
	It("replaces the context on re-registration and removes it", func() {
		f := newFixture(aanf.Config{})
		k1, akid1 := anchor(1)
		k2, akid2 := anchor(2)
		st, _, _ := f.post(aanf.PathRegister, aanf.AkmaKeyInfo{Supi: supi, AKId: akid1, KAkma: hex.EncodeToString(k1[:])})
		Expect(st).To(Equal(http.StatusOK))
		st, _, _ = f.post(aanf.PathRegister, aanf.AkmaKeyInfo{Supi: supi, AKId: akid2, KAkma: hex.EncodeToString(k2[:])})
		Expect(st).To(Equal(http.StatusOK))
		Expect(f.n.Contexts()).To(Equal(1))
		st, _, body := f.post(aanf.PathRetrieveAppKey, aanf.AkmaAfKeyRequest{AfID: afID, AKId: akid1})
		Expect(st).To(Equal(http.StatusNotFound))
		var pd models.ProblemDetails
		Expect(json.Unmarshal(body, &pd)).To(Succeed())
		Expect(pd.Cause).To(Equal(sbi.CauseContextNotFound))

		st, _, _ = f.post(aanf.PathRemoveContext, aanf.CtxRemove{Supi: supi})
		Expect(st).To(Equal(http.StatusNoContent))
		st, _, _ = f.post(aanf.PathRetrieveAppKey, aanf.AkmaAfKeyRequest{AfID: afID, AKId: akid2})
		Expect(st).To(Equal(http.StatusNotFound))
		st, _, _ = f.post(aanf.PathRemoveContext, aanf.CtxRemove{Supi: supi})
		Expect(st).To(Equal(http.StatusNotFound))
	})

	// Reference: TS 33.535 §6.2 step 3 (the AAnF checks the AF is authorised)
	It("refuses an AF outside the allowed list", func() {
		f := newFixture(aanf.Config{AllowedAFs: []string{afID}})
		k, akid := anchor(3)
		st, _, _ := f.post(aanf.PathRegister, aanf.AkmaKeyInfo{Supi: supi, AKId: akid, KAkma: hex.EncodeToString(k[:])})
		Expect(st).To(Equal(http.StatusOK))
		st, _, body := f.post(aanf.PathRetrieveAppKey, aanf.AkmaAfKeyRequest{AfID: "rogue.af", AKId: akid})
		Expect(st).To(Equal(http.StatusForbidden))
		Expect(string(body)).To(ContainSubstring(aanf.CauseAFNotAuthorized))
	})

	// Reference: TS 29.510 §5.2.2.2 (NFRegister with nfServices naanf-akma)
	It("registers its profile at the NRF and deregisters on Close", func() {
		f := newFixture(aanf.Config{})
		root, err := sbi.Discover(context.Background(), f.hc, f.nrf, models.NrfNfManagementNfType_AANF, models.NrfNfManagementNfType_AUSF, models.ServiceName_NAANF_AKMA)
		Expect(err).NotTo(HaveOccurred())
		Expect(root).To(Equal(f.root))
		Expect(f.n.Close()).To(Succeed())
		_, err = sbi.Discover(context.Background(), f.hc, f.nrf, models.NrfNfManagementNfType_AANF, models.NrfNfManagementNfType_AUSF, models.ServiceName_NAANF_AKMA)
		Expect(err).To(HaveOccurred())
	})

	// Reference: TS 29.500 §5.2.7 (ProblemDetails with status and cause)
	DescribeTable("answers bad requests with ProblemDetails",
		func(path, body string, status int) {
			f := newFixture(aanf.Config{})
			_, akid := anchor(4)
			body = strings.ReplaceAll(body, "AKID", akid)
			st, ct, raw := f.post(path, body)
			Expect(st).To(Equal(status))
			Expect(ct).To(Equal(sbi.ContentProblem))
			var pd models.ProblemDetails
			Expect(json.Unmarshal(raw, &pd)).To(Succeed())
			Expect(pd.Status).To(BeEquivalentTo(status))
			Expect(pd.Cause).NotTo(BeEmpty())
		},
		Entry("register, not JSON", aanf.PathRegister, `{`, 400),
		Entry("register, empty", aanf.PathRegister, `{}`, 400),
		Entry("register, bad SUPI", aanf.PathRegister, `{"supi":"x","aKId":"AKID","kAkma":"`+strings.Repeat("0", 64)+`"}`, 400),
		Entry("register, bad A-KID", aanf.PathRegister, `{"supi":"`+supi+`","aKId":"a@b","kAkma":"`+strings.Repeat("0", 64)+`"}`, 400),
		Entry("register, short key", aanf.PathRegister, `{"supi":"`+supi+`","aKId":"AKID","kAkma":"00"}`, 400),
		Entry("key, no AF", aanf.PathRetrieveAppKey, `{"aKId":"AKID"}`, 400),
		Entry("key, bad AF", aanf.PathRetrieveAppKey, `{"afId":"a b","aKId":"AKID"}`, 400),
		Entry("key, unknown A-KID", aanf.PathRetrieveAppKey, `{"afId":"af","aKId":"AKID"}`, 404),
		Entry("remove, no SUPI", aanf.PathRemoveContext, `{}`, 400),
		Entry("remove, wrong type", aanf.PathRemoveContext, `{"supi":1}`, 400),
		Entry("unknown path", "/naanf-akma/v1/other", `{}`, 404),
	)
})
