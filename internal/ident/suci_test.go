package ident

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// Scheme outputs of TS 33.501 C.4.
const (
	c4AIMSI    = "b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457dcb02352410cddd9e730ef3fa87"
	c4BIMSI    = "039aab8376597021e855679a9778ea0b67396e68c66df32c0f41e9acca2da9b9d146a33fc2716ac7dae96aa30a4d"
	c4ANAIName = "ecckey977D8B2FDAA7B64AA700D04227D5B440630EA4EC50F9082273A26BB678C92222.cip8E358A1582ADB15322C10E515141D2039A.mac12E1D7783A97F1AC"
	c4BNAIName = "ecckey03759BB22C563D9F4A6B3C1419E543FC2F39D6823F02A9D71162B39399218B244B.cipBE22D8B9F856A52ED381CD7EAF4CF2D525.mac3CDDC61A0A7882EB"
)

// Reference: TS 23.003 §2.2B and §28.7.3, TS 29.571 §5.3.2 (Suci), TS 24.501 §9.11.3.4
func TestSUCIForms(t *testing.T) {
	tests := []struct {
		name string
		str  string
		nas  string // value part of the 5GS mobile identity, hex
		want SUCI
	}{
		{
			name: "null IMSI, 3gpp.md worked example",
			str:  "suci-0-001-01-0000-0-0-0123456789",
			nas:  "0100f110000000001032547698",
			want: SUCI{PLMN: PLMN{"001", "01"}, RoutingIndicator: "0000", SchemeOutput: mustHex(t, "1032547698")},
		},
		{
			name: "null IMSI, free5gc nasConvert vector",
			str:  "suci-0-208-93-0-0-0-0000001",
			nas:  "0102f839f0ff0000000000f1",
			want: SUCI{PLMN: PLMN{"208", "93"}, RoutingIndicator: "0", SchemeOutput: mustHex(t, "000000f1")},
		},
		{
			name: "null IMSI, TS 33.501 C.4.2.1",
			str:  "suci-0-274-012-17-0-0-001002086",
			nas:  "0172241071ff000000012080f6",
			want: SUCI{PLMN: PLMN{"274", "012"}, RoutingIndicator: "17", SchemeOutput: mustHex(t, "00012080f6")},
		},
		{
			name: "profile A IMSI, free5gc UDM vector",
			str:  "suci-0-208-93-0-1-1-" + c4AIMSI,
			nas:  "0102f839f0ff0101" + c4AIMSI,
			want: SUCI{PLMN: PLMN{"208", "93"}, RoutingIndicator: "0", Scheme: SchemeProfileA, KeyID: 1, SchemeOutput: mustHex(t, c4AIMSI)},
		},
		{
			name: "profile B IMSI, free5gc UDM vector",
			str:  "suci-0-208-93-0-2-2-" + c4BIMSI,
			nas:  "0102f839f0ff0202" + c4BIMSI,
			want: SUCI{PLMN: PLMN{"208", "93"}, RoutingIndicator: "0", Scheme: SchemeProfileB, KeyID: 2, SchemeOutput: mustHex(t, c4BIMSI)},
		},
		{
			name: "proprietary scheme, key 255, RI 1234",
			str:  "suci-0-310-410-1234-c-255-00ff",
			nas:  "0113001421430cff00ff",
			want: SUCI{PLMN: PLMN{"310", "410"}, RoutingIndicator: "1234", Scheme: 12, KeyID: 255, SchemeOutput: []byte{0, 0xff}},
		},
		{
			name: "null NAI, TS 33.501 C.4.2.2",
			str:  "type1.rid0.schid0.useridverylongusername1@3gpp.com",
			want: SUCI{SUPIType: SUPITypeNAI, Realm: "3gpp.com", RoutingIndicator: "0", SchemeOutput: []byte("verylongusername1")},
		},
		{
			name: "profile A NAI, TS 33.501 C.4.3.2",
			str:  "type1.rid0.schid1.hnkey1." + c4ANAIName + "@3gpp.com",
			want: SUCI{SUPIType: SUPITypeNAI, Realm: "3gpp.com", RoutingIndicator: "0", Scheme: SchemeProfileA, KeyID: 1,
				SchemeOutput: mustHex(t, "977D8B2FDAA7B64AA700D04227D5B440630EA4EC50F9082273A26BB678C92222"+"8E358A1582ADB15322C10E515141D2039A"+"12E1D7783A97F1AC")},
		},
		{
			name: "profile B NAI, TS 33.501 C.4.4.2",
			str:  "type1.rid12.schid2.hnkey7." + c4BNAIName + "@3gpp.com",
			want: SUCI{SUPIType: SUPITypeNAI, Realm: "3gpp.com", RoutingIndicator: "12", Scheme: SchemeProfileB, KeyID: 7,
				SchemeOutput: mustHex(t, "03759BB22C563D9F4A6B3C1419E543FC2F39D6823F02A9D71162B39399218B244B"+"BE22D8B9F856A52ED381CD7EAF4CF2D525"+"3CDDC61A0A7882EB")},
		},
		{
			name: "proprietary NAI",
			str:  "type1.rid0.schid13.hnkey3.outABCD@op.example",
			want: SUCI{SUPIType: SUPITypeNAI, Realm: "op.example", RoutingIndicator: "0", Scheme: 13, KeyID: 3, SchemeOutput: []byte{0xab, 0xcd}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSUCI(tt.str)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Fatalf("ParseSUCI = %+v, want %+v", got, tt.want)
			}
			if s := got.String(); s != tt.str {
				t.Fatalf("String() = %q, want %q", s, tt.str)
			}
			nas, err := got.MarshalNAS()
			if err != nil {
				t.Fatal(err)
			}
			wantNAS := tt.nas
			if wantNAS == "" { // NAI: 0x11 then the NAI-form string
				wantNAS = "11" + hex.EncodeToString([]byte(tt.str))
			}
			if hex.EncodeToString(nas) != wantNAS {
				t.Fatalf("MarshalNAS = %x, want %s", nas, wantNAS)
			}
			back, err := ParseSUCINAS(nas)
			if err != nil {
				t.Fatal(err)
			}
			if !back.Equal(tt.want) {
				t.Fatalf("ParseSUCINAS = %+v, want %+v", back, tt.want)
			}
			if typ, err := MobileIdentityType(nas); err != nil || typ != IdentitySUCI {
				t.Fatalf("MobileIdentityType = %v, %v", typ, err)
			}
		})
	}
}

