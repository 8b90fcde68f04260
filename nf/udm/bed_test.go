package udm_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/udm/SubscriberDataManagement"
	UDMUEAU "github.com/free5gc/openapi/udm/UEAuthentication"
	"github.com/free5gc/openapi/udm/UEContextManagement"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/sbi/sbitest"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/suci"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/nrf"
	"github.com/credbed/credbed/nf/udm"
	"github.com/credbed/credbed/nf/udr"
)

func TestUDM(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "udm")
}

const (
	plmnID = "00101"
	snn    = "5G:mnc001.mcc001.3gppnetwork.org"
)

var (
	addrNRF = netip.MustParseAddrPort("127.0.0.10:80")
	addrUDR = netip.MustParseAddrPort("127.0.0.4:80")
	addrUDM = netip.MustParseAddrPort("127.0.0.3:80")
	addrAMF = netip.MustParseAddrPort("127.0.0.2:80")
)

// bed wires a real NRF, UDR and UDM and a test AMF that records the
// deregistration notifications it receives; the test plays the AUSF and
// the AMF with the openapi UDM clients.
type bed struct {
	net     transport.Network
	clk     *clock.Fake
	rec     *trace.Recorder
	rng     *rand.ChaCha8
	udr     *udr.NF
	udm     *udm.NF
	hnA     *suci.PrivateKey
	hnB     *suci.PrivateKey
	hc      *http.Client
	ueau    *UDMUEAU.APIClient
	uecm    *UEContextManagement.APIClient
	sdm     *SubscriberDataManagement.APIClient
	udrRoot string
	amfRoot string

	mu      sync.Mutex
	deregs  []amfNotification
	amfCode int // status the test AMF answers (default 204)
}

type amfNotification struct {
	path string
	data models.UdmUecmDeregistrationData
}

func addr(mode string, ap netip.AddrPort) netip.AddrPort {
	if mode == "net" {
		return netip.AddrPortFrom(ap.Addr(), 0)
	}
	return ap
}

func newBed(mode string) (*bed, error) {
	var seed [32]byte
	copy(seed[:], fmt.Sprintf("credbed-udm-%d", GinkgoRandomSeed()))
	b := &bed{clk: clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)), rng: rand.NewChaCha8(seed), amfCode: http.StatusNoContent}
	b.rec = trace.NewRecorder(b.clk)
	if mode == "net" {
		b.net = transport.NewNet(transport.NetOptions{})
	} else {
		b.net = transport.NewMem(transport.MemOptions{})
	}
	DeferCleanup(func() { _ = b.net.Close() })
	ctx := context.Background()

	n, err := nrf.New(nrf.Config{}, nrf.Deps{Clock: b.clk, Trace: b.rec})
	if err != nil {
		return nil, err
	}
	nrfRoot, closer, err := b.net.ServeSBI(addr(mode, addrNRF), n.Handler())
	if err != nil {
		return nil, err
	}
	DeferCleanup(closer)

	udrAt := addr(mode, addrUDR)
	if b.udr, err = udr.New(udr.Config{Store: udr.StoreMem}, udr.Deps{Clock: b.clk, Trace: b.rec, HTTP: b.net.SBIClient(udrAt)}); err != nil {
		return nil, err
	}
	DeferCleanup(b.udr.Close)
	if b.udrRoot, closer, err = b.net.ServeSBI(udrAt, b.udr.Handler()); err != nil {
		return nil, err
	}
	DeferCleanup(closer)
	p, err := sbi.Profile(models.NrfNfManagementNfType_UDR, "udr-0000-4000-8000-000000000004", b.udrRoot, models.ServiceName_NUDR_DR)
	if err != nil {
		return nil, err
	}
	if err := sbi.RegisterNF(ctx, b.net.SBIClient(udrAt), nrfRoot, p); err != nil {
		return nil, err
	}

	if b.amfRoot, closer, err = b.net.ServeSBI(addr(mode, addrAMF), http.HandlerFunc(b.amfHandler)); err != nil {
		return nil, err
	}
	DeferCleanup(closer)

	if b.hnA, err = suci.GenerateKey(ident.SchemeProfileA, b.rng); err != nil {
		return nil, err
	}
	if b.hnB, err = suci.GenerateKey(ident.SchemeProfileB, b.rng); err != nil {
		return nil, err
	}
	b.udm, err = udm.New(udm.Config{
		Addr: addr(mode, addrUDM),
		HomeNetworkKeys: []udm.HomeNetworkKey{
			{Scheme: ident.SchemeProfileA, ID: 1, PrivateKey: hex.EncodeToString(b.hnA.Bytes())},
			{Scheme: ident.SchemeProfileB, ID: 2, PrivateKey: hex.EncodeToString(b.hnB.Bytes())},
		},
	}, udm.Deps{Clock: b.clk, Rand: b.rng, Trace: b.rec, Net: b.net, NRF: nrfRoot})
	if err != nil {
		return nil, err
	}
	if err := b.udm.Start(ctx); err != nil {
		return nil, err
	}
	DeferCleanup(b.udm.Close)

	amfAt, _ := netip.ParseAddrPort(strings.TrimPrefix(b.amfRoot, "http://"))
	b.hc = b.net.SBIClient(amfAt)
	peer := sbi.Peer{APIRoot: b.udm.APIRoot(), HTTP: b.hc}
	if b.ueau, err = sbi.NewUDMUEAuthenticationClient(peer); err != nil {
		return nil, err
	}
	if b.uecm, err = sbi.NewUDMUECMClient(peer); err != nil {
		return nil, err
	}
	if b.sdm, err = sbi.NewUDMSDMClient(peer); err != nil {
		return nil, err
	}
	return b, nil
}

