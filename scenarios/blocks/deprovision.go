package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/profile"
)

// DeprovisionArgs are the arguments of deprovision: which target, by
// actor (its installed credential's SUPI), by a saved provision step, or
// by SUPI.
type DeprovisionArgs struct {
	Target      scenarios.ActorRef `yaml:"target"`
	Provisioned scenarios.Ref      `yaml:"provisioned"`
	SUPI        string             `yaml:"supi"`
}

// Validate requires exactly one way to name the target.
func (a *DeprovisionArgs) Validate() error {
	n := 0
	for _, set := range []bool{a.Target != "", a.Provisioned != "", a.SUPI != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("name the target with exactly one of target, provisioned, supi")
	}
	return nil
}

// targetSUPI resolves the SUPI a deprovision (or status) names.
func (a *DeprovisionArgs) targetSUPI(st *scenarios.State) (string, error) {
	switch {
	case a.SUPI != "":
		return a.SUPI, nil
	case a.Provisioned != "":
		v, err := st.Value(a.Provisioned)
		if err != nil {
			return "", err
		}
		p, ok := v.(profile.Provisioned)
		if !ok {
			return "", fmt.Errorf("%q is not a provision result (%T)", a.Provisioned, v)
		}
		return p.SUPI, nil
	}
	td, err := TDOf(st, string(a.Target))
	if err != nil {
		return "", err
	}
	pkg, ok := td.Credential()
	if !ok {
		if _, supi, err := st.Identity(string(a.Target)); err == nil && supi != "" {
			return supi, nil
		}
		return "", fmt.Errorf("target %q holds no credential", a.Target)
	}
	return pkg.SUPI.String(), nil
}

// Deprovision runs the profile's deprovisioning from the actor (a PD)
// through the network (DESIGN step 8). The saved value is the
// profile.Deprovisioned; a CPF refusal fails the step.
func Deprovision() *scenarios.Block {
	return scenarios.NewAction("deprovision", scenarios.Spec{
		Summary: "the actor (a PD) deprovisions a target through the network with the run's profile",
		Actor:   scenarios.ActorRequired, Roles: pdRoles(), Ifaces: []string{trace.IfaceAPI, trace.IfaceSBI},
	}, func(ctx context.Context, st *scenarios.State, actor string, a *DeprovisionArgs) (any, error) {
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
		return p.Deprovision(ctx, pd, supi)
	})
}
