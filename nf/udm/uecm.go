package udm

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/udm/UEContextManagement"
	"github.com/free5gc/openapi/udr/DataRepository"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

// PathDataChange is the prefix of the callback the UDR notifies data
// changes to; a per-UDM random token follows it.
const PathDataChange = "/nudm-callback/v1/udr-data-change"

// State names traced for the AMF registration.
const (
	StateAMFRegistered = "amf-registered"
	StateAMFPurged     = "amf-purged"
)

func parseUeID(ueID string) (string, *models.ProblemDetails) {
	s, err := ident.ParseSUPI(ueID)
	if err != nil {
		return "", problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "ueId is not a valid SUPI")
	}
	return s.String(), nil
}

func validCallback(uri string) bool {
	pu, err := url.Parse(uri)
	return err == nil && (pu.Scheme == "http" || pu.Scheme == "https") && pu.Host != ""
}

// RegisterAMF3GPP is Nudm_UECM_Registration for the AMF over 3GPP access
// (TS 29.503 §5.3.2.2.2): the registration, with its deregCallbackUri, is
// stored at the UDR (context-data/amf-3gpp-access). created reports a new
// registration (201) rather than a replacement (200). When the UE made an
// initial registration at another AMF, that AMF is sent a deregistration
// notification with reason UE_INITIAL_REGISTRATION (TS 23.502 §4.2.2.2.2
// step 14).
func (u *NF) RegisterAMF3GPP(ctx context.Context, ueID string, reg models.Amf3GppAccessRegistration) (out *models.Amf3GppAccessRegistration, created bool, pd *models.ProblemDetails) {
	supi, pd := parseUeID(ueID)
	if pd != nil {
		return nil, false, pd
	}
	switch {
	case reg.AmfInstanceId == "":
		return nil, false, problem(http.StatusBadRequest, CauseMandatoryIEMissing, "amfInstanceId is required")
	case reg.DeregCallbackUri == "":
		return nil, false, problem(http.StatusBadRequest, CauseMandatoryIEMissing, "deregCallbackUri is required")
	case !validCallback(reg.DeregCallbackUri):
		return nil, false, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "deregCallbackUri is not an absolute http(s) URI")
	case reg.Guami == nil || reg.Guami.PlmnId == nil || reg.Guami.AmfId == "":
		return nil, false, problem(http.StatusBadRequest, CauseMandatoryIEMissing, "guami is required")
	case reg.RatType == "":
		return nil, false, problem(http.StatusBadRequest, CauseMandatoryIEMissing, "ratType is required")
	}
	reg.PurgeFlag = false // TS 29.503: false in a registration
	peer, pd := u.udrClient(ctx)
	if pd != nil {
		return nil, false, pd
	}
	if pd := u.ensureSubscribed(ctx, peer); pd != nil {
		return nil, false, pd
	}
	octx, cancel := u.outbound(ctx)
	defer cancel()
	var old *models.Amf3GppAccessRegistration
	if reg.InitialRegistrationInd {
		var cur models.Amf3GppAccessRegistration
		if _, err := sbi.UDRQueryAmfContext3gpp(supi).Do(octx, peer.Peer, &cur); err == nil {
			old = &cur
		}
	}
	var stored models.Amf3GppAccessRegistration
	ans, err := sbi.UDRCreateAmfContext3gpp(supi, &reg).Do(octx, peer.Peer, &stored)
	if err != nil {
		return nil, false, u.upstream(err, models.NrfNfManagementNfType_UDR)
	}
	created = ans.Status == http.StatusCreated && ans.Location != ""
	u.emit(trace.Event{Kind: trace.KindState, Name: StateAMFRegistered, SUPI: supi, Detail: reg.AmfInstanceId})
	if old != nil && old.AmfInstanceId != reg.AmfInstanceId && !old.PurgeFlag && old.DeregCallbackUri != "" {
		u.notifyDeregistration(ctx, supi, old.DeregCallbackUri, models.UdmUecmDeregistrationReason_UE_INITIAL_REGISTRATION)
	}
	return &reg, created, nil
}

