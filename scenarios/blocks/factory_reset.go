package blocks

import (
	"context"

	"github.com/credbed/credbed/scenarios"
)

// FactoryResetArgs are the arguments of factory_reset (none).
type FactoryResetArgs struct{}

// FactoryReset wipes the actor's credential and contexts (3gpp.md §6.7 L3).
func FactoryReset() *scenarios.Block {
	return scenarios.NewAction("factory_reset", scenarios.Spec{
		Summary: "wipe the actor's credential, security context and GUTI (factory reset)",
		Actor:   scenarios.ActorRequired, Roles: ueRoles(),
	}, func(_ context.Context, st *scenarios.State, actor string, _ *FactoryResetArgs) (any, error) {
		if v, err := st.Actor(actor); err == nil {
			if r, ok := v.(interface{ FactoryReset() }); ok { // a device role wipes its responder too
				r.FactoryReset()
				return nil, nil
			}
		}
		u, err := UEOf(st, actor)
		if err != nil {
			return nil, err
		}
		u.FactoryReset()
		return nil, nil
	})
}
