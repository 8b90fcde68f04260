package nrf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/nf/nrf"
)

// checkReply asserts the invariant of every NRF answer: a JSON content type
// on a body, and a ProblemDetails whose status equals the HTTP status on errors.
func checkReply(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code >= 400 {
		if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Fatalf("error %d with content type %q", w.Code, ct)
		}
		var pd models.ProblemDetails
		if err := json.Unmarshal(w.Body.Bytes(), &pd); err != nil || int(pd.Status) != w.Code || pd.Cause == "" {
			t.Fatalf("error %d without a usable ProblemDetails: %q", w.Code, w.Body.String())
		}
		return
	}
	if w.Body.Len() > 0 && w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d body with content type %q", w.Code, w.Header().Get("Content-Type"))
	}
}

func fuzzNRF(t *testing.T) *nrf.NF {
	n, err := nrf.New(nrf.Config{APIRoot: "http://127.0.0.10:80"}, nrf.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	p := free5gcAUSF()
	p.NfInstanceId = "keep"
	if _, _, pd := n.Register(context.Background(), "keep", p); pd != nil {
		t.Fatal(pd)
	}
	return n
}

func FuzzNRFRegister(f *testing.F) {
	good, _ := json.Marshal(free5gcAUSF())
	f.Add("x", good)
	f.Add("x", []byte(`{"nfInstanceId":"x","nfType":"UDM","nfStatus":"REGISTERED","nfServiceList":{"a":{"serviceInstanceId":"a","serviceName":"nudm-ueau","versions":[{"apiVersionInUri":"v1","apiFullVersion":"1"}],"scheme":"http","nfServiceStatus":"REGISTERED"}}}`))
	f.Add("keep", []byte(`{"nfType":"AUSF","nfStatus":"REGISTERED","nfServices":[{"serviceInstanceId":"0"}]}`))
	f.Add("y", []byte(`{"nfType":"UDR","nfStatus":"REGISTERED","udrInfo":{"supiRanges":[{"pattern":"[a-"}]},"ipv4Addresses":["::1"]}`))
	f.Add("z", []byte(`{"nfType":7}`))
	f.Add("z", []byte(`null`))
	f.Add("", []byte(`{`))
	f.Fuzz(func(t *testing.T, id string, body []byte) {
		n := fuzzNRF(t)
		before, _ := n.Profile(context.Background(), "keep")
		instances := n.Instances()
		req := httptest.NewRequest("PUT", "/", bytes.NewReader(body))
		req.URL.Path = nrf.PathNFM + "/nf-instances/" + url.PathEscape(id)
		req.URL.RawPath = ""
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		n.Handler().ServeHTTP(w, req)
		checkReply(t, w)
		if w.Code >= 400 {
			after, _ := n.Profile(context.Background(), "keep")
			if !reflect.DeepEqual(before, after) || !reflect.DeepEqual(instances, n.Instances()) {
				t.Fatalf("refused request %d changed stored data", w.Code)
			}
			return
		}
		var p models.NrfNfManagementNfProfile
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatalf("%d body is not an NFProfile: %v", w.Code, err)
		}
		if _, pd := n.Profile(context.Background(), p.NfInstanceId); pd != nil {
			t.Fatalf("accepted profile %q not stored", p.NfInstanceId)
		}
		if _, ok := p.CustomInfo["oauth2"]; ok {
			t.Fatal("oauth2 kept in customInfo")
		}
	})
}

func FuzzNRFUpdate(f *testing.F) {
	f.Add([]byte(`[{"op":"replace","path":"/nfStatus","value":"SUSPENDED"}]`))
	f.Add([]byte(`[{"op":"add","path":"/nfServices/-","value":{"serviceInstanceId":"1"}}]`))
	f.Add([]byte(`[{"op":"move","from":"/nfServices/0","path":"/nfServices/0/x"}]`))
	f.Add([]byte(`[{"op":"copy","from":"/ipv4Addresses","path":"/ipv6Addresses"},{"op":"test","path":"/load","value":null}]`))
	f.Add([]byte(`[{"op":"remove","path":"/nfServices/01"},{"op":"remove","path":"/~1~0"}]`))
	f.Add([]byte(`[{"op":"replace","path":"","value":[]}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n := fuzzNRF(t)
		before, _ := n.Profile(context.Background(), "keep")
		req := httptest.NewRequest("PATCH", nrf.PathNFM+"/nf-instances/keep", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json-patch+json")
		w := httptest.NewRecorder()
		n.Handler().ServeHTTP(w, req)
		checkReply(t, w)
		after, pd := n.Profile(context.Background(), "keep")
		if pd != nil {
			t.Fatalf("profile lost: %v", pd.Detail)
		}
		if w.Code >= 400 && !reflect.DeepEqual(before, after) {
			t.Fatalf("refused patch %d changed the profile", w.Code)
		}
	})
}
