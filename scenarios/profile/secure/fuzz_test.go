package secure_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/scenarios/profile/profiletest"
)

// FuzzSecureHandler feeds arbitrary methods, paths, Authorization headers
// and bodies to the CPF's secure API. Invariant: no panic; every answer is
// a success with a JSON body, a refusal with a ProblemDetails whose status
// is the HTTP status, or the mux's redirect of an unclean path.
func FuzzSecureHandler(f *testing.F) {
	bg := context.Background()
	core, err := profiletest.NewCore(bg, profiletest.Options{Seed: 1, CPF: func(c *cpf.Config) {
		c.RateBurst, c.AuthFailBurst = 1<<30, 1<<30
	}})
	if err != nil {
		f.Fatal(err)
	}
	defer core.Close()
	pd, err := core.NewPD(bg, profiletest.PDOptions{Entitlement: profiletest.DefaultEntitlement(1)})
	if err != nil {
		f.Fatal(err)
	}
	td, err := core.NewTD()
	if err != nil {
		f.Fatal(err)
	}
	creds, err := pd.AKMA(core.Service.AFID)
	if err != nil {
		f.Fatal(err)
	}
	body, _ := provproto.Encode(&provproto.SecureProvisionRequest{BootstrapURI: td.Bootstrap().URI()})
	path := "/cpf/secure" + provproto.PathTargets
	for i, c := range []struct {
		method, path string
		body         []byte
	}{
		{"POST", path, body},
		{"POST", path, []byte(`{"bootstrapUri":"DPP:I:x;K:AA==;;"}`)},
		{"POST", path + "/imsi-001010001001000/confirm", []byte(`{"operationId":"a","proof":"AAAA"}`)},
		{"DELETE", path + "/imsi-001010001001000", nil},
		{"GET", path + "/imsi-001010001001000", nil},
		{"GET", path + "/%zz", nil},
	} {
		a := provproto.SignRequest(creds, uint64(1000+i), provproto.Request{Method: c.method, Path: c.path, Body: c.body}, provproto.EncodeOptions{})
		f.Add(c.method, c.path, a.Header(), c.body)
	}
	f.Add("POST", path, "", []byte("{"))
	f.Add("POST", path, "AKMA akid=\"a@b\", ctr=\"1\", mac=\"x\"", []byte("null"))
	h := core.CPF.Handler()
	f.Fuzz(func(t *testing.T, method, target, auth string, body []byte) {
		req, err := http.NewRequest(method, "http://10.100.0.1"+target, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.RemoteAddr = "10.45.0.7:40000"
		if auth != "" {
			req.Header.Set(provproto.HeaderAuthorization, auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		checkAnswer(t, w)
	})
}

func checkAnswer(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code < 200 || w.Code > 599 {
		t.Fatalf("status %d", w.Code)
	}
	if w.Code >= 300 && w.Code < 400 {
		return // net/http's ServeMux redirects unclean paths; nothing was processed
	}
	if w.Code >= 400 {
		p, err := provproto.DecodeProblem(w.Body.Bytes())
		if err != nil || p.Status != w.Code {
			t.Fatalf("refusal %d without a matching ProblemDetails: %q", w.Code, w.Body.String())
		}
		return
	}
	if !json.Valid(w.Body.Bytes()) {
		t.Fatalf("success %d without a JSON body", w.Code)
	}
}
