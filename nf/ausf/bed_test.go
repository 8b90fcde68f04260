package ausf_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	AUSFUEAU "github.com/free5gc/openapi/ausf/UEAuthentication"
	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/sbi/sbitest"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/suci"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/aanf"
	"github.com/credbed/credbed/nf/ausf"
	"github.com/credbed/credbed/nf/nrf"
	"github.com/credbed/credbed/nf/udm"
	"github.com/credbed/credbed/nf/udr"
)

// The bed wires a real NRF, UDR, UDM, AUSF and AAnF on one transport
// network; the test plays the AMF/SEAF with the openapi AUSF client and the
// UE with internal/aka.

const (
	plmnID = "00101"
	snn    = "5G:mnc001.mcc001.3gppnetwork.org"
	afFQDN = "cpf.credbed.test"
)

var (
	addrNRF  = netip.MustParseAddrPort("127.0.0.10:80")
	addrUDR  = netip.MustParseAddrPort("127.0.0.4:80")
	addrUDM  = netip.MustParseAddrPort("127.0.0.3:80")
	addrAUSF = netip.MustParseAddrPort("127.0.0.9:80")
	addrAAnF = netip.MustParseAddrPort("127.0.0.19:80")
	addrAMF  = netip.MustParseAddrPort("127.0.0.2:80")
)

type bedOptions struct {
	mode     string // "mem" (default) or "net"
	boltPath string // UDR store file; empty: in memory
	akmaAll  bool   // ausf.Config.AKMA
	ttl      time.Duration
}

type bed struct {
	opts  bedOptions
	net   transport.Network
	clk   *clock.Fake
	rec   *trace.Recorder
	rng   *rand.ChaCha8
	nrf   *nrf.NF
	udr   *udr.NF
	udm   *udm.NF
	ausf  *ausf.NF
	aanf  *aanf.NF
	hnA   *suci.PrivateKey
	hnB   *suci.PrivateKey
	amf   *AUSFUEAU.APIClient
	amfHC *http.Client

	nrfRoot  string
	udrRoot  string
	udrClose func() error
	udrAddr  netip.AddrPort
}

func addr(mode string, ap netip.AddrPort) netip.AddrPort {
	if mode == "net" {
		return netip.AddrPortFrom(ap.Addr(), 0)
	}
	return ap
}

// newBed starts every NF; its cleanup is registered with DeferCleanup.
func newBed(opts bedOptions) (*bed, error) {
	if opts.mode == "" {
		opts.mode = "mem"
	}
	seed := GinkgoRandomSeed()
	var s [32]byte
	copy(s[:], fmt.Sprintf("credbed-ausf-%d", seed))
	b := &bed{opts: opts, clk: clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)), rng: rand.NewChaCha8(s)}
	b.rec = trace.NewRecorder(b.clk)
	if opts.mode == "net" {
		b.net = transport.NewNet(transport.NetOptions{})
	} else {
		b.net = transport.NewMem(transport.MemOptions{})
	}
	DeferCleanup(func() { _ = b.net.Close() })
	ctx := context.Background()

	var err error
	if b.nrf, err = nrf.New(nrf.Config{}, nrf.Deps{Clock: b.clk, Trace: b.rec}); err != nil {
		return nil, err
	}
	root, closer, err := b.net.ServeSBI(addr(opts.mode, addrNRF), b.nrf.Handler())
	if err != nil {
		return nil, err
	}
	b.nrfRoot = root
	DeferCleanup(closer)

	if err := b.startUDR(ctx); err != nil {
		return nil, err
	}
	DeferCleanup(func() { _ = b.stopUDR() })

	if b.hnA, err = suci.GenerateKey(ident.SchemeProfileA, b.rng); err != nil {
		return nil, err
	}
	if b.hnB, err = suci.GenerateKey(ident.SchemeProfileB, b.rng); err != nil {
		return nil, err
	}
	b.udm, err = udm.New(udm.Config{
		Addr:       addr(opts.mode, addrUDM),
		SBITimeout: time.Minute, // 1,000 concurrent authentications under -race are slow
		HomeNetworkKeys: []udm.HomeNetworkKey{
			{Scheme: ident.SchemeProfileA, ID: 1, PrivateKey: hex.EncodeToString(b.hnA.Bytes())},
			{Scheme: ident.SchemeProfileB, ID: 2, PrivateKey: hex.EncodeToString(b.hnB.Bytes())},
		},
	}, udm.Deps{Clock: b.clk, Rand: b.rng, Trace: b.rec, Net: b.net, NRF: b.nrfRoot})
	if err != nil {
		return nil, err
	}
	if err := b.udm.Start(ctx); err != nil {
		return nil, err
	}
	DeferCleanup(b.udm.Close)

	if b.aanf, err = aanf.New(aanf.Config{Addr: addr(opts.mode, addrAAnF)}, aanf.Deps{Clock: b.clk, Rand: b.rng, Trace: b.rec, Net: b.net, NRF: b.nrfRoot}); err != nil {
		return nil, err
	}
	if err := b.aanf.Start(ctx); err != nil {
		return nil, err
	}
	DeferCleanup(b.aanf.Close)

	b.ausf, err = ausf.New(ausf.Config{Addr: addr(opts.mode, addrAUSF), ServingNetworks: []string{snn}, AKMA: opts.akmaAll, ContextTTL: opts.ttl, SBITimeout: time.Minute},
		ausf.Deps{Clock: b.clk, Rand: b.rng, Trace: b.rec, Net: b.net, NRF: b.nrfRoot})
	if err != nil {
		return nil, err
	}
	if err := b.ausf.Start(ctx); err != nil {
		return nil, err
	}
	DeferCleanup(b.ausf.Close)

	b.amfHC = b.net.SBIClient(addr(opts.mode, addrAMF))
	if b.amf, err = sbi.NewAUSFUEAuthenticationClient(sbi.Peer{APIRoot: b.ausf.APIRoot(), HTTP: b.amfHC, UserAgent: "AMF"}); err != nil {
		return nil, err
	}
	return b, nil
}

