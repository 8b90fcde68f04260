package suci

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/credbed/credbed/internal/ident"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// TS 33.501 C.4 test data (copied from the spec text, see
// /work/shared/reference/3gpp.md §3.3).
const (
	c4APriv = "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d"
	c4APub  = "5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650"
	c4BPriv = "F1AB1074477EBCC7F554EA1C5FC368B1616730155E0041AC447D6301975FECDA"
	c4BPub  = "0272DA71976234CE833A6907425867B82E074D44EF907DFB4B3E21C1C2256EBCD1"
	c4BPubU = "0472DA71976234CE833A6907425867B82E074D44EF907DFB4B3E21C1C2256EBCD15A7DED52FCBB097A4ED250E036C7B9C8C7004C4EEDC4F068CD7BF8D3F900E3B4"

	c4IMSI = "imsi-274012001002086" // MCC 274, MNC 012, MSIN 001002086
	c4NAI  = "nai-verylongusername1@3gpp.com"
)

type c4Case struct {
	name      string
	scheme    ident.ProtectionScheme
	supi      string
	hnPriv    string
	hnPub     string
	ephPriv   string
	ephPub    string
	shared    string
	encKey    string
	icb       string // not printed for the NAI cases
	plaintext string
	cipher    string
	macKey    string
	tag       string
	output    string // scheme output as raw octets, hex
	suciStr   string // the SUCI string this package and ident produce (key id 1, RI 0)
}

