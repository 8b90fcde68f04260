package ausf

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/ausf/eapaka"
)

// Trace operation names (TS 29.509 service operations).
const (
	OpAuthenticate = "Nausf_UEAU_Authenticate"
	OpConfirm5gAka = "Nausf_UEAU_5gAkaConfirmation"
	OpEapSession   = "Nausf_UEAU_EapSession"
	OpUDMGet       = "Nudm_UEAU_Get"
	OpUDMAuthEvent = "Nudm_UEAU_ResultConfirmation"
	OpAKMARegister = "Naanf_AKMA_AnchorKey_Register"
)

// Trace key names.
const (
	KeyKSEAF = "KSEAF"
	KeyKAKMA = "K_AKMA"
)

// Resource paths (TS 29.509 §6.1.1).
const (
	PathRoot              = "/nausf-auth/v1"
	PathUEAuthentications = PathRoot + "/ue-authentications"
)

// Link relation names of UEAuthenticationCtx._links (TS 29.509 §6.1.6.2.3).
const (
	Link5gAka      = "5g-aka"
	LinkEapSession = "eap-session"
)

// CauseAuthFailure is the authResult/cause of a failed authentication.
const CauseAuthFailure = "AUTHENTICATION_FAILURE"

// identity is what the AUSF learns from supiOrSuci before the UDM answers.
type identity struct {
	suci *ident.SUCI
	supi *ident.SUPI
}

func parseSupiOrSuci(s string) (identity, bool) {
	if strings.HasPrefix(s, "imsi-") || strings.HasPrefix(s, "nai-") {
		v, err := ident.ParseSUPI(s)
		if err != nil {
			return identity{}, false
		}
		return identity{supi: &v}, true
	}
	v, err := ident.ParseSUCI(s)
	if err != nil {
		return identity{}, false
	}
	return identity{suci: &v}, true
}

// akmaRealm returns the home network realm of the A-KID
// ("5gc.mnc<MNC 3 digits>.mcc<MCC>.3gppnetwork.org", TS 23.003 §28.2; a
// NAI's own realm) from the SUCI's home network identifier, or from the
// SUPI split with Config.MNCLength.
func (a *NF) akmaRealm(id identity, supi string) string {
	var plmn ident.PLMN
	switch {
	case id.suci != nil && id.suci.SUPIType == ident.SUPITypeNAI:
		return id.suci.Realm
	case id.suci != nil:
		plmn = id.suci.PLMN
	default:
		s, err := ident.ParseSUPI(supi)
		if err != nil {
			return ""
		}
		if s.Type == ident.SUPITypeNAI {
			_, realm, _ := s.SplitNAI()
			return realm
		}
		if plmn, _, err = s.SplitIMSI(a.cfg.MNCLength); err != nil {
			return ""
		}
	}
	return HomeNetworkRealm(plmn)
}

// HomeNetworkRealm is the realm of an A-KID for a PLMN:
// "5gc.mnc<MNC, 3 digits>.mcc<MCC>.3gppnetwork.org".
func HomeNetworkRealm(p ident.PLMN) string {
	mnc := p.MNC
	if len(mnc) == 2 {
		mnc = "0" + mnc
	}
	return "5gc.mnc" + mnc + ".mcc" + p.MCC + ".3gppnetwork.org"
}

