package blocks

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// BitFlipArgs are the arguments of bit_flip.
type BitFlipArgs struct {
	Selector `yaml:",inline"`
	// Bits are bit positions to flip (0 = the most significant bit of byte
	// 0; negative positions count from the end of the payload).
	Bits []int `yaml:"bits"`
	// Random flips this many distinct random bits (from the run's seed) at
	// or after byte Offset (to spare headers).
	Random int `yaml:"random"`
	Offset int `yaml:"offset"`
}

// Validate requires bits or random.
func (a *BitFlipArgs) Validate() error {
	if err := a.Selector.Validate(); err != nil {
		return err
	}
	if (len(a.Bits) == 0) == (a.Random == 0) {
		return fmt.Errorf("give either bits or random")
	}
	if a.Random < 0 || a.Random > 1024 || a.Offset < 0 {
		return fmt.Errorf("random must be in [1, 1024] and offset not negative")
	}
	return nil
}

// BitFlip flips bits of the selected packets (tampering: integrity checks
// must catch it).
func BitFlip() *scenarios.Block {
	return scenarios.NewCapability("bit_flip", AttackSpec(
		"flip given or random (seeded) bits in the selected packets",
	), func(_ context.Context, st *scenarios.State, actor string, a *BitFlipArgs) (any, error) {
		var mu sync.Mutex
		rnd := st.NewRand()
		return InstallSelected(st, &a.Selector, trace.KindAttack, actor, "bit_flip", func(rep *Reporter, p transport.Packet) []transport.Packet {
			q := p.Clone()
			nbits := len(q.Payload) * 8
			var flipped []string
			flip := func(pos int) {
				q.Payload[pos/8] ^= 0x80 >> (pos % 8)
				flipped = append(flipped, fmt.Sprint(pos))
			}
			for _, b := range a.Bits {
				if b < 0 {
					b += nbits
				}
				if b >= 0 && b < nbits {
					flip(b)
				}
			}
			if a.Random > 0 {
				lo := a.Offset * 8
				if span := nbits - lo; span > 0 {
					mu.Lock()
					seen := map[int]bool{}
					for len(seen) < min(a.Random, span) {
						pos := lo + rnd.IntN(span)
						if !seen[pos] {
							seen[pos] = true
							flip(pos)
						}
					}
					mu.Unlock()
				}
			}
			rep.Act(p, "flipped bits "+strings.Join(flipped, ","))
			return []transport.Packet{q}
		})
	})
}
