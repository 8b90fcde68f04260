package dlink

import (
	"errors"
	"fmt"
)

// Fragment layout: every frame travels as 1 to 255 fragments, each a 4-byte
// header and a slice of the frame:
//
//	offset  size  field
//	0       1     magic 0xD1 (direct link, fragment format 1)
//	1       1     message sequence number (per sender, wraps)
//	2       1     fragment index (0-based)
//	3       1     fragment count (1..255)
//	4       n     payload (at most MTU - 4 bytes)
const (
	FragmentMagic      = 0xD1
	FragmentHeaderSize = 4
	MaxFragments       = 255
)

// Fragment errors (all wrap ErrMalformed).
var (
	ErrFragment = errors.New("dlink: bad fragment")
)

// Fragment splits frame into fragments of at most mtu bytes.
func Fragment(frame []byte, mtu int, seq uint8) ([][]byte, error) {
	room := mtu - FragmentHeaderSize
	if room < 1 {
		return nil, fmt.Errorf("dlink: MTU %d too small", mtu)
	}
	n := max(1, (len(frame)+room-1)/room)
	if n > MaxFragments {
		return nil, fmt.Errorf("%w: %d bytes need %d fragments at MTU %d", ErrTooLarge, len(frame), n, mtu)
	}
	out := make([][]byte, 0, n)
	for i := range n {
		part := frame[min(i*room, len(frame)):min((i+1)*room, len(frame))]
		f := make([]byte, FragmentHeaderSize, FragmentHeaderSize+len(part))
		f[0], f[1], f[2], f[3] = FragmentMagic, seq, byte(i), byte(n)
		out = append(out, append(f, part...))
	}
	return out, nil
}

// Reassembler rebuilds the frames of one sender. It holds at most one
// message in progress: a fragment of another sequence number (or count)
// starts a new message and drops the old one. Duplicate fragments are
// ignored. The zero value is ready (MaxFrame defaults to MaxFrameSize).
type Reassembler struct {
	MaxFrame int

	seq   uint8
	count int
	have  int
	size  int
	parts [][]byte
}

// Push adds one fragment; it returns the frame once complete, or nil.
func (r *Reassembler) Push(frag []byte) ([]byte, error) {
	if len(frag) < FragmentHeaderSize {
		return nil, fmt.Errorf("%w: %w: %d bytes", ErrMalformed, ErrFragment, len(frag))
	}
	if frag[0] != FragmentMagic {
		return nil, fmt.Errorf("%w: %w: magic 0x%02x", ErrMalformed, ErrFragment, frag[0])
	}
	seq, idx, count := frag[1], int(frag[2]), int(frag[3])
	if count == 0 || idx >= count {
		return nil, fmt.Errorf("%w: %w: index %d of %d", ErrMalformed, ErrFragment, idx, count)
	}
	limit := r.MaxFrame
	if limit <= 0 {
		limit = MaxFrameSize
	}
	payload := frag[FragmentHeaderSize:]
	if count == 1 {
		r.reset()
		if len(payload) > limit {
			return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(payload))
		}
		return append([]byte(nil), payload...), nil
	}
	if r.parts == nil || seq != r.seq || count != r.count {
		r.reset()
		r.seq, r.count = seq, count
		r.parts = make([][]byte, count)
	}
	if r.parts[idx] != nil {
		return nil, nil
	}
	if r.size+len(payload) > limit {
		r.reset()
		return nil, fmt.Errorf("%w: reassembled frame over %d bytes", ErrTooLarge, limit)
	}
	r.parts[idx] = append(make([]byte, 0, len(payload)), payload...)
	r.have++
	r.size += len(payload)
	if r.have < r.count {
		return nil, nil
	}
	out := make([]byte, 0, r.size)
	for _, p := range r.parts {
		out = append(out, p...)
	}
	r.reset()
	return out, nil
}

func (r *Reassembler) reset() {
	r.parts, r.count, r.have, r.size = nil, 0, 0, 0
}
