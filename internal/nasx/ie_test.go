package nasx

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"
)

// Reference: TS 24.008 §10.5.1.13 (PLMN identity octets)
func TestPLMN(t *testing.T) {
	cases := []struct {
		mcc, mnc string
		want     PLMN
	}{
		{"001", "01", PLMN{0x00, 0xf1, 0x10}},
		{"310", "410", PLMN{0x13, 0x00, 0x14}},
		{"208", "93", PLMN{0x02, 0xf8, 0x39}},
	}
	for _, c := range cases {
		p, err := NewPLMN(c.mcc, c.mnc)
		if err != nil || p != c.want {
			t.Fatalf("NewPLMN(%s,%s) = % x, %v", c.mcc, c.mnc, p[:], err)
		}
		if p.MCC() != c.mcc || p.MNC() != c.mnc || p.String() != c.mcc+c.mnc {
			t.Fatalf("%s/%s/%s", p.MCC(), p.MNC(), p)
		}
	}
	for _, bad := range [][2]string{{"01", "01"}, {"0a1", "01"}, {"001", "1"}, {"001", "1234"}, {"001", "x1"}} {
		if _, err := NewPLMN(bad[0], bad[1]); !errors.Is(err, ErrInvalid) {
			t.Errorf("NewPLMN(%q,%q): %v", bad[0], bad[1], err)
		}
	}
}

// Reference: TS 24.501 §9.11.3.4 (5G-GUTI and 5G-S-TMSI layouts), TS 23.003 §2.10
func TestGUTIAndSTMSI(t *testing.T) {
	g := GUTI{PLMN: PLMN{0x02, 0xf8, 0x39}, AMFRegionID: 0xca, AMFSetID: 0x3fe, AMFPointer: 0x3f, TMSI: 0xdeadbeef}
	mi := g.MobileIdentity()
	if want := hx("f2 02 f8 39 ca ff bf de ad be ef"); !bytes.Equal(mi, want) {
		t.Fatalf("GUTI identity % x, want % x", mi, want)
	}
	if IdentityType(mi) != IdentityGUTI {
		t.Fatal("identity type")
	}
	back, err := ParseGUTI(mi)
	if err != nil || back != g {
		t.Fatalf("ParseGUTI = %+v, %v", back, err)
	}
	s := g.STMSI().MobileIdentity()
	if want := hx("f4 ff bf de ad be ef"); !bytes.Equal(s, want) {
		t.Fatalf("5G-S-TMSI identity % x", s)
	}
	sb, err := ParseSTMSI(s)
	if err != nil || sb != g.STMSI() {
		t.Fatalf("ParseSTMSI = %+v, %v", sb, err)
	}
	if _, err := ParseGUTI(suciNull); !errors.Is(err, ErrInvalid) {
		t.Fatal("ParseGUTI accepted a SUCI")
	}
	if _, err := ParseSTMSI(mi); !errors.Is(err, ErrInvalid) {
		t.Fatal("ParseSTMSI accepted a GUTI")
	}
	if IdentityType(nil) != IdentityNone || IdentityType(suciNull) != IdentitySUCI {
		t.Fatal("IdentityType")
	}
	if g.String() != "5g-guti-20893-ca3fe3f-deadbeef" {
		t.Fatalf("String %s", g)
	}
}

