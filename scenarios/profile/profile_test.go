package profile_test

import (
	"context"
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/transport/intercept"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/scenarios/profile/baseline"
	"github.com/credbed/credbed/scenarios/profile/builtin"
	"github.com/credbed/credbed/scenarios/profile/profiletest"
	"github.com/credbed/credbed/scenarios/profile/secure"
)

var _ = Describe("the profile registry", func() {
	It("holds the built-in profiles by name", func() {
		r, err := builtin.Registry()
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Names()).To(Equal([]string{"baseline", "secure"}))
		p, ok := r.Lookup("secure")
		Expect(ok).To(BeTrue())
		Expect(p.Name()).To(Equal("secure"))
		_, err = r.Get("nope")
		Expect(err).To(MatchError(profile.ErrUnknown))
		Expect(err.Error()).To(ContainSubstring("baseline"))
	})

	It("refuses duplicate and malformed names", func() {
		r := profile.NewRegistry()
		Expect(r.Register(secure.New())).To(Succeed())
		Expect(r.Register(secure.New())).To(MatchError(profile.ErrRegistry))
		Expect(r.Register(named{Profile: secure.New(), name: "Bad Name"})).To(MatchError(profile.ErrRegistry))
		Expect(r.Register(nil)).To(MatchError(profile.ErrRegistry))
		Expect(r.Register(named{Profile: secure.New(), name: "secure-v2"})).To(Succeed())
		Expect(r.Names()).To(Equal([]string{"secure", "secure-v2"}))
	})

	It("mounts every network half on a CPF under its own name", func() {
		ctx := context.Background()
		core, err := profiletest.NewCore(ctx, profiletest.Options{Seed: GinkgoRandomSeed()})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(core.Close)
		Expect(core.CPF.Profiles()).To(Equal([]string{"baseline", "secure"}))
		Expect(core.Profiles.MountAll(core.CPF)).To(MatchError(cpf.ErrMount), "already mounted")
	})
})

// named renames a profile (a researcher's variant).
type named struct {
	profile.Profile
	name string
}

func (n named) Name() string { return n.name }

