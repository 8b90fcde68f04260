package scenarios

import "slices"

// Outcome words. The observed outcome is computed from the scenario's
// outcome rules (see Scenario.Outcome), never written by hand.
const (
	OutcomeBlocked   = "blocked"   // no rule held: the attack (or flow) did not get through
	OutcomeSucceeded = "succeeded" // the attacker reached its goal
	OutcomeDetected  = "detected"  // the system noticed the attack (see OutcomeRules)
	OutcomeCompleted = "completed" // a legitimate flow ran to its end
)

// Outcomes lists the outcome words.
func Outcomes() []string {
	return []string{OutcomeBlocked, OutcomeSucceeded, OutcomeDetected, OutcomeCompleted}
}

// Step expectations.
const (
	ExpectOK    = "ok"    // the step must succeed (the default)
	ExpectError = "error" // the step must fail
	ExpectAny   = "any"   // either; the result is saved for checks
)

// DefaultProfile is the expectation key that applies to profiles a
// scenario does not name.
const DefaultProfile = "default"

// Scenario is one loaded, validated scenario.
type Scenario struct {
	ID           string
	Title        string
	Description  string
	Suite        string // the catalogue folder it came from ("" at the top)
	File         string // source file, for messages
	Line         int
	Threats      []string
	Requirements []string
	Labels       []string // free labels as written (see AllLabels for the derived ones)
	Topology     Topology
	Actors       []ActorSpec
	Steps        []*Step
	Checks       []*CheckCall // named checks, in file order
	Outcome      OutcomeRules
	Expect       map[string]*Expectation // by profile name, DefaultProfile included
	// Ifaces are the interfaces the steps touch (from the blocks and their arguments).
	Ifaces []string
}

// Topology is what the environment must build for a scenario.
type Topology struct {
	// Mode forces "mem" or "net"; empty means the run's mode.
	Mode string `yaml:"mode"`
	// ProvisioningDevices and Targets are device counts (default: the number
	// of actors with that role).
	ProvisioningDevices int `yaml:"provisioning_devices"`
	Targets             int `yaml:"targets"`
	// DirectLink names a direct-link preset (ue/dlink: ble, nfc, pc5, wlan-direct; default ble).
	DirectLink string `yaml:"direct_link"`
	// Subscribers is the number of extra ordinary subscribers.
	Subscribers int `yaml:"subscribers"`
}

// ActorSpec declares one actor.
type ActorSpec struct {
	Name string `yaml:"name"`
	Role string `yaml:"role"`
	// Index is the actor's position among the actors of its role (0-based):
	// the environment maps it to the device of that index.
	Index int `yaml:"-"`
	Line  int `yaml:"-"`
}

// Step is one step of a scenario.
type Step struct {
	Index  int    // 0-based
	Line   int    // where it starts
	Name   string // block name
	Actor  string // "" when the block takes none
	Args   any    // pointer to the block's args struct
	Expect StepExpect
	Save   string
	Block  *Block
}

// StepExpect is a step's expected result, possibly per profile.
type StepExpect struct {
	Default    string            // ok, error or any
	PerProfile map[string]string // overrides by profile
}

// For returns the expectation that applies to profile.
func (e StepExpect) For(profile string) string {
	if v, ok := e.PerProfile[profile]; ok {
		return v
	}
	if e.Default == "" {
		return ExpectOK
	}
	return e.Default
}

// CheckCall is one use of a check block with its decoded arguments.
type CheckCall struct {
	Name  string // the scenario's name for it, or the block name for inline checks
	Check string // block name
	Args  any
	Line  int
	Block *Block
}

// OutcomeRules compute the outcome word. Each list holds when every check in
// it holds (an empty list never holds). Evaluation:
//
//	detected   if DetectedIf holds and (SucceededIf holds or is empty)
//	succeeded  if SucceededIf holds
//	completed  if CompletedIf holds
//	blocked    otherwise
//
// So a detection only turns an attack that got through (or a scenario that
// names no success condition) into "detected"; an attack both blocked and
// noticed stays "blocked".
type OutcomeRules struct {
	SucceededIf []*CheckCall
	DetectedIf  []*CheckCall
	CompletedIf []*CheckCall
}

// Expectation is what a profile must show.
type Expectation struct {
	Outcome string
	// Checks must all hold, in addition to the outcome.
	Checks []*CheckCall
	// Residual marks a known residual risk (the outcome is expected but not
	// desirable); Reason says why. Reports show it.
	Residual bool
	Reason   string
	Line     int
}

// ExpectationFor returns the expectation for profile (falling back to the
// DefaultProfile entry) or nil when the scenario does not run on it.
func (s *Scenario) ExpectationFor(profile string) *Expectation {
	if e, ok := s.Expect[profile]; ok {
		return e
	}
	return s.Expect[DefaultProfile]
}

// Profiles returns the profile names the scenario names explicitly, sorted
// (DefaultProfile excluded).
func (s *Scenario) Profiles() []string {
	var out []string
	for p := range s.Expect {
		if p != DefaultProfile {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// Actor returns the declared actor called name.
func (s *Scenario) Actor(name string) (ActorSpec, bool) {
	for _, a := range s.Actors {
		if a.Name == name {
			return a, true
		}
	}
	return ActorSpec{}, false
}

// HasCapability reports whether a step uses an attacker capability.
func (s *Scenario) HasCapability() bool {
	for _, st := range s.Steps {
		if st.Block != nil && st.Block.Kind == KindCapability {
			return true
		}
	}
	return false
}
