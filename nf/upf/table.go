package upf

import (
	"sync"
)

const numShards = 256

// table maps a 32-bit key (a TEID or an IPv4 address) to an immutable rule
// set. Readers take one shard's read lock; writers (N4) replace values
// whole, so a packet sees either the old or the new rules, never a mix.
type table struct {
	shards [numShards]shard
}

type shard struct {
	mu sync.RWMutex
	m  map[uint32]*ruleSet
	_  [32]byte
}

func newTable(sizeHint int) *table {
	t := &table{}
	per := sizeHint / numShards
	for i := range t.shards {
		t.shards[i].m = make(map[uint32]*ruleSet, per)
	}
	return t
}

// shardOf spreads sequential keys (TEIDs, consecutive UE addresses) over shards.
func shardOf(k uint32) uint32 { return (k * 0x9E3779B1) >> 24 }

func (t *table) load(k uint32) *ruleSet {
	s := &t.shards[shardOf(k)]
	s.mu.RLock()
	v := s.m[k]
	s.mu.RUnlock()
	return v
}

func (t *table) store(k uint32, v *ruleSet) {
	s := &t.shards[shardOf(k)]
	s.mu.Lock()
	s.m[k] = v
	s.mu.Unlock()
}

func (t *table) delete(k uint32) {
	s := &t.shards[shardOf(k)]
	s.mu.Lock()
	delete(s.m, k)
	s.mu.Unlock()
}

func (t *table) len() int {
	n := 0
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
