// Package baseline is the naive solution profile a careless design would
// ship (DESIGN "solution profiles"): the PD claims its identity in a header
// and the CPF trusts it (no AKMA, no MAC), the PD generates K and OPc and
// hands them to the network, the credential travels in plaintext over the
// direct link (ue/dlink Baseline), there is no proof of possession, and
// deprovisioning has no freshness check. The CPF's entitlement, quota and
// ownership checks still run: what fails is who the CPF believes it talks to,
// secrecy on the link and freshness. Threat scenarios show where it breaks
// (3gpp.md §6.1 D1, §6.2 N1/N3, §6.3 X1/X2).
//
// References: TR 33.899 KI #12.2 threats T1-T3; internal/provproto (the
// baseline forms).
package baseline
