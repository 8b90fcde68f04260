package pfcpx

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wmnsk/go-pfcp/ie"
	"github.com/wmnsk/go-pfcp/message"
)

var (
	rts    = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) // NTP seconds 0xe93c7f00
	smf    = netip.MustParseAddr("127.0.0.7")
	upfN3  = netip.MustParseAddr("127.0.0.8")
	gnb    = netip.MustParseAddr("127.0.0.20")
	ueAddr = netip.MustParseAddr("10.60.0.1")
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Reference: TS 29.244 §7.2.2 (header), §7.4.2.1 (Heartbeat Request),
// §7.4.4.1 (Association Setup Request), §7.5.6 (Session Deletion Request),
// §8.2.38 (Node ID), §8.2.65 (Recovery Time Stamp), §7.5.2.3 (Create FAR),
// §8.2.56 (Outer Header Creation, GTP-U/UDP/IPv4 = 0x0100).
func TestEncodingVectors(t *testing.T) {
	far, err := CreateFARIE(FAR{ID: 2, Action: ActForward, Forwarding: &Forwarding{
		Destination: Access, OuterHeader: &OuterHeader{TEID: 0x11223344, IPv4: gnb}}})
	if err != nil {
		t.Fatal(err)
	}
	farBytes, err := far.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		build func() ([]byte, error)
		want  string
	}{
		{"heartbeat request", func() ([]byte, error) { return BuildHeartbeatRequest(1, rts) },
			"20 01 000c 000001 00  0060 0004 e93c7f00"},
		{"association setup request", func() ([]byte, error) { return BuildAssociationSetupRequest(3, "127.0.0.7", rts) },
			"20 05 0015 000003 00  003c 0005 00 7f000007  0060 0004 e93c7f00"},
		{"session deletion request", func() ([]byte, error) { return BuildSessionDeletionRequest(2, 0x0102030405060708) },
			"21 36 000c 0102030405060708 000002 00"},
		{"create FAR", func() ([]byte, error) { return farBytes, nil },
			"0003 0024  006c 0004 00000002  002c 0001 02  0004 0013 002a 0001 00 0054 000a 0100 11223344 7f000014"},
		// §7.5.2.6, §8.1.2 (IE types 85 Create BAR, 88 BAR ID, 140 Suggested Buffering Packets Count)
		{"create BAR", func() ([]byte, error) { return CreateBARIE(BAR{ID: 1, SuggestedPackets: 16}).Marshal() },
			"0055 000a  0058 0001 01  008c 0001 10"},
		// §7.5.2.3: a buffering FAR naming BAR 1
		{"create FAR with BAR ID", func() ([]byte, error) {
			id := uint8(1)
			f, err := CreateFARIE(FAR{ID: 2, Action: ActBuffer, BARID: &id})
			if err != nil {
				return nil, err
			}
			return f.Marshal()
		}, "0003 0012  006c 0004 00000002  002c 0001 04  0058 0001 01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.build()
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, c.want); !bytes.Equal(got, want) {
				t.Errorf("got  %x\nwant %x", got, want)
			}
		})
	}
}

// Reference: TS 23.502 §4.3.2.2.1 step 10a; TS 29.244 §7.5.2: the SMF's
// establishment request decodes, at the UPF, into exactly the rules built.
func TestPDUSessionEstablishmentRoundTrip(t *testing.T) {
	for _, s := range []PDUSession{
		{NodeID: "127.0.0.7", CPSEID: 42, CPAddr: smf, UEIP: ueAddr, QFI: 9, NetworkInstance: "internet"},
		{NodeID: "smf.credbed", CPSEID: 43, CPAddr: smf, UEIP: ueAddr, ULTEID: 0x100, UPFN3Addr: upfN3,
			GNBTEID: 0x200, GNBAddr: gnb, MBR: &MBR{UL: 1000, DL: 2000}},
		// TS 29.244 §7.5.2.6: a BAR named by the buffering downlink FAR
		{NodeID: "127.0.0.7", CPSEID: 44, CPAddr: smf, UEIP: ueAddr, QFI: 9, BufferPackets: 8},
	} {
		want := s.Establishment()
		b, err := BuildSessionEstablishmentRequest(7, want)
		if err != nil {
			t.Fatal(err)
		}
		h, m, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if h.Seq != 7 || !h.HasSEID || h.SEID != 0 || !h.IsRequest() {
			t.Errorf("header %+v", h)
		}
		got, err := DecodeEstablishment(m.(*message.SessionEstablishmentRequest))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
		}
	}
}

