package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/scenarios"
)

// EventAbsentArgs are the arguments of event_absent.
type EventAbsentArgs struct {
	EventMatch `yaml:",inline"`
}

// EventAbsent is the check that no trace event matches.
func EventAbsent() *scenarios.Block {
	return scenarios.NewCheck("event_absent", scenarios.Spec{
		Summary: "holds when no trace event matches",
	}, func(_ context.Context, st *scenarios.State, a *EventAbsentArgs) (scenarios.Verdict, error) {
		pred, err := a.Predicate(st)
		if err != nil {
			return scenarios.Verdict{}, err
		}
		ev := st.Env().Trace().Filter(pred)
		if len(ev) == 0 {
			return scenarios.Verdict{OK: true, Detail: "no event matches " + a.EventMatch.String()}, nil
		}
		return scenarios.Verdict{Detail: fmt.Sprintf("%d events match %s: %s", len(ev), a.EventMatch.String(), excerpt(ev, 3))}, nil
	})
}
