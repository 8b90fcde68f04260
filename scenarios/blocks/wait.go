package blocks

import (
	"context"
	"fmt"
	"time"

	"github.com/credbed/credbed/scenarios"
)

// WaitArgs are the arguments of wait.
type WaitArgs struct {
	// For is how long to let pass on the environment's clock ("30s").
	For time.Duration `yaml:"for"`
}

// Validate checks the duration.
func (a *WaitArgs) Validate() error {
	if a.For < 0 || a.For > 24*time.Hour {
		return fmt.Errorf("for %s out of range [0, 24h]", a.For)
	}
	return nil
}

// Wait lets time pass (advancing the fake clock in mem mode); with no
// duration it waits until no message is in flight.
func Wait() *scenarios.Block {
	return scenarios.NewAction("wait", scenarios.Spec{
		Summary: "let time pass on the environment's clock (timers fire); `for: 0` just settles",
	}, func(ctx context.Context, st *scenarios.State, _ string, a *WaitArgs) (any, error) {
		return nil, st.Wait(ctx, a.For)
	})
}
