package blocks_test

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios/blocks"
)

var _ = Describe("registry", func() {
	It("registers every built-in once, with a summary, and every role", func() {
		reg := blocks.Default()
		Expect(reg.Blocks()).To(HaveLen(len(blocks.Builtins())))
		Expect(reg.Roles()).To(HaveLen(len(blocks.Roles())))
		for _, b := range reg.Blocks() {
			Expect(b.Summary).NotTo(BeEmpty(), b.Name)
			Expect(b.NewArgs()).NotTo(BeNil())
		}
		Expect(reg.Register(blocks.Drop())).To(MatchError(ContainSubstring("already registered")))
	})
})

// Reference: TR 33.899 KI #12.2 — attackers observe, drop, modify, replay
// and inject on every link (reference/3gpp.md §6).
var _ = Describe("attacker capabilities", func() {
	It("tap records what passes and replay injects it again", func() {
		res := play(`steps:
  - {action: tap, actor: eve, with: {iface: n2, to: amf}, save: t}
  - {action: ping, actor: ue1, with: {text: one}}
  - {action: replay, actor: eve, with: {from: t, times: 2}, save: r}
  - {action: wait}
checks:
  replayed: {check: event_seen, with: {kind: message, name: ping, actor: amf, min: 3, max: 3}}
outcome: {succeeded_if: [replayed]}
expect: {secure: succeeded}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
		Expect(count(res.Trace, trace.Event{Kind: trace.KindAttack, Actor: "eve", Name: "replay"})).To(Equal(2))
		Expect(res.Attacks).To(Equal([]string{"tap", "replay"}))
	})

	It("replay fails clearly on an empty tap and on a value that is not a tap", func() {
		res := play(`steps:
  - {action: tap, actor: eve, with: {iface: n3}, save: t}
  - {action: replay, actor: eve, with: {from: t}, expect: error, save: r1}
  - {action: mark, save: m}
  - {action: replay, actor: eve, with: {from: m}, expect: error, save: r2}
checks:
  empty: {check: step_result, with: {step: r1, ok: false, error_contains: "recorded no matching packet"}}
  notap: {check: step_result, with: {step: r2, ok: false, error_contains: "is not a tap"}}
outcome: {completed_if: [empty, notap]}
expect: {secure: completed}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})

	It("drop discards, and stop removes the capability", func() {
		res := play(`steps:
  - {action: drop, actor: eve, with: {iface: n2, to: amf}, save: d}
  - {action: ping, actor: ue1, expect: error}
  - {action: stop, actor: eve, with: {capability: d}}
  - {action: ping, actor: ue1}
checks:
  one: {check: event_seen, with: {name: ping, actor: amf, min: 1, max: 1}}
outcome: {completed_if: [one]}
expect: {secure: completed}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})

	It("skip and count limit which packets a capability acts on", func() {
		res := play(`steps:
  - {action: drop, actor: eve, with: {iface: n2, to: amf, skip: 1, count: 1}}
  - {action: ping, actor: ue1}
  - {action: ping, actor: ue1, expect: error}
  - {action: ping, actor: ue1}
checks:
  two: {check: event_seen, with: {name: ping, actor: amf, min: 2, max: 2}}
outcome: {completed_if: [two]}
expect: {secure: completed}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})

	It("duplicate delivers extra copies", func() {
		res := play(`steps:
  - {action: duplicate, actor: eve, with: {iface: n2, to: amf, copies: 2}}
  - {action: ping, actor: ue1}
  - {action: wait}
checks:
  three: {check: event_seen, with: {name: ping, actor: amf, min: 3, max: 3}}
outcome: {succeeded_if: [three]}
expect: {secure: succeeded}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})

	It("modify rewrites bytes", func() {
		res := play(`steps:
  - {action: modify, actor: eve, with: {iface: n2, to: amf, replace: [{find: "ping:", with: "pint:"}]}}
  - {action: ping, actor: ue1, expect: error}
checks:
  garbled: {check: event_seen, with: {kind: drop, actor: amf, name: garbled}}
outcome: {succeeded_if: [garbled]}
expect: {secure: succeeded}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})

	It("modify rewrites SBI JSON bodies and response statuses", func() {
		res := play(`steps:
  - {action: modify, actor: eve, with: {requests: true, path_prefix: /nausf-auth/v1/, json_set: {supi: imsi-999990000000001}}}
  - {action: sbi_register, actor: ue1, with: {supi: imsi-001010000000001}, expect: error, save: r}
checks:
  rejected: {check: event_seen, with: {kind: reject, actor: ausf, supi: imsi-999990000000001, cause: SERVING_NETWORK_NOT_AUTHORIZED}}
outcome: {succeeded_if: [rejected]}
expect: {secure: succeeded}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)

		res = play(`steps:
  - {action: modify, actor: eve, with: {responses: true, status: 201, set_status: 503, header_set: {Retry-After: "5"}}}
  - {action: sbi_register, actor: ue1, with: {supi: imsi-001010000000001}, expect: error, save: r}
checks:
  failed: {check: step_result, with: {step: r, ok: false, error_contains: "503"}}
outcome: {succeeded_if: [failed]}
expect: {secure: succeeded}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})

	It("bit_flip flips given bits and random bits from the seed", func() {
		for _, with := range []string{"{iface: n2, to: amf, bits: [0]}", "{iface: n2, to: amf, random: 1}"} {
			res := play(`steps:
  - {action: bit_flip, actor: eve, with: ` + with + `}
  - {action: ping, actor: ue1, with: {text: ""}, expect: error}
checks:
  garbled: {check: event_seen, with: {kind: drop, actor: amf, name: garbled}}
outcome: {succeeded_if: [garbled]}
expect: {secure: succeeded}
`)
			Expect(res.Passed).To(BeTrue(), with+": "+res.Reason)
		}
	})

	It("inject sends forged packets and SBI requests as if from another sender", func() {
		res := play(`steps:
  - {action: inject, actor: eve, with: {iface: n2, from: ue1, to: amf, payload: "ping:forged", times: 2}}
  - {action: inject, actor: eve, with: {iface: sbi, to: ausf, method: POST, path: /nausf-auth/v1/ue-authentications, json: {supi: imsi-999990000000002}}, save: s}
  - {action: inject, actor: eve, with: {iface: dl, to: td, payload: "hex: 63 72 65 64 3a 69 6d 73 69 2d 30 30 31"}}
  - {action: wait}
checks:
  pings: {check: event_seen, with: {name: ping, actor: amf, peer: "127.0.3.1:38412", min: 2, max: 2}}
  rejected: {check: event_seen, with: {kind: reject, supi: imsi-999990000000002}}
  provisioned: {check: event_seen, with: {kind: state, name: provisioned, actor_of: td, supi: imsi-001}}
outcome: {succeeded_if: [pings, rejected, provisioned]}
expect: {secure: succeeded}
`)
		Expect(res.Passed).To(BeTrue(), fmt.Sprint(res.Reason, res.Checks))
	})
})

var _ = Describe("faults", func() {
	It("link_down cuts a link until stopped, traced as faults", func() {
		res := play(`steps:
  - {action: link_down, with: {iface: dl}, save: cut}
  - {action: give_credential, actor: pd, with: {to: td, supi: imsi-001010000000009}, expect: error}
  - {action: stop, with: {capability: cut}}
  - {action: give_credential, actor: pd, with: {to: td, supi: imsi-001010000000009}}
checks:
  faulted: {check: event_seen, with: {kind: fault, name: link_down, iface: DL}}
outcome: {completed_if: [faulted]}
expect: {secure: completed}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
		Expect(res.Attacks).To(ContainElement("link_down"))
	})

	It("loss at rate 1 loses every selected packet", func() {
		res := play(`steps:
  - {action: loss, with: {iface: n2, rate: 1}}
  - {action: ping, actor: ue1, expect: error}
checks:
  lost: {check: event_seen, with: {kind: fault, name: loss, actor: fault}}
outcome: {completed_if: [lost]}
expect: {secure: completed}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})

	It("restart asks the environment to restart a node", func() {
		res := play(`steps:
  - {action: restart, with: {node: amf}}
  - {action: restart, with: {node: smf}, expect: error}
checks:
  restarted: {check: event_seen, with: {kind: state, actor: amf, name: restarted}}
outcome: {completed_if: [restarted]}
expect: {secure: completed}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})
})

var _ = Describe("checks, waits and marks", func() {
	It("event_order and event_not_before follow the trace order", func() {
		res := play(`steps:
  - {action: give_credential, actor: pd, with: {to: td, supi: imsi-001010000000003}}
  - {action: sbi_register, actor: td}
  - {action: note, actor: eve, with: {text: watching}}
checks:
  order:
    check: event_order
    with: {events: [{name: provisioned, supi_of: td}, {kind: request, actor: ausf}, {kind: response, status: 201}]}
  wrong_order:
    check: event_order
    with: {events: [{kind: response, status: 201}, {name: provisioned}]}
  no_auth_before_provisioning:
    check: event_not_before
    with: {event: {kind: request, actor: ausf}, until: {name: provisioned}}
  no_reject_before_note:
    check: event_not_before
    with: {event: {kind: reject}, until: {kind: note, actor: eve, detail: watch}}
outcome: {completed_if: [order, no_auth_before_provisioning, no_reject_before_note]}
expect:
  secure: {outcome: completed, checks: [{check: event_absent, with: {kind: reject}}]}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
		Expect(res.Checks).To(ContainElement(HaveField("Name", "completed_if: order")))

		res = play(`steps:
  - {action: sbi_register, actor: td, with: {supi: imsi-001010000000003}}
  - {action: give_credential, actor: pd, with: {to: td, supi: imsi-001010000000003}}
checks:
  no_auth_before_provisioning:
    check: event_not_before
    with: {event: {kind: request, actor: ausf}, until: {name: provisioned}}
outcome: {succeeded_if: [no_auth_before_provisioning]}
expect: {secure: blocked}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})

	It("after and before bound a match to the events of saved steps", func() {
		res := play(`steps:
  - {action: ping, actor: ue1, save: first}
  - {action: mark, with: {label: second half}, save: m}
  - {action: ping, actor: ue1}
checks:
  one_before: {check: event_seen, with: {name: ping, actor: amf, before: first, min: 1, max: 1}}
  one_after: {check: event_seen, with: {name: ping, actor: amf, after: m, min: 1, max: 1}}
  both: {check: event_seen, with: {name: ping, actor: amf, min: 2, max: 2}}
outcome: {completed_if: [one_before, one_after, both]}
expect: {secure: completed}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})

	It("wait_for fails after its bound and a check step fails when the check does not hold", func() {
		res := play(`steps:
  - {action: wait_for, with: {name: never, within: 3s}, expect: error, save: w}
  - {action: event_absent, with: {name: never}}
  - {action: event_seen, with: {name: never}, expect: error}
checks:
  timed_out: {check: step_result, with: {step: w, ok: false, error_contains: "timed out"}}
outcome: {completed_if: [timed_out]}
expect: {secure: completed}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})

	It("supi_of selects nothing while the actor holds no SUPI", func() {
		res := play(`steps:
  - {action: sbi_register, actor: ue1, with: {supi: imsi-001010000000005}}
checks:
  none: {check: event_absent, with: {kind: request, supi_of: td}}
outcome: {completed_if: [none]}
expect: {secure: completed}
`)
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})
})

var _ = Describe("argument validation", func() {
	DescribeTable("rejects bad arguments at load time",
		func(step, want string) {
			err := loadErr("steps:\n  - " + step + "\noutcome: {}\nexpect: {secure: blocked}\n")
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("N1 is not a link", "{action: drop, with: {iface: n1}}", "NAS (N1) rides in NGAP"),
		Entry("lower-case method", "{action: drop, with: {method: post}}", "upper case"),
		Entry("requests and responses", "{action: drop, with: {requests: true, responses: true}}", "cannot be combined"),
		Entry("SBI field off SBI", "{action: drop, with: {iface: n2, path_prefix: /x}}", "iface excludes sbi"),
		Entry("bad stream", "{action: drop, with: {stream: 70000}}", "stream 70000 out of range"),
		Entry("bad frame type", "{action: drop, with: {dl_frame: Hello}}", `unknown dl_frame "Hello"`),
		Entry("negative count", "{action: drop, with: {count: -1}}", "must not be negative"),
		Entry("delay without by", "{action: delay, with: {iface: n2}}", "want a delay"),
		Entry("bad hex", `{action: modify, with: {append: "hex: zz"}}`, "bad hex"),
		Entry("modify without edits", "{action: modify, with: {iface: n2}}", "at least one edit"),
		Entry("bit_flip without bits", "{action: bit_flip, with: {iface: n2}}", "either bits or random"),
		Entry("inject without to", "{action: inject, with: {iface: n2, payload: x}}", "to is required"),
		Entry("inject SBI without path", "{action: inject, with: {iface: sbi, to: ausf, method: GET}}", "needs method and a path"),
		Entry("inject json off SBI", "{action: inject, with: {iface: n2, to: amf, json: {a: 1}}}", "are for iface sbi"),
		Entry("replay without a tap", "{action: replay, with: {index: 0}}", "from is required"),
		Entry("loss rate", "{action: loss, with: {rate: 2}}", "want (0, 1]"),
		Entry("restart of a non-node", "{action: restart, with: {node: moon}}", `node "moon"`),
		Entry("wait too long", "{action: wait, with: {for: 48h}}", "out of range"),
		Entry("unknown event kind", "{action: event_seen, with: {kind: gossip}}", `unknown event kind "gossip"`),
		Entry("empty event match", "{action: event_absent}", "needs at least one of"),
		Entry("min above max", "{action: event_seen, with: {name: x, min: 3, max: 1}}", "min 3 > max 1"),
		Entry("event_order of one", "{action: event_order, with: {events: [{name: x}]}}", "at least two"),
		Entry("exclusive actor fields", "{action: event_seen, with: {actor: amf, actor_of: td}}", "exclude each other"),
		Entry("unknown actor_of", "{action: event_seen, with: {actor_of: bob}}", `unknown actor "bob"`),
		Entry("note without text", "{action: note}", "text is required"),
		Entry("unknown key in a list item", "{action: modify, with: {set: [{offset: 1, valu: x}]}}", `unknown key "valu" in ByteSet`),
	)

	It("derives interface labels from arguments", func() {
		reg := registry()
		_ = reg
		err := loadErr("steps:\n  - {action: tap, with: {iface: [dl, sbi]}}\noutcome: {}\nexpect: {secure: blocked}\n")
		Expect(err).NotTo(HaveOccurred())
	})
})
