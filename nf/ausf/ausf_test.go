package ausf_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	AUSFUEAU "github.com/free5gc/openapi/ausf/UEAuthentication"
	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/ausf"
	"github.com/credbed/credbed/nf/ausf/eapaka"
	"github.com/credbed/credbed/nf/nrf"
	"github.com/credbed/credbed/nf/udm"
)

var _ = Describe("AUSF, UDM, UDR, NRF and AAnF over transport mem", func() {
	var (
		b   *bed
		ctx context.Context
	)
	BeforeEach(func() {
		ctx = context.Background()
		var err error
		b, err = newBed(bedOptions{})
		Expect(err).NotTo(HaveOccurred())
	})

	// Reference: TS 33.501 §6.1.3.2 (5G AKA), §6.12 and Annex C (SUCI), TS 29.509 §5.2.2.2, TS 29.503 §5.4.2.2
	DescribeTable("a full 5G AKA driven at the AUSF",
		func(scheme ident.ProtectionScheme) {
			ue := b.subscribers(1, subscriber.GenOptions{})[0]
			sqn0 := b.sqn(ue.sub.SUPI)
			rsp, err := b.authenticate(ctx, ue.concealed(b, scheme), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(rsp.Location).To(HavePrefix(b.ausf.APIRoot() + ausf.PathUEAuthentications + "/"))
			Expect(rsp.UeAuthenticationCtx.AuthType).To(Equal(models.AusfUeAuthenticationAuthType__5_G_AKA))
			av, id, err := av5g(rsp)
			Expect(err).NotTo(HaveOccurred())
			Expect(rsp.Location).To(HaveSuffix("/" + id))
			Expect(id).NotTo(ContainSubstring("suci"))

			r, _, err := ue.answer(av.Rand, av.Autn)
			Expect(err).NotTo(HaveOccurred())
			// Reference: TS 33.501 A.5 (HXRES* the SEAF checks)
			hres := aka.HRESStar(r.rand, r.resStar)
			Expect(av.HxresStar).To(Equal(hex.EncodeToString(hres[:])))
			// Reference: TS 33.501 §6.1.3.2 step 1, TS 33.102 C.3.2: the vector's SQN was written back before the answer
			Expect(b.sqn(ue.sub.SUPI)).To(Equal(r.SQN.String()))
			Expect(r.SQN).To(Equal(aka.NextSQN(mustSQN(sqn0))))
			Expect(b.count(trace.Event{Kind: trace.KindKey, Actor: "udm", Name: udm.KeyKAUSF, SUPI: ue.sub.SUPI})).To(Equal(1))
			Expect(b.count(trace.Event{Kind: trace.KindNote, Actor: "udm", Name: udm.StateSQN, SUPI: ue.sub.SUPI})).To(Equal(1))
			Expect(b.count(trace.Event{Kind: trace.KindKey, Name: ausf.KeyKSEAF})).To(BeZero(), "no KSEAF before the RES* check")

			cd, err := b.confirm(ctx, id, r.resStar[:])
			Expect(err).NotTo(HaveOccurred())
			Expect(cd.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_SUCCESS))
			Expect(cd.Supi).To(Equal(ue.sub.SUPI))
			Expect(cd.Kseaf).To(Equal(hex.EncodeToString(r.kseaf[:])))
			Expect(b.count(trace.Event{Kind: trace.KindKey, Actor: "ausf", Name: ausf.KeyKSEAF, SUPI: ue.sub.SUPI})).To(Equal(1))
			// Reference: TS 29.503 §5.4.2.3 (auth-events -> UDR authentication-status)
			st, pd := b.udr.QueryAuthenticationStatus(ctx, ue.sub.SUPI)
			Expect(pd).To(BeNil())
			Expect(st.Success).To(BeTrue())
			Expect(st.NfInstanceId).To(Equal(b.ausf.InstanceID()))
			Expect(b.ausf.PendingContexts()).To(BeZero())

			// a replayed confirmation finds no context (TS 29.500 §5.2.7.2: 404 with CONTEXT_NOT_FOUND)
			status, p := b.confirmRaw(id, r.resStar[:])
			Expect(status).To(Equal(http.StatusNotFound))
			Expect(p.Cause).To(Equal(sbi.CauseContextNotFound))
			Expect(b.count(trace.Event{Kind: trace.KindKey, Name: ausf.KeyKSEAF})).To(Equal(1))
		},
		Entry("null-scheme SUCI", ident.SchemeNull),
		Entry("Profile A SUCI", ident.SchemeProfileA),
		Entry("Profile B SUCI", ident.SchemeProfileB),
	)

	// Reference: TS 29.510 §5.3.2.2 and §6.2.6.2.2 (NFDiscover; results cached for validityPeriod)
	It("discovers the UDM and the UDR once and reuses the cached answers", func() {
		ues := b.subscribers(3, subscriber.GenOptions{})
		for _, ue := range ues {
			_, cd, _, err := b.fullAKA(ctx, ue, ue.concealed(b, ident.SchemeNull))
			Expect(err).NotTo(HaveOccurred())
			Expect(cd.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_SUCCESS))
		}
		Expect(b.count(trace.Event{Kind: trace.KindRequest, Actor: "nrf", Name: nrf.OpDiscover, Peer: "ausf"})).To(Equal(1))
		Expect(b.count(trace.Event{Kind: trace.KindRequest, Actor: "nrf", Name: nrf.OpDiscover, Peer: "udm"})).To(Equal(1))
	})

	// Reference: TS 33.501 §6.1.2 (the SEAF may re-authenticate with the SUPI)
	It("authenticates a UE identified by its SUPI", func() {
		ue := b.subscribers(1, subscriber.GenOptions{})[0]
		r, cd, _, err := b.fullAKA(ctx, ue, ue.sub.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(cd.Kseaf).To(Equal(hex.EncodeToString(r.kseaf[:])))
	})

	// Reference: TS 29.503 §6.3.7.3 (USER_NOT_FOUND), libraries.md §5.1 (the AUSF relays the UDM's ProblemDetails)
	It("answers an unknown subscriber with 404 USER_NOT_FOUND, no vector and no SQN change", func() {
		known := b.subscribers(1, subscriber.GenOptions{})[0]
		before := b.sqn(known.sub.SUPI)
		gen, err := subscriber.Generate(1, 99, subscriber.GenOptions{PLMN: plmnID, StartMSIN: "9999999999"})
		Expect(err).NotTo(HaveOccurred())
		stranger := newTestUE(gen[0])
		_, err = b.authenticate(ctx, stranger.concealed(b, ident.SchemeProfileA), nil)
		status, pd := problemOf(err)
		Expect(status).To(Equal(http.StatusNotFound))
		Expect(pd.Status).To(BeEquivalentTo(http.StatusNotFound))
		Expect(pd.Cause).To(Equal(sbi.CauseUserNotFound))
		Expect(b.count(trace.Event{Kind: trace.KindKey, Name: udm.KeyKAUSF})).To(BeZero())
		Expect(b.count(trace.Event{Kind: trace.KindNote, Name: udm.StateSQN})).To(BeZero())
		Expect(b.sqn(known.sub.SUPI)).To(Equal(before))
		Expect(b.ausf.PendingContexts()).To(BeZero())
		_, err = b.udr.Get(ctx, stranger.sub.SUPI)
		Expect(err).To(HaveOccurred())
	})

	// Reference: TS 33.501 §6.1.3.2.2 (RES* verification failure at the AUSF), TS 29.509 §6.1.6.3.3 (AUTHENTICATION_FAILURE)
	It("answers a wrong RES* with AUTHENTICATION_FAILURE, no KSEAF and a failed auth event", func() {
		ue := b.subscribers(1, subscriber.GenOptions{})[0]
		rsp, err := b.authenticate(ctx, ue.concealed(b, ident.SchemeProfileA), nil)
		Expect(err).NotTo(HaveOccurred())
		av, id, err := av5g(rsp)
		Expect(err).NotTo(HaveOccurred())
		r, _, err := ue.answer(av.Rand, av.Autn)
		Expect(err).NotTo(HaveOccurred())
		r.resStar[3] ^= 0x40
		cd, err := b.confirm(ctx, id, r.resStar[:])
		Expect(err).NotTo(HaveOccurred())
		Expect(cd.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_FAILURE))
		Expect(cd.Kseaf).To(BeEmpty())
		Expect(cd.Supi).To(BeEmpty())
		Expect(b.count(trace.Event{Kind: trace.KindKey, Name: ausf.KeyKSEAF})).To(BeZero())
		Expect(b.count(trace.Event{Kind: trace.KindReject, Actor: "ausf", Cause: ausf.CauseAuthFailure})).To(Equal(1))
		st, pd := b.udr.QueryAuthenticationStatus(ctx, ue.sub.SUPI)
		Expect(pd).To(BeNil())
		Expect(st.Success).To(BeFalse())
	})

	// Reference: TS 33.501 §6.1.3.3.2, TS 33.102 §6.3.5 (re-synchronisation with AUTS)
	It("re-synchronises with a good AUTS: the new vector is accepted by a UE whose SQN is ahead", func() {
		ue := b.subscribers(1, subscriber.GenOptions{})[0]
		ue.aheadBy(5000)
		ahead := ue.usim.Highest()
		rsp, err := b.authenticate(ctx, ue.concealed(b, ident.SchemeProfileA), nil)
		Expect(err).NotTo(HaveOccurred())
		av, _, err := av5g(rsp)
		Expect(err).NotTo(HaveOccurred())
		_, auts, err := ue.answer(av.Rand, av.Autn)
		Expect(err).To(MatchError(errSynch))

		rsp, err = b.authenticate(ctx, ue.concealed(b, ident.SchemeProfileA), &models.ResynchronizationInfo{Rand: av.Rand, Auts: hex.EncodeToString(auts[:])})
		Expect(err).NotTo(HaveOccurred())
		av2, id2, err := av5g(rsp)
		Expect(err).NotTo(HaveOccurred())
		r, _, err := ue.answer(av2.Rand, av2.Autn)
		Expect(err).NotTo(HaveOccurred())
		Expect(r.SQN).To(Equal(aka.ResyncSQN(ahead)))
		Expect(b.sqn(ue.sub.SUPI)).To(Equal(r.SQN.String()))
		Expect(b.count(trace.Event{Kind: trace.KindNote, Actor: "udm", Name: udm.StateSQNResync})).To(Equal(1))
		cd, err := b.confirm(ctx, id2, r.resStar[:])
		Expect(err).NotTo(HaveOccurred())
		Expect(cd.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_SUCCESS))
	})

	// Reference: TS 33.102 §6.3.5 (MAC-S check), TS 29.503 §6.3.7.3 (AUTHENTICATION_REJECTED)
	It("refuses a forged AUTS with 403 AUTHENTICATION_REJECTED and leaves the SQN unchanged", func() {
		ue := b.subscribers(1, subscriber.GenOptions{})[0]
		rsp, err := b.authenticate(ctx, ue.concealed(b, ident.SchemeNull), nil)
		Expect(err).NotTo(HaveOccurred())
		av, _, err := av5g(rsp)
		Expect(err).NotTo(HaveOccurred())
		before := b.sqn(ue.sub.SUPI)
		forged := make([]byte, aka.AUTSLen)
		_, _ = b.rng.Read(forged)
		_, err = b.authenticate(ctx, ue.concealed(b, ident.SchemeNull), &models.ResynchronizationInfo{Rand: av.Rand, Auts: hex.EncodeToString(forged)})
		status, pd := problemOf(err)
		Expect(status).To(Equal(http.StatusForbidden))
		Expect(pd.Cause).To(Equal(sbi.CauseAuthRejected))
		Expect(b.sqn(ue.sub.SUPI)).To(Equal(before))
		Expect(b.count(trace.Event{Kind: trace.KindNote, Name: udm.StateSQNResync})).To(BeZero())
	})

	// Reference: TS 33.501 §6.1.2 and §6.1.1.4 (serving network name), TS 29.509 §6.1.7.3 (SERVING_NETWORK_NOT_AUTHORIZED)
	DescribeTable("refuses a serving network the AUSF does not serve with 403",
		func(name string) {
			ue := b.subscribers(1, subscriber.GenOptions{})[0]
			_, err := b.amf.DefaultApi.UeAuthenticationsPost(ctx, &AUSFUEAU.UeAuthenticationsPostRequest{
				AuthenticationInfo: &models.AuthenticationInfo{SupiOrSuci: ue.concealed(b, ident.SchemeNull), ServingNetworkName: name}})
			status, pd := problemOf(err)
			Expect(status).To(Equal(http.StatusForbidden))
			Expect(pd.Cause).To(Equal(sbi.CauseSNNotAuthorized))
			Expect(b.count(trace.Event{Kind: trace.KindRequest, Actor: "ausf", Name: ausf.OpUDMGet})).To(BeZero())
		},
		Entry("another PLMN", "5G:mnc093.mcc208.3gppnetwork.org"),
		Entry("a 2-digit MNC", "5G:mnc01.mcc001.3gppnetwork.org"),
		Entry("not a serving network name", "WLAN"),
	)

	// Reference: TS 33.501 §6.1.3.1 (EAP-AKA'), RFC 9048 §3, TS 33.501 Annex F (KAUSF = EMSK[0:256])
	It("runs a full EAP-AKA' exchange", func() {
		ue := b.subscribers(1, subscriber.GenOptions{AuthMethod: subscriber.AuthMethodEAPAKAPrime})[0]
		rsp, err := b.authenticate(ctx, ue.concealed(b, ident.SchemeProfileB), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(rsp.UeAuthenticationCtx.AuthType).To(Equal(models.AusfUeAuthenticationAuthType_EAP_AKA_PRIME))
		links := rsp.UeAuthenticationCtx.Links[ausf.LinkEapSession]
		Expect(links).To(HaveLen(1))
		id, ok := ctxIDFromHref(links[0].Href, "/eap-session")
		Expect(ok).To(BeTrue())
		payload, ok := rsp.UeAuthenticationCtx.Var5gAuthData.(string)
		Expect(ok).To(BeTrue())
		reqRaw, err := base64.StdEncoding.DecodeString(payload)
		Expect(err).NotTo(HaveOccurred())

		respRaw, keys := eapPeer(ue, reqRaw, false)
		out := eapSession(b, id, respRaw)
		Expect(out.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_SUCCESS))
		Expect(out.Supi).To(Equal(ue.sub.SUPI))
		succ, _ := base64.StdEncoding.DecodeString(out.EapPayload)
		p, err := eapaka.Decode(succ)
		Expect(err).NotTo(HaveOccurred())
		Expect(p.Code).To(Equal(eapaka.CodeSuccess))
		kseaf, err := aka.KSEAF(keys.KAUSF(), snn)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.KSeaf).To(Equal(hex.EncodeToString(kseaf[:])))
		st, pd := b.udr.QueryAuthenticationStatus(ctx, ue.sub.SUPI)
		Expect(pd).To(BeNil())
		Expect(st.Success).To(BeTrue())
		Expect(st.AuthType).To(Equal(models.UdmUeauAuthType_EAP_AKA_PRIME))
	})

	// Reference: RFC 9048 §3 and RFC 4187 §10.15 (AT_MAC, AT_RES), TS 33.501 §6.1.3.1 step 10
	It("ends an EAP-AKA' exchange with EAP-Failure on a wrong AT_RES", func() {
		ue := b.subscribers(1, subscriber.GenOptions{AuthMethod: subscriber.AuthMethodEAPAKAPrime})[0]
		rsp, err := b.authenticate(ctx, ue.sub.SUPI, nil)
		Expect(err).NotTo(HaveOccurred())
		id, _ := ctxIDFromHref(rsp.UeAuthenticationCtx.Links[ausf.LinkEapSession][0].Href, "/eap-session")
		reqRaw, _ := base64.StdEncoding.DecodeString(rsp.UeAuthenticationCtx.Var5gAuthData.(string))
		respRaw, _ := eapPeer(ue, reqRaw, true)
		out := eapSession(b, id, respRaw)
		Expect(out.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_FAILURE))
		Expect(out.KSeaf).To(BeEmpty())
		fail, _ := base64.StdEncoding.DecodeString(out.EapPayload)
		Expect(fail).To(HaveLen(4))
		Expect(fail[0]).To(Equal(eapaka.CodeFailure))
		Expect(b.count(trace.Event{Kind: trace.KindKey, Name: ausf.KeyKSEAF})).To(BeZero())
	})

	// Reference: TS 33.501 §6.1.3.3.2 with EAP-AKA' (AKA'-Synchronization-Failure, RFC 4187 §9.6)
	It("re-synchronises inside an EAP-AKA' exchange", func() {
		ue := b.subscribers(1, subscriber.GenOptions{AuthMethod: subscriber.AuthMethodEAPAKAPrime})[0]
		ue.aheadBy(777)
		rsp, err := b.authenticate(ctx, ue.sub.SUPI, nil)
		Expect(err).NotTo(HaveOccurred())
		id, _ := ctxIDFromHref(rsp.UeAuthenticationCtx.Links[ausf.LinkEapSession][0].Href, "/eap-session")
		reqRaw, _ := base64.StdEncoding.DecodeString(rsp.UeAuthenticationCtx.Var5gAuthData.(string))
		sync, _ := eapPeer(ue, reqRaw, false)
		out := eapSession(b, id, sync)
		Expect(out.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_ONGOING))
		req2, _ := base64.StdEncoding.DecodeString(out.EapPayload)
		resp2, _ := eapPeer(ue, req2, false)
		out = eapSession(b, id, resp2)
		Expect(out.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_SUCCESS))
	})

	// Reference: TS 33.535 §6.1 (K_AKMA, A-KID after primary authentication), §6.2 and A.4 (K_AF), TS 29.535 §5.2.2
	It("registers the AKMA anchor key and gives the AF the K_AF the UE derives", func() {
		ue := b.subscribers(1, subscriber.GenOptions{AKMA: true})[0]
		r, cd, _, err := b.fullAKA(ctx, ue, ue.concealed(b, ident.SchemeProfileA))
		Expect(err).NotTo(HaveOccurred())
		Expect(cd.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_SUCCESS))
		Expect(b.aanf.Contexts()).To(Equal(1))
		Expect(b.count(trace.Event{Kind: trace.KindKey, Actor: "ausf", Name: ausf.KeyKAKMA, SUPI: ue.sub.SUPI})).To(Equal(1))

		// the UE side (TS 33.535 §6.1 step 2)
		kakma, err := aka.KAKMA(r.kausf, ue.sub.SUPI)
		Expect(err).NotTo(HaveOccurred())
		atid, err := aka.ATID(r.kausf, ue.sub.SUPI)
		Expect(err).NotTo(HaveOccurred())
		plmn, _ := ident.ParsePLMN(plmnID)
		akid, err := aka.AKID("0", atid, ausf.HomeNetworkRealm(plmn))
		Expect(err).NotTo(HaveOccurred())
		Expect(akid).To(HaveSuffix("@5gc.mnc001.mcc001.3gppnetwork.org"))
		afID, err := aka.AFID(afFQDN, aanfDefaultUa())
		Expect(err).NotTo(HaveOccurred())
		want, err := aka.KAF(kakma, afID)
		Expect(err).NotTo(HaveOccurred())

		kaf, status := afGetKey(b, akid)
		Expect(status).To(Equal(http.StatusOK))
		Expect(kaf.Kaf).To(Equal(hex.EncodeToString(want[:])))
		Expect(kaf.Supi).To(Equal(ue.sub.SUPI))
		Expect(kaf.Expiry).To(BeTemporally(">", b.clk.Now()))
		// the AAnF never traces key values
		for _, e := range b.rec.Events() {
			Expect(e.Detail).NotTo(ContainSubstring(hex.EncodeToString(want[:])))
			Expect(e.Detail).NotTo(ContainSubstring(hex.EncodeToString(kakma[:])))
		}

		// an unknown A-KID
		atid[0] ^= 1
		other, _ := aka.AKID("0", atid, ausf.HomeNetworkRealm(plmn))
		_, status = afGetKey(b, other)
		Expect(status).To(Equal(http.StatusNotFound))
	})

	// Reference: TS 33.535 §6.1 (AKMA only when the subscription allows it)
	It("does not register AKMA keys for a subscriber without AKMA", func() {
		ue := b.subscribers(1, subscriber.GenOptions{})[0]
		_, cd, _, err := b.fullAKA(ctx, ue, ue.sub.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(cd.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_SUCCESS))
		Expect(b.aanf.Contexts()).To(BeZero())
	})

	// Reference: TS 33.501 §6.1.3.2 (the context waits for the confirmation; expiry on the injected clock)
	It("expires unconfirmed contexts on the clock, without a timer per context", func() {
		ue := b.subscribers(1, subscriber.GenOptions{})[0]
		rsp, err := b.authenticate(ctx, ue.sub.SUPI, nil)
		Expect(err).NotTo(HaveOccurred())
		av, id, _ := av5g(rsp)
		r, _, err := ue.answer(av.Rand, av.Autn)
		Expect(err).NotTo(HaveOccurred())
		Expect(b.clk.Pending()).To(BeZero())
		b.clk.Advance(ausf.DefaultContextTTL)
		status, pd := b.confirmRaw(id, r.resStar[:])
		Expect(status).To(Equal(http.StatusNotFound))
		Expect(pd.Cause).To(Equal(sbi.CauseContextNotFound))
	})

	// Reference: TS 29.505 (persistent subscription data), TS 33.102 C.3.2 (SQN_HE survives)
	It("loses nothing when the UDR restarts between two authentications", func() {
		b.opts.boltPath = tempBolt()
		Expect(b.restartUDR()).To(Succeed())
		ue := b.subscribers(1, subscriber.GenOptions{})[0]
		r1, cd, _, err := b.fullAKA(ctx, ue, ue.concealed(b, ident.SchemeProfileA))
		Expect(err).NotTo(HaveOccurred())
		Expect(cd.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_SUCCESS))

		Expect(b.restartUDR()).To(Succeed())
		r2, cd, _, err := b.fullAKA(ctx, ue, ue.concealed(b, ident.SchemeProfileA))
		Expect(err).NotTo(HaveOccurred())
		Expect(cd.AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_SUCCESS))
		Expect(r2.SQN).To(Equal(aka.NextSQN(r1.SQN)))
		st, pd := b.udr.QueryAuthenticationStatus(ctx, ue.sub.SUPI)
		Expect(pd).To(BeNil())
		Expect(st.Success).To(BeTrue())
	})

	// Reference: TS 29.509 §5.2.2.2 (authCtxId), TS 33.102 C.1.1 (one SQN per vector)
	It("runs 1,000 concurrent authentications with distinct contexts", func() {
		const n = 1000
		ues := b.subscribers(n-10, subscriber.GenOptions{})
		for range 10 { // ten parallel authentications of one subscriber
			ues = append(ues, ues[0])
		}
		sucis := make([]string, n)
		for i, ue := range ues {
			sucis[i] = ue.concealed(b, ident.SchemeProfileA)
		}
		ids := make([]string, n)
		errs := make([]error, n)
		results := make([]*models.ConfirmationDataResponse, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i], ids[i], errs[i] = b.fullAKA(ctx, ues[i], sucis[i])
			}()
		}
		wg.Wait()
		seen := map[string]bool{}
		for i := range n {
			Expect(errs[i]).NotTo(HaveOccurred(), "authentication %d", i)
			Expect(results[i].AuthResult).To(Equal(models.AusfUeAuthenticationAuthResult_SUCCESS))
			Expect(seen[ids[i]]).To(BeFalse(), "authCtxId %s reused", ids[i])
			seen[ids[i]] = true
		}
		Expect(b.ausf.PendingContexts()).To(BeZero())
	})
})

