package blocks

import (
	"context"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
)

// DeregisterArgs are the arguments of deregister.
type DeregisterArgs struct {
	// SwitchOff sends a switch-off de-registration (no accept awaited).
	SwitchOff bool `yaml:"switch_off"`
}

// Deregister runs a UE-originating de-registration (TS 24.501 §5.5.2.2).
func Deregister() *scenarios.Block {
	return scenarios.NewAction("deregister", scenarios.Spec{
		Summary: "UE-originating de-registration of the actor's UE",
		Actor:   scenarios.ActorRequired, Roles: ueRoles(), Ifaces: []string{trace.IfaceN1, trace.IfaceN2},
	}, func(ctx context.Context, st *scenarios.State, actor string, a *DeregisterArgs) (any, error) {
		u, err := UEOf(st, actor)
		if err != nil {
			return nil, err
		}
		return nil, u.Deregister(ctx, a.SwitchOff)
	})
}
