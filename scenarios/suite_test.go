package scenarios_test

import (
	"context"
	"errors"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/reports"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/bedenv"
	"github.com/credbed/credbed/scenarios/blocks"
	"github.com/credbed/credbed/scenarios/catalogue"
	"github.com/credbed/credbed/scenarios/profile/builtin"
)

// The catalogue, loaded once while the spec tree is built.
var catalogueScenarios, catalogueProfiles, catalogueErr = func() ([]*scenarios.Scenario, []string, error) {
	profiles, err := builtin.Registry()
	if err != nil {
		return nil, nil, err
	}
	scns, err := scenarios.LoadFS(catalogue.FS(), ".", blocks.Default(),
		scenarios.LoadOptions{Profiles: profiles.Names(), PathPrefix: catalogue.Path})
	return scns, profiles.Names(), err
}()

// traceReport formats a result's trace for a failed spec's report entry.
func traceReport(res reports.ScenarioResult) string {
	var b strings.Builder
	for _, e := range res.Trace {
		b.WriteString(reports.FormatEvent(e))
		b.WriteByte('\n')
	}
	return b.String()
}

var _ = Describe("catalogue", func() {
	It("loads: every file is valid and every scenario names its expectations", func() {
		Expect(catalogueErr).NotTo(HaveOccurred())
		Expect(catalogueScenarios).NotTo(BeEmpty())
		for _, s := range catalogueScenarios {
			Expect(scenarios.Jobs([]*scenarios.Scenario{s}, catalogueProfiles)).To(HaveLen(len(catalogueProfiles)),
				"%s must state an expectation for every built-in profile", s.ID)
		}
	})

	// One spec per (scenario, profile), labelled by threat, requirement,
	// interface, suite and profile: --label-filter='threat:T3 && profile:secure'.
	for _, job := range scenarios.Jobs(catalogueScenarios, catalogueProfiles) {
		s, p := job.Scenario, job.Profile
		// Reference: TR 33.899 KI #12.2 (threats and requirements in the labels); reference/3gpp.md §6
		It(scenarios.SpecName(s, p), Label(scenarios.SpecLabels(s, p)...), func() {
			GinkgoWriter.Printf("seed %d\n", GinkgoRandomSeed())
			real, err := bedenv.Factory(bedenv.Options{})
			Expect(err).NotTo(HaveOccurred())
			var mu sync.Mutex
			var notReady error
			factory := func(ctx context.Context, cfg scenarios.EnvConfig) (scenarios.Env, error) {
				env, err := real(ctx, cfg)
				if errors.Is(err, bedenv.ErrNotReady) {
					mu.Lock()
					notReady = err
					mu.Unlock()
				}
				return env, err
			}
			r := &scenarios.Runner{NewEnv: factory, Seed: GinkgoRandomSeed()}
			res := r.RunOne(context.Background(), s, p)
			if notReady != nil {
				Skip(notReady.Error())
			}
			if !res.Passed {
				AddReportEntry("trace", traceReport(res), ReportEntryVisibilityFailureOrVerbose)
			}
			Expect(res.Passed).To(BeTrue(), "%s [%s]: %s", s.ID, p, res.Reason)
			Expect(res.Outcome).To(Equal(res.Expected))
		})
	}
})
