package amf_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/amf"
	"github.com/credbed/credbed/nf/amf/internal/scripted"
)

// benchGNB is a minimal gNB for benchmarks: UEs demultiplexed by RAN UE
// NGAP ID, no Gomega.
type benchGNB struct {
	ep  transport.StreamEndpoint
	amf netip.AddrPort
	mu  sync.Mutex
	ues map[uint32]chan ngapx.Msg
	rx  chan ngapx.Msg
}

func newBenchGNB(tb testing.TB, net *transport.MemNetwork, addr string, amfAddr netip.AddrPort) *benchGNB {
	g := &benchGNB{amf: amfAddr, ues: map[uint32]chan ngapx.Msg{}, rx: make(chan ngapx.Msg, 16)}
	ep, err := net.ListenStream(transport.N2, netip.MustParseAddrPort(addr), func(_ netip.AddrPort, _ uint16, p []byte) {
		m, err := ngapx.Parse(p)
		if err != nil {
			return
		}
		if ua, ok := m.(ngapx.UEAssociated); ok {
			if ids := ua.UEIDs(); ids.HasRAN {
				g.mu.Lock()
				c := g.ues[ids.RAN]
				g.mu.Unlock()
				if c != nil {
					c <- m
				}
				return
			}
		}
		g.rx <- m
	})
	if err != nil {
		tb.Fatal(err)
	}
	g.ep = ep
	p, _ := nasx.NewPLMN(plmn.MCC, plmn.MNC)
	g.send(&ngapx.NGSetupRequest{GlobalGNBID: ngapx.GlobalGNBID{PLMN: p, GNBID: 1, BitLen: 22},
		SupportedTAs: []ngapx.SupportedTA{{TAC: 1, PLMNs: []ngapx.BroadcastPLMN{{PLMN: p, Slices: []ngapx.SNSSAI{{SST: 1}}}}}}})
	if _, ok := (<-g.rx).(*ngapx.NGSetupResponse); !ok {
		tb.Fatal("NG Setup failed")
	}
	return g
}

func (g *benchGNB) send(m ngapx.Msg) error {
	b, err := m.Build()
	if err != nil {
		return err
	}
	return g.ep.SendStream(context.Background(), g.amf, 1, b)
}

var errRegistration = errors.New("registration failed")

// register runs one initial registration of ue on RAN UE NGAP ID ran.
func (g *benchGNB) register(ue *scripted.UE, ran uint32) error {
	c := make(chan ngapx.Msg, 8)
	g.mu.Lock()
	g.ues[ran] = c
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.ues, ran)
		g.mu.Unlock()
	}()
	p, _ := nasx.NewPLMN(plmn.MCC, plmn.MNC)
	loc := ngapx.UserLocationNR{NRCGI: ngapx.NRCGI{PLMN: p, CellID: 1}, TAI: ngapx.TAI{PLMN: p, TAC: 1}}
	pdu, err := ue.InitialRegistration()
	if err != nil {
		return err
	}
	if err := g.send(&ngapx.InitialUEMessage{RANUENGAPID: ran, NASPDU: pdu, Location: loc, RRCEstablishmentCause: ngapx.RRCMoSignalling}); err != nil {
		return err
	}
	var amfID uint64
	for !ue.Registered {
		var nas []byte
		select {
		case m := <-c:
			switch m := m.(type) {
			case *ngapx.DownlinkNASTransport:
				amfID, nas = m.AMFUENGAPID, m.NASPDU
			case *ngapx.InitialContextSetupRequest:
				amfID, nas = m.AMFUENGAPID, m.NASPDU
				if err := g.send(&ngapx.InitialContextSetupResponse{AMFUENGAPID: amfID, RANUENGAPID: ran}); err != nil {
					return err
				}
			default:
				return fmt.Errorf("%w: %T", errRegistration, m)
			}
		case <-time.After(10 * time.Second):
			return fmt.Errorf("%w: timeout", errRegistration)
		}
		ul, _, err := ue.Respond(nas)
		if err != nil {
			return err
		}
		if ul != nil {
			if err := g.send(&ngapx.UplinkNASTransport{AMFUENGAPID: amfID, RANUENGAPID: ran, NASPDU: ul, Location: loc}); err != nil {
				return err
			}
		}
	}
	return nil
}

// BenchmarkRegistration measures initial registrations (null-scheme SUCI,
// 5G AKA, security mode, UECM, SDM, accept, complete) through the AMF over
// the mem transport, with the in-test AUSF/UDM; the UE side is computed in
// the same process.
func BenchmarkRegistration(b *testing.B) {
	net := transport.NewMem(transport.MemOptions{})
	defer net.Close()
	home := scripted.NewHome(zeroReader{}, plmn.ServingNetworkName())
	var root string
	hh := &homeHandler{h: home, root: func() string { return root }}
	root, _, err := net.ServeSBI(homeAddr, hh.routes())
	if err != nil {
		b.Fatal(err)
	}
	cfg := amf.Config{AUSF: root, UDM: root}
	cfg.PLMN = plmn
	a, err := amf.New(cfg, amf.Deps{Net: net, Clock: clock.NewFake(startTime), Rand: zeroReader{}})
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	g := newBenchGNB(b, net, "127.0.0.61:38412", a.N2Addr())
	ues := make([]*scripted.UE, b.N)
	for i := range ues {
		s := subscriber(i + 1)
		home.Add(s)
		ues[i] = scripted.NewUE(s, plmn)
	}
	var next atomic.Int64
	b.ResetTimer()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			if err := g.register(ues[i], uint32(i+1)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reg/s")
	if c := a.Counts(); c.Contexts != b.N {
		b.Fatalf("contexts %d, want %d", c.Contexts, b.N)
	}
}
