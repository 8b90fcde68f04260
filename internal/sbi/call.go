package sbi

// A lean request path for the operations an NF calls on every
// registration. The generated free5gc/openapi v1.2.4 clients build each
// request through openapi.PrepareRequest, which attaches an OpenTelemetry
// httptrace.ClientTrace, matches content types with regular expressions
// and serialises through reflection on interface{} parameters; a Call
// sends the same request (method, path, query, headers, JSON body) and
// answers as the generated operation does, without that per-call work.
// Wire formats are unchanged, so free5gc peers interoperate either way.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/free5gc/openapi"
	"github.com/free5gc/openapi/models"
)

// Accept header values of the generated clients (their "produces" lists
// joined with ", ").
const (
	AcceptJSON        = "application/json"
	AcceptJSONProblem = "application/json, application/problem+json"
	AcceptProblemJSON = "application/problem+json, application/json"
)

// DefaultUserAgent is the User-Agent of a generated client whose
// Configuration was not given one.
const DefaultUserAgent = "OpenAPI-Generator/1.0.0/go"

// Call is one request of a producer operation, described as the
// operation's generated openapi client sends it, and what that client
// does with each answer status.
type Call struct {
	Method string // upper case
	// Path is the service prefix and resource path below the apiRoot with
	// the path parameters substituted unescaped, as the generator does
	// (e.g. "/nudr-dr/v2/subscription-data/imsi-001010000000001/...").
	Path  string
	Query url.Values // nil or empty for none
	// ContentType is always sent (the generator sends it on a GET too);
	// Accept when not empty.
	ContentType, Accept string
	Body                any // JSON-encoded when not nil
	// Decoded lists the success statuses whose body is decoded into the
	// output, Empty those answered without decoding; Problems the error
	// statuses whose body is decoded as a ProblemDetails, Redirects those
	// (307, 308 that the HTTP client did not follow) decoded as a
	// RedirectResponse. Any other status is an openapi.GenericOpenAPIError
	// without a model.
	Decoded, Empty, Problems, Redirects []int
	// Op, when set, makes any other status the plain error
	// "<status> is not a valid status code in <Op>" (the generated
	// Nausf_UEAuthentication client does so) instead of an
	// openapi.GenericOpenAPIError.
	Op string
}

// Answer is what Call.Do got besides the decoded body.
type Answer struct {
	Status   int
	Location string // the Location header (of a 201)
}

// Do sends c to the producer at p (p.HTTP, apiRoot p.APIRoot, User-Agent
// p.UserAgent or DefaultUserAgent) and decodes a Decoded answer into out.
// Errors are those of the generated client: the transport's error as is;
// for a Problems status an openapi.GenericOpenAPIError with the raw body,
// the status and the ProblemDetails as a models.ProblemDetails model (a
// Redirects status: a models.RedirectResponse model); for another status
// one without a model (or the plain error of Call.Op); a body that does not
// decode, the decoding error.
// The models differ in type from the generated clients' XxxError values;
// credbed's callers read RawBody and ErrorStatus only.
func (c Call) Do(ctx context.Context, p Peer, out any) (Answer, error) {
	if p.HTTP == nil {
		return Answer{}, ErrClientConfig
	}
	req, err := c.request(ctx, p)
	if err != nil {
		return Answer{}, err
	}
	rsp, err := p.HTTP.Do(req)
	if err != nil || rsp == nil {
		return Answer{}, err
	}
	body, err := ReadBody(rsp.Body, rsp.ContentLength, math.MaxInt64)
	if err != nil {
		return Answer{}, err
	}
	if err := rsp.Body.Close(); err != nil {
		return Answer{}, err
	}
	a := Answer{Status: rsp.StatusCode, Location: rsp.Header.Get("Location")}
	ct := rsp.Header.Get("Content-Type")
	switch {
	case slices.Contains(c.Decoded, a.Status):
		return a, deserialize(out, body, ct)
	case slices.Contains(c.Empty, a.Status):
		return a, nil
	case slices.Contains(c.Problems, a.Status):
		var pd models.ProblemDetails
		if err := deserialize(&pd, body, ct); err != nil {
			return a, err
		}
		return a, openapi.GenericOpenAPIError{RawBody: body, ErrorStatus: a.Status, ErrorModel: pd}
	case slices.Contains(c.Redirects, a.Status):
		var rr models.RedirectResponse
		if err := deserialize(&rr, body, ct); err != nil {
			return a, err
		}
		return a, openapi.GenericOpenAPIError{RawBody: body, ErrorStatus: a.Status, ErrorModel: rr}
	case c.Op != "":
		return a, openapi.ReportError("%d is not a valid status code in %s", a.Status, c.Op)
	}
	return a, openapi.GenericOpenAPIError{RawBody: body, ErrorStatus: a.Status}
}

// request builds what openapi.PrepareRequest builds for c.
func (c Call) request(ctx context.Context, p Peer) (*http.Request, error) {
	u, err := url.Parse(strings.TrimSuffix(p.APIRoot, "/") + c.Path)
	if err != nil {
		return nil, err
	}
	if len(c.Query) > 0 {
		q := u.Query()
		for k, vs := range c.Query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	} else if u.RawQuery != "" {
		u.RawQuery = u.Query().Encode()
	}
	// http.NewRequestWithContext would parse the URL again; the request is
	// built as it builds one from u.
	req, err := http.NewRequestWithContext(ctx, c.Method, "", nil)
	if err != nil {
		return nil, err
	}
	req.URL, req.Host = u, removeEmptyPort(u.Host)
	if c.Body != nil {
		b, err := json.Marshal(c.Body)
		if err != nil {
			return nil, err
		}
		req.ContentLength = int64(len(b))
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		if len(b) == 0 {
			req.Body, req.GetBody = http.NoBody, func() (io.ReadCloser, error) { return http.NoBody, nil }
		}
	}
	h := make(http.Header, 3)
	h["Content-Type"] = []string{c.ContentType}
	if c.Accept != "" {
		h["Accept"] = []string{c.Accept}
	}
	ua := p.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	h["User-Agent"] = []string{ua}
	req.Header = h
	return req, nil
}

// removeEmptyPort drops the ":" of a host with an empty port, as
// http.NewRequest does.
func removeEmptyPort(host string) string {
	if strings.LastIndexByte(host, ':') > strings.LastIndexByte(host, ']') {
		return strings.TrimSuffix(host, ":")
	}
	return host
}

// deserialize is openapi.Deserialize with the JSON media types SBI
// producers answer with decided without a regular expression.
func deserialize(v any, b []byte, contentType string) error {
	if _, isString := v.(*string); !isString && jsonMediaType(contentType) {
		return json.Unmarshal(b, v)
	}
	return openapi.Deserialize(v, b, contentType)
}

// jsonMediaType reports the content types that openapi.KindOfMediaType
// certainly classifies as JSON.
func jsonMediaType(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	switch ct {
	case ContentJSON, ContentProblem, ContentJSONPatch:
		return true
	}
	return false
}
