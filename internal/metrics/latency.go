package metrics

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// histogram is a fixed-bucket latency histogram updated with atomics.
type histogram struct {
	bounds []int64         // upper bounds in nanoseconds, shared by all histograms
	counts []atomic.Uint64 // len(bounds)+1, the last one is +Inf
	sumNS  atomic.Int64
}

func newHistogram(bounds []int64) *histogram {
	return &histogram{bounds: bounds, counts: make([]atomic.Uint64, len(bounds)+1)}
}

func (h *histogram) observe(d int64) {
	if d < 0 {
		d = 0
	}
	i := 0
	for i < len(h.bounds) && d > h.bounds[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sumNS.Add(d)
}

// snapshot returns the count, the sum in seconds and the cumulative bucket
// counts keyed by upper bound in seconds.
func (h *histogram) snapshot(boundsSec []float64) (uint64, float64, map[float64]uint64) {
	b := make(map[float64]uint64, len(boundsSec))
	var cum uint64
	for i, ub := range boundsSec {
		cum += h.counts[i].Load()
		b[ub] = cum
	}
	cum += h.counts[len(boundsSec)].Load()
	return cum, float64(h.sumNS.Load()) / 1e9, b
}

// pendKey identifies what a start is waiting for: an SBI answer (proc 0:
// Actor, Peer, Name, SUPI) or the end of procedure proc-1 (Actor, SUPI).
type pendKey struct {
	proc                    int32
	actor, peer, name, supi string
}

// pendQ is the FIFO of start times of one key.
type pendQ struct {
	key  pendKey
	next *pendQ // next queue with the same key hash
	ts   []int64
	head int
}

const pendShards = 64

// pending holds the start times awaiting their end. Its memory is bounded by
// MaxPending start times (plus the keys and queues reused from a free list).
type pending struct {
	seed     maphash.Seed
	perShard int
	timeout  int64
	shards   [pendShards]pendShard

	noStart   atomic.Uint64 // an end without a start
	evicted   atomic.Uint64 // starts forgotten: too many per key, or older than timeout when full
	untracked atomic.Uint64 // starts not kept: table full of recent starts
}

type pendShard struct {
	mu        sync.Mutex
	m         map[uint64]*pendQ
	n         int
	lastSweep int64
	swept     bool
	free      []*pendQ
	_         [32]byte
}

func newPending(maxPending int, timeoutNS int64) *pending {
	p := &pending{seed: maphash.MakeSeed(), perShard: max(1, maxPending/pendShards), timeout: timeoutNS}
	for i := range p.shards {
		p.shards[i].m = map[uint64]*pendQ{}
	}
	return p
}

func (p *pending) hash(k *pendKey) uint64 {
	h := maphash.String(p.seed, k.actor) + uint64(k.proc)
	h = h*prime ^ maphash.String(p.seed, k.name)
	if k.supi != "" {
		h = h*prime ^ maphash.String(p.seed, k.supi)
	}
	if k.peer != "" {
		h = h*prime ^ maphash.String(p.seed, k.peer)
	}
	return h
}

func (sh *pendShard) lookup(h uint64, k *pendKey) *pendQ {
	for q := sh.m[h]; q != nil; q = q.next {
		if q.key == *k {
			return q
		}
	}
	return nil
}

// remove unlinks q (stored under h) and keeps it for reuse.
func (sh *pendShard) remove(h uint64, q *pendQ) {
	head := sh.m[h]
	switch {
	case head == q && q.next == nil:
		delete(sh.m, h)
	case head == q:
		sh.m[h] = q.next
	default:
		for prev := head; prev != nil; prev = prev.next {
			if prev.next == q {
				prev.next = q.next
				break
			}
		}
	}
	q.key, q.next, q.ts, q.head = pendKey{}, nil, q.ts[:0], 0
	if cap(q.ts) > 8 {
		q.ts = nil
	}
	if len(sh.free) < 64 {
		sh.free = append(sh.free, q)
	}
}

// push records a start at now; if keepFirst and one is already waiting for
// k, the earlier start is kept (a retransmitted request does not restart
// the clock) unless it is older than the timeout.
func (p *pending) push(k pendKey, now int64, keepFirst bool) {
	h := p.hash(&k)
	sh := &p.shards[h>>58]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	q := sh.lookup(h, &k)
	if q != nil && keepFirst {
		if now-q.ts[q.head] <= p.timeout {
			return
		}
		q.ts[q.head] = now // a stale start (its end was never seen) is replaced
		p.evicted.Add(1)
		return
	}
	if sh.n >= p.perShard {
		if !p.sweep(sh, now) {
			p.untracked.Add(1)
			return
		}
		q = sh.lookup(h, &k) // the sweep may have removed it
	}
	if q == nil {
		if n := len(sh.free); n > 0 {
			q = sh.free[n-1]
			sh.free = sh.free[:n-1]
		} else {
			q = &pendQ{}
		}
		q.key, q.next = k, sh.m[h]
		sh.m[h] = q
	}
	if len(q.ts)-q.head >= MaxPerKey {
		q.head++
		sh.n--
		p.evicted.Add(1)
	}
	if q.head > 0 && len(q.ts) == cap(q.ts) {
		q.ts = q.ts[:copy(q.ts, q.ts[q.head:])]
		q.head = 0
	}
	q.ts = append(q.ts, now)
	sh.n++
}

// pop returns the oldest start of k.
func (p *pending) pop(k pendKey) (int64, bool) {
	h := p.hash(&k)
	sh := &p.shards[h>>58]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	q := sh.lookup(h, &k)
	if q == nil {
		p.noStart.Add(1)
		return 0, false
	}
	t := q.ts[q.head]
	q.head++
	sh.n--
	if q.head == len(q.ts) {
		sh.remove(h, q)
	}
	return t, true
}

// sweep forgets the starts of sh older than the timeout, at most once per
// half timeout of event time; it reports whether room was made.
func (p *pending) sweep(sh *pendShard, now int64) bool {
	if sh.swept && now-sh.lastSweep < p.timeout/2 {
		return false
	}
	sh.swept, sh.lastSweep = true, now
	var empty []*pendQ
	var hashes []uint64
	for h, head := range sh.m {
		for q := head; q != nil; q = q.next {
			for q.head < len(q.ts) && now-q.ts[q.head] > p.timeout {
				q.head++
				sh.n--
				p.evicted.Add(1)
			}
			if q.head == len(q.ts) {
				empty, hashes = append(empty, q), append(hashes, h)
			}
		}
	}
	for i, q := range empty {
		sh.remove(hashes[i], q)
	}
	return sh.n < p.perShard
}

// size returns the number of start times held.
func (p *pending) size() int {
	n := 0
	for i := range p.shards {
		sh := &p.shards[i]
		sh.mu.Lock()
		n += sh.n
		sh.mu.Unlock()
	}
	return n
}
