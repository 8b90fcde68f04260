package nassec_test

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"unsafe"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/nassec"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// Keys of the 5G AKA chain vector in reference/3gpp.md §4.2 (NEA2/NIA2).
var (
	vecKEnc = aka.Key128(mustHexT("53aa16a1ee0d7bf601a342eecaf8b0e6"))
	vecKInt = aka.Key128(mustHexT("daa5adbfc68d0928737ac8bf26f20a27"))
)

func mustHexT(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err) // package-level test constant
	}
	return b
}

func pair(enc nassec.CipheringAlg, integ nassec.IntegrityAlg, kEnc, kInt aka.Key128) (ue, nw nassec.Context) {
	var err error
	ue, err = nassec.New(nassec.Config{Side: nassec.SideUE, KNASEnc: kEnc, KNASInt: kInt, Enc: enc, Int: integ})
	Expect(err).NotTo(HaveOccurred())
	nw, err = nassec.New(nassec.Config{Side: nassec.SideNetwork, KNASEnc: kEnc, KNASInt: kInt, Enc: enc, Int: integ})
	Expect(err).NotTo(HaveOccurred())
	return ue, nw
}

func newRNG() *rand.Rand {
	seed := uint64(GinkgoRandomSeed())
	GinkgoWriter.Printf("random seed %d\n", seed)
	return rand.New(rand.NewPCG(seed, 0x7e))
}

