package subscriber_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/subscriber"
)

// TS 35.208 test set 1 (K, OPc), used only as well-known hex.
const (
	k1   = "465b5ce8b199b49faa5f0a2ee238a6bc"
	opc1 = "cd63cb71954a9f4e48a5994e37a02baf"
)

var _ = Describe("Parse", func() {
	It("applies file and package defaults", func() {
		subs, err := subscriber.Parse([]byte(`
defaults:
  amf: "9001"
  dnns: [internet, iot]
subscribers:
  - supi: imsi-001010000000001
    k: ` + strings.ToUpper(k1) + `
    opc: ` + opc1 + `
  - supi: imsi-001010000000002
    k: ` + k1 + `
    opc: ` + opc1 + `
    amf: "8000"
    sqn: "0000000000ff"
    snssais: [{sst: 1, sd: "0000AB"}, {sst: 2}]
`))
		Expect(err).NotTo(HaveOccurred())
		Expect(subs).To(HaveLen(2))
		a, b := subs[0], subs[1]
		Expect(a.PLMN).To(Equal("00101"))
		Expect(a.MCC()).To(Equal("001"))
		Expect(a.MNC()).To(Equal("01"))
		Expect(a.K).To(Equal(k1), "hex is lower-cased")
		Expect(a.AMF).To(Equal("9001"))
		Expect(a.SQN).To(Equal("000000000000"))
		Expect(a.AuthMethod).To(Equal("5G_AKA"))
		Expect(a.DNNs).To(Equal([]string{"internet", "iot"}))
		Expect(a.SNSSAIs).To(Equal([]subscriber.SNSSAI{{SST: 1}}))
		Expect(b.AMF).To(Equal("8000"))
		Expect(b.SQN).To(Equal("0000000000ff"))
		Expect(b.SNSSAIs).To(Equal([]subscriber.SNSSAI{{SST: 1, SD: "0000ab"}, {SST: 2}}))
		kb, err := a.KBytes()
		Expect(err).NotTo(HaveOccurred())
		Expect(kb).To(HaveLen(16))
	})

	It("rejects an unknown field by name", func() {
		_, err := subscriber.Parse([]byte("subscribers:\n  - supi: imsi-001010000000001\n    k: " + k1 + "\n    opc: " + opc1 + "\n    colour: red\n"))
		Expect(err).To(MatchError(subscriber.ErrSyntax))
		Expect(err.Error()).To(ContainSubstring(`"colour"`))
		_, err = subscriber.Parse([]byte("subscriber: []\n"))
		Expect(err).To(MatchError(subscriber.ErrSyntax))
		Expect(err.Error()).To(ContainSubstring(`"subscriber"`))
	})

	It("rejects a file without a subscribers list and non-YAML", func() {
		_, err := subscriber.Parse([]byte("defaults: {}\n"))
		Expect(err).To(MatchError(subscriber.ErrSyntax))
		_, err = subscriber.Parse([]byte("\x00\xff: ["))
		Expect(err).To(MatchError(subscriber.ErrSyntax))
	})

	It("rejects duplicate SUPIs", func() {
		entry := "  - {supi: imsi-001010000000001, k: " + k1 + ", opc: " + opc1 + "}\n"
		_, err := subscriber.Parse([]byte("subscribers:\n" + entry + entry))
		Expect(err).To(MatchError(subscriber.ErrInvalid))
		Expect(err.Error()).To(ContainSubstring("subscribers[1]"))
	})

	// Reference: TS 23.003 §2.2 (IMSI), §9.1 (DNN), §28.4.2 (S-NSSAI); TS 33.102 §6.3.2 (SQN 48 bits, AMF 16 bits)
	DescribeTable("names the field that fails validation, never the key",
		func(mutate func(*subscriber.Subscription), field string) {
			s := subscriber.Subscription{SUPI: "imsi-001010000000001", K: k1, OPc: opc1}
			mutate(&s)
			s.ApplyDefaults(subscriber.Defaults{})
			err := s.Validate()
			Expect(err).To(MatchError(subscriber.ErrInvalid))
			Expect(err.Error()).To(ContainSubstring(field + ":"))
			Expect(err.Error()).NotTo(ContainSubstring(k1[:12]))
			Expect(err.Error()).NotTo(ContainSubstring(opc1[:12]))
		},
		Entry("SUPI without imsi- prefix", func(s *subscriber.Subscription) { s.SUPI = "001010000000001" }, "supi"),
		Entry("SUPI too long", func(s *subscriber.Subscription) { s.SUPI = "imsi-0010100000000012" }, "supi"),
		Entry("SUPI of another PLMN", func(s *subscriber.Subscription) { s.SUPI = "imsi-208930000000001" }, "supi"),
		Entry("SUPI with letters", func(s *subscriber.Subscription) { s.SUPI = "imsi-00101000000000a" }, "supi"),
		Entry("short K", func(s *subscriber.Subscription) { s.K = k1[:30] }, "k"),
		Entry("non-hex K", func(s *subscriber.Subscription) { s.K = "zz" + k1[2:] }, "k"),
		Entry("long OPc", func(s *subscriber.Subscription) { s.OPc = opc1 + "00" }, "opc"),
		Entry("AMF of 3 digits", func(s *subscriber.Subscription) { s.AMF = "800" }, "amf"),
		Entry("SQN of 11 digits", func(s *subscriber.Subscription) { s.SQN = "00000000001" }, "sqn"),
		Entry("PLMN of 4 digits", func(s *subscriber.Subscription) { s.PLMN = "0010" }, "plmn"),
		Entry("unknown auth method", func(s *subscriber.Subscription) { s.AuthMethod = "EAP_TLS" }, "authMethod"),
		Entry("DNN with a space", func(s *subscriber.Subscription) { s.DNNs = []string{"inter net"} }, "dnns[0]"),
		Entry("DNN with an empty label", func(s *subscriber.Subscription) { s.DNNs = []string{"a..b"} }, "dnns[0]"),
		Entry("duplicate DNN", func(s *subscriber.Subscription) { s.DNNs = []string{"internet", "INTERNET"} }, "dnns[1]"),
		Entry("SST over 255", func(s *subscriber.Subscription) { s.SNSSAIs = []subscriber.SNSSAI{{SST: 256}} }, "snssais[0].sst"),
		Entry("SD of 5 digits", func(s *subscriber.Subscription) { s.SNSSAIs = []subscriber.SNSSAI{{SST: 1, SD: "00001"}} }, "snssais[0].sd"),
		Entry("duplicate S-NSSAI", func(s *subscriber.Subscription) { s.SNSSAIs = []subscriber.SNSSAI{{SST: 1}, {SST: 1}} }, "snssais[1]"),
	)

	It("keeps an all-digit K intact through Marshal and Parse", func() {
		s := subscriber.Subscription{SUPI: "imsi-001010000000001", K: "00112233445566778899001122334455", OPc: opc1}
		s.ApplyDefaults(subscriber.Defaults{})
		out, err := subscriber.Marshal([]subscriber.Subscription{s})
		Expect(err).NotTo(HaveOccurred())
		back, err := subscriber.Parse(out)
		Expect(err).NotTo(HaveOccurred())
		Expect(back).To(Equal([]subscriber.Subscription{s}))
	})
})