// startUDR (re)starts the UDR at its address and registers it at the NRF
// (the UDR has no NRF client of its own).
func (b *bed) startUDR(ctx context.Context) error {
	cfg := udr.Config{Store: udr.StoreMem}
	if b.opts.boltPath != "" {
		cfg = udr.Config{Store: udr.StoreBolt, Path: b.opts.boltPath, NoSync: true}
	}
	at := addr(b.opts.mode, addrUDR)
	if b.udrAddr.IsValid() {
		at = b.udrAddr // a restart keeps the address
	}
	u, err := udr.New(cfg, udr.Deps{Clock: b.clk, Trace: b.rec, HTTP: b.net.SBIClient(at)})
	if err != nil {
		return err
	}
	root, closer, err := b.net.ServeSBI(at, u.Handler())
	if err != nil {
		_ = u.Close()
		return err
	}
	b.udr, b.udrRoot, b.udrClose = u, root, closer
	if b.udrAddr, err = netip.ParseAddrPort(strings.TrimPrefix(root, "http://")); err != nil {
		return err
	}
	p, err := sbi.Profile(models.NrfNfManagementNfType_UDR, "udr-0000-4000-8000-000000000004", root, models.ServiceName_NUDR_DR)
	if err != nil {
		return err
	}
	return sbi.RegisterNF(ctx, b.net.SBIClient(at), b.nrfRoot, p)
}

func (b *bed) stopUDR() error {
	if b.udr == nil {
		return nil
	}
	err := errors.Join(b.udrClose(), b.udr.Close())
	b.udr = nil
	return err
}

// restartUDR closes the UDR and opens its store again at the same address.
func (b *bed) restartUDR() error {
	if err := b.stopUDR(); err != nil {
		return err
	}
	return b.startUDR(context.Background())
}

// subscribers generates n subscribers from the spec seed and provisions them.
func (b *bed) subscribers(n int, opts subscriber.GenOptions) []*testUE {
	GinkgoHelper()
	opts.PLMN = plmnID
	subs, err := subscriber.Generate(n, GinkgoRandomSeed()+int64(b.rng.Uint64()%1000), opts)
	Expect(err).NotTo(HaveOccurred())
	out := make([]*testUE, n)
	for i, s := range subs {
		Expect(b.udr.Provision(context.Background(), s)).To(Succeed())
		out[i] = newTestUE(s)
	}
	return out
}

// sqn returns the SQN the UDR holds for supi.
func (b *bed) sqn(supi string) string {
	GinkgoHelper()
	d, err := b.udr.Get(context.Background(), supi)
	Expect(err).NotTo(HaveOccurred())
	return d.AuthenticationSubscription.SequenceNumber.Sqn
}

// count returns how many recorded events match want.
func (b *bed) count(want trace.Event) int { return b.rec.Count(trace.Match(want)) }

