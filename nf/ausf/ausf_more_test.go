package ausf_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/ausf"
	"github.com/credbed/credbed/nf/ausf/eapaka"
)

var _ = Describe("AUSF input handling", func() {
	var b *bed
	BeforeEach(func() {
		var err error
		b, err = newBed(bedOptions{})
		Expect(err).NotTo(HaveOccurred())
	})

	// Reference: TS 29.500 §5.2.7 (ProblemDetails with status and cause), TS 29.509 §6.1.7 (error handling)
	DescribeTable("answers bad requests with ProblemDetails",
		func(method, path, ctype, body string, status int) {
			if strings.Contains(path, "CTX") {
				ue := b.subscribers(1, subscriber.GenOptions{})[0]
				rsp, err := b.authenticate(context.Background(), ue.sub.SUPI, nil)
				Expect(err).NotTo(HaveOccurred())
				_, id, err := av5g(rsp)
				Expect(err).NotTo(HaveOccurred())
				path = strings.ReplaceAll(path, "CTX", id)
			}
			st, ct, pd := b.raw(method, b.ausf.APIRoot()+path, ctype, []byte(body))
			Expect(st).To(Equal(status))
			Expect(ct).To(Equal(sbi.ContentProblem))
			Expect(pd.Status).To(BeEquivalentTo(status))
			Expect(pd.Cause).NotTo(BeEmpty())
			Expect(b.count(trace.Event{Kind: trace.KindKey, Name: ausf.KeyKSEAF})).To(BeZero())
		},
		Entry("authenticate, wrong content type", "POST", ausf.PathUEAuthentications, "text/plain", `{}`, 415),
		Entry("authenticate, not JSON", "POST", ausf.PathUEAuthentications, "application/json", `{"supiOrSuci"`, 400),
		Entry("authenticate, empty", "POST", ausf.PathUEAuthentications, "application/json", `{}`, 400),
		Entry("authenticate, bad identity", "POST", ausf.PathUEAuthentications, "application/json", `{"supiOrSuci":"bob","servingNetworkName":"`+snn+`"}`, 400),
		Entry("authenticate, no serving network", "POST", ausf.PathUEAuthentications, "application/json", `{"supiOrSuci":"imsi-001010000000001"}`, 400),
		Entry("authenticate, bad resync", "POST", ausf.PathUEAuthentications, "application/json", `{"supiOrSuci":"imsi-001010000000001","servingNetworkName":"`+snn+`","resynchronizationInfo":{"rand":"1","auts":"2"}}`, 400),
		Entry("authenticate, unknown subscriber", "POST", ausf.PathUEAuthentications, "application/json", `{"supiOrSuci":"imsi-001019999999999","servingNetworkName":"`+snn+`"}`, 404),
		Entry("authenticate, GET", "GET", ausf.PathUEAuthentications, "", ``, 405),
		Entry("confirmation, bad hex", "PUT", ausf.PathUEAuthentications+"/CTX/5g-aka-confirmation", "application/json", `{"resStar":"xyz"}`, 400),
		Entry("confirmation, short RES*", "PUT", ausf.PathUEAuthentications+"/CTX/5g-aka-confirmation", "application/json", `{"resStar":"00"}`, 400),
		Entry("confirmation, unknown context", "PUT", ausf.PathUEAuthentications+"/nope/5g-aka-confirmation", "application/json", `{"resStar":"00000000000000000000000000000000"}`, 404),
		Entry("confirmation, POST", "POST", ausf.PathUEAuthentications+"/CTX/5g-aka-confirmation", "application/json", `{}`, 405),
		Entry("eap-session, not base64", "POST", ausf.PathUEAuthentications+"/CTX/eap-session", "application/json", `{"eapPayload":"!!"}`, 400),
		Entry("eap-session, not EAP", "POST", ausf.PathUEAuthentications+"/CTX/eap-session", "application/json", `{"eapPayload":"AAEC"}`, 400),
		Entry("eap-session, on a 5G AKA context", "POST", ausf.PathUEAuthentications+"/CTX/eap-session", "application/json", `{"eapPayload":"`+base64.StdEncoding.EncodeToString(eapaka.BuildSuccess(1))+`"}`, 400),
		Entry("eap-session, unknown context", "POST", ausf.PathUEAuthentications+"/nope/eap-session", "application/json", `{"eapPayload":"`+base64.StdEncoding.EncodeToString(eapaka.BuildSuccess(1))+`"}`, 404),
		Entry("unknown resource", "GET", "/nausf-auth/v1/other", "", ``, 404),
	)

	// Reference: RFC 3748 §4.1 (a Response to another Identifier is discarded), TS 33.501 §6.1.3.1
	It("keeps an EAP context when the peer answers another identifier", func() {
		ue := b.subscribers(1, subscriber.GenOptions{AuthMethod: subscriber.AuthMethodEAPAKAPrime})[0]
		rsp, err := b.authenticate(context.Background(), ue.sub.SUPI, nil)
		Expect(err).NotTo(HaveOccurred())
		id, _ := ctxIDFromHref(rsp.UeAuthenticationCtx.Links[ausf.LinkEapSession][0].Href, "/eap-session")
		reqRaw, _ := base64.StdEncoding.DecodeString(rsp.UeAuthenticationCtx.Var5gAuthData.(string))
		good, _ := eapPeer(ue, reqRaw, false)
		bad := append([]byte(nil), good...)
		bad[1]++
		status, _, _ := b.raw(http.MethodPost, b.ausf.APIRoot()+ausf.PathUEAuthentications+"/"+id+"/eap-session", "application/json",
			[]byte(`{"eapPayload":"`+base64.StdEncoding.EncodeToString(bad)+`"}`))
		Expect(status).To(Equal(http.StatusBadRequest))
		out := eapSession(b, id, good)
		Expect(out.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_SUCCESS))
	})

	// Reference: TS 33.501 §6.1.3.2 step 12 and DESIGN invariant: a subscription deleted between challenge and confirmation yields no KSEAF
	It("gives no KSEAF when the subscription is withdrawn before the confirmation", func() {
		ue := b.subscribers(1, subscriber.GenOptions{})[0]
		rsp, err := b.authenticate(context.Background(), ue.concealed(b, ident.SchemeProfileA), nil)
		Expect(err).NotTo(HaveOccurred())
		av, id, _ := av5g(rsp)
		r, _, err := ue.answer(av.Rand, av.Autn)
		Expect(err).NotTo(HaveOccurred())
		Expect(b.udr.Remove(context.Background(), ue.sub.SUPI)).To(Succeed())
		cd, err := b.confirm(context.Background(), id, r.resStar[:])
		Expect(err).NotTo(HaveOccurred())
		Expect(cd.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_FAILURE))
		Expect(cd.Kseaf).To(BeEmpty())
		Expect(b.count(trace.Event{Kind: trace.KindReject, Actor: "ausf", Name: ausf.OpUDMAuthEvent, Cause: sbi.CauseUserNotFound})).To(Equal(1))
		Expect(b.count(trace.Event{Kind: trace.KindKey, Name: ausf.KeyKSEAF})).To(BeZero())
	})
})