var _ = Describe("Subscription", func() {
	It("never prints K or OPc", func() {
		s := subscriber.Subscription{SUPI: "imsi-001010000000001", K: k1, OPc: opc1}
		var logs bytes.Buffer
		slog.New(slog.NewTextHandler(&logs, nil)).Info("loaded", "sub", s)
		for _, out := range []string{s.String(), fmt.Sprintf("%v", s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s), fmt.Sprint(&s), logs.String()} {
			Expect(out).To(ContainSubstring("imsi-001010000000001"))
			Expect(out).NotTo(ContainSubstring(k1))
			Expect(out).NotTo(ContainSubstring(opc1))
		}
	})

	// Reference: TS 29.505 §5.2.2.2 (AuthenticationSubscription), TS 29.503 §6.1.6.2.4 (AccessAndMobilitySubscriptionData)
	It("converts to the UDR's data in the shape the UDM expects", func() {
		s := subscriber.Subscription{SUPI: "imsi-001010000000001", K: k1, OPc: opc1,
			DNNs: []string{"internet", "iot"}, SNSSAIs: []subscriber.SNSSAI{{SST: 1}, {SST: 1, SD: "000001"}}}
		s.ApplyDefaults(subscriber.Defaults{})
		a := s.AuthenticationSubscription()
		Expect(string(a.AuthenticationMethod)).To(Equal("5G_AKA"))
		Expect(a.EncPermanentKey).To(Equal(k1))
		Expect(a.EncOpcKey).To(Equal(opc1))
		Expect(a.AuthenticationManagementField).To(Equal("8000"))
		Expect(a.SequenceNumber.Sqn).To(Equal("000000000000"))
		Expect(s.AmData().Nssai.DefaultSingleNssais).To(HaveLen(2))
		sel := s.SmfSelectionData()
		Expect(sel.SubscribedSnssaiInfos).To(HaveKey("01"))
		Expect(sel.SubscribedSnssaiInfos).To(HaveKey("01000001"))
		Expect(sel.SubscribedSnssaiInfos["01"].DnnInfos[0].DefaultDnnIndicator).To(BeTrue())
		sm := s.SmData()
		Expect(sm).To(HaveLen(2))
		Expect(sm[1].SingleNssai.Sd).To(Equal("000001"))
		Expect(sm[0].DnnConfigurations).To(HaveKey("iot"))
	})
})