func mustSQN(s string) aka.SQN {
	GinkgoHelper()
	v, err := aka.ParseSQN(s)
	Expect(err).NotTo(HaveOccurred())
	return v
}

// eapPeer is the UE's EAP-AKA' peer: it answers an
// EAP-Request/AKA'-Challenge with the challenge response (wrongRES spoils
// AT_RES) or, when its SQN is ahead, with a Synchronization-Failure.
func eapPeer(ue *testUE, reqRaw []byte, wrongRES bool) ([]byte, eapaka.Keys) {
	GinkgoHelper()
	p, err := eapaka.Decode(reqRaw)
	Expect(err).NotTo(HaveOccurred())
	Expect(p.Code).To(Equal(eapaka.CodeRequest))
	Expect(p.Subtype).To(Equal(eapaka.SubtypeChallenge))
	// Reference: RFC 9048 §3.1 (AT_KDF_INPUT = the serving network name), §3.2 (AT_KDF = 1)
	name, err := p.KDFInput()
	Expect(err).NotTo(HaveOccurred())
	Expect(name).To(Equal(snn))
	Expect(p.KDFs()).To(Equal([]uint16{eapaka.KDFAKAPrime}))
	rand, err := p.RAND()
	Expect(err).NotTo(HaveOccurred())
	autn, err := p.AUTN()
	Expect(err).NotTo(HaveOccurred())
	r, auts, err := ue.answer(hex.EncodeToString(rand[:]), hex.EncodeToString(autn[:]))
	if err == errSynch {
		out, err := eapaka.BuildSyncFailure(p.Identifier, auts)
		Expect(err).NotTo(HaveOccurred())
		return out, eapaka.Keys{}
	}
	Expect(err).NotTo(HaveOccurred())
	var sqnAK [6]byte
	copy(sqnAK[:], autn[:6])
	ckp, ikp, err := eapaka.CKIKPrime(r.CK, r.IK, name, sqnAK)
	Expect(err).NotTo(HaveOccurred())
	identity, err := eapaka.Identity(ue.sub.SUPI)
	Expect(err).NotTo(HaveOccurred())
	keys := eapaka.DeriveKeys(ckp, ikp, identity)
	Expect(eapaka.VerifyMAC(reqRaw, keys.KAut[:])).To(Succeed(), "the peer checks the server's AT_MAC")
	res := append([]byte(nil), r.RES[:]...)
	if wrongRES {
		res[0] ^= 0xff
	}
	out, err := eapaka.BuildChallengeResponse(p.Identifier, res, keys.KAut[:])
	Expect(err).NotTo(HaveOccurred())
	return out, keys
}

