package blocks_test

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/reports"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/blocks"
)

var _ = Describe("direct-link and identity attack blocks", func() {
	DescribeTable("refuse bad arguments at load time",
		func(steps, want string) {
			Expect(loadErr("steps:\n" + steps + "outcome: {completed_if: [{check: event_seen, with: {kind: note}}]}\nexpect: {secure: completed}\n")).
				To(MatchError(ContainSubstring(want)))
		},
		Entry("dl_mitm without target", "  - {action: dl_mitm, actor: eve}\n", "target is required"),
		Entry("dl_edit_credential with two edits", "  - {action: dl_edit_credential, actor: eve, with: {flip_bit: 1, strip_hn_keys: true}}\n", "exactly one of"),
		Entry("dl_edit_credential bit outside K", "  - {action: dl_edit_credential, actor: eve, with: {flip_bit: 128}}\n", "flip_bit 128"),
		Entry("dl_downgrade unknown cipher", "  - {action: dl_downgrade, actor: eve, with: {ciphers: [rot13]}}\n", "cipher \"rot13\""),
		Entry("dl_downgrade empty list", "  - {action: dl_downgrade, actor: eve, with: {ciphers: []}}\n", "empty list"),
		Entry("dl_downgrade other frame", "  - {action: dl_downgrade, actor: eve, with: {frame: Status, ciphers: [none]}}\n", "want AuthRequest or AuthResponse"),
		Entry("dl_replay without tap", "  - {action: dl_replay, actor: eve, with: {target: td}}\n", "from is required"),
		Entry("dl_flood too many", "  - {action: dl_flood, actor: eve, with: {target: td, attempts: 5000}}\n", "attempts and guesses"),
		Entry("rogue_provision by an attacker", "  - {action: rogue_provision, actor: eve, with: {target: td}}\n", "eve"),
		Entry("rogue_provision bad SUPI", "  - {action: rogue_provision, actor: pd, with: {target: td, supi: nai-x@y}}\n", "want an IMSI"),
		Entry("rewrite_suci unknown mode", "  - {action: rewrite_suci, actor: eve, with: {mode: wrong}}\n", "mode \"wrong\""),
		Entry("holds_credential two expectations", "  - {action: holds_credential, with: {actor: td, none: true, supi: imsi-001010000000001}}\n", "exactly one of"),
		Entry("capability_acted without capability", "  - {action: capability_acted, with: {min: 1}}\n", "capability is required"),
	)

	// Reference: reference/3gpp.md §6.1 D2 (MITM), D7 (tampering); TR 33.899 KI #12.2 R1.
	run := func(src, profileName string) reports.ScenarioResult {
		s, err := scenarios.Parse("dl.yaml", []byte(src), blocks.Default(), scenarios.LoadOptions{})
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("seed %d\n", GinkgoRandomSeed())
		r := &scenarios.Runner{NewEnv: provFactory(), Seed: GinkgoRandomSeed(), CaptureDir: GinkgoT().TempDir()}
		return r.RunOne(context.Background(), s, profileName)
	}

	It("dl_mitm makes the secure PD abort and relays the baseline credential", func() {
		src := `id: P-D2
title: key-substituting relay
threats: [T2]
actors:
  - {name: pd, role: provisioning-device}
  - {name: td, role: target-device}
  - {name: eve, role: attacker}
steps:
  - {action: dl_mitm, actor: eve, with: {target: td}, save: mitm}
  - {action: provision, actor: pd, with: {target: td}, expect: {secure: error, baseline: ok}, save: prov}
checks:
  installed: {check: holds_credential, with: {actor: td, provisioned: prov}}
  acted: {check: capability_acted, with: {capability: mitm}}
  aborted: {check: event_seen, with: {kind: reject, iface: DL, name: AuthResponse, cause: AUTH_FAILURE}}
  empty: {check: holds_credential, with: {actor: td, none: true}}
outcome: {succeeded_if: [installed]}
expect:
  secure: {outcome: blocked, checks: [acted, aborted, empty]}
  baseline: {outcome: succeeded, checks: [acted]}
`
		for _, p := range []string{"secure", "baseline"} {
			res := run(src, p)
			Expect(res.Passed).To(BeTrue(), p+": "+res.Reason)
			Expect(count(res.Trace, trace.Event{Kind: trace.KindAttack, Actor: "eve", Name: "dl_mitm"})).To(BeNumerically(">=", 1))
		}
	})

	It("dl_edit_credential is caught by the secure AEAD and installed by the baseline target", func() {
		src := `id: P-D7
title: bit flip in the credential
threats: [T1]
actors:
  - {name: pd, role: provisioning-device}
  - {name: td, role: target-device}
  - {name: eve, role: attacker}
steps:
  - {action: dl_edit_credential, actor: eve, with: {flip_bit: 0, count: 1}, save: flip}
  - {action: provision, actor: pd, with: {target: td}, expect: {secure: error, baseline: ok}, save: prov}
checks:
  installed: {check: holds_credential, with: {actor: td, provisioned: prov}}
  unwrap: {check: event_seen, with: {kind: reject, iface: DL, cause: UNWRAP_FAILURE}}
  once: {check: capability_acted, with: {capability: flip, min: 1, max: 1}}
outcome: {succeeded_if: [installed]}
expect:
  secure: {outcome: blocked, checks: [unwrap, once]}
  baseline: {outcome: succeeded, checks: [once]}
`
		for _, p := range []string{"secure", "baseline"} {
			res := run(src, p)
			Expect(res.Passed).To(BeTrue(), p+": "+res.Reason)
		}
	})
})