var _ = Describe("Generate", func() {
	It("is deterministic in its seed and sequential in its SUPIs", func() {
		seed := GinkgoRandomSeed()
		a, err := subscriber.Generate(50, seed, subscriber.GenOptions{})
		Expect(err).NotTo(HaveOccurred())
		b, err := subscriber.Generate(50, seed, subscriber.GenOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(a).To(Equal(b))
		c, err := subscriber.Generate(50, seed+1, subscriber.GenOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(c[0].K).NotTo(Equal(a[0].K))
		Expect(a[0].SUPI).To(Equal("imsi-001010000000001"))
		Expect(a[49].SUPI).To(Equal("imsi-001010000000050"))
		keys := map[string]bool{}
		for _, s := range a {
			Expect(s.Validate()).To(Succeed())
			Expect(s.K).NotTo(Equal(s.OPc))
			keys[s.K] = true
		}
		Expect(keys).To(HaveLen(50))
	})

	It("honours the PLMN and start MSIN, and refuses overflow", func() {
		subs, err := subscriber.Generate(2, 1, subscriber.GenOptions{PLMN: "208093", StartMSIN: "999999998"})
		Expect(err).NotTo(HaveOccurred())
		Expect(subs[0].SUPI).To(Equal("imsi-208093999999998"))
		Expect(subs[1].SUPI).To(Equal("imsi-208093999999999"))
		_, err = subscriber.Generate(3, 1, subscriber.GenOptions{PLMN: "208093", StartMSIN: "999999998"})
		Expect(err).To(MatchError(subscriber.ErrInvalid))
		_, err = subscriber.Generate(1, 1, subscriber.GenOptions{PLMN: "20x93"})
		Expect(err).To(MatchError(subscriber.ErrInvalid))
		_, err = subscriber.Generate(-1, 1, subscriber.GenOptions{})
		Expect(err).To(MatchError(subscriber.ErrInvalid))
		none, err := subscriber.Generate(0, 1, subscriber.GenOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(none).To(BeEmpty())
	})

	It("round-trips through Marshal and Parse", func() {
		subs, err := subscriber.Generate(20, GinkgoRandomSeed(), subscriber.GenOptions{DNNs: []string{"internet", "ims"}, AKMA: true})
		Expect(err).NotTo(HaveOccurred())
		out, err := subscriber.Marshal(subs)
		Expect(err).NotTo(HaveOccurred())
		back, err := subscriber.Parse(out)
		Expect(err).NotTo(HaveOccurred())
		Expect(back).To(Equal(subs))
	})
})
