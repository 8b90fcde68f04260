// Package ngapx holds typed NGAP (N2) messages for the AMF and the emulated
// gNB: each message is a struct with Build (APER bytes through free5gc/ngap;
// the registration path's messages through byte-identical direct encoders)
// and Parse turns an NGAP PDU into one of those structs. The PDU session
// resource transfers the SMF writes and the gNB reads (N2 SM information)
// have their own Build and Parse functions. It does no IO.
//
// KgNB (the security key of INITIAL CONTEXT SETUP REQUEST) is a KgNB value
// that prints, logs and marshals as "redacted".
//
// References: TS 38.413 §8 (procedures), §9.2 (message contents and IE
// criticalities), §9.3 (IEs), §9.4 (ASN.1); TS 38.412 (NGAP over SCTP,
// PPID 60).
//
// Usage:
//
//	b, err := (&ngapx.InitialUEMessage{RANUENGAPID: 1, NASPDU: nas,
//		Location: loc, RRCEstablishmentCause: ngapx.RRCMoSignalling}).Build()
//	m, err := ngapx.Parse(b) // m.(*ngapx.InitialUEMessage)
package ngapx
