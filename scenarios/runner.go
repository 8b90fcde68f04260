package scenarios

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/credbed/credbed/internal/capture"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/reports"
)

// Job is one (scenario, profile) pair to run.
type Job struct {
	Scenario *Scenario
	Profile  string
}

// Jobs pairs every scenario with every profile it has an expectation for,
// in scenario then profile order.
func Jobs(scns []*Scenario, profiles []string) []Job {
	var out []Job
	for _, s := range scns {
		for _, p := range profiles {
			if s.ExpectationFor(p) != nil {
				out = append(out, Job{Scenario: s, Profile: p})
			}
		}
	}
	return out
}

// DeriveSeed gives each (scenario, profile) its own seed from the run's seed.
func DeriveSeed(run int64, id, profile string) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s/%s", run, id, profile)
	return int64(h.Sum64() &^ (1 << 63))
}

// Defaults of a Runner.
const (
	DefaultTimeout     = 2 * time.Minute
	DefaultQuietWindow = 10 * time.Millisecond
	// InterceptorName is the name of the runner's interceptor in the
	// environment's chain (attack interceptors, then the capture).
	InterceptorName = "scenario"
)

// Runner plays jobs. The zero value is not usable: NewEnv is required.
type Runner struct {
	// NewEnv builds a fresh environment per job (required).
	NewEnv EnvFactory
	// Mode is the default transport mode ("mem" if empty); a scenario's
	// topology may force one.
	Mode string
	// Seed is the run seed; each job gets DeriveSeed(Seed, id, profile).
	Seed int64
	// Parallel bounds concurrent jobs (default 1).
	Parallel int
	// CaptureDir, when set, receives one pcap per job (<id>-<profile>.pcap);
	// reports name it as CapturePrefix/<file> (default: CaptureDir).
	CaptureDir    string
	CapturePrefix string
	// Timeout bounds one job (default DefaultTimeout).
	Timeout time.Duration
	// QuietWindow is how long the trace must stay quiet for the system to
	// count as settled when the environment is no Settler (default 10 ms).
	QuietWindow time.Duration
	// Invariants are checked after every job, after the environment's own.
	Invariants []Invariant
	// OnResult is called after each job (serialized), e.g. for progress.
	OnResult func(reports.ScenarioResult)
}

