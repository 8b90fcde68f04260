package main

import (
	"bytes"
	"encoding/json"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// executeBench runs `credbed bench args...` in-process. It adds the bench
// command to the tree when root.go does not wire it yet.
func executeBench(args ...string) (string, string, int) {
	root := newRootCmd()
	if c, _, err := root.Find([]string{"bench"}); err != nil || c == root {
		b := newBenchCmd()
		markRunFailures(b)
		root.AddCommand(b)
	}
	var out, errOut bytes.Buffer
	root.SetArgs(append([]string{"bench"}, args...))
	root.SetOut(&out)
	root.SetErr(&errOut)
	_, err := root.ExecuteC()
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return out.String(), errOut.String(), exitCode(err)
}

var _ = Describe("credbed bench", func() {
	fast := []string{"--phases", "crypto-floor,upf", "--duration", "20ms", "--seed", "7"}

	It("prints one JSON object with the promised fields", func() {
		out, errOut, code := executeBench(append(fast, "--json", "-q")...)
		Expect(code).To(Equal(exitOK), errOut)
		var m map[string]any
		Expect(json.Unmarshal([]byte(out), &m)).To(Succeed())
		for _, k := range []string{"crypto_floor_per_s", "registrations_per_s", "registration_ratio_to_floor",
			"lifecycles_per_s", "upf_packets_per_s", "registration_p50_ms", "registration_p99_ms",
			"bytes_per_registered_ue", "ues", "mode", "cores"} {
			Expect(m).To(HaveKey(k))
		}
		Expect(m["mode"]).To(Equal("mem"))
		Expect(m["crypto_floor_per_s"]).To(BeNumerically(">", 0))
		Expect(m["upf_packets_per_s"]).To(BeNumerically(">", 0))
	})

	It("prints a table and draws progress on stderr", func() {
		out, errOut, code := executeBench(fast...)
		Expect(code).To(Equal(exitOK), errOut)
		Expect(out).To(ContainSubstring("crypto floor"))
		Expect(out).To(ContainSubstring("UPF uplink packets"))
		Expect(errOut).To(ContainSubstring("crypto-floor"))
	})

	DescribeTable("rejects bad flags with exit status 2",
		func(args ...string) {
			_, errOut, code := executeBench(args...)
			Expect(code).To(Equal(exitUsage))
			Expect(errOut).NotTo(BeEmpty())
		},
		Entry("mode", "--mode", "udp"),
		Entry("no UEs", "--ues", "0"),
		Entry("no workers", "--concurrency", "0"),
		Entry("negative rate", "--rate", "-5"),
		Entry("ramp without rate", "--ramp", "1s"),
		Entry("zero duration", "--duration", "0s"),
		Entry("unknown phase", "--phases", "crypto"),
		Entry("zero lifecycles", "--lifecycles", "0"),
		Entry("not a number", "--ues", "many"),
		Entry("positional argument", "now"),
	)
})
