// Package pfcpx builds and parses the PFCP (N4) messages credbed's SMF and UPF
// exchange, on top of github.com/wmnsk/go-pfcp's message and IE codecs: rule
// values (PDR, FAR, QER) as plain Go structs, request builders for a 5G PDU
// session, a response parser, a decoder that never panics on bad bytes, and a
// request/response correlator with retransmission for the CP side.
//
// References: TS 29.244 §5 (rules: PDR §5.2.1, FAR §5.2.3, BAR §5.2.4, QER §5.2.5),
// §6.2.6 (association setup), §7 (message formats: header §7.2.2, heartbeat
// §7.4.2, association setup §7.4.4, session establishment §7.5.2 (Create
// BAR §7.5.2.6), modification §7.5.4 (Update/Remove BAR §7.5.4.11-12),
// deletion §7.5.6), §8.2 (IEs, Cause §8.2.1), and
// TS 23.502 §4.3.2 (PDU session establishment: N4 session establishment and
// modification).
//
// Usage (SMF side):
//
//	s := pfcpx.PDUSession{NodeID: "127.0.0.7", CPSEID: 1, CPAddr: smfAddr, UEIP: ueIP, QFI: 9}
//	b, err := pfcpx.BuildSessionEstablishmentRequest(seq, s.Establishment())
//	... send b to the UPF, then:
//	r, err := pfcpx.ParseResponse(reply) // r.Cause, r.UPSEID, r.CreatedPDRs (UL F-TEID)
package pfcpx
