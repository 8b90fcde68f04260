package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/profile"
)

// HoldsCredentialArgs are the arguments of holds_credential.
type HoldsCredentialArgs struct {
	// Actor is the device whose installed credential is looked at (a
	// target device, or any actor played by a UE).
	Actor scenarios.ActorRef `yaml:"actor"`
	// Exactly one of: Provisioned, the save name of a step whose value
	// names a SUPI (a provision, a rogue_provision, a steal_credential or
	// clone_credential step); SUPI literally; None, the device holds no
	// credential at all.
	Provisioned scenarios.Ref `yaml:"provisioned"`
	SUPI        string        `yaml:"supi"`
	None        bool          `yaml:"none"`
}

// Validate requires the actor and exactly one expectation.
func (a *HoldsCredentialArgs) Validate() error {
	if a.Actor == "" {
		return fmt.Errorf("actor is required")
	}
	n := 0
	for _, set := range []bool{a.Provisioned != "", a.SUPI != "", a.None} {
		if set {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("give exactly one of provisioned, supi, none")
	}
	return nil
}

// installedSUPI returns the SUPI of the credential an actor holds ("" for none).
func installedSUPI(st *scenarios.State, actor string) (string, error) {
	if td, err := TDOf(st, actor); err == nil {
		if pkg, ok := td.Credential(); ok {
			return pkg.SUPI.String(), nil
		}
		return "", nil
	}
	u, err := UEOf(st, actor)
	if err != nil {
		return "", err
	}
	if s := u.SUPI(); !s.IsZero() {
		return s.String(), nil
	}
	return "", nil
}

// savedSUPI returns the SUPI a saved step's value names.
func savedSUPI(st *scenarios.State, ref scenarios.Ref) (string, error) {
	v, err := st.Value(ref)
	if err != nil {
		return "", err
	}
	switch x := v.(type) {
	case profile.Provisioned:
		return x.SUPI, nil
	case string:
		return x, nil
	case fmt.Stringer:
		return x.String(), nil
	}
	return "", fmt.Errorf("%q names no SUPI (%T)", ref, v)
}

// HoldsCredential is the check on which credential a device holds now: the
// one a saved step provisioned, a given SUPI, or none (e.g. after a
// rejected, tampered or replayed delivery, or a factory reset).
func HoldsCredential() *scenarios.Block {
	return scenarios.NewCheck("holds_credential", scenarios.Spec{
		Summary: "holds when the actor's installed credential is the one a saved step names (provisioned), a SUPI, or none",
	}, func(_ context.Context, st *scenarios.State, a *HoldsCredentialArgs) (scenarios.Verdict, error) {
		got, err := installedSUPI(st, string(a.Actor))
		if err != nil {
			return scenarios.Verdict{}, err
		}
		desc := "no credential"
		if got != "" {
			desc = "credential " + got
		}
		switch {
		case a.None:
			return scenarios.Verdict{OK: got == "", Detail: fmt.Sprintf("%s holds %s", a.Actor, desc)}, nil
		case a.SUPI != "":
			return scenarios.Verdict{OK: got == a.SUPI, Detail: fmt.Sprintf("%s holds %s, want %s", a.Actor, desc, a.SUPI)}, nil
		}
		want, err := savedSUPI(st, a.Provisioned)
		if err != nil {
			return scenarios.Verdict{Detail: fmt.Sprintf("%s holds %s; %v", a.Actor, desc, err)}, nil
		}
		return scenarios.Verdict{OK: got != "" && got == want,
			Detail: fmt.Sprintf("%s holds %s, %s provisioned %s", a.Actor, desc, a.Provisioned, want)}, nil
	})
}