// GetAMF3GPP is Nudm_UECM_Get of the AMF registration for 3GPP access (TS
// 29.503 §5.3.2.5.2); a UE without one gets 404 CONTEXT_NOT_FOUND.
func (u *NF) GetAMF3GPP(ctx context.Context, ueID string) (*models.Amf3GppAccessRegistration, *models.ProblemDetails) {
	supi, pd := parseUeID(ueID)
	if pd != nil {
		return nil, pd
	}
	peer, pd := u.udrClient(ctx)
	if pd != nil {
		return nil, pd
	}
	octx, cancel := u.outbound(ctx)
	defer cancel()
	rsp, err := peer.API.AMF3GPPAccessRegistrationDocumentApi.QueryAmfContext3gpp(octx, &DataRepository.QueryAmfContext3gppRequest{UeId: &supi})
	if err != nil {
		pd := u.upstream(err, models.NrfNfManagementNfType_UDR)
		if pd.Cause == sbi.CauseDataNotFound {
			pd = problem(http.StatusNotFound, sbi.CauseContextNotFound, "no AMF registration for %s", supi)
		}
		return nil, pd
	}
	return &rsp.Amf3GppAccessRegistration, nil
}

func sameGUAMI(a, b *models.Guami) bool {
	if a == nil || b == nil || a.PlmnId == nil || b.PlmnId == nil {
		return false
	}
	return a.PlmnId.Mcc == b.PlmnId.Mcc && a.PlmnId.Mnc == b.PlmnId.Mnc && strings.EqualFold(a.AmfId, b.AmfId)
}

// UpdateAMF3GPP is Nudm_UECM_Update of the AMF registration (TS 29.503
// §5.3.2.4.2). The AMF deregisters by setting purgeFlag; a purged
// registration is kept but never notified. The GUAMI must be the
// registered AMF's (403 INVALID_GUAMI otherwise).
func (u *NF) UpdateAMF3GPP(ctx context.Context, ueID string, mod models.Amf3GppAccessRegistrationModification) *models.ProblemDetails {
	supi, pd := parseUeID(ueID)
	if pd != nil {
		return pd
	}
	if mod.Guami == nil || mod.Guami.PlmnId == nil || mod.Guami.AmfId == "" {
		return problem(http.StatusBadRequest, CauseMandatoryIEMissing, "guami is required")
	}
	cur, pd := u.GetAMF3GPP(ctx, supi)
	if pd != nil {
		return pd
	}
	if !sameGUAMI(cur.Guami, mod.Guami) {
		return problem(http.StatusForbidden, CauseInvalidGUAMI, "guami differs from the registered AMF's")
	}
	items := []models.PatchItem{{Op: models.PatchOperation_ADD, Path: "/purgeFlag", Value: mod.PurgeFlag}}
	if mod.Pei != "" {
		items = append(items, models.PatchItem{Op: models.PatchOperation_ADD, Path: "/pei", Value: mod.Pei})
	}
	if mod.ImsVoPs != "" {
		items = append(items, models.PatchItem{Op: models.PatchOperation_ADD, Path: "/imsVoPs", Value: string(mod.ImsVoPs)})
	}
	if mod.UeSrvccCapability {
		items = append(items, models.PatchItem{Op: models.PatchOperation_ADD, Path: "/ueSrvccCapability", Value: true})
	}
	peer, pd := u.udrClient(ctx)
	if pd != nil {
		return pd
	}
	octx, cancel := u.outbound(ctx)
	defer cancel()
	if _, err := peer.API.AMF3GPPAccessRegistrationDocumentApi.AmfContext3gpp(octx, &DataRepository.AmfContext3gppRequest{UeId: &supi, PatchItem: items}); err != nil {
		return u.upstream(err, models.NrfNfManagementNfType_UDR)
	}
	if mod.PurgeFlag {
		u.emit(trace.Event{Kind: trace.KindState, Name: StateAMFPurged, SUPI: supi, Detail: cur.AmfInstanceId})
	}
	return nil
}

