package udm_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/sbi/sbitest"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/udm"
	"github.com/credbed/credbed/nf/udr"
)

// fuzzOps are the UDM's handlers as (method, path) with a valid seed body.
var fuzzOps = []struct {
	method, path, ctype, seed string
}{
	{"POST", udm.PathUEAU + "/imsi-001010000000001/security-information/generate-auth-data", "application/json", `{"servingNetworkName":"` + snn + `","ausfInstanceId":"a"}`},
	{"POST", udm.PathUEAU + "/suci-0-001-01-0-0-0-0000000001/security-information/generate-auth-data", "application/json", `{"servingNetworkName":"` + snn + `","resynchronizationInfo":{"rand":"00000000000000000000000000000000","auts":"0000000000000000000000000000"}}`},
	{"POST", udm.PathUEAU + "/imsi-001010000000001/auth-events", "application/json", `{"nfInstanceId":"a","success":true,"timeStamp":"2025-01-01T00:00:00Z","authType":"5G_AKA","servingNetworkName":"` + snn + `"}`},
	{"PUT", udm.PathUECM + "/imsi-001010000000001/registrations/amf-3gpp-access", "application/json", `{"amfInstanceId":"a","deregCallbackUri":"http://127.0.0.2/cb","guami":{"plmnId":{"mcc":"001","mnc":"01"},"amfId":"cafe00"},"ratType":"NR"}`},
	{"PATCH", udm.PathUECM + "/imsi-001010000000001/registrations/amf-3gpp-access", udm.ContentMergePatch, `{"guami":{"plmnId":{"mcc":"001","mnc":"01"},"amfId":"cafe00"},"purgeFlag":true}`},
	{"GET", udm.PathUECM + "/imsi-001010000000001/registrations/amf-3gpp-access", "", ``},
	{"GET", udm.PathSDM + "/imsi-001010000000001/am-data", "", ``},
	{"GET", udm.PathSDM + "/imsi-001010000000001/sm-data?dnn=internet", "", ``},
	{"POST", udm.PathDataChange + "/x", "application/json", `{"ueId":"imsi-001010000000001","notifyItems":[{"resourceId":"http://127.0.0.4/nudr-dr/v2/subscription-data/imsi-001010000000001","changes":[{"op":"REMOVE","path":""}]}]}`},
}

// fuzzUDM wires a UDR and a UDM on a mem network (no NRF: the UDR root is
// configured) and returns the UDM handler.
func fuzzUDM(tb testing.TB) http.Handler {
	clk := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	n := transport.NewMem(transport.MemOptions{})
	tb.Cleanup(func() { _ = n.Close() })
	u, err := udr.New(udr.Config{Store: udr.StoreMem}, udr.Deps{Clock: clk, HTTP: n.SBIClient(addrUDR)})
	if err != nil {
		tb.Fatal(err)
	}
	root, _, err := n.ServeSBI(addrUDR, u.Handler())
	if err != nil {
		tb.Fatal(err)
	}
	subs, err := subscriber.Generate(1, 1, subscriber.GenOptions{PLMN: plmnID})
	if err != nil {
		tb.Fatal(err)
	}
	if err := u.Provision(context.Background(), subs[0]); err != nil {
		tb.Fatal(err)
	}
	d, err := udm.New(udm.Config{Addr: addrUDM, UDRAPIRoot: root}, udm.Deps{Clock: clk, Net: n})
	if err != nil {
		tb.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	_, _, _ = n.ServeSBI(netip.MustParseAddrPort("127.0.0.2:80"), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	return d.Handler()
}

// FuzzUDMHandlers sends arbitrary bodies to every UDM handler: never a
// panic, always a JSON answer or a ProblemDetails.
func FuzzUDMHandlers(f *testing.F) {
	for i, op := range fuzzOps {
		f.Add(uint8(i), []byte(op.seed), false)
		f.Add(uint8(i), []byte(`{"x":`), true)
	}
	f.Add(uint8(0), []byte(`{"servingNetworkName":"5G:mnc001.mcc001.3gppnetwork.org","resynchronizationInfo":null}`), false)
	h := fuzzUDM(f)
	f.Fuzz(func(t *testing.T, sel uint8, body []byte, badType bool) {
		op := fuzzOps[int(sel)%len(fuzzOps)]
		ctype := op.ctype
		if badType {
			ctype = "application/xml"
		}
		req := httptest.NewRequest(op.method, "http://127.0.0.3:80"+op.path, strings.NewReader(string(body)))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if err := sbitest.CheckAnswer(rec); err != nil {
			t.Fatal(err)
		}
	})
}
