package amf

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/free5gc/openapi"
	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/udm/UEContextManagement"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/amf/gmm"
)

// SBI operation names in trace events.
const (
	OpAUSFAuthenticate   = "Nausf_UEAuthentication_Authenticate"
	OpAUSFConfirm        = "Nausf_UEAuthentication_5gAkaConfirmation"
	OpUECMRegistration   = "Nudm_UECM_Registration"
	OpUECMDeregistration = "Nudm_UECM_Deregistration"
	OpSDMGet             = "Nudm_SDM_Get"
	OpDeregNotification  = "Nudm_UECM_DeregistrationNotification"
	OpN1N2Transfer       = "Namf_Communication_N1N2MessageTransfer"
	OpNFRegister         = "Nnrf_NFManagement_NFRegister"
)

// Paths of the AMF's own resources.
const (
	PathCallback = "/namf-callback/v1"
	PathComm     = "/namf-comm/v1"
)

// peers caches, per apiRoot, the validated sbi.Peer of the calls made
// through sbi.Call and the openapi clients of the others.
type peers struct {
	call sync.Map // root -> *sbi.Peer (validated)
	uecm sync.Map // root -> *UEContextManagement.APIClient
}

func (n *NF) peer(root string) sbi.Peer {
	return sbi.Peer{APIRoot: root, HTTP: n.client, UserAgent: "AMF-" + n.cfg.InstanceID}
}

// callPeer returns the peer at root for an sbi.Call, validated once as
// building an openapi client validates it (sbi.Configure).
func (n *NF) callPeer(root string) (sbi.Peer, error) {
	p, err := cached(&n.peers.call, root, func() (*sbi.Peer, error) {
		p := n.peer(root)
		if err := p.Validate(); err != nil {
			return nil, err
		}
		return &p, nil
	})
	if err != nil {
		return sbi.Peer{}, err
	}
	return *p, nil
}

func cached[C any](m *sync.Map, root string, mk func() (*C, error)) (*C, error) {
	if c, ok := m.Load(root); ok {
		return c.(*C), nil
	}
	c, err := mk()
	if err != nil {
		return nil, err
	}
	v, _ := m.LoadOrStore(root, c)
	return v.(*C), nil
}

// root returns the static apiRoot or discovers one at the NRF.
func (n *NF) root(ctx context.Context, static string, t models.NrfNfManagementNfType, svc models.ServiceName) (string, error) {
	if static != "" {
		return static, nil
	}
	if n.nrf == nil {
		return "", fmt.Errorf("amf: no %s apiRoot and no NRF", t)
	}
	return n.nrf.Discover(ctx, t, models.NrfNfManagementNfType_AMF, svc)
}

// forget drops a discovered instance after it failed to answer.
func (n *NF) forget(o gmm.Outcome, static string, t models.NrfNfManagementNfType) {
	if o.Status == 0 && static == "" && n.nrf != nil {
		n.nrf.Forget(t)
	}
}

func (n *NF) sbiCtx() (context.Context, context.CancelFunc) {
	if n.cfg.SBITimeout > 0 {
		return context.WithTimeout(n.ctx, n.cfg.SBITimeout)
	}
	return context.WithCancel(n.ctx)
}

// outcomeOf turns an openapi client error into the outcome the 5GMM
// machine maps to a cause: the HTTP status and the ProblemDetails cause, or
// status 0 when there was no usable answer.
func outcomeOf(err error) gmm.Outcome {
	var ge openapi.GenericOpenAPIError
	if errors.As(err, &ge) {
		o := gmm.Outcome{Status: ge.ErrorStatus}
		var pd models.ProblemDetails
		if json.Unmarshal(ge.RawBody, &pd) == nil {
			o.Cause, o.Detail = pd.Cause, pd.Detail
		}
		return o
	}
	return gmm.Outcome{Detail: err.Error()}
}