func TestParseSUCIAcceptsUpperCaseHex(t *testing.T) {
	s, err := ParseSUCI("suci-0-208-93-0-1-1-" + strings.ToUpper(c4AIMSI))
	if err != nil {
		t.Fatal(err)
	}
	if s.String() != "suci-0-208-93-0-1-1-"+c4AIMSI {
		t.Fatalf("String() = %q", s.String())
	}
	if _, err := ParseSUCI("suci-0-208-93-0-A-1-00"); err != nil {
		t.Fatalf("upper-case scheme digit: %v", err)
	}
}

func TestParseSUCIRejects(t *testing.T) {
	long := "suci-0-208-93-0-1-1-" + strings.Repeat("00", MaxSchemeOutputLen+1)
	for _, in := range []string{
		"",
		"suci",
		"SUCI-0-208-93-0-0-0-1",
		"suci-0-208-93-0-0-0",                       // 7 fields
		"suci-0-208-93-0-0-0-1-2",                   // 9 fields
		"suci-1-3gpp.com-0-0-0-user",                // NAI in suci- form
		"suci-0-20-93-0-0-0-1",                      // MCC
		"suci-0-208-9-0-0-0-1",                      // MNC
		"suci-0-208-9300-0-0-0-1",                   // MNC
		"suci-0-208-93--0-0-1",                      // empty RI
		"suci-0-208-93-12345-0-0-1",                 // RI too long
		"suci-0-208-93-0a-0-0-1",                    // RI not decimal
		"suci-0-208-93-0-10-0-1",                    // scheme two digits
		"suci-0-208-93-0-g-0-1",                     // scheme not hex
		"suci-0-208-93-0-0-1-1",                     // null scheme, key id 1
		"suci-0-208-93-0-1-256-00",                  // key id range
		"suci-0-208-93-0-1-01-00",                   // key id leading zero
		"suci-0-208-93-0-1-x-00",                    // key id
		"suci-0-208-93-0-0-0-",                      // empty MSIN
		"suci-0-208-93-0-0-0-12a4",                  // MSIN not decimal
		"suci-0-208-93-0-0-0-12345678901",           // MSIN too long for a 2-digit MNC
		"suci-0-208-930-0-0-0-1234567890",           // MSIN too long for a 3-digit MNC
		"suci-0-208-93-0-1-1-",                      // empty output
		"suci-0-208-93-0-1-1-abc",                   // odd hex
		"suci-0-208-93-0-1-1-zz",                    // not hex
		long,                                        // oversize
		"type1.rid0.schid0.useridverylongusername1", // no realm
		"type1.rid0.schid0.userid@3gpp.com",         // empty username
		"type1.rid0.schid0.useridus er@3gpp.com",    // space
		"type0.rid0.schid0.userid0123@5gc.mnc001.mcc001.3gppnetwork.org",
		"type2.rid0.schid0.useridx@3gpp.com",
		"type1.rid.schid0.useridx@3gpp.com",
		"type1.rid0.schid16.hnkey1.out00@3gpp.com",
		"type1.rid0.schid01.hnkey1.out00@3gpp.com",
		"type1.rid0.schid0.x@3gpp.com",
		"type1.rid0.schid0@3gpp.com",
		"type1.rid0.schid1.hnkey1.ecckey00.cip00.mac00@3gpp.com", // wrong key/mac lengths
		"type1.rid0.schid1.hnkey1." + c4ANAIName + ".extra@3gpp.com",
		"type1.rid0.schid1.hnkeyx." + c4ANAIName + "@3gpp.com",
		"type1.rid0.schid1.hnkey1." + strings.Replace(c4ANAIName, ".cip", ".cop", 1) + "@3gpp.com",
		"type1.rid0.schid1.hnkey1." + strings.Replace(c4ANAIName, ".cip8E", ".cip8", 1) + "@3gpp.com",
		"type1.rid0.schid1.hnkey1." + c4ANAIName + "@3gpp..com",
		"type1.rid0.schid1.key1." + c4ANAIName + "@3gpp.com",
		"type1.rid0.schid13.hnkey3.ABCD@op.example",
		"type1.rid0.schid13.hnkey3@op.example",
		"type1.rid0.schid2.hnkey1." + c4ANAIName + "@3gpp.com", // profile A sizes under scheme B
		"imsi-274012001002086",
	} {
		if _, err := ParseSUCI(in); !errors.Is(err, ErrInvalidSUCI) {
			t.Errorf("ParseSUCI(%.80q) err = %v, want ErrInvalidSUCI", in, err)
		}
	}
}

