// Package netsim is a scripted network side of N1 for testing the emulated
// UE: it builds the AMF's NAS messages with internal/nasx, internal/nassec
// and internal/aka (5G AKA vectors from the subscriber's K and OPc, SECURITY
// MODE COMMAND, REGISTRATION ACCEPT, ...), checks the UE's answers, and can
// run a whole registration automatically (Serve) or lie on purpose (forged
// MACs, replays, wrong replayed capabilities). Test support only: no NF uses
// it.
//
// References: TS 24.501 §5.4, §5.5; TS 33.501 §6.1.3.2, §6.7.2; TS 33.102 §6.3.
package netsim
