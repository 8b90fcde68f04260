package udr

import (
	"encoding/json"
	"net/http"
	"regexp"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

// PathRoot is the Nudr_DataRepository API root (TS 29.504 §6.1.1).
const PathRoot = "/nudr-dr/v2"

// ContentMergePatch is accepted for the provisioning record PATCH.
const ContentMergePatch = "application/merge-patch+json"

// Operation names used in trace events (the openapi client operation names).
const (
	OpQueryAuthSubsData                = "QueryAuthSubsData"
	OpModifyAuthenticationSubscription = "ModifyAuthenticationSubscription"
	OpCreateAuthenticationStatus       = "CreateAuthenticationStatus"
	OpQueryAuthenticationStatus        = "QueryAuthenticationStatus"
	OpDeleteAuthenticationStatus       = "DeleteAuthenticationStatus"
	OpQueryAmData                      = "QueryAmData"
	OpQuerySmfSelectData               = "QuerySmfSelectData"
	OpQuerySmData                      = "QuerySmData"
	OpCreateAmfContext3gpp             = "CreateAmfContext3gpp"
	OpModifyAmfContext3gpp             = "AmfContext3gpp"
	OpQueryAmfContext3gpp              = "QueryAmfContext3gpp"
	OpProvisionSubscription            = "ProvisionSubscription"
	OpQuerySubscription                = "QuerySubscription"
	OpRemoveSubscription               = "RemoveSubscription"
	OpUpdateProvisioning               = "UpdateProvisioning"
	OpQueryProvisioningRecords         = "QueryProvisioningRecords"
	opUnknown                          = "Unknown"
)

var plmnRE = regexp.MustCompile(`^[0-9]{5,6}$`)

type reply struct {
	status   int
	body     any
	problem  *models.ProblemDetails
	location string
}

func fail(pd *models.ProblemDetails) reply { return reply{problem: pd} }

func (u *NF) routes() http.Handler {
	mux := http.NewServeMux()
	sd := PathRoot + "/subscription-data"
	ue := sd + "/{ueId}"
	authSubs := ue + "/authentication-data/authentication-subscription"
	authStatus := ue + "/authentication-data/authentication-status"
	prov := ue + "/{servingPlmnId}/provisioned-data"
	amf := ue + "/context-data/amf-3gpp-access"
	routes := []struct {
		method, path, op string
		h                func(*http.Request) reply
	}{
		{"GET", authSubs, OpQueryAuthSubsData, u.httpQueryAuthSubs},
		{"PATCH", authSubs, OpModifyAuthenticationSubscription, u.httpModifyAuthSubs},
		{"PUT", authStatus, OpCreateAuthenticationStatus, u.httpPutAuthStatus},
		{"GET", authStatus, OpQueryAuthenticationStatus, u.httpGetAuthStatus},
		{"DELETE", authStatus, OpDeleteAuthenticationStatus, u.httpDeleteAuthStatus},
		{"GET", prov + "/am-data", OpQueryAmData, u.httpAmData},
		{"GET", prov + "/smf-selection-subscription-data", OpQuerySmfSelectData, u.httpSmfSel},
		{"GET", prov + "/sm-data", OpQuerySmData, u.httpSmData},
		{"PUT", amf, OpCreateAmfContext3gpp, u.httpPutAmf},
		{"PATCH", amf, OpModifyAmfContext3gpp, u.httpPatchAmf},
		{"GET", amf, OpQueryAmfContext3gpp, u.httpGetAmf},
		{"PUT", ue, OpProvisionSubscription, u.httpPutSubscription},
		{"GET", ue, OpQuerySubscription, u.httpGetSubscription},
		{"DELETE", ue, OpRemoveSubscription, u.httpDeleteSubscription},
		{"PATCH", ue + "/provisioning", OpUpdateProvisioning, u.httpPatchProvisioning},
		{"GET", sd, OpQueryProvisioningRecords, u.httpListProvisioning},
	}
	routes = append(routes, u.entitlementRoutes()...)
	notAllowed := u.serve(opUnknown, func(r *http.Request) reply {
		return fail(problem(http.StatusMethodNotAllowed, CauseMethodNotAllowed, "%s not allowed here", r.Method))
	})
	seen := map[string]bool{}
	for _, rt := range routes {
		mux.Handle(rt.method+" "+rt.path, u.serve(rt.op, rt.h))
		if !seen[rt.path] {
			mux.Handle(rt.path, notAllowed)
			seen[rt.path] = true
		}
	}
	mux.Handle("/", u.serve(opUnknown, func(r *http.Request) reply {
		return fail(problem(http.StatusNotFound, CauseResourceNotFound, "no resource at this path"))
	}))
	return u.notifyRoutes(mux)
}

// serve wraps a route: trace the request, run it, write the reply (JSON or
// ProblemDetails, both with a JSON content type; 204 without a body) and
// trace the response. Bodies are never traced: they hold K and OPc.
func (u *NF) serve(op string, route func(*http.Request) reply) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		supi := r.PathValue("ueId")
		u.emit(trace.Event{Kind: trace.KindRequest, Name: op, SUPI: supi, Detail: r.Method})
		rep := route(r)
		status, cause := rep.status, ""
		switch {
		case rep.problem != nil:
			sbi.WriteProblem(w, rep.problem)
			status, cause = int(rep.problem.Status), rep.problem.Cause
		case rep.body != nil:
			if rep.location != "" {
				w.Header().Set("Location", rep.location)
			}
			sbi.WriteJSON(w, status, rep.body)
		default:
			w.WriteHeader(status)
		}
		u.emit(trace.Event{Kind: trace.KindResponse, Name: op, SUPI: supi, Status: status, Cause: cause})
	})
}

