package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// DuplicateArgs are the arguments of duplicate.
type DuplicateArgs struct {
	Selector `yaml:",inline"`
	// Copies is the number of extra copies (default 1).
	Copies int `yaml:"copies"`
}

// Validate fills the default.
func (a *DuplicateArgs) Validate() error {
	if err := a.Selector.Validate(); err != nil {
		return err
	}
	if a.Copies == 0 {
		a.Copies = 1
	}
	if a.Copies < 0 || a.Copies > 100 {
		return fmt.Errorf("copies %d out of range [1, 100]", a.Copies)
	}
	return nil
}

// Duplicate delivers the selected packets, then copies marked Injected.
func Duplicate() *scenarios.Block {
	return scenarios.NewCapability("duplicate", AttackSpec(
		"deliver the selected packets, then `copies` more (marked injected)",
	), func(_ context.Context, st *scenarios.State, actor string, a *DuplicateArgs) (any, error) {
		what := fmt.Sprintf("duplicated x%d", a.Copies)
		return InstallSelected(st, &a.Selector, trace.KindAttack, actor, "duplicate", func(rep *Reporter, p transport.Packet) []transport.Packet {
			rep.Act(p, what)
			out := []transport.Packet{p}
			for range a.Copies {
				d := p.Clone()
				d.Injected = true
				out = append(out, d)
			}
			return out
		})
	})
}
