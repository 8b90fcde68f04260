package suci

import (
	"crypto/aes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/ident"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// seededReader returns a deterministic byte stream from the Ginkgo seed (the
// seed is printed by Ginkgo at the start of every run; rerun with --seed).
func seededReader(salt uint64) *mrand.ChaCha8 {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(GinkgoRandomSeed()))
	binary.LittleEndian.PutUint64(seed[8:], salt)
	return mrand.NewChaCha8(seed)
}

type fixture struct {
	ring   KeyRing
	pubA   *PublicKey
	pubB   *PublicKey
	privA  *PrivateKey
	privB  *PrivateKey
	imsi   ident.SUPI
	nai    ident.SUPI
	params func(ident.ProtectionScheme) Params
}

func newFixture() fixture {
	var f fixture
	var err error
	f.privA, err = NewPrivateKey(ident.SchemeProfileA, mustHex(c4APriv))
	Expect(err).NotTo(HaveOccurred())
	f.privB, err = NewPrivateKey(ident.SchemeProfileB, mustHex(c4BPriv))
	Expect(err).NotTo(HaveOccurred())
	f.pubA, f.pubB = f.privA.Public(), f.privB.Public()
	f.ring = KeyRing{}
	Expect(f.ring.Add(1, f.privA)).To(Succeed())
	Expect(f.ring.Add(2, f.privB)).To(Succeed())
	f.imsi, err = ident.ParseSUPI(c4IMSI)
	Expect(err).NotTo(HaveOccurred())
	f.nai, err = ident.ParseSUPI(c4NAI)
	Expect(err).NotTo(HaveOccurred())
	f.params = func(s ident.ProtectionScheme) Params {
		switch s {
		case ident.SchemeProfileA:
			return Params{Scheme: s, HomeNetworkKey: f.pubA, KeyID: 1, MNCLength: 3}
		case ident.SchemeProfileB:
			return Params{Scheme: s, HomeNetworkKey: f.pubB, KeyID: 2, MNCLength: 3}
		}
		return Params{Scheme: s, MNCLength: 3}
	}
	return f
}