func (n *NF) sbiTrace(op, peer, supi string, o *gmm.Outcome) {
	if o == nil {
		n.emit(trace.Event{Kind: trace.KindRequest, Iface: trace.IfaceSBI, Peer: peer, Name: op, SUPI: supi})
		return
	}
	n.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Peer: peer, Name: op, SUPI: supi,
		Status: o.Status, Cause: o.Cause, Detail: o.Detail})
}

// ausfAuthenticate: POST {ausf}/nausf-auth/v1/ue-authentications (TS 29.509
// §5.2.2.2.2).
func (n *NF) ausfAuthenticate(e *ueEntry, a gmm.AUSFAuthenticate) gmm.AUSFAuthResult {
	r := gmm.AUSFAuthResult{Seq: a.Seq}
	ctx, cancel := n.sbiCtx()
	defer cancel()
	n.sbiTrace(OpAUSFAuthenticate, "ausf", e.supi, nil)
	r.Outcome = n.doAUSFAuthenticate(ctx, a, &r)
	n.forget(r.Outcome, n.cfg.AUSF, models.NrfNfManagementNfType_AUSF)
	n.sbiTrace(OpAUSFAuthenticate, "ausf", e.supi, &r.Outcome)
	return r
}

func (n *NF) doAUSFAuthenticate(ctx context.Context, a gmm.AUSFAuthenticate, r *gmm.AUSFAuthResult) gmm.Outcome {
	root, err := n.root(ctx, n.cfg.AUSF, models.NrfNfManagementNfType_AUSF, models.ServiceName_NAUSF_AUTH)
	if err != nil {
		return gmm.Outcome{Detail: err.Error()}
	}
	p, err := n.callPeer(root)
	if err != nil {
		return gmm.Outcome{Detail: err.Error()}
	}
	info := models.AuthenticationInfo{SupiOrSuci: a.SUPIOrSUCI, ServingNetworkName: a.SNN}
	if a.Resync != nil {
		info.ResynchronizationInfo = &models.ResynchronizationInfo{Rand: hex.EncodeToString(a.Resync.RAND[:]),
			Auts: hex.EncodeToString(a.Resync.AUTS[:])}
	}
	var uac models.UeAuthenticationCtx
	if _, err := sbi.AUSFAuthenticate(&info).Do(ctx, p, &uac); err != nil {
		return outcomeOf(err)
	}
	ok := gmm.Outcome{Status: 201}
	if uac.AuthType != models.AusfUeAuthenticationAuthType__5_G_AKA {
		return outcomeFail(gmm.Outcome{Cause: "UNSUPPORTED_AUTH_TYPE", Detail: fmt.Sprintf("authType %q: this SEAF runs 5G AKA only", uac.AuthType)})
	}
	raw, err := json.Marshal(uac.Var5gAuthData)
	if err != nil {
		return gmm.Outcome{Detail: "5gAuthData: " + err.Error()}
	}
	var av models.Av5gAka
	if err := json.Unmarshal(raw, &av); err != nil {
		return gmm.Outcome{Detail: "5gAuthData: " + err.Error()}
	}
	if !hex16(av.Rand, &r.RAND) || !hex16(av.Autn, &r.AUTN) || !hex16(av.HxresStar, &r.HXRESStar) {
		return gmm.Outcome{Detail: "5gAuthData: rand, autn or hxresStar is not 16 octets of hex"}
	}
	if links := uac.Links["5g-aka"]; len(links) > 0 {
		r.ConfirmURI = links[0].Href
	}
	if r.ConfirmURI == "" {
		return gmm.Outcome{Detail: "no 5g-aka link"}
	}
	return ok
}

// fail turns a 2xx outcome with unusable content into an NF failure.
func outcomeFail(o gmm.Outcome) gmm.Outcome { o.Status = 0; return o }

func hex16(s string, dst *[16]byte) bool {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 16 {
		return false
	}
	copy(dst[:], b)
	return true
}

