package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
)

// TargetStatusArgs are the arguments of target_status.
type TargetStatusArgs struct {
	DeprovisionArgs `yaml:",inline"`
	// State, when set, must be the target's state (pending, confirmed,
	// active, removed).
	State string `yaml:"state"`
}

// TargetStatus asks the CPF, as the actor (a PD), about a target it
// provisioned; with state set, a different state fails the step.
func TargetStatus() *scenarios.Block {
	return scenarios.NewAction("target_status", scenarios.Spec{
		Summary: "the actor (a PD) asks the CPF for a target's state; `state:` makes it an assertion",
		Actor:   scenarios.ActorRequired, Roles: pdRoles(), Ifaces: []string{trace.IfaceAPI},
	}, func(ctx context.Context, st *scenarios.State, actor string, a *TargetStatusArgs) (any, error) {
		p, err := ProfileOf(st)
		if err != nil {
			return nil, err
		}
		pd, err := PDOf(st, actor)
		if err != nil {
			return nil, err
		}
		supi, err := a.targetSUPI(st)
		if err != nil {
			return nil, err
		}
		s, err := p.Status(ctx, pd, supi)
		if err != nil {
			return s, err
		}
		if a.State != "" && s.State != a.State {
			return s, fmt.Errorf("target %s is %s, want %s", supi, s.State, a.State)
		}
		return s, nil
	})
}
