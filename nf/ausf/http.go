package ausf

import (
	"net/http"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

type reply struct {
	status   int
	body     any
	problem  *models.ProblemDetails
	location string
	supi     string
}

func fail(pd *models.ProblemDetails) reply { return reply{problem: pd} }

func (a *NF) routes() http.Handler {
	mux := http.NewServeMux()
	routes := []struct {
		method, path, op string
		h                func(*http.Request) reply
	}{
		{"POST", PathUEAuthentications, OpAuthenticate, a.httpAuthenticate},
		{"PUT", PathUEAuthentications + "/{authCtxId}/5g-aka-confirmation", OpConfirm5gAka, a.httpConfirm},
		{"POST", PathUEAuthentications + "/{authCtxId}/eap-session", OpEapSession, a.httpEapSession},
	}
	notAllowed := a.serve("Unknown", func(r *http.Request) reply {
		return fail(problem(http.StatusMethodNotAllowed, CauseMethodNotAllowed, "%s not allowed here", r.Method))
	})
	seen := map[string]bool{}
	for _, rt := range routes {
		mux.Handle(rt.method+" "+rt.path, a.serve(rt.op, rt.h))
		if !seen[rt.path] {
			mux.Handle(rt.path, notAllowed)
			seen[rt.path] = true
		}
	}
	mux.Handle("/", a.serve("Unknown", func(r *http.Request) reply {
		return fail(problem(http.StatusNotFound, CauseResourceNotFound, "no resource at this path"))
	}))
	return mux
}

// serve wraps a route: trace the request, run it, write the reply (JSON or
// ProblemDetails, with a JSON content type) and trace the response. Bodies
// are never traced: they carry KSEAF and EAP payloads.
func (a *NF) serve(op string, route func(*http.Request) reply) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.emit(trace.Event{Kind: trace.KindRequest, Name: op, Detail: r.Method})
		rep := route(r)
		status, cause := rep.status, ""
		switch {
		case rep.problem != nil:
			sbi.WriteProblem(w, rep.problem)
			status, cause = int(rep.problem.Status), rep.problem.Cause
			a.emit(trace.Event{Kind: trace.KindReject, Name: op, SUPI: rep.supi, Status: status, Cause: cause, Detail: rep.problem.Detail})
		case rep.body != nil:
			if rep.location != "" {
				w.Header().Set("Location", rep.location)
			}
			sbi.WriteJSON(w, status, rep.body)
		default:
			w.WriteHeader(status)
		}
		a.emit(trace.Event{Kind: trace.KindResponse, Name: op, SUPI: rep.supi, Status: status, Cause: cause})
	})
}

func (a *NF) httpAuthenticate(r *http.Request) reply {
	var info models.AuthenticationInfo
	if pd := sbi.DecodeJSON(r, &info); pd != nil {
		return fail(pd)
	}
	out, id, pd := a.Authenticate(r.Context(), info)
	if pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusCreated, body: out, location: a.selfRoot() + PathUEAuthentications + "/" + id}
}

func (a *NF) httpConfirm(r *http.Request) reply {
	var cd models.ConfirmationData
	if pd := sbi.DecodeJSON(r, &cd); pd != nil {
		return fail(pd)
	}
	out, pd := a.Confirm5gAka(r.Context(), r.PathValue("authCtxId"), cd)
	if pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusOK, body: out, supi: out.Supi}
}

func (a *NF) httpEapSession(r *http.Request) reply {
	var s models.EapSession
	if pd := sbi.DecodeJSON(r, &s); pd != nil {
		return fail(pd)
	}
	out, pd := a.EapSession(r.Context(), r.PathValue("authCtxId"), s)
	if pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusOK, body: out, supi: out.Supi}
}
