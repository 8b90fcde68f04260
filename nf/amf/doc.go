// Package amf is credbed's Access and Mobility Management Function with its
// SEAF: the N2 endpoint (NGAP: NG Setup, Initial UE Message, Uplink and
// Downlink NAS Transport, Initial Context Setup, UE Context Release, Error
// Indication), the driver of the pure 5GMM machine in nf/amf/gmm (per-UE
// ordering on N worker queues, UE contexts in sharded maps, timers on the
// injected clock), the AUSF and UDM consumers (Nausf_UEAuthentication,
// Nudm_UECM, Nudm_SDM through the free5gc/openapi v1.2.4 clients), the
// SMF consumer for PDU sessions (Nsmf_PDUSession: the AMF's own
// SessionManagement, n11.go, unless Deps.SM replaces it; the SMF is found
// at the NRF), and its SBI server: the Nudm_UECM deregistration-notification
// callback, the SM context status callback and Namf_Communication
// N1N2MessageTransfer (see n1n2.go).
//
// Served resources:
//
//	POST /namf-callback/v1/{supi}/dereg-notify                         TS 29.503 §5.3.2.3.2 (204)
//	POST /namf-callback/v1/smContextStatus/{supi}/{psi}                TS 29.502 §5.2.2.5 (204, n11.go)
//	POST /namf-comm/v1/ue-contexts/{ueContextId}/n1-n2-messages       TS 29.518 §5.2.2.3.1 (n1n2.go)
//
// References: TS 38.413 §8.7.1 (NG Setup), §8.3.1 (Initial Context Setup),
// §8.3.3 (UE Context Release), §8.6 (NAS transport), §8.2 (PDU session
// resources, relayed for session management), §8.7.4 (Error
// Indication), §10 (abnormal conditions); TS 24.501 (5GMM, see nf/amf/gmm);
// TS 33.501 §6.1.3.2, §6.7.2, §6.8.1.2; TS 29.509, TS 29.503, TS 29.518,
// TS 29.502; TS 23.502 §4.2.2.2.2 (registration), §4.2.2.3.2 and
// §4.2.2.3.3 (de-registration), §4.3.2.2.1 and §4.3.4.2 (PDU sessions).
package amf