// Reference: TS 29.244 §7.5.4: update, create and remove IEs survive the trip.
func TestModificationRoundTrip(t *testing.T) {
	bar2, bar3 := uint8(2), uint8(3)
	prec := uint32(10)
	far := uint32(5)
	qfi := uint8(3)
	want := Modification{
		RemovePDRs: []uint16{9}, RemoveFARs: []uint32{9}, RemoveQERs: []uint32{9},
		CreatePDRs: []PDR{{ID: 3, Precedence: 1, PDI: PDI{Source: Core, UEIP: ueAddr, UEIPIsDest: true}, FARID: 3}},
		CreateFARs: []FAR{{ID: 3, Action: ActDrop}},
		CreateQERs: []QER{{ID: 3, Gate: Gates{UL: GateClosed, DL: GateOpen}, QFI: 5}},
		UpdatePDRs: []PDRUpdate{{ID: 1, Precedence: &prec, FARID: &far}},
		UpdateFARs: ActivateDownlink(0x77, gnb, "internet").UpdateFARs,
		UpdateQERs: []QERUpdate{{ID: 1, Gate: &Gates{UL: GateClosed, DL: GateClosed}, QFI: &qfi}},
		// §7.5.4.11, §7.5.4.12
		CreateBAR: &BAR{ID: 2, SuggestedPackets: 4},
		UpdateBAR: &BAR{ID: 1, SuggestedPackets: 32},
		RemoveBAR: &bar3,
	}
	want.UpdateFARs = append(want.UpdateFARs, FARUpdate{ID: 3, Action: ActBuffer, BARID: &bar2})
	b, err := BuildSessionModificationRequest(8, 0xabc, want)
	if err != nil {
		t.Fatal(err)
	}
	h, m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if h.SEID != 0xabc {
		t.Errorf("SEID %#x", h.SEID)
	}
	got, err := DecodeModification(m.(*message.SessionModificationRequest))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
	}
}

