package bedenv_test

import (
	"context"
	"errors"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/bedenv"
	"github.com/credbed/credbed/scenarios/blocks"
	"github.com/credbed/credbed/testbed"
)

func TestBedenv(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "scenarios/bedenv")
}

var _ = Describe("bedenv", func() {
	cfg := func(actors ...scenarios.ActorSpec) scenarios.EnvConfig {
		return scenarios.EnvConfig{Scenario: "T", Profile: "secure", Mode: "mem", Seed: GinkgoRandomSeed(), Actors: actors}
	}

	It("builds a bed with UE, attacker and rogue gNB actors, node addresses and the bed's invariants", func() {
		GinkgoWriter.Printf("seed %d\n", GinkgoRandomSeed())
		c := cfg(scenarios.ActorSpec{Name: "ue1", Role: blocks.RoleUE}, scenarios.ActorSpec{Name: "eve", Role: blocks.RoleAttacker},
			scenarios.ActorSpec{Name: "fake", Role: blocks.RoleRogueGNB})
		hooked := false
		c.OnNetwork = func(transport.Network, clock.Clock) { hooked = true }
		env, err := bedenv.New(context.Background(), c, bedenv.Options{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(env.Close)
		Expect(hooked).To(BeTrue())
		Expect(env.Profile().Name()).To(Equal("secure"))
		for _, name := range []string{"ue1", "eve"} {
			v, err := env.Actor(name)
			Expect(err).NotTo(HaveOccurred())
			d, ok := v.(*bedenv.Device)
			Expect(ok).To(BeTrue())
			Expect(d.UE()).NotTo(BeNil())
			Expect(d.TraceName()).To(Equal(name))
		}
		ue1, _ := env.Actor("ue1")
		Expect(ue1.(scenarios.Identity).SUPI()).To(HavePrefix("imsi-00101"))
		eve, _ := env.Actor("eve")
		Expect(eve.(scenarios.Identity).SUPI()).To(BeEmpty(), "an attacker starts with an empty slot")
		fake, _ := env.Actor("fake")
		Expect(fake).To(BeAssignableToTypeOf(&bedenv.LinkActor{}))
		_, err = env.Actor("nobody")
		Expect(err).To(HaveOccurred())
		amf, ok := env.Addr("amf")
		Expect(ok).To(BeTrue())
		Expect(amf.String()).To(Equal("127.0.0.18"))
		_, ok = env.Addr("mars")
		Expect(ok).To(BeFalse())
		var names []string
		for _, inv := range env.Invariants() {
			names = append(names, inv.Name)
			Expect(inv.Check(context.Background(), nil)).To(Succeed())
		}
		Expect(names).To(ContainElements(testbed.InvNASIntegrity, testbed.InvKSEAFAfterRES, testbed.InvNoCredentialAfterDeprovisioning))
	})

	It("says which roles it cannot build yet, and refuses unknown profiles", func() {
		_, err := bedenv.New(context.Background(), cfg(scenarios.ActorSpec{Name: "w", Role: "wizard"}), bedenv.Options{})
		Expect(errors.Is(err, bedenv.ErrNotReady)).To(BeTrue())
		Expect(err).To(MatchError(ContainSubstring("wizard")))
		c := cfg()
		c.Profile = "paranoid"
		_, err = bedenv.New(context.Background(), c, bedenv.Options{})
		Expect(err).To(MatchError(ContainSubstring("paranoid")))
	})
})
