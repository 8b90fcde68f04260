package dlink

import "time"

// RateLimit bounds handshake attempts at a target device (threats D10, S3):
// at most Attempts AuthRequests that pass the cheap bootstrap-hash check are
// processed per Window; the next one locks the TD out for Backoff, doubling
// with each consecutive lockout up to MaxBackoff. A successful provisioning
// resets the limiter. While locked out the TD answers RATE_LIMITED without
// doing any ECDH.
type RateLimit struct {
	Attempts   int
	Window     time.Duration
	Backoff    time.Duration
	MaxBackoff time.Duration
}

// Default rate limit values.
const (
	DefaultAttempts   = 5
	DefaultWindow     = 30 * time.Second
	DefaultBackoff    = 30 * time.Second
	DefaultMaxBackoff = 10 * time.Minute
)

func (l *RateLimit) fill() {
	if l.Attempts <= 0 {
		l.Attempts = DefaultAttempts
	}
	if l.Window <= 0 {
		l.Window = DefaultWindow
	}
	if l.Backoff <= 0 {
		l.Backoff = DefaultBackoff
	}
	if l.MaxBackoff < l.Backoff {
		l.MaxBackoff = max(DefaultMaxBackoff, l.Backoff)
	}
}

type limiter struct {
	cfg         RateLimit
	windowStart time.Time
	count       int
	lockedUntil time.Time
	nextBackoff time.Duration
}

func newLimiter(cfg RateLimit) limiter {
	cfg.fill()
	return limiter{cfg: cfg, nextBackoff: cfg.Backoff}
}

// allow counts one attempt at now and reports whether it may proceed.
func (l *limiter) allow(now time.Time) bool {
	if now.Before(l.lockedUntil) {
		return false
	}
	if l.windowStart.IsZero() || now.Sub(l.windowStart) >= l.cfg.Window {
		l.windowStart, l.count = now, 0
	}
	l.count++
	if l.count <= l.cfg.Attempts {
		return true
	}
	l.lockedUntil = now.Add(l.nextBackoff)
	l.nextBackoff = min(2*l.nextBackoff, l.cfg.MaxBackoff)
	l.windowStart, l.count = time.Time{}, 0
	return false
}

func (l *limiter) reset() {
	l.windowStart, l.count, l.lockedUntil, l.nextBackoff = time.Time{}, 0, time.Time{}, l.cfg.Backoff
}
