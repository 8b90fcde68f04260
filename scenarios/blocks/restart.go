package blocks

import (
	"context"
	"fmt"
	"strings"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
)

// RestartArgs are the arguments of restart.
type RestartArgs struct {
	// Node is the network node to restart (nrf, udr, udm, ausf, aanf, amf, smf, upf, cpf...).
	Node string `yaml:"node"`
}

// Validate checks the node name.
func (a *RestartArgs) Validate() error {
	if !scenarios.IsNode(a.Node) {
		return fmt.Errorf("node %q: want one of %s", a.Node, strings.Join(scenarios.Nodes(), ", "))
	}
	return nil
}

// Restart is the fault "NF restart": the environment stops and starts a node
// (persistent state survives, in-memory state does not).
func Restart() *scenarios.Block {
	return scenarios.NewCapability("restart", scenarios.Spec{
		Summary: "fault: restart a network node (needs an environment that can)",
		Actor:   scenarios.ActorNone,
	}, func(ctx context.Context, st *scenarios.State, _ string, a *RestartArgs) (any, error) {
		r, ok := st.Env().(scenarios.Restarter)
		if !ok {
			return nil, fmt.Errorf("%w: restart", scenarios.ErrUnsupported)
		}
		st.Emit(trace.Event{Kind: trace.KindFault, Actor: "fault", Peer: a.Node, Name: "restart", Detail: "restarting " + a.Node})
		return nil, r.Restart(ctx, a.Node)
	})
}