// amfHandler is the test AMF's Namf callback: it records
// DeregistrationData POSTed to /namf-callback/v1/{ueId}/dereg-notify.
func (b *bed) amfHandler(w http.ResponseWriter, r *http.Request) {
	var d models.UdmUecmDeregistrationData
	body, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || json.Unmarshal(body, &d) != nil {
		sbi.WriteProblem(w, sbi.Problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "bad notification"))
		return
	}
	b.mu.Lock()
	b.deregs = append(b.deregs, amfNotification{path: r.URL.Path, data: d})
	code := b.amfCode
	b.mu.Unlock()
	if code != http.StatusNoContent {
		sbi.WriteProblem(w, sbi.Problem(code, sbi.CauseSystemFailure, "test AMF refuses"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (b *bed) notifications() []amfNotification {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]amfNotification(nil), b.deregs...)
}

func (b *bed) provision(n int, opts subscriber.GenOptions) []subscriber.Subscription {
	GinkgoHelper()
	opts.PLMN = plmnID
	subs, err := subscriber.Generate(n, GinkgoRandomSeed()%1000, opts)
	Expect(err).NotTo(HaveOccurred())
	for _, s := range subs {
		Expect(b.udr.Provision(context.Background(), s)).To(Succeed())
	}
	return subs
}

func (b *bed) conceal(supi string, scheme ident.ProtectionScheme) string {
	GinkgoHelper()
	s, err := ident.ParseSUPI(supi)
	Expect(err).NotTo(HaveOccurred())
	p := suci.Params{Scheme: scheme, MNCLength: 2}
	switch scheme {
	case ident.SchemeProfileA:
		p.HomeNetworkKey, p.KeyID = b.hnA.Public(), 1
	case ident.SchemeProfileB:
		p.HomeNetworkKey, p.KeyID = b.hnB.Public(), 2
	}
	c, err := suci.Conceal(s, p, b.rng)
	Expect(err).NotTo(HaveOccurred())
	return c.String()
}

func (b *bed) generate(supiOrSuci string, resync *models.ResynchronizationInfo) (*models.UdmUeauAuthenticationInfoResult, error) {
	rsp, err := b.ueau.GenerateAuthDataApi.GenerateAuthData(context.Background(), &UDMUEAU.GenerateAuthDataRequest{
		SupiOrSuci:                       &supiOrSuci,
		UdmUeauAuthenticationInfoRequest: &models.UdmUeauAuthenticationInfoRequest{ServingNetworkName: snn, AusfInstanceId: "ausf-test", ResynchronizationInfo: resync},
	})
	if err != nil {
		return nil, err
	}
	return &rsp.UdmUeauAuthenticationInfoResult, nil
}

func (b *bed) sqn(supi string) string {
	GinkgoHelper()
	d, err := b.udr.Get(context.Background(), supi)
	Expect(err).NotTo(HaveOccurred())
	return d.AuthenticationSubscription.SequenceNumber.Sqn
}

func registration(amfRoot, supi string) models.Amf3GppAccessRegistration {
	return models.Amf3GppAccessRegistration{
		AmfInstanceId:          "amf-0000-4000-8000-000000000001",
		DeregCallbackUri:       amfRoot + "/namf-callback/v1/" + supi + "/dereg-notify",
		Guami:                  &models.Guami{PlmnId: &models.PlmnIdNid{Mcc: "001", Mnc: "01"}, AmfId: "cafe00"},
		RatType:                models.RatType_NR,
		InitialRegistrationInd: true,
	}
}

func (b *bed) register(supi string, reg models.Amf3GppAccessRegistration) (*UEContextManagement.Call3GppRegistrationResponse, error) {
	return b.uecm.AMFRegistrationFor3GPPAccessApi.Call3GppRegistration(context.Background(), &UEContextManagement.Call3GppRegistrationRequest{UeId: &supi, Amf3GppAccessRegistration: &reg})
}

// problemOf extracts the ProblemDetails of an openapi error.
func problemOf(err error) (int, models.ProblemDetails) {
	GinkgoHelper()
	status, pd, perr := sbitest.ProblemOf(err)
	Expect(perr).NotTo(HaveOccurred())
	return status, pd
}

// raw sends a request without an openapi client, for malformed input.
func (b *bed) raw(method, url, ctype string, body []byte) (int, string, models.ProblemDetails) {
	GinkgoHelper()
	status, ct, pd, err := sbitest.Raw(b.hc, method, url, ctype, body)
	Expect(err).NotTo(HaveOccurred())
	return status, ct, pd
}

func (b *bed) count(want trace.Event) int { return b.rec.Count(trace.Match(want)) }
