// Package smf is credbed's Session Management Function: Nsmf_PDUSession
// (create, update and release of SM contexts, multipart/related with N1
// and N2 parts), the subscription check at the UDM (Nudm_SDM sm-data),
// UE IPv4 allocation per DNN from a configured pool, N4 control of the
// UPF over PFCP (association at start; session establishment,
// modification and deletion), and Namf_Communication N1N2MessageTransfer
// towards the serving AMF. The 5GSM decisions are the pure machine of
// nf/smf/gsm; this package is its driver.
//
// Served resources (TS 29.502 §6.1):
//
//	POST /nsmf-pdusession/v1/sm-contexts                      CreateSMContext  -> 201 + Location, or 4xx/5xx (+ N1 reject)
//	POST /nsmf-pdusession/v1/sm-contexts/{smContextRef}/modify UpdateSMContext -> 200 (+ N1/N2), 204, or 4xx/5xx
//	POST /nsmf-pdusession/v1/sm-contexts/{smContextRef}/release ReleaseSMContext -> 204
//
// Which AMF the SMF calls: the scheme and authority of the create
// request's smContextStatusUri (mandatory in SmContextCreateData; the AMF
// sets it to a callback under its own apiRoot), else Config.AMFAPIRoot,
// else an AMF offering Namf_Communication found at the NRF. servingNfId is
// recorded but not used for routing.
//
// Subscription check (TS 23.502 §4.3.2.2.1 step 4): GET
// {udm}/nudm-sdm/v2/{supi}/sm-data?single-nssai=...; no data for the
// S-NSSAI gives 5GSM #33, no configuration for the DNN gives #27 (both
// configurable in gsm.Policy), an unknown SUPI #29, a UDM failure #38, an
// exhausted pool #26. A DNN or S-NSSAI the SMF does not serve gives #27 or
// #32 before the UDM is asked. See nf/smf/gsm for every cause.
//
// Ordering: every SM context has its own lock, held while the SMF talks to
// the UDM and the UPF for it and released before it calls the AMF; there
// is no goroutine per session (a goroutine lives only while a create
// continues after its 201, or while a reply's follow-up call runs).
//
// References: TS 23.502 §4.3.2.2.1, §4.3.4.2, §4.2.6, §4.2.3.2; TS 29.502
// §5.2.2.2-§5.2.2.5, §6.1.3, §6.1.6; TS 29.518 §5.2.2.3.1
// (N1N2MessageTransfer); TS 29.503 §5.2.2.2.5 (sm-data); TS 29.244 §6.2.6,
// §7.5; TS 24.501 §6.4.1, §6.4.3 and Annex B; TS 38.413 §9.3.4.
package smf