// The matrix of DESIGN "solution profiles": the same attack against both
// profiles; the baseline accepts what the secure profile refuses.
var _ = Describe("baseline accepts what secure refuses", Label("provisioning"), func() {
	var (
		ctx      context.Context
		core     *profiletest.Core
		reg      *profile.Registry
		attacker *profiletest.PD
	)

	BeforeEach(func() {
		ctx = context.Background()
		By(fmt.Sprintf("seed %d", GinkgoRandomSeed()))
		var err error
		core, err = profiletest.NewCore(ctx, profiletest.Options{Seed: GinkgoRandomSeed()})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(core.Close)
		reg = core.Profiles
		attacker, err = core.NewPD(ctx, profiletest.PDOptions{NoAKMA: true})
		Expect(err).NotTo(HaveOccurred())
	})

	// setup provisions one target for a fresh, entitled PD with profile p.
	setup := func(p profile.Profile, n int) (*profiletest.PD, *profiletest.TD, profile.Provisioned) {
		GinkgoHelper()
		pd, err := core.NewPD(ctx, profiletest.PDOptions{Entitlement: profiletest.DefaultEntitlement(n)})
		Expect(err).NotTo(HaveOccurred())
		td, err := core.NewTD()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(td.Close)
		Expect(p.PrepareTarget(ctx, td)).To(Succeed())
		got, err := p.ProvisionTarget(ctx, pd, td)
		Expect(err).NotTo(HaveOccurred())
		return pd, td, got
	}

	claimAs := func(pd *profiletest.PD) map[string]string {
		return map[string]string{provproto.HeaderPDIdentity: pd.SUPI()}
	}

	replayLast := func(rec *intercept.Recorder) int {
		GinkgoHelper()
		pkts := rec.Packets()
		Expect(pkts).NotTo(BeEmpty())
		rp, err := core.Net.InjectSBI(ctx, pkts[len(pkts)-1])
		Expect(err).NotTo(HaveOccurred())
		return rp.Status
	}

	DescribeTable("per profile",
		func(attack func(p profile.Profile, n int) int, want map[string]int) {
			for i, name := range reg.Names() {
				p, _ := reg.Lookup(name)
				By(name)
				Expect(attack(p, 10*(i+1))).To(Equal(want[name]), "profile %s", name)
			}
		},
		// Reference: 3gpp.md §6.2 N1 and §6.1 D3 (rogue provisioning under a PD's name).
		Entry("N1: an attacker without keys provisions under a PD's name", Label(scenarios.ThreatLabel("T2"), scenarios.RequirementLabel("R2")),
			func(p profile.Profile, n int) int {
				pd, _, _ := setup(p, n)
				td, err := core.NewTD()
				Expect(err).NotTo(HaveOccurred())
				var body []byte
				if p.Name() == baseline.Name {
					var k provproto.Key
					k[0] = 1
					body, err = provproto.Encode(&provproto.BaselineProvisionRequest{DeviceID: td.Bootstrap().DeviceID, K: k, OPc: k})
				} else {
					body, err = provproto.Encode(&provproto.SecureProvisionRequest{BootstrapURI: td.Bootstrap().URI()})
				}
				Expect(err).NotTo(HaveOccurred())
				ans, err := attacker.Raw(ctx, p.Name(), http.MethodPost, provproto.PathTargets, body, claimAs(pd))
				Expect(err).NotTo(HaveOccurred())
				return ans.Status
			}, map[string]int{secure.Name: http.StatusUnauthorized, baseline.Name: http.StatusCreated}),
		// Reference: 3gpp.md §6.3 X1 (unauthorised deprovisioning, threat T3).
		Entry("X1: an attacker without keys deprovisions a PD's target", Label(scenarios.ThreatLabel("T3"), scenarios.RequirementLabel("R3")),
			func(p profile.Profile, n int) int {
				pd, _, got := setup(p, n)
				ans, err := attacker.Raw(ctx, p.Name(), http.MethodDelete, provproto.TargetPath(got.SUPI), nil, claimAs(pd))
				Expect(err).NotTo(HaveOccurred())
				return ans.Status
			}, map[string]int{secure.Name: http.StatusUnauthorized, baseline.Name: http.StatusOK}),
		// Reference: 3gpp.md §6.3 X2 (a replayed delete after re-provisioning).
		Entry("X2: a captured deprovisioning replayed after the same SUPI was provisioned again", Label(scenarios.ThreatLabel("T3"), scenarios.RequirementLabel("R3")),
			func(p profile.Profile, n int) int {
				pd, td, got := setup(p, n)
				rec := intercept.NewRecorder(intercept.And(intercept.Requests(), intercept.Method(http.MethodDelete), intercept.PathPrefix("/cpf/")), 0)
				stop := core.Net.Chain().Add("capture", rec.Interceptor())
				_, err := p.Deprovision(ctx, pd, got.SUPI)
				stop()
				Expect(err).NotTo(HaveOccurred())
				Expect(td.ArmResponder(p.DirectLink())).To(Succeed())
				again, err := reprovisionSame(ctx, core, p, pd, got.SUPI)
				Expect(err).NotTo(HaveOccurred())
				Expect(again).To(Equal(got.SUPI))
				status := replayLast(rec)
				_, err = core.UDR.Get(ctx, got.SUPI)
				if status == http.StatusOK {
					Expect(err).To(MatchError(udr.ErrNotFound), "the re-provisioned target was falsely removed")
				} else {
					Expect(err).NotTo(HaveOccurred(), "the re-provisioned target is untouched")
				}
				return status
			}, map[string]int{secure.Name: http.StatusConflict, baseline.Name: http.StatusOK}),
		// Reference: 3gpp.md §6.2 N3 (a captured provisioning request replayed).
		Entry("N3: a captured provisioning request replayed after deprovisioning", Label(scenarios.ThreatLabel("T2")),
			func(p profile.Profile, n int) int {
				pd, err := core.NewPD(ctx, profiletest.PDOptions{Entitlement: profiletest.DefaultEntitlement(n)})
				Expect(err).NotTo(HaveOccurred())
				td, err := core.NewTD()
				Expect(err).NotTo(HaveOccurred())
				DeferCleanup(td.Close)
				Expect(p.PrepareTarget(ctx, td)).To(Succeed())
				rec := intercept.NewRecorder(intercept.And(intercept.Requests(), intercept.Method(http.MethodPost), intercept.Path("/cpf/"+p.Name()+provproto.PathTargets)), 0)
				stop := core.Net.Chain().Add("capture", rec.Interceptor())
				got, err := p.ProvisionTarget(ctx, pd, td)
				stop()
				Expect(err).NotTo(HaveOccurred())
				_, err = p.Deprovision(ctx, pd, got.SUPI)
				Expect(err).NotTo(HaveOccurred())
				return replayLast(rec)
			}, map[string]int{secure.Name: http.StatusConflict, baseline.Name: http.StatusCreated}),
	)
})

// reprovisionSame provisions a new target with a requested SUPI through
// the profile's wire protocol (the device halves let the CPF allocate).
func reprovisionSame(ctx context.Context, core *profiletest.Core, p profile.Profile, pd *profiletest.PD, supi string) (string, error) {
	td, err := core.NewTD()
	if err != nil {
		return "", err
	}
	DeferCleanup(td.Close)
	var ans profile.Answer
	if p.Name() == baseline.Name {
		var k provproto.Key
		k[0] = 7
		body, _ := provproto.Encode(&provproto.BaselineProvisionRequest{DeviceID: td.Bootstrap().DeviceID, SUPI: supi, K: k, OPc: k})
		ans, err = pd.Raw(ctx, p.Name(), http.MethodPost, provproto.PathTargets, body, map[string]string{provproto.HeaderPDIdentity: pd.SUPI()})
	} else {
		body, _ := provproto.Encode(&provproto.SecureProvisionRequest{BootstrapURI: td.Bootstrap().URI(), SUPI: supi})
		ans, _, err = pd.Secure(ctx, http.MethodPost, provproto.PathTargets, body, 0, provproto.EncodeOptions{})
	}
	if err != nil {
		return "", err
	}
	var rsp provproto.ProvisionResponse
	if err := ans.Decode("Provision", http.StatusCreated, &rsp); err != nil {
		return "", fmt.Errorf("%w: %s", err, ans.Body)
	}
	return rsp.SUPI, nil
}
