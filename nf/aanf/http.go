package aanf

import (
	"net/http"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

// API root and resources (TS 29.535 §6.1.1).
const (
	PathRoot           = "/naanf-akma/v1"
	PathRegister       = PathRoot + "/register-anchorkey"
	PathRetrieveAppKey = PathRoot + "/retrieve-applicationkey"
	PathRemoveContext  = PathRoot + "/remove-context"
)

type reply struct {
	status  int
	body    any
	problem *models.ProblemDetails
	supi    string
}

func fail(pd *models.ProblemDetails) reply { return reply{problem: pd} }

func (n *NF) routes() http.Handler {
	mux := http.NewServeMux()
	routes := []struct {
		path, op string
		h        func(*http.Request) reply
	}{
		{PathRegister, OpRegister, n.httpRegister},
		{PathRetrieveAppKey, OpGetAppKey, n.httpGetAppKey},
		{PathRemoveContext, OpRemoveContext, n.httpRemove},
	}
	notAllowed := n.serve("Unknown", func(r *http.Request) reply {
		return fail(problem(http.StatusMethodNotAllowed, CauseMethodNotAllowed, "%s not allowed here", r.Method))
	})
	for _, rt := range routes {
		mux.Handle("POST "+rt.path, n.serve(rt.op, rt.h))
		mux.Handle(rt.path, notAllowed)
	}
	mux.Handle("/", n.serve("Unknown", func(r *http.Request) reply {
		return fail(problem(http.StatusNotFound, CauseResourceNotFound, "no resource at this path"))
	}))
	return mux
}

// serve wraps a route with request/response trace events; bodies (K_AKMA,
// K_AF) are never traced.
func (n *NF) serve(op string, route func(*http.Request) reply) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.emit(trace.Event{Kind: trace.KindRequest, Name: op, Detail: r.Method})
		rep := route(r)
		status, cause := rep.status, ""
		switch {
		case rep.problem != nil:
			sbi.WriteProblem(w, rep.problem)
			status, cause = int(rep.problem.Status), rep.problem.Cause
			n.emit(trace.Event{Kind: trace.KindReject, Name: op, SUPI: rep.supi, Status: status, Cause: cause, Detail: rep.problem.Detail})
		case rep.body != nil:
			sbi.WriteJSON(w, status, rep.body)
		default:
			w.WriteHeader(status)
		}
		n.emit(trace.Event{Kind: trace.KindResponse, Name: op, SUPI: rep.supi, Status: status, Cause: cause})
	})
}

func (n *NF) httpRegister(r *http.Request) reply {
	var in AkmaKeyInfo
	if pd := sbi.DecodeJSON(r, &in); pd != nil {
		return fail(pd)
	}
	out, pd := n.RegisterAnchorKey(r.Context(), in)
	in.KAkma = ""
	if pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusOK, body: out, supi: out.Supi}
}

func (n *NF) httpGetAppKey(r *http.Request) reply {
	var in AkmaAfKeyRequest
	if pd := sbi.DecodeJSON(r, &in); pd != nil {
		return fail(pd)
	}
	out, pd := n.GetApplicationKey(r.Context(), in)
	if pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusOK, body: out, supi: out.Supi}
}

func (n *NF) httpRemove(r *http.Request) reply {
	var in CtxRemove
	if pd := sbi.DecodeJSON(r, &in); pd != nil {
		return fail(pd)
	}
	if pd := n.RemoveContext(r.Context(), in); pd != nil {
		return fail(pd)
	}
	return reply{status: http.StatusNoContent, supi: in.Supi}
}
