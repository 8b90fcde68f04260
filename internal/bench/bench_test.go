package bench

import (
	"testing"
)

// BenchmarkCryptoSet: one complete per-registration crypto set on one core
// (the unit of the crypto floor).
func BenchmarkCryptoSet(b *testing.B) {
	seed := newSeeder(1, "bench")
	ring, hnPub, err := homeNetworkKey(seed)
	if err != nil {
		b.Fatal(err)
	}
	kit, err := newCryptoKit(0, ring, hnPub, seed.stream(1))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := kit.set(); err != nil {
			b.Fatal(err)
		}
	}
}
