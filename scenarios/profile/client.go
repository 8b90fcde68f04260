package profile

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/credbed/credbed/internal/provproto"
)

// Helpers for device halves: one PD -> CPF exchange over the PD's HTTP
// client. They do the HTTP; internal/provproto does the encoding and the
// protection.

// Answer is a CPF response as the PD received it.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// RequestTarget returns the request target of rawURL as it goes on the
// wire (escaped path and "?query"): what a secure request MAC covers.
func RequestTarget(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("%w: URL %q: %v", ErrResponse, rawURL, err)
	}
	return u.RequestURI(), nil
}

// Send performs one request with body (nil for none) and the given headers
// and reads at most provproto.MaxBody bytes of the answer.
func Send(ctx context.Context, hc *http.Client, method, rawURL string, body []byte, header map[string]string) (Answer, error) {
	if hc == nil {
		return Answer{}, fmt.Errorf("profile: the PD has no HTTP client (no PDU session?)")
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return Answer{}, fmt.Errorf("profile: request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", provproto.ContentJSON)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rsp, err := hc.Do(req)
	if err != nil {
		return Answer{}, fmt.Errorf("profile: %s %s: %w", method, rawURL, err)
	}
	defer rsp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(rsp.Body, provproto.MaxBody+1))
	if err != nil {
		return Answer{}, fmt.Errorf("profile: reading the answer: %w", err)
	}
	if len(b) > provproto.MaxBody {
		return Answer{}, fmt.Errorf("%w: answer over %d bytes", ErrResponse, provproto.MaxBody)
	}
	return Answer{Status: rsp.StatusCode, Header: rsp.Header, Body: b}, nil
}

// Refusal returns the answer as a *RefusedError when its status is 4xx or
// 5xx, nil otherwise.
func (a Answer) Refusal(op string) *RefusedError {
	if a.Status < 400 {
		return nil
	}
	p, err := provproto.DecodeProblem(a.Body)
	if err != nil {
		p = provproto.Problem{Status: a.Status, Title: http.StatusText(a.Status), Detail: "no ProblemDetails body"}
	}
	p.Status = a.Status
	e := &RefusedError{Op: op, Problem: p}
	if s, err := strconv.Atoi(a.Header.Get(provproto.HeaderRetryAfter)); err == nil && s > 0 {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	return e
}

// Decode reads a success answer with status want into m.
func (a Answer) Decode(op string, want int, m provproto.Message) error {
	if a.Status != want {
		return fmt.Errorf("%w: %s answered %d, want %d", ErrResponse, op, a.Status, want)
	}
	if err := provproto.Decode(a.Body, m); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrResponse, op, err)
	}
	return nil
}
