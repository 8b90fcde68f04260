package randx

import (
	crand "crypto/rand"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
)

// Source hands out random octets to concurrent procedures without a
// global lock: with no injected reader it is crypto/rand; otherwise a few
// ChaCha8 streams (a cryptographically strong generator) seeded from the
// injected reader, one lock each, picked round robin. A seeded reader thus
// gives reproducible runs when the calls are sequential.
type Source struct {
	direct  io.Reader
	next    atomic.Uint32
	stripes []stripe
}

type stripe struct {
	mu sync.Mutex
	r  *mrand.ChaCha8
	_  [40]byte // keep stripes on separate cache lines
}

// New splits r into the given number of independently locked streams
// (at least one), reading a 32-octet seed from r for each. A nil r gives
// crypto/rand. The only error is a failed seed read.
func New(r io.Reader, stripes int) (*Source, error) {
	if r == nil {
		return &Source{direct: crand.Reader}, nil
	}
	s := &Source{stripes: make([]stripe, max(stripes, 1))}
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
func (s *Source) Read(p []byte) (int, error) {
	if s.direct != nil {
		return io.ReadFull(s.direct, p)
	}
	st := &s.stripes[s.next.Add(1)%uint32(len(s.stripes))]
	st.mu.Lock()
	n, err := st.r.Read(p)
	st.mu.Unlock()
	return n, err
}

// UUID returns a random version 4 UUID, the form of NF instance ids.
func (s *Source) UUID() string {
	var b [16]byte
	_, _ = s.Read(b[:])
	return UUIDv4(b)
}

// UUIDv4 formats b as a version 4 UUID (RFC 9562 §5.4): the version and
// variant bits are set, the other 122 bits are b's.
func UUIDv4(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
