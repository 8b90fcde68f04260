// Package cpf is credbed's Credential Provisioning Function: the network end
// of remote credential provisioning and deprovisioning (TR 33.899 KI #12.2,
// R2 and R3). Its API is served in the data network, reached by a
// provisioning device (PD) over its PDU session; each solution profile
// mounts its own network half (routes and wire format) on the CPF with
// Mount, built on the Backend, the generic part every profile shares:
//
//   - authentication: AKMA as an application function (A-KID ->
//     Naanf_AKMA_ApplicationKey_Get with the CPF's AF_ID -> K_AF and the PD's
//     SUPI; the request MAC under K_AF, internal/provproto), or a claimed
//     identity for profiles that trust one;
//   - admission: a token bucket per PD and per failing source (429 with
//     Retry-After), on the injected clock;
//   - provision: counter freshness, the PD's entitlement kept in the UDR
//     (quota, allowed SUPI ranges, device list), ownership of device and
//     SUPI, SUPI allocation, K and OPc drawn from the injected randomness,
//     the subscription written at the UDR as pending with owner and expiry,
//     the package sealed to the target's bootstrap key (internal/credential)
//     with the home network SUCI keys, routing indicator and PLMN;
//   - confirm: the target's proof of possession;
//   - deprovision: ownership and a counter persisted before acting, then the
//     UDR deletes the subscription (the UDR notifies the UDM, which notifies
//     the AMF);
//   - status, and PurgeExpired for pending targets that never got used.
//
// All CPF state (per-PD counters and allocation cursors, targets and their
// pending operations, per-device binding counters) is in internal/store: a
// restart loses nothing, and an interrupted deprovisioning is completed by
// Start. Every refusal is a Refusal value (HTTP status and ProblemDetails)
// and changes nothing. Requests, responses, refusals and state changes are
// traced (Iface "CPF"); K, OPc and K_AF never are.
//
// Usage (the testbed):
//
//	c, err := cpf.New(cpf.Config{Path: "cpf.db", HNKeys: keys}, cpf.Deps{Net: nw, NRF: nrfRoot, Clock: clk, Rand: rnd, Trace: rec})
//	for _, name := range reg.Names() {
//		p, _ := reg.Lookup(name)
//		err = c.Mount(name, p.Network)
//	}
//	err = dataNetwork.Handle(c.Config().PathRoot+"/", c.Handler())
//	err = c.Start(ctx)
//
// References: TS 33.535 §6.1, §6.3 and Annex A.4 (AKMA, K_AF), TS 29.535
// §5.2.2.3 (Naanf_AKMA_ApplicationKey_Get), TS 29.504/29.505 (the UDR),
// TS 29.500 §5.2.7 (ProblemDetails), 3gpp.md §5.4 and §6.2, §6.3, §6.6
// (threats N1-N6, X1-X9, S1).
package cpf
