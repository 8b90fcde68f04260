package cpf

import (
	"context"
	"io"
	"net"
	"net/http"

	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/trace"
)

// Operation names in trace events.
const (
	OpProvision   = "Provision"
	OpConfirm     = "Confirm"
	OpDeprovision = "Deprovision"
	OpStatus      = "Status"
	OpUnknown     = "Unknown"
)

// Call is one request to a profile API, as Serve hands it to the profile.
type Call struct {
	Op   string
	Req  *http.Request
	Body []byte // the whole body, at most provproto.MaxBody bytes
	// PD and Target, when the handler sets them, name the provisioning
	// device and the target SUPI in the response trace events.
	PD     string
	Target string
}

// Context returns the request context.
func (c *Call) Context() context.Context { return c.Req.Context() }

// RequestTarget returns the request target as the PD sent it: the escaped path
// and "?query" when present (what a secure request MAC covers).
func (c *Call) RequestTarget() string {
	t := c.Req.URL.EscapedPath()
	if c.Req.URL.RawQuery != "" {
		t += "?" + c.Req.URL.RawQuery
	}
	return t
}

// Source returns the requester's address without the port (the PD's UE
// address in the data network).
func (c *Call) Source() string {
	if h, _, err := net.SplitHostPort(c.Req.RemoteAddr); err == nil {
		return h
	}
	return c.Req.RemoteAddr
}

// Serve adapts a profile's handler to HTTP: it reads the body (refusing
// more than provproto.MaxBody bytes), traces the request, calls fn,
// writes its reply, and traces the refusal (KindReject) and the response.
// Bodies are never traced.
func (b *Backend) Serve(op string, fn func(*Call) Reply) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &Call{Op: op, Req: r}
		b.emit(trace.Event{Kind: trace.KindRequest, Name: op, Peer: c.Source(), Detail: r.Method + " " + r.URL.Path})
		var rep Reply
		body, err := io.ReadAll(io.LimitReader(r.Body, provproto.MaxBody+1))
		switch {
		case err != nil:
			rep = refuse(http.StatusBadRequest, CauseMalformed, "body unreadable").Reply()
		case len(body) > provproto.MaxBody:
			rep = refuse(http.StatusRequestEntityTooLarge, CauseMalformed, "body over %d bytes", provproto.MaxBody).Reply()
		default:
			c.Body = body
			rep = fn(c)
		}
		write(w, rep)
		supi := c.Target
		if supi == "" {
			supi = c.PD
		}
		detail := ""
		if c.PD != "" {
			detail = "pd=" + c.PD
		}
		if rep.Refusal != nil {
			b.emit(trace.Event{Kind: trace.KindReject, Name: op, Peer: c.Source(), SUPI: supi, Status: rep.Status,
				Cause: rep.Refusal.Cause, Detail: joinDetail(detail, rep.Refusal.Detail)})
		}
		ev := trace.Event{Kind: trace.KindResponse, Name: op, Peer: c.Source(), SUPI: supi, Status: rep.Status, Detail: detail}
		if rep.Refusal != nil {
			ev.Cause = rep.Refusal.Cause
		}
		b.emit(ev)
	})
}

func joinDetail(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + ": " + b
}

func write(w http.ResponseWriter, rep Reply) {
	h := w.Header()
	for k, v := range rep.Header {
		h[k] = v
	}
	if rep.Status == 0 {
		rep.Status = http.StatusInternalServerError
	}
	if len(rep.Body) > 0 {
		ct := rep.ContentType
		if ct == "" {
			ct = provproto.ContentJSON
		}
		h.Set("Content-Type", ct)
	}
	w.WriteHeader(rep.Status)
	if len(rep.Body) > 0 {
		_, _ = w.Write(rep.Body)
	}
}
