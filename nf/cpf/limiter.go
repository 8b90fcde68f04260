package cpf

import (
	"hash/maphash"
	"sync"
	"time"
)

// limiter is a set of token buckets keyed by string (a PD, a source
// address), driven by the injected clock: no timer per key. Buckets that
// are full again are equivalent to absent ones and are dropped when a shard
// grows past its share of the bound. Its state is soft: a restart refills
// every bucket.
type limiter struct {
	burst  float64
	rate   float64 // tokens per second
	max    int     // entries per shard
	seed   maphash.Seed
	shards [limiterShards]limShard
}

const limiterShards = 32

type limShard struct {
	mu sync.Mutex
	m  map[string]bucket
	_  [40]byte
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(burst int, perSecond float64, maxEntries int) *limiter {
	l := &limiter{burst: float64(burst), rate: perSecond, max: max(maxEntries/limiterShards, 16), seed: maphash.MakeSeed()}
	for i := range l.shards {
		l.shards[i].m = make(map[string]bucket)
	}
	return l
}

func (l *limiter) shard(key string) *limShard {
	return &l.shards[maphash.String(l.seed, key)%limiterShards]
}

// refill returns key's bucket at now.
func (l *limiter) refill(s *limShard, key string, now time.Time) bucket {
	b, ok := s.m[key]
	if !ok {
		return bucket{tokens: l.burst, at: now}
	}
	if el := now.Sub(b.at).Seconds(); el > 0 {
		b.tokens = min(l.burst, b.tokens+el*l.rate)
	}
	b.at = now
	return b
}

// take consumes one token from key's bucket. When none is left it reports
// false and how long until one is.
func (l *limiter) take(key string, now time.Time, force bool) (bool, time.Duration) {
	s := l.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	b := l.refill(s, key, now)
	if b.tokens < 1 && !force {
		s.m[key] = b
		return false, l.wait(b)
	}
	b.tokens = max(b.tokens-1, 0)
	if len(s.m) >= l.max {
		l.evict(s, now)
	}
	s.m[key] = b
	return true, 0
}

// peek reports whether key's bucket holds a token, without taking it.
func (l *limiter) peek(key string, now time.Time) (bool, time.Duration) {
	s := l.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.m[key]
	if !ok {
		return true, 0
	}
	b = l.refill(s, key, now)
	if b.tokens < 1 {
		return false, l.wait(b)
	}
	return true, 0
}

func (l *limiter) wait(b bucket) time.Duration {
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// evict drops the buckets that have refilled; if none has, it drops them all
// (bounded memory beats precise limiting under a key-rotating flood).
func (l *limiter) evict(s *limShard, now time.Time) {
	for k := range s.m {
		if l.refill(s, k, now).tokens >= l.burst {
			delete(s.m, k)
		}
	}
	if len(s.m) >= l.max {
		clear(s.m)
	}
}
