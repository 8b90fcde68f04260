// Package scenarios is credbed's threat-scenario engine: the scenario model
// and its YAML language, a strict loader that names FILE:LINE for every
// mistake, the Registry of building blocks (actions, attacker capabilities,
// checks), the Runner that plays each (scenario, solution profile) pair on a
// fresh environment and computes the outcome from checks, the label registry
// shared by the Ginkgo suite and `credbed run`, and the invariants hook.
//
// The engine acts on an Env (the testbed satisfies it); blocks live in
// scenarios/blocks and the catalogue of YAML scenarios in
// scenarios/catalogue. docs/scenarios.md tells how to write both.
//
// Usage:
//
//	reg := blocks.Default()
//	scns, err := scenarios.LoadFS(catalogue.FS(), ".", reg, scenarios.LoadOptions{})
//	r := &scenarios.Runner{Registry: reg, NewEnv: factory, Seed: seed, Parallel: 2}
//	results := r.Run(ctx, scenarios.Jobs(scns, []string{"secure", "baseline"}))
//
// References: TR 33.899 KI #12.2 (threats T1-T3, requirements R1-R3),
// reference/3gpp.md §6 (the threat catalogue).
package scenarios
