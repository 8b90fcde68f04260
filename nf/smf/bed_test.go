package smf_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/free5gc/openapi"
	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/smf/PDUSession"
	gtpmsg "github.com/wmnsk/go-gtp/gtpv1/message"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/nrf"
	"github.com/credbed/credbed/nf/smf"
	"github.com/credbed/credbed/nf/udm"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/nf/upf"
)

// Address plan of the bed (mem mode).
var (
	smfIP  = netip.MustParseAddr("127.0.0.7")
	upfIP  = netip.MustParseAddr("127.0.0.8")
	dnIP   = netip.MustParseAddr("127.0.0.9")
	amfIP  = netip.MustParseAddr("127.0.0.5")
	udmIP  = netip.MustParseAddr("127.0.0.3")
	udrIP  = netip.MustParseAddr("127.0.0.4")
	nrfIP  = netip.MustParseAddr("127.0.0.10")
	gnbIP  = netip.MustParseAddr("127.0.0.20")
	epoch  = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	slice1 = models.Snssai{Sst: 1, Sd: "010203"}
	// waitLimit only guards against a hung spec; no assertion depends on time.
	waitLimit = 10 * time.Second
)

func ap(a netip.Addr, port uint16) netip.AddrPort { return netip.AddrPortFrom(a, port) }

// seeded returns a deterministic io.Reader from the spec's seed.
func seeded(salt uint64) *rand.ChaCha8 {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(GinkgoRandomSeed()))
	binary.LittleEndian.PutUint64(seed[8:], salt)
	return rand.NewChaCha8(seed)
}

// transfer is one N1N2MessageTransfer the test AMF received.
type transfer struct {
	supi string
	req  models.N1N2MessageTransferRequest
}

// testAMF plays the AMF's SBI side: it records N1N2MessageTransfer
// requests (decoded with the free5gc/openapi multipart decoder, as an AMF
// built on it would) and SM context status notifications.
type testAMF struct {
	root      string
	mu        sync.Mutex
	transfers map[string]chan transfer
	notified  map[string]chan models.SmfPduSessionSmContextStatusNotification
	failWith  int // answer N1N2MessageTransfer with this status when non-zero
}

func (a *testAMF) ch(supi string) chan transfer {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.transfers[supi]
	if c == nil {
		c = make(chan transfer, 16)
		a.transfers[supi] = c
	}
	return c
}

func (a *testAMF) notifyCh(supi string) chan models.SmfPduSessionSmContextStatusNotification {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.notified[supi]
	if c == nil {
		c = make(chan models.SmfPduSessionSmContextStatusNotification, 16)
		a.notified[supi] = c
	}
	return c
}

// next waits for the next transfer for supi.
func (a *testAMF) next(supi string) (transfer, error) {
	select {
	case t := <-a.ch(supi):
		return t, nil
	case <-time.After(waitLimit):
		return transfer{}, fmt.Errorf("no N1N2MessageTransfer for %s", supi)
	}
}

func (a *testAMF) nextNotify(supi string) (models.SmfPduSessionSmContextStatusNotification, error) {
	select {
	case n := <-a.notifyCh(supi):
		return n, nil
	case <-time.After(waitLimit):
		return models.SmfPduSessionSmContextStatusNotification{}, fmt.Errorf("no status notification for %s", supi)
	}
}

func (a *testAMF) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /namf-comm/v1/ue-contexts/{ue}/n1-n2-messages", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req models.N1N2MessageTransferRequest
		if err := openapi.Deserialize(&req, body, r.Header.Get("Content-Type")); err != nil {
			sbi.WriteProblem(w, sbi.Problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, err.Error()))
			return
		}
		a.mu.Lock()
		fail := a.failWith
		a.mu.Unlock()
		if fail != 0 {
			sbi.WriteProblem(w, sbi.Problem(fail, sbi.CauseContextNotFound, "UE unknown"))
			return
		}
		a.ch(r.PathValue("ue")) <- transfer{supi: r.PathValue("ue"), req: req}
		sbi.WriteJSON(w, http.StatusOK, models.N1N2MessageTransferRspData{Cause: models.N1N2MessageTransferCause_N1_N2_TRANSFER_INITIATED})
	})
	mux.HandleFunc("POST /namf-callback/v1/smContextStatus/{supi}/{psi}", func(w http.ResponseWriter, r *http.Request) {
		var n models.SmfPduSessionSmContextStatusNotification
		if pd := sbi.DecodeJSON(r, &n); pd != nil {
			sbi.WriteProblem(w, pd)
			return
		}
		a.notifyCh(r.PathValue("supi")) <- n
		sbi.WriteNoContent(w)
	})
	return mux
}

