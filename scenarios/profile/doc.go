// Package profile defines credbed's solution profiles: one complete way to
// provision a target device (TD) through a provisioning device (PD) and to
// deprovision it through the network (TR 33.899 KI #12.2, R1-R3). A Profile
// has a network half (the CPF API, built on nf/cpf's Backend and mounted with
// cpf.NF.Mount) and a device half (PrepareTarget, ProvisionTarget,
// Deprovision, Status, which the PD and TD roles call through the small PD
// and TD interfaces). Profiles live in a Registry value; the built-in ones
// are scenarios/profile/secure (the reference flow) and
// scenarios/profile/baseline (the naive one), listed by
// scenarios/profile/builtin. docs/profiles.md tells how to add one.
//
// Usage (the testbed and a lifecycle driver):
//
//	reg, _ := builtin.Registry()
//	_ = reg.MountAll(cpfNF)                  // network halves
//	p, _ := reg.Get("secure")
//	_ = p.PrepareTarget(ctx, td)             // device halves
//	got, err := p.ProvisionTarget(ctx, pd, td)
//	_, err = p.Deprovision(ctx, pd, got.SUPI)
//
// References: DESIGN.md (reference flow steps 3-8, solution profiles),
// 3gpp.md §5.4 (design implications), §6.1-§6.3 (threats D, N, X).
package profile
