package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/scenarios"
)

// EventOrderArgs are the arguments of event_order.
type EventOrderArgs struct {
	// Events must occur in this order (each after the previous one's match).
	Events []EventMatch `yaml:"events"`
}

// Validate checks the list.
func (a *EventOrderArgs) Validate() error {
	if len(a.Events) < 2 {
		return fmt.Errorf("events needs at least two matches")
	}
	for i := range a.Events {
		if err := a.Events[i].Validate(); err != nil {
			return fmt.Errorf("events[%d]: %w", i, err)
		}
	}
	return nil
}

// Ifaces returns the interfaces the matches name.
func (a *EventOrderArgs) Ifaces() []string {
	var out []string
	for i := range a.Events {
		out = append(out, a.Events[i].Ifaces()...)
	}
	return out
}

// EventOrder is the check that events happened in a given order.
func EventOrder() *scenarios.Block {
	return scenarios.NewCheck("event_order", scenarios.Spec{
		Summary: "holds when the listed events occur in that order",
	}, func(_ context.Context, st *scenarios.State, a *EventOrderArgs) (scenarios.Verdict, error) {
		var since uint64
		events := st.Events()
		for i := range a.Events {
			pred, err := a.Events[i].Predicate(st)
			if err != nil {
				return scenarios.Verdict{}, err
			}
			found := false
			for _, e := range events {
				if e.Seq > since && pred(e) {
					since, found = e.Seq, true
					break
				}
			}
			if !found {
				return scenarios.Verdict{Detail: fmt.Sprintf("events[%d] %s not seen after #%d", i, a.Events[i].String(), since)}, nil
			}
		}
		return scenarios.Verdict{OK: true, Detail: fmt.Sprintf("%d events in order", len(a.Events))}, nil
	})
}
