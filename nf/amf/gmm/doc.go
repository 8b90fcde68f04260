// Package gmm is the AMF's 5GMM (and SEAF) protocol core as a pure state
// machine: a compact per-UE context value, typed events (uplink NAS messages
// after security processing, AUSF/UDM results, timer expiries, N2 release,
// network-initiated de-registration) and typed actions (downlink NAS, N2
// context setup/release, SBI calls, timers by value, trace events). It does
// no IO, starts no goroutine and never reads a clock; the driver in nf/amf
// does the IO, keeps per-UE ordering and schedules timers.
//
// The transition table (table.go) is data: every (State, EventKind) pair is
// either handled or explicitly rejected with 5GMM STATUS #98 or dropped.
//
// References: TS 24.501 §4.4 (NAS security), §5.4.1.3 (5G AKA based primary
// authentication), §5.4.2 (security mode control), §5.4.3 (identification),
// §5.5.1.2 (registration for initial registration), §5.5.1.3 (mobility and
// periodic registration update), §5.5.2 (de-registration), §5.6.1 (service
// request), §7.4 and §10.2 (timers); TS 33.501 §6.1.3.2 (5G AKA, HRES*
// check at the SEAF), §6.1.3.3 (synchronisation failure), §6.4 and §6.7.2
// (NAS security and NAS SMC), §6.8.1.2 (KgNB derivation), §6.12.3 (new 5G-GUTI
// after security activation).
//
// Usage (driver side):
//
//	m, err := gmm.NewMachine(cfg, tmsiAllocator)
//	var u gmm.UE                                   // one per UE, embedded by value
//	acts := m.HandleInitialNAS(&u, pdu, prior)     // INITIAL UE MESSAGE
//	acts = m.HandleNAS(&u, pdu)                    // UPLINK NAS TRANSPORT
//	acts = m.Handle(&u, gmm.AUSFAuthResult{...})   // SBI answer, timer, release ...
//	for _, a := range acts { switch a := a.(type) { case gmm.SendNAS: ... } }
package gmm
