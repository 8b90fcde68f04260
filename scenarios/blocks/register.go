package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue"
)

// RegisterArgs are the arguments of register.
type RegisterArgs struct {
	// ForceSUCI registers with a fresh SUCI even with a 5G-GUTI and a
	// security context at hand.
	ForceSUCI bool `yaml:"force_suci"`
}

// Register runs an initial registration of the actor's UE (TS 24.501
// §5.5.1.2) and waits for its end. A rejection fails the step (use
// `expect: error` or `any`); the saved value is the ue.RegResult either way.
func Register() *scenarios.Block {
	return scenarios.NewAction("register", scenarios.Spec{
		Summary: "initial registration of the actor's UE (SUCI or 5G-GUTI); a reject fails the step",
		Actor:   scenarios.ActorRequired, Roles: ueRoles(), Ifaces: []string{trace.IfaceN1, trace.IfaceN2, trace.IfaceSBI},
	}, func(ctx context.Context, st *scenarios.State, actor string, a *RegisterArgs) (any, error) {
		u, err := UEOf(st, actor)
		if err != nil {
			return nil, err
		}
		res, err := u.RegisterWith(ctx, ue.RegisterOptions{ForceSUCI: a.ForceSUCI})
		if err != nil {
			return res, err
		}
		if !res.Accepted {
			prot := "unprotected"
			if res.Protected {
				prot = "integrity protected"
			}
			cause := res.CauseString()
			if cause == "" {
				cause = "no cause"
			}
			return res, fmt.Errorf("registration not accepted: %s (%s, %s)", res.Reason, cause, prot)
		}
		return res, nil
	})
}
