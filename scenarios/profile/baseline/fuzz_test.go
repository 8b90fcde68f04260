package baseline_test

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

// FuzzBaselineHandler feeds arbitrary methods, paths, claimed identities
// and bodies to the CPF's baseline API. Invariant: no panic; a success has
// a JSON body, a refusal a ProblemDetails with its status (or the mux
// redirects an unclean path).
func FuzzBaselineHandler(f *testing.F) {
	bg := context.Background()
	core, err := profiletest.NewCore(bg, profiletest.Options{Seed: 2, CPF: func(c *cpf.Config) { c.RateBurst = 1 << 30 }})
	if err != nil {
		f.Fatal(err)
	}
	defer core.Close()
	pd, err := core.NewPD(bg, profiletest.PDOptions{Entitlement: profiletest.DefaultEntitlement(1)})
	if err != nil {
		f.Fatal(err)
	}
	path := "/cpf/baseline" + provproto.PathTargets
	k := `"000102030405060708090a0b0c0d0e0f"`
	f.Add("POST", path, pd.SUPI(), []byte(`{"deviceId":"td-1","k":`+k+`,"opc":`+k+`}`))
	f.Add("POST", path, pd.SUPI(), []byte(`{"deviceId":"td-2","supi":"imsi-001010001001001","k":`+k+`,"opc":`+k+`}`))
	f.Add("DELETE", path+"/imsi-001010001001000", pd.SUPI(), []byte(nil))
	f.Add("GET", path+"/imsi-001010001001000", "imsi-1", []byte(nil))
	f.Add("POST", path, "", []byte(`{`))
	h := core.CPF.Handler()
	f.Fuzz(func(t *testing.T, method, target, claim string, body []byte) {
		req, err := http.NewRequest(method, "http://10.100.0.1"+target, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.RemoteAddr = "10.45.0.8:40000"
		req.Header.Set(provproto.HeaderPDIdentity, claim)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		switch {
		case w.Code >= 300 && w.Code < 400:
		case w.Code >= 400:
			p, err := provproto.DecodeProblem(w.Body.Bytes())
			if err != nil || p.Status != w.Code {
				t.Fatalf("refusal %d without a matching ProblemDetails: %q", w.Code, w.Body.String())
			}
		case w.Code >= 200:
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("success %d without JSON", w.Code)
			}
		default:
			t.Fatalf("status %d", w.Code)
		}
	})
}