// splitConfirmURI splits the 5g-aka link into the AUSF apiRoot and the
// authCtxId: "{apiRoot}/nausf-auth/v1/ue-authentications/{id}/5g-aka-confirmation".
func splitConfirmURI(href string) (root, id string, err error) {
	u, err := url.Parse(href)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", "", fmt.Errorf("bad 5g-aka link %q", href)
	}
	const prefix, suffix = "/nausf-auth/v1/ue-authentications/", "/5g-aka-confirmation"
	p := u.EscapedPath()
	i := strings.Index(p, prefix)
	if i < 0 || !strings.HasSuffix(p, suffix) {
		return "", "", fmt.Errorf("bad 5g-aka link %q", href)
	}
	id, err = url.PathUnescape(p[i+len(prefix) : len(p)-len(suffix)])
	if err != nil || id == "" || strings.Contains(id, "/") {
		return "", "", fmt.Errorf("bad 5g-aka link %q", href)
	}
	return u.Scheme + "://" + u.Host + p[:i], id, nil
}

// ausfConfirm: PUT {link} with RES* (TS 29.509 §5.2.2.2.2).
func (n *NF) ausfConfirm(e *ueEntry, a gmm.AUSFConfirm) gmm.AUSFConfirmResult {
	r := gmm.AUSFConfirmResult{Seq: a.Seq}
	ctx, cancel := n.sbiCtx()
	defer cancel()
	n.sbiTrace(OpAUSFConfirm, "ausf", e.supi, nil)
	r.Outcome = n.doAUSFConfirm(ctx, a, &r)
	n.sbiTrace(OpAUSFConfirm, "ausf", r.SUPI, &r.Outcome)
	return r
}

func (n *NF) doAUSFConfirm(ctx context.Context, a gmm.AUSFConfirm, r *gmm.AUSFConfirmResult) gmm.Outcome {
	root, id, err := splitConfirmURI(a.ConfirmURI)
	if err != nil {
		return gmm.Outcome{Detail: err.Error()}
	}
	p, err := n.callPeer(root)
	if err != nil {
		return gmm.Outcome{Detail: err.Error()}
	}
	var cd models.ConfirmationDataResponse
	if _, err := sbi.AUSF5gAkaConfirmation(id, &models.ConfirmationData{ResStar: hex.EncodeToString(a.RESStar[:])}).Do(ctx, p, &cd); err != nil {
		o := outcomeOf(err)
		if o.Cause == "AUTHENTICATION_FAILURE" || o.Cause == "AUTHENTICATION_REJECTED" {
			// An AUSF that answers RES* mismatch with an error status.
			return gmm.Outcome{Status: 200, Cause: o.Cause, Detail: o.Detail}
		}
		return o
	}
	r.SUPI = cd.Supi
	if cd.AuthResult != models.AusfUeAuthenticationAuthResult_SUCCESS {
		return gmm.Outcome{Status: 200, Cause: string(cd.AuthResult)}
	}
	k, err := hex.DecodeString(cd.Kseaf)
	if err != nil || len(k) != 32 {
		return gmm.Outcome{Status: 200, Cause: string(cd.AuthResult), Detail: "kseaf is not 32 octets of hex"}
	}
	r.KSEAF, _ = aka.Key256From(k)
	clear(k)
	r.Success = true
	return gmm.Outcome{Status: 200}
}

func (n *NF) guami() *models.Guami {
	plmn, region, set, pointer := n.m.GUAMI()
	return &models.Guami{PlmnId: &models.PlmnIdNid{Mcc: plmn.MCC(), Mnc: plmn.MNC()},
		AmfId: fmt.Sprintf("%02x%04x", region, uint16(set)<<6|uint16(pointer))}
}

// CallbackURI is the deregCallbackUri the AMF gives the UDM for supi.
func (n *NF) CallbackURI(supi string) string {
	return n.apiRoot + PathCallback + "/" + url.PathEscape(supi) + "/dereg-notify"
}

