package transport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"runtime"
	"testing"

	"github.com/credbed/credbed/internal/transport"
)

var benchBody = []byte(`{"servingNetworkName":"5G:mnc001.mcc001.3gppnetwork.org","ausfInstanceId":"8a2d4f4e-0000-4000-8000-000000000001"}`)

// benchHandler reads the body and answers a typical small JSON document.
func benchHandler() http.Handler {
	rsp := []byte(`{"authType":"5G_AKA","supi":"imsi-001010000000001","authenticationVector":{"avType":"5G_HE_AKA","rand":"00112233445566778899aabbccddeeff"}}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(rsp)
	})
}

func benchSBI(b *testing.B, nw transport.Network) {
	b.Helper()
	defer nw.Close()
	root, _, err := nw.ServeSBI(netip.MustParseAddrPort("127.0.0.101:0"), benchHandler())
	if err != nil {
		b.Fatal(err)
	}
	c := nw.SBIClient(netip.MustParseAddrPort("127.0.0.102:0"))
	url := root + "/nudm-ueau/v1/suci-0-001-01-0000-0-0-0000000001/security-information/generate-auth-data"
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(benchBody))
			req.Header.Set("Content-Type", "application/json")
			rsp, err := c.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, rsp.Body)
			rsp.Body.Close()
			if rsp.StatusCode != http.StatusOK {
				b.Errorf("status %d", rsp.StatusCode)
				return
			}
		}
	})
}

// BenchmarkMemSBIRoundTrip is one SBI request/response through the mem
// round tripper and a real handler (the hot path of every registration).
func BenchmarkMemSBIRoundTrip(b *testing.B) {
	benchSBI(b, transport.NewMem(transport.MemOptions{}))
}

// BenchmarkMemSBIRoundTripObserved adds one observer to the chain.
func BenchmarkMemSBIRoundTripObserved(b *testing.B) {
	nw := transport.NewMem(transport.MemOptions{})
	nw.Chain().Add("obs", func(p transport.Packet) []transport.Packet { return []transport.Packet{p} })
	benchSBI(b, nw)
}

// BenchmarkNetSBIRoundTrip is the same over h2c on loopback.
func BenchmarkNetSBIRoundTrip(b *testing.B) {
	benchSBI(b, transport.NewNet(transport.NetOptions{}))
}

// BenchmarkMemEndpointSendDeliver is one N2-sized message sent and handed
// to the destination's handler.
func BenchmarkMemEndpointSendDeliver(b *testing.B) {
	nw := transport.NewMem(transport.MemOptions{QueueLen: 1 << 16})
	defer nw.Close()
	done := make(chan struct{}, 1)
	n := 0
	target := 0
	dst, err := nw.Listen(transport.N2, netip.MustParseAddrPort("127.0.0.103:38412"), func(netip.AddrPort, []byte) {
		n++
		if n == target {
			done <- struct{}{}
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	src, err := nw.Listen(transport.N2, netip.MustParseAddrPort("127.0.0.104:38412"), nil)
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, 120)
	ctx := context.Background()
	target = b.N
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for {
			err := src.Send(ctx, dst.LocalAddr(), msg)
			if err == nil {
				break
			}
			// the queue is full: let the delivery goroutine catch up
			if !errors.Is(err, transport.ErrQueueFull) {
				b.Fatal(err)
			}
			runtime.Gosched()
		}
	}
	<-done
}
