package scenarios_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/reports"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/scenariotest"
)

// completed is a legitimate flow: the PD provisions the TD over the
// direct link, the TD registers.
const completed = `id: C1
title: Legitimate provisioning
threats: [T1]
requirements: [R1, R2]
actors:
  - {name: pd, role: provisioning-device}
  - {name: td, role: target-device}
steps:
  - action: give_credential
    actor: pd
    with: {to: td, supi: imsi-001010000000042}
  - action: mark
    save: m
  - action: sbi_register
    actor: td
checks:
  registered:
    check: event_seen
    with: {kind: response, name: UEAuthenticationsPost, status: 201, supi_of: td, after: m}
outcome:
  completed_if: [registered]
expect:
  default: completed
`

func packetsIn(path string) int {
	f, err := os.Open(path)
	Expect(err).NotTo(HaveOccurred())
	defer f.Close()
	r, err := pcapgo.NewReader(f)
	Expect(err).NotTo(HaveOccurred())
	n := 0
	for {
		if _, _, err := r.ReadPacketData(); err != nil {
			break
		}
		n++
	}
	return n
}

func newRunner(o scenariotest.Options) *scenarios.Runner {
	return &scenarios.Runner{NewEnv: scenariotest.Factory(o), Seed: GinkgoRandomSeed()}
}

