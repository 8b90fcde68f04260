package blocks_test

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/blocks"
	"github.com/credbed/credbed/scenarios/scenariotest"
)

// TruncateArgs are the arguments of truncate.
type TruncateArgs struct {
	blocks.Selector `yaml:",inline"`
	Keep            int `yaml:"keep"` // bytes kept
}

// Truncate cuts the selected packets short (the capability of
// docs/scenarios.md, written outside the blocks package).
func Truncate() *scenarios.Block {
	return scenarios.NewCapability("truncate", blocks.AttackSpec("cut the selected packets after `keep` bytes"),
		func(_ context.Context, st *scenarios.State, actor string, a *TruncateArgs) (any, error) {
			return blocks.InstallSelected(st, &a.Selector, trace.KindAttack, actor, "truncate",
				func(rep *blocks.Reporter, p transport.Packet) []transport.Packet {
					rep.Act(p, "truncated")
					q := p.Clone()
					q.Payload = q.Payload[:min(a.Keep, len(q.Payload))]
					return []transport.Packet{q}
				})
		})
}

// A researcher's capability, registered at run time and used from YAML.
func ExampleNewCapability() {
	reg := blocks.Default()
	if err := reg.Register(Truncate()); err != nil {
		fmt.Println(err)
		return
	}
	reg, _ = scenariotest.Registry(reg) // the fake environment's actions (ping)
	s, err := scenarios.Parse("truncate.yaml", []byte(`id: EX2
title: truncated pings are dropped
threats: [T1]
actors: [{name: ue1, role: ue}, {name: eve, role: attacker}]
steps:
  - {action: truncate, actor: eve, with: {iface: n2, to: amf, keep: 3}}
  - {action: ping, actor: ue1, expect: error}
outcome:
  succeeded_if: [{check: event_seen, with: {kind: drop, actor: amf}}]
expect: {default: succeeded}
`), reg, scenarios.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := &scenarios.Runner{NewEnv: scenariotest.Factory(scenariotest.Options{}), Seed: 1}
	res := r.RunOne(context.Background(), s, "secure")
	fmt.Println(res.Outcome, res.Passed, res.Attacks)
	// Output: succeeded true [truncate]
}
