package scenarios

import (
	"fmt"
	"path"
	"slices"
)

// Select keeps the scenarios of suite (all when empty) whose id matches the
// glob (path.Match syntax; all when empty).
func Select(scns []*Scenario, suite, glob string) ([]*Scenario, error) {
	if glob != "" {
		if _, err := path.Match(glob, ""); err != nil {
			return nil, fmt.Errorf("bad --scenario pattern %q: %w", glob, err)
		}
	}
	var out []*Scenario
	for _, s := range scns {
		if suite != "" && s.Suite != suite {
			continue
		}
		if glob != "" {
			if ok, _ := path.Match(glob, s.ID); !ok {
				continue
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// Suites lists the suites of scns, sorted.
func Suites(scns []*Scenario) []string {
	var out []string
	for _, s := range scns {
		if s.Suite != "" && !slices.Contains(out, s.Suite) {
			out = append(out, s.Suite)
		}
	}
	slices.Sort(out)
	return out
}

// ProfilesOf lists the profiles the scenarios name in their expectations, sorted.
func ProfilesOf(scns []*Scenario) []string {
	var out []string
	for _, s := range scns {
		for _, p := range s.Profiles() {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out
}