func validRID(s string) bool {
	if s == "" || len(s) > 4 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (a *NF) newID() string {
	var b [16]byte
	_, _ = a.rnd.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Authenticate is Nausf_UEAuthentication_Authenticate (TS 29.509 §5.2.2.2,
// TS 33.501 §6.1.3.2 steps 1-5 and §6.1.3.1 steps 1-5): the SEAF's serving
// network name is checked, the UDM gives an AV (a re-synchronisation
// request is passed on), and the AUSF answers with the SE AV (RAND, AUTN,
// HXRES*) or the EAP-Request/AKA'-Challenge, keeping the rest in a new
// authentication context. It returns the context and its id.
func (a *NF) Authenticate(ctx context.Context, info models.AuthenticationInfo) (*models.UeAuthenticationCtx, string, *models.ProblemDetails) {
	if info.SupiOrSuci == "" {
		return nil, "", problem(http.StatusBadRequest, CauseMandatoryIEMissing, "supiOrSuci is required")
	}
	id, ok := parseSupiOrSuci(info.SupiOrSuci)
	if !ok {
		return nil, "", problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "supiOrSuci is neither a SUPI nor a SUCI")
	}
	if info.ServingNetworkName == "" {
		return nil, "", problem(http.StatusBadRequest, CauseMandatoryIEMissing, "servingNetworkName is required")
	}
	if _, err := ident.ParseServingNetworkName(info.ServingNetworkName); err != nil || !a.cfg.snns[info.ServingNetworkName] {
		// TS 33.501 §6.1.2: the AUSF checks that the requesting SEAF is entitled to the serving network name.
		return nil, "", problem(http.StatusForbidden, sbi.CauseSNNotAuthorized, "serving network %q is not authorised", info.ServingNetworkName)
	}
	res, pd := a.fetchAV(ctx, info.SupiOrSuci, info.ServingNetworkName, info.ResynchronizationInfo)
	if pd != nil {
		return nil, "", pd
	}
	av := res.AuthenticationVector
	c := &authCtx{id: a.newID(), supi: res.Supi, snn: info.ServingNetworkName, akma: res.AkmaInd}
	c.realm = a.akmaRealm(id, res.Supi)
	c.rid = res.RoutingId
	if !validRID(c.rid) && id.suci != nil {
		c.rid = id.suci.RoutingIndicator
	}
	if !validRID(c.rid) {
		c.rid = "0"
	}
	out := &models.UeAuthenticationCtx{ServingNetworkName: info.ServingNetworkName}
	switch {
	case res.AuthType == models.UdmUeauAuthType__5_G_AKA && av.AvType == models.AvType__5_G_HE_AKA:
		if pd := c.load5G(av); pd != nil {
			return nil, "", pd
		}
		hx := aka.HRESStar(c.rand, c.xresStar)
		c.authType = models.AusfUeAuthenticationAuthType__5_G_AKA
		out.AuthType = c.authType
		out.Var5gAuthData = models.Av5gAka{Rand: av.Rand, Autn: av.Autn, HxresStar: hex.EncodeToString(hx[:])}
		out.Links = map[string][]models.Link{Link5gAka: {{Href: a.selfRoot() + PathUEAuthentications + "/" + c.id + "/5g-aka-confirmation"}}}
	case res.AuthType == models.UdmUeauAuthType_EAP_AKA_PRIME && av.AvType == models.AvType_EAP_AKA_PRIME:
		payload, pd := a.loadEAP(c, av)
		if pd != nil {
			return nil, "", pd
		}
		c.authType = models.AusfUeAuthenticationAuthType_EAP_AKA_PRIME
		out.AuthType = c.authType
		out.Var5gAuthData = base64.StdEncoding.EncodeToString(payload)
		out.Links = map[string][]models.Link{LinkEapSession: {{Href: a.selfRoot() + PathUEAuthentications + "/" + c.id + "/eap-session"}}}
	default:
		return nil, "", problem(http.StatusInternalServerError, CauseUpstreamServerError, "UDM returned authType %q with AV type %q", res.AuthType, av.AvType)
	}
	a.ctxs.put(c, a.deps.Clock.Now())
	a.emit(trace.Event{Kind: trace.KindState, Name: "auth-ctx-created", SUPI: c.supi, Detail: string(c.authType)})
	return out, c.id, nil
}

// fetchAV calls the UDM's generate-auth-data.
func (a *NF) fetchAV(ctx context.Context, supiOrSuci, snn string, resync *models.ResynchronizationInfo) (*models.UdmUeauAuthenticationInfoResult, *models.ProblemDetails) {
	peer, pd := a.udmClient(ctx)
	if pd != nil {
		return nil, pd
	}
	octx, cancel := a.outbound(ctx)
	defer cancel()
	req := models.UdmUeauAuthenticationInfoRequest{ServingNetworkName: snn, AusfInstanceId: a.cfg.InstanceID, ResynchronizationInfo: resync}
	a.emit(trace.Event{Kind: trace.KindRequest, Name: OpUDMGet, Peer: "udm"})
	res := new(models.UdmUeauAuthenticationInfoResult)
	if _, err := sbi.UDMGenerateAuthData(supiOrSuci, &req).Do(octx, peer.Peer, res); err != nil {
		// TS 29.509 lists 400, 403, 404, 500 and 501 for Authenticate
		pd := a.upstream(err, models.NrfNfManagementNfType_UDM, 400, 403, 404, 500, 501)
		a.emit(trace.Event{Kind: trace.KindResponse, Name: OpUDMGet, Peer: "udm", Status: int(pd.Status), Cause: pd.Cause})
		return nil, pd
	}
	a.emit(trace.Event{Kind: trace.KindResponse, Name: OpUDMGet, Peer: "udm", SUPI: res.Supi, Status: http.StatusOK})
	if res.AuthenticationVector == nil || res.Supi == "" {
		return nil, problem(http.StatusInternalServerError, CauseUpstreamServerError, "UDM answer lacks the vector or the SUPI")
	}
	if _, err := ident.ParseSUPI(res.Supi); err != nil {
		return nil, problem(http.StatusInternalServerError, CauseUpstreamServerError, "UDM answer has an invalid SUPI")
	}
	return res, nil
}

func hexInto(dst []byte, s string) bool {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(dst) {
		return false
	}
	copy(dst, b)
	clear(b)
	return true
}

// load5G takes RAND, XRES* and KAUSF from a 5G HE AV.
func (c *authCtx) load5G(av *models.AuthenticationVector) *models.ProblemDetails {
	var autn [aka.AUTNLen]byte
	if !hexInto(c.rand[:], av.Rand) || !hexInto(autn[:], av.Autn) || !hexInto(c.xresStar[:], av.XresStar) || !hexInto(c.kausf[:], av.Kausf) {
		c.wipe()
		return problem(http.StatusInternalServerError, CauseUpstreamServerError, "UDM returned a malformed 5G HE AV")
	}
	return nil
}

func (a *NF) selfRoot() string { return a.APIRoot() }

// Confirm5gAka is Nausf_UEAuthentication_Authenticate's confirmation (TS
// 29.509 §5.2.2.2.2, TS 33.501 §6.1.3.2 steps 9-12): RES* is compared with
// XRES* and the context is consumed. On a match the UDM is told
// (auth-events, success) and only then KSEAF is derived and returned with
// the SUPI (and the AKMA keys registered); on a mismatch the UDM is told
// of the failure and the answer is AUTHENTICATION_FAILURE without KSEAF.
func (a *NF) Confirm5gAka(ctx context.Context, authCtxID string, cd models.ConfirmationData) (*models.ConfirmationDataResponse, *models.ProblemDetails) {
	var resStar [16]byte
	if !hexInto(resStar[:], cd.ResStar) {
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "resStar must be 32 hex digits")
	}
	c := a.ctxs.take(authCtxID, a.deps.Clock.Now())
	if c == nil {
		return nil, problem(http.StatusNotFound, sbi.CauseContextNotFound, "no authentication context %s", authCtxID)
	}
	if c.authType != models.AusfUeAuthenticationAuthType__5_G_AKA {
		a.ctxs.restore(c)
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "context %s is not a 5G AKA context", authCtxID)
	}
	defer c.wipe()
	if subtle.ConstantTimeCompare(resStar[:], c.xresStar[:]) != 1 {
		a.emit(trace.Event{Kind: trace.KindReject, Name: OpConfirm5gAka, SUPI: c.supi, Cause: CauseAuthFailure, Detail: "RES* does not match XRES*"})
		a.authEvent(ctx, c, false)
		return &models.ConfirmationDataResponse{AuthResult: models.AusfUeAuthenticationAuthResult_FAILURE}, nil
	}
	kseaf, refused, pd := a.succeed(ctx, c)
	if pd != nil {
		return nil, pd
	}
	if refused {
		return &models.ConfirmationDataResponse{AuthResult: models.AusfUeAuthenticationAuthResult_FAILURE}, nil
	}
	defer clear(kseaf[:])
	return &models.ConfirmationDataResponse{
		AuthResult: models.AusfUeAuthenticationAuthResult_SUCCESS,
		Supi:       c.supi,
		Kseaf:      hex.EncodeToString(kseaf[:]),
	}, nil
}

