// Package suci conceals a SUPI into a SUCI and de-conceals it again (the UE's
// and the SIDF's halves of TS 33.501 §6.12): the null scheme, ECIES Profile A
// (X25519) and ECIES Profile B (P-256 with compressed points), with the ANSI
// X9.63 KDF (SHA-256), AES-128-CTR and an 8-octet HMAC-SHA-256 tag (Annex C.3).
//
// Usage, UE side (the USIM/ME holds the home network public key):
//
//	hn, err := suci.NewPublicKey(ident.SchemeProfileA, hnPubBytes)
//	s, err := suci.Conceal(supi, suci.Params{Scheme: ident.SchemeProfileA,
//		HomeNetworkKey: hn, KeyID: 1, RoutingIndicator: "0", MNCLength: 2}, rand)
//	nas, err := s.MarshalNAS() // 5GS mobile identity value for REGISTRATION REQUEST
//
// SIDF side (in the UDM):
//
//	ring := suci.KeyRing{}
//	err := ring.Add(1, hnPriv)
//	supi, err := suci.Deconceal(s, ring) // s from ident.ParseSUCI or ident.ParseSUCINAS
//
// The SUCI value type and its string and NAS codecs live in internal/ident.
// References: TS 33.501 §6.12, Annex C (C.3.2 to C.3.4, test data C.4);
// TS 23.003 §2.2B; SECG SEC 1 v2 §3.3, §3.6.1, §5.1; RFC 7748;
// NIST SP 800-38A (CTR, B.1 incrementing function with m = 32).
package suci
