package bench

import (
	"context"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Testbed lifecycler", Label("provisioning"), func() {
	// Reference: DESIGN reference flow steps 1-9 (PD already registered) and performance targets
	It("runs every prepared lifecycle through the testbed", func() {
		opts := Options{UEs: 12, Lifecycles: 12, Concurrency: 3, Seed: GinkgoRandomSeed()}
		lc, err := TestbedLifecycler(context.Background(), opts)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(closeTarget(lc)).To(Succeed()) })
		st, err := Lifecycles(context.Background(), opts, lc)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Errors).To(BeEmpty())
		Expect(st.OK).To(BeEquivalentTo(12))
		Expect(st.PerSecond()).To(BeNumerically(">", 0))
	})

	It("refuses an unknown profile", func() {
		_, err := TestbedLifecycler(context.Background(), Options{UEs: 1, Profile: "no-such-profile"})
		Expect(err).To(HaveOccurred())
	})

	It("is what TestbedTargets offers for lifecycles", func() {
		Expect(TestbedTargets().Lifecycler).NotTo(BeNil())
	})
})

// BenchmarkTestbedLifecycle measures full lifecycles (steps 1-9, PDs
// connected) on a mem testbed with DefaultConcurrency workers.
func BenchmarkTestbedLifecycle(b *testing.B) {
	opts := Options{UEs: b.N, Lifecycles: b.N, Concurrency: DefaultConcurrency, Seed: 1}
	lc, err := TestbedLifecycler(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer closeTarget(lc)
	if err := lc.Prepare(context.Background(), b.N); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	st := RunLoad(context.Background(), loadSpec(opts, b.N), lc.Lifecycle)
	b.StopTimer()
	if st.Failed > 0 {
		b.Fatalf("%d lifecycles failed: %v", st.Failed, st.Errors)
	}
	b.ReportMetric(st.PerSecond(), "lifecycles/s")
}
