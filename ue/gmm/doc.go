// Package gmm is the UE's 5GMM as a pure state machine: it takes a typed
// event (a user request, a downlink NAS PDU, a timer expiry, a connection
// release) and returns what to send, which timers to start or stop, which
// trace events happened and which procedure finished. It does no IO, starts no
// goroutine and never reads the wall clock; the driver (package ue) does the
// IO and schedules the timers on its injected clock.
//
// The (state, event) dispatch is a transition table held as data (Table);
// every pair is either handled or explicitly ignored, refused or answered
// with 5GMM STATUS. Every downlink NAS message passes the security checks of
// TS 24.501 §4.4.4.2 (integrity, replay) before the table sees it.
//
// References: TS 24.501 §4.4 (NAS security), §5.1.3 (5GMM states), §5.4.1.3
// (5G AKA), §5.4.2 (security mode control), §5.4.3 (identification), §5.5.1
// (registration), §5.5.2 (de-registration), §10.2 (timers), Annex A (causes);
// TS 33.501 §6.1.3.2 (5G AKA), §6.4, §6.7.2 (NAS SMC, bidding down), §6.12
// (SUCI).
//
// Usage:
//
//	m := gmm.New(&cfg, sim, rand)
//	out, err := m.Handle(gmm.Register{})
//	// send out.Uplink, schedule out.Timers, emit out.Events
//	out, err = m.Handle(gmm.Downlink{PDU: pdu})
package gmm
