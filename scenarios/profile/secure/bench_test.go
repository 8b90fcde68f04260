package secure_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/scenarios/profile/profiletest"
)

// BenchmarkSecureLifecycle measures provision + confirm + deprovision
// through the CPF's secure API in mem mode (real UDR, AAnF and NRF; the PD
// side played with internal/provproto; the TD opens the sealed package to
// compute its proof of possession). Report: lifecycles per second.
func BenchmarkSecureLifecycle(b *testing.B) {
	bg := context.Background()
	core, err := profiletest.NewCore(bg, profiletest.Options{Seed: 1, CPF: func(c *cpf.Config) {
		c.RateBurst, c.RatePerSecond = 1<<30, 1e9
	}})
	if err != nil {
		b.Fatal(err)
	}
	defer core.Close()
	pd, err := core.NewPD(bg, profiletest.PDOptions{Entitlement: &udr.Entitlement{MaxTargets: 1 << 20,
		SupiRanges: []udr.SupiRange{{Start: "001010100000000", End: "001010199999999"}}}})
	if err != nil {
		b.Fatal(err)
	}
	td, err := core.NewTD()
	if err != nil {
		b.Fatal(err)
	}
	body, _ := provproto.Encode(&provproto.SecureProvisionRequest{BootstrapURI: td.Bootstrap().URI()})
	do := func(method, path string, body []byte, want int) []byte {
		ans, _, err := pd.Secure(bg, method, path, body, 0, provproto.EncodeOptions{})
		if err != nil || ans.Status != want {
			b.Fatalf("%s %s: %v %d %s", method, path, err, ans.Status, ans.Body)
		}
		return ans.Body
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var rsp provproto.ProvisionResponse
		if err := provproto.Decode(do(http.MethodPost, provproto.PathTargets, body, http.StatusCreated), &rsp); err != nil {
			b.Fatal(err)
		}
		pkg, err := td.Open(rsp.Sealed)
		if err != nil {
			b.Fatal(err)
		}
		proof, _ := pkg.Proof()
		cb, _ := provproto.Encode(&provproto.ConfirmRequest{OperationID: rsp.OperationID, Proof: proof[:]})
		do(http.MethodPost, provproto.ConfirmPath(rsp.SUPI), cb, http.StatusOK)
		do(http.MethodDelete, provproto.TargetPath(rsp.SUPI), nil, http.StatusOK)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lifecycles/s")
}
