package aka_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"unsafe"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/aka"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// subscriber is one random credential drawn from the spec's seeded generator.
type subscriber struct {
	k, opc []byte
}

func newRNG() *rand.Rand {
	seed := uint64(GinkgoRandomSeed())
	GinkgoWriter.Printf("random seed %d\n", seed)
	return rand.New(rand.NewPCG(seed, 0x5eed))
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func newSubscriber(r *rand.Rand) subscriber {
	k, op := randBytes(r, 16), randBytes(r, 16)
	opc, err := aka.OPc(k, op)
	Expect(err).NotTo(HaveOccurred())
	return subscriber{k: k, opc: opc[:]}
}

var _ = Describe("5G AKA (TS 33.102 §6.3, TS 33.501 §6.1.3.2)", func() {
	var (
		r   *rand.Rand
		sub subscriber
	)
	BeforeEach(func() {
		r = newRNG()
		sub = newSubscriber(r)
	})

	// Reference: TS 33.102 §6.3.2/§6.3.3: AUTN built by the ARPF verifies at the USIM.
	It("round-trips AUTN and agrees on every key with random credentials", func() {
		snn := "5G:mnc093.mcc208.3gppnetwork.org"
		sqn := aka.SQN(0)
		var usim aka.SQNArray
		for range 64 {
			sqn = aka.NextSQN(sqn)
			rnd := randBytes(r, 16)
			v, err := aka.GenerateVector(sub.k, sub.opc, rnd, sqn, aka.AMF5G)
			Expect(err).NotTo(HaveOccurred())
			he, err := v.HEAV(snn)
			Expect(err).NotTo(HaveOccurred())

			res, err := aka.CheckAUTN(sub.k, sub.opc, rnd, v.AUTN[:])
			Expect(err).NotTo(HaveOccurred())
			Expect(res.SQN).To(Equal(sqn))
			Expect(usim.CheckAndAccept(res.SQN)).To(Succeed())
			ch, err := aka.DeriveChain(aka.ChainInput{
				CK: res.CK, IK: res.IK, RAND: [16]byte(rnd), RES: res.RES[:],
				SQNxorAK: [6]byte(v.AUTN[:6]), SNN: snn, SUPI: "imsi-208930000000001", EncAlg: 2, IntAlg: 2,
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.RESStar).To(Equal(he.XRESStar))
			Expect(ch.HRESStar).To(Equal(he.HXRESStar()))
			Expect(ch.KAUSF).To(Equal(he.KAUSF))
			kseaf, err := aka.KSEAF(he.KAUSF, snn)
			Expect(err).NotTo(HaveOccurred())
			Expect(ch.KSEAF).To(Equal(kseaf))
		}
	})

	// Reference: TS 33.102 §6.3.3: a wrong MAC-A is "MAC failure" (5GMM #20).
	It("reports a MAC failure for a tampered AUTN, RAND or key", func() {
		rnd := randBytes(r, 16)
		v, err := aka.GenerateVector(sub.k, sub.opc, rnd, aka.NewSQN(7, 3), aka.AMF5G)
		Expect(err).NotTo(HaveOccurred())
		for i := range aka.AUTNLen {
			bad := v.AUTN
			bad[i] ^= 0x01
			_, err := aka.CheckAUTN(sub.k, sub.opc, rnd, bad[:])
			Expect(err).To(MatchError(aka.ErrMACFailure), "byte %d", i)
		}
		other := newSubscriber(r)
		_, err = aka.CheckAUTN(other.k, other.opc, rnd, v.AUTN[:])
		Expect(err).To(MatchError(aka.ErrMACFailure))
		rnd2 := append([]byte(nil), rnd...)
		rnd2[0] ^= 0x80
		_, err = aka.CheckAUTN(sub.k, sub.opc, rnd2, v.AUTN[:])
		Expect(err).To(MatchError(aka.ErrMACFailure))
	})

	// Reference: TS 33.501 §6.1.3.2 and TS 24.501 §5.4.1.3.7: AMF separation bit 0 is
	// "non-5G authentication unacceptable" (5GMM #26).
	It("rejects a valid AUTN whose AMF separation bit is 0", func() {
		rnd := randBytes(r, 16)
		v, err := aka.GenerateVector(sub.k, sub.opc, rnd, aka.NewSQN(1, 1), [2]byte{0x7f, 0xff})
		Expect(err).NotTo(HaveOccurred())
		res, err := aka.CheckAUTN(sub.k, sub.opc, rnd, v.AUTN[:])
		Expect(err).To(MatchError(aka.ErrAMFSeparation))
		Expect(res.SQN).To(Equal(aka.NewSQN(1, 1)), "the MAC was valid, so the result is filled")
		_, err = v.HEAV("5G:mnc001.mcc001.3gppnetwork.org")
		Expect(err).To(MatchError(aka.ErrAMFSeparation), "the ARPF never derives a 5G HE AV from a non-5G vector")
	})

	// Reference: TS 33.102 §6.3.3 (AUTS at the USIM), §6.3.5 (re-synchronisation at the HE).
	It("resynchronises: stale SQN, AUTS from SQN_MS, SQN_HE := SQN_MS, fresh vector accepted", func() {
		var usim aka.SQNArray
		sqnHE := aka.SQN(0)
		for range 40 {
			sqnHE = aka.NextSQN(sqnHE)
			usim.Accept(sqnHE)
		}
		stale := aka.NewSQN(3, 3) // the HE lost its state and restarts low
		rnd := randBytes(r, 16)
		v, err := aka.GenerateVector(sub.k, sub.opc, rnd, stale, aka.AMF5G)
		Expect(err).NotTo(HaveOccurred())
		res, err := aka.CheckAUTN(sub.k, sub.opc, rnd, v.AUTN[:])
		Expect(err).NotTo(HaveOccurred())
		Expect(usim.Check(res.SQN)).To(MatchError(aka.ErrSQNNotFresh))

		auts, err := aka.BuildAUTS(sub.k, sub.opc, rnd, usim.Highest())
		Expect(err).NotTo(HaveOccurred())
		sqnMS, err := aka.CheckAUTS(sub.k, sub.opc, rnd, auts[:])
		Expect(err).NotTo(HaveOccurred())
		Expect(sqnMS).To(Equal(sqnHE))

		next := aka.ResyncSQN(sqnMS)
		rnd = randBytes(r, 16)
		v, err = aka.GenerateVector(sub.k, sub.opc, rnd, next, aka.AMF5G)
		Expect(err).NotTo(HaveOccurred())
		res, err = aka.CheckAUTN(sub.k, sub.opc, rnd, v.AUTN[:])
		Expect(err).NotTo(HaveOccurred())
		Expect(usim.CheckAndAccept(res.SQN)).To(Succeed())
	})

	// Reference: TS 33.102 §6.3.5: the HE rejects an AUTS whose MAC-S does not verify.
	It("rejects forged AUTS", func() {
		rnd := randBytes(r, 16)
		auts, err := aka.BuildAUTS(sub.k, sub.opc, rnd, aka.NewSQN(100, 4))
		Expect(err).NotTo(HaveOccurred())
		for i := range aka.AUTSLen {
			bad := auts
			bad[i] ^= 0x40
			_, err := aka.CheckAUTS(sub.k, sub.opc, rnd, bad[:])
			Expect(err).To(MatchError(aka.ErrAUTSMACFailure), "byte %d", i)
		}
		// An attacker without K picks SQN_MS and a random MAC-S.
		forged := [14]byte(randBytes(r, 14))
		_, err = aka.CheckAUTS(sub.k, sub.opc, rnd, forged[:])
		Expect(err).To(MatchError(aka.ErrAUTSMACFailure))
		// AUTS bound to another RAND does not verify either.
		_, err = aka.CheckAUTS(sub.k, sub.opc, randBytes(r, 16), auts[:])
		Expect(err).To(MatchError(aka.ErrAUTSMACFailure))
	})

	DescribeTable("rejects inputs of the wrong length without panicking",
		func(k, opc, rnd, tok []byte) {
			_, err := aka.GenerateVector(k, opc, rnd, 1, aka.AMF5G)
			Expect(err).To(MatchError(aka.ErrInvalidInput))
			_, err = aka.CheckAUTN(k, opc, rnd, tok)
			Expect(err).To(MatchError(aka.ErrInvalidInput))
			_, err = aka.CheckAUTS(k, opc, rnd, tok)
			Expect(err).To(MatchError(aka.ErrInvalidInput))
			_, err = aka.BuildAUTS(k, opc, rnd, 1)
			Expect(err).To(MatchError(aka.ErrInvalidInput))
		},
		Entry("short K", make([]byte, 15), make([]byte, 16), make([]byte, 16), make([]byte, 3)),
		Entry("nil OPc", make([]byte, 16), nil, make([]byte, 16), make([]byte, 3)),
		Entry("long RAND", make([]byte, 16), make([]byte, 16), make([]byte, 17), make([]byte, 3)),
	)

	It("keeps key bytes out of errors", func() {
		k := mustHex("00112233445566778899aabbccddeeff")
		_, err := aka.CheckAUTN(k, k, k, make([]byte, 16))
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).NotTo(ContainSubstring("00112233"))
	})
})

var _ = Describe("SQN management (TS 33.102 Annex C)", func() {
	// Reference: TS 33.102 C.1.1: SQN = SEQ || IND, 48 bits.
	It("encodes SEQ || IND in 6 octets", func() {
		s := aka.NewSQN(1, 0)
		Expect(s.String()).To(Equal("000000000020"))
		Expect(s.SEQ()).To(Equal(uint64(1)))
		Expect(s.IND()).To(Equal(uint8(0)))
		b := aka.MaxSQN.Bytes()
		Expect(b).To(Equal([6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}))
		back, err := aka.SQNFromBytes(b[:])
		Expect(err).NotTo(HaveOccurred())
		Expect(back).To(Equal(aka.MaxSQN))
		_, err = aka.SQNFromBytes(b[:5])
		Expect(err).To(MatchError(aka.ErrInvalidInput))
		_, err = aka.ParseSQN("zz0000000000")
		Expect(err).To(MatchError(aka.ErrInvalidInput))
	})

	// Reference: TS 33.102 C.1.1/C.3.2: SEQ increments per vector, IND cycles over a = 32 entries.
	It("advances SEQ and cycles IND in NextSQN", func() {
		s := aka.SQN(0)
		seen := map[uint8]bool{}
		for i := 1; i <= aka.ArraySize*2; i++ {
			s = aka.NextSQN(s)
			Expect(s.SEQ()).To(Equal(uint64(i)))
			seen[s.IND()] = true
		}
		Expect(seen).To(HaveLen(aka.ArraySize))
		Expect(aka.NextSQN(aka.NewSQN(5, 31)).IND()).To(Equal(uint8(0)), "IND wraps")
		Expect(aka.ResyncSQN(aka.NewSQN(77, 9))).To(Equal(aka.NewSQN(78, 10)))
	})

	// Reference: TS 33.102 C.2.2: accept iff SEQ > SEQ_MS(IND); sync failure carries the highest SQN_MS.
	It("accepts out-of-order vectors in different IND entries but never twice", func() {
		var a aka.SQNArray
		v1, v2, v3 := aka.NewSQN(10, 1), aka.NewSQN(11, 2), aka.NewSQN(12, 3)
		Expect(a.CheckAndAccept(v3)).To(Succeed())
		Expect(a.CheckAndAccept(v1)).To(Succeed(), "older SEQ in another IND entry is still fresh")
		Expect(a.CheckAndAccept(v2)).To(Succeed())
		for _, v := range []aka.SQN{v1, v2, v3} {
			Expect(a.Check(v)).To(MatchError(aka.ErrSQNNotFresh), "replayed %s", v)
		}
		Expect(a.Check(aka.NewSQN(9, 1))).To(MatchError(aka.ErrSQNNotFresh))
		Expect(a.Highest()).To(Equal(v3))
		// IND wrap: after 32 vectors entry 1 is used again with a larger SEQ.
		Expect(a.CheckAndAccept(aka.NewSQN(10+aka.ArraySize, 1))).To(Succeed())
		Expect(a.Entry(1)).To(Equal(uint64(10 + aka.ArraySize)))
		Expect(a.Highest()).To(Equal(aka.NewSQN(10+aka.ArraySize, 1)))
		a.Accept(aka.NewSQN(2, 1))
		Expect(a.Entry(1)).To(Equal(uint64(10+aka.ArraySize)), "Accept never moves an entry back")
	})

	// Reference: TS 33.102 C.2.1: SEQ - SEQ_MS <= Δ (2^28 in the C.3 profile); optional limit L.
	It("enforces delta and the optional L limit", func() {
		var a aka.SQNArray
		Expect(a.Check(aka.NewSQN(aka.DefaultDelta, 0))).To(Succeed())
		Expect(a.Check(aka.NewSQN(aka.DefaultDelta+1, 0))).To(MatchError(aka.ErrSQNNotFresh))
		Expect(a.CheckWith(aka.NewSQN(aka.DefaultDelta+1, 0), aka.SQNPolicy{})).To(Succeed(), "delta 0 disables the check")
		a.Accept(aka.NewSQN(1000, 5))
		Expect(a.Check(aka.NewSQN(1000+aka.DefaultDelta, 6))).To(Succeed())
		Expect(a.Check(aka.NewSQN(1001+aka.DefaultDelta, 6))).To(MatchError(aka.ErrSQNNotFresh))
		p := aka.SQNPolicy{Delta: aka.DefaultDelta, L: 32}
		Expect(a.CheckWith(aka.NewSQN(969, 7), p)).To(Succeed(), "SEQ_MS - SEQ = 31 < L")
		Expect(a.CheckWith(aka.NewSQN(968, 7), p)).To(MatchError(aka.ErrSQNNotFresh), "SEQ_MS - SEQ = 32 is not < L")
	})

	It("is small enough for 100,000 UEs (no pointers, 256 bytes)", func() {
		Expect(int(unsafe.Sizeof(aka.SQNArray{}))).To(BeNumerically("<=", 256))
	})
})

var _ = Describe("AKMA keys (TS 33.535 Annex A)", func() {
	kausf := aka.Key256([32]byte(mustHex("3b759becc904d5b2aad2fcf15c88ce4354ade608ebbd6d89aa1c3281564c56f8")))
	supi := "imsi-001010123456789"

	// manual builds S = FC || P0 || L0 || ... by hand, straight from the clause text.
	manual := func(key []byte, s ...byte) []byte {
		m := hmac.New(sha256.New, key)
		m.Write(s)
		return m.Sum(nil)
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	// Reference: TS 33.535 A.2: FC 0x80, P0 "AKMA" (L0 0x0004), P1 SUPI (digits, as TS 33.501 A.7.0).
	It("derives K_AKMA", func() {
		k, err := aka.KAKMA(kausf, supi)
		Expect(err).NotTo(HaveOccurred())
		want := manual(kausf[:], cat([]byte{0x80}, []byte("AKMA"), []byte{0, 4}, []byte("001010123456789"), []byte{0, 15})...)
		Expect(k[:]).To(Equal(want))
	})

	// Reference: TS 33.535 A.3: FC 0x81, P0 "A-TID" (L0 0x0005), P1 SUPI.
	It("derives A-TID and an A-KID that parses back", func() {
		atid, err := aka.ATID(kausf, supi)
		Expect(err).NotTo(HaveOccurred())
		want := manual(kausf[:], cat([]byte{0x81}, []byte("A-TID"), []byte{0, 5}, []byte("001010123456789"), []byte{0, 15})...)
		Expect(atid[:]).To(Equal(want))
		akid, err := aka.AKID("0000", atid, "5gc.mnc001.mcc001.3gppnetwork.org")
		Expect(err).NotTo(HaveOccurred())
		rid, back, realm, err := aka.ParseAKID(akid)
		Expect(err).NotTo(HaveOccurred())
		Expect(rid).To(Equal("0000"))
		Expect(back).To(Equal(atid))
		Expect(realm).To(Equal("5gc.mnc001.mcc001.3gppnetwork.org"))
		for _, bad := range []string{"", "x@y", "0000.abc@realm", "00000." + strings.Repeat("A", 43) + "@r", "0000." + strings.Repeat("A", 43) + "@", "a.b@c@d"} {
			_, _, _, err := aka.ParseAKID(bad)
			Expect(err).To(MatchError(aka.ErrInvalidInput), bad)
		}
	})

	// Reference: TS 33.535 A.4: FC 0x82, P0 AF_ID = FQDN || Ua* security protocol id.
	It("derives K_AF per AF", func() {
		kakma, err := aka.KAKMA(kausf, supi)
		Expect(err).NotTo(HaveOccurred())
		id1, err := aka.AFID("cpf.credbed.test", [5]byte{0x01, 0, 0, 0, 0x02})
		Expect(err).NotTo(HaveOccurred())
		id2, err := aka.AFID("other.credbed.test", [5]byte{0x01, 0, 0, 0, 0x02})
		Expect(err).NotTo(HaveOccurred())
		kaf1, err := aka.KAF(kakma, id1)
		Expect(err).NotTo(HaveOccurred())
		kaf2, err := aka.KAF(kakma, id2)
		Expect(err).NotTo(HaveOccurred())
		Expect(kaf1).NotTo(Equal(kaf2))
		want := manual(kakma[:], cat([]byte{0x82}, id1, []byte{0, byte(len(id1))})...)
		Expect(kaf1[:]).To(Equal(want))
		_, err = aka.KAF(kakma, nil)
		Expect(err).To(MatchError(aka.ErrInvalidInput))
	})
})

var _ = Describe("secret hygiene", func() {
	It("never prints key bytes", func() {
		k := aka.Key128([16]byte(mustHex("00112233445566778899aabbccddeeff")))
		k2 := aka.Key256{0xde, 0xad, 0xbe, 0xef}
		v := aka.Vector{CK: k, IK: k}
		ch := aka.Chain{KAUSF: k2, KSEAF: k2, KAMF: k2, KNASEnc: k, KNASInt: k}
		var buf strings.Builder
		log := slog.New(slog.NewJSONHandler(&buf, nil))
		log.Info("x", "k", k, "k2", k2, "chain", ch)
		js, err := json.Marshal(ch)
		Expect(err).NotTo(HaveOccurred())
		for _, s := range []string{
			fmt.Sprint(k), fmt.Sprintf("%x", k), fmt.Sprintf("%#v", k), fmt.Sprintf("%v", v), fmt.Sprintf("%+v", ch),
			fmt.Sprintf("%x", &k2), fmt.Sprintf("%s", k2), buf.String(), string(js),
		} {
			Expect(s).NotTo(ContainSubstring("112233"))
			Expect(s).NotTo(ContainSubstring("deadbeef"))
			Expect(s).NotTo(ContainSubstring("222, 173"))
			Expect(s).To(ContainSubstring(aka.Redacted))
		}
		Expect(errors.Is(fmt.Errorf("x: %w", aka.ErrMACFailure), aka.ErrMACFailure)).To(BeTrue())
	})
})
