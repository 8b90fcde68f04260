// Package aanf is credbed's AKMA Anchor Function (TS 33.535 §6.1, §6.2;
// TS 29.535): it stores the AKMA context {SUPI, A-KID, K_AKMA} the AUSF
// registers after a primary authentication, derives K_AF for an
// application function that presents an A-KID (TS 33.535 A.4), and removes
// contexts. Contexts live in an in-memory sharded store, one per SUPI (a
// new registration replaces the old A-KID). K_AKMA and K_AF are never
// traced or logged; trace events name them only.
//
// openapi v1.2.4 has no AKMA models, so the JSON models are declared here
// with the member names of TS 29.535 §6.1.6.2:
//
//	AkmaKeyInfo       {"supi", "aKId", "kAkma" (64 hex), "supportedFeatures"?}
//	AkmaAfKeyRequest  {"afId", "aKId", "supportedFeatures"?}
//	AkmaAfKeyData     {"kaf" (64 hex), "expiry" (date-time), "supi"?}
//	CtxRemove         {"supi"}
//
// Served resources (apiRoot/naanf-akma/v1):
//
//	POST /register-anchorkey     AkmaKeyInfo -> 200 AkmaKeyInfo (without kAkma)   Naanf_AKMA_AnchorKey_Register
//	POST /retrieve-applicationkey AkmaAfKeyRequest -> 200 AkmaAfKeyData;
//	                              404 CONTEXT_NOT_FOUND for an unknown A-KID      Naanf_AKMA_ApplicationKey_Get
//	POST /remove-context         CtxRemove -> 204; 404 CONTEXT_NOT_FOUND           Naanf_AKMA_Context_Remove
//
// AF_ID = the afId (the AF's FQDN) || Config.UaProtocolID, the 5-octet Ua*
// security protocol identifier of TS 33.220 Annex H (default
// DefaultUaProtocolID); K_AF = KDF(K_AKMA, FC 0x82, AF_ID).
package aanf