func eapSession(b *bed, id string, payload []byte) models.EapSession {
	GinkgoHelper()
	rsp, err := b.amf.DefaultApi.EapAuthMethod(context.Background(), &AUSFUEAU.EapAuthMethodRequest{
		AuthCtxId: &id, EapSession: &models.EapSession{EapPayload: base64.StdEncoding.EncodeToString(payload)}})
	Expect(err).NotTo(HaveOccurred())
	return rsp.EapSession
}

func aanfDefaultUa() [5]byte { return [5]byte{0x01, 0x00, 0x00, 0x00, 0x07} }

// afGetKey is the AF (e.g. the CPF) asking the AAnF for K_AF.
func afGetKey(b *bed, akid string) (struct {
	Kaf    string    `json:"kaf"`
	Expiry time.Time `json:"expiry"`
	Supi   string    `json:"supi"`
}, int) {
	GinkgoHelper()
	var out struct {
		Kaf    string    `json:"kaf"`
		Expiry time.Time `json:"expiry"`
		Supi   string    `json:"supi"`
	}
	body := `{"afId":"` + afFQDN + `","aKId":"` + akid + `"}`
	req, err := http.NewRequest(http.MethodPost, b.aanf.APIRoot()+"/naanf-akma/v1/retrieve-applicationkey", strings.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	rsp, err := b.amfHC.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer rsp.Body.Close()
	Expect(rsp.Header.Get("Content-Type")).To(HavePrefix("application/"))
	if rsp.StatusCode == http.StatusOK {
		Expect(decodeJSON(rsp.Body, &out)).To(Succeed())
	}
	return out, rsp.StatusCode
}