// uecmRegister: PUT {udm}/nudm-uecm/v1/{supi}/registrations/amf-3gpp-access
// (TS 29.503 §5.3.2.2.2).
func (n *NF) uecmRegister(e *ueEntry, a gmm.UECMRegister) gmm.UECMRegistrationResult {
	r := gmm.UECMRegistrationResult{Seq: a.Seq}
	ctx, cancel := n.sbiCtx()
	defer cancel()
	n.sbiTrace(OpUECMRegistration, "udm", a.SUPI, nil)
	r.Outcome = func() gmm.Outcome {
		root, err := n.root(ctx, n.cfg.UDM, models.NrfNfManagementNfType_UDM, models.ServiceName_NUDM_UECM)
		if err != nil {
			return gmm.Outcome{Detail: err.Error()}
		}
		p, err := n.callPeer(root)
		if err != nil {
			return gmm.Outcome{Detail: err.Error()}
		}
		supi := a.SUPI
		reg := models.Amf3GppAccessRegistration{AmfInstanceId: n.cfg.InstanceID, DeregCallbackUri: n.CallbackURI(supi),
			Guami: n.guami(), RatType: models.RatType_NR, InitialRegistrationInd: a.Initial, Supi: supi}
		var out models.Amf3GppAccessRegistration
		if _, err := sbi.UDMRegisterAMF3GPP(supi, &reg).Do(ctx, p, &out); err != nil {
			return outcomeOf(err)
		}
		return gmm.Outcome{Status: 200}
	}()
	n.forget(r.Outcome, n.cfg.UDM, models.NrfNfManagementNfType_UDM)
	n.sbiTrace(OpUECMRegistration, "udm", a.SUPI, &r.Outcome)
	return r
}

// uecmDeregister: PATCH the AMF registration with purgeFlag (TS 29.503
// §5.3.2.4.2, Nudm_UECM_Deregistration for the AMF).
func (n *NF) uecmDeregister(_ *ueEntry, a gmm.UECMDeregister) gmm.UECMDeregistrationResult {
	r := gmm.UECMDeregistrationResult{Seq: a.Seq}
	ctx, cancel := n.sbiCtx()
	defer cancel()
	n.sbiTrace(OpUECMDeregistration, "udm", a.SUPI, nil)
	r.Outcome = func() gmm.Outcome {
		c, err := n.uecmClient(ctx)
		if err != nil {
			return gmm.Outcome{Detail: err.Error()}
		}
		supi := a.SUPI
		if _, err := c.ParameterUpdateInTheAMFRegistrationFor3GPPAccessApi.Update3GppRegistration(ctx,
			&UEContextManagement.Update3GppRegistrationRequest{UeId: &supi,
				Amf3GppAccessRegistrationModification: &models.Amf3GppAccessRegistrationModification{Guami: n.guami(), PurgeFlag: true}}); err != nil {
			return outcomeOf(err)
		}
		return gmm.Outcome{Status: 204}
	}()
	n.sbiTrace(OpUECMDeregistration, "udm", a.SUPI, &r.Outcome)
	return r
}

func (n *NF) uecmClient(ctx context.Context) (*UEContextManagement.APIClient, error) {
	root, err := n.root(ctx, n.cfg.UDM, models.NrfNfManagementNfType_UDM, models.ServiceName_NUDM_UECM)
	if err != nil {
		return nil, err
	}
	return cached(&n.peers.uecm, root, func() (*UEContextManagement.APIClient, error) { return sbi.NewUDMUECMClient(n.peer(root)) })
}

