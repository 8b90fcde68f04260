package upf_test

import (
	"context"
	"net/netip"
	"testing"

	gtpie "github.com/wmnsk/go-gtp/gtpv1/ie"
	gtpmsg "github.com/wmnsk/go-gtp/gtpv1/message"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/nf/upf"
)

var (
	smfN4 = netip.MustParseAddrPort("127.0.0.7:8805")
	gnbN3 = netip.MustParseAddrPort("127.0.0.20:2152")
)

// discardUPF is a started UPF on a discardNet with one associated SMF and
// one PDU session (uplink TEID and UE address returned) whose downlink is
// active.
func discardUPF(tb testing.TB, maxSessions int) (*upf.UPF, *discardNet, uint32, netip.Addr) {
	tb.Helper()
	n := &discardNet{}
	u, err := upf.New(upf.Config{MaxSessions: maxSessions},
		upf.Deps{Net: n, Clock: clock.NewFake(epoch), Rand: fixedRand()})
	if err != nil {
		tb.Fatal(err)
	}
	if err := u.Start(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = u.Close() })
	assoc := u.ProcessN4(smfN4, must(pfcpx.BuildAssociationSetupRequest(1, "127.0.0.7", epoch)))
	if r, err := pfcpx.ParseResponse(assoc); err != nil || r.Cause != pfcpx.CauseRequestAccepted {
		tb.Fatalf("association: %v %v", r, err)
	}
	ue := netip.MustParseAddr("10.60.0.1")
	s := pfcpx.PDUSession{NodeID: "127.0.0.7", CPSEID: 1, CPAddr: smfN4.Addr(), UEIP: ue, QFI: 9,
		GNBTEID: 0x100, GNBAddr: gnbN3.Addr()}
	r, err := pfcpx.ParseResponse(u.ProcessN4(smfN4, must(pfcpx.BuildSessionEstablishmentRequest(2, s.Establishment()))))
	if err != nil || r.Cause != pfcpx.CauseRequestAccepted {
		tb.Fatalf("establishment: %v %v", r, err)
	}
	f, _ := r.CreatedFTEID(pfcpx.PDRUplink)
	return u, n, f.TEID, ue
}

func fixedRand() *fixedReader { return &fixedReader{} }

type fixedReader struct{ n byte }

func (r *fixedReader) Read(p []byte) (int, error) {
	for i := range p {
		r.n++
		p[i] = r.n
	}
	return len(p), nil
}

// FuzzUPFN4 feeds arbitrary bytes to the UPF's PFCP side. Invariant: no
// panic, and every answer the UPF gives is itself a valid PFCP response.
func FuzzUPFN4(f *testing.F) {
	s := pfcpx.PDUSession{NodeID: "127.0.0.7", CPSEID: 9, CPAddr: smfN4.Addr(), UEIP: netip.MustParseAddr("10.60.0.2"), QFI: 5}
	sb := s
	sb.UEIP, sb.BufferPackets = netip.MustParseAddr("10.60.0.3"), 4
	bar := pfcpx.BARSession
	for _, b := range [][]byte{
		must(pfcpx.BuildSessionEstablishmentRequest(7, sb.Establishment())),
		must(pfcpx.BuildSessionModificationRequest(8, 1, pfcpx.Modification{UpdateBAR: &pfcpx.BAR{ID: bar, SuggestedPackets: 2},
			CreateBAR: &pfcpx.BAR{ID: 2}, RemoveBAR: &bar})),
		must(pfcpx.BuildSessionModificationRequest(9, 1, pfcpx.DeactivateDownlink())),
		must(pfcpx.BuildHeartbeatRequest(1, epoch)),
		must(pfcpx.BuildAssociationSetupRequest(2, "127.0.0.7", epoch)),
		must(pfcpx.BuildSessionEstablishmentRequest(3, s.Establishment())),
		must(pfcpx.BuildSessionModificationRequest(4, 1, pfcpx.ActivateDownlink(5, gnbN3.Addr(), ""))),
		must(pfcpx.BuildSessionModificationRequest(5, 1, pfcpx.SetGates(pfcpx.GateClosed, pfcpx.GateClosed))),
		must(pfcpx.BuildSessionDeletionRequest(6, 1)),
		{0x20, 5, 0, 40, 0, 0, 1, 0},
		{0x40, 1, 0, 4, 0, 0, 1, 0},
		{},
	} {
		f.Add(b)
	}
	u, _, _, _ := discardUPF(f, 1000)
	f.Fuzz(func(t *testing.T, b []byte) {
		resp := u.ProcessN4(smfN4, b)
		if resp == nil {
			return
		}
		if _, err := pfcpx.ParseResponse(resp); err != nil {
			t.Fatalf("UPF answered %x with an unparsable response %x: %v", b, resp, err)
		}
	})
}

// FuzzUPFN3 feeds arbitrary bytes to the UPF's GTP-U and N6 sides.
// Invariant: no panic.
func FuzzUPFN3(f *testing.F) {
	u, _, teid, ue := discardUPF(f, 1000)
	inner := ipv4UDP(ue, netip.MustParseAddr("10.100.0.1"))
	// A second session whose downlink buffers (no gNB tunnel).
	idle := netip.MustParseAddr("10.60.0.4")
	s := pfcpx.PDUSession{NodeID: "127.0.0.7", CPSEID: 2, CPAddr: smfN4.Addr(), UEIP: idle, QFI: 9}
	if r, err := pfcpx.ParseResponse(u.ProcessN4(smfN4, must(pfcpx.BuildSessionEstablishmentRequest(3, s.Establishment())))); err != nil || r.Cause != pfcpx.CauseRequestAccepted {
		f.Fatalf("establishment: %v %v", r, err)
	}
	for _, b := range [][]byte{
		ipv4UDP(netip.MustParseAddr("10.100.0.1"), idle),
		gpduQFI(teid, 9, inner),
		must(gtpmsg.NewTPDU(teid, inner).Marshal()),
		must(gtpmsg.NewEchoRequest(1).Marshal()),
		must(gtpmsg.NewErrorIndication(0, 1, gtpie.NewTEIDDataI(5), gtpie.NewGSNAddress("127.0.0.20")).Marshal()),
		{0x34, 0xff, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 0, 0, 0, 0},
		ipv4UDP(netip.MustParseAddr("10.100.0.1"), ue),
		{},
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		u.HandleN3(gnbN3, b)
		u.HandleN6(gnbN3, b)
	})
}
