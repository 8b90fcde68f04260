package aka_test

import (
	"encoding/hex"
	"testing"

	"github.com/credbed/credbed/internal/aka"
)

var (
	fuzzK   = []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}
	fuzzOPc = []byte{0x62, 0xe7, 0x5b, 0x8d, 0x6f, 0xa5, 0xbf, 0x46, 0xec, 0x87, 0xa9, 0x27, 0x6f, 0x9d, 0xf5, 0x4d}
)

// FuzzCheckAUTN: RAND and AUTN arrive from the network (AUTHENTICATION REQUEST).
// Invariant: no panic; success only with a verified MAC and the separation bit set.
func FuzzCheckAUTN(f *testing.F) {
	autn, _ := hex.DecodeString(chainVector.autn)
	f.Add(fuzzK, autn)
	f.Add(fuzzK, autn[:15])
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, rand, autn []byte) {
		r, err := aka.CheckAUTN(fuzzK, fuzzOPc, rand, autn)
		if err == nil {
			if !aka.SeparationBit(r.AMF) {
				t.Fatalf("accepted AUTN without separation bit")
			}
			v, gerr := aka.GenerateVector(fuzzK, fuzzOPc, rand, r.SQN, r.AMF)
			if gerr != nil || string(v.AUTN[:]) != string(autn) {
				t.Fatalf("accepted AUTN that the ARPF would not build")
			}
		}
	})
}

// FuzzCheckAUTS: AUTS arrives from the UE (AUTHENTICATION FAILURE #21).
func FuzzCheckAUTS(f *testing.F) {
	auts, _ := hex.DecodeString(chainVector.auts)
	f.Add(fuzzK, auts)
	f.Add(fuzzK, auts[:13])
	f.Fuzz(func(t *testing.T, rand, auts []byte) {
		sqn, err := aka.CheckAUTS(fuzzK, fuzzOPc, rand, auts)
		if err == nil {
			b, berr := aka.BuildAUTS(fuzzK, fuzzOPc, rand, sqn)
			if berr != nil || string(b[:]) != string(auts) {
				t.Fatalf("accepted AUTS that the USIM would not build")
			}
		}
	})
}

// FuzzParseAKID: A-KIDs arrive from UEs and AFs (TS 33.535 §6.2).
func FuzzParseAKID(f *testing.F) {
	f.Add("0000.O6AE6c-vjw4cR8NS-jGfB3ibM0mIwUHXNs_kl_gvBQk@5gc.mnc001.mcc001.3gppnetwork.org")
	f.Add("")
	f.Add("@")
	f.Add("1.@x")
	f.Fuzz(func(t *testing.T, s string) {
		rid, atid, realm, err := aka.ParseAKID(s)
		if err != nil {
			return
		}
		back, err := aka.AKID(rid, atid, realm)
		if err != nil || back != s {
			t.Fatalf("ParseAKID(%q) does not round-trip: %q %v", s, back, err)
		}
	})
}

// FuzzSQNFromBytes: SQN octets come from UDR records and AUTS.
func FuzzSQNFromBytes(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0x20})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := aka.SQNFromBytes(b)
		if err != nil {
			return
		}
		if bb := s.Bytes(); string(bb[:]) != string(b) {
			t.Fatalf("SQN round trip")
		}
	})
}
