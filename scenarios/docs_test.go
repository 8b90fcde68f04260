package scenarios_test

import (
	"context"
	"errors"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/bedenv"
	"github.com/credbed/credbed/scenarios/blocks"
)

const docPath = "../docs/scenarios.md"

// workedExample returns the YAML block after the worked-example marker.
func workedExample(doc string) string {
	_, rest, ok := strings.Cut(doc, "<!-- worked-example -->")
	Expect(ok).To(BeTrue(), "marker missing")
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	Expect(ok).To(BeTrue(), "yaml block missing")
	body, _, ok := strings.Cut(rest, "```")
	Expect(ok).To(BeTrue(), "unterminated yaml block")
	return body
}

var _ = Describe("docs/scenarios.md", func() {
	var doc string
	BeforeEach(func() {
		data, err := os.ReadFile(docPath)
		Expect(err).NotTo(HaveOccurred())
		doc = string(data)
	})

	It("documents every built-in block and role", func() {
		for _, b := range blocks.Builtins() {
			Expect(doc).To(ContainSubstring("| `"+b.Name+"` |"), "block %s", b.Name)
		}
		for _, r := range blocks.Roles() {
			Expect(doc).To(ContainSubstring("`"+r.Name+"`"), "role %s", r.Name)
		}
	})

	It("has a worked example that loads as written", func() {
		s, err := scenarios.Parse(docPath, []byte(workedExample(doc)), blocks.Default(),
			scenarios.LoadOptions{Profiles: catalogueProfiles})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.ID).To(Equal("EX1"))
		Expect(scenarios.Jobs([]*scenarios.Scenario{s}, catalogueProfiles)).To(HaveLen(len(catalogueProfiles)))
	})

	// Reference: reference/3gpp.md §6.1 D1 (the worked example is an eavesdropping scenario)
	It("has a worked example that runs as written on the testbed", func() {
		s, err := scenarios.Parse(docPath, []byte(workedExample(doc)), blocks.Default(),
			scenarios.LoadOptions{Profiles: catalogueProfiles})
		Expect(err).NotTo(HaveOccurred())
		factory, err := bedenv.Factory(bedenv.Options{})
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("seed %d\n", GinkgoRandomSeed())
		for _, p := range catalogueProfiles {
			var notReady error
			r := &scenarios.Runner{Seed: GinkgoRandomSeed(), NewEnv: func(ctx context.Context, cfg scenarios.EnvConfig) (scenarios.Env, error) {
				env, err := factory(ctx, cfg)
				if errors.Is(err, bedenv.ErrNotReady) {
					notReady = err
				}
				return env, err
			}}
			res := r.RunOne(context.Background(), s, p)
			if notReady != nil {
				Skip(notReady.Error())
			}
			if !res.Passed {
				AddReportEntry("trace "+p, traceReport(res), ReportEntryVisibilityFailureOrVerbose)
			}
			Expect(res.Passed).To(BeTrue(), "%s: %s", p, res.Reason)
		}
	})
})