// succeed finishes a verified authentication: result confirmation at the
// UDM, then KSEAF (TS 33.501 A.6) and the AKMA keys. When the UDM refuses
// the confirmation with a 4xx (e.g. the subscription was deleted meanwhile)
// the authentication fails (refused, no KSEAF); any other UDM failure is a
// 500 UPSTREAM_SERVER_ERROR, the status the openapi AMF client expects
// (TS 29.509 lists 400 and 500 for the confirmation).
func (a *NF) succeed(ctx context.Context, c *authCtx) (kseaf aka.Key256, refused bool, pd *models.ProblemDetails) {
	if pd := a.authEvent(ctx, c, true); pd != nil {
		a.emit(trace.Event{Kind: trace.KindReject, Name: OpUDMAuthEvent, SUPI: c.supi, Status: int(pd.Status), Cause: pd.Cause, Detail: "result confirmation refused: no KSEAF"})
		if pd.Status >= 400 && pd.Status < 500 {
			return kseaf, true, nil
		}
		return kseaf, false, problem(http.StatusInternalServerError, CauseUpstreamServerError, "the UDM did not confirm the authentication result")
	}
	kseaf, err := aka.KSEAF(c.kausf, c.snn)
	if err != nil {
		return kseaf, false, problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "KSEAF derivation failed")
	}
	a.emit(trace.Event{Kind: trace.KindKey, Name: KeyKSEAF, SUPI: c.supi})
	a.registerAKMA(ctx, c)
	return kseaf, false, nil
}