var _ = Describe("AUSF, UDM, UDR, NRF and AAnF over transport net (loopback sockets)", Label("net"), func() {
	var (
		b   *bed
		ctx context.Context
	)
	BeforeEach(func() {
		ctx = context.Background()
		var err error
		b, err = newBed(bedOptions{mode: "net"})
		Expect(err).NotTo(HaveOccurred())
	})

	// Reference: TS 29.500 §5.2 (HTTP/2 h2c), TS 33.501 §6.1.3.2, Annex C.3.4.1 (Profile A)
	It("runs a full 5G AKA with a Profile A SUCI", func() {
		ue := b.subscribers(1, subscriber.GenOptions{AKMA: true})[0]
		r, cd, _, err := b.fullAKA(ctx, ue, ue.concealed(b, ident.SchemeProfileA))
		Expect(err).NotTo(HaveOccurred())
		Expect(cd.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_SUCCESS))
		Expect(cd.Kseaf).To(Equal(hex.EncodeToString(r.kseaf[:])))
		Expect(b.aanf.Contexts()).To(Equal(1))
	})

	// Reference: TS 33.501 §6.1.3.2.2 (RES* mismatch)
	It("answers a wrong RES* with AUTHENTICATION_FAILURE", func() {
		ue := b.subscribers(1, subscriber.GenOptions{})[0]
		rsp, err := b.authenticate(ctx, ue.concealed(b, ident.SchemeProfileB), nil)
		Expect(err).NotTo(HaveOccurred())
		_, id, err := av5g(rsp)
		Expect(err).NotTo(HaveOccurred())
		cd, err := b.confirm(ctx, id, make([]byte, 16))
		Expect(err).NotTo(HaveOccurred())
		Expect(cd.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_FAILURE))
		Expect(cd.Kseaf).To(BeEmpty())
	})

	// Reference: TS 33.501 §6.1.3.1 (EAP-AKA')
	It("runs a full EAP-AKA' exchange", func() {
		ue := b.subscribers(1, subscriber.GenOptions{AuthMethod: subscriber.AuthMethodEAPAKAPrime})[0]
		rsp, err := b.authenticate(ctx, ue.concealed(b, ident.SchemeNull), nil)
		Expect(err).NotTo(HaveOccurred())
		id, _ := ctxIDFromHref(rsp.UeAuthenticationCtx.Links[ausf.LinkEapSession][0].Href, "/eap-session")
		reqRaw, _ := base64.StdEncoding.DecodeString(rsp.UeAuthenticationCtx.Var5gAuthData.(string))
		respRaw, _ := eapPeer(ue, reqRaw, false)
		Expect(eapSession(b, id, respRaw).AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_SUCCESS))
	})
})
