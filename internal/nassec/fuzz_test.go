package nassec_test

import (
	"encoding/hex"
	"testing"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/nassec"
)

func fuzzPair(t testing.TB, enc nassec.CipheringAlg, integ nassec.IntegrityAlg) (ue, nw nassec.Context) {
	kEnc := aka.Key128(mustHexT("53aa16a1ee0d7bf601a342eecaf8b0e6"))
	kInt := aka.Key128(mustHexT("daa5adbfc68d0928737ac8bf26f20a27"))
	var err error
	if ue, err = nassec.New(nassec.Config{Side: nassec.SideUE, KNASEnc: kEnc, KNASInt: kInt, Enc: enc, Int: integ}); err != nil {
		t.Fatal(err)
	}
	if nw, err = nassec.New(nassec.Config{Side: nassec.SideNetwork, KNASEnc: kEnc, KNASInt: kInt, Enc: enc, Int: integ}); err != nil {
		t.Fatal(err)
	}
	return ue, nw
}

// FuzzUnprotect: NAS PDUs arrive from the radio side (UE) or the AMF (network),
// possibly forged. Invariant: no panic; never a nil message without an error;
// an accepted message is a plain 5GMM message and the receive COUNT advances.
func FuzzUnprotect(f *testing.F) {
	ue, _ := fuzzPair(f, nassec.NEA2, nassec.NIA2)
	for i, m := range []string{"7e005e", "7e0041790d0100f110000000000000000001", "7e0067010005"} {
		for hdr := uint8(1); hdr <= 4; hdr++ {
			pdu, err := ue.Protect(mustHexT(m), hdr)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(pdu, uint8(i))
		}
	}
	for _, s := range []string{"", "7e", "7e00", "7e0041", "7e01", "7e0100000000", "7e05000000000000", "2e0102", "7e048db6a027000f2666", "7e030b9ae281007e005d220002f0f0"} {
		b, _ := hex.DecodeString(s)
		f.Add(b, uint8(0))
	}
	f.Fuzz(func(t *testing.T, pdu []byte, alg uint8) {
		for _, side := range []int{0, 1} {
			ue, nw := fuzzPair(t, nassec.CipheringAlg(alg%4), nassec.IntegrityAlg(alg/4%4))
			rx := &nw
			if side == 1 {
				rx = &ue
			}
			before := *rx
			plain, hdr, err := rx.Unprotect(pdu)
			if err != nil {
				continue
			}
			if plain == nil || hdr < 1 || hdr > 4 || len(plain) < 3 || plain[0] != 0x7e {
				t.Fatalf("accepted PDU gave plain %x hdr %d", plain, hdr)
			}
			bu, bd := before.Counts()
			au, ad := rx.Counts()
			if au+ad <= bu+bd {
				t.Fatalf("accepted PDU did not advance the COUNT")
			}
		}
	})
}

// FuzzSplit: the header decoder alone.
func FuzzSplit(f *testing.F) {
	f.Add(mustHexT("7e030b9ae281007e005d220002f0f0"))
	f.Add([]byte{0x7e, 0x01})
	f.Fuzz(func(t *testing.T, pdu []byte) {
		h, inner, err := nassec.Split(pdu)
		if err != nil {
			return
		}
		if inner == nil || h.SecHdr < 1 || h.SecHdr > 4 || len(inner)+nassec.HeaderLen != len(pdu) {
			t.Fatalf("bad split")
		}
	})
}
