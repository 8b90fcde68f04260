package pfcpx

import (
	"testing"

	"github.com/wmnsk/go-pfcp/message"
)

func seeds(f *testing.F) {
	add := func(b []byte, err error) {
		if err == nil {
			f.Add(b)
		}
	}
	add(BuildHeartbeatRequest(1, rts))
	add(BuildAssociationSetupRequest(2, "127.0.0.7", rts))
	s := PDUSession{NodeID: "127.0.0.7", CPSEID: 1, CPAddr: smf, UEIP: ueAddr, QFI: 9, GNBTEID: 5, GNBAddr: gnb, MBR: &MBR{UL: 1, DL: 2}}
	add(BuildSessionEstablishmentRequest(3, s.Establishment()))
	add(BuildSessionModificationRequest(4, 9, ActivateDownlink(7, gnb, "internet")))
	add(BuildSessionModificationRequest(5, 9, SetGates(GateClosed, GateOpen)))
	add(BuildSessionDeletionRequest(6, 9))
	bar := uint8(1)
	sb := PDUSession{NodeID: "127.0.0.7", CPSEID: 2, CPAddr: smf, UEIP: ueAddr, QFI: 9, BufferPackets: 4}
	add(BuildSessionEstablishmentRequest(9, sb.Establishment()))
	add(BuildSessionModificationRequest(10, 9, Modification{CreateBAR: &BAR{ID: 2}, UpdateBAR: &BAR{ID: 1, SuggestedPackets: 8},
		RemoveBAR: &bar, UpdateFARs: []FARUpdate{{ID: 2, Action: ActBuffer, BARID: &bar}}}))
	add(BuildSessionEstablishmentResponse(7, Reply{SEID: 1, NodeID: "upf", Cause: 1, UPSEID: 2, UPAddr: upfN3,
		CreatedPDRs: []CreatedPDR{{PDRID: 1, FTEID: FTEID{TEID: 3, IPv4: upfN3}}}}))
	add(BuildAssociationSetupResponse(8, "127.0.0.8", 1, rts, UPFeatureFTUP))
	f.Add([]byte{0x21, 0x32, 0x00, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0})
	f.Add([]byte{})
}

// FuzzDecode: no input makes the decoders panic, and a nil message always
// comes with an error.
func FuzzDecode(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, m, err := Decode(b)
		if err != nil {
			if m != nil {
				t.Fatal("message with error")
			}
			return
		}
		if m == nil {
			t.Fatal("nil message without error")
		}
		switch m := m.(type) {
		case *message.SessionEstablishmentRequest:
			_, _ = DecodeEstablishment(m)
		case *message.SessionModificationRequest:
			_, _ = DecodeModification(m)
		}
		r, err := ParseResponse(b)
		if err == nil && r == nil {
			t.Fatal("nil response without error")
		}
	})
}
