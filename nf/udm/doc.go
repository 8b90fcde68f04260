// Package udm is credbed's Unified Data Management function with its ARPF
// and SIDF: Nudm_UEAuthentication (generate-auth-data with SUCI
// de-concealment, MILENAGE 5G HE and EAP-AKA' vectors, SQN management and
// re-synchronisation; auth-events), Nudm_UEContextManagement (AMF
// registration for 3GPP access, its retrieval and purge, and the
// deregistration notification when a subscription is withdrawn) and
// Nudm_SubscriberDataManagement (am-data, smf-select-data, sm-data), all on
// top of a UDR reached through the NRF with the free5gc/openapi clients.
//
// Served resources:
//
//	POST  /nudm-ueau/v1/{supiOrSuci}/security-information/generate-auth-data  TS 29.503 §5.4.2.2
//	POST  /nudm-ueau/v1/{supi}/auth-events                                    TS 29.503 §5.4.2.3 (201)
//	PUT   /nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access                  TS 29.503 §5.3.2.2.2
//	GET   /nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access                  TS 29.503 §5.3.2.5.2
//	PATCH /nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access                  TS 29.503 §5.3.2.4.2 (purgeFlag)
//	GET   /nudm-sdm/v2/{supi}/am-data | smf-select-data | sm-data              TS 29.503 §5.2.2.2
//	POST  /nudm-callback/v1/udr-data-change/{token}                           the UDR's DataChangeNotify (TS 29.504 §5.2.2.7)
//
// The AMF deregisters with PATCH purgeFlag=true: TS 29.503 defines no
// DELETE on amf-3gpp-access (its resource table allows PUT, PATCH and GET),
// so a DELETE gets 405. When the UDR reports that a subscription was
// deleted, the UDM checks at the UDR that it is really gone and POSTs
// DeregistrationData{SUBSCRIPTION_WITHDRAWN, 3GPP_ACCESS} to the serving
// AMF's deregCallbackUri (TS 29.503 §5.3.2.3.2, TS 23.502 §4.2.2.3.3).
//
// SQN handling (TS 33.102 §6.3 and Annex C): the UDR holds SQN_HE, the last
// SQN used. Each vector uses aka.NextSQN(SQN_HE), which is written back by
// JSON Patch before the vector is returned (the order of free5gc's UDM); a
// verified AUTS sets SQN_HE from SQN_MS (aka.ResyncSQN). Per-SUPI striped
// locks keep two vectors of one UE from sharing an SQN.
package udm
