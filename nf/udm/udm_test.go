package udm_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/udm/SubscriberDataManagement"
	UDMUEAU "github.com/free5gc/openapi/udm/UEAuthentication"
	"github.com/free5gc/openapi/udm/UEContextManagement"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/udm"
)

func unhex(s string) []byte {
	GinkgoHelper()
	b, err := hex.DecodeString(s)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// ueCheck verifies a 5G HE AV as the UE would and returns its SQN.
func ueCheck(sub subscriber.Subscription, av *models.AuthenticationVector) aka.SQN {
	GinkgoHelper()
	k, _ := sub.KBytes()
	opc, _ := sub.OPcBytes()
	rnd, autn := unhex(av.Rand), unhex(av.Autn)
	r, err := aka.CheckAUTN(k, opc, rnd, autn)
	Expect(err).NotTo(HaveOccurred())
	var rand [16]byte
	copy(rand[:], rnd)
	resStar, err := aka.RESStar(r.CK, r.IK, snn, rand, r.RES[:])
	Expect(err).NotTo(HaveOccurred())
	Expect(av.XresStar).To(Equal(hex.EncodeToString(resStar[:])))
	var sqnAK [6]byte
	copy(sqnAK[:], autn)
	kausf, err := aka.KAUSF(r.CK, r.IK, snn, sqnAK)
	Expect(err).NotTo(HaveOccurred())
	Expect(av.Kausf).To(Equal(hex.EncodeToString(kausf[:])))
	return r.SQN
}

var _ = Describe("UDM over transport mem", func() {
	var (
		b   *bed
		ctx context.Context
	)
	BeforeEach(func() {
		ctx = context.Background()
		var err error
		b, err = newBed("mem")
		Expect(err).NotTo(HaveOccurred())
	})

	Describe("Nudm_UEAuthentication", func() {
		// Reference: TS 29.503 §5.4.2.2, TS 33.501 §6.1.3.2 step 2 and §6.12.5 (SIDF), Annex C
		DescribeTable("generates a 5G HE AV after de-concealing the SUCI",
			func(scheme ident.ProtectionScheme) {
				sub := b.provision(1, subscriber.GenOptions{})[0]
				res, err := b.generate(b.conceal(sub.SUPI, scheme), nil)
				Expect(err).NotTo(HaveOccurred())
				Expect(res.Supi).To(Equal(sub.SUPI))
				Expect(res.AuthType).To(Equal(models.UdmUeauAuthType__5_G_AKA))
				Expect(res.AuthenticationVector.AvType).To(Equal(models.AvType__5_G_HE_AKA))
				Expect(res.RoutingId).To(Equal("0"))
				sqn := ueCheck(sub, res.AuthenticationVector)
				// Reference: TS 33.102 C.3.2 and libraries.md §5.1 step 6: the SQN is written back before the answer
				Expect(sqn).To(Equal(aka.NextSQN(0)))
				Expect(b.sqn(sub.SUPI)).To(Equal(sqn.String()))
				Expect(b.count(trace.Event{Kind: trace.KindKey, Name: udm.KeyKAUSF, SUPI: sub.SUPI})).To(Equal(1))
				Expect(b.count(trace.Event{Kind: trace.KindResponse, Name: udm.OpUEAUGet, SUPI: sub.SUPI, Status: 200})).To(Equal(1))
			},
			Entry("null scheme", ident.SchemeNull),
			Entry("Profile A", ident.SchemeProfileA),
			Entry("Profile B", ident.SchemeProfileB),
		)

		// Reference: TS 33.501 §6.1.3.1 step 2, TS 33.402 A.2 (CK', IK'), TS 29.503 AvEapAkaPrime data type
		It("generates an EAP-AKA' AV for an EAP_AKA_PRIME subscription", func() {
			sub := b.provision(1, subscriber.GenOptions{AuthMethod: subscriber.AuthMethodEAPAKAPrime})[0]
			res, err := b.generate(sub.SUPI, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(res.AuthType).To(Equal(models.UdmUeauAuthType_EAP_AKA_PRIME))
			av := res.AuthenticationVector
			Expect(av.AvType).To(Equal(models.AvType_EAP_AKA_PRIME))
			Expect(av.Kausf).To(BeEmpty())
			Expect(av.XresStar).To(BeEmpty())
			k, _ := sub.KBytes()
			opc, _ := sub.OPcBytes()
			r, err := aka.CheckAUTN(k, opc, unhex(av.Rand), unhex(av.Autn))
			Expect(err).NotTo(HaveOccurred())
			Expect(av.Xres).To(Equal(hex.EncodeToString(r.RES[:])))
			key := append(append([]byte{}, r.CK[:]...), r.IK[:]...)
			out, err := aka.KDF(key, 0x20, []byte(snn), unhex(av.Autn)[:6])
			Expect(err).NotTo(HaveOccurred())
			Expect(av.CkPrime + av.IkPrime).To(Equal(hex.EncodeToString(out[:])))
			Expect(b.count(trace.Event{Kind: trace.KindKey, Name: udm.KeyCKPrime})).To(Equal(1))
		})

		// Reference: TS 33.535 §6.1 (akmaInd follows the subscription's AKMA permission)
		It("passes the subscription's AKMA permission on as akmaInd", func() {
			sub := b.provision(1, subscriber.GenOptions{AKMA: true})[0]
			res, err := b.generate(sub.SUPI, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(res.AkmaInd).To(BeTrue())
		})

		// Reference: TS 29.503 §6.3.7.3 (UNSUPPORTED_PROTECTION_SCHEME 501, AUTHENTICATION_REJECTED 403), TS 33.501 §6.12.5
		DescribeTable("refuses SUCIs it cannot de-conceal",
			func(mangle func(string) string, status int, cause string) {
				sub := b.provision(1, subscriber.GenOptions{})[0]
				_, err := b.generate(mangle(b.conceal(sub.SUPI, ident.SchemeProfileA)), nil)
				st, pd := problemOf(err)
				Expect(st).To(Equal(status))
				Expect(pd.Status).To(BeEquivalentTo(status))
				Expect(pd.Cause).To(Equal(cause))
				Expect(b.sqn(sub.SUPI)).To(Equal("000000000000"))
				Expect(b.count(trace.Event{Kind: trace.KindReject, Actor: "udm", Cause: cause})).To(Equal(1))
			},
			Entry("a reserved protection scheme", func(s string) string { return strings.Replace(s, "-1-1-", "-5-1-", 1) }, http.StatusNotImplemented, sbi.CauseUnsupportedScheme),
			Entry("an unknown home network key id", func(s string) string { return strings.Replace(s, "-1-1-", "-1-7-", 1) }, http.StatusForbidden, sbi.CauseAuthRejected),
			Entry("a tampered MAC tag", func(s string) string { return s[:len(s)-1] + flip(s[len(s)-1]) }, http.StatusForbidden, sbi.CauseAuthRejected),
			Entry("a truncated scheme output", func(s string) string { return s[:len(s)-20] }, http.StatusForbidden, sbi.CauseAuthRejected),
			Entry("an unparsable SUCI", func(string) string { return "suci-0-001-01-0-1-1-zz" }, http.StatusForbidden, sbi.CauseAuthRejected),
			Entry("neither SUPI nor SUCI", func(string) string { return "msisdn-123" }, http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect),
		)

		// Reference: TS 29.503 §6.3.7.3, TS 29.505 (USER_NOT_FOUND relayed from the UDR)
		It("answers an unknown SUPI with 404 USER_NOT_FOUND and no vector", func() {
			_, err := b.generate("imsi-001019999999999", nil)
			st, pd := problemOf(err)
			Expect(st).To(Equal(http.StatusNotFound))
			Expect(pd.Cause).To(Equal(sbi.CauseUserNotFound))
			Expect(b.count(trace.Event{Kind: trace.KindKey})).To(BeZero())
			Expect(b.count(trace.Event{Kind: trace.KindNote, Name: udm.StateSQN})).To(BeZero())
		})

		// Reference: TS 33.102 §6.3.5 (resynchronisation), C.3.4
		It("re-synchronises from a good AUTS and refuses a forged one", func() {
			sub := b.provision(1, subscriber.GenOptions{})[0]
			res, err := b.generate(sub.SUPI, nil)
			Expect(err).NotTo(HaveOccurred())
			k, _ := sub.KBytes()
			opc, _ := sub.OPcBytes()
			sqnMS := aka.NewSQN(90000, 17)
			auts, err := aka.BuildAUTS(k, opc, unhex(res.AuthenticationVector.Rand), sqnMS)
			Expect(err).NotTo(HaveOccurred())
			before := b.sqn(sub.SUPI)

			forged := auts
			forged[13] ^= 1
			_, err = b.generate(sub.SUPI, &models.ResynchronizationInfo{Rand: res.AuthenticationVector.Rand, Auts: hex.EncodeToString(forged[:])})
			st, pd := problemOf(err)
			Expect(st).To(Equal(http.StatusForbidden))
			Expect(pd.Cause).To(Equal(sbi.CauseAuthRejected))
			Expect(b.sqn(sub.SUPI)).To(Equal(before))

			res, err = b.generate(sub.SUPI, &models.ResynchronizationInfo{Rand: res.AuthenticationVector.Rand, Auts: hex.EncodeToString(auts[:])})
			Expect(err).NotTo(HaveOccurred())
			Expect(ueCheck(sub, res.AuthenticationVector)).To(Equal(aka.ResyncSQN(sqnMS)))
			Expect(b.sqn(sub.SUPI)).To(Equal(aka.ResyncSQN(sqnMS).String()))
		})

		// Reference: TS 33.102 C.1.1 (each vector has its own SQN)
		It("never gives two concurrent vectors of one UE the same SQN", func() {
			sub := b.provision(1, subscriber.GenOptions{})[0]
			const n = 40
			sqns := make([]aka.SQN, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer GinkgoRecover()
					res, err := b.generate(sub.SUPI, nil)
					Expect(err).NotTo(HaveOccurred())
					sqns[i] = ueCheck(sub, res.AuthenticationVector)
				}()
			}
			wg.Wait()
			seen := map[aka.SQN]bool{}
			for _, s := range sqns {
				Expect(seen[s]).To(BeFalse())
				seen[s] = true
			}
		})

		// Reference: TS 29.503 §5.4.2.3 (ResultConfirmation: 201, stored as authentication-status)
		It("stores auth events at the UDR", func() {
			sub := b.provision(1, subscriber.GenOptions{})[0]
			now := b.clk.Now()
			rsp, err := b.ueau.ConfirmAuthApi.ConfirmAuth(ctx, &UDMUEAU.ConfirmAuthRequest{Supi: &sub.SUPI, AuthEvent: &models.AuthEvent{
				NfInstanceId: "ausf-1", Success: true, TimeStamp: &now, AuthType: models.UdmUeauAuthType__5_G_AKA, ServingNetworkName: snn}})
			Expect(err).NotTo(HaveOccurred())
			Expect(rsp.Location).To(HavePrefix(b.udm.APIRoot() + udm.PathUEAU + "/" + sub.SUPI + "/auth-events/"))
			st, pd := b.udr.QueryAuthenticationStatus(ctx, sub.SUPI)
			Expect(pd).To(BeNil())
			Expect(st.NfInstanceId).To(Equal("ausf-1"))

			_, err = b.ueau.ConfirmAuthApi.ConfirmAuth(ctx, &UDMUEAU.ConfirmAuthRequest{Supi: ptr("imsi-001019999999999"), AuthEvent: &models.AuthEvent{
				NfInstanceId: "ausf-1", TimeStamp: &now, AuthType: models.UdmUeauAuthType__5_G_AKA, ServingNetworkName: snn}})
			st2, pd2 := problemOf(err)
			Expect(st2).To(Equal(http.StatusNotFound))
			Expect(pd2.Cause).To(Equal(sbi.CauseUserNotFound))
		})
	})

	Describe("Nudm_UEContextManagement", func() {
		// Reference: TS 29.503 §5.3.2.2.2 (Registration: 201 + Location, then 200), §5.3.2.5.2 (Get), §5.3.2.4.2 (Update, purgeFlag)
		It("registers, returns and purges the AMF registration", func() {
			sub := b.provision(1, subscriber.GenOptions{})[0]
			reg := registration(b.amfRoot, sub.SUPI)
			rsp, err := b.register(sub.SUPI, reg)
			Expect(err).NotTo(HaveOccurred())
			Expect(rsp.Location).To(Equal(b.udm.APIRoot() + udm.PathUECM + "/" + sub.SUPI + "/registrations/amf-3gpp-access"))
			Expect(rsp.Amf3GppAccessRegistration.DeregCallbackUri).To(Equal(reg.DeregCallbackUri))
			reg.InitialRegistrationInd = false
			rsp, err = b.register(sub.SUPI, reg)
			Expect(err).NotTo(HaveOccurred())
			Expect(rsp.Location).To(BeEmpty())

			got, err := b.uecm.AMF3GppAccessRegistrationInfoRetrievalApi.Get3GppRegistration(ctx, &UEContextManagement.Get3GppRegistrationRequest{UeId: &sub.SUPI})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Amf3GppAccessRegistration.AmfInstanceId).To(Equal(reg.AmfInstanceId))

			wrong := &models.Guami{PlmnId: &models.PlmnIdNid{Mcc: "001", Mnc: "01"}, AmfId: "beef00"}
			_, err = b.uecm.ParameterUpdateInTheAMFRegistrationFor3GPPAccessApi.Update3GppRegistration(ctx, &UEContextManagement.Update3GppRegistrationRequest{
				UeId: &sub.SUPI, Amf3GppAccessRegistrationModification: &models.Amf3GppAccessRegistrationModification{Guami: wrong, PurgeFlag: true}})
			st, pd := problemOf(err)
			Expect(st).To(Equal(http.StatusForbidden))
			Expect(pd.Cause).To(Equal(udm.CauseInvalidGUAMI))

			_, err = b.uecm.ParameterUpdateInTheAMFRegistrationFor3GPPAccessApi.Update3GppRegistration(ctx, &UEContextManagement.Update3GppRegistrationRequest{
				UeId: &sub.SUPI, Amf3GppAccessRegistrationModification: &models.Amf3GppAccessRegistrationModification{Guami: reg.Guami, PurgeFlag: true}})
			Expect(err).NotTo(HaveOccurred())
			got, err = b.uecm.AMF3GppAccessRegistrationInfoRetrievalApi.Get3GppRegistration(ctx, &UEContextManagement.Get3GppRegistrationRequest{UeId: &sub.SUPI})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Amf3GppAccessRegistration.PurgeFlag).To(BeTrue())
			Expect(b.count(trace.Event{Kind: trace.KindState, Name: udm.StateAMFPurged, SUPI: sub.SUPI})).To(Equal(1))

			// TS 29.503 defines no DELETE on amf-3gpp-access
			status, ctype, pd2 := b.raw(http.MethodDelete, b.udm.APIRoot()+udm.PathUECM+"/"+sub.SUPI+"/registrations/amf-3gpp-access", "", nil)
			Expect(status).To(Equal(http.StatusMethodNotAllowed))
			Expect(ctype).To(Equal(sbi.ContentProblem))
			Expect(pd2.Cause).To(Equal(udm.CauseMethodNotAllowed))
		})

		// Reference: TS 29.503 §5.3.2.5.2 (404 CONTEXT_NOT_FOUND / USER_NOT_FOUND)
		It("answers 404 for a missing registration or an unknown UE", func() {
			sub := b.provision(1, subscriber.GenOptions{})[0]
			_, err := b.uecm.AMF3GppAccessRegistrationInfoRetrievalApi.Get3GppRegistration(ctx, &UEContextManagement.Get3GppRegistrationRequest{UeId: &sub.SUPI})
			st, pd := problemOf(err)
			Expect(st).To(Equal(http.StatusNotFound))
			Expect(pd.Cause).To(Equal(sbi.CauseContextNotFound))
			_, err = b.register("imsi-001019999999999", registration(b.amfRoot, "imsi-001019999999999"))
			st, pd = problemOf(err)
			Expect(st).To(Equal(http.StatusNotFound))
			Expect(pd.Cause).To(Equal(sbi.CauseUserNotFound))
		})

		// Reference: TS 29.503 §5.3.2.3.2 (DeregistrationNotification, SUBSCRIPTION_WITHDRAWN), TS 29.504 §5.2.2.7 / TS 29.505 subs-to-notify, TS 23.502 §4.2.2.3.3
		It("notifies the serving AMF when the UDR deletes the subscription", func() {
			subs := b.provision(2, subscriber.GenOptions{})
			for _, s := range subs {
				_, err := b.register(s.SUPI, registration(b.amfRoot, s.SUPI))
				Expect(err).NotTo(HaveOccurred())
			}
			Expect(b.count(trace.Event{Kind: trace.KindResponse, Actor: "udm", Name: udm.OpSubscribeDataChange, Status: 201})).To(Equal(1), "one subscription for every UE")

			// the CPF deprovisions through the UDR
			status, _, _ := b.raw(http.MethodDelete, b.udrRoot+"/nudr-dr/v2/subscription-data/"+subs[0].SUPI, "", nil)
			Expect(status).To(Equal(http.StatusNoContent))
			n := b.notifications()
			Expect(n).To(HaveLen(1))
			Expect(n[0].path).To(Equal("/namf-callback/v1/" + subs[0].SUPI + "/dereg-notify"))
			Expect(n[0].data.DeregReason).To(Equal(models.UdmUecmDeregistrationReason_SUBSCRIPTION_WITHDRAWN))
			Expect(n[0].data.AccessType).To(Equal(models.AccessType__3_GPP_ACCESS))
			Expect(b.count(trace.Event{Kind: trace.KindResponse, Actor: "udm", Name: udm.OpUECMDeregNotification, SUPI: subs[0].SUPI, Status: 204})).To(Equal(1))

			// a purged registration is not notified
			_, err := b.uecm.ParameterUpdateInTheAMFRegistrationFor3GPPAccessApi.Update3GppRegistration(ctx, &UEContextManagement.Update3GppRegistrationRequest{
				UeId: &subs[1].SUPI, Amf3GppAccessRegistrationModification: &models.Amf3GppAccessRegistrationModification{Guami: registration("", "").Guami, PurgeFlag: true}})
			Expect(err).NotTo(HaveOccurred())
			Expect(b.udr.Remove(ctx, subs[1].SUPI)).To(Succeed())
			Expect(b.notifications()).To(HaveLen(1))
		})

		// Reference: TS 33.501 §5.9 (no forged deregistration): the UDM acts only on a withdrawal the UDR confirms
		It("ignores a forged data-change notification", func() {
			sub := b.provision(1, subscriber.GenOptions{})[0]
			_, err := b.register(sub.SUPI, registration(b.amfRoot, sub.SUPI))
			Expect(err).NotTo(HaveOccurred())
			subsList, pd := b.udr.DataChangeSubscriptions(ctx, sub.SUPI)
			Expect(pd).To(BeNil())
			Expect(subsList).To(HaveLen(1))
			forged := models.DataChangeNotify{UeId: sub.SUPI, NotifyItems: []models.NotifyItem{
				{ResourceId: b.udrRoot + "/nudr-dr/v2/subscription-data/" + sub.SUPI, Changes: []models.ChangeItem{{Op: models.ChangeType_REMOVE}}},
				{ResourceId: b.udrRoot + "/nudr-dr/v2/subscription-data/" + sub.SUPI + "/context-data/amf-3gpp-access",
					Changes: []models.ChangeItem{{Op: models.ChangeType_REMOVE, OrigValue: map[string]any{"amfInstanceId": "x", "deregCallbackUri": b.amfRoot + "/evil"}}}},
			}}
			body, _ := json.Marshal(forged)
			status, _, _ := b.raw(http.MethodPost, subsList[0].CallbackReference, "application/json", body)
			Expect(status).To(Equal(http.StatusNoContent))
			Expect(b.notifications()).To(BeEmpty())
			Expect(b.count(trace.Event{Kind: trace.KindDrop, Actor: "udm", Name: udm.OpDataChangeNotify})).To(Equal(1))

			status, _, pd2 := b.raw(http.MethodPost, b.udm.APIRoot()+udm.PathDataChange+"/not-the-token", "application/json", body)
			Expect(status).To(Equal(http.StatusNotFound))
			Expect(pd2.Status).To(BeEquivalentTo(http.StatusNotFound))
		})

		// Reference: TS 23.502 §4.2.2.2.2 step 14 (the old AMF is deregistered with UE_INITIAL_REGISTRATION)
		It("deregisters the old AMF when the UE registers at a new one", func() {
			sub := b.provision(1, subscriber.GenOptions{})[0]
			_, err := b.register(sub.SUPI, registration(b.amfRoot, sub.SUPI))
			Expect(err).NotTo(HaveOccurred())
			reg := registration(b.amfRoot, sub.SUPI)
			reg.AmfInstanceId = "amf-0000-4000-8000-000000000002"
			reg.DeregCallbackUri = b.amfRoot + "/namf-callback/v1/new"
			_, err = b.register(sub.SUPI, reg)
			Expect(err).NotTo(HaveOccurred())
			n := b.notifications()
			Expect(n).To(HaveLen(1))
			Expect(n[0].path).To(Equal("/namf-callback/v1/" + sub.SUPI + "/dereg-notify"))
			Expect(n[0].data.DeregReason).To(Equal(models.UdmUecmDeregistrationReason_UE_INITIAL_REGISTRATION))
		})
	})

	Describe("Nudm_SubscriberDataManagement", func() {
		// Reference: TS 29.503 §5.2.2.2.3, §5.2.2.2.5, §5.2.2.2.6 (Get am-data, smf-select-data, sm-data)
		It("returns the subscriber's data sets from the UDR", func() {
			sub := b.provision(1, subscriber.GenOptions{DNNs: []string{"internet", "ims"}})[0]
			am, err := b.sdm.AccessAndMobilitySubscriptionDataRetrievalApi.GetAmData(ctx, &SubscriberDataManagement.GetAmDataRequest{Supi: &sub.SUPI})
			Expect(err).NotTo(HaveOccurred())
			Expect(am.AccessAndMobilitySubscriptionData.Nssai).NotTo(BeNil())
			sel, err := b.sdm.SMFSelectionSubscriptionDataRetrievalApi.GetSmfSelData(ctx, &SubscriberDataManagement.GetSmfSelDataRequest{Supi: &sub.SUPI,
				PlmnId: &models.PlmnId{Mcc: "001", Mnc: "01"}})
			Expect(err).NotTo(HaveOccurred())
			Expect(sel.SmfSelectionSubscriptionData.SubscribedSnssaiInfos).NotTo(BeEmpty())
			sm, err := b.sdm.SessionManagementSubscriptionDataRetrievalApi.GetSmData(ctx, &SubscriberDataManagement.GetSmDataRequest{Supi: &sub.SUPI, Dnn: ptr("ims")})
			Expect(err).NotTo(HaveOccurred())
			Expect(sm.SmSubsData).To(HaveLen(1))
			Expect(sm.SmSubsData[0].DnnConfigurations).To(HaveKey("ims"))
			Expect(sm.SmSubsData[0].DnnConfigurations).NotTo(HaveKey("internet"))
		})

		// Reference: TS 29.503 §6.1.7.3 (USER_NOT_FOUND)
		It("answers 404 USER_NOT_FOUND for an unknown SUPI", func() {
			_, err := b.sdm.AccessAndMobilitySubscriptionDataRetrievalApi.GetAmData(ctx, &SubscriberDataManagement.GetAmDataRequest{Supi: ptr("imsi-001019999999999")})
			st, pd := problemOf(err)
			Expect(st).To(Equal(http.StatusNotFound))
			Expect(pd.Cause).To(Equal(sbi.CauseUserNotFound))
		})
	})

	// Reference: TS 29.500 §5.2.7 (ProblemDetails with status and cause on every error), §5.2.3.2 (JSON bodies)
	DescribeTable("answers bad requests with ProblemDetails",
		func(method, path, ctype, body string, status int) {
			path = strings.ReplaceAll(path, "SUPI", "imsi-001010000000001")
			st, ct, pd := b.raw(method, b.udm.APIRoot()+path, ctype, []byte(body))
			Expect(st).To(Equal(status))
			Expect(ct).To(Equal(sbi.ContentProblem))
			Expect(pd.Status).To(BeEquivalentTo(status))
			Expect(pd.Cause).NotTo(BeEmpty())
		},
		Entry("generate-auth-data, wrong content type", "POST", udm.PathUEAU+"/SUPI/security-information/generate-auth-data", "text/plain", `{}`, 415),
		Entry("generate-auth-data, not JSON", "POST", udm.PathUEAU+"/SUPI/security-information/generate-auth-data", "application/json", `{"servingNetworkName":`, 400),
		Entry("generate-auth-data, no serving network", "POST", udm.PathUEAU+"/SUPI/security-information/generate-auth-data", "application/json", `{}`, 400),
		Entry("generate-auth-data, bad SNN", "POST", udm.PathUEAU+"/SUPI/security-information/generate-auth-data", "application/json", `{"servingNetworkName":"WLAN"}`, 400),
		Entry("generate-auth-data, bad resync", "POST", udm.PathUEAU+"/SUPI/security-information/generate-auth-data", "application/json", `{"servingNetworkName":"`+snn+`","resynchronizationInfo":{"rand":"00","auts":"zz"}}`, 400),
		Entry("generate-auth-data, GET", "GET", udm.PathUEAU+"/SUPI/security-information/generate-auth-data", "", ``, 405),
		Entry("auth-events, wrong types", "POST", udm.PathUEAU+"/SUPI/auth-events", "application/json", `{"success":"yes"}`, 400),
		Entry("auth-events, missing members", "POST", udm.PathUEAU+"/SUPI/auth-events", "application/json", `{}`, 400),
		Entry("auth-events, bad SUPI", "POST", udm.PathUEAU+"/imsi-12/auth-events", "application/json", `{"nfInstanceId":"a","authType":"5G_AKA","servingNetworkName":"`+snn+`"}`, 400),
		Entry("registration, array body", "PUT", udm.PathUECM+"/SUPI/registrations/amf-3gpp-access", "application/json", `[]`, 400),
		Entry("registration, no callback", "PUT", udm.PathUECM+"/SUPI/registrations/amf-3gpp-access", "application/json", `{"amfInstanceId":"a"}`, 400),
		Entry("registration, relative callback", "PUT", udm.PathUECM+"/SUPI/registrations/amf-3gpp-access", "application/json", `{"amfInstanceId":"a","deregCallbackUri":"/x","guami":{"plmnId":{"mcc":"001","mnc":"01"},"amfId":"cafe00"},"ratType":"NR"}`, 400),
		Entry("registration update, no GUAMI", "PATCH", udm.PathUECM+"/SUPI/registrations/amf-3gpp-access", udm.ContentMergePatch, `{"purgeFlag":true}`, 400),
		Entry("registration, bad ueId", "GET", udm.PathUECM+"/gpsi-1/registrations/amf-3gpp-access", "", ``, 400),
		Entry("am-data, bad plmn-id", "GET", udm.PathSDM+"/SUPI/am-data?plmn-id=%7B", "", ``, 400),
		Entry("sm-data, bad single-nssai", "GET", udm.PathSDM+"/SUPI/sm-data?single-nssai=x", "", ``, 400),
		Entry("sm-data, bad SUPI", "GET", udm.PathSDM+"/imsi-x/sm-data", "", ``, 400),
		Entry("data change, not JSON", "POST", udm.PathDataChange+"/t", "application/json", `nope`, 400),
		Entry("unknown resource", "GET", "/nudm-xyz/v1/foo", "", ``, 404),
	)
})

func ptr[T any](v T) *T { return &v }

func flip(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}
