package credential_test

import (
	"crypto/ecdh"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/credential"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// DPP (Wi-Fi Easy Connect) Appendix B.1 responder bootstrapping key and its
// compressed-point SubjectPublicKeyInfo.
const (
	dppRBootPublic = "09c585a91b4df9fd25a045201885c39cc5cfae397ddaeda957dec57fa0e3503f" +
		"52bf05968198a2f92883e96a386d767579883302dbf292105c90a43694c2fd5c"
	dppRASN1 = "3039301306072a8648ce3d020106082a8648ce3d0301070322000209c585a91b" +
		"4df9fd25a045201885c39cc5cfae397ddaeda957dec57fa0e3503f"
)

var _ = Describe("Bootstrap information", func() {
	// Reference: Wi-Fi Easy Connect Appendix B.1 (R bootstrapping key, ASN.1 form).
	It("encodes the public key as DPP's compressed SPKI", func() {
		pub, err := ecdh.P256().NewPublicKey(append([]byte{4}, mustHex(dppRBootPublic)...))
		Expect(err).NotTo(HaveOccurred())
		der := credential.MarshalPublicKey(pub)
		Expect(hex.EncodeToString(der)).To(Equal(dppRASN1))
		Expect(der).To(HaveLen(credential.SPKISize))
		back, err := credential.ParsePublicKey(der)
		Expect(err).NotTo(HaveOccurred())
		Expect(back.Equal(pub)).To(BeTrue())
	})

	// Reference: DESIGN step 3; Wi-Fi Easy Connect §5.2.1 (bootstrapping URI).
	It("builds and parses the QR/NFC URI", func() {
		id, err := credential.NewIdentity(seededRand(10), "SN=4774LH2b4044")
		Expect(err).NotTo(HaveOccurred())
		uri := id.Bootstrap().URI()
		Expect(uri).To(HavePrefix("DPP:I:SN=4774LH2b4044;K:MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgA"))
		Expect(uri).To(HaveSuffix(";;"))
		b, err := credential.ParseURI(uri)
		Expect(err).NotTo(HaveOccurred())
		Expect(b.DeviceID).To(Equal(id.DeviceID))
		Expect(b.Key.Equal(id.Key.PublicKey())).To(BeTrue())
		Expect(b.Hash()).To(Equal(credential.KeyHash(id.Key.PublicKey())))

		k := base64.StdEncoding.EncodeToString(credential.MarshalPublicKey(b.Key))
		b2, err := credential.ParseURI("DPP:C:81/1,115/36;I:td-1;M:5254005828e5;V:2;K:" + k + ";;")
		Expect(err).NotTo(HaveOccurred())
		Expect(b2.DeviceID).To(Equal("td-1"))

		spki, err := x509.MarshalPKIXPublicKey(b.Key)
		Expect(err).NotTo(HaveOccurred())
		for _, enc := range [][]byte{spki, b.Key.Bytes(), credential.CompressPoint(b.Key)} {
			b3, err := credential.ParseURI("DPP:I:td-1;K:" + base64.StdEncoding.EncodeToString(enc) + ";;")
			Expect(err).NotTo(HaveOccurred())
			Expect(b3.Key.Equal(b.Key)).To(BeTrue())
		}
	})

	DescribeTable("rejects bad URIs",
		func(uri string) {
			_, err := credential.ParseURI(uri)
			Expect(err).To(MatchError(credential.ErrURI))
		},
		Entry("no scheme", "I:td;K:MDkw;;"),
		Entry("empty", "DPP:"),
		Entry("no key", "DPP:I:td-1;V:2;;"),
		Entry("no device id", "DPP:K:"+strings.Repeat("A", 4)+";;"),
		Entry("single terminator", "DPP:I:td-1;K:AAAA;"),
		Entry("data after terminator", "DPP:I:td-1;K:AAAA;;C:81/1;;"),
		Entry("truncated key", "DPP:I:td-1;K:MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADURzxmttZoIRIPWGoQMV00XHWCAQIhXruVWOz0;;"),
		Entry("unknown field", "DPP:Z:x;I:td-1;K:AAAA;;"),
		Entry("repeated field", "DPP:I:td-1;I:td-2;K:AAAA;;"),
		Entry("empty value", "DPP:I:;K:AAAA;;"),
		Entry("space in the id", "DPP:I:td 1;K:AAAA;;"),
		Entry("too long", "DPP:I:"+strings.Repeat("x", 2000)+";;"),
	)
})