// testUDM serves Nudm_SDM sm-data (TS 29.503 §5.2.2.2.5) from
// internal/subscriber subscriptions, the data the real UDR holds.
type testUDM struct {
	mu   sync.Mutex
	subs map[string]subscriber.Subscription
	fail bool
}

func (u *testUDM) add(s subscriber.Subscription) {
	u.mu.Lock()
	u.subs[s.SUPI] = s
	u.mu.Unlock()
}

func (u *testUDM) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /nudm-sdm/v2/{supi}/sm-data", func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		s, ok := u.subs[r.PathValue("supi")]
		fail := u.fail
		u.mu.Unlock()
		switch {
		case fail:
			sbi.WriteProblem(w, sbi.Problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "injected"))
			return
		case !ok:
			sbi.WriteProblem(w, sbi.Problem(http.StatusNotFound, sbi.CauseUserNotFound, "unknown"))
			return
		}
		data := s.SmData()
		if q := r.URL.Query().Get("single-nssai"); q != "" {
			var want models.Snssai
			if err := json.Unmarshal([]byte(q), &want); err != nil {
				sbi.WriteProblem(w, sbi.Problem(http.StatusBadRequest, "INVALID_QUERY_PARAM", "single-nssai"))
				return
			}
			kept := data[:0]
			for _, d := range data {
				if d.SingleNssai != nil && d.SingleNssai.Sst == want.Sst && strings.EqualFold(d.SingleNssai.Sd, want.Sd) {
					kept = append(kept, d)
				}
			}
			data = kept
		}
		sbi.WriteJSON(w, http.StatusOK, data)
	})
	return mux
}

// bed is one SMF with the real UPF, NRF, UDR and UDM (or, with
// fakeUDM, a test UDM that can fail on demand) and a test AMF on one mem
// network, plus gNB and data-network N3/N6 endpoints.
type bed struct {
	net    *transport.MemNetwork
	rec    *trace.Recorder
	upf    *upf.UPF
	smf    *smf.SMF
	amf    *testAMF
	udm    *testUDM // fakeUDM only
	udr    *udr.NF  // the real UDR, unless fakeUDM
	nrf    *nrf.NF
	client *PDUSession.APIClient
	gnb    transport.Endpoint
	dn     transport.Endpoint
	dlGTP  chan []byte
	stops  []func() error
	tick   chan struct{}
}

// await waits until the recorder holds an event matching want.
func (b *bed) await(want trace.Event) error {
	match := trace.Match(want)
	deadline := time.After(waitLimit)
	for {
		if b.rec.Count(match) > 0 {
			return nil
		}
		select {
		case <-b.tick:
		case <-deadline:
			return fmt.Errorf("no event %+v", want)
		}
	}
}

type bedOptions struct {
	cfg smf.Config
	// fakeUDM replaces NRF, UDR and UDM by testUDM at Config.UDMAPIRoot.
	fakeUDM bool
}

