package udr

// Data-change subscriptions and notifications (TS 29.504 §5.2.2.6
// Subscribe/Unsubscribe and §5.2.2.7 Notify; resources of TS 29.505
// "subs-to-notify"): a consumer (the UDM) subscribes with a
// callbackReference and monitoredResourceUris, optionally for one ueId; when
// a whole subscription is deleted (RemoveSubscription, PurgeExpired) the UDR
// POSTs a DataChangeNotify to every matching callback, carrying a REMOVE of
// subscription-data/{ueId} and, when one existed, a REMOVE of
// context-data/amf-3gpp-access with the deleted registration as origValue,
// so that the UDM can reach the serving AMF.
//
//	POST   /nudr-dr/v2/subscription-data/subs-to-notify            201 SubscriptionDataSubscriptions + Location
//	GET    /nudr-dr/v2/subscription-data/subs-to-notify?ue-id=X    200 [SubscriptionDataSubscriptions]
//	GET    /nudr-dr/v2/subscription-data/subs-to-notify/{subsId}   200 SubscriptionDataSubscriptions
//	DELETE /nudr-dr/v2/subscription-data/subs-to-notify/{subsId}   204
//
// Subscriptions are kept in the store, so they survive a UDR restart.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/free5gc/openapi"
	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/udr/DataRepository"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/store"
	"github.com/credbed/credbed/internal/trace"
)

// Operation names of the data-change resources.
const (
	OpSubscribeDataChange   = "SubscriptionDataSubscriptions"
	OpQuerySubsToNotify     = "QuerySubsToNotify"
	OpQueryDataChangeSub    = "QuerySubscriptionDataSubscriptions"
	OpUnsubscribeDataChange = "RemovesubscriptionDataSubscriptions"
	OpDataChangeNotify      = "DataChangeNotify"
)

// CauseSubscriptionNotFound answers an unknown subsId (TS 29.500 Table 5.2.7.2-1).
const CauseSubscriptionNotFound = "SUBSCRIPTION_NOT_FOUND"

// NotifyTimeout bounds each data-change notification.
const NotifyTimeout = 5 * time.Second

const (
	bucketSubs    = "udr/subs-to-notify"
	bucketSubsSeq = "udr/subs-to-notify-seq"
	pathSubs      = PathRoot + "/subscription-data/subs-to-notify"
	pathSubsData  = PathRoot + "/subscription-data"
)

// notifyRoutes puts the subs-to-notify resources in front of next. They
// sit on their own mux because their literal path segment would conflict
// with the per-UE patterns of next.
func (u *NF) notifyRoutes(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+pathSubs, u.serve(OpSubscribeDataChange, u.httpSubscribe))
	mux.Handle("GET "+pathSubs, u.serve(OpQuerySubsToNotify, u.httpQuerySubs))
	mux.Handle("GET "+pathSubs+"/{subsId}", u.serve(OpQueryDataChangeSub, u.httpGetSub))
	mux.Handle("DELETE "+pathSubs+"/{subsId}", u.serve(OpUnsubscribeDataChange, u.httpDeleteSub))
	notAllowed := u.serve(opUnknown, func(r *http.Request) reply {
		return fail(problem(http.StatusMethodNotAllowed, CauseMethodNotAllowed, "%s not allowed here", r.Method))
	})
	mux.Handle(pathSubs, notAllowed)
	mux.Handle(pathSubs+"/{subsId}", notAllowed)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p == pathSubs || strings.HasPrefix(p, pathSubs+"/") {
			mux.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (u *NF) httpSubscribe(r *http.Request) reply {
	var s models.SubscriptionDataSubscriptions
	if pd := sbi.DecodeJSON(r, &s); pd != nil {
		return fail(pd)
	}
	out, pd := u.SubscribeDataChange(r.Context(), s)
	if pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusCreated, body: out, location: u.apiRoot(r) + pathSubs + "/" + out.SubscriptionId}
}

func (u *NF) httpQuerySubs(r *http.Request) reply {
	ue := r.URL.Query().Get("ue-id")
	if ue == "" {
		return fail(problem(http.StatusBadRequest, "MANDATORY_QUERY_PARAM_MISSING", "ue-id is required"))
	}
	subs, pd := u.DataChangeSubscriptions(r.Context(), ue)
	if pd != nil {
		return fail(pd)
	}
	return ok(subs)
}

