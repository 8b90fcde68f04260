package udr_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"github.com/credbed/credbed/nf/udr"
)

// FuzzUDREntitlement: any body PUT to the entitlement resource is stored
// only when valid, and every refusal is a ProblemDetails; no panic.
func FuzzUDREntitlement(f *testing.F) {
	f.Add([]byte(`{"maxTargets":2,"supiRanges":[{"start":"001010000000000","end":"001010000000099"}]}`))
	f.Add([]byte(`{"maxTargets":1,"supiRanges":[{"start":"00101","end":"0010"}],"devices":["td 1"]}`))
	f.Add([]byte(`{"maxTargets":-3}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		u, sub := fuzzUDR(t)
		req := httptest.NewRequest("PUT", udr.PathRoot+"/subscription-data/"+sub.SUPI+"/provisioning-entitlement", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		u.Handler().ServeHTTP(w, req)
		checkReply(t, w)
		e, err := u.Entitlement(context.Background(), sub.SUPI)
		if w.Code < 300 && (err != nil || e.Validate() != nil) {
			t.Fatalf("accepted %q but stored %+v, %v", body, e, err)
		}
		if w.Code >= 400 && err == nil {
			t.Fatalf("refused %q but stored an entitlement", body)
		}
	})
}