func TestParseSUCINASRejects(t *testing.T) {
	for _, h := range []string{
		"",
		"02f839f0ff0000000000f1",               // 5G-GUTI type
		"0102f839f0ff0000",                     // short
		"010af839f0ff0000000000f1",             // bad MCC digit
		"0102f839f0f00000000000f1",             // RI digit after filler
		"0102f839a0ff0000000000f1",             // RI non-decimal
		"0102f839ffff0000000000f1",             // RI no digits
		"0102f839f0ff00010000",                 // null scheme with key id 1
		"0102f839f0ff0000ff",                   // null scheme output not BCD
		"0102f839f0ff000000000f",               // filler in low nibble
		"21" + hex.EncodeToString([]byte("x")), // SUPI format 2
		"11",                                   // NAI, empty
		"11" + hex.EncodeToString([]byte("suci-0-208-93-0-0-0-1")),
		"11" + hex.EncodeToString([]byte("type1.rid0.schid0.userid@3gpp.com")),
	} {
		if _, err := ParseSUCINAS(mustHex(t, h)); !errors.Is(err, ErrInvalidSUCI) {
			t.Errorf("ParseSUCINAS(%s) err = %v, want ErrInvalidSUCI", h, err)
		}
	}
}

func TestSUCINASDoesNotAlias(t *testing.T) {
	b := mustHex(t, "0102f839f0ff0101"+c4AIMSI)
	s, err := ParseSUCINAS(b)
	if err != nil {
		t.Fatal(err)
	}
	b[10] ^= 0xff
	if !bytes.Equal(s.SchemeOutput, mustHex(t, c4AIMSI)) {
		t.Fatal("SchemeOutput aliases the input buffer")
	}
}

