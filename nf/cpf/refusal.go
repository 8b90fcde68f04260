package cpf

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/credbed/credbed/internal/provproto"
)

// Causes of refusals (the ProblemDetails cause member).
const (
	CauseUnauthenticated    = "UNAUTHENTICATED"            // 401: no or unusable credentials, unknown A-KID
	CauseMACFailure         = "MAC_FAILURE"                // 401: the request MAC does not verify
	CauseNotEntitled        = "NOT_ENTITLED"               // 403: no entitlement, or not for this device
	CauseForeignTarget      = "FOREIGN_TARGET"             // 403: a target (SUPI or device) the PD does not own
	CauseQuotaExceeded      = "QUOTA_EXCEEDED"             // 403: the PD owns MaxTargets targets
	CauseRangeExhausted     = "SUPI_RANGE_EXHAUSTED"       // 403: no free SUPI in the PD's ranges
	CauseProofFailed        = "PROOF_OF_POSSESSION_FAILED" // 403: the target's proof does not verify
	CauseReplay             = "REPLAYED_COUNTER"           // 409: counter not above the last accepted one
	CauseStaleOperation     = "STALE_OPERATION"            // 409: the operation id is not the target's current one, or already confirmed
	CauseAlreadyProvisioned = "TARGET_ALREADY_PROVISIONED" // 409: the PD already provisioned this SUPI or device
	CauseConflict           = "CONCURRENT_UPDATE"          // 409: another PD took the SUPI or device meanwhile
	CauseMalformed          = "INVALID_MSG_FORMAT"         // 400: the body or a parameter does not decode
	CauseUnknownTarget      = "TARGET_NOT_FOUND"           // 404
	CauseRateLimited        = "TOO_MANY_REQUESTS"          // 429
	CauseUnavailable        = "SYSTEM_FAILURE"             // 5xx: a peer or the store failed
	CauseNoResource         = "RESOURCE_URI_STRUCTURE_NOT_FOUND"
)

// Refusal is a protocol refusal: an HTTP status with a ProblemDetails body.
// It is a value, not a Go error. A refused request changes nothing.
type Refusal struct {
	Status int
	Cause  string
	Detail string // never a secret
	// RetryAfter is sent as Retry-After (whole seconds, at least 1) with 429 and 503.
	RetryAfter time.Duration
}

func refuse(status int, cause, format string, a ...any) *Refusal {
	return &Refusal{Status: status, Cause: cause, Detail: fmt.Sprintf(format, a...)}
}

// Refuse builds a refusal (for profiles that refuse on their own).
func Refuse(status int, cause, detail string) *Refusal {
	return &Refusal{Status: status, Cause: cause, Detail: detail}
}

// Malformed is the 400 refusal of a body or header that does not decode.
func Malformed(err error) *Refusal {
	return refuse(http.StatusBadRequest, CauseMalformed, "%v", err)
}

// String describes the refusal.
func (r *Refusal) String() string {
	return fmt.Sprintf("%d %s: %s", r.Status, r.Cause, r.Detail)
}

// Problem returns the ProblemDetails body.
func (r *Refusal) Problem() provproto.Problem {
	return provproto.Problem{Title: http.StatusText(r.Status), Status: r.Status, Cause: r.Cause, Detail: r.Detail}
}

// Reply renders the refusal as an application/problem+json reply.
func (r *Refusal) Reply() Reply {
	b, _ := json.Marshal(r.Problem())
	rep := Reply{Status: r.Status, Body: b, ContentType: provproto.ContentProblem, Refusal: r}
	if r.RetryAfter > 0 {
		rep.Header = http.Header{}
		rep.Header.Set(provproto.HeaderRetryAfter, strconv.Itoa(retrySeconds(r.RetryAfter)))
	}
	return rep
}

func retrySeconds(d time.Duration) int {
	s := int(math.Ceil(d.Seconds()))
	return max(s, 1)
}

// Reply is what a profile handler answers. Body is sent as is.
type Reply struct {
	Status      int
	Body        []byte
	ContentType string
	Header      http.Header
	// Refusal, when set, is traced as a KindReject.
	Refusal *Refusal
}

// JSONReply encodes v as an application/json reply.
func JSONReply(status int, v any) Reply {
	b, err := json.Marshal(v)
	if err != nil {
		return refuse(http.StatusInternalServerError, CauseUnavailable, "response encoding failed").Reply()
	}
	return Reply{Status: status, Body: b, ContentType: provproto.ContentJSON}
}

// With returns a copy of r with header k set to v.
func (r Reply) With(k, v string) Reply {
	h := http.Header{}
	for hk, hv := range r.Header {
		h[hk] = append([]string(nil), hv...)
	}
	h.Set(k, v)
	r.Header = h
	return r
}
