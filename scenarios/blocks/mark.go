package blocks

import (
	"context"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
)

// MarkArgs are the arguments of mark.
type MarkArgs struct {
	// Label is shown in the trace.
	Label string `yaml:"label"`
}

// Mark records a point in the trace; save it and use `after:` / `before:`
// in event matches to look only at events from there on (or up to there).
func Mark() *scenarios.Block {
	return scenarios.NewAction("mark", scenarios.Spec{
		Summary: "a named point in the trace for after:/before: in event matches",
		Actor:   scenarios.ActorNone,
	}, func(_ context.Context, st *scenarios.State, _ string, a *MarkArgs) (any, error) {
		st.Emit(trace.Event{Kind: trace.KindNote, Actor: scenarios.ActorScenario, Name: "mark", Detail: a.Label})
		return st.LastSeq(), nil
	})
}
