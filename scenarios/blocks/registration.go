package blocks

import (
	"context"
	"fmt"
	"strings"

	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue"
)

// RegistrationArgs are the arguments of the registration check.
type RegistrationArgs struct {
	// Step is the save name of a register step.
	Step scenarios.Ref `yaml:"step"`
	// Accepted, Cause ("5GMM#3"), Protected and USIMInvalid must match when set.
	Accepted    *bool  `yaml:"accepted"`
	Cause       string `yaml:"cause"`
	Protected   *bool  `yaml:"protected"`
	USIMInvalid *bool  `yaml:"usim_invalid"`
}

// Validate checks the arguments.
func (a *RegistrationArgs) Validate() error {
	if a.Step == "" {
		return fmt.Errorf("step is required (the save name of a register step)")
	}
	if a.Cause != "" && !strings.HasPrefix(a.Cause, "5GMM#") {
		return fmt.Errorf("cause %q: write it as 5GMM#n", a.Cause)
	}
	return nil
}

// Registration is the check on how a saved registration ended.
func Registration() *scenarios.Block {
	return scenarios.NewCheck("registration", scenarios.Spec{
		Summary: "holds when a saved register step ended as described (accepted, cause, protected, usim_invalid)",
	}, func(_ context.Context, st *scenarios.State, a *RegistrationArgs) (scenarios.Verdict, error) {
		s, err := st.Saved(a.Step)
		if err != nil {
			return scenarios.Verdict{Detail: fmt.Sprintf("step %q did not run", a.Step)}, nil
		}
		r, ok := s.Value.(ue.RegResult)
		if !ok {
			return scenarios.Verdict{Detail: fmt.Sprintf("step %q has no registration result (error: %v)", a.Step, s.Err)}, nil
		}
		got := fmt.Sprintf("accepted=%t cause=%q protected=%t usim_invalid=%t", r.Accepted, r.CauseString(), r.Protected, r.USIMInvalid)
		ok = (a.Accepted == nil || *a.Accepted == r.Accepted) &&
			(a.Cause == "" || a.Cause == r.CauseString()) &&
			(a.Protected == nil || *a.Protected == r.Protected) &&
			(a.USIMInvalid == nil || *a.USIMInvalid == r.USIMInvalid)
		return scenarios.Verdict{OK: ok, Detail: got}, nil
	})
}
