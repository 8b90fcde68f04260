// Package aka is the 5G AKA security core: MILENAGE authentication vectors and
// checks (via free5gc/util/milenage), SQN management, the generic KDF and the
// 5G key hierarchy (KAUSF, RES*, HRES*, KSEAF, KAMF, NAS keys, KgNB) and the AKMA
// keys (K_AKMA, A-TID, A-KID, K_AF). It does no IO and holds no state.
//
// References: TS 33.102 §6.3 and Annex C (AKA, SQN), TS 35.205/35.206/35.208
// (MILENAGE), TS 33.220 Annex B.2 (KDF), TS 33.501 §6.1.3.2 and Annex A (5G
// key derivation), TS 33.535 §6.1 and Annex A (AKMA).
//
// Usage, home network (UDM/AUSF):
//
//	sqn := aka.NextSQN(stored)                        // TS 33.102 C.3
//	v, err := aka.GenerateVector(k, opc, rand, sqn, aka.AMF5G)
//	he, err := v.HEAV(snn)                            // XRES*, KAUSF
//	hx := aka.HRESStar(he.RAND, he.XRESStar)          // HXRES* for the SEAF
//
// Usage, UE (USIM + ME):
//
//	r, err := aka.CheckAUTN(k, opc, rand, autn)       // ErrMACFailure, ErrAMFSeparation
//	if err := usim.Check(r.SQN); err != nil { auts, _ := aka.BuildAUTS(k, opc, rand, usim.Highest()) }
//	usim.Accept(r.SQN)
//	ch, err := aka.DeriveChain(aka.ChainInput{CK: r.CK, IK: r.IK, ...})
//
// Key material is typed Key128/Key256, whose String, Format, LogValue and
// MarshalText print only "[redacted]"; errors never carry key bytes.
package aka
