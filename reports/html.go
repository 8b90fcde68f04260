package reports

import (
	"crypto/sha256"
	_ "embed" // the page template
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"slices"
	"sort"
	"strings"
)

//go:embed report.html.tmpl
var htmlTemplateText string

// htmlScript is the page's only script: it wires the expand/collapse and
// "failures only" controls and writes data-report-script="ok" on <html>
// when it ran to its end (the browser test checks that marker). The page's
// Content-Security-Policy allows this script by its hash and nothing else.
const htmlScript = `(function () {
  "use strict";
  var doc = document, body = doc.body;
  var details = function () { return doc.querySelectorAll("details.scenario"); };
  doc.getElementById("expand-all").addEventListener("click", function () {
    details().forEach(function (d) { d.open = true; });
  });
  doc.getElementById("collapse-all").addEventListener("click", function () {
    details().forEach(function (d) { d.open = false; });
  });
  var only = doc.getElementById("failures-only");
  only.addEventListener("change", function () {
    body.classList.toggle("failures-only", only.checked);
  });
  doc.getElementById("controls").hidden = false;
  doc.documentElement.setAttribute("data-report-script", "ok");
  doc.documentElement.setAttribute("data-report-charts", String(doc.querySelectorAll("svg.msc").length));
})();`

// threatTitles are the threats of TR 33.899 KI #12.2 (DESIGN.md), always shown.
func threatTitles() [][2]string {
	return [][2]string{
		{"T1", "without credentials the TD cannot communicate securely"},
		{"T2", "a TD falsely provided with credentials gets illegal network access"},
		{"T3", "a TD is falsely rejected because of (forged/replayed) deprovisioning"},
	}
}

// requirementTitles are the requirements of TR 33.899 KI #12.2, always shown.
func requirementTitles() [][2]string {
	return [][2]string{
		{"R1", "securely provide the TD with credentials from the PD"},
		{"R2", "securely provide the network with the TD's credentials from the PD"},
		{"R3", "securely deprovision the TD's credentials from the PD"},
	}
}

// WriteHTML writes report.html: one self-contained page (inline CSS, one
// small inline script allowed by hash, no network fetches) with the run's
// settings and totals, the threats x profiles matrix, requirement coverage,
// the table of scenario results and, per result, its steps and timings,
// checks, invariants, causes, message counts and a message sequence chart
// (SequenceSVG). Every text from the run is escaped.
func WriteHTML(w io.Writer, r *Run) error {
	if r == nil {
		return fmt.Errorf("reports: WriteHTML: nil run")
	}
	tmpl, err := template.New("report").Funcs(template.FuncMap{
		"ms": fmtMS,
	}).Parse(htmlTemplateText)
	if err != nil {
		return fmt.Errorf("reports: parse HTML template: %w", err)
	}
	if err := tmpl.Execute(w, buildPage(r)); err != nil {
		return fmt.Errorf("reports: render HTML: %w", err)
	}
	return nil
}

// page is what the template renders.
type page struct {
	Run       *Run
	Status    string
	CSP       string
	Script    template.JS
	Profiles  []string
	Threats   []matrixRow
	Reqs      []matrixRow
	Scenarios []scenarioView
	Secrets   int // results whose capture carries plaintext secrets on purpose
	Passed    int // counted from the results (Totals may not be filled)
	Failed    int
}

type matrixRow struct {
	ID, Title string
	Coverage  int
	Cells     []matrixCell
}

type matrixCell struct {
	Class   string // none, pass, fail, attack, residual
	Summary string
	Links   []cellLink
}

type cellLink struct {
	Anchor, ID string
	Passed     bool
}

type scenarioView struct {
	ScenarioResult
	Anchor      string
	CaptureHref string // "" when the capture is not a plain relative path
	Open        bool
	Steps       []stepView
	Counts      []countView
	Chart       template.HTML
	TraceLines  []string
	TraceMore   int
	ChecksOK    int
	InvsOK      int
}

type stepView struct {
	StepResult
	BarPct string
}

type countView struct {
	Name  string
	Count int
}

