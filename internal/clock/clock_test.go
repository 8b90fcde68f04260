package clock_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
)

var _ = Describe("Fake", func() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var c *clock.Fake
	BeforeEach(func() { c = clock.NewFake(start) })

	It("runs due timers in deadline order, in registration order on ties, and moves Now", func() {
		var fired []string
		c.AfterFunc(3*time.Second, func() { fired = append(fired, "3s") })
		c.AfterFunc(time.Second, func() { fired = append(fired, "1s-a") })
		c.AfterFunc(time.Second, func() { fired = append(fired, "1s-b") })
		c.AfterFunc(5*time.Second, func() { fired = append(fired, "5s") })
		c.Advance(3 * time.Second)
		Expect(fired).To(Equal([]string{"1s-a", "1s-b", "3s"}))
		Expect(c.Now()).To(Equal(start.Add(3 * time.Second)))
		Expect(c.Pending()).To(Equal(1))
	})

	It("lets a timer see its own deadline as Now and schedule more", func() {
		var at []time.Time
		c.AfterFunc(time.Second, func() {
			at = append(at, c.Now())
			c.AfterFunc(time.Second, func() { at = append(at, c.Now()) })
		})
		c.Advance(5 * time.Second)
		Expect(at).To(Equal([]time.Time{start.Add(time.Second), start.Add(2 * time.Second)}))
	})

	It("does not run a stopped timer", func() {
		n := 0
		t := c.AfterFunc(time.Second, func() { n++ })
		Expect(t.Stop()).To(BeTrue())
		Expect(t.Stop()).To(BeFalse())
		c.Advance(time.Minute)
		Expect(n).To(BeZero())
		Expect(c.Pending()).To(BeZero())
	})

	Describe("Next", func() {
		It("reports nothing without pending timers", func() {
			_, ok := c.Next()
			Expect(ok).To(BeFalse())
		})

		It("returns the earliest pending deadline, whatever the registration order", func() {
			c.AfterFunc(7*time.Second, func() {})
			c.AfterFunc(2*time.Second, func() {})
			c.AfterFunc(4*time.Second, func() {})
			at, ok := c.Next()
			Expect(ok).To(BeTrue())
			Expect(at).To(Equal(start.Add(2 * time.Second)))
		})

		It("skips stopped and fired timers", func() {
			first := c.AfterFunc(time.Second, func() {})
			c.AfterFunc(2*time.Second, func() {})
			c.AfterFunc(3*time.Second, func() {})
			first.Stop()
			at, _ := c.Next()
			Expect(at).To(Equal(start.Add(2 * time.Second)))
			c.Advance(2 * time.Second)
			at, ok := c.Next()
			Expect(ok).To(BeTrue())
			Expect(at).To(Equal(start.Add(3 * time.Second)))
			c.Advance(time.Second)
			_, ok = c.Next()
			Expect(ok).To(BeFalse())
		})

		It("lets a driver jump from timer to timer, firing one at a time", func() {
			var fired []time.Duration
			for _, d := range []time.Duration{5 * time.Second, time.Second, 3 * time.Second} {
				c.AfterFunc(d, func() { fired = append(fired, d) })
			}
			for i := 1; ; i++ {
				at, ok := c.Next()
				if !ok {
					break
				}
				c.Advance(at.Sub(c.Now()))
				Expect(fired).To(HaveLen(i))
			}
			Expect(fired).To(Equal([]time.Duration{time.Second, 3 * time.Second, 5 * time.Second}))
			Expect(c.Now()).To(Equal(start.Add(5 * time.Second)))
		})

		It("counts a timer due now", func() {
			c.AfterFunc(0, func() {})
			at, ok := c.Next()
			Expect(ok).To(BeTrue())
			Expect(at).To(Equal(start))
		})
	})
})