// Reference: TS 24.501 §9.11.3.9 (all three partial list types)
func TestTAIList(t *testing.T) {
	p1, p2 := PLMN{0x00, 0xf1, 0x10}, PLMN{0x13, 0x00, 0x14}
	list := []TAI{{p1, 1}, {p1, 7}, {p2, 0xabcdef}}
	enc := encodeTAIList(list)
	if want := hx("01 00 f1 10 000001 000007 00 13 00 14 abcdef"); !bytes.Equal(enc, want) {
		t.Fatalf("encode % x", enc)
	}
	dec, err := decodeTAIList(enc)
	if err != nil || !reflect.DeepEqual(dec, list) {
		t.Fatalf("decode %v %v", dec, err)
	}
	// type 01: 3 consecutive TACs from 0xfffffe (wraps to 0)
	dec, err = decodeTAIList(hx("22 00 f1 10 ff ff fe"))
	if err != nil || !reflect.DeepEqual(dec, []TAI{{p1, 0xfffffe}, {p1, 0xffffff}, {p1, 0}}) {
		t.Fatalf("type 01: %v %v", dec, err)
	}
	// type 10: two TAIs of different PLMNs
	dec, err = decodeTAIList(hx("41 00 f1 10 000001 13 00 14 000002"))
	if err != nil || !reflect.DeepEqual(dec, []TAI{{p1, 1}, {p2, 2}}) {
		t.Fatalf("type 10: %v %v", dec, err)
	}
	// 17 TAIs of one PLMN need two partial lists
	var many []TAI
	for i := range 17 {
		many = append(many, TAI{p1, uint32(i)})
	}
	enc = encodeTAIList(many)
	if enc[0] != 0x0f || enc[1+3+16*3] != 0x00 {
		t.Fatalf("split % x", enc)
	}
	if dec, err = decodeTAIList(enc); err != nil || !reflect.DeepEqual(dec, many) {
		t.Fatal("17 TAIs round trip")
	}
	for _, bad := range []string{"00 00 f1", "21 00 f1 10 00", "41 00 f1 10 00 00 01", "60 00 f1 10 00 00 01"} {
		if _, err := decodeTAIList(hx(bad)); err == nil {
			t.Errorf("decodeTAIList(%s) accepted", bad)
		}
	}
}

// Reference: TS 24.501 §9.11.3.37, §9.11.2.8 (S-NSSAI lengths 1, 2, 4, 5, 8)
func TestNSSAI(t *testing.T) {
	got, err := decodeNSSAI(hx("01 01 02 02 09 04 01 00 00 01 05 03 11 22 33 04 08 04 aa bb cc 05 dd ee ff"))
	want := []SNSSAI{{SST: 1}, {SST: 2}, {SST: 1, SD: 1, HasSD: true}, {SST: 3, SD: 0x112233, HasSD: true}, {SST: 4, SD: 0xaabbcc, HasSD: true}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"03 01 02", "03 01 02 03", "00"} {
		if _, err := decodeNSSAI(hx(bad)); err == nil {
			t.Errorf("decodeNSSAI(%s) accepted", bad)
		}
	}
	if s := (SNSSAI{SST: 1, SD: 0x10203, HasSD: true}).String(); s != "sst-1/sd-010203" {
		t.Fatal(s)
	}
}

// Reference: TS 24.008 §10.5.7.4 (GPRS timer 2), §10.5.7.4a (GPRS timer 3)
func TestGPRSTimers(t *testing.T) {
	t2cases := []struct {
		d    time.Duration
		want GPRSTimer2
		back time.Duration
	}{
		{0, 0x00, 0},
		{4 * time.Second, 0x02, 4 * time.Second},
		{62 * time.Second, 0x1f, 62 * time.Second},
		{10 * time.Minute, 0x2a, 10 * time.Minute},
		{12 * time.Minute, 0x2c, 12 * time.Minute},
		{61 * time.Second, 0x1f, 62 * time.Second},
		{60 * time.Minute, 0x4a, 60 * time.Minute},
		{100 * time.Hour, 0x5f, 186 * time.Minute},
	}
	for _, c := range t2cases {
		got := NewGPRSTimer2(c.d)
		back, ok := got.Duration()
		if got != c.want || !ok || back != c.back {
			t.Errorf("NewGPRSTimer2(%v) = %#x (%v); want %#x (%v)", c.d, uint8(got), back, uint8(c.want), c.back)
		}
	}
	if _, ok := GPRSTimer2(GPRSTimerDeactivated).Duration(); ok {
		t.Error("deactivated timer 2")
	}
	t3cases := []struct {
		d    time.Duration
		want GPRSTimer3
		back time.Duration
	}{
		{54 * time.Minute, 0x06, 60 * time.Minute},
		{30 * time.Minute, 0xbe, 30 * time.Minute},
		{time.Hour, 0x06, time.Hour},
		{2 * time.Second, 0x61, 2 * time.Second},
		{90 * time.Second, 0x83, 90 * time.Second},
		{24 * time.Hour, 0x38, 24 * time.Hour},
		{1000 * time.Hour, 0xc4, 1280 * time.Hour},
	}
	for _, c := range t3cases {
		got := NewGPRSTimer3(c.d)
		back, ok := got.Duration()
		if got != c.want || !ok || back != c.back {
			t.Errorf("NewGPRSTimer3(%v) = %#x (%v); want %#x (%v)", c.d, uint8(got), back, uint8(c.want), c.back)
		}
	}
	if _, ok := GPRSTimer3(GPRSTimerDeactivated).Duration(); ok {
		t.Error("deactivated timer 3")
	}
}

