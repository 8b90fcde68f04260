// Package catalogue embeds credbed's threat-scenario catalogue: one YAML file
// per scenario, one folder per suite (aka, network, dlink, deprovisioning,
// cloning, lifecycle). `credbed run` and the Ginkgo suite load it with
// scenarios.LoadFS(catalogue.FS(), ".", ...).
//
// References: reference/3gpp.md §6 (the threat rows the ids follow: D1-D10
// direct link, N1-N6 network, X1-X9 deprovisioning, C1-C4 cloning, L1-L4
// lifecycle), TR 33.899 KI #12.2.
//
// # Rows left out (direct link, cloning, lifecycle)
//
//   - L4 (onboarding timeout, #93 "Onboarding services terminated"): the AMF
//     implements no SNPN onboarding registration (5GS registration type 5),
//     no onboarding timer and no restricted onboarding PDU session
//     (TS 23.501 §5.30.2.10); only the cause value exists in internal/nasx.
//     A scenario would have nothing to time out.
//   - D6: reference/3gpp.md §6.1 has no D6 row.
//   - C2 is in, but only as a documented residual risk: the emulator has no
//     secure-element model, so extraction is modelled by clone_credential and
//     the scenario checks the remedy (deprovision, reset, re-key).
//   - The medium presets' range and loss are not applied by the embedded
//     bed (ue/dlink/link.Medium is not installed): D2-nfc assumes a relay in
//     range, and L0-nfc-loss injects the one loss it needs with drop.
package catalogue