// Reference: TS 29.244 §7.5.3 (establishment response: Cause, UP F-SEID,
// Created PDR), §7.5.5, §7.5.7, §7.4.4.2.
func TestResponses(t *testing.T) {
	created := []CreatedPDR{{PDRID: PDRUplink, FTEID: FTEID{TEID: 0xdead, IPv4: upfN3}}}
	b, err := BuildSessionEstablishmentResponse(5, Reply{SEID: 42, NodeID: "127.0.0.8", Cause: CauseRequestAccepted,
		UPSEID: 0x99, UPAddr: upfN3, CreatedPDRs: created})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseResponse(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.Seq != 5 || r.SEID != 42 || r.Cause != CauseRequestAccepted || r.UPSEID != 0x99 || r.UPAddr != upfN3 || r.NodeID != "127.0.0.8" {
		t.Errorf("response %+v", r)
	}
	if f, ok := r.CreatedFTEID(PDRUplink); !ok || f.TEID != 0xdead || f.IPv4 != upfN3 {
		t.Errorf("created F-TEID %+v %v", f, ok)
	}

	b, _ = BuildSessionModificationResponse(6, Reply{Cause: CauseSessionContextNotFound})
	if r, err = ParseResponse(b); err != nil || r.Cause != CauseSessionContextNotFound || r.SEID != 0 {
		t.Errorf("modification response %+v %v", r, err)
	}
	b, _ = BuildSessionDeletionResponse(7, Reply{SEID: 42, Cause: CauseMandatoryIEMissing, OffendingIE: ie.NodeID})
	if r, err = ParseResponse(b); err != nil || r.Cause != CauseMandatoryIEMissing || r.OffendingIE != ie.NodeID {
		t.Errorf("deletion response %+v %v", r, err)
	}
	b, _ = BuildAssociationSetupResponse(8, "127.0.0.8", CauseRequestAccepted, rts, UPFeatureFTUP)
	if r, err = ParseResponse(b); err != nil || r.Cause != CauseRequestAccepted || r.UPFeatures != UPFeatureFTUP || !r.RecoveryTime.Equal(rts) {
		t.Errorf("association response %+v %v", r, err)
	}
	b, _ = BuildHeartbeatRequest(9, rts)
	if _, err = ParseResponse(b); !errors.Is(err, ErrUnknownType) {
		t.Errorf("a request parsed as a response: %v", err)
	}
}

func mustIE(i *IE, err error) *IE {
	if err != nil {
		panic(err)
	}
	return i
}

// IE is a local alias keeping the table below short.
type IE = ie.IE

// Reference: TS 29.244 §7.6 (error handling): a missing mandatory IE gives
// Cause 66 with the Offending IE, a missing conditional IE 67, a wrong one
// 69, a CHOOSE F-TEID without an address family 71.
func TestEstablishmentErrors(t *testing.T) {
	nid, _ := NodeIDIE("127.0.0.7")
	fseid, _ := FSEIDIE(1, smf)
	far := mustIE(CreateFARIE(FAR{ID: 1, Action: ActForward, Forwarding: &Forwarding{Destination: Core}}))
	pdr := mustIE(CreatePDRIE(PDR{ID: 1, PDI: PDI{Source: Access, LocalFTEID: &FTEID{Choose: true}}, FARID: 1}))
	cases := []struct {
		name      string
		ies       []*IE
		cause     Cause
		offending uint16
	}{
		{"no node id", []*IE{fseid, pdr, far}, CauseMandatoryIEMissing, ie.NodeID},
		{"no F-SEID", []*IE{nid, pdr, far}, CauseMandatoryIEMissing, ie.FSEID},
		{"no PDR", []*IE{nid, fseid, far}, CauseMandatoryIEMissing, ie.CreatePDR},
		{"no FAR", []*IE{nid, fseid, pdr}, CauseMandatoryIEMissing, ie.CreateFAR},
		{"PDR without PDI", []*IE{nid, fseid, ie.NewCreatePDR(ie.NewPDRID(1), ie.NewPrecedence(1), ie.NewFARID(1)), far},
			CauseMandatoryIEMissing, ie.PDI},
		{"PDR without FAR ID", []*IE{nid, fseid, ie.NewCreatePDR(ie.NewPDRID(1), ie.NewPrecedence(1), ie.NewPDI(ie.NewSourceInterface(0))), far},
			CauseConditionalIEMissing, ie.FARID},
		{"FORW without forwarding parameters", []*IE{nid, fseid, pdr, ie.NewCreateFAR(ie.NewFARID(1), ie.NewApplyAction(0x02))},
			CauseConditionalIEMissing, ie.ForwardingParameters},
		{"DROP and FORW together", []*IE{nid, fseid, pdr, ie.NewCreateFAR(ie.NewFARID(1), ie.NewApplyAction(0x03))},
			CauseMandatoryIEIncorrect, ie.ApplyAction},
		{"CHOOSE without IPv4", []*IE{nid, fseid, far, ie.NewCreatePDR(ie.NewPDRID(1), ie.NewPrecedence(1), ie.NewFARID(1),
			ie.NewPDI(ie.NewSourceInterface(0), ie.New(ie.FTEID, []byte{0x04})))},
			CauseInvalidFTEIDAllocationOption, ie.FTEID},
		{"truncated node id", []*IE{ie.New(ie.NodeID, []byte{0, 127, 0}), fseid, pdr, far}, CauseMandatoryIEIncorrect, ie.NodeID},
		// §7.5.2.6: BAR ID is mandatory in Create BAR
		{"BAR without BAR ID", []*IE{nid, fseid, pdr, far, ie.NewCreateBAR(ie.NewSuggestedBufferingPacketsCount(4))},
			CauseMandatoryIEMissing, ie.BARID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := message.NewSessionEstablishmentRequest(0, 0, 0, 1, 0, c.ies...).Marshal()
			if err != nil {
				t.Fatal(err)
			}
			_, m, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			_, err = DecodeEstablishment(m.(*message.SessionEstablishmentRequest))
			var ie *IEError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an *IEError", err)
			}
			if ie.Cause != c.cause || ie.IEType != c.offending {
				t.Errorf("got cause %v offending %d, want %v offending %d (%v)", ie.Cause, ie.IEType, c.cause, c.offending, err)
			}
		})
	}
}

