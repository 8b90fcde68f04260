package blocks

import (
	"fmt"

	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/ue"
)

// UEActor is an actor value that is, or drives, an emulated UE (UEs, PDs
// and TDs of the testbed). A value that is a *ue.UE works as well.
type UEActor interface {
	UE() *ue.UE
}

// UEOf returns the UE behind an actor.
func UEOf(st *scenarios.State, actor string) (*ue.UE, error) {
	v, err := st.Actor(actor)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case *ue.UE:
		return x, nil
	case UEActor:
		if u := x.UE(); u != nil {
			return u, nil
		}
	}
	return nil, fmt.Errorf("%w: actor %q (%T) has no UE", scenarios.ErrRole, actor, v)
}

// ProfileEnv is an Env that runs a solution profile (the testbed does).
type ProfileEnv interface {
	Profile() profile.Profile
}

// ProfileOf returns the profile the environment runs.
func ProfileOf(st *scenarios.State) (profile.Profile, error) {
	pe, ok := st.Env().(ProfileEnv)
	if !ok {
		return nil, fmt.Errorf("%w: the environment runs no solution profile", scenarios.ErrUnsupported)
	}
	p := pe.Profile()
	if p == nil {
		return nil, fmt.Errorf("%w: no solution profile %q", scenarios.ErrUnsupported, st.Profile())
	}
	return p, nil
}

// PDOf returns an actor as a provisioning device of the profile API.
func PDOf(st *scenarios.State, actor string) (profile.PD, error) {
	v, err := st.Actor(actor)
	if err != nil {
		return nil, err
	}
	pd, ok := v.(profile.PD)
	if !ok {
		return nil, fmt.Errorf("%w: actor %q (%T) cannot act as a provisioning device", scenarios.ErrRole, actor, v)
	}
	return pd, nil
}

// TDOf returns an actor as a target device of the profile API.
func TDOf(st *scenarios.State, actor string) (profile.TD, error) {
	v, err := st.Actor(actor)
	if err != nil {
		return nil, err
	}
	td, ok := v.(profile.TD)
	if !ok {
		return nil, fmt.Errorf("%w: actor %q (%T) cannot act as a target device", scenarios.ErrRole, actor, v)
	}
	return td, nil
}

// ueRoles may run UE actions.
func ueRoles() []string {
	return []string{RoleUE, RoleProvisioningDevice, RoleTargetDevice, RoleAttacker, RoleRoguePD, RoleRogueTD}
}

// pdRoles may run the PD side of a profile.
func pdRoles() []string { return []string{RoleProvisioningDevice, RoleRoguePD} }
