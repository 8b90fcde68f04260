package smf_test

import (
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credbed/credbed/nf/smf"
)

// BenchmarkEstablish measures PDU session establishments through the SMF in
// mem mode: CreateSMContext, subscription check, PFCP establishment,
// N1N2MessageTransfer, and the UpdateSMContext with the gNB's tunnel that
// activates the downlink (TS 23.502 §4.3.2.2.1 steps 3-16).
func BenchmarkEstablish(bm *testing.B) {
	b, err := newBed(bedOptions{cfg: smf.Config{MaxSessions: 1 << 22,
		DNNs: []smf.DNN{{Name: "internet", Pool: netip.MustParsePrefix("10.64.0.0/10")}}}})
	defer b.close()
	if err != nil {
		bm.Fatal(err)
	}
	b.rec.SetLimit(1)
	var next atomic.Int64
	bm.SetParallelism(4)
	bm.ResetTimer()
	start := time.Now()
	bm.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1))
			supi := supiN(i)
			if err := b.subscribe(supi); err != nil {
				bm.Error(err)
				return
			}
			e, err := b.establish(supi, 1)
			if err != nil {
				bm.Error(err)
				return
			}
			if _, err := b.activate(e.ref, uint32(i)); err != nil {
				bm.Error(err)
				return
			}
		}
	})
	bm.ReportMetric(float64(bm.N)/time.Since(start).Seconds(), "sessions/s")
}
