package bench

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Testbed registrar", func() {
	// Reference: TS 23.502 §4.2.2.2.2 (initial registration), TS 33.501 §6.1.3.2, §6.7.2
	It("registers every prepared UE through the testbed", func() {
		opts := Options{UEs: 8, Concurrency: 4, Seed: GinkgoRandomSeed()}
		reg, err := TestbedRegistrar(context.Background(), opts)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { Expect(closeTarget(reg)).To(Succeed()) })
		st, err := Registrations(context.Background(), opts, reg)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Errors).To(BeEmpty())
		Expect(st.OK).To(BeEquivalentTo(8))
		Expect(st.Latency.Count()).To(BeEquivalentTo(8))
		Expect(st.HeapAfter).To(BeNumerically(">", 0))
	})

	It("is what TestbedTargets offers for registrations", func() {
		t := TestbedTargets()
		Expect(t.Registrar).NotTo(BeNil())
	})
})
