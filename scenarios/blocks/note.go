package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
)

// NoteArgs are the arguments of note.
type NoteArgs struct {
	Text string `yaml:"text"`
}

// Validate requires text.
func (a *NoteArgs) Validate() error {
	if a.Text == "" {
		return fmt.Errorf("text is required")
	}
	return nil
}

// Note writes a note into the trace (it shows in the sequence chart).
func Note() *scenarios.Block {
	return scenarios.NewAction("note", scenarios.Spec{
		Summary: "write a note into the trace (shown in the sequence chart)",
	}, func(_ context.Context, st *scenarios.State, actor string, a *NoteArgs) (any, error) {
		who := actor
		if who == "" {
			who = scenarios.ActorScenario
		}
		st.Emit(trace.Event{Kind: trace.KindNote, Actor: who, Name: "note", Detail: a.Text})
		return nil, nil
	})
}
