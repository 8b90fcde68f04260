package udr_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/nf/udr"
)

// benchAKA runs the UDR's share of one 5G-AKA as the UDM drives it: GET the
// authentication subscription, PATCH the SQN, PUT the authentication status.
func benchAKA(b *testing.B, cfg udr.Config) {
	u, err := udr.New(cfg, udr.Deps{})
	if err != nil {
		b.Fatal(err)
	}
	defer u.Close()
	subs, err := subscriber.Generate(1000, 1, subscriber.GenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range subs {
		if err := u.Provision(context.Background(), s); err != nil {
			b.Fatal(err)
		}
	}
	h := u.Handler()
	patch := []byte(`[{"op":"replace","path":"/sequenceNumber","value":{"sqn":"000000000021"}}]`)
	status := []byte(`{"nfInstanceId":"ausf","success":true,"timeStamp":"2026-01-01T00:00:00Z","authType":"5G_AKA","servingNetworkName":"5G:mnc001.mcc001.3gppnetwork.org"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		base := udr.PathRoot + "/subscription-data/" + subs[i%len(subs)].SUPI + "/authentication-data/"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", base+"authentication-subscription", nil))
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
		req := httptest.NewRequest("PATCH", base+"authentication-subscription", bytes.NewReader(patch))
		req.Header.Set("Content-Type", "application/json-patch+json")
		w = httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 204 {
			b.Fatal(w.Code)
		}
		req = httptest.NewRequest("PUT", base+"authentication-status", bytes.NewReader(status))
		req.Header.Set("Content-Type", "application/json")
		w = httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 204 {
			b.Fatal(w.Code)
		}
	}
}

func BenchmarkAKAMem(b *testing.B) { benchAKA(b, udr.Config{Store: udr.StoreMem}) }

func BenchmarkAKABoltNoSync(b *testing.B) {
	benchAKA(b, udr.Config{Path: filepath.Join(b.TempDir(), "u.db"), NoSync: true})
}
