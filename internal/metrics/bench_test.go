package metrics_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credbed/credbed/internal/metrics"
	"github.com/credbed/credbed/internal/trace"
)

// BenchmarkEmit measures the cost of one event per kind once its series
// exist (the steady state of a run).
func BenchmarkEmit(b *testing.B) {
	supis := make([]string, 1024)
	for i := range supis {
		supis[i] = fmt.Sprintf("imsi-0010100%08d", i)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		evs  func(i int) []trace.Event
	}{
		{"message", func(int) []trace.Event {
			return []trace.Event{{Kind: trace.KindMessage, Actor: "amf", Iface: "N1", Name: "AUTHENTICATION RESPONSE", At: base}}
		}},
		{"reject", func(int) []trace.Event {
			return []trace.Event{{Kind: trace.KindReject, Actor: "amf", Iface: "N1", Name: "REGISTRATION REJECT", Cause: "5GMM#3", At: base}}
		}},
		{"request+response", func(i int) []trace.Event {
			s := supis[i%len(supis)]
			return []trace.Event{
				{Kind: trace.KindRequest, Actor: "udm", Name: "Nudm_UEAU_Get", SUPI: s, At: base},
				{Kind: trace.KindResponse, Actor: "udm", Name: "Nudm_UEAU_Get", SUPI: s, Status: 200, At: base.Add(time.Millisecond)},
			}
		}},
		{"state-keyed", func(i int) []trace.Event {
			s := supis[i%len(supis)]
			return []trace.Event{
				{Kind: trace.KindState, Actor: "amf", SUPI: s, Name: "SECURITY-MODE", Detail: "WAIT-AUSF-CONFIRM", At: base},
				{Kind: trace.KindState, Actor: "amf", SUPI: s, Name: "REGISTERED", Detail: "SECURITY-MODE", At: base},
			}
		}},
		{"ue-procedure", func(i int) []trace.Event {
			a := "ue/" + supis[i%len(supis)]
			return []trace.Event{
				{Kind: trace.KindMessage, Actor: a, Iface: "N1", Name: "REGISTRATION REQUEST", At: base},
				{Kind: trace.KindMessage, Actor: a, Iface: "N1", Name: "REGISTRATION ACCEPT", At: base.Add(time.Millisecond)},
			}
		}},
	}
	for _, tc := range cases {
		batches := make([][]trace.Event, len(supis))
		for i := range batches {
			batches[i] = tc.evs(i)
		}
		per := len(batches[0])
		b.Run(tc.name, func(b *testing.B) {
			c := metrics.New(metrics.Options{})
			for _, evs := range batches { // warm: series exist
				for _, e := range evs {
					c.Emit(e)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				for _, e := range batches[i%len(batches)] {
					c.Emit(e)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*per), "ns/event")
		})
		b.Run(tc.name+"/parallel", func(b *testing.B) {
			c := metrics.New(metrics.Options{})
			for _, evs := range batches {
				for _, e := range evs {
					c.Emit(e)
				}
			}
			var worker atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := int(worker.Add(1)) * 512
				for pb.Next() {
					for _, e := range batches[i%len(batches)] {
						c.Emit(e)
					}
					i++
				}
			})
		})
	}
}
