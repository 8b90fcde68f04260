package eapaka_test

import (
	"bytes"
	"testing"

	"github.com/credbed/credbed/nf/ausf/eapaka"
)

// FuzzDecode: no panic, never nil without an error, and a decoded
// packet re-encodes to the same octets (up to the Length field).
func FuzzDecode(f *testing.F) {
	kaut := bytes.Repeat([]byte{1}, 32)
	ch, _ := eapaka.BuildChallenge(1, [16]byte{1}, [16]byte{2}, "5G:mnc001.mcc001.3gppnetwork.org", kaut)
	rsp, _ := eapaka.BuildChallengeResponse(1, []byte{1, 2, 3, 4, 5, 6, 7, 8}, kaut)
	sf, _ := eapaka.BuildSyncFailure(2, [14]byte{3})
	rej, _ := eapaka.BuildAuthReject(3)
	ce, _ := eapaka.BuildClientError(4, 0)
	for _, s := range [][]byte{ch, rsp, sf, rej, ce, eapaka.BuildSuccess(1), eapaka.BuildFailure(1), {2, 1, 0, 6, 1, 'a'}, {}, {2, 1, 0, 8, 50, 1, 0, 0}} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := eapaka.Decode(b)
		if err != nil {
			if p != nil {
				t.Fatal("packet with error")
			}
			return
		}
		if p == nil {
			t.Fatal("nil packet without error")
		}
		_ = p.String()
		_, _ = p.RES()
		_, _ = p.AUTS()
		_, _ = p.KDFInput()
		_, _ = p.RAND()
		_ = eapaka.VerifyMAC(b, kaut)
		out, err := p.Marshal()
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		n := int(b[2])<<8 | int(b[3])
		if !bytes.Equal(out, b[:n]) {
			t.Fatalf("round trip: %x -> %x", b[:n], out)
		}
	})
}
