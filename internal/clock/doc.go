// Package clock provides an injectable time source. Protocol code never reads
// the wall clock directly; it receives a Clock, and tests use Fake to advance
// time by hand and fire timers deterministically (Advance; Next tells a
// driver when the earliest pending timer is due, so a simulation can jump
// straight to it).
package clock
