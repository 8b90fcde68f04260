// Package uplane is the UE side of the user plane, hosted at the RAN: one
// userspace IPv4 stack (gVisor netstack) holds the addresses of every UE
// with a PDU session. Packets a UE sends leave the stack, are matched by
// source address to the session's uplink tunnel and encapsulated in GTP-U
// with a PDU Session Container (QFI) towards the UPF; downlink G-PDUs are
// matched by TEID and injected back into the stack. Test code dials
// data-network services "from" a UE with DialUDP, DialTCP and HTTPClient.
//
// The gNB owns the N3 endpoint and passes received GTP-U to HandleN3, or
// the Plane binds one itself (Config.N3Addr with Deps.Net). Memory per UE is
// one stack address and one small session record; no goroutine per UE.
//
// References: TS 29.281 §5 (GTP-U header), §7.2 (Echo), §7.3.1 (Error
// Indication); TS 38.415 §5.5.2.2 (UL PDU SESSION INFORMATION, QFI);
// TS 23.502 §4.3.2.2.1 (PDU session user plane set-up); TS 38.300 §6.2.
package uplane