// sdmGet: GET {udm}/nudm-sdm/v2/{supi}/am-data (TS 29.503 §5.2.2.2.2).
func (n *NF) sdmGet(_ *ueEntry, a gmm.SDMGetAMData) gmm.SDMResult {
	r := gmm.SDMResult{Seq: a.Seq}
	ctx, cancel := n.sbiCtx()
	defer cancel()
	n.sbiTrace(OpSDMGet, "udm", a.SUPI, nil)
	r.Outcome = func() gmm.Outcome {
		root, err := n.root(ctx, n.cfg.UDM, models.NrfNfManagementNfType_UDM, models.ServiceName_NUDM_SDM)
		if err != nil {
			return gmm.Outcome{Detail: err.Error()}
		}
		p, err := n.callPeer(root)
		if err != nil {
			return gmm.Outcome{Detail: err.Error()}
		}
		plmn, _, _, _ := n.m.GUAMI()
		call, err := sbi.UDMGetAmData(a.SUPI, &models.PlmnIdNid{Mcc: plmn.MCC(), Mnc: plmn.MNC()})
		if err != nil {
			return outcomeOf(err)
		}
		var am models.AccessAndMobilitySubscriptionData
		if _, err := call.Do(ctx, p, &am); err != nil {
			return outcomeOf(err)
		}
		if ns := am.Nssai; ns != nil {
			for _, s := range append(append([]models.Snssai(nil), ns.DefaultSingleNssais...), ns.SingleNssais...) {
				if x, ok := snssaiFromModel(s); ok {
					r.NSSAI = append(r.NSSAI, x)
				}
			}
		}
		return gmm.Outcome{Status: 200}
	}()
	n.forget(r.Outcome, n.cfg.UDM, models.NrfNfManagementNfType_UDM)
	n.sbiTrace(OpSDMGet, "udm", a.SUPI, &r.Outcome)
	return r
}

func snssaiFromModel(s models.Snssai) (nasx.SNSSAI, bool) {
	if s.Sst < 0 || s.Sst > 255 {
		return nasx.SNSSAI{}, false
	}
	x := nasx.SNSSAI{SST: uint8(s.Sst)}
	if s.Sd != "" {
		sd, err := strconv.ParseUint(s.Sd, 16, 24)
		if err != nil {
			return nasx.SNSSAI{}, false
		}
		x.SD, x.HasSD = uint32(sd), true
	}
	return x, true
}

func snssaiToModel(s nasx.SNSSAI) models.Snssai {
	m := models.Snssai{Sst: int32(s.SST)}
	if s.HasSD {
		m.Sd = fmt.Sprintf("%06x", s.SD)
	}
	return m
}

// register puts the AMF's profile at the NRF (TS 29.510 §5.2.2.2).
func (n *NF) register(ctx context.Context) error {
	p, err := sbi.Profile(models.NrfNfManagementNfType_AMF, n.cfg.InstanceID, n.apiRoot, models.ServiceName_NAMF_COMM)
	if err != nil {
		return fmt.Errorf("amf: NF profile: %w", err)
	}
	plmn, region, set, _ := n.m.GUAMI()
	info := &models.NrfNfManagementAmfInfo{AmfSetId: fmt.Sprintf("%03x", set), AmfRegionId: fmt.Sprintf("%02x", region),
		GuamiList: []models.Guami{*n.guami()}}
	for _, t := range n.cfg.TACs {
		info.TaiList = append(info.TaiList, models.Tai{PlmnId: &models.PlmnId{Mcc: plmn.MCC(), Mnc: plmn.MNC()}, Tac: fmt.Sprintf("%06x", t)})
	}
	p.AmfInfo = info
	for _, s := range n.cfg.Slices {
		p.SNssais = append(p.SNssais, models.ExtSnssai{Sst: int32(s.SST), Sd: snssaiToModel(s).Sd})
	}
	err = n.nrf.Register(ctx, p)
	o := gmm.Outcome{Status: 201}
	if err != nil {
		o = gmm.Outcome{Detail: err.Error()}
	}
	n.sbiTrace(OpNFRegister, "nrf", "", &o)
	if err != nil {
		return fmt.Errorf("amf: NRF registration: %w", err)
	}
	return nil
}