// Reference: TS 24.501 §9.11.4.13 (QoS rules)
func TestQoSRules(t *testing.T) {
	rules, err := ParseQoSRules(DefaultQoSRules(1))
	want := []QoSRule{{ID: 1, Operation: QoSRuleOpCreate, DQR: true, NumPacketFilters: 1,
		PacketFilters: hx("31 01 01"), HasPrecedence: true, Precedence: 0xff, QFI: 1}}
	if err != nil || !reflect.DeepEqual(rules, want) {
		t.Fatalf("%+v %v", rules, err)
	}
	// a delete rule (no filters, no precedence) followed by a modify-delete-filters rule
	rules, err = ParseQoSRules(hx("02 00 01 40  03 00 05 a2 01 02 10 05"))
	if err != nil || len(rules) != 2 || rules[0].Operation != QoSRuleOpDelete || rules[0].HasPrecedence ||
		rules[1].Operation != QoSRuleOpModifyDeleteFilters || !bytes.Equal(rules[1].PacketFilters, hx("01 02")) || rules[1].QFI != 5 {
		t.Fatalf("%+v %v", rules, err)
	}
	for _, bad := range []string{"01 00", "01 00 09 31", "01 00 00 31", "01 00 02 31 31"} {
		if _, err := ParseQoSRules(hx(bad)); err == nil {
			t.Errorf("ParseQoSRules(%s) accepted", bad)
		}
	}
}

// Reference: TS 23.003 §9.1 (APN/DNN label encoding)
func TestDNN(t *testing.T) {
	b, err := encodeDNN("iot.cpf.example")
	if err != nil || !bytes.Equal(b, hx("03 69 6f 74 03 63 70 66 07 65 78 61 6d 70 6c 65")) {
		t.Fatalf("% x %v", b, err)
	}
	s, err := decodeDNN(b)
	if err != nil || s != "iot.cpf.example" {
		t.Fatal(s, err)
	}
	for _, bad := range []string{"", ".a", "a.", string(make([]byte, 64)), string(bytes.Repeat([]byte("abcdefghi."), 10)) + "x"} {
		if _, err := encodeDNN(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("encodeDNN(%q) = %v", bad, err)
		}
	}
}

// Reference: TS 24.501 §9.11.3.54 (UE security capability bit order)
func TestUESecurityCapability(t *testing.T) {
	c := NewUESecurityCapability(AlgBit(0)|AlgBit(2), AlgBit(1)|AlgBit(2))
	if !bytes.Equal(c, []byte{0xa0, 0x60}) || !c.SupportsEA(2) || c.SupportsEA(1) || !c.SupportsIA(1) || c.SupportsIA(0) || c.SupportsIA(9) {
		t.Fatalf("% x", []byte(c))
	}
	if c.EEA() != 0 || (UESecurityCapability{1, 2, 3, 4}).EIA() != 4 {
		t.Fatal("EPS octets")
	}
}

func TestMessageTypeNames(t *testing.T) {
	if MsgRegistrationRequest.String() != "REGISTRATION REQUEST" || MsgStatus5GSM.String() != "5GSM STATUS" ||
		MessageType(0x01).String() != "message type 0x01" {
		t.Fatal("names")
	}
}
