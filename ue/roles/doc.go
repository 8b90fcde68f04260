// Package roles is the device side of remote credential provisioning (TR
// 33.899 KI #12.2, R1-R3): the ProvisioningDevice, a UE with its own
// subscription and the provisioning application (AKMA keys derived from its
// KAUSF like the AUSF does, the CPF reached over its PDU session, a counter
// persisted before use, the direct-link initiator), and the TargetDevice, a
// UE with an empty credential slot and a factory identity (device id and
// P-256 bootstrap key pair, its DPP-style URI as the QR/NFC payload; the
// direct-link responder that installs a delivered credential in the USIM
// atomically and answers with a proof of possession; factory reset). Both
// satisfy the device interfaces of scenarios/profile (profile.PD and
// profile.TD), so every solution profile runs on them, and both expose
// their UE (blocks.UEActor).
//
// The direct link is a transport.Endpoint of kind transport.DL driven by
// ue/dlink/link, so every frame crosses the network's interceptor chain
// where attackers tap, drop, replay or modify it. A PD binds one endpoint
// and demultiplexes by peer, so it may provision several targets at once;
// a TD binds its endpoint only while its responder is armed.
//
// References: DESIGN reference flow steps 1-9; TS 33.535 §6.1 and Annex
// A.2-A.4 (K_AKMA, A-TID, A-KID, K_AF); TS 23.003 §2.2B (routing
// indicator); TS 24.501 §6.4.1 (PDU session); 3gpp.md §5.4, §6.1-§6.3, §6.7.
//
// Usage (the testbed builds both with bed.NewProvisioningDevice and
// bed.NewTarget):
//
//	pd, _ := roles.NewProvisioningDevice(roles.PDConfig{CPF: svc, PLMN: plmn, DirectLink: pdAddr},
//		roles.Deps{UE: pdUE, Net: nw, Clock: clk, Rand: rnd, Trace: rec})
//	_ = pd.Start(ctx)                 // binds the direct-link endpoint
//	_, _ = pd.Connect(ctx)            // registration and PDU session (step 1)
//	td, _ := roles.NewTargetDevice(roles.TDConfig{Identity: id, DirectLink: tdAddr},
//		roles.Deps{UE: emptyUE, Net: nw, Clock: clk, Rand: rnd, Trace: rec})
//	got, err := prof.ProvisionTarget(ctx, pd, td) // after prof.PrepareTarget(ctx, td)
package roles
