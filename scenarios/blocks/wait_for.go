package blocks

import (
	"context"
	"fmt"
	"time"

	"github.com/credbed/credbed/scenarios"
)

// WaitForArgs are the arguments of wait_for.
type WaitForArgs struct {
	EventMatch `yaml:",inline"`
	// Within bounds the wait on the environment's clock (default 10s).
	Within time.Duration `yaml:"within"`
}

// DefaultWaitFor is wait_for's default bound.
const DefaultWaitFor = 10 * time.Second

// Validate checks the arguments and fills the default bound.
func (a *WaitForArgs) Validate() error {
	if err := a.EventMatch.Validate(); err != nil {
		return err
	}
	if a.Within == 0 {
		a.Within = DefaultWaitFor
	}
	if a.Within < 0 || a.Within > 24*time.Hour {
		return fmt.Errorf("within %s out of range", a.Within)
	}
	return nil
}

// WaitFor waits until a matching trace event exists (earlier ones count:
// use `after:` to wait for a new one) and returns it.
func WaitFor() *scenarios.Block {
	return scenarios.NewAction("wait_for", scenarios.Spec{
		Summary: "wait (on the environment's clock) until a matching trace event exists; fails after `within`",
	}, func(ctx context.Context, st *scenarios.State, _ string, a *WaitForArgs) (any, error) {
		pred, err := a.Predicate(st)
		if err != nil {
			return nil, err
		}
		e, err := st.WaitFor(ctx, pred, 0, a.Within)
		if err != nil {
			return nil, fmt.Errorf("waiting for %s: %w", a.EventMatch.String(), err)
		}
		return e, nil
	})
}
