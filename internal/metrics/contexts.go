package metrics

import (
	"hash/maphash"
	"sync"

	"github.com/credbed/credbed/internal/trace"
)

const ctxShards = 64

// contexts tracks the state of every keyed context as an 8-byte hash of its
// key mapped to the gauge series of its current state (about 24-40 B per
// live context with the map's overhead). Key-less contexts are only counted.
type contexts struct {
	seed   maphash.Seed
	shards [ctxShards]ctxShard
}

type ctxShard struct {
	mu sync.Mutex
	m  map[uint64]*series
	_  [48]byte
}

func newContexts() *contexts {
	c := &contexts{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = map[uint64]*series{}
	}
	return c
}

// mix is the 64-bit finaliser of SplitMix64.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}

// key returns the context key of a state event (see conventions.go) and
// whether it has one.
func (c *contexts) key(e *trace.Event) (uint64, bool) {
	var id string
	var tag uint64
	switch {
	case perInstanceActor(e.Actor):
		tag = 1
	case e.SUPI != "":
		id, tag = e.SUPI, 2
	case e.Peer != "":
		id, tag = e.Peer, 3
	default:
		return 0, false
	}
	h := mix(maphash.String(c.seed, e.Actor) + tag)
	h = mix(h ^ maphash.String(c.seed, e.Iface))
	return mix(h ^ maphash.String(c.seed, id)), true
}

// set moves the context k to state s (nil: the context ended) and returns
// its previous state, if it was tracked.
func (c *contexts) set(k uint64, s *series) (*series, bool) {
	sh := &c.shards[k%ctxShards]
	sh.mu.Lock()
	old, ok := sh.m[k]
	if s == nil {
		if ok {
			delete(sh.m, k)
		}
	} else if old != s {
		sh.m[k] = s
	}
	sh.mu.Unlock()
	return old, ok
}

// len returns the number of tracked keyed contexts.
func (c *contexts) len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// state applies a KindState event to the context gauges.
func (col *Collector) state(nf string, e *trace.Event) {
	next := col.t.get(seriesKey{fam: famContexts, a: nf, b: e.Name})
	if k, keyed := col.ctx.key(e); keyed {
		target := next
		if next.end {
			target = nil
		}
		old, tracked := col.ctx.set(k, target)
		switch {
		case tracked && old == next:
			return
		case tracked:
			old.g.Add(-1)
		default:
			// first sighting: the context may have been counted key-less
			// (an AMF context before its SUPI was known)
			col.leaveFree(nf, e.Detail)
		}
		if !next.end {
			next.g.Add(1)
		}
		return
	}
	col.leaveFree(nf, e.Detail)
	if !next.end {
		next.free.Add(1)
		next.g.Add(1)
	}
}

// leaveFree takes one key-less context out of the state that detail names.
func (col *Collector) leaveFree(nf, detail string) {
	if detail == "" {
		return
	}
	if s := col.t.find(seriesKey{fam: famContexts, a: nf, b: detail}); s != nil {
		s.takeFree()
		return
	}
	if tok := firstToken(detail); len(tok) < len(detail) {
		if s := col.t.find(seriesKey{fam: famContexts, a: nf, b: tok}); s != nil {
			s.takeFree()
		}
	}
}
