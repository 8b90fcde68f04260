package blocks

import (
	"context"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// LinkDownArgs are the arguments of link_down.
type LinkDownArgs struct {
	Selector `yaml:",inline"`
}

// LinkDown is the fault "link cut": every selected packet is lost until the
// fault is stopped (save it and use stop to bring the link up).
func LinkDown() *scenarios.Block {
	return scenarios.NewCapability("link_down", scenarios.Spec{
		Summary: "fault: cut the selected links (every packet lost) until stopped",
	}, func(_ context.Context, st *scenarios.State, actor string, a *LinkDownArgs) (any, error) {
		h, err := InstallSelected(st, &a.Selector, trace.KindFault, actor, "link_down", func(rep *Reporter, p transport.Packet) []transport.Packet {
			rep.Act(p, "lost (link down)")
			return nil
		})
		if err == nil {
			h.Reporter.Note("link down: " + describeSel(&a.Selector))
		}
		return h, err
	})
}
