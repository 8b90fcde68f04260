package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/scenarios"
)

// EventNotBeforeArgs are the arguments of event_not_before.
type EventNotBeforeArgs struct {
	// Event must not occur before the first Until event (nor at all if no
	// Until event occurs).
	Event EventMatch `yaml:"event"`
	Until EventMatch `yaml:"until"`
}

// Validate checks both matches.
func (a *EventNotBeforeArgs) Validate() error {
	if err := a.Event.Validate(); err != nil {
		return fmt.Errorf("event: %w", err)
	}
	if err := a.Until.Validate(); err != nil {
		return fmt.Errorf("until: %w", err)
	}
	return nil
}

// Ifaces returns the interfaces the matches name.
func (a *EventNotBeforeArgs) Ifaces() []string {
	return append(a.Event.Ifaces(), a.Until.Ifaces()...)
}

// EventNotBefore is the check "no EVENT before UNTIL" (e.g. no KSEAF before
// a successful RES* check).
func EventNotBefore() *scenarios.Block {
	return scenarios.NewCheck("event_not_before", scenarios.Spec{
		Summary: "holds when no `event` occurs before the first `until` event",
	}, func(_ context.Context, st *scenarios.State, a *EventNotBeforeArgs) (scenarios.Verdict, error) {
		ev, err := a.Event.Predicate(st)
		if err != nil {
			return scenarios.Verdict{}, err
		}
		until, err := a.Until.Predicate(st)
		if err != nil {
			return scenarios.Verdict{}, err
		}
		for _, e := range st.Events() {
			if until(e) {
				return scenarios.Verdict{OK: true, Detail: fmt.Sprintf("first %s at #%d, no %s before", a.Until.String(), e.Seq, a.Event.String())}, nil
			}
			if ev(e) {
				return scenarios.Verdict{Detail: fmt.Sprintf("%s at #%d before any %s", a.Event.String(), e.Seq, a.Until.String())}, nil
			}
		}
		return scenarios.Verdict{OK: true, Detail: fmt.Sprintf("no %s at all", a.Event.String())}, nil
	})
}
