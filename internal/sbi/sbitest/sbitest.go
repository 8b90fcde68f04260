// Package sbitest holds the checks the SBI tests of credbed's NFs share:
// the answer invariant of every handler and the ProblemDetails of an
// openapi client error (TS 29.500 §5.2.7.2).
package sbitest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/free5gc/openapi"
	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
)

// CheckAnswer is the invariant of every SBI handler, whatever the request:
// a status from 200 to 599, a JSON content type when there is a body, and
// on every error a ProblemDetails carrying the HTTP status and a cause.
func CheckAnswer(rec *httptest.ResponseRecorder) error {
	if rec.Code < 200 || rec.Code > 599 {
		return fmt.Errorf("status %d", rec.Code)
	}
	ct := rec.Header().Get("Content-Type")
	if rec.Code >= 400 {
		var pd models.ProblemDetails
		if ct != sbi.ContentProblem || json.Unmarshal(rec.Body.Bytes(), &pd) != nil || int(pd.Status) != rec.Code || pd.Cause == "" {
			return fmt.Errorf("error %d without a proper ProblemDetails: %s %q", rec.Code, ct, rec.Body.String())
		}
		return nil
	}
	if rec.Body.Len() > 0 && ct != sbi.ContentJSON {
		return fmt.Errorf("status %d body with content type %q", rec.Code, ct)
	}
	return nil
}

// ProblemOf returns the HTTP status and the ProblemDetails of the error of
// an openapi client call; the error says why there is none.
func ProblemOf(err error) (int, models.ProblemDetails, error) {
	var pd models.ProblemDetails
	var oe openapi.GenericOpenAPIError
	if !errors.As(err, &oe) {
		return 0, pd, fmt.Errorf("not an openapi error: %v", err)
	}
	if err := json.Unmarshal(oe.RawBody, &pd); err != nil {
		return oe.ErrorStatus, pd, fmt.Errorf("body %q: %w", oe.RawBody, err)
	}
	return oe.ErrorStatus, pd, nil
}

// Raw sends a request as given (no openapi client, for malformed input)
// and returns the status, the content type and the ProblemDetails of the
// answer (zero when the body is not one).
func Raw(hc *http.Client, method, url, ctype string, body []byte) (int, string, models.ProblemDetails, error) {
	var pd models.ProblemDetails
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", pd, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rsp, err := hc.Do(req)
	if err != nil {
		return 0, "", pd, err
	}
	defer rsp.Body.Close()
	data, _ := io.ReadAll(rsp.Body)
	_ = json.Unmarshal(data, &pd)
	return rsp.StatusCode, rsp.Header.Get("Content-Type"), pd, nil
}