func c4Cases() []c4Case {
	return []c4Case{
		{
			name: "C.4.2.1 null IMSI", scheme: ident.SchemeNull, supi: c4IMSI,
			plaintext: "00012080F6", output: "00012080F6",
			suciStr: "suci-0-274-012-0-0-0-001002086",
		},
		{
			name: "C.4.2.2 null NAI", scheme: ident.SchemeNull, supi: c4NAI,
			plaintext: "766572796C6F6E67757365726E616D6531", output: "766572796C6F6E67757365726E616D6531",
			suciStr: "type1.rid0.schid0.useridverylongusername1@3gpp.com",
		},
		{
			name: "C.4.3.1 profile A IMSI", scheme: ident.SchemeProfileA, supi: c4IMSI,
			hnPriv: c4APriv, hnPub: c4APub,
			ephPriv:   "c80949f13ebe61af4ebdbd293ea4f942696b9e815d7e8f0096bbf6ed7de62256",
			ephPub:    "b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457d",
			shared:    "028ddf890ec83cdf163947ce45f6ec1a0e3070ea5fe57e2b1f05139f3e82422a",
			encKey:    "2ba342cabd2b3b1e5e4e890da11b65f6",
			icb:       "e2622cb0cdd08204e721c8ea9b95a7c6",
			plaintext: "00012080f6",
			cipher:    "cb02352410",
			macKey:    "d9846966fb7cf5fcf11266c5957dea60b83fff2b7c940690a4bfe57b1eb52bd2",
			tag:       "cddd9e730ef3fa87",
			output:    "b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457dcb02352410cddd9e730ef3fa87",
			suciStr:   "suci-0-274-012-0-1-1-b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457dcb02352410cddd9e730ef3fa87",
		},
		{
			name: "C.4.3.2 profile A NAI", scheme: ident.SchemeProfileA, supi: c4NAI,
			hnPriv: c4APriv, hnPub: c4APub,
			ephPriv:   "BE9EFF3E9F22A4B42A3D236E7A6C500B3F2E7E0C7449988BA800D664BF4FCD97",
			ephPub:    "977D8B2FDAA7B64AA700D04227D5B440630EA4EC50F9082273A26BB678C92222",
			shared:    "511C1DF473BB88317F923501F8BA944FD3B667D25699DCB552DBCEF60BBDC56D",
			encKey:    "FE77B87D87F40428EDD71BCA69D79059",
			plaintext: "766572796C6F6E67757365726E616D6531",
			cipher:    "8E358A1582ADB15322C10E515141D2039A",
			macKey:    "D87B69F4FE8CD6B211264EA5E69F682F151A82252684CDB15A047E6EF0595028",
			tag:       "12E1D7783A97F1AC",
			output:    "977D8B2FDAA7B64AA700D04227D5B440630EA4EC50F9082273A26BB678C92222" + "8E358A1582ADB15322C10E515141D2039A" + "12E1D7783A97F1AC",
			suciStr:   "type1.rid0.schid1.hnkey1.ecckey977D8B2FDAA7B64AA700D04227D5B440630EA4EC50F9082273A26BB678C92222.cip8E358A1582ADB15322C10E515141D2039A.mac12E1D7783A97F1AC@3gpp.com",
		},
		{
			name: "C.4.4.1 profile B IMSI", scheme: ident.SchemeProfileB, supi: c4IMSI,
			hnPriv: c4BPriv, hnPub: c4BPub,
			ephPriv:   "99798858A1DC6A2C68637149A4B1DBFD1FDFF5ADDD62A2142F06699ED7602529",
			ephPub:    "039AAB8376597021E855679A9778EA0B67396E68C66DF32C0F41E9ACCA2DA9B9D1",
			shared:    "6C7E6518980025B982FBB2FF746E3C2E85A196D252099A7AD23EA7B4C0959CAE",
			encKey:    "8A65C3AED80295C12BD55087E965702A",
			icb:       "EF285B4061C3BAEE858AB6EC68487DAE",
			plaintext: "00012080F6",
			cipher:    "46A33FC271",
			macKey:    "A5EBAC0BC48D9CF7AE5CE39CD840AC6C761AEC04078FAB954D634F923E901C64",
			tag:       "6AC7DAE96AA30A4D",
			output:    "039AAB8376597021E855679A9778EA0B67396E68C66DF32C0F41E9ACCA2DA9B9D146A33FC2716AC7DAE96AA30A4D",
			suciStr:   "suci-0-274-012-0-2-1-039aab8376597021e855679a9778ea0b67396e68c66df32c0f41e9acca2da9b9d146a33fc2716ac7dae96aa30a4d",
		},
		{
			name: "C.4.4.2 profile B NAI", scheme: ident.SchemeProfileB, supi: c4NAI,
			hnPriv: c4BPriv, hnPub: c4BPub,
			ephPriv:   "90A5898BD29FFA3F261E00E980067C70A2B1B992A21F5B4FEF6D4DF69FE804AD",
			ephPub:    "03759BB22C563D9F4A6B3C1419E543FC2F39D6823F02A9D71162B39399218B244B",
			shared:    "BC3529ED79541CF8C007CE9806330F4A5FF15064D7CF4B16943EF8F007597872",
			encKey:    "84F9A78995D39E6968047547ECC12C4F",
			plaintext: "766572796C6F6E67757365726E616D6531",
			cipher:    "BE22D8B9F856A52ED381CD7EAF4CF2D525",
			macKey:    "39D5517E965F8E1252B61345ED45226C5F1A8C69F03D6C91437591F0B8E48FA0",
			tag:       "3CDDC61A0A7882EB",
			output:    "03759BB22C563D9F4A6B3C1419E543FC2F39D6823F02A9D71162B39399218B244B" + "BE22D8B9F856A52ED381CD7EAF4CF2D525" + "3CDDC61A0A7882EB",
			suciStr:   "type1.rid0.schid2.hnkey1.ecckey03759BB22C563D9F4A6B3C1419E543FC2F39D6823F02A9D71162B39399218B244B.cipBE22D8B9F856A52ED381CD7EAF4CF2D525.mac3CDDC61A0A7882EB@3gpp.com",
		},
	}
}

func eqHex(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if !strings.EqualFold(hex.EncodeToString(got), want) {
		t.Errorf("%s = %x, want %s", what, got, strings.ToLower(want))
	}
}

