package ngapx

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/free5gc/aper"
	"github.com/free5gc/ngap"
	"github.com/free5gc/ngap/ngapType"

	"github.com/credbed/credbed/internal/nasx"
)

func hx(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

var (
	plmn   = PLMN{0x00, 0xf1, 0x10}
	loc    = UserLocationNR{NRCGI: NRCGI{PLMN: plmn, CellID: 0x000000010}, TAI: TAI{PLMN: plmn, TAC: 1}}
	regReq = hx("7e 00 41 79 00 0d 01 00 f1 10 00 00 00 00 10 32 54 76 98 2e 02 f0 f0")
	guami  = GUAMI{PLMN: plmn, AMFRegionID: 0xca, AMFSetID: 0x3f8, AMFPointer: 0x01}
	kgnb   = KgNB{0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
		0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0xfe, 0xed}
	slice1 = SNSSAI{SST: 1}
	sliceD = SNSSAI{SST: 1, SD: 0x010203, HasSD: true}
)

func u32(v uint32) *uint32 { return &v }
func u64(v uint64) *uint64 { return &v }
func c(v Cause) *Cause     { return &v }
func u8(v uint8) *uint8    { return &v }

func reqTransfer(t testing.TB) []byte {
	b, err := (&PDUSessionSetupRequestTransfer{
		SessionAMBR:    &AMBR{DL: 100_000_000, UL: 50_000_000},
		ULTunnel:       GTPTunnel{Addr: netip.MustParseAddr("127.0.0.8"), TEID: 0x00000001},
		PDUSessionType: PDUSessionTypeIPv4,
		QoSFlows:       []QoSFlowSetup{{QFI: 1, FiveQI: 9, ARP: ARP{Priority: 8}}},
	}).Build()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func respTransfer(t testing.TB) []byte {
	b, err := (&PDUSessionSetupResponseTransfer{DLTunnel: GTPTunnel{Addr: netip.MustParseAddr("127.0.0.9"), TEID: 0xabcdef01}, QFIs: []uint8{1}}).Build()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// messages returns one value of every message type this package builds.
func messages(t testing.TB) []Msg {
	req, resp := reqTransfer(t), respTransfer(t)
	rel, err := (&PDUSessionCauseTransfer{Cause: CauseNASNormalRelease}).BuildReleaseCommand()
	if err != nil {
		t.Fatal(err)
	}
	relResp, err := BuildPDUSessionReleaseResponseTransfer()
	if err != nil {
		t.Fatal(err)
	}
	fail, err := (&PDUSessionCauseTransfer{Cause: CauseRadioNetworkUnknownPDUSessionID}).BuildSetupUnsuccessful()
	if err != nil {
		t.Fatal(err)
	}
	return []Msg{
		&NGSetupRequest{
			GlobalGNBID: GlobalGNBID{PLMN: plmn, GNBID: 0x000102, BitLen: 24}, RANNodeName: "credbed-gnb-1",
			SupportedTAs:     []SupportedTA{{TAC: 1, PLMNs: []BroadcastPLMN{{PLMN: plmn, Slices: []SNSSAI{slice1, sliceD}}}}},
			DefaultPagingDRX: PagingDRX128,
		},
		&NGSetupRequest{
			GlobalGNBID:  GlobalGNBID{PLMN: plmn, GNBID: 0x3fffff, BitLen: 22},
			SupportedTAs: []SupportedTA{{TAC: 0xfffffe, PLMNs: []BroadcastPLMN{{PLMN: plmn, Slices: []SNSSAI{slice1}}}}},
		},
		&NGSetupResponse{AMFName: "credbed-amf", ServedGUAMIs: []GUAMI{guami}, RelativeAMFCapacity: 255,
			PLMNSupport: []PLMNSupport{{PLMN: plmn, Slices: []SNSSAI{slice1, sliceD}}}},
		&NGSetupFailure{Cause: CauseMiscUnknownPLMN, TimeToWait: u8(TimeToWait10s)},
		&NGSetupFailure{Cause: CauseMiscUnspecified},
		&InitialUEMessage{RANUENGAPID: 1, NASPDU: regReq, Location: loc, RRCEstablishmentCause: RRCMoSignalling},
		&InitialUEMessage{RANUENGAPID: 0xffffffff, NASPDU: regReq, Location: UserLocationNR{NRCGI: NRCGI{PLMN: plmn, CellID: 1<<36 - 1}, TAI: TAI{PLMN: plmn, TAC: 0xffffff}},
			RRCEstablishmentCause: RRCNotAvailable, STMSI: &STMSI{AMFSetID: 0x3ff, AMFPointer: 0x3f, TMSI: 0xdeadbeef}, UEContextRequest: true},
		&UplinkNASTransport{AMFUENGAPID: 1, RANUENGAPID: 1, NASPDU: hx("7e 00 57 2d 10 00112233445566778899aabbccddeeff"), Location: loc},
		&UplinkNASTransport{AMFUENGAPID: MaxAMFUENGAPID, RANUENGAPID: 7, NASPDU: []byte{0x7e}, Location: loc},
		&DownlinkNASTransport{AMFUENGAPID: 1, RANUENGAPID: 1, NASPDU: hx("7e 00 43")},
		&InitialContextSetupRequest{AMFUENGAPID: 2, RANUENGAPID: 3, GUAMI: guami, AllowedNSSAI: []SNSSAI{slice1},
			UESecurityCapabilities: UESecurityCapabilitiesFromNAS(nasx.NewUESecurityCapability(0xf0, 0xf0)),
			SecurityKey:            kgnb, NASPDU: hx("7e 02 01 02 03 04 05 aa bb")},
		&InitialContextSetupRequest{AMFUENGAPID: 2, RANUENGAPID: 3, UEAMBR: &AMBR{DL: 1_000_000_000, UL: 500_000_000}, GUAMI: guami,
			PDUSessions:  []PDUSessionSetupItem{{ID: 1, NASPDU: hx("7e 02 00"), SNSSAI: sliceD, Transfer: req}},
			AllowedNSSAI: []SNSSAI{slice1, sliceD}, UESecurityCapabilities: UESecurityCapabilities{NREncryption: 0xe000, NRIntegrity: 0x6000},
			SecurityKey: kgnb},
		&InitialContextSetupResponse{AMFUENGAPID: 2, RANUENGAPID: 3},
		&InitialContextSetupResponse{AMFUENGAPID: 2, RANUENGAPID: 3, PDUSessions: []PDUSessionItem{{ID: 1, Transfer: resp}},
			Failed: []PDUSessionItem{{ID: 2, Transfer: fail}}},
		&UEContextReleaseCommand{AMFUENGAPID: 2, RANUENGAPID: u32(3), Cause: CauseNASDeregister},
		&UEContextReleaseCommand{AMFUENGAPID: 2, Cause: CauseRadioNetworkUserInactivity},
		&UEContextReleaseComplete{AMFUENGAPID: 2, RANUENGAPID: 3},
		&PDUSessionResourceSetupRequest{AMFUENGAPID: 2, RANUENGAPID: 3,
			PDUSessions: []PDUSessionSetupItem{{ID: 1, NASPDU: hx("7e 02 aa"), SNSSAI: slice1, Transfer: req}}, UEAMBR: &AMBR{DL: 1, UL: 2}},
		&PDUSessionResourceSetupRequest{AMFUENGAPID: 2, RANUENGAPID: 3, NASPDU: hx("7e 02 bb"),
			PDUSessions: []PDUSessionSetupItem{{ID: 5, SNSSAI: sliceD, Transfer: req}}},
		&PDUSessionResourceSetupResponse{AMFUENGAPID: 2, RANUENGAPID: 3, Setup: []PDUSessionItem{{ID: 1, Transfer: resp}}},
		&PDUSessionResourceSetupResponse{AMFUENGAPID: 2, RANUENGAPID: 3, Failed: []PDUSessionItem{{ID: 1, Transfer: fail}}},
		&PDUSessionResourceReleaseCommand{AMFUENGAPID: 2, RANUENGAPID: 3, NASPDU: hx("7e 02 cc"), PDUSessions: []PDUSessionItem{{ID: 1, Transfer: rel}}},
		&PDUSessionResourceReleaseResponse{AMFUENGAPID: 2, RANUENGAPID: 3, PDUSessions: []PDUSessionItem{{ID: 1, Transfer: relResp}}},
		&ErrorIndication{Cause: c(CauseProtocolTransferSyntaxError)},
		&ErrorIndication{AMFUENGAPID: u64(9), RANUENGAPID: u32(8), Cause: c(CauseProtocolFalselyConstructedMessage)},
		&ErrorIndication{},
	}
}

// Reference: TS 38.413 §9.2 (message contents), §9.4 (APER)
func TestRoundTrip(t *testing.T) {
	for _, m := range messages(t) {
		t.Run(fmt.Sprintf("%s/%s", m.Procedure(), m.Kind()), func(t *testing.T) {
			b, err := m.Build()
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			got, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, m) {
				t.Fatalf("round trip:\n got  %+v\n want %+v", got, m)
			}
			if got.Procedure() != m.Procedure() || got.Kind() != m.Kind() {
				t.Fatal("procedure/kind")
			}
			// The bytes also decode with free5gc's own decoder to the same
			// procedure code and PDU choice.
			pdu, err := ngap.Decoder(b)
			if err != nil || pdu.Present != int(m.Kind()) {
				t.Fatalf("ngap.Decoder: %v (present %d)", err, pdu.Present)
			}
		})
	}
}

// Hand-derived APER bytes (X.691 aligned PER, TS 38.413 §9.4 ASN.1): PDU
// choice (3 bits) + procedureCode octet, criticality (2 bits), open-type
// length, then the IE container (ext bit, 16-bit count, each IE as 16-bit
// id, criticality, open-type length, value).
func TestHandCheckedBytes(t *testing.T) {
	cases := []struct {
		name string
		msg  Msg
		wire string
	}{
		// Reference: TS 38.413 §9.2.5.2 — AMF UE NGAP ID 1 (3-bit length 1, 0x01), RAN UE NGAP ID 1 (2-bit length), NAS-PDU
		{"downlink NAS transport", &DownlinkNASTransport{AMFUENGAPID: 1, RANUENGAPID: 1, NASPDU: hx("7e 00 43")},
			"00 04 40 17 00 00 03 00 0a 00 02 00 01 00 55 00 02 00 01 00 26 00 04 03 7e 00 43"},
		// Reference: TS 38.413 §9.2.7.1 — Cause choice protocol (3 bits 011), ext 0, transfer-syntax-error (000)
		{"error indication", &ErrorIndication{Cause: c(CauseProtocolTransferSyntaxError)},
			"00 09 40 08 00 00 01 00 0f 40 01 60"},
		// Reference: TS 38.413 §9.2.6.3 — unsuccessfulOutcome (choice 2), Cause misc (100) unspecified (101)
		{"NG setup failure", &NGSetupFailure{Cause: CauseMiscUnspecified},
			"40 15 00 08 00 00 01 00 0f 40 01 8a"},
		// Reference: TS 38.413 §9.2.2.6 — successfulOutcome (choice 1), both IDs with criticality ignore
		{"UE context release complete", &UEContextReleaseComplete{AMFUENGAPID: 2, RANUENGAPID: 3},
			"20 29 00 0f 00 00 02 00 0a 40 02 00 02 00 55 40 02 00 03"},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			b, err := cs.msg.Build()
			if err != nil {
				t.Fatal(err)
			}
			if want := hx(cs.wire); !bytes.Equal(b, want) {
				t.Fatalf("Build:\n got  % x\n want % x", b, want)
			}
			m, err := Parse(hx(cs.wire))
			if err != nil || !reflect.DeepEqual(m, cs.msg) {
				t.Fatalf("Parse = %+v, %v", m, err)
			}
		})
	}
}

