package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue/roles"
)

// Connector is an actor that registers and opens its PDU session in one
// call (the testbed's provisioning and target devices).
type Connector interface {
	Connect(ctx context.Context) (roles.Connection, error)
}

// ConnectArgs are the arguments of connect (none).
type ConnectArgs struct{}

// Connect registers the actor's device unless it is registered and opens
// a PDU session with a user plane unless it has one (DESIGN step 1 for a
// PD, step 7 for a TD). The saved value is the roles.Connection.
func Connect() *scenarios.Block {
	return scenarios.NewAction("connect", scenarios.Spec{
		Summary: "register the actor's device and open its PDU session (each unless already done)",
		Actor:   scenarios.ActorRequired, Roles: ueRoles(),
		Ifaces: []string{trace.IfaceN1, trace.IfaceN2, trace.IfaceN3, trace.IfaceN4},
	}, func(ctx context.Context, st *scenarios.State, actor string, _ *ConnectArgs) (any, error) {
		v, err := st.Actor(actor)
		if err != nil {
			return nil, err
		}
		if c, ok := v.(Connector); ok {
			return c.Connect(ctx)
		}
		u, err := UEOf(st, actor)
		if err != nil {
			return nil, fmt.Errorf("%w: actor %q (%T) cannot connect", scenarios.ErrRole, actor, v)
		}
		return roles.Connect(ctx, u, "internet", defaultSNSSAI())
	})
}
