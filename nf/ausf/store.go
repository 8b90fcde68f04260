package ausf

import (
	"sync"
	"time"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
)

// authCtx is one authentication in progress (TS 33.501 §6.1.3): what the
// AUSF keeps between the Authenticate request and its confirmation.
type authCtx struct {
	id       string
	supi     string
	snn      string
	authType models.AusfUeAuthenticationAuthType
	expires  time.Time
	rand     [aka.RANDLen]byte
	kausf    aka.Key256
	akma     bool   // the UDM's akmaInd
	rid      string // routing indicator for the A-KID
	realm    string // home network realm for the A-KID

	// 5G AKA
	xresStar [16]byte

	// EAP-AKA'
	eapID  uint8
	kaut   aka.Key256
	xres   []byte
	resync int
}

func (c *authCtx) wipe() {
	clear(c.kausf[:])
	clear(c.xresStar[:])
	clear(c.kaut[:])
	clear(c.xres)
}

const ctxShards = 64

// ctxStore is the sharded map of authentication contexts. A shard is swept
// of expired contexts when a context is added to it and a TTL has passed
// since its last sweep, so expiry costs no timer and no goroutine.
type ctxStore struct {
	ttl    time.Duration
	shards [ctxShards]ctxShard
}

type ctxShard struct {
	mu        sync.Mutex
	m         map[string]*authCtx
	lastSweep time.Time
	_         [32]byte
}

func newCtxStore(ttl time.Duration) *ctxStore {
	s := &ctxStore{ttl: ttl}
	for i := range s.shards {
		s.shards[i].m = make(map[string]*authCtx)
	}
	return s
}

func (s *ctxStore) shard(id string) *ctxShard {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h = (h ^ uint32(id[i])) * 16777619
	}
	return &s.shards[h%ctxShards]
}

// put stores c, which expires ttl after now.
func (s *ctxStore) put(c *authCtx, now time.Time) {
	c.expires = now.Add(s.ttl)
	sh := s.shard(c.id)
	sh.mu.Lock()
	if now.Sub(sh.lastSweep) >= s.ttl {
		for k, v := range sh.m {
			if !now.Before(v.expires) {
				v.wipe()
				delete(sh.m, k)
			}
		}
		sh.lastSweep = now
	}
	sh.m[c.id] = c
	sh.mu.Unlock()
}

// restore puts back a context taken by take, keeping its expiry.
func (s *ctxStore) restore(c *authCtx) {
	sh := s.shard(c.id)
	sh.mu.Lock()
	sh.m[c.id] = c
	sh.mu.Unlock()
}

// take removes and returns the live context id (nil when absent or expired).
func (s *ctxStore) take(id string, now time.Time) *authCtx {
	sh := s.shard(id)
	sh.mu.Lock()
	c := sh.m[id]
	if c != nil {
		delete(sh.m, id)
	}
	sh.mu.Unlock()
	if c != nil && !now.Before(c.expires) {
		c.wipe()
		return nil
	}
	return c
}

// len counts the stored contexts, expired ones included until swept.
func (s *ctxStore) len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}
