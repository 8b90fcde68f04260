package reports

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteMarkdown writes summary.md: totals, the threats x profiles matrix and the failures.
func WriteMarkdown(w io.Writer, r *Run) error {
	var b strings.Builder
	status := "PASS"
	if r.Totals.Failed > 0 {
		status = "FAIL"
	}
	fmt.Fprintf(&b, "# credbed run: %s\n\n", status)
	fmt.Fprintf(&b, "%d scenario results, %d passed, %d failed. Seed %d, mode %s, N2 over %s.\n\n",
		r.Totals.Scenarios, r.Totals.Passed, r.Totals.Failed, r.Seed, r.Mode, r.N2Carrier)

	m := BuildMatrix(r)
	b.WriteString("## Threats x profiles\n\n")
	b.WriteString("| threat |")
	for _, p := range m.Profiles {
		fmt.Fprintf(&b, " %s |", p)
	}
	b.WriteString("\n|---|")
	for range m.Profiles {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, t := range m.Rows {
		fmt.Fprintf(&b, "| %s |", t)
		for _, p := range m.Profiles {
			c := m.Cells[t][p]
			fmt.Fprintf(&b, " %s |", c.Summary())
		}
		b.WriteString("\n")
	}
	b.WriteString("\n## Scenarios\n\n| id | profile | expected | outcome | result |\n|---|---|---|---|---|\n")
	for _, s := range r.Scenarios {
		res := "pass"
		if !s.Passed {
			res = "**FAIL**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", s.ID, s.Profile, s.Expected, s.Outcome, res)
	}
	if r.Totals.Failed > 0 {
		b.WriteString("\n## Failures\n\n")
		for _, s := range r.Scenarios {
			if s.Passed {
				continue
			}
			fmt.Fprintf(&b, "- **%s [%s]** %s: expected %s, got %s. %s\n", s.ID, s.Profile, s.Title, s.Expected, s.Outcome, s.Reason)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Cell aggregates the scenario results of one threat (or requirement) and profile.
type Cell struct {
	Total, Passed, Vulnerable, Residual int
	IDs                                 []string
}

// Summary is a short text for a matrix cell.
func (c Cell) Summary() string {
	if c.Total == 0 {
		return "-"
	}
	s := fmt.Sprintf("%d/%d pass", c.Passed, c.Total)
	if c.Vulnerable > 0 {
		s += fmt.Sprintf(", %d attack succeeded", c.Vulnerable)
	}
	if c.Residual > 0 {
		s += fmt.Sprintf(", %d residual", c.Residual)
	}
	return s
}

// Matrix is the threats/requirements x profiles table.
type Matrix struct {
	Profiles []string
	Rows     []string
	Cells    map[string]map[string]*Cell
}

// BuildMatrix aggregates r by threat and requirement (rows) and profile (columns).
func BuildMatrix(r *Run) Matrix {
	m := Matrix{Cells: map[string]map[string]*Cell{}}
	profiles := map[string]bool{}
	for _, s := range r.Scenarios {
		profiles[s.Profile] = true
		keys := append(append([]string{}, s.Threats...), s.Requirements...)
		for _, k := range keys {
			row, ok := m.Cells[k]
			if !ok {
				row = map[string]*Cell{}
				m.Cells[k] = row
				m.Rows = append(m.Rows, k)
			}
			c, ok := row[s.Profile]
			if !ok {
				c = &Cell{}
				row[s.Profile] = c
			}
			c.Total++
			c.IDs = append(c.IDs, s.ID)
			if s.Passed {
				c.Passed++
			}
			if s.Outcome == "succeeded" {
				c.Vulnerable++
			}
			if s.Residual {
				c.Residual++
			}
		}
	}
	for p := range profiles {
		m.Profiles = append(m.Profiles, p)
	}
	sort.Strings(m.Profiles)
	sort.Strings(m.Rows)
	return m
}
