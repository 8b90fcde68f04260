package blocks_test

import (
	"context"
	"fmt"
	"net/netip"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/reports"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/blocks"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/scenarios/profile/profiletest"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/gmm"
)

// provEnv is the provisioning side only (NRF, UDR, AAnF, CPF with the
// built-in profiles, test-double PDs and TDs from profiletest) as a
// scenarios.Env: enough for the provisioning blocks, no radio.
type provEnv struct {
	core    *profiletest.Core
	profile profile.Profile
	actors  map[string]any
}

type provPD struct{ *profiletest.PD }

func (p provPD) TraceName() string { return "pd/" + p.PD.SUPI() }

// provRogue is a PD that may claim another identity.
type provRogue struct {
	*profiletest.PD
	claimed string
}

func (p *provRogue) ClaimSUPI(s string) { p.claimed = s }
func (p *provRogue) TraceName() string  { return "rogue/" + p.PD.SUPI() }
func (p *provRogue) SUPI() string {
	if p.claimed != "" {
		return p.claimed
	}
	return p.PD.SUPI()
}

type provTD struct{ *profiletest.TD }

func (t provTD) TraceName() string { return "td/" + t.TD.Identity().DeviceID }
func (t provTD) SUPI() string {
	if pkg, ok := t.TD.Credential(); ok {
		return pkg.SUPI.String()
	}
	return ""
}

// eveUE is an attacker with a UE and an empty slot (not attached).
type eveUE struct{ u *ue.UE }

func (e eveUE) UE() *ue.UE        { return e.u }
func (e eveUE) TraceName() string { return e.u.Name() }
func (e eveUE) SUPI() string {
	if s := e.u.SUPI(); !s.IsZero() {
		return s.String()
	}
	return ""
}

func provFactory() scenarios.EnvFactory {
	return func(ctx context.Context, cfg scenarios.EnvConfig) (scenarios.Env, error) {
		core, err := profiletest.NewCore(ctx, profiletest.Options{Seed: cfg.Seed})
		if err != nil {
			return nil, err
		}
		cfg.OnNetwork(core.Net, core.Clock)
		p, err := core.Profiles.Get(cfg.Profile)
		if err != nil {
			return nil, err
		}
		e := &provEnv{core: core, profile: p, actors: map[string]any{}}
		n := 0
		for _, a := range cfg.Actors {
			switch a.Role {
			case blocks.RoleProvisioningDevice, blocks.RoleRoguePD:
				o := profiletest.PDOptions{}
				if a.Role == blocks.RoleProvisioningDevice {
					n++
					o.Entitlement = profiletest.DefaultEntitlement(n)
				}
				pd, err := core.NewPD(ctx, o)
				if err != nil {
					return nil, err
				}
				if a.Role == blocks.RoleRoguePD {
					e.actors[a.Name] = &provRogue{PD: pd}
				} else {
					e.actors[a.Name] = provPD{pd}
				}
			case blocks.RoleTargetDevice:
				td, err := core.NewTD()
				if err != nil {
					return nil, err
				}
				if err := p.PrepareTarget(ctx, td); err != nil {
					return nil, err
				}
				e.actors[a.Name] = provTD{td}
			case blocks.RoleAttacker:
				u, err := ue.New(ue.Config{Name: a.Name, GMM: gmm.Config{ServingPLMN: ident.PLMN{MCC: "001", MNC: "01"}}},
					ue.Deps{Clock: core.Clock, Trace: core.Trace})
				if err != nil {
					return nil, err
				}
				e.actors[a.Name] = eveUE{u}
			default:
				return nil, fmt.Errorf("provEnv: no role %s", a.Role)
			}
		}
		return e, nil
	}
}

func (e *provEnv) Network() transport.Network        { return e.core.Net }
func (e *provEnv) Clock() clock.Clock                { return e.core.Clock }
func (e *provEnv) Trace() *trace.Recorder            { return e.core.Trace }
func (e *provEnv) Profile() profile.Profile          { return e.profile }
func (e *provEnv) Invariants() []scenarios.Invariant { return nil }
func (e *provEnv) Close() error                      { return e.core.Close() }
func (e *provEnv) Addr(string) (netip.Addr, bool)    { return netip.Addr{}, false }
func (e *provEnv) Actor(name string) (any, error)    { return e.actors[name], nil }

