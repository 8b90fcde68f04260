// Package secure is credbed's reference solution profile (DESIGN "the
// reference flow"): the PD authenticates to the CPF with AKMA (A-KID, a MAC
// under K_AF over every request, a counter that must grow), the CPF
// generates K and OPc and seals the package to the TD's bootstrap key, the
// package travels over the DPP-style authenticated direct link (ue/dlink
// Secure), the TD's proof of possession is relayed to the CPF, and
// deprovisioning is MACed and counter-checked (persisted before acting).
// Every CPF answer to an authenticated request is MACed too.
//
// References: TS 33.535 §6.1, A.4 (AKMA, K_AF), 3gpp.md §5.4, §6.2 (N1-N5),
// §6.3 (X1, X2); internal/provproto for the wire format.
package secure
