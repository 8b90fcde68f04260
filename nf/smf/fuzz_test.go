package smf_test

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/nf/smf"
)

// FuzzDecodeBody: the SBI body decoder never panics and never returns a
// nil body without an error.
func FuzzDecodeBody(f *testing.F) {
	b := &bed{amf: &testAMF{root: "http://127.0.0.5:80"}}
	f.Add(mpCT, mp(b.createData(supiN(1), 1, "internet"), estRequest(1, 1)))
	f.Add("application/json", []byte(`{"supi":"imsi-001010000000001"}`))
	f.Add("multipart/related; boundary=zz", []byte("--zz\r\nContent-Type: application/json\r\n\r\n{}\r\n--zz--\r\n"))
	f.Add("multipart/related; boundary=zz; start=\"<a>\"", []byte("--zz\r\nContent-Id: <a>\r\nContent-Type: application/json\r\n\r\n{}\r\n--zz\r\nContent-Type: application/vnd.3gpp.5gnas\r\n\r\n\x2e\r\n--zz--\r\n"))
	f.Add("multipart/related", []byte("--"))
	f.Add("text/plain", []byte{})
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		d, err := smf.DecodeBody(ct, body)
		if err == nil && (d == nil || d.JSON == nil) {
			t.Fatalf("nil body without error for %q", ct)
		}
	})
}

// FuzzCreateSMContext drives the SMF's SBI handler (create and modify)
// with arbitrary bodies: it never panics, and every answer has a valid
// status and a body type matching it (problem+json or multipart/related
// for errors, multipart/related for 200/201, none for 204).
func FuzzCreateSMContext(f *testing.F) {
	b, err := newBed(bedOptions{fakeUDM: true})
	f.Cleanup(b.close)
	if err != nil {
		f.Fatal(err)
	}
	b.rec.SetLimit(1000)
	if err := b.subscribe(supiN(1)); err != nil {
		f.Fatal(err)
	}
	valid := mp(b.createData(supiN(1), 1, "internet"), estRequest(1, 1))
	js, _ := json.Marshal(b.createData(supiN(1), 1, "internet"))
	rel, _ := (&nasx.PDUSessionReleaseRequest{GSMHeader: nasx.GSMHeader{PDUSessionID: 1, PTI: 2}}).Build()
	upd, _ := json.Marshal(models.SmfPduSessionSmContextUpdateData{N1SmMsg: &models.RefToBinaryData{ContentId: "n1msg"}, UpCnxState: models.UpCnxState_DEACTIVATED})
	for _, path := range []string{"/nsmf-pdusession/v1/sm-contexts", "/nsmf-pdusession/v1/sm-contexts/1/modify"} {
		f.Add(path, mpCT, valid)
		f.Add(path, "application/json", js)
		f.Add(path, mpCT, bytes.Replace(valid, estRequest(1, 1), rel, 1))
		f.Add(path, "application/json", upd)
		f.Add(path, "multipart/related; boundary=x", []byte("--x\r\n\r\n--x--"))
	}
	h := b.smf.Handler()
	f.Fuzz(func(t *testing.T, path, ct string, body []byte) {
		if len(path) == 0 || path[0] != '/' {
			path = "/" + path
		}
		req, err := http.NewRequest(http.MethodPost, "http://127.0.0.7"+path, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", ct)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		st := w.Code
		if st < 200 || st > 599 {
			t.Fatalf("status %d", st)
		}
		mt, _, _ := mime.ParseMediaType(w.Header().Get("Content-Type"))
		switch {
		case st == http.StatusNoContent:
			if w.Body.Len() != 0 {
				t.Fatalf("204 with a body")
			}
		case st >= 400:
			if mt != "application/problem+json" && mt != smf.ContentMultipart {
				t.Fatalf("%d with content type %q", st, mt)
			}
		default:
			if mt != smf.ContentMultipart {
				t.Fatalf("%d with content type %q", st, mt)
			}
		}
	})
}
