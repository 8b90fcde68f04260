package udr_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/udr"
)

// The provisioning-device entitlement resource (credbed, not TS 29.505):
// the CPF reads it to authorise a PD (TR 33.899 KI #12.2 R2; 3gpp.md §5.4
// item 4: max targets, allowed SUPI range).
var _ = Describe("UDR provisioning entitlement", Label("provisioning"), func() {
	var (
		u    *udr.NF
		root string
		hc   *http.Client
		ctx  context.Context
		pd   string
	)

	BeforeEach(func() {
		ctx = context.Background()
		clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		var err error
		u, err = udr.New(udr.Config{Store: udr.StoreMem}, udr.Deps{Clock: clk, Trace: trace.NewRecorder(clk)})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(u.Close)
		root = serveH2C(u.Handler())
		hc = h2cClient()
		sub := testSubscriber(GinkgoRandomSeed(), 1)[0]
		Expect(u.Provision(ctx, sub)).To(Succeed())
		pd = sub.SUPI
	})

	call := func(method, supi string, body any) (int, []byte) {
		GinkgoHelper()
		var rd *bytes.Reader
		if body != nil {
			b, err := json.Marshal(body)
			Expect(err).NotTo(HaveOccurred())
			rd = bytes.NewReader(b)
		} else {
			rd = bytes.NewReader(nil)
		}
		req, err := http.NewRequest(method, root+udr.PathRoot+"/subscription-data/"+supi+"/provisioning-entitlement", rd)
		Expect(err).NotTo(HaveOccurred())
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		rsp, err := hc.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer rsp.Body.Close()
		var out bytes.Buffer
		_, _ = out.ReadFrom(rsp.Body)
		return rsp.StatusCode, out.Bytes()
	}

	It("stores, returns and deletes a PD's entitlement", func() {
		e := udr.Entitlement{MaxTargets: 2, SupiRanges: []udr.SupiRange{{Start: "001010001000000", End: "001010001000999"}}, Devices: []string{"td-1"}}
		st, _ := call(http.MethodGet, pd, nil)
		Expect(st).To(Equal(http.StatusNotFound))
		st, _ = call(http.MethodPut, pd, e)
		Expect(st).To(Equal(http.StatusCreated))
		st, _ = call(http.MethodPut, pd, e)
		Expect(st).To(Equal(http.StatusNoContent))
		st, b := call(http.MethodGet, pd, nil)
		Expect(st).To(Equal(http.StatusOK))
		var got udr.Entitlement
		Expect(json.Unmarshal(b, &got)).To(Succeed())
		Expect(got).To(Equal(e))
		Expect(got.SupiRanges[0].Contains("imsi-001010001000999")).To(BeTrue())
		Expect(got.SupiRanges[0].Contains("imsi-001010001001000")).To(BeFalse())
		st, _ = call(http.MethodDelete, pd, nil)
		Expect(st).To(Equal(http.StatusNoContent))
		_, err := u.Entitlement(ctx, pd)
		Expect(err).To(MatchError(udr.ErrNotFound))
	})

	It("refuses invalid entitlements and unknown PDs", func() {
		for i, bad := range []udr.Entitlement{
			{MaxTargets: -1},
			{MaxTargets: 1, SupiRanges: []udr.SupiRange{{Start: "00101", End: "00101"}}},
			{MaxTargets: 1, SupiRanges: []udr.SupiRange{{Start: "001010000000009", End: "001010000000001"}}},
			{MaxTargets: 1, SupiRanges: []udr.SupiRange{{Start: "00101000000000x", End: "001010000000001"}}},
			{MaxTargets: 1, Devices: []string{"a b"}},
		} {
			st, _ := call(http.MethodPut, pd, bad)
			Expect(st).To(Equal(http.StatusBadRequest), fmt.Sprint(i))
		}
		st, _ := call(http.MethodPut, "imsi-001019999999999", udr.Entitlement{MaxTargets: 1})
		Expect(st).To(Equal(http.StatusNotFound))
		Expect(u.SetEntitlement(ctx, "imsi-001019999999999", udr.Entitlement{})).To(MatchError(udr.ErrNotFound))
	})

	It("goes away with the PD's subscription", func() {
		Expect(u.SetEntitlement(ctx, pd, udr.Entitlement{MaxTargets: 1})).To(Succeed())
		Expect(u.Remove(ctx, pd)).To(Succeed())
		sub := testSubscriber(GinkgoRandomSeed(), 1)[0]
		Expect(u.Provision(ctx, sub)).To(Succeed())
		_, err := u.Entitlement(ctx, pd)
		Expect(err).To(MatchError(udr.ErrNotFound))
	})
})
