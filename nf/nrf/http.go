package nrf

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

// API roots of the two services (TS 29.510 §6.1.1, §6.2.1).
const (
	PathNFM  = "/nnrf-nfm/v1"
	PathDisc = "/nnrf-disc/v1"
)

// Operation names used in trace events.
const (
	OpRegister          = "NFRegister"
	OpUpdate            = "NFUpdate"
	OpDeregister        = "NFDeregister"
	OpProfileRetrieval  = "NFProfileRetrieval"
	OpDiscover          = "NFDiscover"
	headerCacheControl  = "Cache-Control"
	maxServiceNames     = 64
	maxQueryValueLength = 1024
)

func (n *NF) routes() http.Handler {
	inst := PathNFM + "/nf-instances/{nfInstanceId}"
	return sbi.NewMux([]sbi.Route{
		{Method: "PUT", Path: inst, Op: OpRegister, Handle: n.httpRegister},
		{Method: "PATCH", Path: inst, Op: OpUpdate, Handle: n.httpUpdate},
		{Method: "DELETE", Path: inst, Op: OpDeregister, Handle: n.httpDeregister},
		{Method: "GET", Path: inst, Op: OpProfileRetrieval, Handle: n.httpGet},
		{Method: "GET", Path: PathDisc + "/nf-instances", Op: OpDiscover, Handle: n.httpDiscover},
	}, n.serve)
}

// serve wraps a route: it traces the request with the calling NF type,
// runs the route, writes the reply and traces the response.
func (n *NF) serve(op string, route func(*http.Request) sbi.Reply) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer := peerOf(r)
		n.emit(trace.Event{Kind: trace.KindRequest, Name: op, Peer: peer, Detail: r.Method + " " + r.URL.Path})
		status, cause := route(r).Write(w)
		n.emit(trace.Event{Kind: trace.KindResponse, Name: op, Peer: peer, Status: status, Cause: cause})
	})
}

// peerOf names the calling NF type from a TS 29.500 §5.2.2.2 User-Agent
// ("AUSF", "UDM-<id>") or the requester-nf-type query parameter.
func peerOf(r *http.Request) string {
	if t := r.URL.Query().Get("requester-nf-type"); t != "" && nfTypeRE.MatchString(t) {
		return strings.ToLower(t)
	}
	ua, _, _ := strings.Cut(r.Header.Get("User-Agent"), "-")
	if nfTypeRE.MatchString(ua) {
		return strings.ToLower(ua)
	}
	return ""
}

func (n *NF) apiRoot(r *http.Request) string {
	if n.cfg.APIRoot != "" {
		return n.cfg.APIRoot
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (n *NF) httpRegister(r *http.Request) sbi.Reply {
	var p models.NrfNfManagementNfProfile
	if pd := sbi.DecodeJSON(r, &p); pd != nil {
		return sbi.Fail(pd)
	}
	id := r.PathValue("nfInstanceId")
	stored, created, pd := n.Register(r.Context(), id, p)
	if pd != nil {
		return sbi.Fail(pd)
	}
	if created {
		return sbi.Reply{Status: http.StatusCreated, Body: stored, Location: n.apiRoot(r) + PathNFM + "/nf-instances/" + id}
	}
	return sbi.Reply{Status: http.StatusOK, Body: stored}
}

func (n *NF) httpUpdate(r *http.Request) sbi.Reply {
	var items []models.PatchItem
	if pd := sbi.DecodeJSON(r, &items, sbi.ContentJSONPatch); pd != nil {
		return sbi.Fail(pd)
	}
	p, pd := n.Update(r.Context(), r.PathValue("nfInstanceId"), items)
	if pd != nil {
		return sbi.Fail(pd)
	}
	if p == nil {
		return sbi.Reply{Status: http.StatusNoContent}
	}
	return sbi.Reply{Status: http.StatusOK, Body: p}
}

func (n *NF) httpDeregister(r *http.Request) sbi.Reply {
	if pd := n.Deregister(r.Context(), r.PathValue("nfInstanceId")); pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusNoContent}
}

func (n *NF) httpGet(r *http.Request) sbi.Reply {
	p, pd := n.Profile(r.Context(), r.PathValue("nfInstanceId"))
	if pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusOK, Body: p}
}

func (n *NF) httpDiscover(r *http.Request) sbi.Reply {
	q, pd := parseQuery(r)
	if pd != nil {
		return sbi.Fail(pd)
	}
	res, pd := n.Search(r.Context(), q)
	if pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusOK, Body: res,
		Header: map[string]string{headerCacheControl: "max-age=" + strconv.Itoa(int(res.ValidityPeriod))}}
}

// parseQuery reads the NFDiscover query parameters credbed supports;
// service-names is a CSV list (the openapi clients' encoding) or repeated.
func parseQuery(r *http.Request) (Query, *models.ProblemDetails) {
	v := r.URL.Query()
	for k, vals := range v {
		for _, s := range vals {
			if len(s) > maxQueryValueLength {
				return Query{}, problem(http.StatusBadRequest, CauseInvalidQueryParam, "%s is too long", k)
			}
		}
	}
	q := Query{
		TargetNfType:          models.NrfNfManagementNfType(v.Get("target-nf-type")),
		RequesterNfType:       models.NrfNfManagementNfType(v.Get("requester-nf-type")),
		RequesterNfInstanceID: v.Get("requester-nf-instance-id"),
		TargetNfInstanceID:    v.Get("target-nf-instance-id"),
		Supi:                  v.Get("supi"),
	}
	for _, t := range []models.NrfNfManagementNfType{q.TargetNfType, q.RequesterNfType} {
		if t != "" && !nfTypeRE.MatchString(string(t)) {
			return Query{}, problem(http.StatusBadRequest, "MANDATORY_QUERY_PARAM_INCORRECT", "%q is not an NF type", t)
		}
	}
	for _, csv := range v["service-names"] {
		for _, s := range strings.Split(csv, ",") {
			if s = strings.TrimSpace(s); s != "" {
				q.ServiceNames = append(q.ServiceNames, models.ServiceName(s))
			}
		}
	}
	if len(q.ServiceNames) > maxServiceNames {
		return Query{}, problem(http.StatusBadRequest, CauseInvalidQueryParam, "too many service-names")
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return Query{}, problem(http.StatusBadRequest, CauseInvalidQueryParam, "limit must be a positive integer")
		}
		q.Limit = n
	}
	return q, nil
}
