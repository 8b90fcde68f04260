package udr_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/udr/DataRepository"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/udr"
)

// Data-change subscriptions and notifications, added for the UDM's
// deregistration notification (nf/udr/notify.go).
var _ = Describe("UDR data-change subscriptions", func() {
	var (
		u      *udr.NF
		root   string
		dr     *DataRepository.APIClient
		rec    *trace.Recorder
		path   string
		ctx    context.Context
		mu     sync.Mutex
		got    []models.DataChangeNotify
		cbRoot string
	)
	open := func() {
		GinkgoHelper()
		clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		rec = trace.NewRecorder(clk)
		var err error
		u, err = udr.New(udr.Config{Path: path, NoSync: true}, udr.Deps{Clock: clk, Trace: rec, HTTP: h2cClient()})
		Expect(err).NotTo(HaveOccurred())
		root = serveH2C(u.Handler())
		dr = drClient(root)
	}
	BeforeEach(func() {
		ctx = context.Background()
		got = nil
		path = filepath.Join(GinkgoT().TempDir(), "udr.db")
		cbRoot = serveH2C(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var n models.DataChangeNotify
			b, _ := io.ReadAll(r.Body)
			Expect(json.Unmarshal(b, &n)).To(Succeed())
			mu.Lock()
			got = append(got, n)
			mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}))
		open()
		DeferCleanup(func() { _ = u.Close() })
	})
	notified := func() []models.DataChangeNotify {
		mu.Lock()
		defer mu.Unlock()
		return append([]models.DataChangeNotify(nil), got...)
	}

	// Reference: TS 29.504 §5.2.2.6 (Subscribe), §5.2.2.7 (Notify), TS 29.505 subs-to-notify and DataChangeNotify
	It("notifies a subscriber of a deleted subscription with its AMF registration", func() {
		subs := testSubscriber(GinkgoRandomSeed(), 2)
		for _, s := range subs {
			Expect(u.Provision(ctx, s)).To(Succeed())
		}
		reg := models.Amf3GppAccessRegistration{AmfInstanceId: "amf-1", DeregCallbackUri: "http://127.0.0.2/cb"}
		_, err := dr.AMF3GPPAccessRegistrationDocumentApi.CreateAmfContext3gpp(ctx, &DataRepository.CreateAmfContext3gppRequest{UeId: ptr(subs[0].SUPI), Amf3GppAccessRegistration: &reg})
		Expect(err).NotTo(HaveOccurred())

		rsp, err := dr.SubsToNotifyCollectionApi.SubscriptionDataSubscriptions(ctx, &DataRepository.SubscriptionDataSubscriptionsRequest{
			SubscriptionDataSubscriptions: &models.SubscriptionDataSubscriptions{CallbackReference: cbRoot + "/notify", MonitoredResourceUris: []string{root + udr.PathRoot + "/subscription-data"}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(rsp.Location).To(Equal(root + udr.PathRoot + "/subscription-data/subs-to-notify/" + rsp.SubscriptionDataSubscriptions.SubscriptionId))

		Expect(u.Remove(ctx, subs[0].SUPI)).To(Succeed())
		n := notified()
		Expect(n).To(HaveLen(1))
		Expect(n[0].UeId).To(Equal(subs[0].SUPI))
		Expect(n[0].NotifyItems).To(HaveLen(2))
		Expect(n[0].NotifyItems[0].ResourceId).To(Equal(root + udr.PathRoot + "/subscription-data/" + subs[0].SUPI))
		Expect(n[0].NotifyItems[0].Changes[0].Op).To(Equal(models.ChangeType_REMOVE))
		Expect(n[0].NotifyItems[1].ResourceId).To(HaveSuffix("/context-data/amf-3gpp-access"))
		Expect(n[0].NotifyItems[1].Changes[0].OrigValue).To(HaveKeyWithValue("deregCallbackUri", "http://127.0.0.2/cb"))

		// without an AMF registration only the subscription item
		Expect(u.Remove(ctx, subs[1].SUPI)).To(Succeed())
		Expect(notified()).To(HaveLen(2))
		Expect(notified()[1].NotifyItems).To(HaveLen(1))
		Expect(rec.Count(trace.Match(trace.Event{Kind: trace.KindResponse, Name: udr.OpDataChangeNotify, Status: 204}))).To(Equal(2))
	})

	// Reference: TS 29.505 SubscriptionDataSubscriptions.ueId (a per-UE subscription), monitoredResourceUris
	It("notifies only matching subscriptions", func() {
		subs := testSubscriber(GinkgoRandomSeed(), 2)
		for _, s := range subs {
			Expect(u.Provision(ctx, s)).To(Succeed())
		}
		_, pd := u.SubscribeDataChange(ctx, models.SubscriptionDataSubscriptions{UeId: subs[1].SUPI, CallbackReference: cbRoot + "/a",
			MonitoredResourceUris: []string{root + udr.PathRoot + "/subscription-data/" + subs[1].SUPI}})
		Expect(pd).To(BeNil())
		_, pd = u.SubscribeDataChange(ctx, models.SubscriptionDataSubscriptions{CallbackReference: cbRoot + "/b",
			MonitoredResourceUris: []string{root + udr.PathRoot + "/subscription-data/" + subs[1].SUPI + "/context-data/amf-3gpp-access"}})
		Expect(pd).To(BeNil())
		Expect(u.Remove(ctx, subs[0].SUPI)).To(Succeed())
		Expect(notified()).To(BeEmpty())
		Expect(u.Remove(ctx, subs[1].SUPI)).To(Succeed())
		Expect(notified()).To(HaveLen(2))
	})

	// Reference: TS 29.504 §5.2.2.6.3 (Unsubscribe), TS 29.500 §5.2.7 (SUBSCRIPTION_NOT_FOUND); subscriptions persist in the store
	It("keeps subscriptions across a restart and removes them on request", func() {
		rsp, err := dr.SubsToNotifyCollectionApi.SubscriptionDataSubscriptions(ctx, &DataRepository.SubscriptionDataSubscriptionsRequest{
			SubscriptionDataSubscriptions: &models.SubscriptionDataSubscriptions{CallbackReference: cbRoot + "/n", MonitoredResourceUris: []string{root + udr.PathRoot + "/subscription-data"}}})
		Expect(err).NotTo(HaveOccurred())
		id := rsp.SubscriptionDataSubscriptions.SubscriptionId
		Expect(u.Close()).To(Succeed())
		open()
		list, err := dr.SubsToNotifyCollectionApi.QuerySubsToNotify(ctx, &DataRepository.QuerySubsToNotifyRequest{UeId: ptr("imsi-001010000000001")})
		Expect(err).NotTo(HaveOccurred())
		Expect(list.SubscriptionDataSubscriptions).To(HaveLen(1))
		_, err = dr.SubsToNotifyDocumentApi.RemovesubscriptionDataSubscriptions(ctx, &DataRepository.RemovesubscriptionDataSubscriptionsRequest{SubsId: &id})
		Expect(err).NotTo(HaveOccurred())
		pd := u.UnsubscribeDataChange(ctx, id)
		Expect(pd).NotTo(BeNil())
		Expect(pd.Cause).To(Equal(udr.CauseSubscriptionNotFound))
	})

	// Reference: TS 29.500 §5.2.7 (ProblemDetails for bad requests)
	DescribeTable("refuses bad subscriptions",
		func(body string, status int) {
			req, _ := http.NewRequest(http.MethodPost, root+udr.PathRoot+"/subscription-data/subs-to-notify", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rsp, err := h2cClient().Do(req)
			Expect(err).NotTo(HaveOccurred())
			defer rsp.Body.Close()
			Expect(rsp.StatusCode).To(Equal(status))
			Expect(rsp.Header.Get("Content-Type")).To(Equal(sbi.ContentProblem))
		},
		Entry("not JSON", `{`, 400),
		Entry("no callback", `{"monitoredResourceUris":["http://x/nudr-dr/v2/subscription-data"]}`, 400),
		Entry("no resources", `{"callbackReference":"http://127.0.0.3/cb"}`, 400),
		Entry("foreign resource", `{"callbackReference":"http://127.0.0.3/cb","monitoredResourceUris":["http://x/other"]}`, 400),
	)
})