// Reference: TS 33.501 Annex C.4 (all six cases): concealment with the official
// ephemeral key reproduces every intermediate value and the scheme output, and
// de-concealment returns the SUPI.
func TestC4Vectors(t *testing.T) {
	for _, tc := range c4Cases() {
		t.Run(tc.name, func(t *testing.T) {
			supi, err := ident.ParseSUPI(tc.supi)
			if err != nil {
				t.Fatal(err)
			}
			p := Params{Scheme: tc.scheme, MNCLength: 3}
			ring := KeyRing{}
			if tc.scheme != ident.SchemeNull {
				p.KeyID = 1
				hnPriv, err := NewPrivateKey(tc.scheme, unhex(t, tc.hnPriv))
				if err != nil {
					t.Fatal(err)
				}
				eqHex(t, "HN public key from private", hnPriv.Public().Bytes(), tc.hnPub)
				if p.HomeNetworkKey, err = NewPublicKey(tc.scheme, unhex(t, tc.hnPub)); err != nil {
					t.Fatal(err)
				}
				if err := ring.Add(1, hnPriv); err != nil {
					t.Fatal(err)
				}
				if p.Ephemeral, err = NewPrivateKey(tc.scheme, unhex(t, tc.ephPriv)); err != nil {
					t.Fatal(err)
				}
				ephPub := p.Ephemeral.Public().Bytes()
				eqHex(t, "ephemeral public key", ephPub, tc.ephPub)

				z, err := p.Ephemeral.key.ECDH(p.HomeNetworkKey.key)
				if err != nil {
					t.Fatal(err)
				}
				eqHex(t, "shared key (eph side)", z, tc.shared)
				z2, err := hnPriv.key.ECDH(p.Ephemeral.key.PublicKey())
				if err != nil {
					t.Fatal(err)
				}
				eqHex(t, "shared key (HN side)", z2, tc.shared)
				k := deriveKeys(z, ephPub)
				eqHex(t, "encryption key", k.enc[:], tc.encKey)
				if tc.icb != "" {
					eqHex(t, "ICB", k.icb[:], tc.icb)
				}
				eqHex(t, "MAC key", k.mac[:], tc.macKey)
				ct := make([]byte, len(tc.plaintext)/2)
				if err := ctr32(&k.enc, &k.icb, ct, unhex(t, tc.plaintext)); err != nil {
					t.Fatal(err)
				}
				eqHex(t, "ciphertext", ct, tc.cipher)
				tag := macTag(&k.mac, ct)
				eqHex(t, "MAC tag", tag[:], tc.tag)
			}

			s, err := Conceal(supi, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			eqHex(t, "scheme output", s.SchemeOutput, tc.output)
			if got := s.String(); got != tc.suciStr {
				t.Errorf("SUCI = %q, want %q", got, tc.suciStr)
			}

			back, err := Deconceal(s, ring)
			if err != nil || back != supi {
				t.Fatalf("Deconceal = %v, %v; want %v", back, err, supi)
			}
			back, err = DeconcealString(tc.suciStr, ring)
			if err != nil || back != supi {
				t.Fatalf("DeconcealString = %v, %v; want %v", back, err, supi)
			}
			nas, err := s.MarshalNAS()
			if err != nil {
				t.Fatal(err)
			}
			back, err = DeconcealNAS(nas, ring)
			if err != nil || back != supi {
				t.Fatalf("DeconcealNAS = %v, %v; want %v", back, err, supi)
			}
		})
	}
}

// Reference: free5gc/udm pkg/suci test SUCIs: the C.4 scheme outputs under
// PLMN 208-93 (2-digit MNC), so the MSIN 001002086 lands in imsi-20893001002086.
func TestC4UnderOtherPLMN(t *testing.T) {
	ring := KeyRing{}
	a, _ := NewPrivateKey(ident.SchemeProfileA, unhex(t, c4APriv))
	b, _ := NewPrivateKey(ident.SchemeProfileB, unhex(t, c4BPriv))
	if err := ring.Add(1, a); err != nil {
		t.Fatal(err)
	}
	if err := ring.Add(2, b); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"suci-0-208-93-0-1-1-b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457dcb02352410cddd9e730ef3fa87":   "imsi-20893001002086",
		"suci-0-208-93-0-2-2-039aab8376597021e855679a9778ea0b67396e68c66df32c0f41e9acca2da9b9d146a33fc2716ac7dae96aa30a4d": "imsi-20893001002086",
		"suci-0-208-93-0-0-0-00007487": "imsi-2089300007487",
	} {
		got, err := DeconcealString(in, ring)
		if err != nil || got.String() != want {
			t.Errorf("DeconcealString(%.30s...) = %v, %v; want %s", in, got, err, want)
		}
	}
}

func TestPublicKeyEncodings(t *testing.T) {
	c, err := NewPublicKey(ident.SchemeProfileB, unhex(t, c4BPub))
	if err != nil {
		t.Fatal(err)
	}
	u, err := NewPublicKey(ident.SchemeProfileB, unhex(t, c4BPubU))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Equal(u) || !bytes.Equal(c.Bytes(), u.Bytes()) {
		t.Fatal("compressed and uncompressed encodings differ")
	}
	eqHex(t, "uncompressed", c.UncompressedBytes(), c4BPubU)
	eqHex(t, "compressed", u.Bytes(), c4BPub)
}
