package bench

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/credbed/credbed/internal/clock"
)

// Limiter is a token bucket on a clock: tokens arrive at Rate per second
// (rising linearly from 0 over Ramp), at most Burst of them wait in the
// bucket, and every arrival takes one. A caller that finds the bucket empty
// reserves the next token and waits for it, so concurrent callers get
// successive arrival slots (tokens may go negative). It is safe for
// concurrent use; the lock is held only to do the arithmetic.
type Limiter struct {
	clk   clock.Clock
	rate  float64 // tokens per second at full rate
	ramp  float64 // seconds
	burst float64

	mu     sync.Mutex
	start  time.Time
	last   float64 // seconds since start of the last refill
	tokens float64
}

// NewLimiter returns a limiter whose time starts now on clk. With no ramp the
// bucket starts with one token (the first arrival goes at once); with a ramp
// it starts empty. rate must be positive; burst below 1 counts as 1.
func NewLimiter(clk clock.Clock, rate float64, burst int, ramp time.Duration) *Limiter {
	l := &Limiter{clk: clk, rate: rate, ramp: ramp.Seconds(), burst: max(float64(burst), 1), start: clk.Now()}
	if l.ramp == 0 {
		l.tokens = 1
	}
	return l
}

// allowance is the number of tokens issued between the start and t seconds.
func (l *Limiter) allowance(t float64) float64 {
	if t <= 0 {
		return 0
	}
	if t < l.ramp {
		return l.rate * t * t / (2 * l.ramp)
	}
	return l.rate*l.ramp/2 + l.rate*(t-l.ramp)
}

// timeOf is the inverse of allowance: the time at which a tokens have been issued.
func (l *Limiter) timeOf(a float64) float64 {
	if a <= 0 {
		return 0
	}
	if rampTokens := l.rate * l.ramp / 2; a < rampTokens {
		return math.Sqrt(2 * l.ramp * a / l.rate)
	}
	return l.ramp + (a-l.rate*l.ramp/2)/l.rate
}

// Reserve takes the next token and returns how long to wait before using it.
func (l *Limiter) Reserve() time.Duration { return l.ReserveAt(l.clk.Now()) }

// ReserveAt is Reserve at time now (tests drive it with explicit times).
func (l *Limiter) ReserveAt(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := now.Sub(l.start).Seconds()
	if t > l.last {
		l.tokens = min(l.tokens+l.allowance(t)-l.allowance(l.last), l.burst)
		l.last = t
	}
	l.tokens--
	if l.tokens >= 0 {
		return 0
	}
	at := l.timeOf(l.allowance(l.last) - l.tokens)
	wait := at - t
	if wait <= 0 {
		return 0
	}
	return time.Duration(math.Round(wait * 1e9))
}

// Wait blocks until the caller may go, or ctx ends.
func (l *Limiter) Wait(ctx context.Context) error {
	d := l.Reserve()
	if d <= 0 {
		return ctx.Err()
	}
	ch := make(chan struct{})
	t := l.clk.AfterFunc(d, func() { close(ch) })
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		t.Stop()
		return ctx.Err()
	}
}

// Rate returns the rate at time now (tokens per second).
func (l *Limiter) Rate(now time.Time) float64 {
	t := now.Sub(l.start).Seconds()
	if l.ramp > 0 && t < l.ramp {
		return l.rate * max(t, 0) / l.ramp
	}
	return l.rate
}
