package udr_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi"
	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/udr/DataRepository"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/store"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/udr"
)

const supi = "imsi-001010000000001"

func ptr[T any](v T) *T { return &v }

// drClient is the Nudr_DataRepository client as free5gc's UDM builds it:
// no injected *http.Client, so openapi's own prior-knowledge h2c client.
func drClient(root string) *DataRepository.APIClient {
	cfg := DataRepository.NewConfiguration()
	cfg.SetBasePath(root)
	return DataRepository.NewAPIClient(cfg)
}

func testSubscriber(seed int64, n int) []subscriber.Subscription {
	GinkgoHelper()
	subs, err := subscriber.Generate(n, seed, subscriber.GenOptions{DNNs: []string{"internet", "ims"}})
	Expect(err).NotTo(HaveOccurred())
	return subs
}

func openAPIStatus(err error) (int, []byte) {
	GinkgoHelper()
	var oe openapi.GenericOpenAPIError
	Expect(errors.As(err, &oe)).To(BeTrue(), "an openapi error, got %v", err)
	return oe.ErrorStatus, oe.RawBody
}

func problemBody(raw []byte) models.ProblemDetails {
	GinkgoHelper()
	var pd models.ProblemDetails
	Expect(json.Unmarshal(raw, &pd)).To(Succeed(), "body %q", raw)
	return pd
}

