package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/scenarios"
)

// FloodResultArgs are the arguments of the flood_result check. Every bound
// set must hold.
type FloodResultArgs struct {
	// Step is the save name of a flood step.
	Step scenarios.Ref `yaml:"step"`
	// MinLimited and MaxLimited bound the rate-limited answers (429/503).
	MinLimited *int `yaml:"min_limited"`
	MaxLimited *int `yaml:"max_limited"`
	// MinAdmitted and MaxAdmitted bound the answers that were not rate
	// limited (requests the CPF did work for).
	MinAdmitted *int `yaml:"min_admitted"`
	MaxAdmitted *int `yaml:"max_admitted"`
	// RetryAfter requires every rate-limited answer to carry Retry-After.
	RetryAfter bool `yaml:"retry_after"`
}

// Validate requires the step and one bound.
func (a *FloodResultArgs) Validate() error {
	if a.Step == "" {
		return fmt.Errorf("step is required (the save name of a flood step)")
	}
	if a.MinLimited == nil && a.MaxLimited == nil && a.MinAdmitted == nil && a.MaxAdmitted == nil && !a.RetryAfter {
		return fmt.Errorf("give at least one of min_limited, max_limited, min_admitted, max_admitted, retry_after")
	}
	return nil
}

// FloodResultCheck holds when a saved flood's answers are within the bounds
// (reference/3gpp.md §6.6 S1: 429 with Retry-After, a bounded number of
// admitted requests).
func FloodResultCheck() *scenarios.Block {
	return scenarios.NewCheck("flood_result", scenarios.Spec{
		Summary: "holds when a saved flood's answers are within bounds (rate-limited, admitted, Retry-After)",
	}, func(_ context.Context, st *scenarios.State, a *FloodResultArgs) (scenarios.Verdict, error) {
		s, err := st.Saved(a.Step)
		if err != nil {
			return scenarios.Verdict{Detail: fmt.Sprintf("step %q did not run", a.Step)}, nil
		}
		r, ok := s.Value.(*FloodResult)
		if !ok || r == nil {
			return scenarios.Verdict{Detail: fmt.Sprintf("step %q has no flood result (error: %v)", a.Step, s.Err)}, nil
		}
		in := func(v int, lo, hi *int) bool { return (lo == nil || v >= *lo) && (hi == nil || v <= *hi) }
		ok = in(r.Limited, a.MinLimited, a.MaxLimited) && in(r.Admitted(), a.MinAdmitted, a.MaxAdmitted) &&
			(!a.RetryAfter || r.RetryAfter == r.Limited)
		return scenarios.Verdict{OK: ok, Detail: r.String()}, nil
	})
}
