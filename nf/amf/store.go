package amf

import (
	"hash/maphash"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/nf/amf/gmm"
)

const numShards = 64

// shardMap is a map split in shards with one lock each, so that no lock is
// global on the hot path.
type shardMap[K comparable, V any] struct {
	seed   maphash.Seed
	shards [numShards]struct {
		mu sync.RWMutex
		m  map[K]V
	}
}

func newShardMap[K comparable, V any]() *shardMap[K, V] {
	s := &shardMap[K, V]{seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i].m = make(map[K]V)
	}
	return s
}

func (s *shardMap[K, V]) shard(k K) *struct {
	mu sync.RWMutex
	m  map[K]V
} {
	return &s.shards[maphash.Comparable(s.seed, k)%numShards]
}

func (s *shardMap[K, V]) load(k K) (V, bool) {
	sh := s.shard(k)
	sh.mu.RLock()
	v, ok := sh.m[k]
	sh.mu.RUnlock()
	return v, ok
}

func (s *shardMap[K, V]) store(k K, v V) {
	sh := s.shard(k)
	sh.mu.Lock()
	sh.m[k] = v
	sh.mu.Unlock()
}

// swap stores v and returns the previous value.
func (s *shardMap[K, V]) swap(k K, v V) (V, bool) {
	sh := s.shard(k)
	sh.mu.Lock()
	old, ok := sh.m[k]
	sh.m[k] = v
	sh.mu.Unlock()
	return old, ok
}

// deleteIf removes k when its value satisfies match.
func (s *shardMap[K, V]) deleteIf(k K, match func(V) bool) {
	sh := s.shard(k)
	sh.mu.Lock()
	if v, ok := sh.m[k]; ok && match(v) {
		delete(sh.m, k)
	}
	sh.mu.Unlock()
}

// replaceIf sets k to v when its current value satisfies match.
func (s *shardMap[K, V]) replaceIf(k K, v V, match func(V) bool) {
	sh := s.shard(k)
	sh.mu.Lock()
	if cur, ok := sh.m[k]; ok && match(cur) {
		sh.m[k] = v
	}
	sh.mu.Unlock()
}

func (s *shardMap[K, V]) len() int {
	n := 0
	for i := range s.shards {
		s.shards[i].mu.RLock()
		n += len(s.shards[i].m)
		s.shards[i].mu.RUnlock()
	}
	return n
}

func (s *shardMap[K, V]) each(f func(K, V)) {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		for k, v := range sh.m {
			f(k, v)
		}
		sh.mu.RUnlock()
	}
}

// ranKey identifies a UE association on the RAN side: the gNB's N2 address
// and its RAN UE NGAP ID.
type ranKey struct {
	gnb netip.AddrPort
	id  uint32
}

// ueEntry is one UE context: the 5GMM value and the driver's bookkeeping.
// mu is held by the worker while it handles an event of this UE; index
// keys are kept here because the 5GMM value wipes itself on deletion.
type ueEntry struct {
	mu     sync.Mutex
	id     uint64 // AMF UE NGAP ID; also picks the worker
	gnb    netip.AddrPort
	ranID  uint32
	stream uint16
	hasRAN bool
	gone   bool

	supi    string
	tmsi    uint32
	hasTMSI bool

	u      gmm.UE
	timers [gmm.NumTimers]clock.Timer
	sm     []smSession // PDU sessions (n11.go); nil for most UEs

	// reachable mirrors "registered and connected" for readers that must
	// not take mu (the N1N2MessageTransfer handler).
	reachable atomic.Bool
}

func (e *ueEntry) ranKey() ranKey { return ranKey{gnb: e.gnb, id: e.ranID} }

// contexts holds every UE context and its indexes.
type contexts struct {
	byID   *shardMap[uint64, *ueEntry]
	byRAN  *shardMap[ranKey, uint64]
	byTMSI *shardMap[uint32, uint64]
	bySUPI *shardMap[string, uint64]
}

func newContexts() *contexts {
	return &contexts{
		byID:   newShardMap[uint64, *ueEntry](),
		byRAN:  newShardMap[ranKey, uint64](),
		byTMSI: newShardMap[uint32, uint64](),
		bySUPI: newShardMap[string, uint64](),
	}
}

func is(id uint64) func(uint64) bool { return func(v uint64) bool { return v == id } }

// entries snapshots every context (the shard locks are released before the
// caller locks any entry: a worker holding an entry may need a shard lock).
func (c *contexts) entries() []*ueEntry {
	var es []*ueEntry
	c.byID.each(func(_ uint64, e *ueEntry) { es = append(es, e) })
	return es
}