var _ = Describe("UDR", func() {
	var (
		u    *udr.NF
		rec  *trace.Recorder
		clk  *clock.Fake
		root string
		dr   *DataRepository.APIClient
		hc   *http.Client
		ctx  context.Context
		sub  subscriber.Subscription
		path string
		logs *bytes.Buffer
	)

	open := func() {
		GinkgoHelper()
		var err error
		u, err = udr.New(udr.Config{Path: path, NoSync: true}, udr.Deps{Clock: clk, Trace: rec,
			Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		Expect(err).NotTo(HaveOccurred())
		root = serveH2C(u.Handler())
		dr = drClient(root)
	}

	BeforeEach(func() {
		clk = clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		rec = trace.NewRecorder(clk)
		logs = new(bytes.Buffer)
		path = filepath.Join(GinkgoT().TempDir(), "udr.db")
		ctx = context.Background()
		hc = h2cClient()
		By(fmt.Sprintf("subscribers from seed %d", GinkgoRandomSeed()))
		sub = testSubscriber(GinkgoRandomSeed(), 1)[0]
		open()
		DeferCleanup(func() { _ = u.Close() })
		Expect(u.Provision(ctx, sub)).To(Succeed())
	})

	do := func(method, p, ctype string, body []byte) *http.Response {
		GinkgoHelper()
		req, err := http.NewRequest(method, root+p, bytes.NewReader(body))
		Expect(err).NotTo(HaveOccurred())
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		rsp, err := hc.Do(req)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(rsp.Body.Close)
		return rsp
	}

	storedSQN := func() string {
		GinkgoHelper()
		d, err := u.Get(ctx, sub.SUPI)
		Expect(err).NotTo(HaveOccurred())
		return d.AuthenticationSubscription.SequenceNumber.Sqn
	}

	Describe("free5gc UDM contract (openapi v1.2.4 client, default h2c transport)", func() {
		// Reference: TS 29.505 §5 AuthenticationSubscription; TS 29.504 §5.2.2 Query
		It("returns the authentication subscription the UDM needs for 5G-AKA", func() {
			rsp, err := dr.AuthenticationDataDocumentApi.QueryAuthSubsData(ctx, &DataRepository.QueryAuthSubsDataRequest{UeId: ptr(sub.SUPI)})
			Expect(err).NotTo(HaveOccurred())
			a := rsp.AuthenticationSubscription
			Expect(a.AuthenticationMethod).To(Equal(models.AuthMethod__5_G_AKA))
			Expect(a.EncPermanentKey).To(Equal(sub.K))
			Expect(a.EncOpcKey).To(Equal(sub.OPc))
			Expect(a.EncPermanentKey).To(MatchRegexp(`^[0-9a-f]{32}$`))
			Expect(a.AuthenticationManagementField).To(Equal("8000"))
			Expect(a.SequenceNumber.Sqn).To(MatchRegexp(`^[0-9a-f]{12}$`))
			Expect(a.AlgorithmId).To(Equal("milenage"))
		})

		// Reference: TS 29.505 §5 AuthenticationSubscription PATCH (UDM stores SQN after generating a vector)
		It("accepts the UDM's JSON Patch of the SQN with 204", func() {
			_, err := dr.AuthenticationSubscriptionDocumentApi.ModifyAuthenticationSubscription(ctx,
				&DataRepository.ModifyAuthenticationSubscriptionRequest{
					UeId:      ptr(sub.SUPI),
					PatchItem: []models.PatchItem{{Op: models.PatchOperation_REPLACE, Path: "/sequenceNumber", Value: models.SequenceNumber{Sqn: "0000000000a1"}}},
				})
			Expect(err).NotTo(HaveOccurred())
			Expect(storedSQN()).To(Equal("0000000000a1"))
			_, err = dr.AuthenticationSubscriptionDocumentApi.ModifyAuthenticationSubscription(ctx,
				&DataRepository.ModifyAuthenticationSubscriptionRequest{
					UeId:      ptr(sub.SUPI),
					PatchItem: []models.PatchItem{{Op: models.PatchOperation_REPLACE, Path: "/sequenceNumber/sqn", Value: "B2"}},
				})
			Expect(err).NotTo(HaveOccurred())
			Expect(storedSQN()).To(Equal("0000000000b2"), "padded to 12 hex digits")

			rsp := do("PATCH", udr.PathRoot+"/subscription-data/"+sub.SUPI+"/authentication-data/authentication-subscription",
				sbi.ContentJSONPatch, []byte(`[{"op":"replace","path":"/sequenceNumber","value":{"sqn":"000000000fff"}}]`))
			Expect(rsp.StatusCode).To(Equal(http.StatusNoContent))
			Expect(storedSQN()).To(Equal("000000000fff"))
		})

		// Reference: TS 29.505 §5 AuthenticationStatus PUT (UDM auth-events -> 204)
		It("stores the authentication status with 204 and returns it", func() {
			ts := clk.Now()
			ev := models.AuthEvent{NfInstanceId: "ausf-1", Success: true, TimeStamp: &ts, AuthType: models.UdmUeauAuthType__5_G_AKA,
				ServingNetworkName: "5G:mnc001.mcc001.3gppnetwork.org"}
			_, err := dr.AuthenticationStatusDocumentApi.CreateAuthenticationStatus(ctx,
				&DataRepository.CreateAuthenticationStatusRequest{UeId: ptr(sub.SUPI), AuthEvent: &ev})
			Expect(err).NotTo(HaveOccurred())
			got, err := dr.AuthEventDocumentApi.QueryAuthenticationStatus(ctx, &DataRepository.QueryAuthenticationStatusRequest{UeId: ptr(sub.SUPI)})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.AuthEvent.NfInstanceId).To(Equal("ausf-1"))
			Expect(got.AuthEvent.Success).To(BeTrue())
			_, err = dr.AuthEventDocumentApi.DeleteAuthenticationStatus(ctx, &DataRepository.DeleteAuthenticationStatusRequest{UeId: ptr(sub.SUPI)})
			Expect(err).NotTo(HaveOccurred())
			_, err = dr.AuthEventDocumentApi.QueryAuthenticationStatus(ctx, &DataRepository.QueryAuthenticationStatusRequest{UeId: ptr(sub.SUPI)})
			status, raw := openAPIStatus(err)
			Expect(status).To(Equal(404))
			Expect(problemBody(raw).Cause).To(Equal(sbi.CauseDataNotFound))
		})

		// Reference: TS 29.504 §5.2.2 and TS 29.500 §5.2.7.2: 404 with ProblemDetails {status, cause}
		It("answers an unknown UE with 404 and a JSON ProblemDetails USER_NOT_FOUND", func() {
			_, err := dr.AuthenticationDataDocumentApi.QueryAuthSubsData(ctx, &DataRepository.QueryAuthSubsDataRequest{UeId: ptr("imsi-001019999999999")})
			status, raw := openAPIStatus(err)
			Expect(status).To(Equal(404))
			pd := problemBody(raw)
			Expect(pd.Status).To(BeEquivalentTo(404))
			Expect(pd.Cause).To(Equal(sbi.CauseUserNotFound))

			rsp := do("GET", udr.PathRoot+"/subscription-data/imsi-001019999999999/authentication-data/authentication-subscription", "", nil)
			Expect(rsp.StatusCode).To(Equal(404))
			Expect(rsp.Header.Get("Content-Type")).To(Equal(sbi.ContentProblem))
			ts := clk.Now()
			_, err = dr.AuthenticationStatusDocumentApi.CreateAuthenticationStatus(ctx, &DataRepository.CreateAuthenticationStatusRequest{
				UeId: ptr("imsi-001019999999999"), AuthEvent: &models.AuthEvent{TimeStamp: &ts}})
			status, _ = openAPIStatus(err)
			Expect(status).To(Equal(404))
		})

		// Reference: TS 29.505 §5 AccessAndMobilitySubscriptionData, SmfSelectionSubscriptionData, SessionManagementSubscriptionData
		It("serves am-data, smf-selection and sm-data per serving PLMN", func() {
			am, err := dr.AccessAndMobilitySubscriptionDataDocumentApi.QueryAmData(ctx, &DataRepository.QueryAmDataRequest{UeId: ptr(sub.SUPI), ServingPlmnId: ptr("00101")})
			Expect(err).NotTo(HaveOccurred())
			Expect(am.AccessAndMobilitySubscriptionData.Nssai.DefaultSingleNssais).To(ConsistOf(models.Snssai{Sst: 1}))
			sel, err := dr.SMFSelectionSubscriptionDataDocumentApi.QuerySmfSelectData(ctx, &DataRepository.QuerySmfSelectDataRequest{UeId: ptr(sub.SUPI), ServingPlmnId: ptr("00101")})
			Expect(err).NotTo(HaveOccurred())
			Expect(sel.SmfSelectionSubscriptionData.SubscribedSnssaiInfos["01"].DnnInfos).To(HaveLen(2))
			sm, err := dr.SessionManagementSubscriptionDataApi.QuerySmData(ctx, &DataRepository.QuerySmDataRequest{UeId: ptr(sub.SUPI), ServingPlmnId: ptr("00101")})
			Expect(err).NotTo(HaveOccurred())
			Expect(sm.SmSubsData.IndividualSmSubsData).To(HaveLen(1))
			Expect(sm.SmSubsData.IndividualSmSubsData[0].DnnConfigurations).To(HaveKey("ims"))
			sm, err = dr.SessionManagementSubscriptionDataApi.QuerySmData(ctx, &DataRepository.QuerySmDataRequest{
				UeId: ptr(sub.SUPI), ServingPlmnId: ptr("00101"), SingleNssai: &models.Snssai{Sst: 1}, Dnn: ptr("internet")})
			Expect(err).NotTo(HaveOccurred())
			Expect(sm.SmSubsData.IndividualSmSubsData[0].DnnConfigurations).To(HaveLen(1))
			sm, err = dr.SessionManagementSubscriptionDataApi.QuerySmData(ctx, &DataRepository.QuerySmDataRequest{
				UeId: ptr(sub.SUPI), ServingPlmnId: ptr("00101"), SingleNssai: &models.Snssai{Sst: 2}})
			Expect(err).NotTo(HaveOccurred())
			Expect(sm.SmSubsData.IndividualSmSubsData).To(BeEmpty())
			_, err = dr.AccessAndMobilitySubscriptionDataDocumentApi.QueryAmData(ctx, &DataRepository.QueryAmDataRequest{UeId: ptr(sub.SUPI), ServingPlmnId: ptr("x")})
			status, _ := openAPIStatus(err)
			Expect(status).To(Equal(400))
		})

		// Reference: TS 29.505 §5 Amf3GppAccessRegistration (UECM registration kept by the UDR)
		It("creates (201), replaces (204), patches (204) and returns the AMF 3GPP registration", func() {
			reg := models.Amf3GppAccessRegistration{AmfInstanceId: "amf-1", DeregCallbackUri: "http://127.0.0.18/dereg",
				Guami: &models.Guami{AmfId: "cafe00"}, RatType: models.RatType_NR}
			rsp, err := dr.AMF3GPPAccessRegistrationDocumentApi.CreateAmfContext3gpp(ctx,
				&DataRepository.CreateAmfContext3gppRequest{UeId: ptr(sub.SUPI), Amf3GppAccessRegistration: &reg})
			Expect(err).NotTo(HaveOccurred())
			Expect(rsp.Location).To(HaveSuffix("/subscription-data/" + sub.SUPI + "/context-data/amf-3gpp-access"))
			rsp, err = dr.AMF3GPPAccessRegistrationDocumentApi.CreateAmfContext3gpp(ctx,
				&DataRepository.CreateAmfContext3gppRequest{UeId: ptr(sub.SUPI), Amf3GppAccessRegistration: &reg})
			Expect(err).NotTo(HaveOccurred())
			Expect(rsp.Location).To(BeEmpty(), "204 on replacement")
			_, err = dr.AMF3GPPAccessRegistrationDocumentApi.AmfContext3gpp(ctx, &DataRepository.AmfContext3gppRequest{
				UeId: ptr(sub.SUPI), PatchItem: []models.PatchItem{{Op: "replace", Path: "/purgeFlag", Value: true}, {Op: "replace", Path: "/pei", Value: "imei-1"}}})
			Expect(err).NotTo(HaveOccurred())
			got, err := dr.AMF3GPPAccessRegistrationDocumentApi.QueryAmfContext3gpp(ctx, &DataRepository.QueryAmfContext3gppRequest{UeId: ptr(sub.SUPI)})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Amf3GppAccessRegistration.PurgeFlag).To(BeTrue())
			Expect(got.Amf3GppAccessRegistration.Pei).To(Equal("imei-1"))
			Expect(got.Amf3GppAccessRegistration.AmfInstanceId).To(Equal("amf-1"))

			_, err = dr.AMF3GPPAccessRegistrationDocumentApi.AmfContext3gpp(ctx, &DataRepository.AmfContext3gppRequest{
				UeId: ptr(sub.SUPI), PatchItem: []models.PatchItem{{Op: "remove", Path: "/amfInstanceId"}}})
			status, _ := openAPIStatus(err)
			Expect(status).To(Equal(400))
			got, _ = dr.AMF3GPPAccessRegistrationDocumentApi.QueryAmfContext3gpp(ctx, &DataRepository.QueryAmfContext3gppRequest{UeId: ptr(sub.SUPI)})
			Expect(got.Amf3GppAccessRegistration.AmfInstanceId).To(Equal("amf-1"))
		})
	})

	// Reference: TS 29.505 §5 AuthenticationSubscription: the UDR refuses modifications it does not allow (403)
	DescribeTable("refuses every other change of the authentication subscription with 403 or 400, changing nothing",
		func(ctype, body string, status int) {
			before, err := u.Get(ctx, sub.SUPI)
			Expect(err).NotTo(HaveOccurred())
			rsp := do("PATCH", udr.PathRoot+"/subscription-data/"+sub.SUPI+"/authentication-data/authentication-subscription", ctype, []byte(body))
			Expect(rsp.StatusCode).To(Equal(status))
			Expect(rsp.Header.Get("Content-Type")).To(Equal(sbi.ContentProblem))
			raw, _ := io.ReadAll(rsp.Body)
			pd := problemBody(raw)
			Expect(int(pd.Status)).To(Equal(status))
			Expect(pd.Cause).NotTo(BeEmpty())
			after, err := u.Get(ctx, sub.SUPI)
			Expect(err).NotTo(HaveOccurred())
			Expect(after).To(Equal(before))
		},
		Entry("replace of the key", sbi.ContentJSONPatch, `[{"op":"replace","path":"/encPermanentKey","value":"00000000000000000000000000000000"}]`, 403),
		Entry("replace of OPc", sbi.ContentJSONPatch, `[{"op":"replace","path":"/encOpcKey","value":"00000000000000000000000000000000"}]`, 403),
		Entry("remove of the SQN", sbi.ContentJSONPatch, `[{"op":"remove","path":"/sequenceNumber"}]`, 403),
		Entry("add", sbi.ContentJSONPatch, `[{"op":"add","path":"/sequenceNumber/sqn","value":"000000000001"}]`, 403),
		Entry("second item refused: none applied", sbi.ContentJSONPatch,
			`[{"op":"replace","path":"/sequenceNumber/sqn","value":"000000000001"},{"op":"replace","path":"/authenticationMethod","value":"EAP_AKA_PRIME"}]`, 403),
		Entry("SQN too long", sbi.ContentJSONPatch, `[{"op":"replace","path":"/sequenceNumber/sqn","value":"0000000000001"}]`, 403),
		Entry("SQN not hex", sbi.ContentJSONPatch, `[{"op":"replace","path":"/sequenceNumber","value":{"sqn":"xyz"}}]`, 403),
		Entry("SQN not a string", sbi.ContentJSONPatch, `[{"op":"replace","path":"/sequenceNumber/sqn","value":12}]`, 403),
		Entry("sequenceNumber not an object", sbi.ContentJSONPatch, `[{"op":"replace","path":"/sequenceNumber","value":"000000000001"}]`, 403),
		Entry("empty patch", sbi.ContentJSONPatch, `[]`, 400),
		Entry("not JSON", sbi.ContentJSONPatch, `[{`, 400),
		Entry("object instead of array", sbi.ContentJSONPatch, `{"op":"replace"}`, 400),
		Entry("wrong content type", "application/json", `[{"op":"replace","path":"/sequenceNumber/sqn","value":"000000000001"}]`, 415),
	)

	Describe("persistence", func() {
		// Reference: TS 29.504 §5.2.2 (the UDR stores data durably across its own restarts)
		It("loses nothing when the store is closed and reopened between operations", func() {
			_, err := dr.AuthenticationSubscriptionDocumentApi.ModifyAuthenticationSubscription(ctx,
				&DataRepository.ModifyAuthenticationSubscriptionRequest{UeId: ptr(sub.SUPI),
					PatchItem: []models.PatchItem{{Op: "replace", Path: "/sequenceNumber", Value: map[string]any{"sqn": "000000000042"}}}})
			Expect(err).NotTo(HaveOccurred())
			Expect(u.Close()).To(Succeed())

			open()
			rsp, err := dr.AuthenticationDataDocumentApi.QueryAuthSubsData(ctx, &DataRepository.QueryAuthSubsDataRequest{UeId: ptr(sub.SUPI)})
			Expect(err).NotTo(HaveOccurred())
			Expect(rsp.AuthenticationSubscription.SequenceNumber.Sqn).To(Equal("000000000042"))
			Expect(rsp.AuthenticationSubscription.EncPermanentKey).To(Equal(sub.K))
			ts := clk.Now()
			_, err = dr.AuthenticationStatusDocumentApi.CreateAuthenticationStatus(ctx, &DataRepository.CreateAuthenticationStatusRequest{
				UeId: ptr(sub.SUPI), AuthEvent: &models.AuthEvent{NfInstanceId: "ausf", Success: true, TimeStamp: &ts}})
			Expect(err).NotTo(HaveOccurred())
			Expect(u.Close()).To(Succeed())

			open()
			got, err := dr.AuthEventDocumentApi.QueryAuthenticationStatus(ctx, &DataRepository.QueryAuthenticationStatusRequest{UeId: ptr(sub.SUPI)})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.AuthEvent.NfInstanceId).To(Equal("ausf"))
			d, err := u.Get(ctx, sub.SUPI)
			Expect(err).NotTo(HaveOccurred())
			Expect(d.SmData).To(HaveLen(1))
			Expect(d.Provisioning.State).To(Equal(udr.StateActive))
		})

		It("refuses to start on a corrupt store file with a clear error", func() {
			bad := filepath.Join(GinkgoT().TempDir(), "corrupt.db")
			Expect(os.WriteFile(bad, bytes.Repeat([]byte("not a bbolt file "), 512), 0o600)).To(Succeed())
			_, err := udr.New(udr.Config{Path: bad}, udr.Deps{})
			Expect(err).To(MatchError(store.ErrCorrupt))
			Expect(err.Error()).To(ContainSubstring(bad))
		})

		It("refuses a second UDR on the same file while the first holds it", func() {
			_, err := udr.New(udr.Config{Path: path, LockTimeout: 10 * time.Millisecond}, udr.Deps{})
			Expect(err).To(MatchError(store.ErrLocked))
		})

		It("needs a path for the bolt store and accepts an injected store it does not close", func() {
			_, err := udr.New(udr.Config{}, udr.Deps{})
			Expect(err).To(HaveOccurred())
			_, err = udr.New(udr.Config{Store: "sql"}, udr.Deps{})
			Expect(err).To(HaveOccurred())
			st := store.NewMem()
			m, err := udr.New(udr.Config{}, udr.Deps{Store: st})
			Expect(err).NotTo(HaveOccurred())
			Expect(m.Provision(ctx, sub)).To(Succeed())
			Expect(m.Close()).To(Succeed())
			Expect(st.View(func(store.Tx) error { return nil })).To(Succeed(), "still open")
		})

		It("answers 503 once closed", func() {
			Expect(u.Close()).To(Succeed())
			rsp := do("GET", udr.PathRoot+"/subscription-data/"+sub.SUPI+"/authentication-data/authentication-subscription", "", nil)
			Expect(rsp.StatusCode).To(Equal(http.StatusServiceUnavailable))
			Expect(u.Provision(ctx, sub)).To(MatchError(udr.ErrClosed))
		})
	})

	Describe("provisioning", func() {
		It("creates, reads, replaces and deletes whole subscriptions over the credbed resource", func() {
			other := testSubscriber(GinkgoRandomSeed()+1, 2)[1]
			body, err := json.Marshal(udr.Data(other, udr.Provisioning{State: udr.StatePending, Owner: sub.SUPI}))
			Expect(err).NotTo(HaveOccurred())
			rsp := do("PUT", udr.PathRoot+"/subscription-data/"+other.SUPI, "application/json", body)
			Expect(rsp.StatusCode).To(Equal(http.StatusCreated))
			Expect(rsp.Header.Get("Location")).To(Equal(root + udr.PathRoot + "/subscription-data/" + other.SUPI))
			var p udr.Provisioning
			Expect(json.NewDecoder(rsp.Body).Decode(&p)).To(Succeed())
			Expect(p.State).To(Equal(udr.StatePending))
			Expect(p.Owner).To(Equal(sub.SUPI))
			Expect(p.CreatedAt).To(Equal(clk.Now()))

			rsp = do("PUT", udr.PathRoot+"/subscription-data/"+other.SUPI, "application/json", body)
			Expect(rsp.StatusCode).To(Equal(http.StatusNoContent))

			rsp = do("GET", udr.PathRoot+"/subscription-data/"+other.SUPI, "", nil)
			Expect(rsp.StatusCode).To(Equal(http.StatusOK))
			var d udr.SubscriptionData
			Expect(json.NewDecoder(rsp.Body).Decode(&d)).To(Succeed())
			Expect(d.AuthenticationSubscription.EncOpcKey).To(Equal(other.OPc))
			Expect(d.Provisioning.Owner).To(Equal(sub.SUPI))

			rsp = do("GET", udr.PathRoot+"/subscription-data?owner="+sub.SUPI, "", nil)
			var recs []udr.ProvisioningRecord
			Expect(json.NewDecoder(rsp.Body).Decode(&recs)).To(Succeed())
			Expect(recs).To(HaveLen(1))
			Expect(recs[0].Supi).To(Equal(other.SUPI))

			rsp = do("DELETE", udr.PathRoot+"/subscription-data/"+other.SUPI, "", nil)
			Expect(rsp.StatusCode).To(Equal(http.StatusNoContent))
			rsp = do("DELETE", udr.PathRoot+"/subscription-data/"+other.SUPI, "", nil)
			Expect(rsp.StatusCode).To(Equal(http.StatusNotFound))
			_, err = dr.AuthenticationDataDocumentApi.QueryAuthSubsData(ctx, &DataRepository.QueryAuthSubsDataRequest{UeId: ptr(other.SUPI)})
			status, _ := openAPIStatus(err)
			Expect(status).To(Equal(404))
		})

		DescribeTable("refuses a bad provisioning body with 400 and stores nothing",
			func(mutate func(*udr.SubscriptionData)) {
				other := testSubscriber(GinkgoRandomSeed()+2, 3)[2]
				d := udr.Data(other, udr.Provisioning{State: udr.StateActive})
				mutate(&d)
				body, err := json.Marshal(d)
				Expect(err).NotTo(HaveOccurred())
				rsp := do("PUT", udr.PathRoot+"/subscription-data/"+other.SUPI, "application/json", body)
				Expect(rsp.StatusCode).To(Equal(400))
				raw, _ := io.ReadAll(rsp.Body)
				Expect(string(raw)).NotTo(ContainSubstring(other.K))
				_, err = u.Get(ctx, other.SUPI)
				Expect(err).To(MatchError(udr.ErrNotFound))
			},
			Entry("no authentication subscription", func(d *udr.SubscriptionData) { d.AuthenticationSubscription = nil }),
			Entry("short K", func(d *udr.SubscriptionData) { d.AuthenticationSubscription.EncPermanentKey = "00" }),
			Entry("no OPc", func(d *udr.SubscriptionData) { d.AuthenticationSubscription.EncOpcKey = "" }),
			Entry("bad AMF", func(d *udr.SubscriptionData) { d.AuthenticationSubscription.AuthenticationManagementField = "80" }),
			Entry("bad SQN", func(d *udr.SubscriptionData) { d.AuthenticationSubscription.SequenceNumber.Sqn = "zz" }),
			Entry("unknown method", func(d *udr.SubscriptionData) { d.AuthenticationSubscription.AuthenticationMethod = "EAP_TLS" }),
			Entry("SUPI mismatch", func(d *udr.SubscriptionData) { d.AuthenticationSubscription.Supi = "imsi-001010000000999" }),
			Entry("unknown state", func(d *udr.SubscriptionData) { d.Provisioning.State = "limbo" }),
		)

		It("rejects an invalid subscriber in the Go API", func() {
			bad := sub
			bad.K = "short"
			Expect(u.Provision(ctx, bad)).To(MatchError(udr.ErrInvalid))
			Expect(u.Remove(ctx, "imsi-001010000000777")).To(MatchError(udr.ErrNotFound))
		})

		// Reference: TR 33.899 KI #12.2 (deprovisioned credential no longer usable); DESIGN reference flow steps 5, 7, 8
		It("activates a pending subscription on its first successful authentication and refuses it once suspended or removed", func() {
			td := testSubscriber(GinkgoRandomSeed()+3, 4)[3]
			Expect(u.ProvisionWith(ctx, td, udr.Provisioning{State: udr.StatePending, Owner: sub.SUPI, ExpiresAt: clk.Now().Add(time.Hour)})).To(Succeed())
			ts := clk.Now()
			_, err := dr.AuthenticationStatusDocumentApi.CreateAuthenticationStatus(ctx, &DataRepository.CreateAuthenticationStatusRequest{
				UeId: ptr(td.SUPI), AuthEvent: &models.AuthEvent{Success: false, TimeStamp: &ts}})
			Expect(err).NotTo(HaveOccurred())
			d, _ := u.Get(ctx, td.SUPI)
			Expect(d.Provisioning.State).To(Equal(udr.StatePending), "a failed authentication does not activate")
			_, err = dr.AuthenticationStatusDocumentApi.CreateAuthenticationStatus(ctx, &DataRepository.CreateAuthenticationStatusRequest{
				UeId: ptr(td.SUPI), AuthEvent: &models.AuthEvent{Success: true, TimeStamp: &ts}})
			Expect(err).NotTo(HaveOccurred())
			d, _ = u.Get(ctx, td.SUPI)
			Expect(d.Provisioning.State).To(Equal(udr.StateActive))
			Expect(d.Provisioning.ExpiresAt.IsZero()).To(BeTrue())
			Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindState, Name: "active", SUPI: td.SUPI}))).To(Equal(1))

			rsp := do("PATCH", udr.PathRoot+"/subscription-data/"+td.SUPI+"/provisioning", udr.ContentMergePatch, []byte(`{"state":"suspended"}`))
			Expect(rsp.StatusCode).To(Equal(http.StatusOK))
			_, err = dr.AuthenticationDataDocumentApi.QueryAuthSubsData(ctx, &DataRepository.QueryAuthSubsDataRequest{UeId: ptr(td.SUPI)})
			status, raw := openAPIStatus(err)
			Expect(status).To(Equal(403))
			Expect(problemBody(raw).Cause).To(Equal(udr.CauseSuspended))
			_, err = u.SetState(ctx, td.SUPI, udr.StateActive)
			Expect(err).NotTo(HaveOccurred())
			_, err = dr.AuthenticationDataDocumentApi.QueryAuthSubsData(ctx, &DataRepository.QueryAuthSubsDataRequest{UeId: ptr(td.SUPI)})
			Expect(err).NotTo(HaveOccurred())

			Expect(u.Remove(ctx, td.SUPI)).To(Succeed())
			_, err = dr.AuthenticationDataDocumentApi.QueryAuthSubsData(ctx, &DataRepository.QueryAuthSubsDataRequest{UeId: ptr(td.SUPI)})
			status, raw = openAPIStatus(err)
			Expect(status).To(Equal(404))
			Expect(problemBody(raw).Cause).To(Equal(sbi.CauseUserNotFound))
			Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindState, Name: "removed", SUPI: td.SUPI}))).To(Equal(1))
		})

		It("treats an expired pending subscription as absent and purges it", func() {
			td := testSubscriber(GinkgoRandomSeed()+4, 5)[4]
			Expect(u.ProvisionWith(ctx, td, udr.Provisioning{State: udr.StatePending, ExpiresAt: clk.Now().Add(time.Minute)})).To(Succeed())
			_, err := dr.AuthenticationDataDocumentApi.QueryAuthSubsData(ctx, &DataRepository.QueryAuthSubsDataRequest{UeId: ptr(td.SUPI)})
			Expect(err).NotTo(HaveOccurred())
			clk.Advance(time.Minute)
			_, err = dr.AuthenticationDataDocumentApi.QueryAuthSubsData(ctx, &DataRepository.QueryAuthSubsDataRequest{UeId: ptr(td.SUPI)})
			status, _ := openAPIStatus(err)
			Expect(status).To(Equal(404))
			n, err := u.PurgeExpired(ctx)
			Expect(err).NotTo(HaveOccurred())
			Expect(n).To(Equal(1))
			_, err = u.Get(ctx, td.SUPI)
			Expect(err).To(MatchError(udr.ErrNotFound))
			_, err = u.Get(ctx, sub.SUPI)
			Expect(err).NotTo(HaveOccurred(), "active subscriptions stay")
		})
	})

	It("keeps per-UE SQN updates atomic under concurrent UDM traffic", func() {
		subs := testSubscriber(GinkgoRandomSeed()+5, 8)
		for _, s := range subs {
			Expect(u.Provision(ctx, s)).To(Succeed())
		}
		done := make(chan error, len(subs))
		for _, s := range subs {
			go func(supi string) {
				for i := 1; i <= 40; i++ {
					if _, pd := u.QueryAuthSubsData(ctx, supi); pd != nil {
						done <- fmt.Errorf("%s: %s", supi, pd.Cause)
						return
					}
					if pd := u.ModifyAuthenticationSubscription(ctx, supi, []models.PatchItem{{Op: "replace", Path: "/sequenceNumber/sqn",
						Value: fmt.Sprintf("%012x", i)}}); pd != nil {
						done <- fmt.Errorf("%s: %s", supi, pd.Cause)
						return
					}
				}
				done <- nil
			}(s.SUPI)
		}
		for range subs {
			Expect(<-done).To(Succeed())
		}
		for _, s := range subs {
			d, err := u.Get(ctx, s.SUPI)
			Expect(err).NotTo(HaveOccurred())
			Expect(d.AuthenticationSubscription.SequenceNumber.Sqn).To(Equal(fmt.Sprintf("%012x", 40)))
			Expect(d.AuthenticationSubscription.EncPermanentKey == s.K).To(BeTrue(), "K of %s intact", s.SUPI)
		}
	})

	It("traces operations by name and status and never traces or logs K or OPc", func() {
		_, err := dr.AuthenticationDataDocumentApi.QueryAuthSubsData(ctx, &DataRepository.QueryAuthSubsDataRequest{UeId: ptr(sub.SUPI)})
		Expect(err).NotTo(HaveOccurred())
		_, _ = dr.AuthenticationDataDocumentApi.QueryAuthSubsData(ctx, &DataRepository.QueryAuthSubsDataRequest{UeId: ptr("imsi-001010000000999")})
		Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindResponse, Name: udr.OpQueryAuthSubsData, SUPI: sub.SUPI, Status: 200}))).To(Equal(1))
		Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindResponse, Name: udr.OpQueryAuthSubsData, Status: 404, Cause: sbi.CauseUserNotFound}))).To(Equal(1))
		all, err := json.Marshal(rec.Events())
		Expect(err).NotTo(HaveOccurred())
		for _, secret := range []string{sub.K, sub.OPc, strings.ToUpper(sub.K)} {
			Expect(string(all)).NotTo(ContainSubstring(secret))
			Expect(logs.String()).NotTo(ContainSubstring(secret))
		}
		d, err := u.Get(ctx, sub.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(fmt.Sprintf("%v %+v %#v", d, d, d)).NotTo(ContainSubstring(sub.K))
	})

	DescribeTable("answers unknown resources and methods with a JSON ProblemDetails",
		func(method, p string, status int) {
			rsp := do(method, p, "", nil)
			Expect(rsp.StatusCode).To(Equal(status))
			Expect(rsp.Header.Get("Content-Type")).To(Equal(sbi.ContentProblem))
		},
		Entry("unknown path", "GET", udr.PathRoot+"/policy-data/x", 404),
		Entry("POST on authentication-subscription", "POST", udr.PathRoot+"/subscription-data/"+supi+"/authentication-data/authentication-subscription", 405),
		Entry("DELETE on am-data", "DELETE", udr.PathRoot+"/subscription-data/"+supi+"/00101/provisioned-data/am-data", 405),
		Entry("am-data of an unknown UE", "GET", udr.PathRoot+"/subscription-data/imsi-001019999999999/00101/provisioned-data/am-data", 404),
		Entry("amf-3gpp-access not yet created", "GET", udr.PathRoot+"/subscription-data/"+supi+"/context-data/amf-3gpp-access", 404),
	)
})
