// Package sbi holds the HTTP/2 plumbing shared by credbed's network
// functions: JSON encoding of responses, ProblemDetails (TS 29.500 §5.2.7),
// strict request decoding, openapi client construction on an injected
// *http.Client, the NRF client (TS 29.510), an NF's served SBI and its
// registration (Server), the route table adapter (NewMux, Reply), the
// producer client cache and relayed ProblemDetails (ClientCache,
// UpstreamProblem), the operations of the registration path sent as their
// generated clients send them without the clients' per-call overhead
// (Call, ops.go), and JSON Patch (RFC 6902, ApplyPatch).
package sbi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/free5gc/openapi/models"
)

// MaxBody bounds every SBI request body credbed reads.
const MaxBody = 1 << 20

// Content types.
const (
	ContentJSON      = "application/json"
	ContentProblem   = "application/problem+json"
	ContentJSONPatch = "application/json-patch+json"
)

// Problem builds a ProblemDetails whose status field equals the HTTP status,
// as peers relay the status field verbatim (TS 29.500 §5.2.7.2).
func Problem(status int, cause, detail string) *models.ProblemDetails {
	return &models.ProblemDetails{
		Title:  http.StatusText(status),
		Status: int32(status),
		Cause:  cause,
		Detail: detail,
	}
}

// Common causes (TS 29.500 Table 5.2.7.2-1 and the service specifications).
const (
	CauseMandatoryIEIncorrect = "MANDATORY_IE_INCORRECT"
	CauseMalformedSyntax      = "INVALID_MSG_FORMAT"
	CauseUserNotFound         = "USER_NOT_FOUND"
	CauseContextNotFound      = "CONTEXT_NOT_FOUND"
	CauseDataNotFound         = "DATA_NOT_FOUND"
	CauseSystemFailure        = "SYSTEM_FAILURE"
	CauseAuthRejected         = "AUTHENTICATION_REJECTED"
	CauseSNNotAuthorized      = "SERVING_NETWORK_NOT_AUTHORIZED"
	CauseUnsupportedScheme    = "UNSUPPORTED_PROTECTION_SCHEME"
	CauseForbidden            = "FORBIDDEN"
	CauseUnsupportedMedia     = "UNSUPPORTED_MEDIA_TYPE"
)

// WriteJSON writes v as an application/json body with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		WriteProblem(w, Problem(http.StatusInternalServerError, CauseSystemFailure, "response encoding failed"))
		return
	}
	w.Header().Set("Content-Type", ContentJSON)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteProblem writes pd as application/problem+json with its own status.
func WriteProblem(w http.ResponseWriter, pd *models.ProblemDetails) {
	status := int(pd.Status)
	if status == 0 {
		status = http.StatusInternalServerError
		pd.Status = int32(status)
	}
	b, _ := json.Marshal(pd)
	w.Header().Set("Content-Type", ContentProblem)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteNoContent writes a 204.
func WriteNoContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

// mediaTypeIn reports whether the media type of the Content-Type ct is one
// of allowed (the plain types SBI peers send are taken as they are; any
// other value goes through mime.ParseMediaType).
func mediaTypeIn(ct string, allowed []string) bool {
	for _, a := range allowed {
		if ct == a {
			return true
		}
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	for _, a := range allowed {
		if mt == a {
			return true
		}
	}
	return false
}

// ReadBody reads r to its end, or to limit octets, into a slice sized for
// n octets when the sender announced n (a Content-Length), as io.ReadAll
// does but without growing from 512 octets.
func ReadBody(r io.Reader, n int64, limit int64) ([]byte, error) {
	r = io.LimitReader(r, limit)
	if n <= 0 || n >= limit {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, n+1) // +1: the read that returns io.EOF
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		m, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// ErrBody is returned by DecodeJSON for any unusable body.
var ErrBody = errors.New("sbi: bad request body")

// DecodeJSON reads at most MaxBody bytes of r's body into v. It checks the
// content type against allowed (application/json when empty) and returns a
// 400/415 ProblemDetails for anything it cannot use. It never panics.
func DecodeJSON(r *http.Request, v any, allowed ...string) *models.ProblemDetails {
	if len(allowed) == 0 {
		allowed = []string{ContentJSON}
	}
	ct := r.Header.Get("Content-Type")
	if !mediaTypeIn(ct, allowed) {
		return Problem(http.StatusUnsupportedMediaType, CauseUnsupportedMedia, fmt.Sprintf("content type %q not accepted", ct))
	}
	body, err := ReadBody(r.Body, r.ContentLength, MaxBody+1)
	if err != nil {
		return Problem(http.StatusBadRequest, CauseMalformedSyntax, "body unreadable")
	}
	if len(body) > MaxBody {
		return Problem(http.StatusRequestEntityTooLarge, CauseMalformedSyntax, "body too large")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return Problem(http.StatusBadRequest, CauseMalformedSyntax, "body is not valid JSON for this operation: "+err.Error())
	}
	return nil
}
