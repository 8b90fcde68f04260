package scenarios

import (
	"fmt"
	"slices"
	"strings"
)

// Item is a threat, requirement, interface or free label with its meaning.
type Item struct {
	ID   string
	Text string
}

// Threats are the threats of TR 33.899 KI #12.2.
func Threats() []Item {
	return []Item{
		{"T1", "without credentials the TD cannot communicate securely"},
		{"T2", "a TD falsely provided with credentials gets illegal network access"},
		{"T3", "a TD is falsely rejected because of (forged/replayed) deprovisioning"},
	}
}

// Requirements are the security requirements of TR 33.899 KI #12.2.
func Requirements() []Item {
	return []Item{
		{"R1", "securely provide the TD with credentials from the PD"},
		{"R2", "securely provide the network with the TD's credentials from the PD"},
		{"R3", "securely deprovision the TD's credentials from the PD"},
	}
}

// Interfaces are the interfaces a scenario can touch (trace.Iface names).
func Interfaces() []Item {
	return []Item{
		{"SBI", "service-based interface between NFs (HTTP/2)"},
		{"N1", "NAS between UE and AMF"},
		{"N2", "NGAP between gNB and AMF"},
		{"N3", "GTP-U between gNB and UPF"},
		{"N4", "PFCP between SMF and UPF"},
		{"N6", "UPF to data network"},
		{"DL", "direct link between provisioning and target device"},
		{"CPF", "the PD-facing API of the credential provisioning function"},
	}
}

// FreeLabels are the labels a scenario may list under `labels:`. Add a line
// here to add one; keyed labels (threat:, req:, iface:, profile:, suite:)
// are derived and must not be written by hand.
func FreeLabels() []Item {
	return []Item{
		{"attack", "an attacker capability acts"},
		{"fault", "a fault (loss, restart, link cut) is injected"},
		{"conformance", "checks baseline 5G behaviour the emulator must get right"},
		{"provisioning", "provisioning of a target device"},
		{"deprovisioning", "deprovisioning of a target device"},
		{"cloning", "credential cloning or identity misuse"},
		{"dos", "denial of service or resource exhaustion"},
		{"lifecycle", "provisioning lifecycle (re-provisioning, reset, expiry)"},
		{"residual-risk", "documents a known residual risk"},
		{"slow", "takes noticeably longer than the rest"},
		{"example", "a worked example from the docs"},
	}
}

// Label keys of derived labels. A Ginkgo label "key:value" also works with
// set filters, e.g. --label-filter='threat: containsAny {T1, T3}'.
const (
	LabelKeyThreat      = "threat"
	LabelKeyRequirement = "req"
	LabelKeyIface       = "iface"
	LabelKeyProfile     = "profile"
	LabelKeySuite       = "suite"
)

// ThreatLabel is the label of threat id ("threat:T1").
func ThreatLabel(id string) string { return LabelKeyThreat + ":" + id }

// RequirementLabel is the label of requirement id ("req:R1").
func RequirementLabel(id string) string { return LabelKeyRequirement + ":" + id }

// IfaceLabel is the label of an interface ("iface:DL").
func IfaceLabel(name string) string { return LabelKeyIface + ":" + name }

// ProfileLabel is the label of a solution profile ("profile:secure").
func ProfileLabel(name string) string { return LabelKeyProfile + ":" + name }

// SuiteLabel is the label of a catalogue suite ("suite:dlink").
func SuiteLabel(name string) string { return LabelKeySuite + ":" + name }

// ValidateLabel checks a label written under `labels:`.
func ValidateLabel(l string) error {
	if strings.Contains(l, ":") {
		return fmt.Errorf("label %q: keyed labels (threat:, req:, iface:, profile:, suite:) are derived, not written", l)
	}
	for _, it := range FreeLabels() {
		if it.ID == l {
			return nil
		}
	}
	var known []string
	for _, it := range FreeLabels() {
		known = append(known, it.ID)
	}
	return fmt.Errorf("unknown label %q (known: %s; add new ones in scenarios/labels.go)", l, strings.Join(known, ", "))
}

// AllLabels returns every label of a scenario: its free labels and the
// derived threat, requirement, interface and suite labels, sorted.
func (s *Scenario) AllLabels() []string {
	out := slices.Clone(s.Labels)
	for _, t := range s.Threats {
		out = append(out, ThreatLabel(t))
	}
	for _, r := range s.Requirements {
		out = append(out, RequirementLabel(r))
	}
	for _, i := range s.Ifaces {
		out = append(out, IfaceLabel(i))
	}
	if s.Suite != "" {
		out = append(out, SuiteLabel(s.Suite))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// SpecLabels returns the labels of the (scenario, profile) spec: AllLabels
// plus the profile label. The Ginkgo suite passes them to Label(...).
func SpecLabels(s *Scenario, profile string) []string {
	out := append(s.AllLabels(), ProfileLabel(profile))
	slices.Sort(out)
	return out
}

// SpecName is the name of the (scenario, profile) spec and job.
func SpecName(s *Scenario, profile string) string {
	return fmt.Sprintf("%s [%s]: %s", s.ID, profile, s.Title)
}