func (u *NF) httpGetSub(r *http.Request) reply {
	s, pd := u.DataChangeSubscription(r.Context(), r.PathValue("subsId"))
	if pd != nil {
		return fail(pd)
	}
	return ok(s)
}

func (u *NF) httpDeleteSub(r *http.Request) reply {
	if pd := u.UnsubscribeDataChange(r.Context(), r.PathValue("subsId")); pd != nil {
		return fail(pd)
	}
	return noContent()
}

// monitoredPath returns the path of a monitored resource URI if it names
// UDR subscription data.
func monitoredPath(uri string) (string, bool) {
	pu, err := url.Parse(uri)
	if err != nil || pu.Scheme == "" || pu.Host == "" {
		return "", false
	}
	p := strings.TrimRight(pu.Path, "/")
	return p, p == pathSubsData || strings.HasPrefix(p, pathSubsData+"/")
}

// SubscribeDataChange stores a data-change subscription (TS 29.504
// §5.2.2.6.2) and returns it with its subscriptionId.
func (u *NF) SubscribeDataChange(ctx context.Context, s models.SubscriptionDataSubscriptions) (*models.SubscriptionDataSubscriptions, *models.ProblemDetails) {
	if pu, err := url.Parse(s.CallbackReference); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "callbackReference is not an absolute http(s) URI")
	}
	if len(s.MonitoredResourceUris) == 0 {
		return nil, problem(http.StatusBadRequest, CauseMandatoryIEMissing, "monitoredResourceUris is required")
	}
	for i, m := range s.MonitoredResourceUris {
		if _, ok := monitoredPath(m); !ok {
			return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "monitoredResourceUris[%d] is not a subscription-data URI of this UDR", i)
		}
	}
	if s.UeId != "" && !validUeID(s.UeId) {
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "ueId is not valid")
	}
	err := u.st.Update(func(tx store.Tx) error {
		seq := uint64(0)
		if b, err := tx.Get(bucketSubsSeq, "seq"); err == nil {
			seq, _ = strconv.ParseUint(string(b), 10, 64)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		seq++
		if err := tx.Put(bucketSubsSeq, "seq", []byte(strconv.FormatUint(seq, 10))); err != nil {
			return err
		}
		s.SubscriptionId = strconv.FormatUint(seq, 10)
		return putJSON(tx, bucketSubs, s.SubscriptionId, &s)
	})
	if err != nil {
		return nil, u.storeProblem(OpSubscribeDataChange, err)
	}
	u.emit(trace.Event{Kind: trace.KindState, Name: "subscribed", SUPI: s.UeId, Detail: "data-change subscription " + s.SubscriptionId})
	return &s, nil
}

// DataChangeSubscriptions lists the subscriptions of ueID (including
// those for every UE).
func (u *NF) DataChangeSubscriptions(ctx context.Context, ueID string) ([]models.SubscriptionDataSubscriptions, *models.ProblemDetails) {
	out := []models.SubscriptionDataSubscriptions{}
	subs, err := u.allSubs()
	if err != nil {
		return nil, u.storeProblem(OpQuerySubsToNotify, err)
	}
	for _, s := range subs {
		if s.UeId == "" || s.UeId == ueID {
			out = append(out, s)
		}
	}
	return out, nil
}

// DataChangeSubscription returns one subscription.
func (u *NF) DataChangeSubscription(ctx context.Context, id string) (*models.SubscriptionDataSubscriptions, *models.ProblemDetails) {
	var s models.SubscriptionDataSubscriptions
	var found bool
	err := u.st.View(func(tx store.Tx) error {
		var err error
		found, err = getJSON(tx, bucketSubs, id, &s)
		return err
	})
	if err != nil {
		return nil, u.storeProblem(OpQueryDataChangeSub, err)
	}
	if !found {
		return nil, problem(http.StatusNotFound, CauseSubscriptionNotFound, "no subscription %s", id)
	}
	return &s, nil
}

// UnsubscribeDataChange removes a subscription (TS 29.504 §5.2.2.6.3).
func (u *NF) UnsubscribeDataChange(ctx context.Context, id string) *models.ProblemDetails {
	found := false
	err := u.st.Update(func(tx store.Tx) error {
		_, err := tx.Get(bucketSubs, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil
		case err != nil:
			return err
		}
		found = true
		return tx.Delete(bucketSubs, id)
	})
	if err != nil {
		return u.storeProblem(OpUnsubscribeDataChange, err)
	}
	if !found {
		return problem(http.StatusNotFound, CauseSubscriptionNotFound, "no subscription %s", id)
	}
	return nil
}