// Run plays every job, up to Parallel at a time, and returns the results in
// job order.
func (r *Runner) Run(ctx context.Context, jobs []Job) []reports.ScenarioResult {
	out := make([]reports.ScenarioResult, len(jobs))
	par := max(r.Parallel, 1)
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	var cbMu sync.Mutex
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = r.RunOne(ctx, j.Scenario, j.Profile)
			if r.OnResult != nil {
				cbMu.Lock()
				r.OnResult(out[i])
				cbMu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out
}

// run is the bookkeeping of one job.
type run struct {
	r       *Runner
	s       *Scenario
	profile string
	exp     *Expectation
	st      *State
	res     *reports.ScenarioResult

	capW       *capture.Writer
	capErr     error
	installed  bool
	removeSlot func()
	checked    map[*CheckCall]Verdict
	failures   []string
}

// RunOne plays one scenario against one profile on a fresh environment.
func (r *Runner) RunOne(ctx context.Context, s *Scenario, profile string) (res reports.ScenarioResult) {
	start := time.Now()
	seed := DeriveSeed(r.Seed, s.ID, profile)
	res = reports.ScenarioResult{
		ID: s.ID, Title: s.Title, Description: s.Description, Profile: profile,
		Threats: slices.Clone(s.Threats), Requirements: slices.Clone(s.Requirements),
		Labels: SpecLabels(s, profile), Extra: map[string]any{"seed": seed},
	}
	j := &run{r: r, s: s, profile: profile, res: &res, checked: map[*CheckCall]Verdict{}}
	defer func() { res.DurationMS = float64(time.Since(start).Microseconds()) / 1000 }()

	j.exp = s.ExpectationFor(profile)
	if j.exp == nil {
		res.Reason = fmt.Sprintf("scenario has no expectation for profile %q", profile)
		return res
	}
	res.Expected, res.Residual = j.exp.Outcome, j.exp.Residual
	if r.NewEnv == nil {
		res.Reason = "runner has no environment factory"
		return res
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	quiet := r.QuietWindow
	if quiet == 0 {
		quiet = DefaultQuietWindow
	}
	j.st = newState(s, profile, seed, quiet)
	mode := s.Topology.Mode
	if mode == "" {
		mode = r.Mode
	}
	if mode == "" {
		mode = "mem"
	}
	res.Extra["mode"] = mode

	env, err := r.NewEnv(ctx, EnvConfig{
		Scenario: s.ID, Profile: profile, Mode: mode, Seed: seed,
		Topology: s.Topology, Actors: slices.Clone(s.Actors),
		OnNetwork: j.onNetwork, MarkCapture: j.st.MarkCapture,
	})
	if err != nil {
		j.closeCapture()
		res.Reason = "building the environment: " + oneLine(err.Error())
		return res
	}
	if !j.installed {
		j.onNetwork(env.Network(), env.Clock())
	}
	res.Extra["n2_carrier"] = env.Network().N2Carrier()
	j.st.attach(env)

	ok := j.steps(ctx)
	if err := j.st.Settle(ctx); err != nil && ok {
		j.fail("settling after the steps: %v", err)
	}
	j.outcome(ctx)
	j.invariants(ctx)
	j.st.teardown()
	if j.removeSlot != nil {
		j.removeSlot()
	}
	if err := env.Close(); err != nil {
		res.Extra["close_error"] = oneLine(err.Error())
	}
	j.closeCapture()
	j.summarize(env.Trace().Events())

	res.Passed = len(j.failures) == 0
	switch {
	case !res.Passed:
		res.Reason = strings.Join(j.failures, "; ")
	case res.Residual:
		res.Reason = "residual risk: " + j.exp.Reason
	}
	return res
}

func (j *run) fail(format string, args ...any) {
	j.failures = append(j.failures, fmt.Sprintf(format, args...))
}

// onNetwork installs the runner's interceptor (attacks, then capture).
func (j *run) onNetwork(nw transport.Network, clk clock.Clock) {
	if j.installed || nw == nil {
		return
	}
	j.installed = true
	if j.r.CaptureDir != "" && clk != nil {
		name := fmt.Sprintf("%s-%s.pcap", j.s.ID, j.profile)
		if err := os.MkdirAll(j.r.CaptureDir, 0o755); err != nil {
			j.capErr = err
		} else if w, err := capture.Create(filepath.Join(j.r.CaptureDir, name), capture.Config{}, capture.Deps{Clock: clk}); err != nil {
			j.capErr = err
		} else {
			j.capW = w
			prefix := j.r.CapturePrefix
			if prefix == "" {
				prefix = j.r.CaptureDir
			}
			j.res.Capture = filepath.ToSlash(filepath.Join(prefix, name))
			j.st.mu.Lock()
			j.st.mark = w.Mark
			marks := slices.Clone(j.st.marks)
			j.st.mu.Unlock()
			for _, m := range marks {
				w.Mark(m)
			}
		}
	}
	st, w := j.st, j.capW
	j.removeSlot = nw.Chain().Add(InterceptorName, func(p transport.Packet) []transport.Packet {
		out := st.chain.Apply(p)
		if w != nil {
			for _, q := range out {
				_ = w.Write(q) // failures are counted in the writer's stats
			}
		}
		return out
	})
}

func (j *run) closeCapture() {
	if j.capW != nil {
		if err := j.capW.Close(); err != nil && j.capErr == nil {
			j.capErr = err
		}
		j.res.CaptureSecrets = j.capW.Marked()
		if j.res.CaptureSecrets {
			j.res.Extra["capture_secrets_reasons"] = j.capW.MarkReasons()
		}
		if st := j.capW.Stats(); st.Failed > 0 {
			j.res.Extra["capture_failed_packets"] = st.Failed
		}
		j.capW = nil
	}
	if j.capErr != nil {
		j.res.Extra["capture_error"] = oneLine(j.capErr.Error())
	}
}

// steps runs the steps; it returns false when one did not meet its expectation.
func (j *run) steps(ctx context.Context) bool {
	for _, step := range j.s.Steps {
		want := step.Expect.For(j.profile)
		j.st.Emit(trace.Event{Kind: trace.KindNote, Actor: ActorScenario,
			Name: fmt.Sprintf("step %d: %s%s", step.Index+1, step.Name, actorSuffix(step.Actor)), Detail: "expect " + want})
		startSeq := j.st.LastSeq()
		t0 := time.Now()
		val, err := j.callStep(ctx, step)
		sr := reports.StepResult{Index: step.Index + 1, Action: step.Name, Actor: step.Actor,
			DurationMS: float64(time.Since(t0).Microseconds()) / 1000}
		if err != nil {
			sr.Error = oneLine(err.Error())
		}
		if step.Save != "" {
			j.st.Save(step.Save, Saved{Step: step.Index, Value: val, Err: err, StartSeq: startSeq, EndSeq: j.st.LastSeq()})
		}
		if ctx.Err() != nil {
			sr.OK = false
			j.res.Steps = append(j.res.Steps, sr)
			j.fail("step %d (%s): %v", step.Index+1, step.Name, errAbort)
			return false
		}
		switch {
		case want == ExpectOK && err != nil:
			j.fail("step %d (%s%s): expected success, got error: %s", step.Index+1, step.Name, actorSuffix(step.Actor), sr.Error)
		case want == ExpectError && err == nil:
			sr.Error = "expected an error, got success"
			j.fail("step %d (%s%s): expected an error, got success", step.Index+1, step.Name, actorSuffix(step.Actor))
		default:
			sr.OK = true
		}
		j.res.Steps = append(j.res.Steps, sr)
		if !sr.OK {
			return false
		}
	}
	return true
}

func actorSuffix(a string) string {
	if a == "" {
		return ""
	}
	return " by " + a
}

// callStep runs one block. On a hand-driven clock it drives time while the
// block waits (see driveWhile).
func (j *run) callStep(ctx context.Context, step *Step) (any, error) {
	adv, ok := j.st.env.Clock().(Advancer)
	if !ok {
		return j.invoke(ctx, step)
	}
	var (
		val  any
		err  error
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		val, err = j.invoke(ctx, step)
	}()
	j.st.driveWhile(ctx, adv, done)
	<-done
	return val, err
}

// invoke runs one block, turning a panic into an error.
func (j *run) invoke(ctx context.Context, step *Step) (val any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("block %s panicked: %v\n%s", step.Name, p, debug.Stack())
		}
	}()
	if step.Block.Kind == KindCheck {
		v, err := step.Block.check(ctx, j.st, step.Args)
		if err != nil {
			return nil, err
		}
		if !v.OK {
			return v, fmt.Errorf("check %s does not hold: %s", step.Name, v.Detail)
		}
		return v, nil
	}
	return step.Block.run(ctx, j.st, step.Actor, step.Args)
}

