package aanf

import (
	crand "crypto/rand"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
)

// randSource hands out random octets to concurrent procedures without a
// global lock: with no injected reader it is crypto/rand; otherwise a few
// ChaCha8 streams (a cryptographically strong generator) seeded from the
// injected reader, one lock each, picked round robin. A seeded reader thus
// gives reproducible runs when the calls are sequential.
type randSource struct {
	direct  io.Reader
	next    atomic.Uint32
	stripes []randStripe
}

type randStripe struct {
	mu sync.Mutex
	r  *mrand.ChaCha8
	_  [40]byte // keep stripes on separate cache lines
}

func newRandSource(r io.Reader, stripes int) (*randSource, error) {
	if r == nil {
		return &randSource{direct: crand.Reader}, nil
	}
	s := &randSource{stripes: make([]randStripe, stripes)}
	for i := range s.stripes {
		var seed [32]byte
		if _, err := io.ReadFull(r, seed[:]); err != nil {
			return nil, fmt.Errorf("seeding random source: %w", err)
		}
		s.stripes[i].r = mrand.NewChaCha8(seed)
	}
	return s, nil
}

// Read fills p; it never fails.
func (s *randSource) Read(p []byte) (int, error) {
	if s.direct != nil {
		return io.ReadFull(s.direct, p)
	}
	st := &s.stripes[s.next.Add(1)%uint32(len(s.stripes))]
	st.mu.Lock()
	n, err := st.r.Read(p)
	st.mu.Unlock()
	return n, err
}

// uuid returns a random (version 4) UUID, the form of NF instance ids.
func (s *randSource) uuid() string {
	var b [16]byte
	_, _ = s.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