// testUE is the UE side: USIM (K, OPc, SQN array) and ME key derivation.
type testUE struct {
	sub  subscriber.Subscription
	supi ident.SUPI
	k    []byte
	opc  []byte
	mu   sync.Mutex
	usim aka.SQNArray
}

func newTestUE(s subscriber.Subscription) *testUE {
	GinkgoHelper()
	k, err := s.KBytes()
	Expect(err).NotTo(HaveOccurred())
	opc, err := s.OPcBytes()
	Expect(err).NotTo(HaveOccurred())
	supi, err := ident.ParseSUPI(s.SUPI)
	Expect(err).NotTo(HaveOccurred())
	return &testUE{sub: s, supi: supi, k: k, opc: opc}
}

// concealed returns a fresh SUCI of the UE with the given scheme.
func (u *testUE) concealed(b *bed, scheme ident.ProtectionScheme) string {
	GinkgoHelper()
	p := suci.Params{Scheme: scheme, MNCLength: 2, RoutingIndicator: "0"}
	switch scheme {
	case ident.SchemeProfileA:
		p.HomeNetworkKey, p.KeyID = b.hnA.Public(), 1
	case ident.SchemeProfileB:
		p.HomeNetworkKey, p.KeyID = b.hnB.Public(), 2
	}
	s, err := suci.Conceal(u.supi, p, b.rng)
	Expect(err).NotTo(HaveOccurred())
	return s.String()
}

// ueResult is what the UE derives from a fresh, accepted challenge.
type ueResult struct {
	aka.Result
	rand    [aka.RANDLen]byte
	autn    [aka.AUTNLen]byte
	resStar [16]byte
	kausf   aka.Key256
	kseaf   aka.Key256
}

var errSynch = errors.New("UE: synch failure")

// answer runs the USIM and ME side of TS 33.501 §6.1.3.2 step 7 on RAND and
// AUTN. A non-fresh SQN returns errSynch and the AUTS to send.
func (u *testUE) answer(randHex, autnHex string) (ueResult, [aka.AUTSLen]byte, error) {
	var r ueResult
	var auts [aka.AUTSLen]byte
	rb, err1 := hex.DecodeString(randHex)
	ab, err2 := hex.DecodeString(autnHex)
	if err := errors.Join(err1, err2); err != nil || len(rb) != 16 || len(ab) != 16 {
		return r, auts, fmt.Errorf("bad RAND/AUTN: %v", err)
	}
	copy(r.rand[:], rb)
	copy(r.autn[:], ab)
	res, err := aka.CheckAUTN(u.k, u.opc, rb, ab)
	if err != nil {
		return r, auts, err
	}
	r.Result = res
	u.mu.Lock()
	err = u.usim.CheckAndAccept(res.SQN)
	highest := u.usim.Highest()
	u.mu.Unlock()
	if errors.Is(err, aka.ErrSQNNotFresh) {
		auts, err = aka.BuildAUTS(u.k, u.opc, rb, highest)
		if err != nil {
			return r, auts, err
		}
		return r, auts, errSynch
	}
	if err != nil {
		return r, auts, err
	}
	var sqnAK [aka.AKLen]byte
	copy(sqnAK[:], ab[:6])
	if r.resStar, err = aka.RESStar(res.CK, res.IK, snn, r.rand, res.RES[:]); err != nil {
		return r, auts, err
	}
	if r.kausf, err = aka.KAUSF(res.CK, res.IK, snn, sqnAK); err != nil {
		return r, auts, err
	}
	r.kseaf, err = aka.KSEAF(r.kausf, snn)
	return r, auts, err
}

// authenticate is the AMF's POST ue-authentications.
func (b *bed) authenticate(ctx context.Context, supiOrSuci string, resync *models.ResynchronizationInfo) (*AUSFUEAU.UeAuthenticationsPostResponse, error) {
	return b.amf.DefaultApi.UeAuthenticationsPost(ctx, &AUSFUEAU.UeAuthenticationsPostRequest{
		AuthenticationInfo: &models.AuthenticationInfo{SupiOrSuci: supiOrSuci, ServingNetworkName: snn, ResynchronizationInfo: resync},
	})
}

