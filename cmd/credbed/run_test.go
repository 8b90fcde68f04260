package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/spf13/cobra"

	"github.com/credbed/credbed/reports"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/blocks"
	"github.com/credbed/credbed/scenarios/scenariotest"
)

// A legitimate flow on the fake environment: completed under every profile.
const cliCompleted = `id: C1
title: Legitimate provisioning
threats: [T1]
requirements: [R1]
actors:
  - {name: pd, role: provisioning-device}
  - {name: td, role: target-device}
steps:
  - {action: give_credential, actor: pd, with: {to: td, supi: imsi-001010000000042}}
  - {action: sbi_register, actor: td}
checks:
  registered: {check: event_seen, with: {kind: response, status: 201, supi_of: td}}
outcome: {completed_if: [registered]}
expect: {default: completed}
`

// An attack whose expectation is wrong under baseline.
const cliWrong = `id: D9
title: Dropped registration
threats: [T2]
actors:
  - {name: td, role: target-device}
  - {name: eve, role: attacker}
steps:
  - {action: drop, actor: eve, with: {iface: sbi, requests: true}}
  - {action: sbi_register, actor: td, with: {supi: imsi-001010000000001}, expect: error}
outcome: {completed_if: [{check: event_seen, with: {kind: response, status: 201}}]}
expect: {secure: blocked, baseline: completed}
`

func fakeDeps(files map[string]string) scenarioDeps {
	fsys := fstest.MapFS{}
	for p, data := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(data)}
	}
	return scenarioDeps{
		registry:  func() (*scenarios.Registry, error) { return scenariotest.Registry(blocks.Default()) },
		catalogue: fsys,
		prefix:    "cat/",
		profiles:  func() ([]string, error) { return []string{"baseline", "secure"}, nil },
		newEnv:    func() (scenarios.EnvFactory, error) { return scenariotest.Factory(scenariotest.Options{}), nil },
	}
}

// executeCmd runs one command under a root like credbed's and returns
// stdout, stderr and the exit status.
func executeCmd(c *cobra.Command, args ...string) (string, string, int) {
	root := &cobra.Command{Use: "credbed", SilenceErrors: true, SilenceUsage: true}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return asBadInput(err) })
	root.AddCommand(c)
	markRunFailures(root)
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	_, err := root.ExecuteC()
	if err != nil {
		errOut.WriteString("ERROR: " + err.Error() + "\n")
	}
	return out.String(), errOut.String(), exitCode(err)
}

var _ = Describe("credbed run", func() {
	It("runs the selection, prints a summary and writes every report and the captures", func() {
		dir := GinkgoT().TempDir()
		deps := fakeDeps(map[string]string{"lifecycle/c1.yaml": cliCompleted, "attacks/d9.yaml": cliWrong})
		out, errOut, code := executeCmd(newRunCmdWith(deps), "run", "--suite", "lifecycle", "--out", dir, "--seed", "42", "--no-progress")
		Expect(code).To(Equal(exitOK), errOut)
		Expect(errOut).To(ContainSubstring("seed 42"))
		Expect(out).To(ContainSubstring("C1        baseline  completed  completed  pass"))
		Expect(out).To(ContainSubstring("2 scenario results: 2 passed, 0 failed"))
		for _, f := range []string{"report.json", "junit.xml", "summary.md", "report.html", "captures/C1-secure.pcap", "captures/C1-baseline.pcap"} {
			Expect(filepath.Join(dir, f)).To(BeAnExistingFile())
		}
		var run reports.Run
		data, err := os.ReadFile(filepath.Join(dir, "report.json"))
		Expect(err).NotTo(HaveOccurred())
		Expect(json.Unmarshal(data, &run)).To(Succeed())
		Expect(run.Seed).To(Equal(int64(42)))
		Expect(run.N2Carrier).To(Equal("mem"))
		Expect(run.Totals).To(Equal(reports.Totals{Scenarios: 2, Passed: 2}))
		Expect(run.Scenarios[0].Capture).To(Equal("captures/C1-baseline.pcap"))
		Expect(run.Scenarios[0].CaptureSecrets).To(BeTrue())
	})

	It("exits 1 when an outcome misses its expectation", func() {
		dir := GinkgoT().TempDir()
		deps := fakeDeps(map[string]string{"attacks/d9.yaml": cliWrong})
		out, errOut, code := executeCmd(newRunCmdWith(deps), "run", "--out", dir, "--profile", "baseline", "--no-progress")
		Expect(code).To(Equal(exitFailure))
		Expect(out).To(ContainSubstring("FAIL D9 [baseline]: outcome blocked, expected completed"))
		Expect(errOut).To(ContainSubstring("1 of 1 scenario results did not match"))
		Expect(filepath.Join(dir, "summary.md")).To(BeAnExistingFile())
	})

	DescribeTable("exits 2 on bad flags and files",
		func(args []string, want string) {
			deps := fakeDeps(map[string]string{"lifecycle/c1.yaml": cliCompleted})
			_, errOut, code := executeCmd(newRunCmdWith(deps), append([]string{"run", "--out", GinkgoT().TempDir(), "--no-progress"}, args...)...)
			Expect(code).To(Equal(exitUsage))
			Expect(errOut).To(ContainSubstring(want))
		},
		Entry("bad mode", []string{"--mode", "sctp"}, `--mode "sctp"`),
		Entry("bad parallel", []string{"--parallel", "0"}, "--parallel 0"),
		Entry("unknown profile", []string{"--profile", "paranoid"}, `--profile "paranoid": unknown`),
		Entry("unknown suite", []string{"--suite", "nope"}, `--suite "nope": no such suite`),
		Entry("no match", []string{"--scenario", "Z*"}, "no scenario matches"),
		Entry("bad glob", []string{"--scenario", "["}, "bad --scenario pattern"),
		Entry("unknown flag", []string{"--colour"}, "unknown flag"),
		Entry("positional argument", []string{"extra"}, "takes no arguments"),
	)

	It("exits 2 with FILE:LINE for a bad scenario file, and rejects duplicate ids", func() {
		dir := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(strings.Replace(cliCompleted, "threats: [T1]", "threats: [T4]", 1)), 0o644)).To(Succeed())
		deps := fakeDeps(map[string]string{"lifecycle/c1.yaml": cliCompleted})
		_, errOut, code := executeCmd(newRunCmdWith(deps), "run", "--catalogue", dir, "--no-progress", "--out", GinkgoT().TempDir())
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("bad.yaml:3: unknown threat id \"T4\""))

		Expect(os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(cliCompleted), 0o644)).To(Succeed())
		_, errOut, code = executeCmd(newRunCmdWith(deps), "run", "--catalogue", dir, "--no-progress", "--out", GinkgoT().TempDir())
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring(`scenario id "C1" is already used by cat/lifecycle/c1.yaml:1`))
	})

	It("draws a progress bar on stderr", func() {
		deps := fakeDeps(map[string]string{"lifecycle/c1.yaml": cliCompleted})
		_, errOut, code := executeCmd(newRunCmdWith(deps), "run", "--out", GinkgoT().TempDir(), "--profile", "secure")
		Expect(code).To(Equal(exitOK))
		Expect(errOut).To(ContainSubstring("C1 [secure]"))
		Expect(errOut).To(ContainSubstring("/1)"))
	})
})

