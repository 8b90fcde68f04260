package secure_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/internal/transport/intercept"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/scenarios/profile/profiletest"
	"github.com/credbed/credbed/scenarios/profile/secure"
	"github.com/credbed/credbed/ue/dlink"
)

// fromCPF selects the CPF's outbound SBI requests of a method to the UDR.
func fromCPF(method string) intercept.Match {
	return intercept.And(intercept.Requests(), intercept.FromAddr(cpf.DefaultSBIAddr.Addr()),
		intercept.Method(method), intercept.PathPrefix("/nudr-dr/v2/subscription-data/"))
}

var _ = Describe("secure profile: restarts, failures and expiry", Label("provisioning", scenarios.ProfileLabel(secure.Name)), func() {
	var (
		pd *profiletest.PD
		td *profiletest.TD
	)

	BeforeEach(func() {
		ctx = context.Background()
		By(fmt.Sprintf("seed %d", GinkgoRandomSeed()))
		newCore(profiletest.Options{Dir: GinkgoT().TempDir()})
		pd = newPD(entitled(1))
		td = newTD()
	})

	// Reference: 3gpp.md §5.4 item 6 (counters persisted before acting), §6.2 N5.
	It("keeps a consistent state when the CPF crashes in the middle of provisioning", func() {
		By("the CPF dies while the UDR writes: its store closes and it never hears back")
		var once sync.Once
		remove := core.Net.Chain().Add("crash", intercept.Observe(func(p transport.Packet) {
			if fromCPF(http.MethodPut)(p) {
				once.Do(func() { Expect(core.CrashCPFStore()).To(Succeed()) })
			}
		}))
		removeRsp := core.Net.Chain().Add("lost-answer", intercept.Drop(intercept.And(intercept.Responses(),
			intercept.ToAddr(cpf.DefaultSBIAddr.Addr()), intercept.Method(http.MethodPut))))
		ans, _, err := pd.Secure(ctx, http.MethodPost, provproto.PathTargets, provisionBody(td, ""), 0, provproto.EncodeOptions{})
		remove()
		removeRsp()
		Expect(err).NotTo(HaveOccurred())
		Expect(ans.Status).To(Equal(http.StatusServiceUnavailable), "%s", ans.Body)
		crashedCtr := pd.Counter()

		Expect(core.RestartCPF(ctx)).To(Succeed())
		By("the UDR holds a pending subscription nobody holds the key of, and the CPF knows it")
		recs, err := core.UDR.ProvisioningRecords(ctx, pd.SUPI())
		Expect(err).NotTo(HaveOccurred())
		Expect(recs).To(HaveLen(1))
		Expect(recs[0].Provisioning.State).To(Equal(udr.StatePending))
		orphan := recs[0].Supi

		By("the counter was persisted before acting: the crashed request cannot be replayed")
		ans, _, err = pd.Secure(ctx, http.MethodPost, provproto.PathTargets, provisionBody(td, ""), crashedCtr, provproto.EncodeOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(ans.Status).To(Equal(http.StatusConflict))
		Expect(problemOf(ans).Cause).To(Equal(cpf.CauseReplay))

		By("the device stays bound until the pending target expires")
		ans = secureReq(pd, http.MethodPost, provproto.PathTargets, provisionBody(td, ""))
		Expect(ans.Status).To(Equal(http.StatusConflict))
		Expect(problemOf(ans).Cause).To(Equal(cpf.CauseAlreadyProvisioned))

		By("expiry removes it at the UDR and the CPF, and frees the device")
		core.Clock.Advance(cpf.DefaultProvisionTTL)
		_, pd2 := core.UDR.QueryAuthSubsData(ctx, orphan)
		Expect(pd2).NotTo(BeNil(), "an expired pending credential is not usable")
		res, err := core.CPF.PurgeExpired(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Expired).To(Equal(1))
		_, err = udrState(orphan)
		Expect(err).To(MatchError(udr.ErrNotFound))
		rsp := provision(pd, td)
		Expect(rsp.Binding.Counter).To(Equal(uint64(2)), "binding counters only grow")
	})

	// Reference: 3gpp.md §6.2 N5 (the PF write fails: nothing half-provisioned).
	It("undoes its own state when the UDR write fails", func() {
		before := snapshot()
		remove := core.Net.Chain().Add("drop-put", intercept.Drop(fromCPF(http.MethodPut)))
		ans := secureReq(pd, http.MethodPost, provproto.PathTargets, provisionBody(td, ""))
		remove()
		Expect(ans.Status).To(Equal(http.StatusServiceUnavailable))
		after := snapshot()
		Expect(before.udr.Equal(after.udr)).To(BeTrue())
		Expect(before.cpf.Diff(after.cpf)).To(ConsistOf(
			"+ cpf/device/"+td.Bootstrap().DeviceID, // the binding counter grew
			"+ cpf/pd/"+pd.SUPI(),                   // the counter was consumed
		), "only counters changed")
		Expect(provision(pd, td).Binding.Counter).To(Equal(uint64(2)))
	})

	It("loses nothing across a restart", func() {
		rsp := provision(pd, td)
		last := pd.Counter()
		Expect(core.RestartCPF(ctx)).To(Succeed())
		ans, _, err := pd.Secure(ctx, http.MethodGet, provproto.TargetPath(rsp.SUPI), nil, last, provproto.EncodeOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(ans.Status).To(Equal(http.StatusConflict), "the counter survived")
		ans = secureReq(pd, http.MethodPost, provproto.ConfirmPath(rsp.SUPI), confirmBody(rsp, proofOf(td, rsp)))
		Expect(ans.Status).To(Equal(http.StatusOK), "the pending operation survived: %s", ans.Body)
	})

	// Reference: DESIGN step 8 (persisted before acting), 3gpp.md §6.3 X5.
	It("completes an interrupted deprovisioning when it starts again", func() {
		rsp := provision(pd, td)
		remove := core.Net.Chain().Add("drop-delete", intercept.Drop(fromCPF(http.MethodDelete)))
		ans := secureReq(pd, http.MethodDelete, provproto.TargetPath(rsp.SUPI), nil)
		remove()
		Expect(ans.Status).To(Equal(http.StatusServiceUnavailable))
		_, err := udrState(rsp.SUPI)
		Expect(err).NotTo(HaveOccurred(), "the UDR did not see the delete")
		Expect(core.RestartCPF(ctx)).To(Succeed())
		_, err = udrState(rsp.SUPI)
		Expect(err).To(MatchError(udr.ErrNotFound))
		ans = secureReq(pd, http.MethodGet, provproto.TargetPath(rsp.SUPI), nil)
		Expect(ans.Status).To(Equal(http.StatusNotFound))
	})

	// Reference: DESIGN "a pending credential that never authenticates expires"; 3gpp.md §6.2 N5.
	It("expires a pending target that is never confirmed nor used, freeing the quota", func() {
		e := profiletest.DefaultEntitlement(2)
		e.MaxTargets = 1
		small := newPD(profiletest.PDOptions{Entitlement: e})
		rsp := provision(small, td)
		core.Clock.Advance(cpf.DefaultProvisionTTL - 1)
		_, p := core.UDR.QueryAuthSubsData(ctx, rsp.SUPI)
		Expect(p).To(BeNil(), "usable until it expires")
		core.Clock.Advance(1)
		_, p = core.UDR.QueryAuthSubsData(ctx, rsp.SUPI)
		Expect(p).NotTo(BeNil())
		Expect(int(p.Status)).To(Equal(http.StatusNotFound))

		By("the quota counts only live targets, even before the sweep")
		other := newTD()
		second := provision(small, other)
		res, err := core.CPF.PurgeExpired(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(res).To(Equal(cpf.SweepResult{Expired: 1}))
		Expect(core.Trace.Count(trace.Match(trace.Event{Kind: trace.KindState, Actor: "cpf", Name: "expired", SUPI: rsp.SUPI}))).To(Equal(1))
		_, err = udrState(rsp.SUPI)
		Expect(err).To(MatchError(udr.ErrNotFound))
		_, err = udrState(second.SUPI)
		Expect(err).NotTo(HaveOccurred())
	})

	It("keeps a target that authenticated before its expiry", func() {
		rsp := provision(pd, td)
		Expect(core.UDR.CreateAuthenticationStatus(ctx, rsp.SUPI, authEvent(true))).To(BeNil())
		core.Clock.Advance(cpf.DefaultProvisionTTL)
		res, err := core.CPF.PurgeExpired(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(res).To(Equal(cpf.SweepResult{Activated: 1}))
		d, err := udrState(rsp.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Provisioning.State).To(Equal(udr.StateActive))
	})

	It("sweeps on its own clock when configured", func() {
		newCore(profiletest.Options{CPF: func(c *cpf.Config) { c.SweepInterval = cpf.DefaultProvisionTTL }})
		pd := newPD(entitled(1))
		rsp := provision(pd, newTD())
		core.Clock.Advance(2 * cpf.DefaultProvisionTTL)
		_, err := udrState(rsp.SUPI)
		Expect(err).To(MatchError(udr.ErrNotFound))
	})
})

var _ = Describe("secure profile: the device half", Label("provisioning", scenarios.ProfileLabel(secure.Name), scenarios.IfaceLabel("DL")), func() {
	var (
		p  *secure.Profile
		pd *profiletest.PD
		td *profiletest.TD
	)

	BeforeEach(func() {
		ctx = context.Background()
		By(fmt.Sprintf("seed %d", GinkgoRandomSeed()))
		newCore(profiletest.Options{})
		p = secure.New()
		pd = newPD(entitled(1))
		td = newTD()
		Expect(p.PrepareTarget(ctx, td)).To(Succeed())
	})

	// Reference: DESIGN steps 4-6 and 8; TR 33.899 KI #12.2 R1-R3.
	It("provisions the TD over the direct link, confirms, and deprovisions", Label(scenarios.RequirementLabel("R1"), scenarios.RequirementLabel("R2"), scenarios.RequirementLabel("R3")), func() {
		got, err := p.ProvisionTarget(ctx, pd, td)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Confirmed).To(BeTrue())
		pkg, ok := td.Credential()
		Expect(ok).To(BeTrue())
		Expect(pkg.SUPI.String()).To(Equal(got.SUPI))
		d, err := udrState(got.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(fmt.Sprintf("%x", pkg.K[:])).To(Equal(d.AuthenticationSubscription.EncPermanentKey))
		Expect(core.Trace.Count(trace.Match(trace.Event{Kind: trace.KindState, Actor: "cpf", Name: "confirmed", SUPI: got.SUPI}))).To(Equal(1))

		st, err := p.Status(ctx, pd, got.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.State).To(Equal(provproto.StateConfirmed))

		out, err := p.Deprovision(ctx, pd, got.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(Equal(profile.Deprovisioned{SUPI: got.SUPI, State: provproto.StateRemoved}))
		_, err = udrState(got.SUPI)
		Expect(err).To(MatchError(udr.ErrNotFound))

		By("a second deprovisioning is an authentic refusal")
		_, err = p.Deprovision(ctx, pd, got.SUPI)
		var re *profile.RefusedError
		Expect(errors.As(err, &re)).To(BeTrue(), "%v", err)
		Expect(re.Problem.Status).To(Equal(http.StatusNotFound))
		Expect(re.Authentic).To(BeTrue())
	})

	It("reports a refusal of an unentitled PD without touching the TD", func() {
		bare := newPD(profiletest.PDOptions{})
		_, err := p.ProvisionTarget(ctx, bare, td)
		Expect(err).To(MatchError(profile.ErrRefused))
		var re *profile.RefusedError
		Expect(errors.As(err, &re)).To(BeTrue())
		Expect(re.Problem.Cause).To(Equal(cpf.CauseNotEntitled))
		_, ok := td.Credential()
		Expect(ok).To(BeFalse())
	})

	// Reference: 3gpp.md §6.1 D9 (a provisioned TD refuses another PD) and
	// §6.2 N5 (the network entry of a failed delivery only expires).
	It("reports a direct-link refusal and leaves only a pending credential that expires", func() {
		first, err := p.ProvisionTarget(ctx, pd, td)
		Expect(err).NotTo(HaveOccurred())
		_, err = p.Deprovision(ctx, pd, first.SUPI)
		Expect(err).NotTo(HaveOccurred())

		pd2 := newPD(entitled(2))
		_, err = p.ProvisionTarget(ctx, pd2, td)
		Expect(err).To(MatchError(profile.ErrDirectLink))
		var le *profile.LinkError
		Expect(errors.As(err, &le)).To(BeTrue())
		Expect(le.Status).To(Equal(dlink.StatusAlreadyProvisioned))
		pkg, ok := td.Credential()
		Expect(ok).To(BeTrue())
		Expect(pkg.SUPI.String()).To(Equal(first.SUPI), "the TD kept its credential")

		recs, err := core.UDR.ProvisioningRecords(ctx, pd2.SUPI())
		Expect(err).NotTo(HaveOccurred())
		Expect(recs).To(HaveLen(1))
		Expect(recs[0].Provisioning.State).To(Equal(udr.StatePending))
		core.Clock.Advance(cpf.DefaultProvisionTTL)
		_, pdt := core.UDR.QueryAuthSubsData(ctx, recs[0].Supi)
		Expect(pdt).NotTo(BeNil())
	})

	It("refuses an answer whose MAC does not verify", func() {
		remove := core.Net.Chain().Add("forge", intercept.Modify(intercept.And(intercept.Responses(), intercept.PathPrefix("/cpf/secure/")),
			func(p *transport.Packet) {
				p.Header.Set(provproto.HeaderAuthInfo, `mac="`+"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"+`"`)
			}))
		DeferCleanup(remove)
		_, err := p.ProvisionTarget(ctx, pd, td)
		Expect(err).To(MatchError(profile.ErrResponse))
	})

	It("names its direct-link variant", func() {
		Expect(p.DirectLink()).To(Equal(dlink.Secure))
		Expect(p.Name()).To(Equal("secure"))
		Expect(p.Description()).NotTo(BeEmpty())
	})
})
