package blocks

import (
	"context"
	"fmt"
	"strings"

	"github.com/credbed/credbed/scenarios"
)

// StepResultArgs are the arguments of step_result.
type StepResultArgs struct {
	// Step is the save name of the step.
	Step scenarios.Ref `yaml:"step"`
	// OK is the result wanted (default true: the step succeeded).
	OK *bool `yaml:"ok"`
	// ErrorContains, when set, also requires the step's error to contain it.
	ErrorContains string `yaml:"error_contains"`
}

// Validate checks the arguments.
func (a *StepResultArgs) Validate() error {
	if a.Step == "" {
		return fmt.Errorf("step is required (the save name of a step)")
	}
	if a.ErrorContains != "" && a.OK != nil && *a.OK {
		return fmt.Errorf("error_contains needs ok: false")
	}
	return nil
}

// StepResult is the check on how an earlier step ended (for steps with
// `expect: any`, or an expectation that differs by profile).
func StepResult() *scenarios.Block {
	return scenarios.NewCheck("step_result", scenarios.Spec{
		Summary: "holds when the saved step succeeded (ok: true, the default) or failed (ok: false)",
	}, func(_ context.Context, st *scenarios.State, a *StepResultArgs) (scenarios.Verdict, error) {
		s, err := st.Saved(a.Step)
		if err != nil {
			return scenarios.Verdict{Detail: fmt.Sprintf("step %q did not run", a.Step)}, nil
		}
		wantOK := a.OK == nil && a.ErrorContains == "" || a.OK != nil && *a.OK
		gotOK := s.Err == nil
		detail := fmt.Sprintf("step %d (%s) succeeded", s.Step+1, a.Step)
		if !gotOK {
			detail = fmt.Sprintf("step %d (%s) failed: %v", s.Step+1, a.Step, s.Err)
		}
		ok := wantOK == gotOK
		if ok && a.ErrorContains != "" {
			ok = strings.Contains(s.Err.Error(), a.ErrorContains)
		}
		return scenarios.Verdict{OK: ok, Detail: detail}, nil
	})
}
