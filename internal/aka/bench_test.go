package aka_test

import (
	"testing"

	"github.com/credbed/credbed/internal/aka"
)

// The three benchmarks below are the AKA part of the "crypto floor" that
// `credbed bench` compares registration throughput with.

func BenchmarkGenerateVector(b *testing.B) {
	rand := make([]byte, 16)
	sqn := aka.SQN(0)
	b.ReportAllocs()
	for b.Loop() {
		sqn = aka.NextSQN(sqn)
		if _, err := aka.GenerateVector(fuzzK, fuzzOPc, rand, sqn, aka.AMF5G); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckAUTN(b *testing.B) {
	rand := make([]byte, 16)
	v, err := aka.GenerateVector(fuzzK, fuzzOPc, rand, 33, aka.AMF5G)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := aka.CheckAUTN(fuzzK, fuzzOPc, rand, v.AUTN[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKeyChain: one side's full 5G AKA key chain (RES*, HRES*, KAUSF,
// KSEAF, KAMF, KNASenc, KNASint) plus KgNB.
func BenchmarkKeyChain(b *testing.B) {
	rand := make([]byte, 16)
	v, err := aka.GenerateVector(fuzzK, fuzzOPc, rand, 33, aka.AMF5G)
	if err != nil {
		b.Fatal(err)
	}
	in := aka.ChainInput{
		CK: v.CK, IK: v.IK, RAND: v.RAND, RES: v.XRES[:], SQNxorAK: v.SQNxorAK(),
		SNN: "5G:mnc001.mcc001.3gppnetwork.org", SUPI: "imsi-001010123456789", EncAlg: 2, IntAlg: 2,
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := aka.DeriveChain(in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := aka.KgNB(c.KAMF, 0, aka.Access3GPP); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHomeSide: what UDM+AUSF do per registration (vector, XRES*, KAUSF, HXRES*, KSEAF).
func BenchmarkHomeSide(b *testing.B) {
	rand := make([]byte, 16)
	snn := "5G:mnc001.mcc001.3gppnetwork.org"
	b.ReportAllocs()
	for b.Loop() {
		v, err := aka.GenerateVector(fuzzK, fuzzOPc, rand, 33, aka.AMF5G)
		if err != nil {
			b.Fatal(err)
		}
		he, err := v.HEAV(snn)
		if err != nil {
			b.Fatal(err)
		}
		_ = he.HXRESStar()
		if _, err := aka.KSEAF(he.KAUSF, snn); err != nil {
			b.Fatal(err)
		}
	}
}