// ensureSubscribed makes sure the UDM holds a data-change subscription at
// the UDR it uses (TS 29.504 §5.2.2.6 Subscribe, TS 29.505 subs-to-notify):
// one subscription for every UE, monitoring the subscription data, so
// that a deleted subscription is reported with its AMF registration.
func (u *NF) ensureSubscribed(ctx context.Context, peer *udrPeer) *models.ProblemDetails {
	if u.subscribed.Load() && u.subRoot() == peer.Root {
		return nil
	}
	u.subMu.Lock()
	defer u.subMu.Unlock()
	if u.subscribed.Load() && u.subRoot() == peer.Root {
		return nil
	}
	l := u.srv.Load()
	if l == nil {
		return notStarted()
	}
	sub := models.SubscriptionDataSubscriptions{
		CallbackReference:     l.APIRoot + PathDataChange + "/" + u.cbToken,
		MonitoredResourceUris: []string{peer.Root + "/nudr-dr/v2/subscription-data"},
	}
	octx, cancel := u.outbound(ctx)
	defer cancel()
	u.emit(trace.Event{Kind: trace.KindRequest, Name: OpSubscribeDataChange, Peer: "udr"})
	rsp, err := peer.API.SubsToNotifyCollectionApi.SubscriptionDataSubscriptions(octx, &DataRepository.SubscriptionDataSubscriptionsRequest{SubscriptionDataSubscriptions: &sub})
	if err != nil {
		pd := u.upstream(err, models.NrfNfManagementNfType_UDR)
		u.emit(trace.Event{Kind: trace.KindResponse, Name: OpSubscribeDataChange, Peer: "udr", Status: int(pd.Status), Cause: pd.Cause})
		return problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "cannot subscribe to UDR data changes")
	}
	u.emit(trace.Event{Kind: trace.KindResponse, Name: OpSubscribeDataChange, Peer: "udr", Status: http.StatusCreated})
	u.subURI = rsp.Location
	u.subRootV.Store(&peer.Root)
	u.subscribed.Store(true)
	return nil
}

func (u *NF) subRoot() string {
	if p := u.subRootV.Load(); p != nil {
		return *p
	}
	return ""
}

// unsubscribe removes the data-change subscription (best effort, on Close).
func (u *NF) unsubscribe(ctx context.Context) {
	u.subMu.Lock()
	defer u.subMu.Unlock()
	if !u.subscribed.Load() || u.subURI == "" {
		return
	}
	u.subscribed.Store(false)
	id := path.Base(u.subURI)
	u.subURI = ""
	peer := u.udr.Cached()
	if peer == nil {
		return
	}
	if _, err := peer.API.SubsToNotifyDocumentApi.RemovesubscriptionDataSubscriptions(ctx, &DataRepository.RemovesubscriptionDataSubscriptionsRequest{SubsId: &id}); err != nil {
		u.deps.Logger.Warn("removing the UDR data-change subscription failed", "err", err)
	}
}

// HandleDataChange processes the UDR's DataChangeNotify (TS 29.505
// subs-to-notify callback). For a deleted subscription (a REMOVE of
// subscription-data/{ueId}) it first checks at the UDR that the
// subscription is really gone, then sends the serving AMF, unless purged,
// a deregistration notification with reason SUBSCRIPTION_WITHDRAWN (TS
// 29.503 §5.3.2.3.2). The AMF registration comes from the notification's
// REMOVE of context-data/amf-3gpp-access (origValue).
func (u *NF) HandleDataChange(ctx context.Context, token string, n models.DataChangeNotify) *models.ProblemDetails {
	if token != u.cbToken {
		return problem(http.StatusNotFound, CauseResourceNotFound, "no such callback")
	}
	type ueChange struct {
		withdrawn bool
		reg       *models.Amf3GppAccessRegistration
	}
	changes := map[string]*ueChange{}
	get := func(ue string) *ueChange {
		c := changes[ue]
		if c == nil {
			c = &ueChange{}
			changes[ue] = c
		}
		return c
	}
	for _, it := range n.NotifyItems {
		ue, rest, ok := splitResource(it.ResourceId)
		if !ok {
			continue
		}
		if n.UeId != "" && ue != n.UeId {
			continue
		}
		for _, ch := range it.Changes {
			if ch.Op != models.ChangeType_REMOVE || (ch.Path != "" && ch.Path != "/") {
				continue
			}
			switch rest {
			case "", "authentication-data/authentication-subscription":
				get(ue).withdrawn = true
			case "context-data/amf-3gpp-access":
				if ch.OrigValue != nil {
					var reg models.Amf3GppAccessRegistration
					if b, err := json.Marshal(ch.OrigValue); err == nil && json.Unmarshal(b, &reg) == nil {
						get(ue).reg = &reg
					}
				}
			}
		}
	}
	for ue, c := range changes {
		if !c.withdrawn {
			continue
		}
		if c.reg == nil || c.reg.PurgeFlag || c.reg.DeregCallbackUri == "" {
			u.emit(trace.Event{Kind: trace.KindNote, Name: "subscription-withdrawn", SUPI: ue, Detail: "no AMF registered"})
			continue
		}
		if !u.confirmGone(ctx, ue) {
			u.emit(trace.Event{Kind: trace.KindDrop, Name: OpDataChangeNotify, SUPI: ue, Detail: "subscription still present at the UDR: notification ignored"})
			continue
		}
		u.notifyDeregistration(ctx, ue, c.reg.DeregCallbackUri, models.UdmUecmDeregistrationReason_SUBSCRIPTION_WITHDRAWN)
	}
	return nil
}

