package udm

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

// API roots (TS 29.503 §6.x.1).
const (
	PathUEAU = "/nudm-ueau/v1"
	PathUECM = "/nudm-uecm/v1"
	PathSDM  = "/nudm-sdm/v2"
)

// ContentMergePatch is the content type of the UECM PATCH (RFC 7396).
const ContentMergePatch = "application/merge-patch+json"

type reply struct {
	status   int
	body     any
	problem  *models.ProblemDetails
	location string
	supi     string
}

func fail(pd *models.ProblemDetails) reply { return reply{problem: pd} }

func (u *NF) routes() http.Handler {
	mux := http.NewServeMux()
	amf := PathUECM + "/{ueId}/registrations/amf-3gpp-access"
	routes := []struct {
		method, path, op string
		h                func(*http.Request) reply
	}{
		{"POST", PathUEAU + "/{supiOrSuci}/security-information/generate-auth-data", OpUEAUGet, u.httpGenerateAuthData},
		{"POST", PathUEAU + "/{supi}/auth-events", OpUEAUResultConfirmation, u.httpAuthEvents},
		{"PUT", amf, OpUECMRegistration, u.httpRegister},
		{"GET", amf, OpUECMGet, u.httpGetRegistration},
		{"PATCH", amf, OpUECMUpdate, u.httpUpdateRegistration},
		{"GET", PathSDM + "/{supi}/am-data", OpSDMGet, u.httpAmData},
		{"GET", PathSDM + "/{supi}/smf-select-data", OpSDMGet, u.httpSmfSelectData},
		{"GET", PathSDM + "/{supi}/sm-data", OpSDMGet, u.httpSmData},
		{"POST", PathDataChange + "/{token}", OpDataChangeNotify, u.httpDataChange},
	}
	notAllowed := u.serve("Unknown", func(r *http.Request) reply {
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
	mux.Handle("/", u.serve("Unknown", func(r *http.Request) reply {
		return fail(problem(http.StatusNotFound, CauseResourceNotFound, "no resource at this path"))
	}))
	return mux
}

// serve wraps a route: trace the request, run it, write the reply (JSON or
// ProblemDetails, with a JSON content type; 204 without a body) and trace
// the response. Bodies are never traced: they carry keys.
func (u *NF) serve(op string, route func(*http.Request) reply) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		supi := pathSUPI(r)
		u.emit(trace.Event{Kind: trace.KindRequest, Name: op, SUPI: supi, Detail: r.Method})
		rep := route(r)
		if rep.supi != "" {
			supi = rep.supi
		}
		status, cause := rep.status, ""
		switch {
		case rep.problem != nil:
			sbi.WriteProblem(w, rep.problem)
			status, cause = int(rep.problem.Status), rep.problem.Cause
			u.emit(trace.Event{Kind: trace.KindReject, Name: op, SUPI: supi, Status: status, Cause: cause, Detail: rep.problem.Detail})
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

// pathSUPI returns the SUPI named in the path, if any (never a SUCI).
func pathSUPI(r *http.Request) string {
	for _, k := range [...]string{"supi", "ueId", "supiOrSuci"} {
		if v := r.PathValue(k); strings.HasPrefix(v, "imsi-") || strings.HasPrefix(v, "nai-") {
			return v
		}
	}
	return ""
}

func (u *NF) selfRoot(r *http.Request) string {
	if root := u.APIRoot(); root != "" {
		return root
	}
	return "http://" + r.Host
}

func (u *NF) httpGenerateAuthData(r *http.Request) reply {
	var req models.UdmUeauAuthenticationInfoRequest
	if pd := sbi.DecodeJSON(r, &req); pd != nil {
		return fail(pd)
	}
	res, pd := u.GenerateAuthData(r.Context(), r.PathValue("supiOrSuci"), req)
	if pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusOK, body: res, supi: res.Supi}
}

func (u *NF) httpAuthEvents(r *http.Request) reply {
	var ev models.AuthEvent
	if pd := sbi.DecodeJSON(r, &ev); pd != nil {
		return fail(pd)
	}
	out, id, pd := u.ConfirmAuth(r.Context(), r.PathValue("supi"), ev)
	if pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusCreated, body: out,
		location: u.selfRoot(r) + PathUEAU + "/" + r.PathValue("supi") + "/auth-events/" + id}
}

func (u *NF) httpRegister(r *http.Request) reply {
	var reg models.Amf3GppAccessRegistration
	if pd := sbi.DecodeJSON(r, &reg); pd != nil {
		return fail(pd)
	}
	out, created, pd := u.RegisterAMF3GPP(r.Context(), r.PathValue("ueId"), reg)
	if pd != nil {
		return fail(pd)
	}
	if created {
		return reply{status: http.StatusCreated, body: out, location: u.selfRoot(r) + r.URL.EscapedPath()}
	}
	return reply{status: http.StatusOK, body: out}
}

func (u *NF) httpGetRegistration(r *http.Request) reply {
	reg, pd := u.GetAMF3GPP(r.Context(), r.PathValue("ueId"))
	if pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusOK, body: reg}
}

func (u *NF) httpUpdateRegistration(r *http.Request) reply {
	var mod models.Amf3GppAccessRegistrationModification
	if pd := sbi.DecodeJSON(r, &mod, ContentMergePatch, sbi.ContentJSON); pd != nil {
		return fail(pd)
	}
	if pd := u.UpdateAMF3GPP(r.Context(), r.PathValue("ueId"), mod); pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusNoContent}
}

// jsonQuery decodes a JSON-valued query parameter (TS 29.500 §5.2.3.2).
func jsonQuery[T any](r *http.Request, name string) (*T, *models.ProblemDetails) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return nil, nil
	}
	v := new(T)
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return nil, problem(http.StatusBadRequest, CauseInvalidQueryParameter, "%s is not valid JSON", name)
	}
	return v, nil
}

func (u *NF) httpAmData(r *http.Request) reply {
	plmn, pd := jsonQuery[models.PlmnId](r, "plmn-id")
	if pd != nil {
		return fail(pd)
	}
	d, pd := u.GetAmData(r.Context(), r.PathValue("supi"), plmn)
	if pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusOK, body: d}
}

func (u *NF) httpSmfSelectData(r *http.Request) reply {
	plmn, pd := jsonQuery[models.PlmnId](r, "plmn-id")
	if pd != nil {
		return fail(pd)
	}
	d, pd := u.GetSmfSelectData(r.Context(), r.PathValue("supi"), plmn)
	if pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusOK, body: d}
}

func (u *NF) httpSmData(r *http.Request) reply {
	plmn, pd := jsonQuery[models.PlmnId](r, "plmn-id")
	if pd != nil {
		return fail(pd)
	}
	snssai, pd := jsonQuery[models.Snssai](r, "single-nssai")
	if pd != nil {
		return fail(pd)
	}
	d, pd := u.GetSmData(r.Context(), r.PathValue("supi"), plmn, snssai, r.URL.Query().Get("dnn"))
	if pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusOK, body: d}
}

func (u *NF) httpDataChange(r *http.Request) reply {
	var n models.DataChangeNotify
	if pd := sbi.DecodeJSON(r, &n); pd != nil {
		return fail(pd)
	}
	if pd := u.HandleDataChange(r.Context(), r.PathValue("token"), n); pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusNoContent}
}
