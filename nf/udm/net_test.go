package udm_test

import (
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/subscriber"
)

var _ = Describe("UDM over transport net (loopback sockets)", Label("net"), func() {
	var b *bed
	BeforeEach(func() {
		var err error
		b, err = newBed("net")
		Expect(err).NotTo(HaveOccurred())
	})

	// Reference: TS 29.503 §5.4.2.2 over HTTP/2 h2c (TS 29.500 §5.2.2), TS 33.501 Annex C.3.4.2 (Profile B)
	It("generates a 5G HE AV for a Profile B SUCI", func() {
		sub := b.provision(1, subscriber.GenOptions{})[0]
		res, err := b.generate(b.conceal(sub.SUPI, ident.SchemeProfileB), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ueCheck(sub, res.AuthenticationVector)).To(Equal(aka.NextSQN(0)))
	})

	// Reference: TS 29.503 §5.3.2.3.2, TS 29.504 §5.2.2.7 (notification chain UDR -> UDM -> AMF over sockets)
	It("notifies the serving AMF when the subscription is deleted", func() {
		sub := b.provision(1, subscriber.GenOptions{})[0]
		_, err := b.register(sub.SUPI, registration(b.amfRoot, sub.SUPI))
		Expect(err).NotTo(HaveOccurred())
		status, _, _ := b.raw(http.MethodDelete, b.udrRoot+"/nudr-dr/v2/subscription-data/"+sub.SUPI, "", nil)
		Expect(status).To(Equal(http.StatusNoContent))
		n := b.notifications()
		Expect(n).To(HaveLen(1))
		Expect(n[0].data.DeregReason).To(Equal(models.UdmUecmDeregistrationReason_SUBSCRIPTION_WITHDRAWN))
	})
})
