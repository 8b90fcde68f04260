package ident

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// Fuzz invariants: no panic; a successful parse yields a value that validates
// and survives an encode/decode round trip unchanged.

func FuzzParseSUCI(f *testing.F) {
	for _, s := range []string{
		"suci-0-001-01-0000-0-0-0123456789",
		"suci-0-208-93-0-0-0-00007487",
		"suci-0-208-93-0-1-1-" + c4AIMSI,
		"suci-0-208-93-0-2-2-" + c4BIMSI,
		"suci-0-310-410-1234-c-255-00ff",
		"type1.rid0.schid0.useridverylongusername1@3gpp.com",
		"type1.rid0.schid1.hnkey1." + c4ANAIName + "@3gpp.com",
		"type1.rid12.schid2.hnkey7." + c4BNAIName + "@3gpp.com",
		"type1.rid0.schid13.hnkey3.outABCD@op.example",
		"suci-0-208-93-0-1-01-00",
		"type1.rid0.schid0.userid@",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSUCI(in)
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("parsed SUCI does not validate: %v", err)
		}
		str := s.String()
		s2, err := ParseSUCI(str)
		if err != nil {
			t.Fatalf("String() %q does not parse: %v", str, err)
		}
		if !s2.Equal(s) || s2.String() != str {
			t.Fatalf("string round trip changed %+v into %+v", s, s2)
		}
		nas, err := s.MarshalNAS()
		if err != nil {
			t.Fatalf("MarshalNAS of a valid SUCI: %v", err)
		}
		s3, err := ParseSUCINAS(nas)
		if err != nil || !s3.Equal(s) {
			t.Fatalf("NAS round trip: %+v, %v", s3, err)
		}
	})
}

func FuzzParseSUCINAS(f *testing.F) {
	for _, h := range []string{
		"0100f110000000001032547698",
		"0102f839f0ff0000000000f1",
		"0102f839f0ff0101" + c4AIMSI,
		"0102f839f0ff0202" + c4BIMSI,
		"0113001421430cff00ff",
		"11" + hex.EncodeToString([]byte("type1.rid0.schid1.hnkey1."+c4ANAIName+"@3gpp.com")),
		"f202f83901234567890123",
		"01",
	} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := ParseSUCINAS(in)
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("parsed SUCI does not validate: %v", err)
		}
		nas, err := s.MarshalNAS()
		if err != nil {
			t.Fatalf("MarshalNAS: %v", err)
		}
		s2, err := ParseSUCINAS(nas)
		if err != nil || !s2.Equal(s) {
			t.Fatalf("NAS round trip: %+v, %v", s2, err)
		}
		s3, err := ParseSUCI(s.String())
		if err != nil || !s3.Equal(s) {
			t.Fatalf("string round trip of %q: %+v, %v", s.String(), s3, err)
		}
	})
}

func FuzzParseSUPI(f *testing.F) {
	for _, s := range []string{"imsi-274012001002086", "imsi-208931", "nai-verylongusername1@3gpp.com", "nai-a@b", "nai-@", "imsi-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSUPI(in)
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil || s.String() != in {
			t.Fatalf("ParseSUPI(%q) = %+v; Validate %v", in, s, err)
		}
	})
}

func FuzzPLMNBCD(f *testing.F) {
	for _, h := range []string{"02f839", "025839", "00f110", "ffffff", ""} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := PLMNFromBCD(in)
		if err != nil {
			return
		}
		b, err := p.BCD()
		if err != nil || !bytes.Equal(b[:], in) {
			t.Fatalf("BCD round trip of %x: %x, %v", in, b, err)
		}
		if q, err := ParsePLMN(p.String()); err != nil || q != p {
			t.Fatalf("ParsePLMN(%q) = %+v, %v", p.String(), q, err)
		}
		if q, err := ParseServingNetworkName(p.ServingNetworkName()); err != nil || q.MCC != p.MCC {
			t.Fatalf("serving network name round trip: %+v, %v", q, err)
		}
	})
}

func FuzzMobileIdentityNAS(f *testing.F) {
	for _, h := range []string{"f202f83901234567890123", "f4234567890123", "0102f839f0ff0000000000f1", "f2", ""} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		typ, err := MobileIdentityType(in)
		if err != nil {
			return
		}
		switch typ {
		case IdentityGUTI:
			g, err := ParseGUTINAS(in)
			if err != nil {
				return
			}
			if err := g.Validate(); err != nil {
				t.Fatal(err)
			}
			if g2, err := ParseGUTI(g.String()); err != nil || g2 != g {
				t.Fatalf("GUTI string round trip: %+v, %v", g2, err)
			}
			b, err := g.MarshalNAS()
			if g3, err2 := ParseGUTINAS(b); err != nil || err2 != nil || g3 != g {
				t.Fatalf("GUTI NAS round trip: %v %v", err, err2)
			}
		case IdentitySTMSI:
			s, err := ParseSTMSINAS(in)
			if err != nil {
				return
			}
			if s2, err := ParseSTMSI(s.String()); err != nil || s2 != s {
				t.Fatalf("S-TMSI string round trip: %+v, %v", s2, err)
			}
			b, err := s.MarshalNAS()
			if s3, err2 := ParseSTMSINAS(b); err != nil || err2 != nil || s3 != s {
				t.Fatalf("S-TMSI NAS round trip: %v %v", err, err2)
			}
		}
	})
}
