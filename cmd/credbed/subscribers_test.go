package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/subscriber"
)

// runSubscribers runs `subscribers ARGS` on the real root command.
func runSubscribers(args ...string) (string, string, int) {
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetArgs(append([]string{"subscribers"}, args...))
	root.SetOut(&out)
	root.SetErr(&errOut)
	_, err := root.ExecuteC()
	msg := errOut.String()
	if err != nil {
		msg += err.Error()
	}
	return out.String(), msg, exitCode(err)
}

var _ = Describe("credbed subscribers", func() {
	It("generates the same file for the same seed, to stdout or a 0600 file", func() {
		seed := GinkgoRandomSeed()
		a, _, code := runSubscribers("gen", "--count", "3", "--seed", fmt.Sprint(seed))
		Expect(code).To(Equal(exitOK))
		b, _, _ := runSubscribers("gen", "--count", "3", "--seed", fmt.Sprint(seed))
		Expect(a).To(Equal(b))
		subs, err := subscriber.Parse([]byte(a))
		Expect(err).NotTo(HaveOccurred())
		Expect(subs).To(HaveLen(3))
		Expect(subs[2].SUPI).To(Equal("imsi-001010000000003"))

		path := filepath.Join(GinkgoT().TempDir(), "subs.yaml")
		_, _, code = runSubscribers("gen", "--count", "2", "--plmn", "20893", "--start-msin", "100", "--dnn", "internet,ims", "--out", path)
		Expect(code).To(Equal(exitOK))
		st, err := os.Stat(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Mode().Perm()).To(Equal(os.FileMode(0o600)))
		data, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		subs, err = subscriber.Parse(data)
		Expect(err).NotTo(HaveOccurred())
		Expect(subs[0].SUPI).To(Equal("imsi-208930000000100"))
		Expect(subs[0].DNNs).To(Equal([]string{"internet", "ims"}))

		_, errOut, code := runSubscribers("gen", "--count", "1", "--out", path)
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring("--force"))
		_, _, code = runSubscribers("gen", "--count", "1", "--out", path, "--force")
		Expect(code).To(Equal(exitOK))

		out, _, code := runSubscribers("check", path)
		Expect(code).To(Equal(exitOK))
		Expect(out).To(ContainSubstring("1 subscribers, valid"))
	})

	DescribeTable("refuses bad input with exit status 2",
		func(args ...string) {
			_, errOut, code := runSubscribers(args...)
			Expect(code).To(Equal(exitUsage), errOut)
		},
		Entry("no count", "gen"),
		Entry("bad AMF", "gen", "--count", "1", "--amf", "12345"),
		Entry("bad PLMN", "gen", "--count", "1", "--plmn", "1"),
		Entry("MSIN overflow", "gen", "--count", "2", "--start-msin", "9999999999"),
		Entry("bad SD", "gen", "--count", "1", "--sd", "xyz"),
		Entry("check without a file", "check"),
	)

	It("names the unknown field of a bad file", func() {
		path := filepath.Join(GinkgoT().TempDir(), "bad.yaml")
		Expect(os.WriteFile(path, []byte("subscribers:\n  - supi: imsi-001010000000001\n    colour: red\n"), 0o600)).To(Succeed())
		_, errOut, code := runSubscribers("check", path)
		Expect(code).To(Equal(exitUsage))
		Expect(errOut).To(ContainSubstring(`"colour"`))
		_, _, code = runSubscribers("check", filepath.Join(GinkgoT().TempDir(), "missing.yaml"))
		Expect(code).To(Equal(exitFailure))
	})
})
