package aanf

import (
	"sync"
	"time"

	"github.com/credbed/credbed/internal/aka"
)

// akmaCtx is one AKMA context (TS 33.535 §6.1).
type akmaCtx struct {
	supi       string
	akid       string
	kakma      aka.Key256
	registered time.Time
}

const shards = 64

// ctxStore keeps AKMA contexts by A-KID and the current A-KID of each
// SUPI, each in sharded maps. Lock order: a SUPI shard, then an A-KID
// shard; an A-KID shard is never held while taking a SUPI shard.
type ctxStore struct {
	byAKID [shards]akidShard
	bySUPI [shards]supiShard
}

type akidShard struct {
	mu sync.Mutex
	m  map[string]*akmaCtx
	_  [40]byte
}

type supiShard struct {
	mu sync.Mutex
	m  map[string]string
	_  [40]byte
}

func newCtxStore() *ctxStore {
	s := &ctxStore{}
	for i := range shards {
		s.byAKID[i].m = make(map[string]*akmaCtx)
		s.bySUPI[i].m = make(map[string]string)
	}
	return s
}

func hash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h % shards
}

// put stores c as the SUPI's context, replacing (and wiping) an older one.
// It reports whether an older context was replaced.
func (s *ctxStore) put(c *akmaCtx) bool {
	ss := &s.bySUPI[hash(c.supi)]
	ss.mu.Lock()
	defer ss.mu.Unlock()
	old, had := ss.m[c.supi]
	ss.m[c.supi] = c.akid
	if had && old != c.akid {
		s.deleteAKID(old)
	}
	as := &s.byAKID[hash(c.akid)]
	as.mu.Lock()
	if prev := as.m[c.akid]; prev != nil && prev != c {
		clear(prev.kakma[:])
	}
	as.m[c.akid] = c
	as.mu.Unlock()
	return had
}

func (s *ctxStore) deleteAKID(akid string) {
	as := &s.byAKID[hash(akid)]
	as.mu.Lock()
	if c := as.m[akid]; c != nil {
		clear(c.kakma[:])
		delete(as.m, akid)
	}
	as.mu.Unlock()
}

// get returns a copy of the context of akid.
func (s *ctxStore) get(akid string) (akmaCtx, bool) {
	as := &s.byAKID[hash(akid)]
	as.mu.Lock()
	defer as.mu.Unlock()
	c := as.m[akid]
	if c == nil {
		return akmaCtx{}, false
	}
	return *c, true
}

// remove deletes the SUPI's context; it reports whether there was one.
func (s *ctxStore) remove(supi string) bool {
	ss := &s.bySUPI[hash(supi)]
	ss.mu.Lock()
	defer ss.mu.Unlock()
	akid, ok := ss.m[supi]
	if !ok {
		return false
	}
	delete(ss.m, supi)
	s.deleteAKID(akid)
	return true
}

func (s *ctxStore) len() int {
	n := 0
	for i := range shards {
		s.byAKID[i].mu.Lock()
		n += len(s.byAKID[i].m)
		s.byAKID[i].mu.Unlock()
	}
	return n
}
