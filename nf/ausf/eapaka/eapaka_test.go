package eapaka_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/nf/ausf/eapaka"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Reference: RFC 9048 Appendix D (= RFC 5448 Appendix C) test case 1, and
// TS 33.402 A.2 for CK'/IK'.
func TestKeyScheduleRFC9048Case1(t *testing.T) {
	ck, _ := aka.Key128From(unhex(t, "5349fbe098649f948f5d2e973a81c00f"))
	ik, _ := aka.Key128From(unhex(t, "9744871ad32bf9bbd1dd5ce54e3e2e5a"))
	var sqnAK [6]byte
	copy(sqnAK[:], unhex(t, "bb52e91c747a")) // AUTN[0:6]
	ckp, ikp, err := eapaka.CKIKPrime(ck, ik, "WLAN", sqnAK)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ckp[:], unhex(t, "0093962d0dd84aa5684b045c9edffa04")) || !bytes.Equal(ikp[:], unhex(t, "ccfc230ca74fcc96c0a5d61164f5a76c")) {
		t.Fatalf("CK'/IK' mismatch")
	}
	k := eapaka.DeriveKeys(ckp, ikp, "0555444333222111")
	for _, c := range []struct {
		name string
		got  []byte
		want string
	}{
		{"K_encr", k.KEncr[:], "766fa0a6c317174b812d52fbcd11a179"},
		{"K_aut", k.KAut[:], "0842ea722ff6835bfa2032499fc3ec23c2f0e388b4f07543ffc677f1696d71ea"},
		{"K_re", k.KRe[:], "cf83aa8bc7e0aced892acc98e76a9b2095b558c7795c7094715cb3393aa7d17a"},
		{"MSK", k.MSK[:], "67c42d9aa56c1b79e295e3459fc3d187d42be0bf818d3070e362c5e967a4d544e8ecfe19358ab3039aff03b7c930588c055babee58a02650b067ec4e9347c75a"},
		{"EMSK", k.EMSK[:], "f861703cd775590e16c7679ea3874ada866311de290764d760cf76df647ea01c313f69924bdd7650ca9bac141ea075c4ef9e8029c0e290cdbad5638b63bc23fb"},
	} {
		if !bytes.Equal(c.got, unhex(t, c.want)) {
			t.Errorf("%s = %x, want %s", c.name, c.got, c.want)
		}
	}
	// Reference: TS 33.501 §6.1.3.1 step 11: KAUSF = 256 MSBs of EMSK.
	kausf := k.KAUSF()
	if !bytes.Equal(kausf[:], k.EMSK[:32]) {
		t.Error("KAUSF is not EMSK[0:32]")
	}
	if s := k.String(); bytes.Contains([]byte(s), []byte("0842")) {
		t.Errorf("String leaks: %s", s)
	}
}

// Reference: TS 33.501 Annex F.3 (Identity = IMSI digits or NAI).
func TestIdentity(t *testing.T) {
	for in, want := range map[string]string{"imsi-001010000000001": "001010000000001", "nai-joe@example.org": "joe@example.org"} {
		got, err := eapaka.Identity(in)
		if err != nil || got != want {
			t.Errorf("Identity(%q) = %q, %v", in, got, err)
		}
	}
}

// Reference: RFC 4187 §10.15 and RFC 9048 §3.3 (AT_MAC over the packet
// with the MAC zeroed); RFC 9048 §3.1 (AT_KDF_INPUT, AT_KDF).
func TestChallengeRoundTrip(t *testing.T) {
	kaut := bytes.Repeat([]byte{0x42}, 32)
	var rand [16]byte
	var autn [16]byte
	rand[0], autn[15] = 1, 2
	snn := "5G:mnc001.mcc001.3gppnetwork.org"
	b, err := eapaka.BuildChallenge(7, rand, autn, snn, kaut)
	if err != nil {
		t.Fatal(err)
	}
	p, err := eapaka.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if p.Code != eapaka.CodeRequest || p.Identifier != 7 || p.Subtype != eapaka.SubtypeChallenge {
		t.Fatalf("decoded %v", p)
	}
	if r, _ := p.RAND(); r != rand {
		t.Error("RAND")
	}
	if a, _ := p.AUTN(); a != autn {
		t.Error("AUTN")
	}
	if n, err := p.KDFInput(); err != nil || n != snn {
		t.Errorf("KDF input %q %v", n, err)
	}
	if k := p.KDFs(); len(k) != 1 || k[0] != 1 {
		t.Errorf("KDF %v", k)
	}
	if err := eapaka.VerifyMAC(b, kaut); err != nil {
		t.Fatal(err)
	}
	again, err := p.Marshal()
	if err != nil || !bytes.Equal(again, b) {
		t.Fatalf("re-encoding differs: %v", err)
	}
	bad := append([]byte(nil), b...)
	bad[len(bad)-1] ^= 1
	if err := eapaka.VerifyMAC(bad, kaut); !errors.Is(err, eapaka.ErrBadMAC) {
		t.Errorf("tampered MAC: %v", err)
	}
	other := bytes.Repeat([]byte{0x43}, 32)
	if err := eapaka.VerifyMAC(b, other); !errors.Is(err, eapaka.ErrBadMAC) {
		t.Errorf("wrong key: %v", err)
	}

	res := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	rb, err := eapaka.BuildChallengeResponse(7, res, kaut)
	if err != nil {
		t.Fatal(err)
	}
	rp, err := eapaka.Decode(rb)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rp.RES(); err != nil || !bytes.Equal(got, res) {
		t.Errorf("RES %x %v", got, err)
	}
	if err := eapaka.VerifyMAC(rb, kaut); err != nil {
		t.Error(err)
	}
	var auts [14]byte
	auts[3] = 9
	sb, _ := eapaka.BuildSyncFailure(8, auts)
	sp, err := eapaka.Decode(sb)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := sp.AUTS(); err != nil || got != auts {
		t.Errorf("AUTS %v", err)
	}
	if err := eapaka.VerifyMAC(sb, kaut); !errors.Is(err, eapaka.ErrNoMAC) {
		t.Errorf("sync failure has no MAC: %v", err)
	}
}

// Reference: RFC 3748 §4 (length field; Success/Failure are 4 octets).
func TestDecodeRejects(t *testing.T) {
	for _, b := range [][]byte{
		nil, {1}, {1, 1, 0, 3}, {1, 1, 0, 9, 50}, {3, 1, 0, 5, 0}, {9, 1, 0, 4},
		{2, 1, 0, 10, 50, 1, 0, 0, 3, 0},       // zero-length attribute
		{2, 1, 0, 12, 50, 1, 0, 0, 3, 2, 0, 0}, // attribute past the end
		{2, 1, 0, 7, 50, 1, 0},
	} {
		if p, err := eapaka.Decode(b); err == nil || p != nil {
			t.Errorf("Decode(%x) = %v, %v", b, p, err)
		}
	}
	if p, err := eapaka.Decode([]byte{3, 5, 0, 4, 0xff}); err != nil || p.Code != eapaka.CodeSuccess {
		t.Errorf("trailing padding: %v %v", p, err)
	}
	if p, err := eapaka.Decode([]byte{2, 5, 0, 6, 1, 'x'}); err != nil || p.Type != 1 || string(p.Data) != "x" {
		t.Errorf("identity response: %v %v", p, err)
	}
}
