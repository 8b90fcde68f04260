package baseline_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

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
	"github.com/credbed/credbed/scenarios/profile/baseline"
	"github.com/credbed/credbed/scenarios/profile/profiletest"
	"github.com/credbed/credbed/ue/dlink"
)

var _ = Describe("baseline profile", Label("provisioning", scenarios.ProfileLabel(baseline.Name)), func() {
	var (
		ctx  context.Context
		core *profiletest.Core
		pd   *profiletest.PD
		td   *profiletest.TD
		p    *baseline.Profile
	)

	BeforeEach(func() {
		ctx = context.Background()
		By(fmt.Sprintf("seed %d", GinkgoRandomSeed()))
		var err error
		core, err = profiletest.NewCore(ctx, profiletest.Options{Seed: GinkgoRandomSeed()})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(core.Close)
		pd, err = core.NewPD(ctx, profiletest.PDOptions{Entitlement: profiletest.DefaultEntitlement(1)})
		Expect(err).NotTo(HaveOccurred())
		td, err = core.NewTD()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(td.Close)
		p = baseline.New()
		Expect(p.PrepareTarget(ctx, td)).To(Succeed())
	})

	body := func(k byte, supi string) []byte {
		var key provproto.Key
		for i := range key {
			key[i] = k + byte(i)
		}
		b, err := provproto.Encode(&provproto.BaselineProvisionRequest{DeviceID: td.Bootstrap().DeviceID, SUPI: supi, K: key, OPc: key})
		Expect(err).NotTo(HaveOccurred())
		return b
	}
	claim := func(who string) map[string]string { return map[string]string{provproto.HeaderPDIdentity: who} }

	// Reference: DESIGN "baseline": the CPF trusts the claimed identity and the PD generates K.
	It("writes the PD's K under the claimed identity, with no MAC and no counter", Label(scenarios.ThreatLabel("T2")), func() {
		ans, err := pd.Raw(ctx, baseline.Name, http.MethodPost, provproto.PathTargets, body(1, ""), claim(pd.SUPI()))
		Expect(err).NotTo(HaveOccurred())
		Expect(ans.Status).To(Equal(http.StatusCreated), "%s", ans.Body)
		var rsp provproto.ProvisionResponse
		Expect(provproto.Decode(ans.Body, &rsp)).To(Succeed())
		Expect(rsp.Sealed).To(BeEmpty())
		Expect(rsp.Network).NotTo(BeNil())
		Expect(rsp.Network.PLMN).To(Equal("00101"))
		d, err := core.UDR.Get(ctx, rsp.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.AuthenticationSubscription.EncPermanentKey).To(Equal("0102030405060708090a0b0c0d0e0f10"))
		Expect(d.Provisioning.Owner).To(Equal(pd.SUPI()))
		Expect(core.Trace.Count(trace.Match(trace.Event{Kind: trace.KindKey, Actor: "cpf", Name: "K"}))).To(BeZero(), "the CPF generated no key")
	})

	It("still applies the CPF's generic checks", func() {
		for _, c := range []struct {
			claim  string
			body   []byte
			status int
			cause  string
		}{
			{"", body(1, ""), http.StatusUnauthorized, cpf.CauseUnauthenticated},
			{"not-a-supi", body(1, ""), http.StatusUnauthorized, cpf.CauseUnauthenticated},
			{pd.SUPI(), []byte(`{"deviceId":"x"}`), http.StatusBadRequest, cpf.CauseMalformed},
			{pd.SUPI(), body(1, "imsi-001019999999999"), http.StatusForbidden, cpf.CauseForeignTarget},
			{"imsi-001010000000077", body(1, ""), http.StatusForbidden, cpf.CauseNotEntitled},
		} {
			u, c0, err := core.Snapshots()
			Expect(err).NotTo(HaveOccurred())
			ans, err := pd.Raw(ctx, baseline.Name, http.MethodPost, provproto.PathTargets, c.body, claim(c.claim))
			Expect(err).NotTo(HaveOccurred())
			Expect(ans.Status).To(Equal(c.status), "%s", ans.Body)
			pr, err := provproto.DecodeProblem(ans.Body)
			Expect(err).NotTo(HaveOccurred())
			Expect(pr.Cause).To(Equal(c.cause))
			u2, c2, err := core.Snapshots()
			Expect(err).NotTo(HaveOccurred())
			Expect(u.Equal(u2) && c0.Equal(c2)).To(BeTrue())
		}
	})

	// Reference: 3gpp.md §6.1 D1 (the baseline column: K readable on the direct link).
	It("provisions over a plaintext direct link where a passive tap reads K", Label(scenarios.ThreatLabel("T2"), scenarios.IfaceLabel("DL")), func() {
		tap := intercept.NewRecorder(intercept.Kind(transport.DL), 0)
		DeferCleanup(core.Net.Chain().Add("tap", tap.Interceptor()))
		got, err := p.ProvisionTarget(ctx, pd, td)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Confirmed).To(BeFalse())
		pkg, ok := td.Credential()
		Expect(ok).To(BeTrue())
		Expect(pkg.SUPI.String()).To(Equal(got.SUPI))
		seen := false
		for _, pk := range tap.Packets() {
			seen = seen || bytes.Contains(pk.Payload, pkg.K[:])
		}
		Expect(seen).To(BeTrue(), "K crossed the direct link in clear")
		d, err := core.UDR.Get(ctx, got.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(fmt.Sprintf("%x", pkg.K[:])).To(Equal(d.AuthenticationSubscription.EncPermanentKey))

		st, err := p.Status(ctx, pd, got.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.State).To(Equal(provproto.StatePending))
		out, err := p.Deprovision(ctx, pd, got.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.State).To(Equal(provproto.StateRemoved))
		_, err = core.UDR.Get(ctx, got.SUPI)
		Expect(err).To(MatchError(udr.ErrNotFound))
	})

	// Reference: 3gpp.md §6.3 X1 (baseline column: a forged identity deprovisions T).
	It("lets anyone who names the PD deprovision its target", Label(scenarios.ThreatLabel("T3")), func() {
		got, err := p.ProvisionTarget(ctx, pd, td)
		Expect(err).NotTo(HaveOccurred())
		attacker, err := core.NewPD(ctx, profiletest.PDOptions{NoAKMA: true})
		Expect(err).NotTo(HaveOccurred())
		ans, err := attacker.Raw(ctx, baseline.Name, http.MethodDelete, provproto.TargetPath(got.SUPI), nil, claim(pd.SUPI()))
		Expect(err).NotTo(HaveOccurred())
		Expect(ans.Status).To(Equal(http.StatusOK))
		_, err = core.UDR.Get(ctx, got.SUPI)
		Expect(err).To(MatchError(udr.ErrNotFound))
	})

	It("reports refusals as RefusedError and names its variant", func() {
		bare, err := core.NewPD(ctx, profiletest.PDOptions{})
		Expect(err).NotTo(HaveOccurred())
		_, err = p.ProvisionTarget(ctx, bare, td)
		Expect(err).To(MatchError(profile.ErrRefused))
		Expect(p.DirectLink()).To(Equal(dlink.Baseline))
		Expect(p.Name()).To(Equal("baseline"))
	})
})
