package bench

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Crypto floor", func() {
	// Reference: TS 33.501 §6.1.3.2, §6.12, §6.4.3 (the set's two sides must agree)
	It("runs a tiny number of complete registration crypto sets", func() {
		st, err := MeasureCryptoFloor(context.Background(), Options{CryptoSets: 3, Seed: GinkgoRandomSeed()})
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Sets).To(BeEquivalentTo(3))
		Expect(st.Workers).To(BeNumerically(">=", 1))
		Expect(st.PerSecond()).To(BeNumerically(">", 0))
		ps, err := CryptoFloor(context.Background(), Options{CryptoSets: 1, Seed: GinkgoRandomSeed()})
		Expect(err).NotTo(HaveOccurred())
		Expect(ps).To(BeNumerically(">", 0))
	})

	It("runs many sets per worker with fresh SQNs and NAS COUNTs", func() {
		kit := mustKit()
		for range 40 { // more than the 32 USIM SQN array entries
			Expect(kit.set()).To(Succeed())
		}
	})

	It("stops when the context ends", func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		st, err := MeasureCryptoFloor(ctx, Options{CryptoSets: 100})
		Expect(err).To(MatchError(context.Canceled))
		Expect(st.Sets).To(BeZero())
	})
})

func mustKit() *cryptoKit {
	GinkgoHelper()
	seed := newSeeder(GinkgoRandomSeed(), "test")
	ring, hnPub, err := homeNetworkKey(seed)
	Expect(err).NotTo(HaveOccurred())
	kit, err := newCryptoKit(0, ring, hnPub, seed.stream(1))
	Expect(err).NotTo(HaveOccurred())
	return kit
}
