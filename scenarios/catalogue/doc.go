// Package catalogue embeds credbed's threat-scenario catalogue: one YAML file
// per scenario, one folder per suite (aka, network, dlink, deprovisioning,
// cloning, lifecycle, dos). `credbed run` and the Ginkgo suite load it with
// scenarios.LoadFS(catalogue.FS(), ".", ...).
//
// References: reference/3gpp.md §6 (the threat rows the ids follow: D1-D10
// direct link, N1-N6 network, X1-X9 deprovisioning, C1-C4 cloning, K1-K10
// AKA/NAS, S1-S4 denial of service, L1-L4 lifecycle), TR 33.899 KI #12.2.
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
//
// # Rows left out or covered in part (network, deprovisioning, AKA/NAS, denial of service)
//
//   - X6, CM-IDLE case: no block can release a UE's N2 connection (the AN
//     release is the AMF's ReleaseConnection, which the scenario environment
//     does not expose, and the emulated gNB sends no UE CONTEXT RELEASE
//     REQUEST). X6 covers the switched-off case; X8 the unreachable one
//     (radio lost without de-registration).
//   - X8, Service Request: the emulated UE has no Service Request procedure;
//     it comes back with an integrity-protected REGISTRATION REQUEST under
//     its old 5G-GUTI and NAS keys, which the scenario uses instead.
//   - K5, the UE's #26: a vector whose AUTN is MACed with the subscriber's K
//     and carries AMF 0x0000 comes only from a 4G HSS, which credbed does not
//     emulate; a fake network cannot make one, and flipping the bit in
//     transit fails the MAC first (#20, K4). K5 covers the home network's
//     side (the UDM refuses to build such a 5G vector); the UE's check is
//     covered by ue/gmm's unit tests.
//   - K6, "wrong K/OPc on T": a wrong key fails the UE's AUTN check (#20,
//     see K4 and N4) before any RES* exists, so K6 alters RES* in transit,
//     once before the SEAF's check and once after it.
//   - S2, overload control: the AMF has no registration admission control
//     (it sends #22 with T3346 only when an NF fails), so the "#22 +
//     T3346, UEs back off" part cannot run; S2 covers what can: every
//     unknown identity turned away without a vector, a real UE served.
//   - S4, re-keying: the secure CPF keeps one counter per PD SUPI with no
//     reset or re-association; S4b records the lock-out at the counter's
//     top as a residual risk.
//   - N4, proof of possession: the secure profile's proof covers the direct
//     link leg only (the target holds what the CPF sealed); a mismatch in
//     the network's copy surfaces at the first registration, which fails
//     closed.
//   - N5 needs the mem-mode bed's hand-driven clock (it waits out the
//     10-minute pending TTL) and forces mem mode.
package catalogue
