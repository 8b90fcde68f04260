package gnb_test

import (
	"context"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/ue/gnb"
)

type nopTerminal struct{}

func (nopTerminal) ReceiveNAS([]byte)   {}
func (nopTerminal) ConnectionReleased() {}
func (nopTerminal) SessionReady(uint8)  {}

// FuzzGNBNGAP feeds arbitrary bytes to the gNB's N2 entry (HandleN2) of a
// started gNB with a user plane and one connected UE. Invariant: no panic,
// and the gNB keeps its state consistent enough to report Stats.
func FuzzGNBNGAP(f *testing.F) {
	mem := transport.NewMem(transport.MemOptions{})
	f.Cleanup(func() { _ = mem.Close() })
	var amf transport.StreamEndpoint
	amf, err := mem.ListenStream(transport.N2, amfAddr, func(from netip.AddrPort, stream uint16, b []byte) {
		if m, err := ngapx.Parse(b); err == nil {
			if _, ok := m.(*ngapx.NGSetupRequest); ok {
				resp, _ := (&ngapx.NGSetupResponse{AMFName: "amf", RelativeAMFCapacity: 1,
					ServedGUAMIs: []ngapx.GUAMI{{PLMN: nasx.PLMN{0x00, 0xf1, 0x10}, AMFRegionID: 1, AMFSetID: 1, AMFPointer: 1}},
					PLMNSupport:  []ngapx.PLMNSupport{{PLMN: nasx.PLMN{0x00, 0xf1, 0x10}, Slices: []nasx.SNSSAI{{SST: 1}}}}}).Build()
				_ = amf.SendStream(context.Background(), from, 0, resp)
			}
		}
	})
	if err != nil {
		f.Fatal(err)
	}
	g, err := gnb.New(gnb.Config{PLMN: plmn, AMFAddr: amfAddr, N3Addr: netip.MustParseAddrPort("127.0.0.31:2152")},
		gnb.Deps{Net: mem, Rand: rand.NewChaCha8([32]byte{3})})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = g.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := g.Start(ctx); err != nil {
		f.Fatal(err)
	}
	l := g.Connect(nopTerminal{})
	if err := l.SendNAS(ctx, []byte{0x7e, 0, 0x41, 0x79, 0, 1, 0}); err != nil {
		f.Fatal(err)
	}
	ran, _, _, _ := l.IDs()
	tr, _ := (&ngapx.PDUSessionSetupRequestTransfer{ULTunnel: ngapx.GTPTunnel{Addr: upfAddr.Addr(), TEID: 9},
		PDUSessionType: ngapx.PDUSessionTypeIPv4, QoSFlows: []ngapx.QoSFlowSetup{{QFI: 1, FiveQI: 9, ARP: ngapx.ARP{Priority: 1}}}}).Build()
	rel, _ := (&ngapx.PDUSessionCauseTransfer{Cause: ngapx.CauseNASNormalRelease}).BuildReleaseCommand()
	cause := ngapx.CauseProtocolUnspecified
	for _, m := range []ngapx.Msg{
		&ngapx.DownlinkNASTransport{AMFUENGAPID: 5, RANUENGAPID: ran, NASPDU: []byte{0x7e, 0, 0x5b, 1}},
		&ngapx.DownlinkNASTransport{AMFUENGAPID: 5, RANUENGAPID: ran + 1, NASPDU: []byte{0x7e, 0, 0x5b, 1}},
		&ngapx.InitialContextSetupRequest{AMFUENGAPID: 5, RANUENGAPID: ran, GUAMI: ngapx.GUAMI{PLMN: nasx.PLMN{0x00, 0xf1, 0x10}},
			AllowedNSSAI: []nasx.SNSSAI{{SST: 1}}, NASPDU: []byte{0x7e, 0, 0x42}},
		&ngapx.PDUSessionResourceSetupRequest{AMFUENGAPID: 5, RANUENGAPID: ran,
			PDUSessions: []ngapx.PDUSessionSetupItem{{ID: 1, NASPDU: []byte{0x7e, 0, 0x68}, SNSSAI: nasx.SNSSAI{SST: 1}, Transfer: tr}}},
		&ngapx.PDUSessionResourceReleaseCommand{AMFUENGAPID: 5, RANUENGAPID: ran, PDUSessions: []ngapx.PDUSessionItem{{ID: 1, Transfer: rel}}},
		&ngapx.UEContextReleaseCommand{AMFUENGAPID: 5, RANUENGAPID: &ran, Cause: ngapx.CauseNASNormalRelease},
		&ngapx.ErrorIndication{Cause: &cause},
		&ngapx.NGSetupFailure{Cause: cause},
	} {
		b, err := m.Build()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{0x00, 0x04, 0x40})
	f.Fuzz(func(t *testing.T, b []byte) {
		g.HandleN2(amfAddr, 1, b)
		_ = g.Stats()
	})
}