func TestSUCIValidate(t *testing.T) {
	ok := SUCI{PLMN: PLMN{"208", "93"}, RoutingIndicator: "0", Scheme: SchemeProfileA, KeyID: 1, SchemeOutput: []byte{1}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("short ECIES output must pass ident validation (suci reports ErrLength): %v", err)
	}
	bad := []SUCI{
		{},
		{SUPIType: 2, RoutingIndicator: "0", SchemeOutput: []byte{1}},
		{PLMN: PLMN{"208", "93"}, Realm: "x.org", RoutingIndicator: "0", SchemeOutput: []byte{1}},
		{SUPIType: SUPITypeNAI, PLMN: PLMN{"208", "93"}, Realm: "x.org", RoutingIndicator: "0", SchemeOutput: []byte("u")},
		{PLMN: PLMN{"208", "93"}, RoutingIndicator: "0", Scheme: 16, SchemeOutput: []byte{1}},
		{SUPIType: SUPITypeNAI, Realm: "x.org", RoutingIndicator: "0", Scheme: SchemeProfileB, SchemeOutput: make([]byte, 41)},
		{SUPIType: SUPITypeNAI, Realm: "x.org", RoutingIndicator: "0", SchemeOutput: []byte(strings.Repeat("u", 250))},
	}
	for i, s := range bad {
		if err := s.Validate(); !errors.Is(err, ErrInvalidSUCI) {
			t.Errorf("case %d: Validate err = %v", i, err)
		}
		if _, err := s.MarshalNAS(); !errors.Is(err, ErrInvalidSUCI) {
			t.Errorf("case %d: MarshalNAS err = %v", i, err)
		}
		_ = s.String() // must not panic
	}
	if !(SUCI{}).IsZero() || ok.IsZero() {
		t.Fatal("IsZero")
	}
}

func TestProtectionScheme(t *testing.T) {
	for in, want := range map[string]ProtectionScheme{
		"null": SchemeNull, "0": SchemeNull, "A": SchemeProfileA, "profile-a": SchemeProfileA, "1": SchemeProfileA,
		"b": SchemeProfileB, "Profile-B": SchemeProfileB, "2": SchemeProfileB, "12": 12, "15": 15,
	} {
		got, err := ParseProtectionScheme(in)
		if err != nil || got != want {
			t.Errorf("ParseProtectionScheme(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "c", "16", "-1", "+3", "profile-c"} {
		if _, err := ParseProtectionScheme(in); !errors.Is(err, ErrInvalidSUCI) {
			t.Errorf("ParseProtectionScheme(%q) err = %v", in, err)
		}
	}
	names := map[ProtectionScheme]string{0: "null", 1: "profile-a", 2: "profile-b", 3: "reserved-3", 12: "proprietary-12", 16: "invalid-16"}
	for p, want := range names {
		if p.String() != want {
			t.Errorf("%d.String() = %q", p, p.String())
		}
	}
	if SchemeProfileA.ECIESPublicKeyLen() != 32 || SchemeProfileB.ECIESPublicKeyLen() != 33 || SchemeNull.ECIESPublicKeyLen() != 0 {
		t.Fatal("ECIESPublicKeyLen")
	}
}
