package usim_test

import (
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/suci"
	"github.com/credbed/credbed/ue/usim"
)

func TestUSIM(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "ue/usim")
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	Expect(err).NotTo(HaveOccurred())
	return b
}

// vectorCredential is the subscriber of the 5G AKA chain vector in
// reference/3gpp.md §4.2.
func vectorCredential() usim.Credential {
	plmn := ident.PLMN{MCC: "001", MNC: "01"}
	supi, err := ident.NewIMSI(plmn, "0123456789")
	Expect(err).NotTo(HaveOccurred())
	k, _ := aka.Key128From(unhex("00112233445566778899aabbccddeeff"))
	opc, _ := aka.Key128From(unhex("62e75b8d6fa5bf46ec87a9276f9df54d"))
	return usim.Credential{SUPI: supi, K: k, OPc: opc, AMF: aka.AMF5G, PLMN: plmn}
}

var (
	vecRAND = "00112233445566778899aabbccddeeff"
	vecAUTN = "de656c8b0bcf80004af30b82a8531115"
)

var _ = Describe("USIM", Label("conformance"), func() {
	// Reference: TS 33.102 §6.3.3, Annex C.2; TS 35.208 test set 1 (f1..f5 via reference/3gpp.md §4.1).
	It("verifies AUTN and returns RES, CK and IK of MILENAGE test set 1", func() {
		plmn := ident.PLMN{MCC: "001", MNC: "01"}
		supi, err := ident.NewIMSI(plmn, "0123456789")
		Expect(err).NotTo(HaveOccurred())
		k, _ := aka.Key128From(unhex("465b5ce8b199b49faa5f0a2ee238a6bc"))
		opc, _ := aka.Key128From(unhex("cd63cb71954a9f4e48a5994e37a02baf"))
		sqn, err := aka.ParseSQN("ff9bb4d0b607")
		Expect(err).NotTo(HaveOccurred())
		// SQN_MS one step behind in the same array entry: SQN is fresh (C.2.2) and within delta (C.2.1).
		u, err := usim.New(usim.Credential{SUPI: supi, K: k, OPc: opc, PLMN: plmn, SQN: aka.NewSQN(sqn.SEQ()-1, sqn.IND())})
		Expect(err).NotTo(HaveOccurred())
		ak := unhex("aa689c648370")
		autn := append(unhex("ff9bb4d0b607"), unhex("b9b94a9ffac354dfafb3")...)
		for i := range ak {
			autn[i] ^= ak[i]
		}
		rnd := unhex("23553cbe9637a89d218ae64dae47bf35")
		r, err := u.Authenticate(rnd, autn)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Outcome).To(Equal(usim.AuthOK))
		Expect(hex.EncodeToString(r.RES[:])).To(Equal("a54211d5e3ba50bf"))
		Expect(hex.EncodeToString(r.CK[:])).To(Equal("b40ba9a3c58b2a05bbf0d987b21bf8cb"))
		Expect(hex.EncodeToString(r.IK[:])).To(Equal("f769bcd751044604127672711c6d3441"))
		Expect(r.AMF).To(Equal([2]byte{0xb9, 0xb9}))
		Expect(u.HighestSQN()).To(Equal(sqn))

		// Reference: TS 33.102 Annex C.2.2: the same SQN is not accepted twice.
		r, err = u.Authenticate(rnd, autn)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Outcome).To(Equal(usim.AuthSynchFailure))
	})

	// Reference: TS 33.102 Annex C.2.2: SEQ 0 (the §4.2 vector's SQN 000000000001) is never fresh.
	It("treats SQN 000000000001 (SEQ 0) as not fresh on a new USIM", func() {
		u, err := usim.New(vectorCredential())
		Expect(err).NotTo(HaveOccurred())
		r, err := u.Authenticate(unhex(vecRAND), unhex(vecAUTN))
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Outcome).To(Equal(usim.AuthSynchFailure))
	})

	// Reference: TS 33.102 §6.3.3 (AUTS = SQN_MS xor AK* || MAC-S); reference/3gpp.md §4.2 AUTS example.
	It("builds the vector's AUTS when SQN_MS is ahead", func() {
		c := vectorCredential()
		c.SQN = 0x20
		u, err := usim.New(c)
		Expect(err).NotTo(HaveOccurred())
		r, err := u.Authenticate(unhex(vecRAND), unhex(vecAUTN))
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Outcome).To(Equal(usim.AuthSynchFailure))
		Expect(hex.EncodeToString(r.AUTS[:])).To(Equal("b9ac50c48aa36434831f6a436cfb"))
		Expect(u.HighestSQN()).To(Equal(aka.SQN(0x20)), "a rejected SQN is not accepted")
	})

	// Reference: TS 33.102 §6.3.3 (MAC failure).
	It("reports a MAC failure and rejects malformed input", func() {
		u, err := usim.New(vectorCredential())
		Expect(err).NotTo(HaveOccurred())
		autn := unhex(vecAUTN)
		autn[15] ^= 1
		r, err := u.Authenticate(unhex(vecRAND), autn)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Outcome).To(Equal(usim.AuthMACFailure))
		_, err = u.Authenticate([]byte{1}, autn)
		Expect(err).To(MatchError(usim.ErrInput))
		var empty usim.USIM
		_, err = empty.Authenticate(unhex(vecRAND), unhex(vecAUTN))
		Expect(err).To(MatchError(usim.ErrEmpty))
	})

	// Reference: TS 33.501 §6.12.2 (fresh SUCI; null scheme only without a home network key).
	It("conceals the SUPI freshly with the provisioned scheme", func() {
		r := rand.NewChaCha8([32]byte{1})
		priv, err := suci.GenerateKey(ident.SchemeProfileA, r)
		Expect(err).NotTo(HaveOccurred())
		c := vectorCredential()
		c.Scheme, c.HNKey, c.HNKeyID, c.RoutingIndicator = ident.SchemeProfileA, priv.Public(), 3, "12"
		u, err := usim.New(c)
		Expect(err).NotTo(HaveOccurred())
		s1, err := u.Conceal(r)
		Expect(err).NotTo(HaveOccurred())
		s2, err := u.Conceal(r)
		Expect(err).NotTo(HaveOccurred())
		Expect(s1.Equal(s2)).To(BeFalse())
		Expect(s1.KeyID).To(Equal(uint8(3)))
		Expect(s1.RoutingIndicator).To(Equal("12"))
		ring := suci.KeyRing{}
		Expect(ring.Add(3, priv)).To(Succeed())
		supi, err := suci.Deconceal(s1, ring)
		Expect(err).NotTo(HaveOccurred())
		Expect(supi).To(Equal(c.SUPI))

		n, err := usim.New(vectorCredential())
		Expect(err).NotTo(HaveOccurred())
		Expect(n.HasHNKey()).To(BeFalse())
		s, err := n.Conceal(nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.String()).To(Equal("suci-0-001-01-0-0-0-0123456789"))
	})

	It("installs atomically: an invalid credential leaves the slot unchanged", func() {
		u, err := usim.New(vectorCredential())
		Expect(err).NotTo(HaveOccurred())
		for _, mod := range []func(*usim.Credential){
			func(c *usim.Credential) { c.K = aka.Key128{} },
			func(c *usim.Credential) { c.PLMN = ident.PLMN{MCC: "002", MNC: "01"} },
			func(c *usim.Credential) { c.Scheme = ident.SchemeProfileA },
			func(c *usim.Credential) { c.HNKeyID = 4 },
			func(c *usim.Credential) { c.RoutingIndicator = "12345" },
			func(c *usim.Credential) { c.SUPI = ident.SUPI{} },
		} {
			c := vectorCredential()
			mod(&c)
			Expect(u.Install(c)).To(MatchError(usim.ErrInvalidCredential))
			Expect(u.SUPI()).To(Equal(vectorCredential().SUPI))
		}
		u.Wipe()
		Expect(u.Present()).To(BeFalse())
		_, err = u.Conceal(nil)
		Expect(err).To(MatchError(usim.ErrEmpty))
	})

	It("installs a provisioned credential package with its ECIES key and initial SQN", func() {
		r := rand.NewChaCha8([32]byte{2})
		priv, err := suci.GenerateKey(ident.SchemeProfileB, r)
		Expect(err).NotTo(HaveOccurred())
		c := vectorCredential()
		p := credential.Package{SUPI: c.SUPI, K: c.K, OPc: c.OPc, AMF: c.AMF, SQN: 0x40, PLMN: c.PLMN, RoutingIndicator: "7",
			HNKeys:  []credential.HNKey{{Scheme: credential.SchemeNull}, {Scheme: credential.SchemeProfileB, ID: 5, Public: priv.Public().Bytes()}},
			Binding: credential.Binding{TargetID: "td-1", PDID: "imsi-001010000000009", Counter: 1, Expiry: time.Unix(2e9, 0)}}
		var u usim.USIM
		Expect(u.InstallPackage(p)).To(Succeed())
		sch, id := u.Scheme()
		Expect(sch).To(Equal(ident.SchemeProfileB))
		Expect(id).To(Equal(uint8(5)))
		Expect(u.RoutingIndicator()).To(Equal("7"))
		Expect(u.HighestSQN()).To(Equal(aka.SQN(0x40)))
	})

	// Reference: common rules (secrets never printed).
	It("never prints K or OPc", func() {
		c := vectorCredential()
		u, err := usim.New(c)
		Expect(err).NotTo(HaveOccurred())
		var sb strings.Builder
		slog.New(slog.NewTextHandler(&sb, nil)).Info("x", "usim", u, "cred", c)
		for _, s := range []string{u.String(), fmt.Sprintf("%v %+v %#v %x %s", u, u, u, u, u), fmt.Sprintf("%v %#v %x", c, c, c), sb.String()} {
			Expect(s).NotTo(ContainSubstring("00112233445566778899aabbccddeeff"))
			Expect(s).NotTo(ContainSubstring("62e75b8d6fa5bf46ec87a9276f9df54d"))
			Expect(strings.ToLower(s)).NotTo(ContainSubstring("0011223344"))
		}
		Expect(u.String()).To(ContainSubstring("imsi-001010123456789"))
	})
})
