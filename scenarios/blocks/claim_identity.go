package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
)

// IdentityClaimer is a rogue provisioning device that can claim another
// identity in what it sends the CPF (its SUPI() returns the claim).
type IdentityClaimer interface {
	ClaimSUPI(supi string)
}

// ClaimIdentityArgs are the arguments of claim_identity.
type ClaimIdentityArgs struct {
	// Of is the actor whose SUPI the rogue PD claims from now on.
	Of scenarios.ActorRef `yaml:"of"`
}

// Validate requires the victim.
func (a *ClaimIdentityArgs) Validate() error {
	if a.Of == "" {
		return fmt.Errorf("of is required (the actor whose identity is claimed)")
	}
	return nil
}

// ClaimIdentity makes a rogue PD claim another device's SUPI in its
// requests to the CPF. A profile that authenticates the PD (AKMA) ignores
// the claim; one that trusts it (baseline) acts for the victim.
func ClaimIdentity() *scenarios.Block {
	return scenarios.NewCapability("claim_identity", scenarios.Spec{
		Summary: "a rogue PD claims another device's SUPI in what it sends the CPF",
		Actor:   scenarios.ActorRequired, Roles: []string{RoleRoguePD}, Ifaces: []string{trace.IfaceAPI},
	}, func(_ context.Context, st *scenarios.State, actor string, a *ClaimIdentityArgs) (any, error) {
		v, err := st.Actor(actor)
		if err != nil {
			return nil, err
		}
		c, ok := v.(IdentityClaimer)
		if !ok {
			return nil, fmt.Errorf("%w: actor %q (%T) cannot claim an identity", scenarios.ErrRole, actor, v)
		}
		_, supi, err := st.Identity(string(a.Of))
		if err != nil {
			return nil, err
		}
		if supi == "" {
			return nil, fmt.Errorf("%q holds no SUPI to claim", a.Of)
		}
		c.ClaimSUPI(supi)
		st.Emit(trace.Event{Kind: trace.KindAttack, Actor: actor, Iface: trace.IfaceAPI, Name: "claim_identity", SUPI: supi,
			Detail: "claims the identity of " + string(a.Of)})
		return supi, nil
	})
}