// Reference: TS 38.413 §9.3.1.16 (NR CGI 36 bits), §9.3.3.5, §9.3.1.6 (gNB ID 22..32 bits)
func TestBitStrings(t *testing.T) {
	b := bits(0x000000010, 36)
	if !bytes.Equal(b.Bytes, hx("00 00 00 01 00")) || b.BitLength != 36 {
		t.Fatalf("% x", b.Bytes)
	}
	v, n, err := fromBits(bits(0x3fffff, 22), 22, 32, "x")
	if err != nil || v != 0x3fffff || n != 22 {
		t.Fatal(v, n, err)
	}
	if _, _, err := fromBits(aper.BitString{Bytes: []byte{1}, BitLength: 22}, 22, 32, "x"); err == nil {
		t.Fatal("short bit string accepted")
	}
	g := guamiToNgap(GUAMI{AMFSetID: 0x3f8, AMFPointer: 1, AMFRegionID: 0xca})
	if !bytes.Equal(g.AMFSetID.Value.Bytes, hx("fe 00")) || !bytes.Equal(g.AMFPointer.Value.Bytes, hx("04")) {
		t.Fatalf("set % x pointer % x", g.AMFSetID.Value.Bytes, g.AMFPointer.Value.Bytes)
	}
}

// Reference: TS 38.413 §9.3.1.86, TS 24.501 §9.11.3.54 (NAS bit 8 = algorithm 0; NGAP bit 16 = algorithm 1)
func TestUESecurityCapabilitiesFromNAS(t *testing.T) {
	got := UESecurityCapabilitiesFromNAS(nasx.UESecurityCapability{0xf0, 0x70, 0x60, 0x20})
	want := UESecurityCapabilities{NREncryption: 0xe000, NRIntegrity: 0xe000, EUTRAEncryption: 0xc000, EUTRAIntegrity: 0x4000}
	if got != want {
		t.Fatalf("%+v", got)
	}
}