var _ = Describe("credbed list", func() {
	deps := func() scenarioDeps {
		return fakeDeps(map[string]string{"lifecycle/c1.yaml": cliCompleted, "attacks/d9.yaml": cliWrong})
	}

	It("lists scenarios with threats, requirements and expectations", func() {
		out, errOut, code := executeCmd(newListCmdWith(deps()), "list")
		Expect(code).To(Equal(exitOK), errOut)
		Expect(out).To(ContainSubstring("D9  attacks    T2"))
		Expect(out).To(ContainSubstring("baseline=completed secure=blocked"))
		Expect(out).To(ContainSubstring("default=completed"))
	})

	It("lists them as JSON", func() {
		out, _, code := executeCmd(newListCmdWith(deps()), "list", "--json")
		Expect(code).To(Equal(exitOK))
		var got []listedScenario
		Expect(json.Unmarshal([]byte(out), &got)).To(Succeed())
		Expect(got).To(HaveLen(2))
		Expect(got[1].ID).To(Equal("C1"))
		Expect(got[1].Labels).To(ContainElements("threat:T1", "req:R1", "suite:lifecycle", "iface:DL", "iface:SBI"))
		Expect(got[1].Expect).To(Equal(map[string]string{"default": "completed"}))
		Expect(got[1].File).To(Equal("cat/lifecycle/c1.yaml"))
	})

	It("lists the blocks and roles", func() {
		out, _, code := executeCmd(newListCmdWith(deps()), "list", "--blocks")
		Expect(code).To(Equal(exitOK))
		Expect(out).To(ContainSubstring("bit_flip"))
		Expect(out).To(ContainSubstring("rogue-gnb"))
		out, _, code = executeCmd(newListCmdWith(deps()), "list", "--blocks", "--json")
		Expect(code).To(Equal(exitOK))
		Expect(json.Valid([]byte(out))).To(BeTrue())
	})

	It("lists the built-in catalogue", func() {
		out, errOut, code := executeCmd(newListCmd(), "list")
		Expect(code).To(Equal(exitOK), errOut)
		Expect(out).To(ContainSubstring("L0"))
	})
})

var _ = Describe("credbed run on the testbed", func() {
	// Reference: reference/3gpp.md §6.5 K8 and §6.2 N6 (the aka and network suites run on the real bed)
	It("runs built-in suites end to end and writes decodable captures", func() {
		dir := GinkgoT().TempDir()
		out, errOut, code := executeCmd(newRunCmd(), "run", "--suite", "aka", "--out", dir, "--seed", "7", "--no-progress")
		Expect(code).To(Equal(exitOK), out+errOut)
		Expect(out).To(ContainSubstring("K8        secure    blocked"))
		Expect(filepath.Join(dir, "captures", "K8-secure.pcap")).To(BeAnExistingFile())
		Expect(filepath.Join(dir, "report.html")).To(BeAnExistingFile())
	})
})
