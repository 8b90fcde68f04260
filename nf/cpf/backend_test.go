package cpf_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/nf/aanf"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/profile/profiletest"
)

// The Backend's Go API against a real UDR, AAnF and NRF over transport
// mem (the HTTP halves are tested with the profiles).
var _ = Describe("CPF backend", Label("provisioning"), func() {
	var (
		ctx  context.Context
		core *profiletest.Core
		b    *cpf.Backend
	)

	BeforeEach(func() {
		ctx = context.Background()
		By(fmt.Sprintf("seed %d", GinkgoRandomSeed()))
		var err error
		core, err = profiletest.NewCore(ctx, profiletest.Options{Seed: GinkgoRandomSeed()})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(core.Close)
		b = core.CPF.Backend()
	})

	pdWith := func(e *udr.Entitlement) cpf.Principal {
		GinkgoHelper()
		pd, err := core.NewPD(ctx, profiletest.PDOptions{Entitlement: e})
		Expect(err).NotTo(HaveOccurred())
		p, r := b.Claimed(pd.SUPI())
		Expect(r).To(BeNil())
		return p
	}
	device := func() cpf.ProvisionInput {
		GinkgoHelper()
		td, err := core.NewTD()
		Expect(err).NotTo(HaveOccurred())
		bs := td.Bootstrap()
		return cpf.ProvisionInput{DeviceID: bs.DeviceID, TargetKey: bs.Key}
	}

	// Reference: 3gpp.md §5.4 item 4 (max targets) under concurrency.
	It("fills a PD's quota exactly when its requests race", Label(scenarios.RequirementLabel("R2")), func() {
		e := profiletest.DefaultEntitlement(1)
		e.MaxTargets = 3
		p := pdWith(e)
		ins := make([]cpf.ProvisionInput, 8)
		for i := range ins {
			ins[i] = device()
		}
		var wg sync.WaitGroup
		refusals := make([]*cpf.Refusal, len(ins))
		for i := range ins {
			wg.Go(func() { _, refusals[i] = b.Provision(ctx, p, ins[i]) })
		}
		wg.Wait()
		ok, quota := 0, 0
		for _, r := range refusals {
			switch {
			case r == nil:
				ok++
			case r.Cause == cpf.CauseQuotaExceeded:
				quota++
			default:
				Fail("unexpected refusal " + r.String())
			}
		}
		Expect(ok).To(Equal(3))
		Expect(quota).To(Equal(5))
		recs, err := core.UDR.ProvisioningRecords(ctx, p.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(recs).To(HaveLen(3))
	})

	// Reference: 3gpp.md §6.1 D9 on the network side (one owner per device).
	It("gives a device to exactly one of two racing PDs", func() {
		p1, p2 := pdWith(profiletest.DefaultEntitlement(1)), pdWith(profiletest.DefaultEntitlement(2))
		in := device()
		var wg sync.WaitGroup
		var r1, r2 *cpf.Refusal
		wg.Go(func() { _, r1 = b.Provision(ctx, p1, in) })
		wg.Go(func() { _, r2 = b.Provision(ctx, p2, in) })
		wg.Wait()
		Expect((r1 == nil) != (r2 == nil)).To(BeTrue(), "exactly one wins: %v %v", r1, r2)
		lost := r1
		if lost == nil {
			lost = r2
		}
		Expect(lost.Status).To(BeElementOf(http.StatusForbidden, http.StatusConflict))
		Expect(lost.Cause).To(BeElementOf(cpf.CauseForeignTarget, cpf.CauseConflict))
	})

	// Reference: TS 33.535 §6.3 (the AF keeps K_AF until it expires); 3gpp.md §6.2 N1.
	It("refuses a PD once its AKMA context is gone and the cached K_AF expired", func() {
		pd, err := core.NewPD(ctx, profiletest.PDOptions{Entitlement: profiletest.DefaultEntitlement(3)})
		Expect(err).NotTo(HaveOccurred())
		creds, err := pd.AKMA(core.Service.AFID)
		Expect(err).NotTo(HaveOccurred())
		req := provproto.Request{Method: "GET", Path: "/cpf/secure/v1/targets/imsi-001010000000001"}
		_, r := b.AuthenticateAKMA(ctx, provproto.SignRequest(creds, 1, req, provproto.EncodeOptions{}), req)
		Expect(r).To(BeNil())
		Expect(core.AAnF.RemoveContext(ctx, aanfRemove(pd.SUPI()))).To(BeNil())
		_, r = b.AuthenticateAKMA(ctx, provproto.SignRequest(creds, 2, req, provproto.EncodeOptions{}), req)
		Expect(r).To(BeNil(), "cached until the cache TTL")
		core.Clock.Advance(cpf.DefaultKAFCacheTTL)
		_, r = b.AuthenticateAKMA(ctx, provproto.SignRequest(creds, 3, req, provproto.EncodeOptions{}), req)
		Expect(r).NotTo(BeNil())
		Expect(r.Status).To(Equal(http.StatusUnauthorized))
		Expect(r.Cause).To(Equal(cpf.CauseUnauthenticated))

		By("a new primary authentication gives a new A-KID that works at once")
		Expect(pd.Reauthenticate(ctx)).To(Succeed())
		creds, err = pd.AKMA(core.Service.AFID)
		Expect(err).NotTo(HaveOccurred())
		p, r := b.AuthenticateAKMA(ctx, provproto.SignRequest(creds, 4, req, provproto.EncodeOptions{}), req)
		Expect(r).To(BeNil())
		Expect(p.SUPI).To(Equal(pd.SUPI()))
		Expect(p.Ref).To(Equal(creds.AKID))
	})

	It("deprovisions a subscription the testbed gave the PD, without a CPF record", func() {
		p := pdWith(profiletest.DefaultEntitlement(4))
		sub := subscriber.Subscription{SUPI: "imsi-001010004000001", K: "000102030405060708090a0b0c0d0e0f", OPc: "000102030405060708090a0b0c0d0e0f"}
		sub.ApplyDefaults(subscriber.Defaults{})
		Expect(core.UDR.ProvisionWith(ctx, sub, udr.Provisioning{State: udr.StateActive, Owner: p.SUPI})).To(Succeed())
		st, r := b.Status(ctx, p, sub.SUPI)
		Expect(r).To(BeNil())
		Expect(st.State).To(Equal(provproto.StateActive))
		st, r = b.Deprovision(ctx, p, sub.SUPI)
		Expect(r).To(BeNil())
		Expect(st.State).To(Equal(provproto.StateRemoved))
		_, err := core.UDR.Get(ctx, sub.SUPI)
		Expect(err).To(MatchError(udr.ErrNotFound))
	})

	It("allocates from the cursor and skips SUPIs in use", func() {
		e := &udr.Entitlement{MaxTargets: 10, SupiRanges: []udr.SupiRange{{Start: "001010005000000", End: "001010005000002"}}}
		p := pdWith(e)
		_, err := core.Subscribe(ctx, "imsi-001010005000000")
		Expect(err).NotTo(HaveOccurred())
		var got []string
		for range 2 {
			res, r := b.Provision(ctx, p, device())
			Expect(r).To(BeNil())
			got = append(got, res.SUPI)
			Expect(res.ExpiresAt).To(Equal(core.Clock.Now().Add(cpf.DefaultProvisionTTL).Truncate(time.Second)))
		}
		Expect(got).To(Equal([]string{"imsi-001010005000001", "imsi-001010005000002"}))
		_, r := b.Provision(ctx, p, device())
		Expect(r).NotTo(BeNil())
		Expect(r.Cause).To(Equal(cpf.CauseRangeExhausted))
	})
})

func aanfRemove(supi string) aanf.CtxRemove { return aanf.CtxRemove{Supi: supi} }
