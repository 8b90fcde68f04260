package amf_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/amf"
	"github.com/credbed/credbed/nf/amf/internal/scripted"
)

// FuzzAMFNGAP feeds arbitrary NGAP PDUs to the AMF's N2 entry point
// (NF.HandleN2) from a gNB that completed NG Setup, with the in-test AUSF
// and UDM behind it. Invariant: no panic (in the N2 handler or in the
// workers that process what it queues) and the AMF still answers NG Setup.
func FuzzAMFNGAP(f *testing.F) {
	net := transport.NewMem(transport.MemOptions{})
	defer net.Close()
	home := scripted.NewHome(zeroReader{}, plmn.ServingNetworkName())
	sub := subscriberPlain(1)
	home.Add(sub)
	var root string
	hh := &homeHandler{h: home, root: func() string { return root }}
	root, _, err := net.ServeSBI(homeAddr, hh.routes())
	if err != nil {
		f.Fatal(err)
	}
	cfg := amf.Config{AUSF: root, UDM: root, Workers: 2}
	cfg.PLMN = plmn
	a, err := amf.New(cfg, amf.Deps{Net: net, Clock: clock.NewFake(startTime), Rand: zeroReader{}})
	if err != nil {
		f.Fatal(err)
	}
	if err := a.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	defer a.Close()
	gnbAddr := netip.MustParseAddrPort("127.0.0.60:38412")
	got := make(chan []byte, 1024)
	ep, err := net.Listen(transport.N2, gnbAddr, func(_ netip.AddrPort, p []byte) {
		select {
		case got <- p:
		default:
		}
	})
	if err != nil {
		f.Fatal(err)
	}
	defer ep.Close()
	p, _ := nasx.NewPLMN(plmn.MCC, plmn.MNC)
	setup, _ := (&ngapx.NGSetupRequest{GlobalGNBID: ngapx.GlobalGNBID{PLMN: p, GNBID: 1, BitLen: 22},
		SupportedTAs: []ngapx.SupportedTA{{TAC: 1, PLMNs: []ngapx.BroadcastPLMN{{PLMN: p, Slices: []ngapx.SNSSAI{{SST: 1}}}}}}}).Build()
	a.HandleN2(gnbAddr, 0, setup)
	<-got
	ue := scripted.NewUE(sub, plmn)
	reg, _ := ue.InitialRegistration()
	loc := ngapx.UserLocationNR{NRCGI: ngapx.NRCGI{PLMN: p, CellID: 1}, TAI: ngapx.TAI{PLMN: p, TAC: 1}}
	for _, m := range []ngapx.Msg{
		&ngapx.InitialUEMessage{RANUENGAPID: 1, NASPDU: reg, Location: loc, RRCEstablishmentCause: ngapx.RRCMoSignalling},
		&ngapx.UplinkNASTransport{AMFUENGAPID: 1, RANUENGAPID: 1, NASPDU: []byte{0x7e, 0, 0x43}, Location: loc},
		&ngapx.InitialContextSetupResponse{AMFUENGAPID: 1, RANUENGAPID: 1},
		&ngapx.UEContextReleaseComplete{AMFUENGAPID: 1, RANUENGAPID: 1},
		&ngapx.ErrorIndication{},
	} {
		b, err := m.Build()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(setup)
	f.Add([]byte{})
	f.Add([]byte{0x00, 0x0f, 0x40, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		a.HandleN2(gnbAddr, 1, data)
		for {
			select {
			case <-got:
				continue
			default:
			}
			break
		}
	})
}

func subscriberPlain(i int) scripted.Subscriber {
	supi, _ := ident.NewIMSI(plmn, "0000000001")
	s := scripted.Subscriber{SUPI: supi}
	for j := range s.K {
		s.K[j] = byte(i + j)
		s.OPc[j] = byte(2*i + j)
	}
	return s
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i * 7)
	}
	return len(p), nil
}
