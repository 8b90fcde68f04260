// Package scenariotest is a tiny scenarios.Env for the engine's and the blocks'
// tests: a mem network with a fake clock, an "amf" that answers N2 pings,
// an "ausf" SBI server, and device actors that ping, register over SBI and
// hand each other credentials over the direct link. It also registers
// test-only blocks (ping, sbi_register, give_credential), the way a researcher
// registers blocks at run time.
package scenariotest
