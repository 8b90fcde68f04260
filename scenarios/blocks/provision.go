package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue/dlink"
)

// ProvisionArgs are the arguments of provision.
type ProvisionArgs struct {
	// Target is the target device actor.
	Target scenarios.ActorRef `yaml:"target"`
}

// Validate requires the target.
func (a *ProvisionArgs) Validate() error {
	if a.Target == "" {
		return fmt.Errorf("target is required")
	}
	return nil
}

// Provision runs the profile's provisioning from the actor (a PD) to the
// target (DESIGN steps 4-6: request to the CPF over the PD's PDU session,
// delivery over the direct link, confirmation). The saved value is the
// profile.Provisioned; a CPF refusal or a direct-link failure fails the step.
func Provision() *scenarios.Block {
	return scenarios.NewAction("provision", scenarios.Spec{
		Summary: "the actor (a PD) provisions the target with the run's solution profile",
		Actor:   scenarios.ActorRequired, Roles: pdRoles(), Ifaces: []string{trace.IfaceDL, trace.IfaceAPI},
	}, func(ctx context.Context, st *scenarios.State, actor string, a *ProvisionArgs) (any, error) {
		p, err := ProfileOf(st)
		if err != nil {
			return nil, err
		}
		pd, err := PDOf(st, actor)
		if err != nil {
			return nil, err
		}
		td, err := TDOf(st, string(a.Target))
		if err != nil {
			return nil, err
		}
		res, err := p.ProvisionTarget(ctx, pd, td)
		if p.DirectLink() == dlink.Baseline {
			// The plaintext credential crossed the direct link (and the capture).
			st.MarkCapture(fmt.Sprintf("profile %s sends the credential in clear on the direct link", p.Name()))
		}
		return res, err
	})
}
