package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/credbed/credbed/internal/trace"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     float64      `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Time       float64         `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      float64       `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// traceExcerptLen bounds the trace lines attached to a failure.
const traceExcerptLen = 40

// WriteJUnit writes junit.xml: one test suite per profile, one test case per scenario.
func WriteJUnit(w io.Writer, r *Run) error {
	out := junitSuites{Name: "credbed"}
	byProfile := map[string]*junitSuite{}
	var order []string
	for _, s := range r.Scenarios {
		js, ok := byProfile[s.Profile]
		if !ok {
			js = &junitSuite{Name: "credbed/" + s.Profile, Properties: []junitProperty{
				{Name: "seed", Value: fmt.Sprint(r.Seed)}, {Name: "mode", Value: r.Mode}, {Name: "n2_carrier", Value: r.N2Carrier},
			}}
			byProfile[s.Profile] = js
			order = append(order, s.Profile)
		}
		c := junitCase{
			Name:      fmt.Sprintf("%s: %s [%s]", s.ID, s.Title, s.Profile),
			Classname: "credbed." + s.Profile,
			Time:      s.DurationMS / 1000,
			SystemOut: fmt.Sprintf("expected=%s outcome=%s threats=%s requirements=%s capture=%s",
				s.Expected, s.Outcome, strings.Join(s.Threats, ","), strings.Join(s.Requirements, ","), s.Capture),
		}
		if !s.Passed {
			c.Failure = &junitFailure{
				Message: fmt.Sprintf("expected %s, got %s: %s", s.Expected, s.Outcome, s.Reason),
				Type:    "outcome-mismatch",
				Body:    failureBody(s),
			}
			js.Failures++
			out.Failures++
		}
		js.Tests++
		js.Time += c.Time
		js.Cases = append(js.Cases, c)
		out.Tests++
		out.Time += c.Time
	}
	for _, p := range order {
		out.Suites = append(out.Suites, *byProfile[p])
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func failureBody(s ScenarioResult) string {
	var b strings.Builder
	for _, c := range s.Checks {
		if !c.OK {
			fmt.Fprintf(&b, "check failed: %s: %s\n", c.Name, c.Detail)
		}
	}
	for _, c := range s.Invariants {
		if !c.OK {
			fmt.Fprintf(&b, "invariant violated: %s: %s\n", c.Name, c.Detail)
		}
	}
	for _, st := range s.Steps {
		if !st.OK && st.Error != "" {
			fmt.Fprintf(&b, "step %d %s: %s\n", st.Index, st.Action, st.Error)
		}
	}
	tr := s.Trace
	if len(tr) > traceExcerptLen {
		tr = tr[len(tr)-traceExcerptLen:]
		b.WriteString("trace (last events):\n")
	} else if len(tr) > 0 {
		b.WriteString("trace:\n")
	}
	for _, e := range tr {
		b.WriteString(FormatEvent(e))
		b.WriteByte('\n')
	}
	return b.String()
}

// FormatEvent renders one trace event as a single line.
func FormatEvent(e trace.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s %s", e.Seq, e.Kind, e.Actor)
	if e.Peer != "" {
		fmt.Fprintf(&b, "->%s", e.Peer)
	}
	if e.Iface != "" {
		fmt.Fprintf(&b, " [%s]", e.Iface)
	}
	fmt.Fprintf(&b, " %s", e.Name)
	if e.SUPI != "" {
		fmt.Fprintf(&b, " supi=%s", e.SUPI)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " status=%d", e.Status)
	}
	if e.Cause != "" {
		fmt.Fprintf(&b, " cause=%s", e.Cause)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, " (%s)", e.Detail)
	}
	return b.String()
}
