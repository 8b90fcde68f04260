package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/credbed/credbed/reports"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/bedenv"
	"github.com/credbed/credbed/scenarios/blocks"
	"github.com/credbed/credbed/scenarios/catalogue"
	"github.com/credbed/credbed/scenarios/profile/builtin"
)

// scenarioDeps are what `credbed run` and `credbed list` build on; tests
// replace them (a fake environment, a small catalogue).
type scenarioDeps struct {
	registry  func() (*scenarios.Registry, error)
	catalogue fs.FS // suite folders of YAML files
	prefix    string
	profiles  func() ([]string, error)
	newEnv    func() (scenarios.EnvFactory, error)
}

func defaultScenarioDeps() scenarioDeps {
	return scenarioDeps{
		registry:  func() (*scenarios.Registry, error) { return blocks.Default(), nil },
		catalogue: catalogue.FS(),
		prefix:    catalogue.Path,
		profiles: func() ([]string, error) {
			reg, err := builtin.Registry()
			if err != nil {
				return nil, err
			}
			return reg.Names(), nil
		},
		newEnv: func() (scenarios.EnvFactory, error) { return bedenv.Factory(bedenv.Options{}) },
	}
}

// loadScenarios loads the embedded catalogue and every extra folder.
func (d scenarioDeps) loadScenarios(dirs []string) ([]*scenarios.Scenario, *scenarios.Registry, []string, error) {
	reg, err := d.registry()
	if err != nil {
		return nil, nil, nil, err
	}
	profiles, err := d.profiles()
	if err != nil {
		return nil, nil, nil, err
	}
	opts := scenarios.LoadOptions{Profiles: profiles}
	var all []*scenarios.Scenario
	if d.catalogue != nil {
		o := opts
		o.PathPrefix = d.prefix
		scns, err := scenarios.LoadFS(d.catalogue, ".", reg, o)
		if err != nil {
			return nil, nil, nil, badInput("%v", err)
		}
		all = append(all, scns...)
	}
	for _, dir := range dirs {
		scns, err := scenarios.LoadDir(dir, reg, opts)
		if err != nil {
			return nil, nil, nil, badInput("%v", err)
		}
		for _, s := range scns {
			for _, prev := range all {
				if prev.ID == s.ID {
					return nil, nil, nil, badInput("%s:%d: scenario id %q is already used by %s:%d", s.File, s.Line, s.ID, prev.File, prev.Line)
				}
			}
		}
		all = append(all, scns...)
	}
	return all, reg, profiles, nil
}

type runOptions struct {
	suite, scenario, profile, mode, out string
	seed                                int64
	parallel                            int
	timeout                             time.Duration
	dirs                                []string
	noProgress                          bool
}

// newRunCmd builds `credbed run`.
func newRunCmd() *cobra.Command { return newRunCmdWith(defaultScenarioDeps()) }

func newRunCmdWith(deps scenarioDeps) *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run [--suite NAME] [--scenario GLOB] [--profile NAME] [--mode mem|net] [--out DIR] [--seed N] [--parallel N]",
		Short: "Run threat scenarios against solution profiles and write the reports",
		Long: "Runs every selected scenario against every selected solution profile, each on a fresh\n" +
			"emulated system, and writes report.json, junit.xml, summary.md, report.html and one pcap\n" +
			"per scenario (captures/) to --out. Exits 0 only when every outcome matched its expectation,\n" +
			"1 otherwise, 2 for bad flags or scenario files.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("seed") {
				o.seed = rand.Int64N(1 << 53)
			}
			return runScenarios(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), deps, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.suite, "suite", "", "run only this suite (a catalogue folder: "+strings.Join(suiteNames(deps), ", ")+")")
	f.StringVar(&o.scenario, "scenario", "", "run only scenarios whose id matches this glob (e.g. 'D*')")
	f.StringVar(&o.profile, "profile", "", "run only this solution profile (default: every profile)")
	f.StringVar(&o.mode, "mode", "mem", "transport: mem (in-process) or net (loopback sockets)")
	f.StringVar(&o.out, "out", "reports/out", "output folder for the reports and captures")
	f.Int64Var(&o.seed, "seed", 0, "run seed (default: random, printed); each scenario derives its own")
	f.IntVar(&o.parallel, "parallel", max(1, runtime.GOMAXPROCS(0)), "scenarios run at the same time")
	f.DurationVar(&o.timeout, "timeout", scenarios.DefaultTimeout, "bound on one scenario run")
	f.StringArrayVar(&o.dirs, "catalogue", nil, "also load the scenarios under this folder (repeatable)")
	f.BoolVar(&o.noProgress, "no-progress", false, "do not draw the progress bar")
	return cmd
}

