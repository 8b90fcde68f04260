// Package upf is credbed's User Plane Function: PFCP (N4) session control
// from the SMF, GTP-U (N3) towards gNBs, and raw IPv4 packets (N6) towards
// the data network, all over transport endpoints (mem or net), no kernel
// datapath, no root.
//
// Uplink: a G-PDU's TEID selects the PDRs installed for it; the best match
// (precedence, QFI from the PDU Session Container, UE source address) names
// a FAR whose forwarding parameters send the inner packet to N6. Downlink:
// the destination UE address selects the session; its FAR encapsulates the
// packet towards the gNB's F-TEID with the QFI extension header. Unknown
// TEIDs are dropped, counted and answered with an Error Indication. Lookups
// use sharded tables (no global lock per packet).
//
// Downlink buffering: while a session's downlink FAR says BUFF (the SMF
// establishes the session before the gNB's tunnel is known, or the AN was
// released), packets from N6 wait in a per-session queue bounded by
// Config.BufferPackets (16; lowered by a BAR's Suggested Buffering Packets
// Count) and Config.BufferBytes (32 KiB), and by Config.BufferTotalBytes
// for the whole UPF; beyond, they are dropped and counted (DropBufferFull).
// The Session Modification after which the FAR no longer buffers (e.g. FORW
// with the gNB's outer header) releases the queue in arrival order through
// the new rules; a Session Deletion discards it (DropBufferDiscarded).
// Queues exist only while they hold packets: no goroutine or timer per
// session. No Downlink Data Report is sent (NOCP is not acted on).
//
// N6 is a transport endpoint of kind N6 carrying one raw IPv4 packet per
// message, so N6 traffic crosses the interceptor chain like every link.
//
// References: TS 29.244 §5.2 (PDR/FAR/QER handling; §5.2.1 and §5.2.4
// buffering, BAR; §7.5.2.3 Apply Action BUFF), §6.2.6 (association),
// §6.3 (session procedures), §7 (messages, causes §8.2.1); TS 29.281 §5
// (GTP-U header, extension headers), §7.2.1-7.2.2 (Echo), §7.3.1 (Error
// Indication); TS 38.415 §5.5.2 (PDU Session Container, QFI); TS 23.502
// §4.3.2.2.1 (PDU session establishment) and §4.3.4 (release).
package upf
