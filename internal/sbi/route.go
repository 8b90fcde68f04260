package sbi

// The thin HTTP adapter of an NF's SBI: a route table of procedure
// adapters that return a Reply, 405 and 404 ProblemDetails for what no
// route takes (TS 29.500 §5.2.7.2), and request/response trace events.

import (
	"net/http"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/trace"
)

// Causes and the operation name of requests no route takes (TS 29.500
// Table 5.2.7.2-1).
const (
	CauseMethodNotAllowed = "METHOD_NOT_ALLOWED"
	CauseResourceNotFound = "RESOURCE_URI_STRUCTURE_NOT_FOUND"
	OpUnknown             = "Unknown"
)

// Reply is what a route returns: a ProblemDetails, or a status with an
// optional JSON body.
type Reply struct {
	Status   int                    // of a reply without Problem
	Body     any                    // JSON body; nil for none
	Problem  *models.ProblemDetails // when set, the answer is this ProblemDetails
	Location string                 // Location header of a reply with a Body (201)
	Header   map[string]string      // further headers, set first
	SUPI     string                 // the subscriber concerned, for trace events only
}

// Fail is the Reply of a ProblemDetails.
func Fail(pd *models.ProblemDetails) Reply { return Reply{Problem: pd} }

// Write writes rep (WriteProblem, WriteJSON, or the status alone) and
// returns the status and the cause it wrote.
func (rep Reply) Write(w http.ResponseWriter) (status int, cause string) {
	for k, v := range rep.Header {
		w.Header().Set(k, v)
	}
	switch {
	case rep.Problem != nil:
		WriteProblem(w, rep.Problem)
		return int(rep.Problem.Status), rep.Problem.Cause
	case rep.Body != nil:
		if rep.Location != "" {
			w.Header().Set("Location", rep.Location)
		}
		WriteJSON(w, rep.Status, rep.Body)
	default:
		w.WriteHeader(rep.Status)
	}
	return rep.Status, ""
}

// Route is one operation: method and path pattern (net/http ServeMux
// syntax), the operation name in trace events, and the adapter that
// decodes the request, calls the procedure and returns its Reply.
type Route struct {
	Method, Path, Op string
	Handle           func(*http.Request) Reply
}

// Wrap turns a route's adapter into the http.Handler that serves it
// (writing the Reply and tracing it), e.g. Traced.
type Wrap func(op string, handle func(*http.Request) Reply) http.Handler

// NewMux serves routes through wrap. Another method on a routed path is
// answered 405 METHOD_NOT_ALLOWED, any other path 404
// RESOURCE_URI_STRUCTURE_NOT_FOUND, both as operation OpUnknown.
func NewMux(routes []Route, wrap Wrap) *http.ServeMux {
	mux := http.NewServeMux()
	notAllowed := wrap(OpUnknown, func(r *http.Request) Reply {
		return Fail(Problem(http.StatusMethodNotAllowed, CauseMethodNotAllowed, r.Method+" not allowed here"))
	})
	seen := map[string]bool{}
	for _, rt := range routes {
		mux.Handle(rt.Method+" "+rt.Path, wrap(rt.Op, rt.Handle))
		if !seen[rt.Path] {
			mux.Handle(rt.Path, notAllowed)
			seen[rt.Path] = true
		}
	}
	mux.Handle("/", wrap(OpUnknown, func(*http.Request) Reply {
		return Fail(Problem(http.StatusNotFound, CauseResourceNotFound, "no resource at this path"))
	}))
	return mux
}

// Traced is the Wrap of an NF that traces with emit: a request event
// (Detail: the method), the reply written, a reject event for a
// ProblemDetails (with its detail) and a response event. supiOf, when not
// nil, names the subscriber of a request from its path; a Reply's SUPI
// takes precedence. Bodies are never traced: they carry keys.
func Traced(emit func(trace.Event), supiOf func(*http.Request) string) Wrap {
	return func(op string, handle func(*http.Request) Reply) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var supi string
			if supiOf != nil {
				supi = supiOf(r)
			}
			emit(trace.Event{Kind: trace.KindRequest, Name: op, SUPI: supi, Detail: r.Method})
			rep := handle(r)
			if rep.SUPI != "" {
				supi = rep.SUPI
			}
			status, cause := rep.Write(w)
			if rep.Problem != nil {
				emit(trace.Event{Kind: trace.KindReject, Name: op, SUPI: supi, Status: status, Cause: cause, Detail: rep.Problem.Detail})
			}
			emit(trace.Event{Kind: trace.KindResponse, Name: op, SUPI: supi, Status: status, Cause: cause})
		})
	}
}