func newBed(o bedOptions) (*bed, error) {
	b := &bed{net: transport.NewMem(transport.MemOptions{}), rec: trace.NewRecorder(clock.NewFake(epoch)),
		amf:   &testAMF{transfers: map[string]chan transfer{}, notified: map[string]chan models.SmfPduSessionSmContextStatusNotification{}},
		udm:   &testUDM{subs: map[string]subscriber.Subscription{}},
		dlGTP: make(chan []byte, 64), tick: make(chan struct{}, 1)}
	b.rec.Subscribe(func(trace.Event) {
		select {
		case b.tick <- struct{}{}:
		default:
		}
	})
	var err error
	b.upf, err = upf.New(upf.Config{
		N3Addr: ap(upfIP, transport.PortGTPU), N4Addr: ap(upfIP, transport.PortPFCP),
		N6Addr: ap(upfIP, upf.DefaultN6Port), DN: ap(dnIP, upf.DefaultN6Port),
	}, upf.Deps{Net: b.net, Clock: clock.NewFake(epoch), Rand: seeded(1), Trace: b.rec})
	if err != nil {
		return b, err
	}
	if err := b.upf.Start(context.Background()); err != nil {
		return b, err
	}
	if b.gnb, err = b.net.Listen(transport.N3, ap(gnbIP, transport.PortGTPU), func(_ netip.AddrPort, p []byte) {
		select {
		case b.dlGTP <- p:
		default:
		}
	}); err != nil {
		return b, err
	}
	if b.dn, err = b.net.Listen(transport.N6, ap(dnIP, upf.DefaultN6Port), func(netip.AddrPort, []byte) {}); err != nil {
		return b, err
	}
	var stop func() error
	if b.amf.root, stop, err = b.net.ServeSBI(ap(amfIP, 80), b.amf.handler()); err != nil {
		return b, err
	}
	b.stops = append(b.stops, stop)
	cfg := o.cfg
	deps := smf.Deps{Net: b.net, Clock: clock.NewFake(epoch), Rand: seeded(2), Trace: b.rec}
	if o.fakeUDM {
		udmRoot, stop, err := b.net.ServeSBI(ap(udmIP, 80), b.udm.handler())
		if err != nil {
			return b, err
		}
		b.stops = append(b.stops, stop)
		cfg.UDMAPIRoot = udmRoot
	} else if deps.NRF, err = b.startHome(); err != nil {
		return b, err
	}
	if b.smf, err = smf.New(cfg, deps); err != nil {
		return b, err
	}
	if err := b.smf.Start(context.Background()); err != nil {
		return b, err
	}
	b.client, err = sbi.NewSMFPDUSessionClient(sbi.Peer{APIRoot: b.smf.APIRoot(), HTTP: b.net.SBIClient(ap(amfIP, 0)), UserAgent: "AMF-test"})
	return b, err
}

// startHome starts the real NRF, UDR and UDM; the SMF finds the UDM at the NRF.
func (b *bed) startHome() (string, error) {
	ctx := context.Background()
	var err error
	if b.nrf, err = nrf.New(nrf.Config{}, nrf.Deps{Trace: b.rec}); err != nil {
		return "", err
	}
	nrfRoot, stop, err := b.net.ServeSBI(ap(nrfIP, 80), b.nrf.Handler())
	if err != nil {
		return "", err
	}
	b.stops = append(b.stops, stop)
	if b.udr, err = udr.New(udr.Config{Store: udr.StoreMem}, udr.Deps{Trace: b.rec, HTTP: b.net.SBIClient(ap(udrIP, 80))}); err != nil {
		return "", err
	}
	b.stops = append(b.stops, b.udr.Close)
	udrRoot, stop, err := b.net.ServeSBI(ap(udrIP, 80), b.udr.Handler())
	if err != nil {
		return "", err
	}
	b.stops = append(b.stops, stop)
	p, err := sbi.Profile(models.NrfNfManagementNfType_UDR, "5a1c0de0-0000-4000-8000-000000000004", udrRoot, models.ServiceName_NUDR_DR)
	if err != nil {
		return "", err
	}
	if err := sbi.RegisterNF(ctx, b.net.SBIClient(ap(udrIP, 80)), nrfRoot, p); err != nil {
		return "", err
	}
	u, err := udm.New(udm.Config{Addr: ap(udmIP, 80)}, udm.Deps{Rand: seeded(4), Trace: b.rec, Net: b.net, NRF: nrfRoot})
	if err != nil {
		return "", err
	}
	if err := u.Start(ctx); err != nil {
		return "", err
	}
	b.stops = append(b.stops, u.Close)
	return nrfRoot, nil
}

