package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/scenarios"
)

// EventSeenArgs are the arguments of event_seen.
type EventSeenArgs struct {
	EventMatch `yaml:",inline"`
	// Min is the least number of matching events (default 1); Max, when set,
	// the most.
	Min *int `yaml:"min"`
	Max *int `yaml:"max"`
}

// Validate checks the bounds.
func (a *EventSeenArgs) Validate() error {
	if err := a.EventMatch.Validate(); err != nil {
		return err
	}
	if a.Min != nil && *a.Min < 0 || a.Max != nil && *a.Max < 0 {
		return fmt.Errorf("min and max must not be negative")
	}
	if a.Min != nil && a.Max != nil && *a.Min > *a.Max {
		return fmt.Errorf("min %d > max %d", *a.Min, *a.Max)
	}
	return nil
}

// EventSeen is the check that a matching trace event happened (min..max times).
func EventSeen() *scenarios.Block {
	return scenarios.NewCheck("event_seen", scenarios.Spec{
		Summary: "holds when min (default 1) to max trace events match",
	}, func(_ context.Context, st *scenarios.State, a *EventSeenArgs) (scenarios.Verdict, error) {
		pred, err := a.Predicate(st)
		if err != nil {
			return scenarios.Verdict{}, err
		}
		ev := st.Env().Trace().Filter(pred)
		lo, hi := 1, -1
		if a.Min != nil {
			lo = *a.Min
		}
		if a.Max != nil {
			hi = *a.Max
		}
		n := len(ev)
		ok := n >= lo && (hi < 0 || n <= hi)
		d := fmt.Sprintf("%d events match %s", n, a.EventMatch.String())
		if n > 0 {
			d += ": " + excerpt(ev, 3)
		}
		return scenarios.Verdict{OK: ok, Detail: d}, nil
	})
}