// Reference: TS 29.244 §7.2.2: version, length and S flag are checked
// before the body; unknown types are reported, never guessed.
func TestDecodeRejectsBadHeaders(t *testing.T) {
	hb, _ := BuildHeartbeatRequest(1, rts)
	v2 := append([]byte(nil), hb...)
	v2[0] = 0x40
	long := append(append([]byte(nil), hb...), 0)
	sflag := append([]byte(nil), hb...)
	sflag[0] |= 1
	unknown := append([]byte(nil), hb...)
	unknown[1] = 200
	for name, c := range map[string]struct {
		b    []byte
		want error
	}{
		"empty": {nil, ErrMalformed}, "short": {hb[:5], ErrMalformed}, "version 2": {v2, ErrVersion},
		"length mismatch": {long, ErrMalformed}, "S flag on node message": {sflag, ErrMalformed},
		"unknown type": {unknown, ErrUnknownType}, "truncated IE": {hb[:len(hb)-1], ErrMalformed},
	} {
		if name == "truncated IE" {
			c.b = append([]byte(nil), c.b...)
			c.b[3]-- // keep the length field consistent so the IE itself is short
		}
		_, m, err := Decode(c.b)
		if !errors.Is(err, c.want) || m != nil {
			t.Errorf("%s: got %v (msg %v), want %v", name, err, m, c.want)
		}
	}
}

func TestBuildRejectsBadInput(t *testing.T) {
	if _, err := BuildHeartbeatRequest(1<<24, rts); !errors.Is(err, ErrBuild) {
		t.Errorf("25-bit sequence number: %v", err)
	}
	if _, err := BuildSessionEstablishmentRequest(1, Establishment{NodeID: "x", CPSEID: 1, CPAddr: netip.MustParseAddr("::1")}); !errors.Is(err, ErrBuild) {
		t.Errorf("IPv6 F-SEID: %v", err)
	}
	s := PDUSession{NodeID: "x", CPAddr: smf, UEIP: netip.MustParseAddr("2001:db8::1")}
	if _, err := BuildSessionEstablishmentRequest(1, s.Establishment()); !errors.Is(err, ErrBuild) {
		t.Errorf("IPv6 UE address: %v", err)
	}
	if _, err := BuildAssociationSetupRequest(1, "", rts); !errors.Is(err, ErrBuild) {
		t.Errorf("empty node id: %v", err)
	}
}

func TestCauseNames(t *testing.T) {
	if CauseSessionContextNotFound.String() != "Session context not found" || Cause(200).String() != "Cause(200)" {
		t.Error(CauseSessionContextNotFound.String(), Cause(200).String())
	}
	if !CauseRequestAccepted.Accepted() || CauseRequestRejected.Accepted() || CauseRequestAccepted.TraceCause() != "PFCP#1" {
		t.Error("Accepted/TraceCause")
	}
	if (ActForward|ActNotifyCP).String() != "FORW|NOCP" || !ActBuffer.Valid() || (ActDrop | ActForward).Valid() {
		t.Error("Action")
	}
}