func (b *bed) close() {
	if b.smf != nil {
		_ = b.smf.Close()
	}
	for i := len(b.stops) - 1; i >= 0; i-- {
		_ = b.stops[i]()
	}
	for _, ep := range []transport.Endpoint{b.gnb, b.dn} {
		if ep != nil {
			_ = ep.Close()
		}
	}
	if b.upf != nil {
		_ = b.upf.Close()
	}
	_ = b.net.Close()
}

func supiN(i int) string { return fmt.Sprintf("imsi-0010100000%05d", i) }

// subscribe provisions supi (K and OPc are fixed: no authentication runs here).
func (b *bed) subscribe(supi string, dnns ...string) error {
	if len(dnns) == 0 {
		dnns = []string{"internet"}
	}
	s := subscriber.Subscription{SUPI: supi, PLMN: "00101", K: "465b5ce8b199b49faa5f0a2ee238a6bc", OPc: "cd63cb71954a9f4e48a5994e37a02baf",
		AMF: "8000", SQN: "000000000000", AuthMethod: subscriber.AuthMethod5GAKA, DNNs: dnns, SNSSAIs: []subscriber.SNSSAI{{SST: 1, SD: "010203"}}}
	if b.udr == nil {
		b.udm.add(s)
		return nil
	}
	return b.udr.Provision(context.Background(), s)
}

func estRequest(psi, pti uint8) []byte {
	n1, err := (&nasx.PDUSessionEstablishmentRequest{
		GSMHeader:              nasx.GSMHeader{PDUSessionID: psi, PTI: pti},
		IntegrityMaxDataRateUL: nasx.MaxDataRateFull, IntegrityMaxDataRateDL: nasx.MaxDataRateFull,
		PDUSessionType: nasx.PDUSessionIPv4, SSCMode: nasx.SSCMode1,
	}).Build()
	if err != nil {
		panic(err) // fixed test input
	}
	return n1
}

func (b *bed) createData(supi string, psi uint8, dnn string) *models.SmfPduSessionSmContextCreateData {
	sn := slice1
	return &models.SmfPduSessionSmContextCreateData{
		Supi: supi, PduSessionId: int32(psi), Dnn: dnn, SNssai: &sn,
		ServingNfId: "5a1c0de0-0000-4000-8000-0000000000a1", AnType: models.AccessType__3_GPP_ACCESS,
		ServingNetwork:     &models.PlmnIdNid{Mcc: "001", Mnc: "01"},
		RequestType:        models.RequestType_INITIAL_REQUEST,
		N1SmMsg:            &models.RefToBinaryData{ContentId: "n1msg"},
		SmContextStatusUri: fmt.Sprintf("%s/namf-callback/v1/smContextStatus/%s/%d", b.amf.root, supi, psi),
	}
}

// create sends Nsmf_PDUSession_CreateSMContext as the AMF does.
func (b *bed) create(supi string, psi uint8, dnn string, n1 []byte) (*PDUSession.PostSmContextsResponse, error) {
	return b.client.SMContextsCollectionApi.PostSmContexts(context.Background(), &PDUSession.PostSmContextsRequest{
		PostSmContextsRequest: &models.PostSmContextsRequest{JsonData: b.createData(supi, psi, dnn), BinaryDataN1SmMessage: n1}})
}

func refOf(location string) string { return location[strings.LastIndex(location, "/")+1:] }

// established is what a spec knows of one established session.
type established struct {
	supi   string
	ref    string
	accept *nasx.PDUSessionEstablishmentAccept
	setup  *ngapx.PDUSessionSetupRequestTransfer
	xfer   transfer
}