// eval evaluates a check once per run.
func (j *run) eval(ctx context.Context, cc *CheckCall) Verdict {
	if v, ok := j.checked[cc]; ok {
		return v
	}
	v := func() (v Verdict) {
		defer func() {
			if p := recover(); p != nil {
				v = Verdict{Detail: fmt.Sprintf("check panicked: %v", p)}
			}
		}()
		v, err := cc.Block.check(ctx, j.st, cc.Args)
		if err != nil {
			return Verdict{Detail: "error: " + oneLine(err.Error())}
		}
		return v
	}()
	j.checked[cc] = v
	detail := "holds"
	if !v.OK {
		detail = "does not hold"
	}
	if v.Detail != "" {
		detail += ": " + v.Detail
	}
	j.st.Emit(trace.Event{Kind: trace.KindCheck, Actor: ActorScenario, Name: cc.Name, Detail: detail})
	return v
}

// holds reports whether every check of a non-empty list holds, recording each.
func (j *run) holds(ctx context.Context, rule string, list []*CheckCall) bool {
	if len(list) == 0 {
		return false
	}
	all := true
	for _, cc := range list {
		v := j.eval(ctx, cc)
		j.res.Checks = append(j.res.Checks, reports.CheckResult{Name: rule + ": " + cc.Name, OK: v.OK, Detail: v.Detail})
		all = all && v.OK
	}
	return all
}

