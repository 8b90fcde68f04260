package smf

import (
	"errors"
	"fmt"
	"math/bits"
	"net/netip"
	"sync"
	"sync/atomic"
)

// errPool reports an unusable address pool.
var errPool = errors.New("bad address pool")

// poolStripes is how many independently locked stripes a large pool has,
// so concurrent establishments do not contend on one lock.
const poolStripes = 16

// pool hands out the host addresses of one IPv4 prefix (not the network
// and broadcast addresses). Each stripe is a bitmap over a contiguous range
// with a cursor: 1 bit per address, no per-address allocation.
type pool struct {
	prefix  netip.Prefix
	first   uint32 // first host address
	size    uint32 // number of host addresses
	stripes []stripe
	next    atomic.Uint32
	used    atomic.Int64
}

type stripe struct {
	mu     sync.Mutex
	base   uint32 // offset of the stripe's first address from pool.first
	n      uint32 // addresses in the stripe
	cursor uint32 // next offset (within the stripe) to try
	bits   []uint64
	_      [32]byte // keep stripes on separate cache lines
}

func newPool(p netip.Prefix) (*pool, error) {
	if !p.IsValid() || !p.Addr().Is4() {
		return nil, fmt.Errorf("%w: %v is not an IPv4 prefix", errPool, p)
	}
	if p.Bits() < 8 || p.Bits() > 30 {
		return nil, fmt.Errorf("%w: %v: prefix length must be 8..30", errPool, p)
	}
	p = p.Masked()
	a4 := p.Addr().As4()
	net := uint32(a4[0])<<24 | uint32(a4[1])<<16 | uint32(a4[2])<<8 | uint32(a4[3])
	size := uint32(1)<<(32-p.Bits()) - 2
	ns := uint32(poolStripes)
	if size < 64*ns {
		ns = 1
	}
	pl := &pool{prefix: p, first: net + 1, size: size, stripes: make([]stripe, ns)}
	per := size / ns
	for i := range pl.stripes {
		s := &pl.stripes[i]
		s.base = uint32(i) * per
		s.n = per
		if i == len(pl.stripes)-1 {
			s.n = size - s.base
		}
		s.bits = make([]uint64, (s.n+63)/64)
	}
	return pl, nil
}

// alloc returns a free address, or false when the pool is exhausted.
func (p *pool) alloc() (netip.Addr, bool) {
	start := p.next.Add(1) - 1
	n := uint32(len(p.stripes))
	for i := uint32(0); i < n; i++ {
		s := &p.stripes[(start+i)%n]
		if off, ok := s.take(); ok {
			p.used.Add(1)
			return p.addr(s.base + off), true
		}
	}
	return netip.Addr{}, false
}

// free returns a to the pool; it reports false for an address the pool
// did not hand out.
func (p *pool) free(a netip.Addr) bool {
	if !a.Is4() || !p.prefix.Contains(a) {
		return false
	}
	a4 := a.As4()
	v := uint32(a4[0])<<24 | uint32(a4[1])<<16 | uint32(a4[2])<<8 | uint32(a4[3])
	if v < p.first || v-p.first >= p.size {
		return false
	}
	off := v - p.first
	per := p.stripes[0].n
	idx := off / per
	if idx >= uint32(len(p.stripes)) {
		idx = uint32(len(p.stripes)) - 1
	}
	s := &p.stripes[idx]
	if s.release(off - s.base) {
		p.used.Add(-1)
		return true
	}
	return false
}

// inUse returns the number of allocated addresses.
func (p *pool) inUse() int { return int(p.used.Load()) }

func (p *pool) addr(off uint32) netip.Addr {
	v := p.first + off
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func (s *stripe) take() (uint32, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	words := uint32(len(s.bits))
	w := s.cursor / 64
	for i := uint32(0); i <= words; i++ {
		idx := (w + i) % words
		free := ^s.bits[idx]
		if idx == words-1 && s.n%64 != 0 {
			free &= (uint64(1) << (s.n % 64)) - 1
		}
		if i == 0 {
			// Prefer addresses at or after the cursor in its word.
			if hi := free &^ ((uint64(1) << (s.cursor % 64)) - 1); hi != 0 {
				free = hi
			}
		}
		if free == 0 {
			continue
		}
		bit := uint32(bits.TrailingZeros64(free))
		s.bits[idx] |= 1 << bit
		off := idx*64 + bit
		s.cursor = (off + 1) % s.n
		return off, true
	}
	return 0, false
}

func (s *stripe) release(off uint32) bool {
	if off >= s.n {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	w, b := off/64, off%64
	if s.bits[w]&(1<<b) == 0 {
		return false
	}
	s.bits[w] &^= 1 << b
	return true
}
