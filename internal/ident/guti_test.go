package ident

import (
	"encoding/hex"
	"errors"
	"testing"
)

// Reference: TS 23.003 §2.10.1 (5G-GUTI), §2.11 (5G-S-TMSI), TS 24.501 §9.11.3.4
func TestGUTI(t *testing.T) {
	tests := []struct {
		str  string
		nas  string
		want GUTI
	}{
		// free5gc nasConvert test vectors.
		{"2089301234567890123", "f202f8390123456789012" + "3", GUTI{PLMN{"208", "93"}, 0x01, 0x8d, 0x05, 0x67890123}},
		{"20893501234567890123", "f20258390123456789012" + "3", GUTI{PLMN{"208", "935"}, 0x01, 0x8d, 0x05, 0x67890123}},
		{"00101ffffffffffffff", "f200f110ffffffffffffff", GUTI{PLMN{"001", "01"}, 0xff, 0x3ff, 0x3f, 0xffffffff}},
		{"00101cafe4000000001", "f200f110cafe4000000001", GUTI{PLMN{"001", "01"}, 0xca, 0x3f9, 0x00, 1}},
	}
	for _, tt := range tests {
		g, err := ParseGUTI(tt.str)
		if err != nil || g != tt.want {
			t.Fatalf("ParseGUTI(%q) = %+v, %v; want %+v", tt.str, g, err, tt.want)
		}
		if g.String() != tt.str {
			t.Fatalf("String() = %q, want %q", g.String(), tt.str)
		}
		nas, err := g.MarshalNAS()
		if err != nil || hex.EncodeToString(nas) != tt.nas {
			t.Fatalf("MarshalNAS = %x, %v; want %s", nas, err, tt.nas)
		}
		back, err := ParseGUTINAS(nas)
		if err != nil || back != g {
			t.Fatalf("ParseGUTINAS = %+v, %v", back, err)
		}
		if typ, _ := MobileIdentityType(nas); typ != IdentityGUTI {
			t.Fatalf("MobileIdentityType = %v", typ)
		}
		s := g.STMSI()
		if s.AMFSetID != g.AMFSetID || s.AMFPointer != g.AMFPointer || s.TMSI != g.TMSI {
			t.Fatalf("STMSI() = %+v", s)
		}
	}
	if id := (GUTI{AMFRegionID: 0xca, AMFSetID: 0x3f9, AMFPointer: 0}).AMFID(); id != 0xcafe40 {
		t.Fatalf("AMFID = %x", id)
	}
	for _, bad := range []string{"", "208930123456789012", "208930123456789012345", "2089x01234567890123", "20893012345678901g3"} {
		if _, err := ParseGUTI(bad); !errors.Is(err, ErrInvalidGUTI) {
			t.Errorf("ParseGUTI(%q) err = %v", bad, err)
		}
	}
	for _, h := range []string{"", "f202f83901234567890123ff", "f102f8390123456789012" + "3", "f20af8390123456789012" + "3"} {
		if _, err := ParseGUTINAS(mustHex(t, h)); !errors.Is(err, ErrInvalidGUTI) {
			t.Errorf("ParseGUTINAS(%s) err = %v", h, err)
		}
	}
	for _, g := range []GUTI{{PLMN: PLMN{"208", "93"}, AMFSetID: 1024}, {PLMN: PLMN{"208", "93"}, AMFPointer: 64}, {PLMN: PLMN{"2", "93"}}} {
		if _, err := g.MarshalNAS(); !errors.Is(err, ErrInvalidGUTI) {
			t.Errorf("MarshalNAS(%+v) err = %v", g, err)
		}
	}
}

func TestSTMSI(t *testing.T) {
	tests := []struct {
		str  string
		nas  string
		want STMSI
	}{
		{"234567890123", "f4234567890123", STMSI{0x8d, 0x05, 0x67890123}},
		{"ffffffffffff", "f4ffffffffffff", STMSI{0x3ff, 0x3f, 0xffffffff}},
		{"000000000000", "f4000000000000", STMSI{}},
	}
	for _, tt := range tests {
		s, err := ParseSTMSI(tt.str)
		if err != nil || s != tt.want || s.String() != tt.str {
			t.Fatalf("ParseSTMSI(%q) = %+v (%s), %v", tt.str, s, s, err)
		}
		nas, err := s.MarshalNAS()
		if err != nil || hex.EncodeToString(nas) != tt.nas {
			t.Fatalf("MarshalNAS = %x, %v", nas, err)
		}
		back, err := ParseSTMSINAS(nas)
		if err != nil || back != s {
			t.Fatalf("ParseSTMSINAS = %+v, %v", back, err)
		}
	}
	for _, bad := range []string{"", "23456789012", "2345678901234", "23456789012g"} {
		if _, err := ParseSTMSI(bad); !errors.Is(err, ErrInvalidSTMSI) {
			t.Errorf("ParseSTMSI(%q) err = %v", bad, err)
		}
	}
	for _, h := range []string{"", "f42345678901", "f2234567890123", "f423456789012345"} {
		if _, err := ParseSTMSINAS(mustHex(t, h)); !errors.Is(err, ErrInvalidSTMSI) {
			t.Errorf("ParseSTMSINAS(%s) err = %v", h, err)
		}
	}
	if _, err := (STMSI{AMFSetID: 1024}).MarshalNAS(); !errors.Is(err, ErrInvalidSTMSI) {
		t.Fatal("MarshalNAS accepted a 11-bit set id")
	}
	if _, err := (STMSI{AMFPointer: 64}).MarshalNAS(); !errors.Is(err, ErrInvalidSTMSI) {
		t.Fatal("MarshalNAS accepted a 7-bit pointer")
	}
	if _, err := MobileIdentityType(nil); !errors.Is(err, ErrInvalidMobileIdentity) {
		t.Fatal("MobileIdentityType(nil)")
	}
	for typ, want := range map[IdentityType]string{IdentityNone: "no identity", IdentitySUCI: "SUCI", IdentityIMEISV: "IMEISV", IdentityEUI64: "EUI-64", 9: "identity-type-9"} {
		if typ.String() != want {
			t.Errorf("%d.String() = %q", typ, typ.String())
		}
	}
}
