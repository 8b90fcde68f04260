package scenarios_test

import (
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/blocks"
	"github.com/credbed/credbed/scenarios/scenariotest"
)

var testProfiles = []string{"secure", "baseline"}

// testRegistry is the default registry plus the fake env's blocks.
func testRegistry() *scenarios.Registry {
	reg, err := scenariotest.Registry(blocks.Default())
	Expect(err).NotTo(HaveOccurred())
	return reg
}

func parse(src string) (*scenarios.Scenario, error) {
	return scenarios.Parse("test.yaml", []byte(src), testRegistry(), scenarios.LoadOptions{Profiles: testProfiles})
}

func mustParse(src string) *scenarios.Scenario {
	s, err := parse(src)
	Expect(err).NotTo(HaveOccurred())
	return s
}

// valid is a complete scenario; tests derive broken ones from it.
const valid = `id: P1
title: Ping through a dropping attacker
description: the attacker drops N2; the ping fails under secure
threats: [T1]
requirements: [R1]
labels: [attack]
topology:
  direct_link: nfc
actors:
  - {name: pd, role: provisioning-device}
  - {name: eve, role: attacker}
steps:
  - action: drop
    actor: eve
    with: {iface: n2, to: amf}
    expect: {secure: ok, baseline: ok}
    save: dropper
  - action: ping
    actor: pd
    with: {text: hello}
    expect: any
    save: p
checks:
  pong_seen:
    check: event_seen
    with: {kind: message, name: pong}
  ping_failed:
    check: step_result
    with: {step: p, ok: false}
outcome:
  succeeded_if: [ping_failed]
  completed_if: [pong_seen]
expect:
  secure: succeeded
  baseline:
    outcome: succeeded
    checks: [ping_failed, {check: event_absent, with: {name: ping, actor: amf}}]
    residual_risk: true
    reason: nothing stops a dropper
`
