// Package gsm is the SMF's per-session 5GSM state machine: a pure value
// machine (no IO, no goroutines, no clock) that takes typed events (the
// AMF's create/update/release requests with their N1 and N2 contents, the
// subscription check, PFCP outcomes) and returns the actions the driver in
// nf/smf performs (Nudm_SDM query, PFCP establish/modify/delete, the reply
// to the current SBI request, Namf_Communication N1N2MessageTransfer, SM
// context status notification) plus the trace events of the step. The
// transition table is data: every (state, event) pair is handled, rejected
// or ignored, and a test checks it.
//
// References: TS 23.502 §4.3.2.2.1 (UE-requested PDU session
// establishment), §4.3.4.2 (UE- or network-requested PDU session release),
// §4.2.6 / §4.2.3.2 (AN release, service request: UP deactivation and
// activation); TS 24.501 §6.4.1 (PDU session establishment, reject causes
// §6.4.1.4), §6.3.3 / §6.4.3 (release), §7.4 (message not compatible with
// the protocol state: 5GSM STATUS #98), §9.11.4.2 and Annex B (5GSM causes);
// TS 29.502 §5.2.2.2-§5.2.2.4 (Create, Update and Release SM Context) and
// §6.1.3.2.3.1 (application errors); TS 29.244 §7.5 (PFCP session procedures).
//
// Usage (driver side):
//
//	m := gsm.NewMachine(gsm.Policy{})
//	var c gsm.Context
//	out := m.Handle(&c, gsm.EstablishmentRequest{...})
//	for _, a := range out.Actions { ... perform, feed results back with m.Handle ... }
package gsm
