package reports

import (
	"sort"
	"time"

	"github.com/credbed/credbed/internal/trace"
)

// SchemaVersion is bumped whenever a field of report.json changes meaning.
const SchemaVersion = 1

// Run is the result of one `credbed run`.
type Run struct {
	Schema    int              `json:"schema"`
	Tool      string           `json:"tool"`
	Seed      int64            `json:"seed"`
	Mode      string           `json:"mode"`
	N2Carrier string           `json:"n2_carrier"`
	Started   time.Time        `json:"started"`
	Duration  float64          `json:"duration_ms"`
	Profiles  []string         `json:"profiles"`
	Scenarios []ScenarioResult `json:"scenarios"`
	Totals    Totals           `json:"totals"`
	Coverage  Coverage         `json:"coverage"`
}

// Totals counts scenario results.
type Totals struct {
	Scenarios int `json:"scenarios"`
	Passed    int `json:"passed"`
	Failed    int `json:"failed"`
}

// Coverage tells, per threat and requirement, how many scenario results exercise it.
type Coverage struct {
	Threats      map[string]int `json:"threats"`
	Requirements map[string]int `json:"requirements"`
}

// ScenarioResult is one scenario run against one solution profile.
type ScenarioResult struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Description  string   `json:"description,omitempty"`
	Profile      string   `json:"profile"`
	Threats      []string `json:"threats"`
	Requirements []string `json:"requirements"`
	Labels       []string `json:"labels"`
	// Expected and Outcome are short words: blocked, succeeded, detected, completed, residual-risk.
	Expected   string  `json:"expected"`
	Outcome    string  `json:"outcome"`
	Passed     bool    `json:"passed"`
	Residual   bool    `json:"residual_risk,omitempty"`
	DurationMS float64 `json:"duration_ms"`
	Capture    string  `json:"capture,omitempty"`
	// CaptureSecrets marks a capture that carries plaintext secrets on purpose (the baseline direct link).
	CaptureSecrets bool           `json:"capture_has_plaintext_secrets,omitempty"`
	Reason         string         `json:"reason,omitempty"`
	Steps          []StepResult   `json:"steps"`
	Checks         []CheckResult  `json:"checks"`
	Causes         []string       `json:"causes_seen"`
	Messages       map[string]int `json:"message_counts"`
	Invariants     []CheckResult  `json:"invariants"`
	Trace          []trace.Event  `json:"-"`
	Attacks        []string       `json:"attacks,omitempty"`
	Extra          map[string]any `json:"extra,omitempty"`

	// Aliases maps transport addresses that trace events name as Actor or
	// Peer ("127.0.0.1:47800", or an address without port) to actor names
	// ("td/td-0001"), so that the sequence chart draws one lane per actor.
	// The testbed fills it from its topology; report.html only.
	Aliases map[string]string `json:"-"`
}

// StepResult is one scenario step.
type StepResult struct {
	Index      int     `json:"index"`
	Action     string  `json:"action"`
	Actor      string  `json:"actor,omitempty"`
	OK         bool    `json:"ok"`
	Error      string  `json:"error,omitempty"`
	DurationMS float64 `json:"duration_ms"`
}

// CheckResult is one check or invariant with its verdict.
type CheckResult struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// Finish fills totals and coverage and sorts scenarios by id then profile.
func (r *Run) Finish() {
	r.Schema = SchemaVersion
	if r.Tool == "" {
		r.Tool = "credbed"
	}
	sort.SliceStable(r.Scenarios, func(i, j int) bool {
		a, b := r.Scenarios[i], r.Scenarios[j]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Profile < b.Profile
	})
	r.Totals = Totals{}
	r.Coverage = Coverage{Threats: map[string]int{}, Requirements: map[string]int{}}
	profiles := map[string]bool{}
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		if s.Threats == nil {
			s.Threats = []string{}
		}
		if s.Requirements == nil {
			s.Requirements = []string{}
		}
		if s.Labels == nil {
			s.Labels = []string{}
		}
		if s.Steps == nil {
			s.Steps = []StepResult{}
		}
		if s.Checks == nil {
			s.Checks = []CheckResult{}
		}
		if s.Causes == nil {
			s.Causes = []string{}
		}
		if s.Messages == nil {
			s.Messages = map[string]int{}
		}
		if s.Invariants == nil {
			s.Invariants = []CheckResult{}
		}
		r.Totals.Scenarios++
		if s.Passed {
			r.Totals.Passed++
		} else {
			r.Totals.Failed++
		}
		for _, t := range s.Threats {
			r.Coverage.Threats[t]++
		}
		for _, q := range s.Requirements {
			r.Coverage.Requirements[q]++
		}
		profiles[s.Profile] = true
	}
	r.Profiles = r.Profiles[:0]
	for p := range profiles {
		r.Profiles = append(r.Profiles, p)
	}
	sort.Strings(r.Profiles)
}
