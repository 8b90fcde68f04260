package ue_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/internal/netsim"
)

// BenchmarkRegisteredUEMemory reports the heap held by one registered, idle
// UE (USIM, 5GMM machine with its NAS security context and GUTI, driver
// state), after its cell is detached. Target: <= 16 KiB per idle UE.
func BenchmarkRegisteredUEMemory(b *testing.B) {
	const n = 2000
	r := rand.NewChaCha8([32]byte{5})
	for i := 0; i < b.N; i++ {
		ues := make([]*ue.UE, 0, n)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for j := 0; j < n; j++ {
			c, ring, err := netsim.NewCredential(r, ident.SchemeNull, fmt.Sprintf("%010d", j+1))
			if err != nil {
				b.Fatal(err)
			}
			u, err := ue.New(ue.Config{Credential: &c, GMM: gmmConfig()}, ue.Deps{Rand: r})
			if err != nil {
				b.Fatal(err)
			}
			u.AttachRadio(&scriptRadio{net: netsim.New(c, ring, r), u: u})
			if res, err := u.Register(context.Background()); err != nil || !res.Accepted {
				b.Fatalf("registration: %v %+v", err, res)
			}
			u.AttachRadio(nil)
			ues = append(ues, u)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/idle-UE")
		runtime.KeepAlive(ues)
	}
}
