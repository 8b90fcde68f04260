package sbitest_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/free5gc/openapi"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/sbi/sbitest"
)

// Reference: TS 29.500 §5.2.7.2 (ProblemDetails status equals the HTTP status)
func TestCheckAnswer(t *testing.T) {
	cases := []struct {
		name  string
		write func(w http.ResponseWriter)
		ok    bool
	}{
		{"JSON", func(w http.ResponseWriter) { sbi.WriteJSON(w, 200, []int{1}) }, true},
		{"no content", sbi.WriteNoContent, true},
		{"ProblemDetails", func(w http.ResponseWriter) { sbi.WriteProblem(w, sbi.Problem(404, sbi.CauseUserNotFound, "")) }, true},
		{"error without ProblemDetails", func(w http.ResponseWriter) { http.Error(w, "no", 500) }, false},
		{"ProblemDetails without cause", func(w http.ResponseWriter) { sbi.WriteProblem(w, sbi.Problem(400, "", "")) }, false},
		{"body of another type", func(w http.ResponseWriter) { w.Header().Set("Content-Type", "text/plain"); _, _ = w.Write([]byte("x")) }, false},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		c.write(rec)
		if err := sbitest.CheckAnswer(rec); (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestProblemOf(t *testing.T) {
	st, pd, err := sbitest.ProblemOf(openapi.GenericOpenAPIError{ErrorStatus: 403, RawBody: []byte(`{"status":403,"cause":"FORBIDDEN"}`)})
	if err != nil || st != 403 || pd.Cause != "FORBIDDEN" {
		t.Fatalf("got %d %+v %v", st, pd, err)
	}
	if _, _, err := sbitest.ProblemOf(errors.New("refused")); err == nil {
		t.Fatal("a transport error has no ProblemDetails")
	}
	if _, _, err := sbitest.ProblemOf(openapi.GenericOpenAPIError{ErrorStatus: 502, RawBody: []byte(`<html>`)}); err == nil {
		t.Fatal("a body that is not JSON has no ProblemDetails")
	}
}

func TestRaw(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Content-Type") != "application/x-odd" {
			sbi.WriteProblem(w, sbi.Problem(415, sbi.CauseUnsupportedMedia, r.Header.Get("Content-Type")))
			return
		}
		sbi.WriteNoContent(w)
	}))
	defer srv.Close()
	st, ct, pd, err := sbitest.Raw(srv.Client(), http.MethodPost, srv.URL, "", []byte("{"))
	if err != nil || st != 415 || ct != sbi.ContentProblem || pd.Cause != sbi.CauseUnsupportedMedia {
		t.Fatalf("got %d %q %+v %v", st, ct, pd, err)
	}
	st, _, pd, err = sbitest.Raw(srv.Client(), http.MethodPost, srv.URL, "application/x-odd", nil)
	if err != nil || st != 204 || pd.Cause != "" {
		t.Fatalf("got %d %+v %v", st, pd, err)
	}
	if _, _, _, err := sbitest.Raw(srv.Client(), "BAD METHOD", srv.URL, "", nil); err == nil {
		t.Fatal("a bad method is an error")
	}
}
