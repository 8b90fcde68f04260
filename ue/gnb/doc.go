// Package gnb is the emulated gNB: one NGAP association (N2) towards the AMF
// that serves many UEs, the radio side to UEs as in-process calls (no Uu
// transport, no RRC security), and the user plane of its UEs through
// ue/uplane. It runs NG Setup, Initial UE Message (RAN UE NGAP ID allocation,
// NR user location), UL/DL NAS Transport relay, Initial Context Setup, UE
// Context Release, PDU Session Resource Setup/Release and Error Indication.
// There is no goroutine per UE: the N2 endpoint's delivery goroutine
// dispatches to UE contexts held in a sharded map.
//
// A gNB can also be used as a rogue cell: the methods marked "ATTACKER
// CAPABILITY" deliver forged or replayed downlink NAS to a UE, send forged
// uplink NAS to the AMF, or send raw NGAP bytes.
//
// References: TS 38.413 §8.2 (PDU session management), §8.3 (UE context
// management), §8.6 (NAS transport), §8.7.1 (NG Setup), §8.7.5 (Error
// Indication), §10 (error handling); TS 38.412 §7 (streams); TS 33.501 §6.8.1
// (KgNB); TS 23.502 §4.2.2.2, §4.3.2.2 (registration, PDU session set-up).
package gnb