// authEvent reports the result to the UDM (Nudm_UEAU_ResultConfirmation,
// TS 29.503 §5.4.2.3).
func (a *NF) authEvent(ctx context.Context, c *authCtx, success bool) *models.ProblemDetails {
	peer, pd := a.udmClient(ctx)
	if pd != nil {
		return pd
	}
	octx, cancel := a.outbound(ctx)
	defer cancel()
	now := a.deps.Clock.Now()
	at := models.UdmUeauAuthType__5_G_AKA
	if c.authType == models.AusfUeAuthenticationAuthType_EAP_AKA_PRIME {
		at = models.UdmUeauAuthType_EAP_AKA_PRIME
	}
	ev := models.AuthEvent{NfInstanceId: a.cfg.InstanceID, Success: success, TimeStamp: &now, AuthType: at, ServingNetworkName: c.snn}
	supi := c.supi
	a.emit(trace.Event{Kind: trace.KindRequest, Name: OpUDMAuthEvent, Peer: "udm", SUPI: supi, Detail: fmt.Sprintf("success=%t", success)})
	if _, err := sbi.UDMConfirmAuth(supi, &ev).Do(octx, peer.Peer, new(models.AuthEvent)); err != nil {
		pd := a.upstream(err, models.NrfNfManagementNfType_UDM)
		a.emit(trace.Event{Kind: trace.KindResponse, Name: OpUDMAuthEvent, Peer: "udm", SUPI: supi, Status: int(pd.Status), Cause: pd.Cause})
		return pd
	}
	a.emit(trace.Event{Kind: trace.KindResponse, Name: OpUDMAuthEvent, Peer: "udm", SUPI: supi, Status: http.StatusCreated})
	return nil
}

// loadEAP takes CK', IK', XRES and RAND/AUTN from an EAP-AKA' AV, runs the
// key schedule and builds the EAP-Request/AKA'-Challenge.
func (a *NF) loadEAP(c *authCtx, av *models.AuthenticationVector) ([]byte, *models.ProblemDetails) {
	var autn [aka.AUTNLen]byte
	var ckp, ikp aka.Key128
	xres, err := hex.DecodeString(av.Xres)
	if err != nil || len(xres) < 4 || len(xres) > eapaka.MaxRESBytes ||
		!hexInto(c.rand[:], av.Rand) || !hexInto(autn[:], av.Autn) || !hexInto(ckp[:], av.CkPrime) || !hexInto(ikp[:], av.IkPrime) {
		c.wipe()
		return nil, problem(http.StatusInternalServerError, CauseUpstreamServerError, "UDM returned a malformed EAP-AKA' AV")
	}
	identity, err := eapaka.Identity(c.supi)
	if err != nil {
		return nil, problem(http.StatusInternalServerError, CauseUpstreamServerError, "UDM returned an unusable SUPI")
	}
	keys := eapaka.DeriveKeys(ckp, ikp, identity)
	clear(ckp[:])
	clear(ikp[:])
	c.kaut = keys.KAut
	c.kausf = keys.KAUSF()
	c.xres = xres
	var idb [1]byte
	_, _ = a.rnd.Read(idb[:])
	c.eapID = idb[0]
	payload, err := eapaka.BuildChallenge(c.eapID, c.rand, autn, c.snn, c.kaut[:])
	keys = eapaka.Keys{}
	if err != nil {
		c.wipe()
		return nil, problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "building the EAP-AKA' challenge failed")
	}
	return payload, nil
}