func buildPage(r *Run) page {
	p := page{Run: r, Status: "PASS", Script: template.JS(htmlScript)}
	sum := sha256.Sum256([]byte(htmlScript))
	p.CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; " +
		"script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	for _, s := range r.Scenarios {
		if s.Passed {
			p.Passed++
		} else {
			p.Failed++
		}
	}
	if p.Failed > 0 {
		p.Status = "FAIL"
	}
	m := BuildMatrix(r)
	p.Profiles = append([]string(nil), m.Profiles...)
	for _, q := range r.Profiles {
		if !slices.Contains(p.Profiles, q) {
			p.Profiles = append(p.Profiles, q)
		}
	}
	sort.Strings(p.Profiles)

	threats, reqs := map[string]bool{}, map[string]bool{}
	for _, s := range r.Scenarios {
		for _, t := range s.Threats {
			threats[t] = true
		}
		for _, q := range s.Requirements {
			reqs[q] = true
		}
	}
	p.Threats = matrixRows(m, p.Profiles, threatTitles(), threats, r.Coverage.Threats)
	p.Reqs = matrixRows(m, p.Profiles, requirementTitles(), reqs, r.Coverage.Requirements)

	anchors := map[string]int{}
	for _, s := range r.Scenarios {
		v := scenarioView{ScenarioResult: s, Open: !s.Passed}
		v.Anchor = uniqueAnchor(anchors, scenarioAnchor(s.ID, s.Profile))
		v.CaptureHref = captureHref(s.Capture)
		if s.CaptureSecrets {
			p.Secrets++
		}
		var longest float64
		for _, st := range s.Steps {
			longest = max(longest, st.DurationMS)
		}
		for _, st := range s.Steps {
			pct := 0.0
			if longest > 0 {
				pct = st.DurationMS / longest * 100
			}
			v.Steps = append(v.Steps, stepView{StepResult: st, BarPct: fmt.Sprintf("%.1f", pct)})
		}
		for name, n := range s.Messages {
			v.Counts = append(v.Counts, countView{name, n})
		}
		sort.Slice(v.Counts, func(i, j int) bool { return v.Counts[i].Name < v.Counts[j].Name })
		for _, c := range s.Checks {
			if c.OK {
				v.ChecksOK++
			}
		}
		for _, c := range s.Invariants {
			if c.OK {
				v.InvsOK++
			}
		}
		v.Chart = template.HTML(SequenceSVG(s.Trace, ChartOptions{Aliases: s.Aliases})) // escaped by SequenceSVG
		tr := s.Trace
		if len(tr) > MaxChartEvents {
			v.TraceMore = len(tr) - MaxChartEvents
			tr = tr[:MaxChartEvents]
		}
		for _, e := range tr {
			v.TraceLines = append(v.TraceLines, FormatEvent(e))
		}
		p.Scenarios = append(p.Scenarios, v)
	}
	return p
}

// matrixRows builds the rows of one matrix: the fixed ids (T1-T3 or R1-R3)
// first, then any other id the scenarios name, sorted.
func matrixRows(m Matrix, profiles []string, fixed [][2]string, seen map[string]bool, coverage map[string]int) []matrixRow {
	var rows []matrixRow
	add := func(id, title string) {
		row := matrixRow{ID: id, Title: title, Coverage: coverage[id]}
		for _, prof := range profiles {
			row.Cells = append(row.Cells, makeCell(m.Cells[id][prof], prof))
		}
		rows = append(rows, row)
	}
	known := map[string]bool{}
	for _, f := range fixed {
		known[f[0]] = true
		add(f[0], f[1])
	}
	var extra []string
	for id := range seen {
		if !known[id] {
			extra = append(extra, id)
		}
	}
	sort.Strings(extra)
	for _, id := range extra {
		add(id, "")
	}
	return rows
}

func makeCell(c *Cell, profile string) matrixCell {
	if c == nil || c.Total == 0 {
		return matrixCell{Class: "none", Summary: "not covered"}
	}
	mc := matrixCell{Summary: c.Summary()}
	switch {
	case c.Passed < c.Total:
		mc.Class = "fail"
	case c.Vulnerable > 0:
		mc.Class = "attack"
	case c.Residual > 0:
		mc.Class = "residual"
	default:
		mc.Class = "pass"
	}
	seen := map[string]bool{}
	for _, id := range c.IDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		mc.Links = append(mc.Links, cellLink{Anchor: scenarioAnchor(id, profile), ID: id})
	}
	return mc
}

// scenarioAnchor is the fragment id of a scenario result: letters, digits,
// dashes and underscores only.
func scenarioAnchor(id, profile string) string {
	return "sc-" + anchorToken(id) + "--" + anchorToken(profile)
}

func anchorToken(s string) string {
	t := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		case r == '.' || r == ' ' || r == '/':
			return '_'
		}
		return -1
	}, s)
	if t == "" {
		return "x"
	}
	return t
}

// uniqueAnchor makes a repeated anchor unique by numbering it.
func uniqueAnchor(used map[string]int, a string) string {
	used[a]++
	if n := used[a]; n > 1 {
		return fmt.Sprintf("%s-%d", a, n)
	}
	return a
}

// captureHref returns the link to a capture when it is a plain relative path
// inside the report folder (captures/<scenario>-<profile>.pcap), else "".
func captureHref(path string) string {
	if path == "" || strings.HasPrefix(path, "/") || strings.HasPrefix(path, "\\") || strings.Contains(path, "\\") {
		return ""
	}
	u, err := url.Parse(path)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return ""
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == ".." {
			return ""
		}
	}
	return (&url.URL{Path: u.Path}).String()
}

// fmtMS formats a duration in milliseconds.
func fmtMS(ms float64) string {
	switch {
	case ms <= 0:
		return "0 ms"
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.2f s", ms/1000)
	}
}