var _ = Describe("SUCI concealment and de-concealment", func() {
	var f fixture
	BeforeEach(func() { f = newFixture() })

	// Reference: TS 33.501 §6.12.2 (SUCI structure), C.3.2 (UE side), C.3.3 (SIDF side)
	It("round-trips random SUPIs through every scheme, the string form and the NAS form", func() {
		r := mrand.New(seededReader(1))
		rnd := seededReader(2)
		digits := func(n int) string {
			var b strings.Builder
			for range n {
				b.WriteByte(byte('0' + r.IntN(10)))
			}
			return b.String()
		}
		for i := range 300 {
			mncLen := 2 + r.IntN(2)
			var supi ident.SUPI
			var err error
			if r.IntN(4) == 0 {
				user := "u" + digits(r.IntN(40)) + "." + strings.Repeat("x", r.IntN(20))
				supi, err = ident.NewNAI(user, fmt.Sprintf("op%d.example-%d.org", r.IntN(100), r.IntN(9)))
			} else {
				plmn := ident.PLMN{MCC: digits(3), MNC: digits(mncLen)}
				supi, err = ident.NewIMSI(plmn, digits(1+r.IntN(ident.MaxIMSIDigits-3-mncLen)))
			}
			Expect(err).NotTo(HaveOccurred())
			scheme := ident.ProtectionScheme(r.IntN(3))
			p := f.params(scheme)
			p.MNCLength = mncLen
			p.RoutingIndicator = digits(1 + r.IntN(4))

			s, err := Conceal(supi, p, rnd)
			Expect(err).NotTo(HaveOccurred(), "iteration %d: %v", i, supi)

			got, err := Deconceal(s, f.ring)
			Expect(err).NotTo(HaveOccurred(), "iteration %d: %s", i, s)
			Expect(got).To(Equal(supi))

			viaString, err := DeconcealString(s.String(), f.ring)
			Expect(err).NotTo(HaveOccurred())
			Expect(viaString).To(Equal(supi))

			nas, err := s.MarshalNAS()
			Expect(err).NotTo(HaveOccurred())
			viaNAS, err := DeconcealNAS(nas, f.ring)
			Expect(err).NotTo(HaveOccurred())
			Expect(viaNAS).To(Equal(supi))
		}
	})

	// Reference: TS 33.501 §6.12.2: a fresh ephemeral key per SUCI, so two
	// concealments of one SUPI differ; the same seed reproduces the same SUCI.
	It("draws the ephemeral key from the injected random source", func() {
		for _, scheme := range []ident.ProtectionScheme{ident.SchemeProfileA, ident.SchemeProfileB} {
			rnd := seededReader(3)
			s1, err := Conceal(f.imsi, f.params(scheme), rnd)
			Expect(err).NotTo(HaveOccurred())
			s2, err := Conceal(f.imsi, f.params(scheme), rnd)
			Expect(err).NotTo(HaveOccurred())
			Expect(s1.String()).NotTo(Equal(s2.String()))
			again, err := Conceal(f.imsi, f.params(scheme), seededReader(3))
			Expect(err).NotTo(HaveOccurred())
			Expect(again.String()).To(Equal(s1.String()))
		}
	})

	// Reference: TS 33.501 C.3.4: CTR uses the SP 800-38A B.1 incrementing function with m = 32
	It("increments only the low 32 bits of the counter block", func() {
		var key [16]byte
		icb := [16]byte{0: 0xAA, 11: 0x01, 12: 0xff, 13: 0xff, 14: 0xff, 15: 0xff}
		ks := make([]byte, 32)
		Expect(ctr32(&key, &icb, ks, make([]byte, 32))).To(Succeed())
		block, err := aes.NewCipher(key[:])
		Expect(err).NotTo(HaveOccurred())
		next := icb
		copy(next[12:], []byte{0, 0, 0, 0}) // wraps; byte 11 keeps 0x01
		want := make([]byte, 16)
		block.Encrypt(want, next[:])
		Expect(ks[16:]).To(Equal(want))
	})

	Describe("the SIDF rejects", func() {
		conceal := func(supi ident.SUPI, scheme ident.ProtectionScheme) ident.SUCI {
			s, err := Conceal(supi, f.params(scheme), seededReader(4))
			Expect(err).NotTo(HaveOccurred())
			return s
		}
		// sealRaw builds an authentic ECIES output around an arbitrary plaintext.
		sealRaw := func(scheme ident.ProtectionScheme, pt []byte) []byte {
			eph, err := GenerateKey(scheme, seededReader(5))
			Expect(err).NotTo(HaveOccurred())
			hn := f.pubA
			if scheme == ident.SchemeProfileB {
				hn = f.pubB
			}
			out, err := seal(eph, hn, pt)
			Expect(err).NotTo(HaveOccurred())
			return out
		}

		// Reference: TS 33.501 §6.12.2 (scheme identifiers 0x3-0xB reserved, 0xC-0xF proprietary)
		DescribeTable("unknown protection schemes",
			func(scheme ident.ProtectionScheme) {
				s := conceal(f.imsi, ident.SchemeProfileA)
				s.Scheme = scheme
				_, err := Deconceal(s, f.ring)
				Expect(err).To(MatchError(ErrUnknownScheme))
			},
			Entry("reserved 3", ident.ProtectionScheme(3)),
			Entry("reserved 11", ident.ProtectionScheme(11)),
			Entry("proprietary 12", ident.ProtectionScheme(12)),
			Entry("proprietary 15", ident.ProtectionScheme(15)),
		)

		// Reference: TS 33.501 §6.12.5 (the SIDF uses the private key the key id names)
		DescribeTable("unknown key ids",
			func(scheme ident.ProtectionScheme, id uint8) {
				s := conceal(f.imsi, scheme)
				s.KeyID = id
				_, err := Deconceal(s, f.ring)
				Expect(err).To(MatchError(ErrUnknownKeyID))
			},
			Entry("profile A id 9", ident.SchemeProfileA, uint8(9)),
			Entry("profile A under profile B's id", ident.SchemeProfileA, uint8(2)),
			Entry("profile B under profile A's id", ident.SchemeProfileB, uint8(1)),
			Entry("profile B id 0", ident.SchemeProfileB, uint8(0)),
		)

		It("everything but the null scheme with an empty key ring", func() {
			_, err := Deconceal(conceal(f.imsi, ident.SchemeProfileA), KeyRing{})
			Expect(err).To(MatchError(ErrUnknownKeyID))
			_, err = Deconceal(conceal(f.imsi, ident.SchemeProfileB), nil)
			Expect(err).To(MatchError(ErrUnknownKeyID))
			supi, err := Deconceal(conceal(f.imsi, ident.SchemeNull), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(supi).To(Equal(f.imsi))
		})

		// Reference: TS 33.501 §6.12.2 (scheme output sizes; the network may reject oversize SUCIs)
		DescribeTable("scheme outputs of the wrong length",
			func(scheme ident.ProtectionScheme, supiKind string, outLen func(int) int) {
				supi := f.imsi
				if supiKind == "nai" {
					supi = f.nai
				}
				s := conceal(supi, scheme)
				n := outLen(len(s.SchemeOutput))
				out := make([]byte, n)
				copy(out, s.SchemeOutput)
				s.SchemeOutput = out
				_, err := Deconceal(s, f.ring)
				Expect(err).To(MatchError(ErrLength))
			},
			Entry("A: key and MAC only", ident.SchemeProfileA, "imsi", func(int) int { return 40 }),
			Entry("A: shorter than a key", ident.SchemeProfileA, "imsi", func(int) int { return 20 }),
			Entry("A: one octet", ident.SchemeProfileA, "imsi", func(int) int { return 1 }),
			Entry("A: 6-octet MSIN ciphertext", ident.SchemeProfileA, "imsi", func(int) int { return 46 }),
			Entry("B: key and MAC only", ident.SchemeProfileB, "imsi", func(int) int { return 41 }),
			Entry("B: 6-octet MSIN ciphertext", ident.SchemeProfileB, "imsi", func(int) int { return 47 }),
			Entry("B: 3000 octets", ident.SchemeProfileB, "imsi", func(int) int { return 3000 }),
		)

		It("NAI ciphertexts longer than any NAI", func() {
			s := conceal(f.nai, ident.SchemeProfileA)
			s.SchemeOutput = append(s.SchemeOutput, make([]byte, 300)...)
			_, err := Deconceal(s, f.ring)
			Expect(err).To(MatchError(ErrLength))
		})

		// Reference: TS 33.501 C.3.3 and SEC 1 §3.2.2.1 (the SIDF validates the ephemeral public key; invalid-curve attacks)
		DescribeTable("ephemeral keys that are not curve points",
			func(scheme ident.ProtectionScheme, ephKey func() []byte) {
				s := conceal(f.imsi, scheme)
				copy(s.SchemeOutput, ephKey())
				_, err := Deconceal(s, f.ring)
				Expect(err).To(MatchError(ErrOffCurve))
			},
			Entry("B: uncompressed prefix 04", ident.SchemeProfileB, func() []byte { return append([]byte{0x04}, make([]byte, 32)...) }),
			Entry("B: prefix 00", ident.SchemeProfileB, func() []byte { return make([]byte, 33) }),
			Entry("B: X = p", ident.SchemeProfileB, func() []byte { return append([]byte{0x02}, mustHex(p256P)...) }),
			Entry("B: X all ones", ident.SchemeProfileB, func() []byte { return append([]byte{0x03}, mustHex(strings.Repeat("ff", 32))...) }),
			Entry("B: X with no point on the curve", ident.SchemeProfileB, func() []byte { return append([]byte{0x02}, nonResidueX()...) }),
			Entry("A: u = 0 (small order)", ident.SchemeProfileA, func() []byte { return make([]byte, 32) }),
			Entry("A: u = 1 (small order)", ident.SchemeProfileA, func() []byte { return append([]byte{1}, make([]byte, 31)...) }),
			Entry("A: u = p-1 (small order)", ident.SchemeProfileA, func() []byte {
				return mustHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
			}),
		)

		// Reference: TS 33.501 C.3.3 (the SIDF verifies the MAC tag before decrypting)
		DescribeTable("tampered outputs and wrong keys",
			func(scheme ident.ProtectionScheme, tamper func(out []byte, f fixture) KeyRing) {
				s := conceal(f.imsi, scheme)
				ring := tamper(s.SchemeOutput, f)
				_, err := Deconceal(s, ring)
				Expect(err).To(MatchError(ErrMACMismatch))
			},
			Entry("A: ciphertext bit", ident.SchemeProfileA, func(out []byte, f fixture) KeyRing { out[33] ^= 0x01; return f.ring }),
			Entry("A: tag bit", ident.SchemeProfileA, func(out []byte, f fixture) KeyRing { out[len(out)-1] ^= 0x80; return f.ring }),
			Entry("A: another ephemeral key", ident.SchemeProfileA, func(out []byte, f fixture) KeyRing { out[5] ^= 0x10; return f.ring }),
			Entry("B: ciphertext bit", ident.SchemeProfileB, func(out []byte, f fixture) KeyRing { out[34] ^= 0x01; return f.ring }),
			Entry("B: tag bit", ident.SchemeProfileB, func(out []byte, f fixture) KeyRing { out[len(out)-8] ^= 0x01; return f.ring }),
			Entry("B: other home network key under the same id", ident.SchemeProfileB, func(out []byte, _ fixture) KeyRing {
				other, err := GenerateKey(ident.SchemeProfileB, seededReader(6))
				Expect(err).NotTo(HaveOccurred())
				return KeyRing{{Scheme: ident.SchemeProfileB, ID: 2}: other}
			}),
		)

		It("reports MAC failures without touching the plaintext", func() {
			s := conceal(f.imsi, ident.SchemeProfileA)
			s.SchemeOutput[len(s.SchemeOutput)-1] ^= 1
			supi, err := Deconceal(s, f.ring)
			Expect(err).To(MatchError(ErrMACMismatch))
			Expect(supi.IsZero()).To(BeTrue())
		})

		// Reference: TS 33.501 C.3.2 (scheme input: BCD MSIN or NAI username)
		DescribeTable("authentic outputs whose plaintext is not a valid scheme input",
			func(scheme ident.ProtectionScheme, supiKind string, pt []byte) {
				base := f.imsi
				if supiKind == "nai" {
					base = f.nai
				}
				s := conceal(base, scheme)
				s.SchemeOutput = sealRaw(scheme, pt)
				_, err := Deconceal(s, f.ring)
				Expect(err).To(MatchError(ErrMalformed))
			},
			Entry("A: non-BCD MSIN", ident.SchemeProfileA, "imsi", []byte{0xab}),
			Entry("A: filler in the low nibble", ident.SchemeProfileA, "imsi", []byte{0x0f}),
			Entry("B: 10-digit MSIN under a 3-digit MNC", ident.SchemeProfileB, "imsi", mustHex("0123456789")),
			Entry("A: username with @", ident.SchemeProfileA, "nai", []byte("a@b")),
			Entry("B: username with a space", ident.SchemeProfileB, "nai", []byte("a b")),
			Entry("B: username not UTF-8", ident.SchemeProfileB, "nai", []byte{0xff, 0xfe}),
		)

		It("malformed SUCI values, strings and NAS bytes", func() {
			s := conceal(f.imsi, ident.SchemeProfileA)
			s.RoutingIndicator = ""
			_, err := Deconceal(s, f.ring)
			Expect(err).To(MatchError(ErrMalformed))
			Expect(err).To(MatchError(ident.ErrInvalidSUCI))

			_, err = DeconcealString("suci-0-208-93-0-1-1-zz", f.ring)
			Expect(err).To(MatchError(ErrMalformed))
			_, err = DeconcealString("imsi-20893001002086", f.ring)
			Expect(err).To(MatchError(ErrMalformed))
			_, err = DeconcealNAS([]byte{0xf2, 0x02}, f.ring)
			Expect(err).To(MatchError(ErrMalformed))
			_, err = Deconceal(ident.SUCI{}, f.ring)
			Expect(err).To(MatchError(ErrMalformed))
		})
	})

	Describe("Conceal rejects", func() {
		It("unusable parameters", func() {
			p := f.params(ident.SchemeProfileA)
			p.HomeNetworkKey = nil
			_, err := Conceal(f.imsi, p, seededReader(7))
			Expect(err).To(MatchError(ErrInvalidParams))

			p = f.params(ident.SchemeProfileA)
			p.HomeNetworkKey = f.pubB
			_, err = Conceal(f.imsi, p, seededReader(7))
			Expect(err).To(MatchError(ErrInvalidParams))

			p = f.params(ident.SchemeProfileB)
			p.Ephemeral = f.privA
			_, err = Conceal(f.imsi, p, nil)
			Expect(err).To(MatchError(ErrInvalidParams))

			p = f.params(ident.SchemeNull)
			p.KeyID = 3
			_, err = Conceal(f.imsi, p, nil)
			Expect(err).To(MatchError(ErrInvalidParams))

			p = f.params(ident.SchemeNull)
			p.MNCLength = 0
			_, err = Conceal(f.imsi, p, nil)
			Expect(err).To(MatchError(ErrInvalidParams))

			p = f.params(ident.SchemeNull)
			p.RoutingIndicator = "12345"
			_, err = Conceal(f.imsi, p, nil)
			Expect(err).To(MatchError(ErrInvalidParams))

			_, err = Conceal(f.imsi, Params{Scheme: 5, MNCLength: 3}, seededReader(7))
			Expect(err).To(MatchError(ErrUnknownScheme))

			_, err = Conceal(ident.SUPI{Type: ident.SUPITypeIMSI, Value: "12"}, f.params(ident.SchemeNull), nil)
			Expect(err).To(MatchError(ErrMalformed))

			_, err = Conceal(f.imsi, f.params(ident.SchemeProfileA), nil)
			Expect(err).To(HaveOccurred(), "no random source and no ephemeral key")
		})

		It("uses routing indicator 0 when none is given", func() {
			s, err := Conceal(f.imsi, f.params(ident.SchemeNull), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(s.RoutingIndicator).To(Equal(DefaultRoutingIndicator))
		})
	})

	Describe("keys", func() {
		It("generates key pairs in the C.4 encodings", func() {
			a, err := GenerateKey(ident.SchemeProfileA, seededReader(8))
			Expect(err).NotTo(HaveOccurred())
			Expect(a.Bytes()).To(HaveLen(32))
			Expect(a.Public().Bytes()).To(HaveLen(32))
			b, err := GenerateKey(ident.SchemeProfileB, seededReader(9))
			Expect(err).NotTo(HaveOccurred())
			Expect(b.Bytes()).To(HaveLen(32))
			Expect(b.Public().Bytes()).To(HaveLen(33))
			Expect(b.Public().Bytes()[0]).To(BeElementOf(byte(2), byte(3)))
			Expect(b.Public().UncompressedBytes()).To(HaveLen(65))
			again, err := NewPrivateKey(ident.SchemeProfileB, b.Bytes())
			Expect(err).NotTo(HaveOccurred())
			Expect(again.Public().Equal(b.Public())).To(BeTrue())
			Expect(a.Scheme()).To(Equal(ident.SchemeProfileA))
			Expect(b.Public().Scheme()).To(Equal(ident.SchemeProfileB))
		})

		It("rejects bad key material", func() {
			_, err := GenerateKey(ident.SchemeNull, seededReader(10))
			Expect(err).To(MatchError(ErrUnknownScheme))
			_, err = GenerateKey(ident.SchemeProfileA, failingReader{})
			Expect(err).To(HaveOccurred())
			_, err = GenerateKey(ident.SchemeProfileB, zeroReader{})
			Expect(err).To(HaveOccurred(), "the zero scalar is never a P-256 key")
			_, err = NewPrivateKey(ident.SchemeProfileA, make([]byte, 31))
			Expect(err).To(MatchError(ErrMalformed))
			_, err = NewPrivateKey(ident.SchemeProfileB, make([]byte, 32))
			Expect(err).To(MatchError(ErrMalformed))
			_, err = NewPrivateKey(ident.SchemeProfileB, mustHex(strings.Repeat("ff", 32)))
			Expect(err).To(MatchError(ErrMalformed))
			_, err = NewPrivateKey(ident.SchemeNull, make([]byte, 32))
			Expect(err).To(MatchError(ErrUnknownScheme))
			_, err = NewPublicKey(ident.SchemeProfileA, make([]byte, 33))
			Expect(err).To(MatchError(ErrMalformed))
			_, err = NewPublicKey(ident.SchemeProfileB, make([]byte, 32))
			Expect(err).To(MatchError(ErrMalformed))
			_, err = NewPublicKey(ident.SchemeProfileB, append([]byte{4}, make([]byte, 64)...))
			Expect(err).To(MatchError(ErrOffCurve))
			_, err = NewPublicKey(ident.SchemeProfileB, append([]byte{2}, nonResidueX()...))
			Expect(err).To(MatchError(ErrOffCurve))
			_, err = NewPublicKey(12, make([]byte, 32))
			Expect(err).To(MatchError(ErrUnknownScheme))
		})

		It("never prints private key material", func() {
			k := f.privA
			for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k)} {
				Expect(strings.ToLower(s)).NotTo(ContainSubstring(c4APriv[:16]))
				Expect(s).To(ContainSubstring("redacted"))
			}
		})

		It("keeps one key per (scheme, id)", func() {
			ring := KeyRing{}
			Expect(ring.Add(1, f.privA)).To(Succeed())
			Expect(ring.Add(1, f.privB)).To(Succeed(), "same id, other scheme")
			Expect(ring.Add(1, f.privA)).NotTo(Succeed())
			Expect(ring.Add(2, nil)).To(MatchError(ErrMalformed))
			k, err := ring.Lookup(ident.SchemeProfileB, 1)
			Expect(err).NotTo(HaveOccurred())
			Expect(k).To(BeIdenticalTo(f.privB))
		})
	})
})

// nonResidueX returns the smallest X (32 octets) for which x³ - 3x + b is not a
// square mod p, i.e. no P-256 point has that X.
func nonResidueX() []byte {
	p, _ := new(big.Int).SetString(p256P, 16)
	b, _ := new(big.Int).SetString(p256B, 16)
	for x := int64(0); ; x++ {
		bx := big.NewInt(x)
		rhs := new(big.Int).Exp(bx, big.NewInt(3), p)
		rhs.Sub(rhs, new(big.Int).Mul(bx, big.NewInt(3)))
		rhs.Add(rhs, b)
		rhs.Mod(rhs, p)
		if big.Jacobi(rhs, p) == -1 {
			return bx.FillBytes(make([]byte, 32))
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

type zeroReader struct{}

func (zeroReader) Read(b []byte) (int, error) { clear(b); return len(b), nil }

var _ io.Reader = zeroReader{}