// establish runs create and waits for the N1N2MessageTransfer.
func (b *bed) establish(supi string, psi uint8) (*established, error) {
	rsp, err := b.create(supi, psi, "internet", estRequest(psi, 1))
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	t, err := b.amf.next(supi)
	if err != nil {
		return nil, err
	}
	e := &established{supi: supi, ref: refOf(rsp.Location), xfer: t}
	m, err := nasx.ParseGSM(t.req.BinaryDataN1Message)
	if err != nil {
		return nil, fmt.Errorf("N1: %w", err)
	}
	acc, ok := m.(*nasx.PDUSessionEstablishmentAccept)
	if !ok {
		return nil, fmt.Errorf("N1 is %v", m.MessageType())
	}
	e.accept = acc
	if e.setup, err = ngapx.ParsePDUSessionSetupRequestTransfer(t.req.BinaryDataN2Information); err != nil {
		return nil, fmt.Errorf("N2: %w", err)
	}
	return e, nil
}

func setupResponse(teid uint32) []byte {
	b, err := (&ngapx.PDUSessionSetupResponseTransfer{DLTunnel: ngapx.GTPTunnel{Addr: gnbIP, TEID: teid}, QFIs: []uint8{1}}).Build()
	if err != nil {
		panic(err)
	}
	return b
}

// update sends Nsmf_PDUSession_UpdateSMContext.
func (b *bed) update(ref string, d models.SmfPduSessionSmContextUpdateData, n1, n2 []byte) (*PDUSession.UpdateSmContextResponse, error) {
	req := models.UpdateSmContextRequest{JsonData: &d, BinaryDataN1SmMessage: n1, BinaryDataN2SmInformation: n2}
	return b.client.IndividualSMContextApi.UpdateSmContext(context.Background(), &PDUSession.UpdateSmContextRequest{SmContextRef: &ref, UpdateSmContextRequest: &req})
}

// activate answers the N2 setup as the gNB would (PDU_RES_SETUP_RSP).
func (b *bed) activate(ref string, teid uint32) (*PDUSession.UpdateSmContextResponse, error) {
	return b.update(ref, models.SmfPduSessionSmContextUpdateData{
		N2SmInfo: &models.RefToBinaryData{ContentId: "n2"}, N2SmInfoType: models.N2SmInfoType_PDU_RES_SETUP_RSP}, nil, setupResponse(teid))
}

func (b *bed) release(ref string) error {
	_, err := b.client.IndividualSMContextApi.ReleaseSmContext(context.Background(), &PDUSession.ReleaseSmContextRequest{
		SmContextRef: &ref, ReleaseSmContextRequest: &models.ReleaseSmContextRequest{JsonData: &models.SmfPduSessionSmContextReleaseData{
			Cause: models.SmfPduSessionCause_REL_DUE_TO_UNSPECIFIED_REASON}}})
	return err
}

// ipv4 returns a minimal IPv4/UDP packet from src to dst.
func ipv4(src, dst netip.Addr) []byte {
	p := make([]byte, 28)
	p[0], p[8], p[9] = 0x45, 64, 17
	binary.BigEndian.PutUint16(p[2:], uint16(len(p)))
	s4, d4 := src.As4(), dst.As4()
	copy(p[12:16], s4[:])
	copy(p[16:20], d4[:])
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(p[i:]))
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	binary.BigEndian.PutUint16(p[10:], ^uint16(sum))
	binary.BigEndian.PutUint16(p[20:], 40000)
	binary.BigEndian.PutUint16(p[22:], 7)
	binary.BigEndian.PutUint16(p[24:], 8)
	return p
}

// gpdu returns a G-PDU on teid with a PDU Session Container (UL, QFI 1).
func gpdu(teid uint32, inner []byte) []byte {
	h := gtpmsg.NewHeaderWithExtensionHeaders(0x34, gtpmsg.MsgTypeTPDU, teid, 0, inner,
		gtpmsg.NewExtensionHeader(gtpmsg.ExtHeaderTypePDUSessionContainer, []byte{1 << 4, 1}, gtpmsg.ExtHeaderTypeNoMoreExtensionHeaders))
	b, err := h.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}
