package blocks

import (
	"context"
	"fmt"
	"time"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/internal/transport/intercept"
	"github.com/credbed/credbed/scenarios"
)

// DelayArgs are the arguments of delay.
type DelayArgs struct {
	Selector `yaml:",inline"`
	// By is the delay on the environment's clock.
	By time.Duration `yaml:"by"`
}

// Validate requires a positive delay.
func (a *DelayArgs) Validate() error {
	if err := a.Selector.Validate(); err != nil {
		return err
	}
	if a.By <= 0 || a.By > time.Hour {
		return fmt.Errorf("by %s: want a delay in (0, 1h]", a.By)
	}
	return nil
}

// Delay holds the selected packets for a while, then re-injects them (a
// delayed SBI request fails its caller at once and reaches the server later).
func Delay() *scenarios.Block {
	return scenarios.NewCapability("delay", AttackSpec(
		"hold the selected packets for `by`, then deliver them (re-injected)",
	), func(_ context.Context, st *scenarios.State, actor string, a *DelayArgs) (any, error) {
		m, err := a.Match(st)
		if err != nil {
			return nil, err
		}
		m = a.Limit(m)
		rep := NewReporter(st, trace.KindAttack, actor, "delay")
		what := fmt.Sprintf("delayed by %s", a.By)
		sel := func(p transport.Packet) bool {
			if m(p) {
				rep.Act(p, what)
				return true
			}
			return false
		}
		f := intercept.Delay(st.Env().Network(), st.Env().Clock(), a.By, sel)
		return Install(st, "delay", rep, f), nil
	})
}
