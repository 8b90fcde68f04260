package bedenv_test

import (
	"context"
	"errors"
	"testing"
	"time"

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

	// Reference: DESIGN.md (mem mode deterministic; fake clock in the embedded bed)
	It("runs a mem-mode bed on a SimClock the runner drives, and net mode or WallClock on the wall clock", func() {
		env, err := bedenv.New(context.Background(), cfg(), bedenv.Options{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(env.Close)
		sc, ok := env.Clock().(*bedenv.SimClock)
		Expect(ok).To(BeTrue(), "%T", env.Clock())
		var _ scenarios.Advancer = sc
		var _ scenarios.NextTimer = sc
		var _ scenarios.Settler = env
		Expect(env.Bed.Trace.Events()[0].At).To(Equal(sc.Now()), "the bed's trace is stamped by the same clock")

		// Advancing by hand fires the bed's timers at once.
		fired := make(chan time.Time, 1)
		sc.AfterFunc(time.Hour, func() { fired <- sc.Now() })
		start := sc.Now()
		sc.Advance(time.Hour)
		Expect(fired).To(Receive(Equal(start.Add(time.Hour))))
		Expect(env.Settle(context.Background())).To(Succeed())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		Expect(env.Settle(ctx)).To(MatchError(context.Canceled))

		wall, err := bedenv.New(context.Background(), cfg(), bedenv.Options{WallClock: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(wall.Close)
		Expect(wall.Clock()).To(Equal(clock.Real{}))
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