func (u *NF) apiRoot(r *http.Request) string {
	if u.cfg.APIRoot != "" {
		return u.cfg.APIRoot
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func ok(body any) reply { return reply{status: http.StatusOK, body: body} }

func noContent() reply { return reply{status: http.StatusNoContent} }

func badPlmn(r *http.Request) *models.ProblemDetails {
	if !plmnRE.MatchString(r.PathValue("servingPlmnId")) {
		return problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "servingPlmnId must be MCC+MNC digits")
	}
	return nil
}

func (u *NF) httpQueryAuthSubs(r *http.Request) reply {
	a, pd := u.QueryAuthSubsData(r.Context(), r.PathValue("ueId"))
	if pd != nil {
		return fail(pd)
	}
	return ok(a)
}

func (u *NF) httpModifyAuthSubs(r *http.Request) reply {
	var items []models.PatchItem
	if pd := sbi.DecodeJSON(r, &items, sbi.ContentJSONPatch); pd != nil {
		return fail(pd)
	}
	if pd := u.ModifyAuthenticationSubscription(r.Context(), r.PathValue("ueId"), items); pd != nil {
		return fail(pd)
	}
	return noContent()
}

func (u *NF) httpPutAuthStatus(r *http.Request) reply {
	var ev models.AuthEvent
	if pd := sbi.DecodeJSON(r, &ev); pd != nil {
		return fail(pd)
	}
	if pd := u.CreateAuthenticationStatus(r.Context(), r.PathValue("ueId"), ev); pd != nil {
		return fail(pd)
	}
	return noContent()
}

func (u *NF) httpGetAuthStatus(r *http.Request) reply {
	ev, pd := u.QueryAuthenticationStatus(r.Context(), r.PathValue("ueId"))
	if pd != nil {
		return fail(pd)
	}
	return ok(ev)
}

func (u *NF) httpDeleteAuthStatus(r *http.Request) reply {
	if pd := u.DeleteAuthenticationStatus(r.Context(), r.PathValue("ueId")); pd != nil {
		return fail(pd)
	}
	return noContent()
}

func (u *NF) httpAmData(r *http.Request) reply {
	if pd := badPlmn(r); pd != nil {
		return fail(pd)
	}
	d, pd := u.QueryAmData(r.Context(), r.PathValue("ueId"), r.PathValue("servingPlmnId"))
	if pd != nil {
		return fail(pd)
	}
	return ok(d)
}

func (u *NF) httpSmfSel(r *http.Request) reply {
	if pd := badPlmn(r); pd != nil {
		return fail(pd)
	}
	d, pd := u.QuerySmfSelectData(r.Context(), r.PathValue("ueId"), r.PathValue("servingPlmnId"))
	if pd != nil {
		return fail(pd)
	}
	return ok(d)
}

func (u *NF) httpSmData(r *http.Request) reply {
	if pd := badPlmn(r); pd != nil {
		return fail(pd)
	}
	var snssai *models.Snssai
	if s := r.URL.Query().Get("single-nssai"); s != "" {
		snssai = new(models.Snssai)
		if err := json.Unmarshal([]byte(s), snssai); err != nil {
			return fail(problem(http.StatusBadRequest, "INVALID_QUERY_PARAM", "single-nssai is not a JSON Snssai"))
		}
	}
	d, pd := u.QuerySmData(r.Context(), r.PathValue("ueId"), r.PathValue("servingPlmnId"), snssai, r.URL.Query().Get("dnn"))
	if pd != nil {
		return fail(pd)
	}
	return ok(d)
}

func (u *NF) httpPutAmf(r *http.Request) reply {
	var reg models.Amf3GppAccessRegistration
	if pd := sbi.DecodeJSON(r, &reg); pd != nil {
		return fail(pd)
	}
	created, pd := u.CreateAmfContext3gpp(r.Context(), r.PathValue("ueId"), reg)
	if pd != nil {
		return fail(pd)
	}
	if created {
		return reply{status: http.StatusCreated, body: reg, location: u.apiRoot(r) + r.URL.EscapedPath()}
	}
	return noContent()
}

func (u *NF) httpPatchAmf(r *http.Request) reply {
	var items []models.PatchItem
	if pd := sbi.DecodeJSON(r, &items, sbi.ContentJSONPatch); pd != nil {
		return fail(pd)
	}
	if pd := u.ModifyAmfContext3gpp(r.Context(), r.PathValue("ueId"), items); pd != nil {
		return fail(pd)
	}
	return noContent()
}

func (u *NF) httpGetAmf(r *http.Request) reply {
	reg, pd := u.QueryAmfContext3gpp(r.Context(), r.PathValue("ueId"))
	if pd != nil {
		return fail(pd)
	}
	return ok(reg)
}

func (u *NF) httpPutSubscription(r *http.Request) reply {
	var d SubscriptionData
	if pd := sbi.DecodeJSON(r, &d); pd != nil {
		return fail(pd)
	}
	created, rec, pd := u.PutSubscription(r.Context(), r.PathValue("ueId"), d)
	if pd != nil {
		return fail(pd)
	}
	if created {
		return reply{status: http.StatusCreated, body: rec, location: u.apiRoot(r) + r.URL.EscapedPath()}
	}
	return noContent()
}

func (u *NF) httpGetSubscription(r *http.Request) reply {
	d, pd := u.GetSubscription(r.Context(), r.PathValue("ueId"))
	if pd != nil {
		return fail(pd)
	}
	return ok(d)
}

func (u *NF) httpDeleteSubscription(r *http.Request) reply {
	if pd := u.RemoveSubscription(r.Context(), r.PathValue("ueId")); pd != nil {
		return fail(pd)
	}
	return noContent()
}

func (u *NF) httpPatchProvisioning(r *http.Request) reply {
	var upd ProvisioningUpdate
	if pd := sbi.DecodeJSON(r, &upd, sbi.ContentJSON, ContentMergePatch); pd != nil {
		return fail(pd)
	}
	p, pd := u.UpdateProvisioning(r.Context(), r.PathValue("ueId"), upd)
	if pd != nil {
		return fail(pd)
	}
	return ok(p)
}

func (u *NF) httpListProvisioning(r *http.Request) reply {
	recs, err := u.ProvisioningRecords(r.Context(), r.URL.Query().Get("owner"))
	if err != nil {
		return fail(u.storeProblem(OpQueryProvisioningRecords, err))
	}
	return ok(recs)
}