// Reference: TR 33.899 KI #12.2 R1/R3; reference/3gpp.md §6.1 D1 (eavesdropping), §6.3 X1
var _ = Describe("provisioning blocks on the profiles' network side", func() {
	run := func(src, profileName string) (res reports.ScenarioResult) {
		s, err := scenarios.Parse("prov.yaml", []byte(src), blocks.Default(), scenarios.LoadOptions{})
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("seed %d\n", GinkgoRandomSeed())
		r := &scenarios.Runner{NewEnv: provFactory(), Seed: GinkgoRandomSeed(), CaptureDir: GinkgoT().TempDir()}
		return r.RunOne(context.Background(), s, profileName)
	}

	const eavesdrop = `id: P-D1
title: eavesdropper reads the credential on the direct link
threats: [T1]
actors:
  - {name: pd, role: provisioning-device}
  - {name: td, role: target-device}
  - {name: eve, role: attacker}
steps:
  - {action: tap, actor: eve, with: {iface: dl}, save: dl}
  - {action: provision, actor: pd, with: {target: td}, save: prov}
  - {action: target_status, actor: pd, with: {provisioned: prov}, save: status}
  - {action: steal_credential, actor: eve, with: {from: dl}, expect: {secure: error, baseline: ok}, save: stolen}
  - {action: deprovision, actor: pd, with: {target: td}}
  - {action: target_status, actor: pd, with: {provisioned: prov, state: removed}, expect: any}
checks:
  stolen: {check: step_result, with: {step: stolen}}
  same_supi: {check: event_seen, with: {kind: attack, name: steal_credential, supi_of: td}}
outcome:
  succeeded_if: [stolen, same_supi]
expect:
  secure: blocked
  baseline: succeeded
`

	It("provisions, reads the status, deprovisions; the baseline's credential can be stolen", func() {
		res := run(eavesdrop, "secure")
		Expect(res.Passed).To(BeTrue(), res.Reason)
		Expect(res.CaptureSecrets).To(BeFalse())
		res = run(eavesdrop, "baseline")
		Expect(res.Passed).To(BeTrue(), res.Reason)
		Expect(res.CaptureSecrets).To(BeTrue())
	})

	// Reference: reference/3gpp.md §6.3 X1 — the baseline CPF trusts the claimed PD identity
	It("a rogue PD claiming the owner's identity deprovisions the target under baseline only", func() {
		src := `id: P-X1
title: impersonated owner deprovisions
threats: [T3]
actors:
  - {name: pd, role: provisioning-device}
  - {name: td, role: target-device}
  - {name: mallory, role: rogue-pd}
steps:
  - {action: provision, actor: pd, with: {target: td}, save: prov}
  - {action: deprovision, actor: mallory, with: {provisioned: prov}, expect: error}
  - {action: claim_identity, actor: mallory, with: {of: pd}}
  - {action: deprovision, actor: mallory, with: {provisioned: prov}, expect: any, save: forged}
checks:
  removed: {check: step_result, with: {step: forged}}
outcome: {succeeded_if: [removed]}
expect: {secure: blocked, baseline: succeeded}
`
		for _, p := range []string{"secure", "baseline"} {
			res := run(src, p)
			Expect(res.Passed).To(BeTrue(), p+": "+res.Reason)
		}
	})

	It("a PD without entitlement cannot provision under secure", func() {
		res := run(`id: P-N2
title: rogue PD provisions
threats: [T2]
actors:
  - {name: mallory, role: rogue-pd}
  - {name: td, role: target-device}
steps:
  - {action: provision, actor: mallory, with: {target: td}, expect: any, save: prov}
  - {action: deprovision, actor: mallory, with: {supi: imsi-001010000000001}, expect: error}
checks:
  provisioned: {check: step_result, with: {step: prov}}
outcome: {succeeded_if: [provisioned]}
expect: {secure: blocked}
`, "secure")
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})
})