// outcome computes the outcome word (see OutcomeRules) and the expectation's checks.
func (j *run) outcome(ctx context.Context) {
	o := j.s.Outcome
	s := j.holds(ctx, "succeeded_if", o.SucceededIf)
	d := j.holds(ctx, "detected_if", o.DetectedIf)
	c := j.holds(ctx, "completed_if", o.CompletedIf)
	switch {
	case d && (s || len(o.SucceededIf) == 0):
		j.res.Outcome = OutcomeDetected
	case s:
		j.res.Outcome = OutcomeSucceeded
	case c:
		j.res.Outcome = OutcomeCompleted
	default:
		j.res.Outcome = OutcomeBlocked
	}
	if j.res.Outcome != j.exp.Outcome {
		j.fail("outcome %s, expected %s", j.res.Outcome, j.exp.Outcome)
	}
	for _, cc := range j.exp.Checks {
		v := j.eval(ctx, cc)
		j.res.Checks = append(j.res.Checks, reports.CheckResult{Name: j.profile + ": " + cc.Name, OK: v.OK, Detail: v.Detail})
		if !v.OK {
			j.fail("check %s does not hold for %s: %s", cc.Name, j.profile, v.Detail)
		}
	}
}

func (j *run) invariants(ctx context.Context) {
	list := append(j.st.env.Invariants(), j.r.Invariants...)
	if len(list) == 0 {
		return
	}
	events := j.st.Events()
	for _, inv := range list {
		err := func() (err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("invariant panicked: %v", p)
				}
			}()
			return inv.Check(ctx, events)
		}()
		cr := reports.CheckResult{Name: inv.Name, OK: err == nil}
		detail := "holds"
		if err != nil {
			cr.Detail = oneLine(err.Error())
			detail = "violated: " + cr.Detail
			j.fail("invariant %s violated: %s", inv.Name, cr.Detail)
		}
		j.res.Invariants = append(j.res.Invariants, cr)
		j.st.Emit(trace.Event{Kind: trace.KindCheck, Actor: ActorScenario, Name: "invariant " + inv.Name, Detail: detail})
	}
}

// summarize fills the causes, message counts, attacks and trace.
func (j *run) summarize(events []trace.Event) {
	causes := map[string]bool{}
	msgs := map[string]int{}
	attackEvents := 0
	for _, e := range events {
		if e.Cause != "" {
			causes[e.Cause] = true
		}
		switch e.Kind {
		case trace.KindMessage, trace.KindRequest:
			key := e.Name
			if e.Iface != "" {
				key = e.Iface + " " + e.Name
			}
			msgs[key]++
		case trace.KindAttack, trace.KindFault:
			attackEvents++
		}
	}
	for c := range causes {
		j.res.Causes = append(j.res.Causes, c)
	}
	sort.Strings(j.res.Causes)
	j.res.Messages = msgs
	for _, step := range j.s.Steps {
		if step.Block.Kind == KindCapability && !slices.Contains(j.res.Attacks, step.Name) {
			j.res.Attacks = append(j.res.Attacks, step.Name)
		}
	}
	if attackEvents > 0 {
		j.res.Extra["attack_events"] = attackEvents
	}
	j.res.Trace = events
}

func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// IsTimeout reports whether err is a wait that ran out.
func IsTimeout(err error) bool { return errors.Is(err, ErrTimeout) }
