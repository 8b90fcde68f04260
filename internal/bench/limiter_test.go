package bench

import (
	"context"
	"math"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
)

var _ = Describe("Limiter", func() {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := func(v float64) time.Duration { return time.Duration(math.Round(v * 1e6)) }
	// about: within 2 ns (float rounding).
	about := func(d time.Duration) OmegaMatcher { return BeNumerically("~", d, 2) }

	It("gives successive slots at the rate", func() {
		l := NewLimiter(clock.NewFake(t0), 100, 1, 0)
		Expect(l.ReserveAt(t0)).To(BeZero())
		Expect(l.ReserveAt(t0)).To(about(10 * time.Millisecond))
		Expect(l.ReserveAt(t0)).To(about(20 * time.Millisecond))
		// Time passes: the reserved slots are used up, then the rate goes on.
		Expect(l.ReserveAt(t0.Add(25 * time.Millisecond))).To(about(5 * time.Millisecond))
	})

	It("keeps at most burst tokens after an idle spell", func() {
		l := NewLimiter(clock.NewFake(t0), 100, 5, 0)
		Expect(l.ReserveAt(t0)).To(BeZero())
		later := t0.Add(time.Second)
		for range 5 {
			Expect(l.ReserveAt(later)).To(BeZero())
		}
		Expect(l.ReserveAt(later)).To(about(10 * time.Millisecond))
	})

	It("ramps the rate linearly", func() {
		// rate 100/s over a 1 s ramp: allowance(t) = 50 t^2 tokens.
		l := NewLimiter(clock.NewFake(t0), 100, 1000, time.Second)
		for k := 1; k <= 50; k++ {
			Expect(l.ReserveAt(t0)).To(about(ms(1000*math.Sqrt(float64(k)/50))), "token %d", k)
		}
		// After the ramp the full rate applies: token 51 at 1.01 s.
		Expect(l.ReserveAt(t0)).To(about(ms(1010)))
		Expect(l.Rate(t0.Add(500 * time.Millisecond))).To(BeNumerically("~", 50, 1e-9))
		Expect(l.Rate(t0.Add(2 * time.Second))).To(BeNumerically("==", 100))
	})

	It("stops waiting when the context ends", func() {
		l := NewLimiter(clock.Real{}, 0.001, 1, 0)
		Expect(l.Wait(context.Background())).To(Succeed()) // the first token is there
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		Expect(l.Wait(ctx)).To(MatchError(context.Canceled))
	})
})