var _ = Describe("runner", func() {
	var ctx context.Context
	BeforeEach(func() {
		ctx = context.Background()
		GinkgoWriter.Printf("seed %d\n", GinkgoRandomSeed())
	})

	It("computes the outcome from checks, records steps, checks, attacks and a capture", func() {
		dir := GinkgoT().TempDir()
		r := newRunner(scenariotest.Options{})
		r.CaptureDir, r.CapturePrefix = filepath.Join(dir, "captures"), "captures"
		s := mustParse(valid)
		res := r.RunOne(ctx, s, "secure")
		Expect(res.Reason).To(BeEmpty())
		Expect(res.Passed).To(BeTrue())
		Expect(res.Expected).To(Equal("succeeded"))
		Expect(res.Outcome).To(Equal("succeeded"))
		Expect(res.DurationMS).To(BeNumerically(">", 0))
		Expect(res.Steps).To(HaveLen(2))
		Expect(res.Steps[0].OK).To(BeTrue())
		Expect(res.Steps[1].OK).To(BeTrue(), "expect any")
		Expect(res.Steps[1].Error).To(ContainSubstring("timed out"))
		Expect(res.Checks).To(ContainElement(HaveField("Name", "succeeded_if: ping_failed")))
		Expect(res.Attacks).To(Equal([]string{"drop"}))
		Expect(res.Extra).To(HaveKeyWithValue("attack_events", 1))
		Expect(res.Extra).To(HaveKeyWithValue("seed", scenarios.DeriveSeed(r.Seed, "P1", "secure")))
		Expect(res.Labels).To(ContainElements("threat:T1", "profile:secure", "iface:N2"))
		Expect(res.Capture).To(Equal("captures/P1-secure.pcap"))
		Expect(res.CaptureSecrets).To(BeFalse())
		Expect(packetsIn(filepath.Join(dir, "captures", "P1-secure.pcap"))).To(BeZero(), "the ping was dropped before the capture")
		attack := trace.Match(trace.Event{Kind: trace.KindAttack, Actor: "eve", Name: "drop", Iface: trace.IfaceN2})
		Expect(res.Trace).To(ContainElement(Satisfy(attack)))
		Expect(res.Trace).To(ContainElement(Satisfy(trace.Match(trace.Event{Kind: trace.KindCheck, Name: "ping_failed"}))))
	})

	It("marks a residual risk and evaluates the per-profile checks", func() {
		res := newRunner(scenariotest.Options{}).RunOne(ctx, mustParse(valid), "baseline")
		Expect(res.Passed).To(BeTrue(), res.Reason)
		Expect(res.Residual).To(BeTrue())
		Expect(res.Reason).To(Equal("residual risk: nothing stops a dropper"))
		Expect(res.Checks).To(ContainElement(And(HaveField("Name", "baseline: event_absent"), HaveField("OK", true))))
	})

	It("runs a legitimate flow to completed, captures it and marks plaintext secrets", func() {
		dir := GinkgoT().TempDir()
		r := newRunner(scenariotest.Options{})
		r.CaptureDir = dir
		res := r.RunOne(ctx, mustParse(completed), "secure")
		Expect(res.Passed).To(BeTrue(), res.Reason)
		Expect(res.Outcome).To(Equal("completed"))
		Expect(res.CaptureSecrets).To(BeTrue())
		Expect(res.Extra["capture_secrets_reasons"]).To(ConsistOf("fake plaintext credential on the direct link"))
		Expect(packetsIn(filepath.Join(dir, "C1-secure.pcap"))).To(BeNumerically(">=", 3))
		Expect(res.Messages).To(HaveKeyWithValue("SBI UEAuthenticationsPost", 1))
		Expect(res.Causes).To(BeEmpty())
	})

	It("installs its interceptor itself when the factory does not call OnNetwork", func() {
		dir := GinkgoT().TempDir()
		r := newRunner(scenariotest.Options{SkipOnNetwork: true})
		r.CaptureDir = dir
		res := r.RunOne(ctx, mustParse(completed), "secure")
		Expect(res.Passed).To(BeTrue(), res.Reason)
		Expect(packetsIn(filepath.Join(dir, "C1-secure.pcap"))).To(BeNumerically(">=", 3))
	})

	It("fails when the outcome differs from the expectation", func() {
		src := strings.Replace(valid, "  secure: succeeded", "  secure: blocked", 1)
		res := newRunner(scenariotest.Options{}).RunOne(ctx, mustParse(src), "secure")
		Expect(res.Passed).To(BeFalse())
		Expect(res.Outcome).To(Equal("succeeded"))
		Expect(res.Reason).To(Equal("outcome succeeded, expected blocked"))
	})

	It("stops at the first step that misses its expectation", func() {
		src := strings.Replace(valid, "expect: any", "expect: ok", 1)
		src = strings.Replace(src, "steps:\n", "steps:\n  - action: sbi_register\n    actor: pd\n    with: {supi: imsi-999990000000001}\n    expect: error\n", 1)
		src = strings.Replace(src, "  - action: ping\n", "  - action: ping\n", 1)
		res := newRunner(scenariotest.Options{}).RunOne(ctx, mustParse(src), "secure")
		Expect(res.Passed).To(BeFalse())
		Expect(res.Steps).To(HaveLen(3))
		Expect(res.Steps[0].OK).To(BeTrue(), "403 was expected")
		Expect(res.Steps[2].OK).To(BeFalse())
		Expect(res.Reason).To(HavePrefix("step 3 (ping by pd): expected success, got error"))
		Expect(res.Causes).To(Equal([]string{"SERVING_NETWORK_NOT_AUTHORIZED"}))

		src = strings.Replace(completed, "    actor: td\n", "    actor: td\n    expect: error\n", 1)
		res = newRunner(scenariotest.Options{}).RunOne(ctx, mustParse(src), "secure")
		Expect(res.Passed).To(BeFalse())
		Expect(res.Steps[2].Error).To(Equal("expected an error, got success"))
	})

	It("applies per-profile step expectations", func() {
		src := strings.Replace(completed, "    actor: td\n", "    actor: td\n    expect: {secure: error, baseline: ok}\n", 1)
		src = strings.Replace(src, "  default: completed", "  secure: completed\n  baseline: completed", 1)
		s := mustParse(src)
		Expect(newRunner(scenariotest.Options{}).RunOne(ctx, s, "secure").Passed).To(BeFalse())
		Expect(newRunner(scenariotest.Options{}).RunOne(ctx, s, "baseline").Passed).To(BeTrue())
	})

	It("checks the environment's and the runner's invariants", func() {
		calls := 0
		r := newRunner(scenariotest.Options{Invariants: []scenarios.Invariant{
			{Name: "no garbled messages", Check: func(_ context.Context, ev []trace.Event) error {
				calls++
				for _, e := range ev {
					if e.Kind == trace.KindDrop {
						return fmt.Errorf("%s dropped a garbled message", e.Actor)
					}
				}
				return nil
			}},
		}})
		r.Invariants = []scenarios.Invariant{{Name: "always broken", Check: func(context.Context, []trace.Event) error { return errors.New("broken") }}}
		res := r.RunOne(ctx, mustParse(completed), "secure")
		Expect(calls).To(Equal(1))
		Expect(res.Invariants).To(Equal([]reports.CheckResult{
			{Name: "no garbled messages", OK: true},
			{Name: "always broken", OK: false, Detail: "broken"},
		}))
		Expect(res.Passed).To(BeFalse())
		Expect(res.Reason).To(Equal("invariant always broken violated: broken"))
	})

	It("reports an environment that cannot be built", func() {
		res := newRunner(scenariotest.Options{Fail: errors.New("no AMF today")}).RunOne(ctx, mustParse(completed), "secure")
		Expect(res.Passed).To(BeFalse())
		Expect(res.Reason).To(Equal("building the environment: no AMF today"))
		Expect(res.Expected).To(Equal("completed"))
	})

	It("refuses a profile without expectation and a runner without a factory", func() {
		res := newRunner(scenariotest.Options{}).RunOne(ctx, mustParse(valid), "paranoid")
		Expect(res.Passed).To(BeFalse())
		Expect(res.Reason).To(ContainSubstring(`no expectation for profile "paranoid"`))
		res = (&scenarios.Runner{}).RunOne(ctx, mustParse(completed), "secure")
		Expect(res.Reason).To(Equal("runner has no environment factory"))
	})

	It("turns a panicking block into a failed step and a panicking check into a failed check", func() {
		reg := testRegistry()
		type noArgs struct{}
		Expect(reg.Register(
			scenarios.NewAction("explode", scenarios.Spec{}, func(context.Context, *scenarios.State, string, *noArgs) (any, error) { panic("boom") }),
			scenarios.NewCheck("explodes", scenarios.Spec{}, func(context.Context, *scenarios.State, *noArgs) (scenarios.Verdict, error) { panic("bang") }),
		)).To(Succeed())
		s, err := scenarios.Parse("p.yaml", []byte(`id: X
title: x
threats: [T1]
steps:
  - action: explode
    expect: any
outcome:
  succeeded_if: [explodes]
expect: {secure: blocked}
`), reg, scenarios.LoadOptions{})
		Expect(err).NotTo(HaveOccurred())
		res := newRunner(scenariotest.Options{}).RunOne(ctx, s, "secure")
		Expect(res.Steps[0].Error).To(Equal("block explode panicked: boom"))
		Expect(res.Checks).To(ConsistOf(reports.CheckResult{Name: "succeeded_if: explodes", OK: false, Detail: "check panicked: bang"}))
		Expect(res.Passed).To(BeTrue(), "blocked as expected")
	})

	It("stops a run at its deadline", func() {
		reg := testRegistry()
		type noArgs struct{}
		Expect(reg.Register(scenarios.NewAction("hang", scenarios.Spec{}, func(ctx context.Context, _ *scenarios.State, _ string, _ *noArgs) (any, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}))).To(Succeed())
		s, err := scenarios.Parse("h.yaml", []byte("id: H\ntitle: h\nthreats: [T2]\nsteps: [{action: hang, expect: error}]\noutcome: {}\nexpect: {secure: blocked}\n"), reg, scenarios.LoadOptions{})
		Expect(err).NotTo(HaveOccurred())
		r := newRunner(scenariotest.Options{})
		r.Timeout = 1 // the deadline passes at once
		res := r.RunOne(ctx, s, "secure")
		Expect(res.Passed).To(BeFalse())
		Expect(res.Reason).To(ContainSubstring("run deadline exceeded"))
	})

	DescribeTable("outcome rules",
		// succeeded_if / detected_if / completed_if hold or not; empty lists never hold.
		func(succ, det, comp string, want string) {
			list := func(v string) string {
				switch v {
				case "yes":
					return "[yes]"
				case "no":
					return "[no]"
				}
				return "[]"
			}
			src := fmt.Sprintf(`id: O
title: outcome rules
threats: [T1]
steps: [{action: mark, save: m}]
checks:
  yes: {check: step_result, with: {step: m}}
  no: {check: step_result, with: {step: m, ok: false}}
outcome:
  succeeded_if: %s
  detected_if: %s
  completed_if: %s
expect: {secure: %s}
`, list(succ), list(det), list(comp), want)
			res := newRunner(scenariotest.Options{}).RunOne(ctx, mustParse(src), "secure")
			Expect(res.Outcome).To(Equal(want))
			Expect(res.Passed).To(BeTrue())
		},
		Entry("nothing holds", "no", "no", "no", "blocked"),
		Entry("empty lists never hold", "", "", "", "blocked"),
		Entry("succeeded", "yes", "no", "no", "succeeded"),
		Entry("succeeded and detected", "yes", "yes", "no", "detected"),
		Entry("detected without a success rule", "", "yes", "no", "detected"),
		Entry("blocked and detected stays blocked", "no", "yes", "yes", "completed"),
		Entry("completed", "no", "no", "yes", "completed"),
		Entry("success beats completion", "yes", "", "yes", "succeeded"),
	)

	It("lets time pass on the fake clock: a delayed ping arrives after a wait", func() {
		s := mustParse(`id: D
title: delayed ping
threats: [T1]
actors:
  - {name: ue1, role: ue}
  - {name: eve, role: attacker}
steps:
  - {action: delay, actor: eve, with: {iface: n2, to: amf, by: 5s}}
  - {action: ping, actor: ue1, with: {within: 1s}, expect: error}
  - {action: mark, save: m}
  - {action: wait, with: {for: 5s}}
  - {action: wait_for, with: {name: ping, actor: amf, after: m, within: 1s}}
checks:
  late_pong: {check: event_seen, with: {name: ping, actor: amf, after: m}}
outcome:
  succeeded_if: [late_pong]
expect: {default: succeeded}
`)
		res := newRunner(scenariotest.Options{}).RunOne(ctx, s, "secure")
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})

	It("runs jobs in parallel with per-job seeds and keeps their order", func() {
		s1, s2 := mustParse(valid), mustParse(completed)
		jobs := scenarios.Jobs([]*scenarios.Scenario{s1, s2}, []string{"secure", "baseline", "other"})
		Expect(jobs).To(HaveLen(5), "P1 has no expectation for other; C1 has a default")
		var mu sync.Mutex
		var seen []string
		r := newRunner(scenariotest.Options{})
		r.Parallel = 3
		r.OnResult = func(res reports.ScenarioResult) {
			mu.Lock()
			seen = append(seen, res.ID+"/"+res.Profile)
			mu.Unlock()
		}
		out := r.Run(ctx, jobs)
		Expect(out).To(HaveLen(5))
		Expect(seen).To(HaveLen(5))
		seeds := map[int64]bool{}
		for i, res := range out {
			Expect(res.ID + "/" + res.Profile).To(Equal(jobs[i].Scenario.ID + "/" + jobs[i].Profile))
			Expect(res.Passed).To(BeTrue(), res.ID+" "+res.Profile+": "+res.Reason)
			seeds[res.Extra["seed"].(int64)] = true
		}
		Expect(seeds).To(HaveLen(5))
		Expect(scenarios.DeriveSeed(1, "a", "b")).To(Equal(scenarios.DeriveSeed(1, "a", "b")))
		Expect(scenarios.DeriveSeed(1, "a", "b")).NotTo(Equal(scenarios.DeriveSeed(2, "a", "b")))
	})

	It("tears the environment down", func() {
		built := make(chan *scenariotest.Env, 1)
		newRunner(scenariotest.Options{Built: built}).RunOne(ctx, mustParse(completed), "secure")
		e := <-built
		Expect(e.Closed()).To(BeTrue())
		Expect(e.Cfg.Profile).To(Equal("secure"))
		Expect(e.Cfg.Mode).To(Equal("mem"))
		Expect(e.Cfg.Actors).To(HaveLen(2))
		Expect(e.Cfg.Actors[1].Index).To(Equal(0), "first target device")
		Expect(e.Network().Chain().Names()).To(BeEmpty(), "the runner's interceptor is removed")
	})
})

var _ = Describe("runner on a hand-driven clock", func() {
	src := `id: T
title: a step blocked on a protocol timer
threats: [T1]
steps:
  - {action: sleep_on_clock, with: {for: %s}, save: woke}
outcome: {completed_if: [{check: step_result, with: {step: woke}}]}
expect: {default: completed}
`
	It("jumps to the next timer while a step waits (a clock that tells it)", func() {
		built := make(chan *scenariotest.Env, 1)
		r := newRunner(scenariotest.Options{NextClock: true, Built: built})
		res := r.RunOne(context.Background(), mustParse(fmt.Sprintf(src, "10m")), "secure")
		Expect(res.Passed).To(BeTrue(), res.Reason)
		e := <-built
		Expect(e.Clock().Now().Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))).To(BeNumerically(">=", 10*time.Minute))
	})

	It("ticks while timers are pending (a plain clock.Fake)", func() {
		res := newRunner(scenariotest.Options{}).RunOne(context.Background(), mustParse(fmt.Sprintf(src, "40ms")), "secure")
		Expect(res.Passed).To(BeTrue(), res.Reason)
	})
})
