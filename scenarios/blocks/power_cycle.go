package blocks

import (
	"context"

	"github.com/credbed/credbed/scenarios"
)

// PowerCycleArgs are the arguments of power_cycle (none).
type PowerCycleArgs struct{}

// PowerCycle switches the actor's UE off and on without de-registering.
func PowerCycle() *scenarios.Block {
	return scenarios.NewAction("power_cycle", scenarios.Spec{
		Summary: "switch the actor's UE off and on (no de-registration; USIM and security context survive)",
		Actor:   scenarios.ActorRequired, Roles: ueRoles(),
	}, func(_ context.Context, st *scenarios.State, actor string, _ *PowerCycleArgs) (any, error) {
		u, err := UEOf(st, actor)
		if err != nil {
			return nil, err
		}
		u.PowerCycle()
		return nil, nil
	})
}
