package upf_test

import (
	"context"
	"encoding/binary"
	"net/netip"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/upf"
)

func pps(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pkt/s")
}

// BenchmarkUPFUplink: one G-PDU (QFI container, 100-byte inner packet)
// decapsulated, matched and forwarded to N6 per op.
func BenchmarkUPFUplink(b *testing.B) {
	u, n, teid, ue := discardUPF(b, 1000)
	inner := make([]byte, 100)
	copy(inner, ipv4UDP(ue, netip.MustParseAddr("10.100.0.1")))
	inner[3] = 100
	pkt := gpduQFI(teid, 9, inner)
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		u.HandleN3(gnbN3, pkt)
	}
	pps(b)
	if u.Stats().UplinkForwarded == 0 || n.sent.Load() == 0 {
		b.Fatal("nothing forwarded")
	}
}

// BenchmarkUPFUplinkParallel: the same from every core at once.
func BenchmarkUPFUplinkParallel(b *testing.B) {
	u, _, teid, ue := discardUPF(b, 1000)
	inner := make([]byte, 100)
	copy(inner, ipv4UDP(ue, netip.MustParseAddr("10.100.0.1")))
	inner[3] = 100
	pkt := gpduQFI(teid, 9, inner)
	b.SetBytes(int64(len(pkt)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			u.HandleN3(gnbN3, pkt)
		}
	})
	pps(b)
}

// BenchmarkUPFDownlink: one 100-byte IPv4 packet from N6 matched by UE
// address and encapsulated towards the gNB with the QFI container per op.
func BenchmarkUPFDownlink(b *testing.B) {
	u, n, _, ue := discardUPF(b, 1000)
	pkt := make([]byte, 100)
	copy(pkt, ipv4UDP(netip.MustParseAddr("10.100.0.1"), ue))
	pkt[3] = 100
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for b.Loop() {
		u.HandleN6(gnbN3, pkt)
	}
	pps(b)
	if u.Stats().DownlinkForwarded == 0 || n.sent.Load() == 0 {
		b.Fatal("nothing forwarded")
	}
}

// BenchmarkPFCPSessionEstablishment: one Session Establishment Request
// decoded, installed (UPF-chosen F-TEID, two PDRs, two FARs, one QER) and
// answered per op. Requests are built before the timer starts.
func BenchmarkPFCPSessionEstablishment(b *testing.B) {
	u, _, _, _ := discardUPF(b, 1<<30)
	const batch = 1 << 14
	reqs := make([][]byte, batch)
	next := 0
	build := func() {
		for i := range reqs {
			k := uint32(next + 16)
			next++
			var a [4]byte
			binary.BigEndian.PutUint32(a[:], 10<<24|k)
			s := pfcpx.PDUSession{NodeID: "127.0.0.7", CPSEID: uint64(k), CPAddr: smfN4.Addr(),
				UEIP: netip.AddrFrom4(a), QFI: 9, GNBTEID: k, GNBAddr: gnbN3.Addr()}
			reqs[i] = must(pfcpx.BuildSessionEstablishmentRequest(k%pfcpx.MaxSeq+1, s.Establishment()))
		}
	}
	build()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if i == batch {
			b.StopTimer()
			build()
			i = 0
			b.StartTimer()
		}
		if u.ProcessN4(smfN4, reqs[i]) == nil {
			b.Fatal("no response")
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sessions/s")
}

// BenchmarkUPFUplinkMem: G-PDUs from a gNB-side endpoint through the mem
// transport (copy, chain, queue, delivery goroutine), the UPF, and the mem
// transport again to a data-network-side sink: the end-to-end uplink rate
// in embedded mode.
func BenchmarkUPFUplinkMem(b *testing.B) {
	nw := transport.NewMem(transport.MemOptions{})
	defer nw.Close()
	u, err := upf.New(upf.Config{}, upf.Deps{Net: nw, Clock: clock.NewFake(epoch), Rand: fixedRand()})
	if err != nil {
		b.Fatal(err)
	}
	if err := u.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer u.Close()
	var got atomic.Uint64
	if _, err := nw.Listen(transport.N6, u.Config().DN, func(netip.AddrPort, []byte) { got.Add(1) }); err != nil {
		b.Fatal(err)
	}
	gnb, err := nw.Listen(transport.N3, gnbN3, func(netip.AddrPort, []byte) {})
	if err != nil {
		b.Fatal(err)
	}
	must(pfcpx.ParseResponse(u.ProcessN4(smfN4, must(pfcpx.BuildAssociationSetupRequest(1, "127.0.0.7", epoch)))))
	ue := netip.MustParseAddr("10.60.0.1")
	s := pfcpx.PDUSession{NodeID: "127.0.0.7", CPSEID: 1, CPAddr: smfN4.Addr(), UEIP: ue, QFI: 9, GNBTEID: 1, GNBAddr: gnbN3.Addr()}
	r := must(pfcpx.ParseResponse(u.ProcessN4(smfN4, must(pfcpx.BuildSessionEstablishmentRequest(2, s.Establishment())))))
	f, _ := r.CreatedFTEID(pfcpx.PDRUplink)
	inner := make([]byte, 100)
	copy(inner, ipv4UDP(ue, netip.MustParseAddr("10.100.0.1")))
	inner[3] = 100
	pkt := gpduQFI(f.TEID, 9, inner)
	ctx := context.Background()
	b.SetBytes(int64(len(pkt)))
	b.ResetTimer()
	for range b.N {
		for gnb.Send(ctx, u.Config().N3Addr, pkt) != nil {
			runtime.Gosched()
		}
	}
	for got.Load()+u.Stats().Dropped(upf.DropSendFailed) < uint64(b.N) {
		runtime.Gosched()
	}
	b.StopTimer()
	b.ReportMetric(float64(got.Load())/b.Elapsed().Seconds(), "pkt/s")
}
