// Package nassec is 5G NAS security: the per-UE NAS security context (keys,
// selected NEA/NIA, UL/DL NAS COUNT), protection of outgoing 5GMM messages and
// verification, replay rejection and deciphering of incoming ones. Ciphering
// and integrity primitives come from free5gc/nas/security; the package does no
// IO and keeps no state outside the Context value.
//
// References: TS 33.501 §5.11.1, §6.4.3, §6.4.4, §6.4.5, §6.7.2, Annex D;
// TS 24.501 §4.4.3 (NAS COUNT), §4.4.4, §9.1.1 and §9.3.1 (security header).
//
// Usage:
//
//	ctx, err := nassec.New(nassec.Config{Side: nassec.SideNetwork, KNASEnc: ch.KNASEnc,
//		KNASInt: ch.KNASInt, Enc: nassec.NEA2, Int: nassec.NIA2})
//	pdu, err := ctx.Protect(smc, nassec.HdrIntegrityNew)       // SECURITY MODE COMMAND
//	plain, hdr, err := ctx.Unprotect(ulPDU)                    // ErrMACFailure, ErrReplay, ...
//
// Attackers produce wrong MACs and counts through ProtectWith and Options.
package nassec
