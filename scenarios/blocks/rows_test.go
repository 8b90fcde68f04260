package blocks_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/scenarios/blocks"
)

// The blocks of the catalogue rows N, X, K and S (reference/3gpp.md §6.2,
// §6.3, §6.5, §6.6) check their arguments when the scenario loads.
var _ = Describe("catalogue row blocks: arguments", func() {
	step := func(s string) string {
		return "steps:\n  - " + s + "\noutcome: {completed_if: [{check: event_seen, with: {kind: note}}]}\nexpect: {secure: completed}\n"
	}

	DescribeTable("bad arguments are load errors naming the problem",
		func(s, want string) {
			Expect(loadErr(step(s))).To(MatchError(ContainSubstring(want)))
		},
		Entry("modify_nas without an edit", `{action: modify_nas, with: {iface: n2}}`, "at least one edit"),
		Entry("modify_nas randomize length", `{action: modify_nas, with: {randomize: {offset: 0, length: 0}}}`, "length must be in"),
		Entry("replay_nas without a tap", `{action: replay_nas, with: {nas: AUTHENTICATION REQUEST}}`, "from_tap is required"),
		Entry("replay_nas without a message", `{action: mark, save: t}
  - {action: replay_nas, with: {from_tap: t}}`, "message is required"),
		Entry("replay_nas unknown message", `{action: mark, save: t}
  - {action: replay_nas, with: {from_tap: t, message: HELLO}}`, "unknown NAS message"),
		Entry("bid_down algorithm id", `{action: bid_down, with: {ia: [9]}}`, "out of range"),
		Entry("cpf_request op", `{action: cpf_request, actor: pd, with: {op: delete}}`, "want provision, status or deprovision"),
		Entry("cpf_request forged without as", `{action: cpf_request, actor: pd, with: {op: status, supi: imsi-001010000000001, identity: forged}}`, "needs as"),
		Entry("cpf_request as without forged", `{action: cpf_request, actor: pd, with: {op: status, supi: imsi-001010000000001, as: pd}}`, "as goes with identity: forged"),
		Entry("cpf_request provision without target", `{action: cpf_request, actor: pd, with: {op: provision}}`, "provision needs target"),
		Entry("cpf_request two targets", `{action: cpf_request, actor: pd, with: {op: status, target: td, supi: imsi-001010000000001}}`, "exactly one of"),
		Entry("cpf_request bad SUPI", `{action: cpf_request, actor: pd, with: {op: status, supi: bob}}`, "supi"),
		Entry("cpf_request deliver a status", `{action: cpf_request, actor: pd, with: {op: status, target: td, deliver: true}}`, "deliver goes with op: provision"),
		Entry("cpf_request state", `{action: cpf_request, actor: pd, with: {op: status, target: td, state: gone}}`, "want pending, confirmed"),
		Entry("replay_http without a tap", `{action: replay_http, actor: pd, with: {method: POST}}`, "from_tap is required"),
		Entry("replay_http method case", `{action: mark, save: t}
  - {action: replay_http, actor: pd, with: {from_tap: t, method: post}}`, "upper case"),
		Entry("forge_http_response without request", `{action: forge_http_response, with: {status: 200}}`, "request is required"),
		Entry("forge_http_response status", `{action: forge_http_response, with: {request: "DELETE /", status: 42}}`, "not an HTTP status"),
		Entry("flood count", `{action: flood, actor: pd, with: {count: 100001}}`, "out of range"),
		Entry("flood identity", `{action: flood, actor: pd, with: {identity: mine}}`, "want own, rotate or none"),
		Entry("registration_storm without a tap", `{action: registration_storm, with: {count: 3}}`, "from_tap is required"),
		Entry("registration_storm PLMN", `{action: mark, save: t}
  - {action: registration_storm, with: {from_tap: t, mcc: "1", mnc: "01"}}`, "MCC"),
		Entry("echo address", `{action: echo, actor: ue1, with: {to: dn}}`, "not an IP:port"),
		Entry("echo within", `{action: echo, actor: ue1, with: {within: 2h}}`, "out of range"),
		Entry("flood_result without bounds", `{action: mark, save: f}
  - {action: flood_result, with: {step: f}}`, "at least one of"),
	)

	It("fills defaults", func() {
		a := &blocks.BidDownArgs{}
		Expect(a.Validate()).To(Succeed())
		Expect(a.EA).To(Equal([]int{0}))
		Expect(a.IA).To(Equal([]int{1}))
		Expect(a.NAS).To(Equal("REGISTRATION REQUEST"))
		f := &blocks.FloodArgs{}
		Expect(f.Validate()).To(Succeed())
		Expect(f.Count).To(Equal(60))
		Expect(f.Identity).To(Equal(blocks.FloodRotate))
		e := &blocks.EchoArgs{}
		Expect(e.Validate()).To(Succeed())
		Expect(e.To).To(Equal(blocks.DefaultEchoService))
		c := &blocks.CPFRequestArgs{Op: "status", Target: "td"}
		Expect(c.Validate()).To(Succeed())
		Expect(c.Identity).To(Equal(blocks.IdentityOwn))
	})

	It("counts a flood's admitted and rate-limited answers", func() {
		r := &blocks.FloodResult{Sent: 10, ByStatus: map[int]int{401: 4, 429: 5, 0: 1}, Limited: 5, RetryAfter: 5}
		Expect(r.Admitted()).To(Equal(4))
		Expect(r.String()).To(Equal("10 sent (1x0 4x401 5x429), 4 admitted, 5 rate-limited (5 with Retry-After)"))
	})
})
