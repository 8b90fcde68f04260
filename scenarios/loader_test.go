package scenarios_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/blocks"
)

var _ = Describe("loader", func() {
	It("loads a valid scenario with typed arguments, defaults and derived labels", func() {
		s := mustParse(valid)
		Expect(s.ID).To(Equal("P1"))
		Expect(s.Topology.DirectLink).To(Equal("nfc"))
		Expect(s.Topology.ProvisioningDevices).To(Equal(1), "defaults to the number of PD actors")
		Expect(s.Actors).To(HaveLen(2))
		Expect(s.Steps).To(HaveLen(2))
		drop, ok := s.Steps[0].Args.(*blocks.DropArgs)
		Expect(ok).To(BeTrue())
		Expect([]string(drop.Iface)).To(Equal([]string{"n2"}))
		Expect(drop.To).To(Equal(scenarios.Peer("amf")))
		Expect(s.Steps[0].Expect.For("secure")).To(Equal("ok"))
		Expect(s.Steps[1].Expect.For("baseline")).To(Equal("any"))
		Expect(s.Checks).To(HaveLen(2))
		Expect(s.Outcome.SucceededIf).To(HaveLen(1))
		Expect(s.Outcome.DetectedIf).To(BeEmpty())
		Expect(s.Expect["secure"].Outcome).To(Equal("succeeded"))
		b := s.Expect["baseline"]
		Expect(b.Residual).To(BeTrue())
		Expect(b.Reason).To(Equal("nothing stops a dropper"))
		Expect(b.Checks).To(HaveLen(2))
		Expect(b.Checks[1].Check).To(Equal("event_absent"))
		Expect(s.Ifaces).To(Equal([]string{"N2"}))
		Expect(s.AllLabels()).To(ConsistOf("attack", "threat:T1", "req:R1", "iface:N2"))
		Expect(scenarios.SpecLabels(s, "secure")).To(ContainElement("profile:secure"))
		Expect(s.HasCapability()).To(BeTrue())
	})

	// Every mistake names FILE:LINE.
	DescribeTable("rejects mistakes with FILE:LINE",
		func(edit func(string) string, want string) {
			_, err := parse(edit(valid))
			Expect(err).To(HaveOccurred())
			Expect(errors.Is(err, scenarios.ErrInvalid)).To(BeTrue())
			Expect(err.Error()).To(ContainSubstring(want))
		},
		Entry("unknown top-level key", func(s string) string { return s + "colour: red\n" },
			`test.yaml:40: unknown key "colour" in rawScenario`),
		Entry("wrong type", func(s string) string { return strings.Replace(s, "threats: [T1]", "threats: T1", 1) },
			"test.yaml:4: cannot unmarshal !!str `T1` into []string"),
		Entry("bad threat id", func(s string) string { return strings.Replace(s, "threats: [T1]", "threats: [T1, T9]", 1) },
			`test.yaml:4: unknown threat id "T9"`),
		Entry("bad requirement id", func(s string) string { return strings.Replace(s, "[R1]", "[R4]", 1) },
			`test.yaml:5: unknown requirement id "R4"`),
		Entry("unknown label", func(s string) string { return strings.Replace(s, "[attack]", "[attak]", 1) },
			`test.yaml:6: unknown label "attak"`),
		Entry("keyed label written by hand", func(s string) string { return strings.Replace(s, "[attack]", "[threat:T1]", 1) },
			`test.yaml:6: label "threat:T1": keyed labels`),
		Entry("unknown direct-link preset", func(s string) string { return strings.Replace(s, "direct_link: nfc", "direct_link: carrier-pigeon", 1) },
			`test.yaml:8: unknown direct_link preset "carrier-pigeon"`),
		Entry("bad mode", func(s string) string { return strings.Replace(s, "direct_link: nfc", "mode: sctp", 1) },
			`test.yaml:8: topology mode "sctp"`),
		Entry("unknown role", func(s string) string { return strings.Replace(s, "role: attacker", "role: wizard", 1) },
			`test.yaml:11: actor "eve": unknown role "wizard"`),
		Entry("duplicate actor", func(s string) string { return strings.Replace(s, "name: eve", "name: pd", 1) },
			`test.yaml:11: actor "pd" declared twice`),
		Entry("actor named like a node", func(s string) string { return strings.Replace(s, "name: eve", "name: amf", 1) },
			`test.yaml:11: actor name "amf" is a network node name`),
		Entry("unknown action, with a suggestion", func(s string) string { return strings.Replace(s, "action: drop", "action: dropp", 1) },
			`test.yaml:13: step 1: unknown action "dropp" (did you mean "drop"?)`),
		Entry("unknown actor in a step", func(s string) string { return strings.Replace(s, "actor: eve", "actor: mallory", 1) },
			`test.yaml:14: step 1 (drop): unknown actor "mallory"`),
		Entry("actor role not allowed", func(s string) string { return strings.Replace(s, "actor: eve", "actor: pd", 1) },
			`test.yaml:14: step 1 (drop): actor "pd" has role provisioning-device; drop needs one of`),
		Entry("unknown argument key", func(s string) string { return strings.Replace(s, "{iface: n2, to: amf}", "{iface: n2, too: amf}", 1) },
			`test.yaml:15: unknown key "too" in DropArgs`),
		Entry("argument of the wrong type", func(s string) string {
			return strings.Replace(s, "{iface: n2, to: amf}", "{iface: n2, count: lots}", 1)
		},
			"test.yaml:15: cannot unmarshal !!str `lots` into int"),
		Entry("argument rejected by Validate", func(s string) string { return strings.Replace(s, "{iface: n2, to: amf}", "{iface: n5}", 1) },
			`test.yaml:15: step 1 (drop): unknown iface "n5"`),
		Entry("unknown peer", func(s string) string { return strings.Replace(s, "to: amf}", "to: mars}", 1) },
			`test.yaml:15: step 1 (drop): to: "mars" is neither an actor`),
		Entry("non-loopback peer", func(s string) string { return strings.Replace(s, "to: amf}", "to: 8.8.8.8}", 1) },
			`address 8.8.8.8 is not loopback`),
		Entry("bad step expectation", func(s string) string { return strings.Replace(s, "expect: any", "expect: maybe", 1) },
			`test.yaml:21: step 2 (ping): expect "maybe"`),
		Entry("unknown profile in a step expectation", func(s string) string { return strings.Replace(s, "secure: ok,", "paranoid: ok,", 1) },
			`test.yaml:16: step 1 (drop): unknown profile "paranoid"`),
		Entry("duplicate save", func(s string) string { return strings.Replace(s, "save: p", "save: dropper", 1) },
			`test.yaml:22: step 2 (ping): "dropper" is already saved by step 1`),
		Entry("reference to a value never saved", func(s string) string { return strings.Replace(s, "{step: p, ok: false}", "{step: q, ok: false}", 1) },
			`test.yaml:29: check ping_failed: step refers to "q", which no step saves`),
		Entry("unknown check in an outcome list", func(s string) string {
			return strings.Replace(s, "[ping_failed]\n  completed", "[ping_faild]\n  completed", 1)
		},
			`test.yaml:31: outcome succeeded_if: "ping_faild" is neither a check`),
		Entry("an action used as a check", func(s string) string { return strings.Replace(s, "check: event_seen", "check: drop", 1) },
			`test.yaml:25: check pong_seen: unknown check "drop"`),
		Entry("missing outcome", func(s string) string {
			return strings.Replace(s, "outcome:\n  succeeded_if: [ping_failed]\n  completed_if: [pong_seen]\n", "", 1)
		}, `test.yaml:1: missing outcome`),
		Entry("bad outcome word", func(s string) string { return strings.Replace(s, "secure: succeeded", "secure: pwned", 1) },
			`test.yaml:34: expect secure: outcome "pwned"`),
		Entry("residual risk without a reason", func(s string) string { return strings.Replace(s, "    reason: nothing stops a dropper\n", "", 1) },
			`test.yaml:36: expect baseline: residual_risk needs a reason`),
		Entry("unknown key in a long expectation", func(s string) string { return strings.Replace(s, "residual_risk: true", "residual: true", 1) },
			`test.yaml:38: unknown key "residual" in rawExpectation`),
		Entry("unknown profile in expect", func(s string) string { return strings.Replace(s, "  secure: succeeded", "  paranoid: succeeded", 1) },
			`test.yaml:34: expect: unknown profile "paranoid"`),
		Entry("a check without its required arguments", func(s string) string {
			return strings.Replace(s, "[ping_failed]\n  completed", "[step_result]\n  completed", 1)
		},
			`test.yaml:31: outcome succeeded_if: check step_result needs arguments: step is required`),
		Entry("a second document", func(s string) string { return s + "---\nid: P2\n" },
			`test.yaml:40: one scenario per file`),
		Entry("duplicate mapping key", func(s string) string { return s + "title: again\n" },
			`test.yaml:40: mapping key "title" already defined at line 2`),
		Entry("syntax error", func(s string) string { return s + "steps: [\n" },
			`test.yaml:`),
	)

	It("reports every mistake of a file, in line order", func() {
		src := strings.Replace(strings.Replace(valid, "[T1]", "[T7]", 1), "action: drop", "action: nope", 1)
		_, err := parse(src)
		var list scenarios.ErrorList
		Expect(errors.As(err, &list)).To(BeTrue())
		Expect(len(list)).To(BeNumerically(">=", 2))
		Expect(list[0].Line).To(BeNumerically("<", list[1].Line))
	})

	It("rejects a topology smaller than its actors", func() {
		src := strings.Replace(valid, "direct_link: nfc", "provisioning_devices: 0\n  subscribers: -1", 1)
		_, err := parse(src)
		Expect(err).To(MatchError(ContainSubstring("topology subscribers -1 out of range")))
	})

	It("rejects an empty file and a non-mapping", func() {
		_, err := parse("")
		Expect(err).To(MatchError(ContainSubstring("test.yaml:1: empty file")))
		_, err = parse("- a\n- b\n")
		Expect(err).To(MatchError(ContainSubstring("test.yaml:1: a scenario file must be a mapping")))
	})

	It("accepts a check step and rejects an actor on a block that takes none", func() {
		src := strings.Replace(valid, "steps:\n", "steps:\n  - action: mark\n    save: m0\n", 1)
		Expect(parse(src)).NotTo(BeNil())
		src = strings.Replace(valid, "steps:\n", "steps:\n  - action: mark\n    actor: pd\n", 1)
		_, err := parse(src)
		Expect(err).To(MatchError(ContainSubstring("test.yaml:14: step 1 (mark) takes no actor")))
	})

	It("rejects a reference to a value saved by a later step", func() {
		src := strings.Replace(valid, "steps:\n", "steps:\n  - action: stop\n    with: {capability: dropper}\n", 1)
		_, err := parse(src)
		Expect(err).To(MatchError(ContainSubstring(`step 1 (stop): capability refers to "dropper", saved by a later step (2)`)))
	})

	It("loads a tree, gives suites from folders, and refuses duplicate ids", func() {
		fsys := fstest.MapFS{
			"cat/dlink/a.yaml":   {Data: []byte(valid)},
			"cat/top.yaml":       {Data: []byte(strings.Replace(valid, "id: P1", "id: P2", 1))},
			"cat/dlink/notes.md": {Data: []byte("ignored")},
		}
		scns, err := scenarios.LoadFS(fsys, "cat", testRegistry(), scenarios.LoadOptions{PathPrefix: "x/"})
		Expect(err).NotTo(HaveOccurred())
		Expect(scns).To(HaveLen(2))
		Expect(scns[0].Suite).To(Equal("dlink"))
		Expect(scns[0].File).To(Equal("x/cat/dlink/a.yaml"))
		Expect(scns[1].Suite).To(Equal(""))
		Expect(scenarios.Suites(scns)).To(Equal([]string{"dlink"}))
		Expect(scenarios.ProfilesOf(scns)).To(Equal([]string{"baseline", "secure"}))

		fsys["cat/dlink/b.yaml"] = &fstest.MapFile{Data: []byte(valid)}
		_, err = scenarios.LoadFS(fsys, "cat", testRegistry(), scenarios.LoadOptions{})
		Expect(err).To(MatchError(ContainSubstring(`cat/dlink/b.yaml:1: duplicate scenario id "P1" (also in cat/dlink/a.yaml:1)`)))
	})

	It("loads files from disk", func() {
		dir := GinkgoT().TempDir()
		Expect(os.MkdirAll(filepath.Join(dir, "s"), 0o755)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "s", "p1.yaml"), []byte(valid), 0o644)).To(Succeed())
		scns, err := scenarios.LoadDir(dir, testRegistry(), scenarios.LoadOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(scns).To(HaveLen(1))
		Expect(scns[0].File).To(HaveSuffix("s/p1.yaml"))
		s, err := scenarios.LoadFile(filepath.Join(dir, "s", "p1.yaml"), testRegistry(), scenarios.LoadOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.ID).To(Equal("P1"))
		_, err = scenarios.LoadFile(filepath.Join(dir, "missing.yaml"), testRegistry(), scenarios.LoadOptions{})
		Expect(err).To(MatchError(ContainSubstring("missing.yaml")))
	})

	It("selects by suite and glob", func() {
		a := mustParse(valid)
		a.Suite = "dlink"
		b := mustParse(strings.Replace(valid, "id: P1", "id: X2", 1))
		got, err := scenarios.Select([]*scenarios.Scenario{a, b}, "", "P*")
		Expect(err).NotTo(HaveOccurred())
		Expect(got).To(ConsistOf(a))
		got, _ = scenarios.Select([]*scenarios.Scenario{a, b}, "dlink", "")
		Expect(got).To(ConsistOf(a))
		_, err = scenarios.Select(nil, "", "[")
		Expect(err).To(HaveOccurred())
	})
})
