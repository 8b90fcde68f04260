package blocks_test

import (
	"context"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/reports"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/blocks"
	"github.com/credbed/credbed/scenarios/scenariotest"
)

func TestBlocks(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "scenarios/blocks")
}

// header declares a UE, a PD, a TD and an attacker.
const header = `id: B
title: block test
threats: [T1]
actors:
  - {name: ue1, role: ue}
  - {name: pd, role: provisioning-device}
  - {name: td, role: target-device}
  - {name: eve, role: attacker}
`

func registry() *scenarios.Registry {
	reg, err := scenariotest.Registry(blocks.Default())
	Expect(err).NotTo(HaveOccurred())
	return reg
}

// play loads header+body (which has steps, checks, outcome, expect) and runs it on the fake env.
func play(body string, o ...scenariotest.Options) reports.ScenarioResult {
	s, err := scenarios.Parse("b.yaml", []byte(header+body), registry(), scenarios.LoadOptions{})
	Expect(err).NotTo(HaveOccurred())
	var opts scenariotest.Options
	if len(o) > 0 {
		opts = o[0]
	}
	GinkgoWriter.Printf("seed %d\n", GinkgoRandomSeed())
	r := &scenarios.Runner{NewEnv: scenariotest.Factory(opts), Seed: GinkgoRandomSeed()}
	return r.RunOne(context.Background(), s, "secure")
}

func count(ev []trace.Event, want trace.Event) int {
	n := 0
	m := trace.Match(want)
	for _, e := range ev {
		if m(e) {
			n++
		}
	}
	return n
}

func loadErr(body string) error {
	_, err := scenarios.Parse("b.yaml", []byte(header+body), registry(), scenarios.LoadOptions{})
	return err
}