func (u *NF) allSubs() ([]models.SubscriptionDataSubscriptions, error) {
	var out []models.SubscriptionDataSubscriptions
	err := u.st.View(func(tx store.Tx) error {
		return tx.ForEach(bucketSubs, func(_ string, v []byte) error {
			var s models.SubscriptionDataSubscriptions
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("%w: %s", errCorruptRecord, bucketSubs)
			}
			out = append(out, s)
			return nil
		})
	})
	return out, err
}

// overlaps reports whether the monitored path covers or lies under res.
func overlaps(monitored, res string) bool {
	return monitored == res || strings.HasPrefix(res, monitored+"/") || strings.HasPrefix(monitored, res+"/")
}

// notifyRemoved tells every matching subscriber that ueID's subscription
// was deleted (TS 29.504 §5.2.2.7). amfReg is the deleted
// amf-3gpp-access document, if any. Notifications are sent one after the
// other before the deletion is answered, so the chain UDR -> UDM -> AMF
// has completed when the deleting request returns.
func (u *NF) notifyRemoved(ctx context.Context, ueID string, amfReg []byte) {
	if u.deps.HTTP == nil {
		return
	}
	subs, err := u.allSubs()
	if err != nil {
		u.deps.Logger.Error("udr: reading data-change subscriptions", "err", err)
		return
	}
	now := u.deps.Clock.Now()
	root := pathSubsData + "/" + ueID
	amfPath := root + "/context-data/amf-3gpp-access"
	var orig map[string]any
	if amfReg != nil {
		_ = json.Unmarshal(amfReg, &orig)
	}
	for _, s := range subs {
		if s.UeId != "" && s.UeId != ueID {
			continue
		}
		if s.Expiry != nil && !now.Before(*s.Expiry) {
			continue
		}
		base := ""
		for _, m := range s.MonitoredResourceUris {
			p, ok := monitoredPath(m)
			if ok && overlaps(p, root) {
				pu, _ := url.Parse(m)
				base = pu.Scheme + "://" + pu.Host
				break
			}
		}
		if base == "" {
			continue
		}
		n := models.DataChangeNotify{
			UeId: ueID,
			NotifyItems: []models.NotifyItem{{
				ResourceId: base + root,
				Changes:    []models.ChangeItem{{Op: models.ChangeType_REMOVE, Path: ""}},
			}},
		}
		if orig != nil {
			n.NotifyItems = append(n.NotifyItems, models.NotifyItem{
				ResourceId: base + amfPath,
				Changes:    []models.ChangeItem{{Op: models.ChangeType_REMOVE, Path: "", OrigValue: orig}},
			})
		}
		if s.OriginalCallbackReference != "" {
			n.OriginalCallbackReference = []string{s.OriginalCallbackReference}
		}
		u.sendNotify(ctx, s.CallbackReference, ueID, n)
	}
}

func (u *NF) sendNotify(ctx context.Context, uri, ueID string, n models.DataChangeNotify) {
	cfg := DataRepository.NewConfiguration()
	cfg.SetHTTPClient(u.deps.HTTP)
	cfg.SetUserAgent("UDR")
	c := DataRepository.NewAPIClient(cfg)
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), NotifyTimeout)
	defer cancel()
	u.emit(trace.Event{Kind: trace.KindRequest, Name: OpDataChangeNotify, SUPI: ueID, Peer: "udm"})
	_, err := c.SubsToNotifyCollectionApi.SubscriptionDataSubscriptionsOnDataChangePost(octx, uri,
		&DataRepository.SubscriptionDataSubscriptionsOnDataChangePostRequest{DataChangeNotify: &n})
	status := http.StatusNoContent
	if err != nil {
		status = 0
		var oe openapi.GenericOpenAPIError
		if errors.As(err, &oe) {
			status = oe.ErrorStatus
		}
		u.deps.Logger.Warn("udr: data-change notification failed", "ueId", ueID, "status", status, "err", err)
	}
	u.emit(trace.Event{Kind: trace.KindResponse, Name: OpDataChangeNotify, SUPI: ueID, Peer: "udm", Status: status})
}
