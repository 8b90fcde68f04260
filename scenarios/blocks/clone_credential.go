package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
)

// CloneCredentialArgs are the arguments of clone_credential.
type CloneCredentialArgs struct {
	// From is the target device whose installed credential is copied.
	From scenarios.ActorRef `yaml:"from"`
}

// Validate requires the source.
func (a *CloneCredentialArgs) Validate() error {
	if a.From == "" {
		return fmt.Errorf("from is required (a target device actor)")
	}
	return nil
}

// CloneCredential models credential extraction from a device without
// secure storage (3gpp.md §6.4 C2) and its use on a second device (C1): the
// target's installed credential is copied into the actor's UE. The saved
// value is the cloned SUPI.
func CloneCredential() *scenarios.Block {
	return scenarios.NewCapability("clone_credential", scenarios.Spec{
		Summary: "copy a target's installed credential into the actor's UE (extraction + clone)",
		Actor:   scenarios.ActorRequired, Roles: attackerRoles(),
	}, func(_ context.Context, st *scenarios.State, actor string, a *CloneCredentialArgs) (any, error) {
		td, err := TDOf(st, string(a.From))
		if err != nil {
			return nil, err
		}
		pkg, ok := td.Credential()
		if !ok {
			return nil, fmt.Errorf("%q holds no credential to clone", a.From)
		}
		u, err := UEOf(st, actor)
		if err != nil {
			return nil, err
		}
		if err := u.InstallPackage(pkg); err != nil {
			return nil, fmt.Errorf("installing the clone: %w", err)
		}
		supi := pkg.SUPI.String()
		st.Emit(trace.Event{Kind: trace.KindAttack, Actor: actor, Name: "clone_credential", SUPI: supi,
			Detail: "credential copied from " + string(a.From)})
		return supi, nil
	})
}
