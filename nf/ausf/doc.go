// Package ausf is credbed's Authentication Server Function:
// Nausf_UEAuthentication (TS 29.509) with 5G AKA (TS 33.501 §6.1.3.2) and
// EAP-AKA' (TS 33.501 §6.1.3.1, RFC 9048; codec in nf/ausf/eapaka), and
// the AKMA anchor key push to the AAnF after a successful primary
// authentication (TS 33.535 §6.1).
//
// Served resources:
//
//	POST /nausf-auth/v1/ue-authentications                               201 UEAuthenticationCtx + Location
//	PUT  /nausf-auth/v1/ue-authentications/{authCtxId}/5g-aka-confirmation 200 ConfirmationDataResponse
//	POST /nausf-auth/v1/ue-authentications/{authCtxId}/eap-session         200 EapSession
//
// The AUSF checks the serving network name claimed by the SEAF against the
// names it is configured to serve (403 SERVING_NETWORK_NOT_AUTHORIZED,
// TS 33.501 §6.1.2), discovers the UDM at the NRF (cached), and keeps
// XRES*/KAUSF (or K_aut/XRES/KAUSF for EAP-AKA') in an authentication
// context keyed by a fresh random authCtxId, never by the SUCI, so
// parallel authentications of one subscriber never collide. Contexts live
// in a sharded map and expire on the injected clock; expired ones are swept
// lazily, shard by shard, with no timer per context. KSEAF is derived only
// after RES* (or AT_RES and AT_MAC) verified and the UDM accepted the
// authentication event.
//
// AKMA (TS 33.535): when Config.AKMA is set or the UDM's
// AuthenticationInfoResult carries akmaInd (the UDR's akmaAllowed), the
// AUSF derives K_AKMA and A-TID from KAUSF and registers {supi, aKId,
// kAkma} at the AAnF (Naanf_AKMA_AnchorKey_Register). The A-KID is
// aka.AKID(routing indicator, A-TID, "5gc.mnc<MNC>.mcc<MCC>.3gppnetwork.org")
// with the 3-digit MNC of the home network (TS 23.003 §28.2).
package ausf
