package smf

import (
	"hash/maphash"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/credbed/credbed/nf/smf/gsm"
)

const storeShards = 64

// smContext is one SM context: the 5GSM state plus what the driver needs
// to talk about it. mu serialises every event of the context (per-session
// ordering); it is held across the context's PFCP and Nudm exchanges and
// released before calls to the AMF.
type smContext struct {
	mu   sync.Mutex
	ref  uint64 // smContextRef and CP SEID
	supi string
	// statusURI is the AMF's smContextStatusUri; amfRoot the apiRoot the
	// SMF calls Namf_Communication at.
	statusURI string
	amfRoot   string
	servingNF string
	c         gsm.Context
}

func (sc *smContext) refString() string { return formatRef(sc.ref) }

func formatRef(r uint64) string { return strconv.FormatUint(r, 16) }

func parseRef(s string) (uint64, bool) {
	if len(s) == 0 || len(s) > 16 {
		return 0, false
	}
	r, err := strconv.ParseUint(s, 16, 64)
	return r, err == nil && r != 0
}

type sessionKey struct {
	supi string
	psi  uint8
}

// store holds the SM contexts by reference and by (SUPI, PDU session id),
// in sharded maps (no global lock).
type store struct {
	seed  maphash.Seed
	byRef [storeShards]refShard
	byUE  [storeShards]ueShard
	count atomic.Int64
}

type refShard struct {
	mu sync.RWMutex
	m  map[uint64]*smContext
	_  [40]byte
}

type ueShard struct {
	mu sync.RWMutex
	m  map[sessionKey]*smContext
	_  [40]byte
}

func newStore() *store {
	s := &store{seed: maphash.MakeSeed()}
	for i := range s.byRef {
		s.byRef[i].m = make(map[uint64]*smContext)
		s.byUE[i].m = make(map[sessionKey]*smContext)
	}
	return s
}

func (s *store) ueShard(supi string) *ueShard {
	return &s.byUE[maphash.String(s.seed, supi)%storeShards]
}

// add inserts sc under a fresh reference; it reports false when ref is taken.
func (s *store) add(sc *smContext) bool {
	rs := &s.byRef[sc.ref%storeShards]
	rs.mu.Lock()
	if _, dup := rs.m[sc.ref]; dup {
		rs.mu.Unlock()
		return false
	}
	rs.m[sc.ref] = sc
	rs.mu.Unlock()
	s.count.Add(1)
	return true
}

// bindUE indexes sc by (SUPI, PSI) and returns the context it replaced.
func (s *store) bindUE(sc *smContext) *smContext {
	k := sessionKey{sc.supi, sc.c.PDUSessionID}
	us := s.ueShard(sc.supi)
	us.mu.Lock()
	old := us.m[k]
	us.m[k] = sc
	us.mu.Unlock()
	if old == sc {
		return nil
	}
	return old
}

func (s *store) get(ref uint64) *smContext {
	rs := &s.byRef[ref%storeShards]
	rs.mu.RLock()
	sc := rs.m[ref]
	rs.mu.RUnlock()
	return sc
}

func (s *store) bySession(supi string, psi uint8) *smContext {
	us := s.ueShard(supi)
	us.mu.RLock()
	sc := us.m[sessionKey{supi, psi}]
	us.mu.RUnlock()
	return sc
}

// ofSUPI returns the SUPI's contexts.
func (s *store) ofSUPI(supi string) []*smContext {
	us := s.ueShard(supi)
	us.mu.RLock()
	defer us.mu.RUnlock()
	var out []*smContext
	for k, sc := range us.m {
		if k.supi == supi {
			out = append(out, sc)
		}
	}
	return out
}

// remove forgets sc (both indexes, only if they still point at sc).
func (s *store) remove(sc *smContext, psi uint8) {
	rs := &s.byRef[sc.ref%storeShards]
	rs.mu.Lock()
	if rs.m[sc.ref] == sc {
		delete(rs.m, sc.ref)
		s.count.Add(-1)
	}
	rs.mu.Unlock()
	k := sessionKey{sc.supi, psi}
	us := s.ueShard(sc.supi)
	us.mu.Lock()
	if us.m[k] == sc {
		delete(us.m, k)
	}
	us.mu.Unlock()
}

func (s *store) len() int { return int(s.count.Load()) }

// each calls f for every context (a snapshot per shard).
func (s *store) each(f func(*smContext)) {
	for i := range s.byRef {
		rs := &s.byRef[i]
		rs.mu.RLock()
		l := make([]*smContext, 0, len(rs.m))
		for _, sc := range rs.m {
			l = append(l, sc)
		}
		rs.mu.RUnlock()
		for _, sc := range l {
			f(sc)
		}
	}
}
