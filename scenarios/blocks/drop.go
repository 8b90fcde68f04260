package blocks

import (
	"context"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// DropArgs are the arguments of drop.
type DropArgs struct {
	Selector `yaml:",inline"`
}

// Drop discards the selected packets (a dropped SBI request or response
// fails the caller like a reset stream).
func Drop() *scenarios.Block {
	return scenarios.NewCapability("drop", AttackSpec(
		"discard the selected packets",
	), func(_ context.Context, st *scenarios.State, actor string, a *DropArgs) (any, error) {
		return InstallSelected(st, &a.Selector, trace.KindAttack, actor, "drop", func(rep *Reporter, p transport.Packet) []transport.Packet {
			rep.Act(p, "dropped")
			return nil
		})
	})
}
