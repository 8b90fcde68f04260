package aanf_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/aanf"
)

// FuzzAAnFHandlers sends arbitrary bodies to every AAnF handler: never a
// panic, always a JSON answer or a ProblemDetails.
func FuzzAAnFHandlers(f *testing.F) {
	var kausf aka.Key256
	k, _ := aka.KAKMA(kausf, supi)
	atid, _ := aka.ATID(kausf, supi)
	akid, _ := aka.AKID("0", atid, realm)
	reg, _ := json.Marshal(aanf.AkmaKeyInfo{Supi: supi, AKId: akid, KAkma: hex.EncodeToString(k[:])})
	get, _ := json.Marshal(aanf.AkmaAfKeyRequest{AfID: afID, AKId: akid})
	rm, _ := json.Marshal(aanf.CtxRemove{Supi: supi})
	for sel, s := range [][]byte{reg, get, rm} {
		f.Add(uint8(sel), s)
		f.Add(uint8(sel), []byte(`{"supi":null,"aKId":[]}`))
	}
	n := transport.NewMem(transport.MemOptions{})
	f.Cleanup(func() { _ = n.Close() })
	a, err := aanf.New(aanf.Config{Addr: netip.MustParseAddrPort("127.0.0.19:80")}, aanf.Deps{Clock: clock.NewFake(time.Unix(0, 0)), Net: n})
	if err != nil {
		f.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = a.Close() })
	h := a.Handler()
	paths := []string{aanf.PathRegister, aanf.PathRetrieveAppKey, aanf.PathRemoveContext}
	f.Fuzz(func(t *testing.T, sel uint8, body []byte) {
		req := httptest.NewRequest("POST", "http://127.0.0.19:80"+paths[int(sel)%len(paths)], strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		ct := rec.Header().Get("Content-Type")
		if rec.Code >= 400 {
			var pd models.ProblemDetails
			if ct != sbi.ContentProblem || json.Unmarshal(rec.Body.Bytes(), &pd) != nil || int(pd.Status) != rec.Code || pd.Cause == "" {
				t.Fatalf("error %d without a proper ProblemDetails: %q", rec.Code, rec.Body.String())
			}
		} else if rec.Body.Len() > 0 && ct != sbi.ContentJSON {
			t.Fatalf("content type %q", ct)
		}
	})
}
