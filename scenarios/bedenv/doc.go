// Package bedenv runs scenarios on the real emulated system: for each
// (scenario, profile) it builds a fresh testbed.Bed from the scenario's
// topology with the run's solution profile and offers it to the scenario
// engine as a scenarios.Env (network, clock, trace, actors, node addresses,
// invariants).
//
// References: DESIGN.md (reference flow, solution profiles), TR 33.899 KI
// #12.2.
package bedenv
