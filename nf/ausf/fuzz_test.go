package ausf_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/sbi/sbitest"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/ausf"
	"github.com/credbed/credbed/nf/ausf/eapaka"
	"github.com/credbed/credbed/nf/udm"
	"github.com/credbed/credbed/nf/udr"
)

// fuzzAUSF wires a UDR, a UDM and an AUSF on a mem network (no NRF: the
// roots are configured), with one 5G AKA and one EAP-AKA' subscriber, and
// returns the AUSF handler and a live context id of each kind.
func fuzzAUSF(tb testing.TB) (h http.Handler, akaCtx, eapCtx string) {
	clk := clock.NewFake(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	n := transport.NewMem(transport.MemOptions{})
	tb.Cleanup(func() { _ = n.Close() })
	u, err := udr.New(udr.Config{Store: udr.StoreMem}, udr.Deps{Clock: clk})
	if err != nil {
		tb.Fatal(err)
	}
	udrRoot, _, err := n.ServeSBI(addrUDR, u.Handler())
	if err != nil {
		tb.Fatal(err)
	}
	for i, m := range []string{subscriber.AuthMethod5GAKA, subscriber.AuthMethodEAPAKAPrime} {
		subs, err := subscriber.Generate(1, int64(i), subscriber.GenOptions{PLMN: plmnID, AuthMethod: m, StartMSIN: []string{"0000000001", "0000000002"}[i]})
		if err != nil {
			tb.Fatal(err)
		}
		if err := u.Provision(context.Background(), subs[0]); err != nil {
			tb.Fatal(err)
		}
	}
	d, err := udm.New(udm.Config{Addr: addrUDM, UDRAPIRoot: udrRoot}, udm.Deps{Clock: clk, Net: n})
	if err != nil {
		tb.Fatal(err)
	}
	if err := d.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	a, err := ausf.New(ausf.Config{Addr: addrAUSF, ServingNetworks: []string{snn}, UDMAPIRoot: d.APIRoot(), ContextTTL: 1000 * time.Hour},
		ausf.Deps{Clock: clk, Net: n})
	if err != nil {
		tb.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = a.Close() })
	for i, supi := range []string{"imsi-001010000000001", "imsi-001010000000002"} {
		out, id, pd := a.Authenticate(context.Background(), models.AuthenticationInfo{SupiOrSuci: supi, ServingNetworkName: snn})
		if pd != nil || out == nil {
			tb.Fatalf("authenticate %s: %+v", supi, pd)
		}
		if i == 0 {
			akaCtx = id
		} else {
			eapCtx = id
		}
	}
	return a.Handler(), akaCtx, eapCtx
}

// FuzzAUSFHandlers sends arbitrary bodies to every AUSF handler (with live
// contexts, so that bodies reach the RES* and EAP checks): never a panic,
// always a JSON answer or a ProblemDetails.
func FuzzAUSFHandlers(f *testing.F) {
	kaut := make([]byte, 32)
	resp, _ := eapaka.BuildChallengeResponse(1, []byte{1, 2, 3, 4, 5, 6, 7, 8}, kaut)
	sync, _ := eapaka.BuildSyncFailure(1, [14]byte{})
	seeds := []string{
		`{"supiOrSuci":"imsi-001010000000001","servingNetworkName":"` + snn + `"}`,
		`{"supiOrSuci":"suci-0-001-01-0-0-0-0000000002","servingNetworkName":"` + snn + `","resynchronizationInfo":{"rand":"00000000000000000000000000000000","auts":"0000000000000000000000000000"}}`,
		`{"resStar":"00000000000000000000000000000000"}`,
		`{"eapPayload":"` + base64.StdEncoding.EncodeToString(resp) + `"}`,
		`{"eapPayload":"` + base64.StdEncoding.EncodeToString(sync) + `"}`,
		`{"eapPayload":"AgEACDIBAAA="}`,
	}
	for sel := range 4 {
		for _, s := range seeds {
			f.Add(uint8(sel), []byte(s))
		}
	}
	h, akaCtx, eapCtx := fuzzAUSF(f)
	f.Fuzz(func(t *testing.T, sel uint8, body []byte) {
		var method, path string
		switch sel % 4 {
		case 0:
			method, path = "POST", ausf.PathUEAuthentications
		case 1:
			// a failed confirmation consumes the context: use a copy of the live one only for malformed bodies
			method, path = "PUT", ausf.PathUEAuthentications+"/"+akaCtx+"x/5g-aka-confirmation"
		case 2:
			method, path = "POST", ausf.PathUEAuthentications+"/"+eapCtx+"/eap-session"
		default:
			method, path = "PUT", ausf.PathUEAuthentications+"/"+eapCtx+"/5g-aka-confirmation"
		}
		req := httptest.NewRequest(method, "http://127.0.0.9:80"+path, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if err := sbitest.CheckAnswer(rec); err != nil {
			t.Fatal(err)
		}
	})
}
