// Package tsharktest runs tshark over credbed captures in tests and reports
// what it decoded: the protocols of every frame, malformed frames and expert
// infos by severity. Specs call Check (or Decode and assert themselves) and
// Skip when Binary returns ErrNotInstalled.
//
// It is a test helper: it runs an external program and reads files, so only
// tests import it. References: tshark(1), wireshark-filter(4).
package tsharktest
