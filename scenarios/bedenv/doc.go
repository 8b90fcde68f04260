// Package bedenv runs scenarios on the real emulated system: for each
// (scenario, profile) it builds a fresh testbed.Bed from the scenario's
// topology with the run's solution profile and offers it to the scenario
// engine as a scenarios.Env (network, clock, trace, actors, node addresses,
// invariants).
//
// A mem-mode bed runs on a SimClock, a clock.Fake the runner drives: while
// a step waits it jumps to the next timer, so protocol timeouts (a direct
// link's responder timeout, backoffs, TTLs) cost no real time. It jumps
// only when the bed is idle and no block is settling (see SimClock, and
// Env.Settle, which also waits for the process to be idle). Net-mode beds
// and Options.WallClock use the wall clock.
//
// References: DESIGN.md (reference flow, solution profiles), TR 33.899 KI
// #12.2.
package bedenv
