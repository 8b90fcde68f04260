package bench

import (
	"math/rand/v2"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Histogram", func() {
	It("is empty at first", func() {
		h := NewHistogram()
		Expect(h.Count()).To(BeZero())
		Expect(h.Quantile(0.99)).To(BeZero())
		Expect(h.Max()).To(BeZero())
		Expect(h.Min()).To(BeZero())
		Expect(h.Mean()).To(BeZero())
	})

	It("keeps small values exact", func() {
		h := NewHistogram()
		for v := range 100 {
			h.Record(time.Duration(v + 1))
		}
		Expect(h.Quantile(0.5)).To(Equal(time.Duration(50)))
		Expect(h.Quantile(0.99)).To(Equal(time.Duration(99)))
		Expect(h.Quantile(1)).To(Equal(time.Duration(100)))
		Expect(h.Quantile(0)).To(Equal(time.Duration(1)))
		Expect(h.Min()).To(Equal(time.Duration(1)))
	})

	It("gives percentiles within 1% over a wide range", func() {
		h := NewHistogram()
		for v := 1; v <= 1000; v++ {
			h.Record(time.Duration(v) * time.Millisecond)
		}
		Expect(h.Count()).To(BeEquivalentTo(1000))
		for _, c := range []struct {
			q    float64
			want time.Duration
		}{{0.5, 500 * time.Millisecond}, {0.9, 900 * time.Millisecond}, {0.99, 990 * time.Millisecond}} {
			got := h.Quantile(c.q)
			Expect(got).To(BeNumerically(">=", c.want), "q=%v", c.q)
			Expect(float64(got)).To(BeNumerically("<=", float64(c.want)*1.01), "q=%v", c.q)
		}
		Expect(h.Quantile(1)).To(Equal(time.Second))
		Expect(h.Max()).To(Equal(time.Second))
		Expect(h.Mean()).To(Equal(500500 * time.Microsecond))
	})

	It("merges", func() {
		a, b := NewHistogram(), NewHistogram()
		for v := 1; v <= 50; v++ {
			a.Record(time.Duration(v) * time.Microsecond)
			b.Record(time.Duration(v+50) * time.Microsecond)
		}
		a.Merge(b)
		a.Merge(NewHistogram())
		Expect(a.Count()).To(BeEquivalentTo(100))
		Expect(a.Min()).To(Equal(time.Microsecond))
		Expect(a.Max()).To(Equal(100 * time.Microsecond))
		Expect(a.Quantile(0.5)).To(BeNumerically("~", 50*time.Microsecond, 500*time.Nanosecond))
	})

	It("counts negative durations as zero and takes huge ones", func() {
		h := NewHistogram()
		h.Record(-time.Second)
		h.Record(time.Duration(1<<63 - 1))
		Expect(h.Min()).To(BeZero())
		Expect(h.Quantile(1)).To(Equal(time.Duration(1<<63 - 1)))
	})

	It("puts every value in a bucket whose bounds hold it", func() {
		r := rand.New(rand.NewPCG(uint64(GinkgoRandomSeed()), 1))
		for range 10000 {
			v := r.Int64N(1 << uint(r.IntN(62)+1))
			i := bucketOf(v)
			Expect(i).To(BeNumerically("<", numBuckets))
			Expect(bucketHigh(i)).To(BeNumerically(">=", v))
			if i > 0 {
				Expect(bucketHigh(i - 1)).To(BeNumerically("<", v))
			}
			// Relative bucket width stays under 1/2^subBits.
			if v >= subCount {
				Expect(float64(bucketHigh(i)-v) / float64(v)).To(BeNumerically("<", 1.0/subCount))
			}
		}
	})
})