func suiteNames(deps scenarioDeps) []string {
	if deps.catalogue == nil {
		return nil
	}
	entries, err := fs.ReadDir(deps.catalogue, ".")
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

func runScenarios(ctx context.Context, stdout, stderr io.Writer, deps scenarioDeps, o runOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	switch {
	case o.mode != "mem" && o.mode != "net":
		return badInput("--mode %q: want mem or net", o.mode)
	case o.parallel < 1:
		return badInput("--parallel %d: want at least 1", o.parallel)
	case o.timeout <= 0:
		return badInput("--timeout must be positive")
	case o.out == "":
		return badInput("--out must name a folder")
	}
	all, _, profiles, err := deps.loadScenarios(o.dirs)
	if err != nil {
		return err
	}
	if o.suite != "" && !slices.Contains(scenarios.Suites(all), o.suite) {
		return badInput("--suite %q: no such suite (known: %s)", o.suite, strings.Join(scenarios.Suites(all), ", "))
	}
	sel, err := scenarios.Select(all, o.suite, o.scenario)
	if err != nil {
		return badInput("%v", err)
	}
	if len(sel) == 0 {
		return badInput("no scenario matches --suite %q --scenario %q", o.suite, o.scenario)
	}
	if o.profile != "" {
		if !slices.Contains(profiles, o.profile) {
			return badInput("--profile %q: unknown (known: %s)", o.profile, strings.Join(profiles, ", "))
		}
		profiles = []string{o.profile}
	}
	jobs := scenarios.Jobs(sel, profiles)
	if len(jobs) == 0 {
		return badInput("the selected scenarios have no expectation for profile(s) %s", strings.Join(profiles, ", "))
	}
	factory, err := deps.newEnv()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	fmt.Fprintf(stderr, "credbed run: seed %d, mode %s, %d scenario results (%d scenarios x profiles %s), parallel %d\n",
		o.seed, o.mode, len(jobs), len(sel), strings.Join(profiles, ","), o.parallel)

	bar := progressbar.NewOptions(len(jobs),
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetVisibility(!o.noProgress),
		progressbar.OptionSetDescription("scenarios"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionClearOnFinish(),
	)
	r := &scenarios.Runner{
		NewEnv: factory, Mode: o.mode, Seed: o.seed, Parallel: o.parallel, Timeout: o.timeout,
		CaptureDir: filepath.Join(o.out, "captures"), CapturePrefix: "captures",
		OnResult: func(res reports.ScenarioResult) {
			bar.Describe(res.ID + " [" + res.Profile + "]")
			_ = bar.Add(1)
		},
	}
	started := time.Now()
	results := r.Run(ctx, jobs)
	_ = bar.Finish()

	run := &reports.Run{Seed: o.seed, Mode: o.mode, N2Carrier: n2Carrier(results), Started: started,
		Duration: float64(time.Since(started).Microseconds()) / 1000, Scenarios: results}
	run.Finish()
	printSummary(stdout, run)
	if err := writeReports(o.out, run); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "credbed run: reports in %s (seed %d)\n", o.out, o.seed)
	if run.Totals.Failed > 0 {
		return fmt.Errorf("%d of %d scenario results did not match their expectation (seed %d)", run.Totals.Failed, run.Totals.Scenarios, o.seed)
	}
	return nil
}

func n2Carrier(results []reports.ScenarioResult) string {
	for _, r := range results {
		if c, ok := r.Extra["n2_carrier"].(string); ok && c != "" {
			return c
		}
	}
	return ""
}

// printSummary prints one line per result and the totals.
func printSummary(w io.Writer, run *reports.Run) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tPROFILE\tEXPECTED\tOUTCOME\tRESULT\tTIME")
	for _, s := range run.Scenarios {
		res := "pass"
		if !s.Passed {
			res = "FAIL"
		}
		if s.Residual {
			res += " (residual risk)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.0fms\n", s.ID, s.Profile, s.Expected, dash(s.Outcome), res, s.DurationMS)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\n%d scenario results: %d passed, %d failed\n", run.Totals.Scenarios, run.Totals.Passed, run.Totals.Failed)
	for _, s := range run.Scenarios {
		if !s.Passed {
			fmt.Fprintf(w, "  FAIL %s [%s]: %s\n", s.ID, s.Profile, s.Reason)
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeReports writes report.json, junit.xml, summary.md and report.html.
func writeReports(dir string, run *reports.Run) error {
	for _, f := range []struct {
		name  string
		write func(io.Writer, *reports.Run) error
	}{
		{"report.json", reports.WriteJSON},
		{"junit.xml", reports.WriteJUnit},
		{"summary.md", reports.WriteMarkdown},
		{"report.html", reports.WriteHTML},
	} {
		if err := writeFile(filepath.Join(dir, f.name), func(w io.Writer) error { return f.write(w, run) }); err != nil {
			return fmt.Errorf("writing %s: %w", f.name, err)
		}
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
