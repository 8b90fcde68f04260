package sbi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

var _ = Describe("Reply", func() {
	It("writes a ProblemDetails with its own status", func() {
		w := httptest.NewRecorder()
		status, cause := sbi.Fail(sbi.Problem(http.StatusForbidden, sbi.CauseForbidden, "no")).Write(w)
		Expect(status).To(Equal(http.StatusForbidden))
		Expect(cause).To(Equal(sbi.CauseForbidden))
		Expect(w.Code).To(Equal(http.StatusForbidden))
		Expect(w.Header().Get("Content-Type")).To(Equal(sbi.ContentProblem))
	})

	It("writes a JSON body with its status, Location and headers", func() {
		w := httptest.NewRecorder()
		status, cause := sbi.Reply{Status: http.StatusCreated, Body: map[string]int{"a": 1}, Location: "http://127.0.0.1/x/1",
			Header: map[string]string{"Cache-Control": "max-age=5"}}.Write(w)
		Expect(status).To(Equal(http.StatusCreated))
		Expect(cause).To(BeEmpty())
		Expect(w.Code).To(Equal(http.StatusCreated))
		Expect(w.Header().Get("Location")).To(Equal("http://127.0.0.1/x/1"))
		Expect(w.Header().Get("Cache-Control")).To(Equal("max-age=5"))
		Expect(w.Body.String()).To(MatchJSON(`{"a":1}`))
	})

	It("writes a status alone", func() {
		w := httptest.NewRecorder()
		status, _ := sbi.Reply{Status: http.StatusNoContent, Location: "ignored without a body"}.Write(w)
		Expect(status).To(Equal(http.StatusNoContent))
		Expect(w.Code).To(Equal(http.StatusNoContent))
		Expect(w.Header().Get("Location")).To(BeEmpty())
		Expect(w.Body.Len()).To(BeZero())
	})
})

var _ = Describe("NewMux with Traced", func() {
	var (
		rec *trace.Recorder
		mux http.Handler
	)
	supiOf := func(r *http.Request) string { return r.PathValue("supi") }
	BeforeEach(func() {
		rec = trace.NewRecorder(nil)
		mux = sbi.NewMux([]sbi.Route{
			{Method: "GET", Path: "/x/v1/{supi}/data", Op: "Get", Handle: func(r *http.Request) sbi.Reply {
				return sbi.Reply{Status: http.StatusOK, Body: []int{1}}
			}},
			{Method: "POST", Path: "/x/v1/{supi}/data", Op: "Post", Handle: func(r *http.Request) sbi.Reply {
				return sbi.Reply{Problem: sbi.Problem(http.StatusNotFound, sbi.CauseUserNotFound, "who"), SUPI: "imsi-001010000000002"}
			}},
		}, sbi.Traced(rec.Emit, supiOf))
	})
	do := func(method, path string) (*httptest.ResponseRecorder, models.ProblemDetails) {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(method, path, nil))
		var pd models.ProblemDetails
		_ = json.Unmarshal(w.Body.Bytes(), &pd)
		return w, pd
	}

	It("serves a route and traces request and response with the SUPI of the path", func() {
		w, _ := do("GET", "/x/v1/imsi-001010000000001/data")
		Expect(w.Code).To(Equal(http.StatusOK))
		Expect(rec.Events()).To(HaveLen(2))
		Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindRequest, Name: "Get", SUPI: "imsi-001010000000001", Detail: "GET"}))).To(Equal(1))
		Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindResponse, Name: "Get", SUPI: "imsi-001010000000001", Status: 200}))).To(Equal(1))
	})

	It("traces a ProblemDetails as a reject, with the Reply's SUPI", func() {
		w, pd := do("POST", "/x/v1/imsi-001010000000001/data")
		Expect(w.Code).To(Equal(http.StatusNotFound))
		Expect(pd.Cause).To(Equal(sbi.CauseUserNotFound))
		Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindReject, Name: "Post", SUPI: "imsi-001010000000002", Status: 404, Cause: sbi.CauseUserNotFound, Detail: "who"}))).To(Equal(1))
		Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindResponse, Name: "Post", SUPI: "imsi-001010000000002", Status: 404, Cause: sbi.CauseUserNotFound}))).To(Equal(1))
	})

	// Reference: TS 29.500 §5.2.7.2 (405 and 404 with ProblemDetails)
	DescribeTable("answers what no route takes",
		func(method, path string, status int, cause string) {
			w, pd := do(method, path)
			Expect(w.Code).To(Equal(status))
			Expect(pd.Cause).To(Equal(cause))
			Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindResponse, Name: sbi.OpUnknown, Status: status, Cause: cause}))).To(Equal(1))
		},
		Entry("another method on a routed path", "DELETE", "/x/v1/imsi-001010000000001/data", http.StatusMethodNotAllowed, sbi.CauseMethodNotAllowed),
		Entry("another path", "GET", "/y", http.StatusNotFound, sbi.CauseResourceNotFound),
	)
})