// Reference: TS 38.413 §9.3.4.1, §9.3.4.2, §9.3.4.12, §9.3.4.16, §9.3.4.21
func TestTransfers(t *testing.T) {
	req := &PDUSessionSetupRequestTransfer{
		SessionAMBR:    &AMBR{DL: 100_000_000, UL: 50_000_000},
		ULTunnel:       GTPTunnel{Addr: netip.MustParseAddr("127.0.0.8"), TEID: 1},
		PDUSessionType: PDUSessionTypeIPv4,
		QoSFlows:       []QoSFlowSetup{{QFI: 1, FiveQI: 9, ARP: ARP{Priority: 8}}, {QFI: 2, FiveQI: 5, ARP: ARP{Priority: 1, MayPreempt: true, Preemptable: true}}},
	}
	b, err := req.Build()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParsePDUSessionSetupRequestTransfer(b)
	if err != nil || !reflect.DeepEqual(got, req) {
		t.Fatalf("%+v %v", got, err)
	}
	v6 := &PDUSessionSetupResponseTransfer{DLTunnel: GTPTunnel{Addr: netip.MustParseAddr("::1"), TEID: 7}, QFIs: []uint8{1, 2}}
	b, err = v6.Build()
	if err != nil {
		t.Fatal(err)
	}
	if r, err := ParsePDUSessionSetupResponseTransfer(b); err != nil || !reflect.DeepEqual(r, v6) {
		t.Fatalf("%+v %v", r, err)
	}
	ct := &PDUSessionCauseTransfer{Cause: CauseNASNormalRelease}
	b, err = ct.BuildReleaseCommand()
	if err != nil {
		t.Fatal(err)
	}
	if r, err := ParsePDUSessionReleaseCommandTransfer(b); err != nil || *r != *ct {
		t.Fatalf("%+v %v", r, err)
	}
	b, err = ct.BuildSetupUnsuccessful()
	if err != nil {
		t.Fatal(err)
	}
	if r, err := ParsePDUSessionSetupUnsuccessfulTransfer(b); err != nil || *r != *ct {
		t.Fatalf("%+v %v", r, err)
	}
	b, err = BuildPDUSessionReleaseResponseTransfer()
	if err != nil || ParsePDUSessionReleaseResponseTransfer(b) != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{nil, {0xff}, {0x00}, hx("ff ff ff ff ff ff")} {
		if _, err := ParsePDUSessionSetupRequestTransfer(bad); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrMissingIE) {
			t.Errorf("request transfer % x: %v", bad, err)
		}
		if _, err := ParsePDUSessionSetupResponseTransfer(bad); err == nil {
			t.Errorf("response transfer % x accepted", bad)
		}
	}
	for _, inv := range []*PDUSessionSetupRequestTransfer{
		{ULTunnel: GTPTunnel{TEID: 1}, QoSFlows: req.QoSFlows},
		{ULTunnel: req.ULTunnel},
		{ULTunnel: req.ULTunnel, QoSFlows: []QoSFlowSetup{{QFI: 64, FiveQI: 9, ARP: ARP{Priority: 1}}}},
		{ULTunnel: req.ULTunnel, QoSFlows: []QoSFlowSetup{{QFI: 1, FiveQI: 9}}},
	} {
		if _, err := inv.Build(); !errors.Is(err, ErrInvalid) {
			t.Errorf("Build(%+v) = %v", inv, err)
		}
	}
}

