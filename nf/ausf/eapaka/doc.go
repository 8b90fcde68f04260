// Package eapaka is the EAP-AKA' method (RFC 9048, updating RFC 5448 and
// RFC 4187) as 5G uses it for primary authentication (TS 33.501 §6.1.3.1,
// Annex F): the EAP packet and attribute codec, the AKA'-Challenge,
// Synchronization-Failure and Authentication-Reject messages, AT_MAC
// (HMAC-SHA-256-128 over the packet), CK'/IK' (TS 33.402 A.2 via the KDF of
// TS 33.220 B.2, FC 0x20) and the PRF' key schedule (K_encr, K_aut, K_re,
// MSK, EMSK), with KAUSF = the 256 most significant bits of EMSK (TS 33.501
// §6.1.3.1 step 11). It does no IO and is used by both the AUSF and the UE.
//
// Usage, server (AUSF):
//
//	ckp, ikp, _ := eapaka.CKIKPrime(ck, ik, snn, sqnXorAK)
//	keys := eapaka.DeriveKeys(ckp, ikp, eapaka.Identity(supi))
//	req, _ := eapaka.BuildChallenge(id, rand, autn, snn, keys.KAut[:])
//	// ... later, the peer's answer:
//	p, err := eapaka.Decode(resp) // then VerifyMAC(resp, keys.KAut[:]) and p.RES()
//
// Usage, peer (UE): Decode the request, VerifyMAC after deriving the keys
// from the AUTN check, then BuildChallengeResponse.
package eapaka
