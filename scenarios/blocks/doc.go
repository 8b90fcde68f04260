// Package blocks holds credbed's built-in scenario building blocks, one file
// per block: trace checks (event_seen, event_absent, event_order,
// event_not_before, step_result), waits and marks, attacker capabilities on
// the transport interceptor chain (tap, drop, delay, duplicate, replay,
// modify, bit_flip, inject, stop) and faults (link_down, loss, restart).
// Default builds a scenarios.Registry with all of them and the actor roles.
//
// A new capability is one file with a constructor returning a
// *scenarios.Block, added to the list in Builtins (see docs/scenarios.md).
//
// References: TR 33.899 KI #12.2 (threats T1-T3), reference/3gpp.md §6.
package blocks