func TestBuildInvalid(t *testing.T) {
	for _, m := range []Msg{
		&NGSetupRequest{GlobalGNBID: GlobalGNBID{PLMN: plmn, GNBID: 1, BitLen: 21}, SupportedTAs: []SupportedTA{{TAC: 1, PLMNs: []BroadcastPLMN{{PLMN: plmn, Slices: []SNSSAI{slice1}}}}}},
		&NGSetupRequest{GlobalGNBID: GlobalGNBID{PLMN: plmn, GNBID: 1 << 22, BitLen: 22}, SupportedTAs: []SupportedTA{{TAC: 1, PLMNs: []BroadcastPLMN{{PLMN: plmn, Slices: []SNSSAI{slice1}}}}}},
		&NGSetupRequest{GlobalGNBID: GlobalGNBID{PLMN: plmn, GNBID: 1, BitLen: 22}},
		&NGSetupResponse{AMFName: "a"},
		&NGSetupFailure{Cause: NewCause(9, 0)},
		&InitialUEMessage{RANUENGAPID: 1, Location: loc},
		&InitialUEMessage{RANUENGAPID: 1, NASPDU: regReq, Location: UserLocationNR{NRCGI: NRCGI{CellID: 1 << 36}}},
		&UplinkNASTransport{AMFUENGAPID: MaxAMFUENGAPID + 1, NASPDU: regReq, Location: loc},
		&DownlinkNASTransport{AMFUENGAPID: 1},
		&InitialContextSetupRequest{AMFUENGAPID: 1, GUAMI: guami},
		&InitialContextSetupRequest{AMFUENGAPID: 1, GUAMI: GUAMI{AMFSetID: 0x400}, AllowedNSSAI: []SNSSAI{slice1}},
		&PDUSessionResourceSetupRequest{AMFUENGAPID: 1},
		&PDUSessionResourceReleaseCommand{AMFUENGAPID: 1},
		&PDUSessionResourceReleaseResponse{AMFUENGAPID: 1},
		&ErrorIndication{AMFUENGAPID: u64(1 << 41)},
	} {
		if b, err := m.Build(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%T Build = % x, %v; want ErrInvalid", m, b, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	// An NG RESET is valid NGAP that this package does not type.
	reset, err := ngap.Encoder(ngapType.NGAPPDU{Present: ngapType.NGAPPDUPresentInitiatingMessage,
		InitiatingMessage: &ngapType.InitiatingMessage{ProcedureCode: ngapType.ProcedureCode{Value: ngapType.ProcedureCodeNGReset},
			Criticality: crit(reject), Value: ngapType.InitiatingMessageValue{Present: ngapType.InitiatingMessagePresentNGReset,
				NGReset: &ngapType.NGReset{ProtocolIEs: ngapType.ProtocolIEContainerNGResetIEs{List: []ngapType.NGResetIEs{{
					Id: ieID(ngapType.ProtocolIEIDCause), Criticality: crit(ignore),
					Value: ngapType.NGResetIEsValue{Present: ngapType.NGResetIEsPresentCause,
						Cause: &ngapType.Cause{Present: ngapType.CausePresentMisc, Misc: &ngapType.CauseMisc{Value: 5}}}}}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	// An INITIAL UE MESSAGE without its NAS-PDU.
	noNAS, err := ngap.Encoder(ngapType.NGAPPDU{Present: ngapType.NGAPPDUPresentInitiatingMessage,
		InitiatingMessage: &ngapType.InitiatingMessage{ProcedureCode: ngapType.ProcedureCode{Value: ngapType.ProcedureCodeInitialUEMessage},
			Criticality: crit(ignore), Value: ngapType.InitiatingMessageValue{Present: ngapType.InitiatingMessagePresentInitialUEMessage,
				InitialUEMessage: &ngapType.InitialUEMessage{ProtocolIEs: ngapType.ProtocolIEContainerInitialUEMessageIEs{List: []ngapType.InitialUEMessageIEs{{
					Id: ieID(ngapType.ProtocolIEIDRANUENGAPID), Criticality: crit(reject),
					Value: ngapType.InitialUEMessageIEsValue{Present: ngapType.InitialUEMessageIEsPresentRANUENGAPID, RANUENGAPID: ranID(1)}}}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	good, err := (&DownlinkNASTransport{AMFUENGAPID: 1, RANUENGAPID: 1, NASPDU: []byte{0x7e}}).Build()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"one octet", []byte{0x00}, ErrMalformed},
		{"garbage", hx("ff ff ff ff ff ff ff ff"), ErrMalformed},
		{"truncated", good[:len(good)-2], ErrMalformed},
		{"NG reset unsupported", reset, ErrUnsupported},
		{"initial UE message without NAS-PDU", noNAS, ErrMissingIE},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			m, err := Parse(cs.in)
			if m != nil || !errors.Is(err, cs.want) {
				t.Fatalf("Parse = %v, %v; want %v", m, err, cs.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%T is not *ParseError", err)
			}
		})
	}
	_, err = Parse(reset)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Procedure != ProcNGReset || pe.Kind != Initiating {
		t.Fatalf("unsupported error does not name the procedure: %v", err)
	}
}

// Reference: TS 33.501 §6.2 (KgNB is key material); credbed rule: secrets
// never appear in String(), fmt output, JSON or errors.
func TestKgNBNeverPrinted(t *testing.T) {
	m := &InitialContextSetupRequest{AMFUENGAPID: 2, RANUENGAPID: 3, GUAMI: guami, AllowedNSSAI: []SNSSAI{slice1}, SecurityKey: kgnb}
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	outs := []string{
		fmt.Sprint(m), fmt.Sprintf("%v %+v %#v", m, m, m), fmt.Sprintf("%v %+v %#v", *m, *m, *m),
		fmt.Sprintf("%v %x %X %#v %d %s %q", m.SecurityKey, m.SecurityKey, m.SecurityKey, m.SecurityKey, m.SecurityKey, m.SecurityKey, m.SecurityKey),
		m.SecurityKey.String(), string(js),
	}
	for _, o := range outs {
		for _, needle := range []string{"deadbeef", "DEADBEEF", "de ad be ef", "222 173 190 239", "0xde", "feed", "[222"} {
			if strings.Contains(o, needle) {
				t.Fatalf("key material %q leaked in %q", needle, o)
			}
		}
	}
	if !strings.Contains(outs[0], "redacted") {
		t.Fatalf("no redaction marker in %q", outs[0])
	}
	// Build errors do not carry it either.
	bad := *m
	bad.AMFUENGAPID = 1 << 41
	if _, err := bad.Build(); err == nil || strings.Contains(err.Error(), "deadbeef") {
		t.Fatalf("error %v", err)
	}
	if kgnb.IsZero() || !(KgNB{}).IsZero() {
		t.Fatal("IsZero")
	}
}

func TestStrings(t *testing.T) {
	for c, want := range map[Cause]string{
		CauseProtocolTransferSyntaxError:        "protocol/transfer-syntax-error",
		CauseNASDeregister:                      "nas/deregister",
		CauseRadioNetworkUserInactivity:         "radio-network/user-inactivity",
		CauseMiscUnknownPLMN:                    "misc/unknown-PLMN",
		CauseTransportResourceUnavailable:       "transport/transport-resource-unavailable",
		NewCause(CauseGroupProtocol, 9):         "protocol/9",
		NewCause(7, 1):                          "cause-group-7/1",
		CauseRadioNetworkAlgorithmsNotSupported: "radio-network/encryption-and-or-integrity-protection-algorithms-not-supported",
	} {
		if c.String() != want {
			t.Errorf("%d: %q want %q", c, c.String(), want)
		}
	}
	if ProcInitialUEMessage.String() != "InitialUEMessage" || Procedure(200).String() != "procedure-200" || Successful.String() != "successfulOutcome" {
		t.Fatal("names")
	}
	var _ UEAssociated = &UplinkNASTransport{}
	if ids := (&UEContextReleaseCommand{AMFUENGAPID: 4}).UEIDs(); !ids.HasAMF || ids.HasRAN || ids.AMF != 4 {
		t.Fatal(ids)
	}
}
