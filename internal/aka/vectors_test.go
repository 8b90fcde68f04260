package aka_test

import (
	"encoding/hex"
	"testing"

	"github.com/free5gc/util/ueauth"

	"github.com/credbed/credbed/internal/aka"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// milenageSet is one conformance test set of TS 35.208 §4.3 (the same K/RAND
// sets appear in TS 35.207); values from reference/3gpp.md §4.1.
type milenageSet struct {
	name                         string
	k, rand, sqn, amf, op, opc   string
	f1, f1s, f2, f5, f3, f4, f5s string
}

var milenageSets = []milenageSet{
	{"set1", "465b5ce8b199b49faa5f0a2ee238a6bc", "23553cbe9637a89d218ae64dae47bf35", "ff9bb4d0b607", "b9b9", "cdc202d5123e20f62b6d676ac72cb318", "cd63cb71954a9f4e48a5994e37a02baf",
		"4a9ffac354dfafb3", "01cfaf9ec4e871e9", "a54211d5e3ba50bf", "aa689c648370", "b40ba9a3c58b2a05bbf0d987b21bf8cb", "f769bcd751044604127672711c6d3441", "451e8beca43b"},
	{"set2", "0396eb317b6d1c36f19c1c84cd6ffd16", "c00d603103dcee52c4478119494202e8", "fd8eef40df7d", "af17", "ff53bade17df5d4e793073ce9d7579fa", "53c15671c60a4b731c55b4a441c0bde2",
		"5df5b31807e258b0", "a8c016e51ef4a343", "d3a628ed988620f0", "c47783995f72", "58c433ff7a7082acd424220f2b67c556", "21a8c1f929702adb3e738488b9f5c5da", "30f1197061c1"},
	{"set3", "fec86ba6eb707ed08905757b1bb44b8f", "9f7c8d021accf4db213ccff0c7f71a6a", "9d0277595ffc", "725c", "dbc59adcb6f9a0ef735477b7fadf8374", "1006020f0a478bf6b699f15c062e42b3",
		"9cabc3e99baf7281", "95814ba2b3044324", "8011c48c0c214ed2", "33484dc2136b", "5dbdbb2954e8f3cde665b046179a5098", "59a92d3b476a0443487055cf88b2307b", "deacdd848cc6"},
	{"set4", "9e5944aea94b81165c82fbf9f32db751", "ce83dbc54ac0274a157c17f80d017bd6", "0b604a81eca8", "9e09", "223014c5806694c007ca1eeef57f004f", "a64a507ae1a2a98bb88eb4210135dc87",
		"74a58220cba84c49", "ac2cc74a96871837", "f365cd683cd92e96", "f0b9c08ad02e", "e203edb3971574f5a94b0d61b816345d", "0c4524adeac041c4dd830d20854fc46b", "6085a86c6f63"},
	{"set5", "4ab1deb05ca6ceb051fc98e77d026a84", "74b0cd6031a1c8339b2b6ce2b8c4a186", "e880a1b580b6", "9f07", "2d16c5cd1fdf6b22383584e3bef2a8d8", "dcf07cbd51855290b92a07a9891e523e",
		"49e785dd12626ef2", "9e85790336bb3fa2", "5860fc1bce351e7e", "31e11a609118", "7657766b373d1c2138f307e3de9242f9", "1c42e960d89b8fa99f2744e0708ccb53", "fe2555e54aa9"},
	{"set6", "6c38a116ac280c454f59332ee35c8c4f", "ee6466bc96202c5a557abbeff8babf63", "414b98222181", "4464", "1ba00a1a7c6700ac8c3ff3e96ad08725", "3803ef5363b947c6aaa225e58fae3934",
		"078adfb488241a57", "80246b8d0186bcf1", "16c8233f05a0ac28", "45b0f69ab06c", "3f8c7587fe8e4b233af676aede30ba3b", "a7466cc1e6b2a1337d49d3b66e95d7b4", "1f53cd2b1113"},
}

// Reference: TS 35.208 §4.3 test sets 1-6 (f1, f1*, f2, f3, f4, f5, f5*, OPc), TS 35.206 §4.1.
func TestMilenageConformanceSets(t *testing.T) {
	for _, s := range milenageSets {
		t.Run(s.name, func(t *testing.T) {
			k, op := unhex(t, s.k), unhex(t, s.op)
			opc, err := aka.OPc(k, op)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(opc[:]); got != s.opc {
				t.Fatalf("OPc = %s, want %s", got, s.opc)
			}
			sqn, err := aka.ParseSQN(s.sqn)
			if err != nil {
				t.Fatal(err)
			}
			amf := [2]byte(unhex(t, s.amf))
			o, err := aka.Milenage(k, opc[:], unhex(t, s.rand), sqn, amf)
			if err != nil {
				t.Fatal(err)
			}
			check := func(name string, got []byte, want string) {
				t.Helper()
				if g := hex.EncodeToString(got); g != want {
					t.Errorf("%s = %s, want %s", name, g, want)
				}
			}
			check("f1", o.MACA[:], s.f1)
			check("f1*", o.MACS[:], s.f1s)
			check("f2", o.RES[:], s.f2)
			check("f3", o.CK[:], s.f3)
			check("f4", o.IK[:], s.f4)
			check("f5", o.AK[:], s.f5)
			check("f5*", o.AKStar[:], s.f5s)

			// The same values through the vector and UE-side paths.
			v, err := aka.GenerateVector(k, opc[:], unhex(t, s.rand), sqn, amf)
			if err != nil {
				t.Fatal(err)
			}
			check("vector MAC-A", v.MACA[:], s.f1)
			check("vector XRES", v.XRES[:], s.f2)
			check("vector AK", v.AK[:], s.f5)
			sq := sqn.Bytes()
			for i := range 6 {
				if v.AUTN[i] != sq[i]^v.AK[i] {
					t.Fatalf("AUTN[0:6] is not SQN xor AK")
				}
			}
			r, err := aka.CheckAUTN(k, opc[:], unhex(t, s.rand), v.AUTN[:])
			if aka.SeparationBit(amf) {
				if err != nil {
					t.Fatal(err)
				}
			} else if err != aka.ErrAMFSeparation {
				t.Fatalf("CheckAUTN err = %v, want ErrAMFSeparation", err)
			}
			if r.SQN != sqn || r.RES != v.XRES || r.CK != v.CK || r.IK != v.IK {
				t.Fatalf("CheckAUTN result differs from the vector")
			}
		})
	}
}

// Reference: TS 33.220 Annex B.2 KDF, checked on RFC 5448 test vector 1
// (CK' || IK' derivation, FC 0x20, P0 "WLAN", P1 SQN xor AK), as free5gc/util ueauth_test uses it.
func TestKDFRFC5448(t *testing.T) {
	key := append(unhex(t, "5349fbe098649f948f5d2e973a81c00f"), unhex(t, "9744871ad32bf9bbd1dd5ce54e3e2e5a")...)
	want := "0093962d0dd84aa5684b045c9edffa04ccfc230ca74fcc96c0a5d61164f5a76c"
	got, err := aka.KDF(key, 0x20, []byte("WLAN"), unhex(t, "bb52e91c747a"))
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(got[:]) != want {
		t.Fatalf("KDF = %x, want %s", got, want)
	}
	// Same construction as free5gc/util/ueauth.
	p0, p1 := []byte("WLAN"), unhex(t, "bb52e91c747a")
	lib, err := ueauth.GetKDFValue(key, ueauth.FC_FOR_CK_PRIME_IK_PRIME_DERIVATION, p0, ueauth.KDFLen(p0), p1, ueauth.KDFLen(p1))
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(lib) != want {
		t.Fatalf("ueauth KDF = %x, want %s", lib, want)
	}
	// The RFC 5448 inputs come from this MILENAGE set (reference/3gpp.md §4.1 TestRAND).
	k, op := unhex(t, "5122250214c33e723a5dd523fc145fc0"), unhex(t, "c9e8763286b5b9ffbdf56e1297d0887b")
	opc, err := aka.OPc(k, op)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(opc[:]) != "981d464c7c52eb6e5036234984ad0bcf" {
		t.Fatalf("OPc = %x", opc[:])
	}
	sqn, _ := aka.ParseSQN("16f3b3f70fc2")
	v, err := aka.GenerateVector(k, opc[:], unhex(t, "81e92b6c0ee0e12ebceba8d92a99dfa5"), sqn, [2]byte{0xc3, 0xab})
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(v.AUTN[:]) != "bb52e91c747ac3ab2a5c23d15ee351d5" ||
		hex.EncodeToString(v.CK[:]) != "5349fbe098649f948f5d2e973a81c00f" ||
		hex.EncodeToString(v.IK[:]) != "9744871ad32bf9bbd1dd5ce54e3e2e5a" ||
		hex.EncodeToString(v.XRES[:]) != "28d7b0f2a2ec3de5" ||
		hex.EncodeToString(v.AK[:]) != "ada15aeb7bb8" {
		t.Fatalf("vector mismatch: AUTN %x XRES %x AK %x", v.AUTN, v.XRES, v.AK)
	}
}

// chainVector is reference/3gpp.md §4.2 (computed; MILENAGE, AUTN, XRES*, HXRES*
// match a public worked example; KDF construction proven on RFC 5448 above).
var chainVector = struct {
	supi, k, opc, sqn, amf, rand, snn, abba                                string
	macA, res, ck, ik, ak, akStar, autn, xresStar, hxresStar               string
	kausf, kseaf, kamf                                                     string
	kencNEA1, kintNIA1, kencNEA2, kintNIA2, kencNEA3, kintNIA3, kgnb, auts string
	sqnMS                                                                  string
}{
	supi: "001010123456789", k: "00112233445566778899aabbccddeeff", opc: "62e75b8d6fa5bf46ec87a9276f9df54d",
	sqn: "000000000001", amf: "8000", rand: "00112233445566778899aabbccddeeff",
	snn: "5G:mnc001.mcc001.3gppnetwork.org", abba: "0000",
	macA: "4af30b82a8531115", res: "700eb2300b2c4799", ck: "b379874b3d183d2a21291d439e7761e1",
	ik: "f4706f66629cf7ddf881d80025bf1255", ak: "de656c8b0bce", akStar: "b9ac50c48a83",
	autn: "de656c8b0bcf80004af30b82a8531115", xresStar: "31b6d938a5290ccc65bc829f9820a8d9",
	hxresStar: "3308fb7cf06a35f1cd086b904ce82ecf",
	kausf:     "3b759becc904d5b2aad2fcf15c88ce4354ade608ebbd6d89aa1c3281564c56f8",
	kseaf:     "a1ca0731bbc80913ea613972c75e2782d02b7a13c0b235c98cc5778e4520b944",
	kamf:      "9212a55853fbf43a5af3906c0dc98fcd0a3d6b36bdf4ebbfe73c6874328906e2",
	kencNEA1:  "0aa83e529bd2b3de61ad2b21f350aa44", kintNIA1: "5e5bfeecc11e97f4ce060fe48e726994",
	kencNEA2: "53aa16a1ee0d7bf601a342eecaf8b0e6", kintNIA2: "daa5adbfc68d0928737ac8bf26f20a27",
	kencNEA3: "565e409ee4f4de84bc34de6a9ef3b8ad", kintNIA3: "0e43b118872439775bff5765226ae9e6",
	kgnb:  "a3cf9a8f8ff8b4424fd89919f66422a03dc0bdcf4b85f625f4dfa51b16c29df8",
	auts:  "b9ac50c48aa36434831f6a436cfb",
	sqnMS: "000000000020",
}

// Reference: TS 33.501 §6.1.3.2 and Annex A.2, A.4-A.9 (every intermediate of one 5G AKA).
func TestFullChainVector(t *testing.T) {
	cv := chainVector
	k, opc, rand := unhex(t, cv.k), unhex(t, cv.opc), unhex(t, cv.rand)
	sqn, _ := aka.ParseSQN(cv.sqn)
	v, err := aka.GenerateVector(k, opc, rand, sqn, [2]byte(unhex(t, cv.amf)))
	if err != nil {
		t.Fatal(err)
	}
	eq := func(name string, got []byte, want string) {
		t.Helper()
		if g := hex.EncodeToString(got); g != want {
			t.Errorf("%s = %s, want %s", name, g, want)
		}
	}
	o, err := aka.Milenage(k, opc, rand, sqn, [2]byte(unhex(t, cv.amf)))
	if err != nil {
		t.Fatal(err)
	}
	eq("MAC-A", v.MACA[:], cv.macA)
	eq("RES", v.XRES[:], cv.res)
	eq("CK", v.CK[:], cv.ck)
	eq("IK", v.IK[:], cv.ik)
	eq("AK", v.AK[:], cv.ak)
	eq("AK*", o.AKStar[:], cv.akStar)
	eq("AUTN", v.AUTN[:], cv.autn)

	he, err := v.HEAV(cv.snn)
	if err != nil {
		t.Fatal(err)
	}
	eq("XRES*", he.XRESStar[:], cv.xresStar)
	hx := he.HXRESStar()
	eq("HXRES*", hx[:], cv.hxresStar)
	eq("KAUSF (HE)", he.KAUSF[:], cv.kausf)

	// UE side: verify AUTN, then the whole chain.
	r, err := aka.CheckAUTN(k, opc, rand, v.AUTN[:])
	if err != nil {
		t.Fatal(err)
	}
	ch, err := aka.DeriveChain(aka.ChainInput{
		CK: r.CK, IK: r.IK, RAND: [16]byte(rand), RES: r.RES[:], SQNxorAK: [6]byte(v.AUTN[:6]),
		SNN: cv.snn, SUPI: "imsi-" + cv.supi, ABBA: unhex(t, cv.abba), EncAlg: 2, IntAlg: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	eq("RES*", ch.RESStar[:], cv.xresStar)
	eq("HRES*", ch.HRESStar[:], cv.hxresStar)
	eq("KAUSF", ch.KAUSF[:], cv.kausf)
	eq("KSEAF", ch.KSEAF[:], cv.kseaf)
	eq("KAMF", ch.KAMF[:], cv.kamf)
	eq("KNASenc NEA2", ch.KNASEnc[:], cv.kencNEA2)
	eq("KNASint NIA2", ch.KNASInt[:], cv.kintNIA2)

	// The SUPI goes into KAMF as digits only (A.7.0): bare digits give the same key.
	kamf2, err := aka.KAMF(ch.KSEAF, cv.supi, aka.ABBAInitial)
	if err != nil {
		t.Fatal(err)
	}
	eq("KAMF (bare SUPI)", kamf2[:], cv.kamf)

	for _, c := range []struct {
		alg       uint8
		enc, intg string
	}{{1, cv.kencNEA1, cv.kintNIA1}, {2, cv.kencNEA2, cv.kintNIA2}, {3, cv.kencNEA3, cv.kintNIA3}} {
		e, i, err := aka.NASKeys(ch.KAMF, c.alg, c.alg)
		if err != nil {
			t.Fatal(err)
		}
		eq("KNASenc", e[:], c.enc)
		eq("KNASint", i[:], c.intg)
	}
	kgnb, err := aka.KgNB(ch.KAMF, 0, aka.Access3GPP)
	if err != nil {
		t.Fatal(err)
	}
	eq("KgNB", kgnb[:], cv.kgnb)

	// AUTS example (SQN_MS = 000000000020) and its recovery at the UDM.
	sqnMS, _ := aka.ParseSQN(cv.sqnMS)
	auts, err := aka.BuildAUTS(k, opc, rand, sqnMS)
	if err != nil {
		t.Fatal(err)
	}
	eq("AUTS", auts[:], cv.auts)
	got, err := aka.CheckAUTS(k, opc, rand, auts[:])
	if err != nil || got != sqnMS {
		t.Fatalf("CheckAUTS = %v, %v", got, err)
	}
}

// Reference: TS 33.501 Annex A.2/A.4/A.6/A.7 built with free5gc/util ueauth as in
// free5gc's UDM/AUSF (reference/libraries.md §4.4): both constructions agree.
func TestKDFMatchesUeauth(t *testing.T) {
	cv := chainVector
	key := append(unhex(t, cv.ck), unhex(t, cv.ik)...)
	snn := []byte(cv.snn)
	sqnXorAK := unhex(t, cv.autn)[:6]
	lib, err := ueauth.GetKDFValue(key, ueauth.FC_FOR_KAUSF_DERIVATION, snn, ueauth.KDFLen(snn), sqnXorAK, ueauth.KDFLen(sqnXorAK))
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(lib) != cv.kausf {
		t.Fatalf("ueauth KAUSF = %x", lib)
	}
}
