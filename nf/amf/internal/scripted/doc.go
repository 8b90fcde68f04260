// Package scripted is test support for nf/amf and nf/amf/gmm: a scripted UE
// (the NAS side of a USIM and ME, built directly on internal/aka,
// internal/nassec and internal/nasx) and an in-memory home network that
// answers like the AUSF and UDM of libraries.md §5.1 (5G HE AV, HXRES*,
// RES* confirmation, KSEAF, resynchronisation). It is not used by the AMF
// itself; the full UE lives in ue/.
//
// References: TS 33.501 §6.1.3.2 and Annex A (5G AKA, keys), TS 33.102
// §6.3.3 and §6.3.5 (AUTN check, AUTS), TS 24.501 §4.4 and §8.2 (NAS
// security and 5GMM messages).
package scripted
