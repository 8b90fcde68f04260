package nrf_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/nf/nrf"
)

// BenchmarkDiscover is the AUSF's per-authentication UDM discovery with a
// dozen registered NFs.
func BenchmarkDiscover(b *testing.B) {
	n, err := nrf.New(nrf.Config{}, nrf.Deps{})
	if err != nil {
		b.Fatal(err)
	}
	for i, t := range []models.NrfNfManagementNfType{"UDM", "UDR", "AUSF", "AMF", "SMF", "AANF", "UDM", "UDR", "AUSF", "AMF", "SMF", "AANF"} {
		p, err := sbi.Profile(t, fmt.Sprintf("nf-%d", i), fmt.Sprintf("http://127.0.0.%d:80", i+1),
			models.ServiceName_NUDM_UEAU, models.ServiceName_NUDM_SDM, models.ServiceName_NUDR_DR)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, pd := n.Register(context.Background(), p.NfInstanceId, p); pd != nil {
			b.Fatal(pd)
		}
	}
	h := n.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", nrf.PathDisc+"/nf-instances?target-nf-type=UDM&requester-nf-type=AUSF&service-names=nudm-ueau", nil))
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
