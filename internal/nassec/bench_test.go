package nassec_test

import (
	"testing"

	"github.com/credbed/credbed/internal/nassec"
)

// A REGISTRATION REQUEST-sized 5GMM message (SUCI Profile A, capabilities).
var benchMsg = append([]byte{0x7e, 0x00, 0x41, 0x79, 0x00, 0x36}, make([]byte, 58)...)

func BenchmarkProtectNEA2NIA2(b *testing.B) {
	ue, _ := fuzzPair(b, nassec.NEA2, nassec.NIA2)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ue.ProtectWith(benchMsg, nassec.HdrIntegrityCiphered, nassec.Options{NoIncrement: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnprotectNEA2NIA2(b *testing.B) {
	ue, nw := fuzzPair(b, nassec.NEA2, nassec.NIA2)
	pdu, err := ue.Protect(benchMsg, nassec.HdrIntegrityCiphered)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rx := nw // fresh receive state each time, so the PDU is never a replay
		if _, _, err := rx.Unprotect(pdu); err != nil {
			b.Fatal(err)
		}
	}
}
