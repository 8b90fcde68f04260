// Package ue is the emulated UE: a USIM (ue/usim), the 5GMM state machine
// (ue/gmm), a minimal 5GSM for PDU sessions, an attachment to a serving cell
// (a ue/gnb Link, or any Radio) and the user plane through ue/uplane. It
// offers a blocking, context-aware API for tests and scenarios (Register,
// Deregister, EstablishSession, Dial, HTTPClient) and state inspection.
//
// No goroutine runs per UE: downlink NAS arrives on the serving gNB's N2
// delivery goroutine, timers are scheduled on the injected clock only while a
// procedure runs, and a caller waits on a channel only while its procedure is
// active. Every NAS message in and out, every key derived (by name), every
// drop, rejection and state change is a typed trace event.
//
// References: TS 24.501 §5.4, §5.5 (5GMM), §6.4.1, §6.4.3 (5GSM PDU session
// establishment and release), §8.2.10/§8.2.11 (UL/DL NAS TRANSPORT); TS 33.501
// §6.1.3.2, §6.7.2, §6.12; TS 23.502 §4.3.2.2.
package ue