// splitResource splits ".../subscription-data/{ueId}[/rest]" into ueId and rest.
func splitResource(res string) (ue, rest string, ok bool) {
	const marker = "/subscription-data/"
	i := strings.LastIndex(res, "/nudr-dr/v2"+marker)
	if i < 0 {
		return "", "", false
	}
	tail := res[i+len("/nudr-dr/v2"+marker):]
	ue, rest, _ = strings.Cut(tail, "/")
	if ue == "" || ue == "subs-to-notify" {
		return "", "", false
	}
	return ue, strings.TrimSuffix(rest, "/"), true
}

// confirmGone asks the UDR whether ueID's subscription is gone (404).
func (u *NF) confirmGone(ctx context.Context, ueID string) bool {
	peer, pd := u.udrClient(ctx)
	if pd != nil {
		return false
	}
	octx, cancel := u.outbound(ctx)
	defer cancel()
	_, err := peer.API.AuthenticationDataDocumentApi.QueryAuthSubsData(octx, &DataRepository.QueryAuthSubsDataRequest{UeId: &ueID})
	if err == nil {
		return false
	}
	pd = u.upstream(err, models.NrfNfManagementNfType_UDR)
	return pd.Status == http.StatusNotFound
}

// notifyDeregistration POSTs DeregistrationData to the AMF's
// deregCallbackUri (Nudm_UECM_DeregistrationNotification, TS 29.503
// §5.3.2.3.2; the AMF answers 204).
func (u *NF) notifyDeregistration(ctx context.Context, supi, uri string, reason models.UdmUecmDeregistrationReason) {
	l := u.srv.Load()
	if l == nil {
		return
	}
	c, err := sbi.NewUDMUECMClient(sbi.Peer{APIRoot: l.APIRoot, HTTP: l.Client, UserAgent: "UDM-" + u.cfg.InstanceID})
	if err != nil {
		return
	}
	octx, cancel := u.outbound(ctx)
	defer cancel()
	u.emit(trace.Event{Kind: trace.KindRequest, Name: OpUECMDeregNotification, Peer: "amf", SUPI: supi, Detail: string(reason)})
	_, err = c.AMFRegistrationFor3GPPAccessApi.Call3GppRegistrationDeregistrationNotificationPost(octx, uri,
		&UEContextManagement.Call3GppRegistrationDeregistrationNotificationPostRequest{
			UdmUecmDeregistrationData: &models.UdmUecmDeregistrationData{DeregReason: reason, AccessType: models.AccessType__3_GPP_ACCESS},
		})
	if err != nil {
		pd := u.upstream(err, "")
		u.deps.Logger.Warn("deregistration notification failed", "supi", supi, "status", pd.Status)
		u.emit(trace.Event{Kind: trace.KindResponse, Name: OpUECMDeregNotification, Peer: "amf", SUPI: supi, Status: int(pd.Status), Cause: pd.Cause})
		return
	}
	u.emit(trace.Event{Kind: trace.KindResponse, Name: OpUECMDeregNotification, Peer: "amf", SUPI: supi, Status: http.StatusNoContent})
}
