// Package metrics turns the typed trace (internal/trace) into Prometheus
// metrics, so that no NF carries metrics code of its own: a Collector is a
// trace.Sink that counts procedures, outcomes, rejections and drops per NF,
// times SBI request/response pairs and NAS procedures, and keeps gauges of
// the contexts each NF holds per state. It serves the text exposition format
// on its own registry, on loopback only.
//
// Usage:
//
//	col := metrics.New(metrics.Options{})
//	rec.Subscribe(col.Emit)              // or trace.Tee{rec, col}
//	addr, err := col.Serve(ctx, "127.0.0.1:0")
//
// # Event conventions
//
// The trace conventions the Collector relies on. Every metric is derived from
// these fields only; Detail is free text and is never a label.
//
// All kinds:
//   - nf label = Actor up to its first "/" ("ue/imsi-001010000000001" ->
//     "ue", "td/td-0001" -> "td"); an empty Actor counts as "unknown".
//   - Name, Iface and Cause become label values, so they must come from a
//     small vocabulary (message, operation, state, key names; cause codes),
//     never carry identifiers, addresses or free text. Each metric family is
//     capped at Options.MaxSeries label combinations; beyond it events count
//     in one series whose labels are all "_other".
//
// KindMessage: Name = message name (NAS "REGISTRATION REQUEST", NGAP, PFCP,
// GTP-U, direct-link frame), Iface = interface. Counted per nf, iface, name;
// also the start/end of timed procedures (Options.Procedures).
//
// KindRequest / KindResponse (SBI): Name = operation, the same string on both;
// Response.Status = HTTP status (0 counts as class "none"). Latency pairs a
// response with the oldest unanswered request of the same Actor, Peer, Name
// and SUPI (first in, first out). When every request is answered the
// histogram's count and sum are exact whatever the pairing; individual
// samples are exact when at most one request per (Actor, Peer, Name, SUPI) is
// outstanding at a time, and are swapped among concurrent requests otherwise
// (e.g. NRF discovery without SUPI). No Detail correlation is used: no NF
// emits one. A
// request never answered is forgotten after Options.PendingTimeout of event
// time once the table is full; a response without request counts in
// credbed_metrics_unpaired_total{reason="no-start"}.
//
// KindReject: Name = message or operation rejected, Cause = cause
// ("5GMM#3", "USER_NOT_FOUND"); empty Cause counts as "unspecified". Status
// is not a label (the SBI response event carries it).
//
// KindDrop: Name = what was dropped, Cause = short reason token (the label
// "reason"); empty Cause counts as "unspecified". A reason written only in
// Detail is not seen.
//
// KindState: Name = new state. The context the state belongs to is:
//   - the Actor itself for per-UE actors (Actor contains "/"), else
//   - SUPI when set, else
//   - Peer when set (NRF: the NF instance id),
//
// each within (Actor, Iface), so one actor may run several machines on
// different interfaces. A keyed context is tracked exactly (8-byte hash ->
// state, about 24-40 B per live context; a context that never
// reaches an end state stays tracked). An event with no key at all is
// counted by difference: Detail must then start with the old state (exactly,
// or followed by a space and free text), and an empty Detail or one that names
// no known state creates a context. A keyed context seen for the first time
// whose Detail names a state also leaves that state's key-less count (the
// AMF before the SUPI is known). A state whose name ends, case-insensitively,
// in "deleted", "removed", "released", "purged" or "expired", or that
// Options.EndStates lists for the nf, ends the context and is not itself a
// gauge series. Every state event also counts in
// credbed_state_transitions_total.
//
// KindKey: Name = key name. KindAttack, KindFault: Name = capability or
// fault. KindCheck: Name = check, Cause = result ("pass", "fail", ...).
//
// References: Prometheus exposition formats (text format 0.0.4); TS 24.501
// §5.5 (NAS procedures timed by default); TS 29.500 §5.2.7 (SBI status codes).
package metrics