// plain5GMM is a plain 5GMM message: EPD, security header type 0, message type, random IEs.
func plain5GMM(r *rand.Rand, msgType byte) []byte {
	n := r.IntN(120)
	b := make([]byte, 3+n)
	b[0], b[1], b[2] = 0x7e, 0x00, msgType
	for i := 3; i < len(b); i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

var _ = Describe("NAS security (TS 33.501 §6.4, TS 24.501 §4.4, §9.1.1)", func() {
	var r *rand.Rand
	BeforeEach(func() { r = newRNG() })

	// Reference: TS 33.501 §6.7.2, §6.4.3.1 (BEARER 0x01, DIRECTION), reference/3gpp.md §4.2 messages.
	It("builds the SECURITY MODE COMMAND and COMPLETE of the chain vector bit-exactly", func() {
		ue, nw := pair(nassec.NEA2, nassec.NIA2, vecKEnc, vecKInt)
		smc, err := nw.Protect(mustHex("7e005d220002f0f0"), nassec.HdrIntegrityNew)
		Expect(err).NotTo(HaveOccurred())
		Expect(hex.EncodeToString(smc)).To(Equal("7e030b9ae281007e005d220002f0f0"))

		// The UE reads the algorithms before it can verify (type 3 is not ciphered).
		h, inner, err := nassec.Split(smc)
		Expect(err).NotTo(HaveOccurred())
		Expect(h.SecHdr).To(Equal(nassec.HdrIntegrityNew))
		Expect(inner).To(Equal(mustHex("7e005d220002f0f0")))
		plain, hdr, err := ue.Unprotect(smc)
		Expect(err).NotTo(HaveOccurred())
		Expect(hdr).To(Equal(nassec.HdrIntegrityNew))
		Expect(plain).To(Equal(mustHex("7e005d220002f0f0")))

		smcc, err := ue.Protect(mustHex("7e005e"), nassec.HdrIntegrityCipheredNew)
		Expect(err).NotTo(HaveOccurred())
		Expect(hex.EncodeToString(smcc)).To(Equal("7e048db6a027000f2666"))
		plain, hdr, err = nw.Unprotect(smcc)
		Expect(err).NotTo(HaveOccurred())
		Expect(hdr).To(Equal(nassec.HdrIntegrityCipheredNew))
		Expect(plain).To(Equal(mustHex("7e005e")))

		ul, dl := nw.Counts()
		Expect(ul).To(Equal(nassec.Count(1)))
		Expect(dl).To(Equal(nassec.Count(1)))
	})

	// Reference: TS 33.501 §6.4.3, §6.4.4: every NEA/NIA pair protects both directions.
	It("round-trips random messages UE<->network for every algorithm pair and header type", func() {
		for enc := nassec.NEA0; enc <= nassec.NEA3; enc++ {
			for integ := nassec.NIA0; integ <= nassec.NIA3; integ++ {
				ue, nw := pair(enc, integ, aka.Key128(randBytes(r, 16)), aka.Key128(randBytes(r, 16)))
				for i := range 20 {
					hdr := uint8(1 + i%4)
					m := plain5GMM(r, 0x41+byte(i))
					pdu, err := ue.Protect(m, hdr)
					Expect(err).NotTo(HaveOccurred())
					if nassec.Ciphered(hdr) && !enc.IsNull() && len(m) > 8 {
						Expect(pdu[7:]).NotTo(Equal(m), "%s ciphers", enc)
					}
					got, gotHdr, err := nw.Unprotect(pdu)
					Expect(err).NotTo(HaveOccurred(), "%s/%s hdr %d", enc, integ, hdr)
					Expect(got).To(Equal(m))
					Expect(gotHdr).To(Equal(hdr))

					m = plain5GMM(r, 0x54)
					pdu, err = nw.Protect(m, hdr)
					Expect(err).NotTo(HaveOccurred())
					got, _, err = ue.Unprotect(pdu)
					Expect(err).NotTo(HaveOccurred())
					Expect(got).To(Equal(m))
				}
				ul, dl := ue.Counts()
				Expect(ul).To(Equal(nassec.Count(20)))
				Expect(dl).To(Equal(nassec.Count(20)))
			}
		}
	})

	// Reference: TS 33.501 §6.4.3.2: the receiver accepts each NAS COUNT only once.
	It("drops replayed messages and keeps its COUNT", func() {
		ue, nw := pair(nassec.NEA2, nassec.NIA2, aka.Key128(randBytes(r, 16)), aka.Key128(randBytes(r, 16)))
		var sent [][]byte
		for range 10 {
			pdu, err := ue.Protect(plain5GMM(r, 0x67), nassec.HdrIntegrityCiphered)
			Expect(err).NotTo(HaveOccurred())
			_, _, err = nw.Unprotect(pdu)
			Expect(err).NotTo(HaveOccurred())
			sent = append(sent, pdu)
		}
		before, _ := nw.Counts()
		for i, pdu := range sent {
			_, _, err := nw.Unprotect(pdu)
			Expect(err).To(MatchError(nassec.ErrReplay), "replay of message %d", i)
		}
		after, _ := nw.Counts()
		Expect(after).To(Equal(before))
		// Far older than one SQN window it cannot even be recognised, but it is still dropped.
		for range 300 {
			pdu, err := ue.Protect(plain5GMM(r, 0x67), nassec.HdrIntegrity)
			Expect(err).NotTo(HaveOccurred())
			_, _, err = nw.Unprotect(pdu)
			Expect(err).NotTo(HaveOccurred())
		}
		_, _, err := nw.Unprotect(sent[0])
		Expect(err).To(HaveOccurred())
		Expect(err).To(Or(MatchError(nassec.ErrReplay), MatchError(nassec.ErrMACFailure)))
		// An attacker re-sending with an old COUNT through the lying encoder is a replay too.
		old := nassec.Count(5)
		pdu, err := ue.ProtectWith(plain5GMM(r, 0x67), nassec.HdrIntegrity, nassec.Options{ForceCount: &old})
		Expect(err).NotTo(HaveOccurred())
		_, _, err = nw.Unprotect(pdu)
		Expect(err).To(HaveOccurred())
	})

	// Reference: TS 33.501 §6.4.3.2: integrity check failure discards the message.
	DescribeTable("rejects tampering with ErrMACFailure",
		func(tamper func(pdu []byte)) {
			ue, nw := pair(nassec.NEA2, nassec.NIA2, vecKEnc, vecKInt)
			pdu, err := ue.Protect(mustHex("7e0041790d0100f110000000000000000001"), nassec.HdrIntegrityCiphered)
			Expect(err).NotTo(HaveOccurred())
			tamper(pdu)
			_, _, err = nw.Unprotect(pdu)
			Expect(err).To(MatchError(nassec.ErrMACFailure))
			ul, _ := nw.Counts()
			Expect(ul).To(Equal(nassec.Count(0)), "a rejected message does not advance the COUNT")
		},
		Entry("MAC bit", func(p []byte) { p[2] ^= 0x01 }),
		Entry("SQN", func(p []byte) { p[6] ^= 0x01 }),
		Entry("ciphered body", func(p []byte) { p[len(p)-1] ^= 0x80 }),
	)

	// Reference: TS 24.501 §9.1.1, TS 33.501 §6.4.3.1: the MAC covers SQN || message,
	// not the security header type, so a flipped header type verifies but the inner
	// message is then not a plain 5GMM message.
	It("rejects a forged security header type as malformed", func() {
		ue, nw := pair(nassec.NEA2, nassec.NIA2, vecKEnc, vecKInt)
		pdu, err := ue.Protect(mustHex("7e0041790d0100f110000000000000000001"), nassec.HdrIntegrityCiphered)
		Expect(err).NotTo(HaveOccurred())
		pdu[1] = nassec.HdrIntegrity
		_, _, err = nw.Unprotect(pdu)
		Expect(err).To(MatchError(nassec.ErrMalformed))
	})

	It("lets attackers lie through ProtectWith", func() {
		ue, nw := pair(nassec.NEA2, nassec.NIA2, vecKEnc, vecKInt)
		m := mustHex("7e0045010bf200f110020040cafe0001")
		pdu, err := ue.ProtectWith(m, nassec.HdrIntegrity, nassec.Options{CorruptMAC: true})
		Expect(err).NotTo(HaveOccurred())
		_, _, err = nw.Unprotect(pdu)
		Expect(err).To(MatchError(nassec.ErrMACFailure))

		pdu, err = ue.ProtectWith(m, nassec.HdrIntegrity, nassec.Options{ForceMAC: &[4]byte{1, 2, 3, 4}})
		Expect(err).NotTo(HaveOccurred())
		Expect(pdu[2:6]).To(Equal([]byte{1, 2, 3, 4}))

		ul, _ := ue.Counts()
		Expect(ul).To(Equal(nassec.Count(2)), "lying messages still use up honest COUNTs")
		future := nassec.Count(40)
		pdu, err = ue.ProtectWith(m, nassec.HdrIntegrity, nassec.Options{ForceCount: &future})
		Expect(err).NotTo(HaveOccurred())
		ul, _ = ue.Counts()
		Expect(ul).To(Equal(nassec.Count(2)), "ForceCount leaves the context COUNT alone")
		_, _, err = nw.Unprotect(pdu)
		Expect(err).NotTo(HaveOccurred(), "a jump ahead inside the SQN window is accepted (TS 24.501 §4.4.3.1)")
		rx, _ := nw.Counts()
		Expect(rx).To(Equal(nassec.Count(41)))

		pdu, err = ue.ProtectWith(m, nassec.HdrIntegrity, nassec.Options{NoIncrement: true})
		Expect(err).NotTo(HaveOccurred())
		again, err := ue.Protect(m, nassec.HdrIntegrity)
		Expect(err).NotTo(HaveOccurred())
		Expect(again).To(Equal(pdu), "NoIncrement reuses the COUNT")

		pdu, err = ue.ProtectWith(m, nassec.HdrIntegrityCiphered, nassec.Options{SkipCipher: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(pdu[7:]).To(Equal(m))

		_, err = ue.ProtectWith([]byte{1, 2}, nassec.HdrIntegrity, nassec.Options{RawPayload: true})
		Expect(err).NotTo(HaveOccurred())
		_, err = ue.Protect([]byte{1, 2}, nassec.HdrIntegrity)
		Expect(err).To(MatchError(nassec.ErrMalformed))
	})

	// Reference: TS 24.501 §4.4.3.1: NAS SQN wraps into the 16-bit overflow counter.
	It("keeps both sides in step across the SQN wrap, with losses", func() {
		ue, nw := pair(nassec.NEA1, nassec.NIA2, aka.Key128(randBytes(r, 16)), aka.Key128(randBytes(r, 16)))
		for i := range 700 {
			m := plain5GMM(r, 0x67)
			pdu, err := ue.Protect(m, nassec.HdrIntegrityCiphered)
			Expect(err).NotTo(HaveOccurred())
			if i%7 == 3 || (i >= 250 && i < 262) {
				continue // lost on the way
			}
			got, _, err := nw.Unprotect(pdu)
			Expect(err).NotTo(HaveOccurred(), "message %d", i)
			Expect(got).To(Equal(m))
		}
		ul, _ := nw.Counts()
		Expect(ul).To(Equal(nassec.NewCount(2, 700-512)))
		Expect(ul.Overflow()).To(Equal(uint16(2)))
	})

	// Reference: TS 33.501 §6.4.3.1: COUNT must not wrap with the same keys.
	It("refuses to wrap the 24-bit NAS COUNT", func() {
		ue, nw := pair(nassec.NEA0, nassec.NIA2, vecKEnc, vecKInt)
		Expect(ue.SetCounts(nassec.MaxCount, 0)).To(Succeed())
		Expect(nw.SetCounts(nassec.MaxCount, 0)).To(Succeed())
		pdu, err := ue.Protect(mustHex("7e0067"), nassec.HdrIntegrity)
		Expect(err).NotTo(HaveOccurred())
		_, _, err = nw.Unprotect(pdu)
		Expect(err).NotTo(HaveOccurred())
		_, err = ue.Protect(mustHex("7e0067"), nassec.HdrIntegrity)
		Expect(err).To(MatchError(nassec.ErrCountExhausted))
		_, _, err = nw.Unprotect(pdu)
		Expect(err).To(MatchError(nassec.ErrCountExhausted))
		Expect(ue.SetCounts(nassec.MaxCount+2, 0)).To(MatchError(nassec.ErrMalformed))
	})

	It("rejects truncated and malformed PDUs without panicking", func() {
		ue, nw := pair(nassec.NEA2, nassec.NIA2, vecKEnc, vecKInt)
		pdu, err := ue.Protect(mustHex("7e00415e"), nassec.HdrIntegrityCiphered)
		Expect(err).NotTo(HaveOccurred())
		for n := 0; n < len(pdu); n++ {
			_, _, err := nw.Unprotect(pdu[:n])
			if n < nassec.HeaderLen+3 {
				Expect(err).To(MatchError(nassec.ErrMalformed), "prefix of %d octets", n)
			} else {
				Expect(err).To(MatchError(nassec.ErrMACFailure), "prefix of %d octets", n)
			}
		}
		_, _, err = nw.Unprotect(mustHex("7e0041"))
		Expect(err).To(MatchError(nassec.ErrNotProtected))
		_, _, err = nw.Unprotect(mustHex("2e0102030405060708090a"))
		Expect(err).To(MatchError(nassec.ErrMalformed), "5GSM EPD is never security protected on its own")
		for hdr := 5; hdr < 16; hdr++ {
			bad := append([]byte(nil), pdu...)
			bad[1] = byte(hdr)
			_, _, err = nw.Unprotect(bad)
			Expect(err).To(MatchError(nassec.ErrMalformed), "header type %d", hdr)
		}
		// A MAC-valid message whose inner part is not a plain 5GMM message.
		raw, err := ue.ProtectWith([]byte{0x2e, 0x01, 0x02}, nassec.HdrIntegrity, nassec.Options{RawPayload: true})
		Expect(err).NotTo(HaveOccurred())
		_, _, err = nw.Unprotect(raw)
		Expect(err).To(MatchError(nassec.ErrMalformed))
	})

	It("reports a missing context", func() {
		var none nassec.Context
		_, err := none.Protect(mustHex("7e0041"), nassec.HdrIntegrity)
		Expect(err).To(MatchError(nassec.ErrNoContext))
		_, _, err = none.Unprotect(mustHex("7e01000000000000417e"))
		Expect(err).To(MatchError(nassec.ErrNoContext))
		var nilCtx *nassec.Context
		_, _, err = nilCtx.Unprotect(mustHex("7e01000000000000417e"))
		Expect(err).To(MatchError(nassec.ErrNoContext))
		Expect(nilCtx.Valid()).To(BeFalse())
		_, err = nassec.New(nassec.Config{KNASInt: vecKInt})
		Expect(err).To(MatchError(nassec.ErrMalformed))
		_, err = nassec.New(nassec.Config{Side: nassec.SideUE, Int: 4})
		Expect(err).To(MatchError(nassec.ErrMalformed))
	})

	// Reference: TS 33.501 §5.5.2, §6.4.3.2, D.1: NIA0 gives a zero MAC and no replay protection.
	It("supports NIA0/NEA0 and flags it", func() {
		ue, nw := pair(nassec.NEA0, nassec.NIA0, aka.Key128{}, aka.Key128{})
		Expect(ue.NullIntegrity()).To(BeTrue())
		Expect(nassec.NIA0.IsNull()).To(BeTrue())
		Expect(nassec.NIA2.IsNull()).To(BeFalse())
		pdu, err := ue.Protect(mustHex("7e0041"), nassec.HdrIntegrityCiphered)
		Expect(err).NotTo(HaveOccurred())
		Expect(pdu[2:6]).To(Equal([]byte{0, 0, 0, 0}))
		Expect(pdu[7:]).To(Equal(mustHex("7e0041")))
		_, _, err = nw.Unprotect(pdu)
		Expect(err).NotTo(HaveOccurred())
		_, _, err = nw.Unprotect(pdu)
		Expect(err).NotTo(HaveOccurred(), "no replay protection without integrity")
	})

	// Reference: TS 33.501 §6.4.5 (COUNTs reset only with a new KAMF), §6.7.2 (algorithm change).
	It("keeps COUNTs on Rekey and starts new contexts at zero", func() {
		ue, nw := pair(nassec.NEA2, nassec.NIA2, vecKEnc, vecKInt)
		for range 3 {
			pdu, err := ue.Protect(mustHex("7e0067"), nassec.HdrIntegrity)
			Expect(err).NotTo(HaveOccurred())
			_, _, err = nw.Unprotect(pdu)
			Expect(err).NotTo(HaveOccurred())
		}
		k1, k2 := aka.Key128(randBytes(r, 16)), aka.Key128(randBytes(r, 16))
		Expect(ue.Rekey(k1, k2, nassec.NEA3, nassec.NIA3)).To(Succeed())
		Expect(nw.Rekey(k1, k2, nassec.NEA3, nassec.NIA3)).To(Succeed())
		ul, _ := ue.Counts()
		Expect(ul).To(Equal(nassec.Count(3)))
		pdu, err := ue.Protect(mustHex("7e0067"), nassec.HdrIntegrityCiphered)
		Expect(err).NotTo(HaveOccurred())
		Expect(pdu[6]).To(Equal(byte(3)))
		_, _, err = nw.Unprotect(pdu)
		Expect(err).NotTo(HaveOccurred())
		fresh, _ := pair(nassec.NEA2, nassec.NIA2, k1, k2)
		ul, dl := fresh.Counts()
		Expect(ul).To(BeZero())
		Expect(dl).To(BeZero())
		var none nassec.Context
		Expect(none.Rekey(k1, k2, nassec.NEA0, nassec.NIA0)).To(MatchError(nassec.ErrNoContext))
	})

	It("is compact and never prints keys", func() {
		Expect(int(unsafe.Sizeof(nassec.Context{}))).To(BeNumerically("<=", 48))
		ue, _ := pair(nassec.NEA2, nassec.NIA2, vecKEnc, vecKInt)
		for _, s := range []string{fmt.Sprint(ue), fmt.Sprintf("%#v", ue), fmt.Sprintf("%+v", &ue), fmt.Sprintf("%x", ue)} {
			Expect(s).NotTo(ContainSubstring("53aa16"))
			Expect(s).NotTo(ContainSubstring("83, 170"))
			Expect(s).To(ContainSubstring("NEA2/NIA2"))
		}
	})
})

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}