// confirm is the AMF's PUT 5g-aka-confirmation.
func (b *bed) confirm(ctx context.Context, id string, resStar []byte) (*models.ConfirmationDataResponse, error) {
	rsp, err := b.amf.DefaultApi.UeAuthenticationsAuthCtxId5gAkaConfirmationPut(ctx, &AUSFUEAU.UeAuthenticationsAuthCtxId5gAkaConfirmationPutRequest{
		AuthCtxId: &id, ConfirmationData: &models.ConfirmationData{ResStar: hex.EncodeToString(resStar)},
	})
	if err != nil {
		return nil, err
	}
	return &rsp.ConfirmationDataResponse, nil
}

// av5g extracts the SE AV and the authCtxId from a 201 answer.
func av5g(rsp *AUSFUEAU.UeAuthenticationsPostResponse) (models.Av5gAka, string, error) {
	var av models.Av5gAka
	raw, err := json.Marshal(rsp.UeAuthenticationCtx.Var5gAuthData)
	if err != nil {
		return av, "", err
	}
	if err := json.Unmarshal(raw, &av); err != nil {
		return av, "", err
	}
	links := rsp.UeAuthenticationCtx.Links[ausf.Link5gAka]
	if len(links) != 1 {
		return av, "", fmt.Errorf("no 5g-aka link in %v", rsp.UeAuthenticationCtx.Links)
	}
	id, ok := ctxIDFromHref(links[0].Href, "/5g-aka-confirmation")
	if !ok {
		return av, "", fmt.Errorf("bad link %q", links[0].Href)
	}
	return av, id, nil
}

func ctxIDFromHref(href, suffix string) (string, bool) {
	rest, ok := strings.CutSuffix(href, suffix)
	if !ok {
		return "", false
	}
	i := strings.LastIndex(rest, "/")
	return rest[i+1:], i >= 0
}

// fullAKA runs one complete 5G AKA of ue with supiOrSuci and returns the
// UE's result and the AUSF's answer.
func (b *bed) fullAKA(ctx context.Context, ue *testUE, supiOrSuci string) (ueResult, *models.ConfirmationDataResponse, string, error) {
	rsp, err := b.authenticate(ctx, supiOrSuci, nil)
	if err != nil {
		return ueResult{}, nil, "", err
	}
	av, id, err := av5g(rsp)
	if err != nil {
		return ueResult{}, nil, "", err
	}
	r, _, err := ue.answer(av.Rand, av.Autn)
	if err != nil {
		return r, nil, id, err
	}
	hres := aka.HRESStar(r.rand, r.resStar)
	if hex.EncodeToString(hres[:]) != av.HxresStar {
		return r, nil, id, errors.New("HRES* != HXRES*")
	}
	cd, err := b.confirm(ctx, id, r.resStar[:])
	return r, cd, id, err
}

// problemOf extracts the ProblemDetails of an openapi error.
func problemOf(err error) (int, models.ProblemDetails) {
	GinkgoHelper()
	status, pd, perr := sbitest.ProblemOf(err)
	Expect(perr).NotTo(HaveOccurred())
	return status, pd
}

// raw sends a request to the AUSF (or any NF) as-is, for malformed input.
func (b *bed) raw(method, url, ctype string, body []byte) (int, string, models.ProblemDetails) {
	GinkgoHelper()
	status, ct, pd, err := sbitest.Raw(b.amfHC, method, url, ctype, body)
	Expect(err).NotTo(HaveOccurred())
	return status, ct, pd
}

func tempBolt() string { return filepath.Join(GinkgoT().TempDir(), "udr.db") }

func decodeJSON(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

// aheadBy makes the USIM's SEQ_MS of every IND equal to seq, so any
// vector with a lower SEQ is refused with a synch failure.
func (u *testUE) aheadBy(seq uint64) {
	for ind := range aka.ArraySize {
		u.usim.Accept(aka.NewSQN(seq, uint8(ind)))
	}
}

// confirmRaw PUTs a confirmation without the openapi client, whose
// generated code rejects statuses TS 29.509 does not list for the
// operation (404 comes from TS 29.500 §5.2.7.2).
func (b *bed) confirmRaw(id string, resStar []byte) (int, models.ProblemDetails) {
	GinkgoHelper()
	body, _ := json.Marshal(models.ConfirmationData{ResStar: hex.EncodeToString(resStar)})
	status, ctype, pd := b.raw(http.MethodPut, b.ausf.APIRoot()+ausf.PathUEAuthentications+"/"+id+"/5g-aka-confirmation", "application/json", body)
	Expect(ctype).To(Equal(sbi.ContentProblem))
	return status, pd
}
