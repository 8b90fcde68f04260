package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/credbed/credbed/ue/dlink"
)

// LoadOptions tune loading.
type LoadOptions struct {
	// Profiles are the solution profiles an `expect:` may name (besides
	// "default"); nil accepts any well-formed name.
	Profiles []string
	// Suite is given to scenarios loaded by Parse and LoadFile (LoadFS uses
	// the first folder under its root).
	Suite string
	// PathPrefix is prepended to file names in messages (LoadFS).
	PathPrefix string
}

// MaxFileSize bounds a scenario file.
const MaxFileSize = 1 << 20

// raw forms, decoded strictly.
type rawScenario struct {
	ID           string      `yaml:"id"`
	Title        string      `yaml:"title"`
	Description  string      `yaml:"description"`
	Threats      []string    `yaml:"threats"`
	Requirements []string    `yaml:"requirements"`
	Labels       []string    `yaml:"labels"`
	Topology     Topology    `yaml:"topology"`
	Actors       []ActorSpec `yaml:"actors"`
	Steps        []yaml.Node `yaml:"steps"`
	Checks       yaml.Node   `yaml:"checks"`
	Outcome      rawOutcome  `yaml:"outcome"`
	Expect       yaml.Node   `yaml:"expect"`
}

type rawStep struct {
	Action string    `yaml:"action"`
	Actor  string    `yaml:"actor"`
	With   yaml.Node `yaml:"with"`
	Expect yaml.Node `yaml:"expect"`
	Save   string    `yaml:"save"`
}

type rawCheck struct {
	Check string    `yaml:"check"`
	With  yaml.Node `yaml:"with"`
}

type rawOutcome struct {
	SucceededIf []yaml.Node `yaml:"succeeded_if"`
	DetectedIf  []yaml.Node `yaml:"detected_if"`
	CompletedIf []yaml.Node `yaml:"completed_if"`
}

type rawExpectation struct {
	Outcome      string      `yaml:"outcome"`
	Checks       []yaml.Node `yaml:"checks"`
	ResidualRisk bool        `yaml:"residual_risk"`
	Reason       string      `yaml:"reason"`
}

var (
	idRE      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	profileRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
)

// LoadFile loads one scenario file.
func LoadFile(file string, reg *Registry, opts LoadOptions) (*Scenario, error) {
	data, err := readBounded(os.Open(file))
	if err != nil {
		return nil, &Error{File: file, Msg: err.Error()}
	}
	return Parse(file, data, reg, opts)
}

// LoadFS loads every *.yaml and *.yml file under root in fsys (sorted by
// path). A scenario's suite is the first folder below root. Every mistake in
// every file is reported, and ids must be unique.
func LoadFS(fsys fs.FS, root string, reg *Registry, opts LoadOptions) ([]*Scenario, error) {
	var files []string
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, &Error{File: opts.PathPrefix + root, Msg: err.Error()}
	}
	sort.Strings(files)
	var all ErrorList
	var out []*Scenario
	seen := map[string]*Scenario{}
	for _, p := range files {
		display := opts.PathPrefix + p
		data, err := readBounded(fsys.Open(p))
		if err != nil {
			all = append(all, &Error{File: display, Msg: err.Error()})
			continue
		}
		o := opts
		rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		if dir := path.Dir(rel); dir != "." {
			o.Suite, _, _ = strings.Cut(dir, "/")
		} else {
			o.Suite = ""
		}
		s, err := Parse(display, data, reg, o)
		if err != nil {
			c := &errs{file: display}
			c.addErr(err)
			all = append(all, c.list...)
			continue
		}
		if prev, dup := seen[s.ID]; dup {
			all = append(all, &Error{File: display, Line: s.Line, Msg: fmt.Sprintf("duplicate scenario id %q (also in %s:%d)", s.ID, prev.File, prev.Line)})
			continue
		}
		seen[s.ID] = s
		out = append(out, s)
	}
	if len(all) > 0 {
		return out, all.sorted()
	}
	return out, nil
}

// LoadDir loads every scenario under dir on disk.
func LoadDir(dir string, reg *Registry, opts LoadOptions) ([]*Scenario, error) {
	if opts.PathPrefix == "" {
		opts.PathPrefix = filepath.ToSlash(dir) + "/"
	}
	return LoadFS(os.DirFS(dir), ".", reg, opts)
}

func readBounded(f fs.File, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("file larger than %d bytes", MaxFileSize)
	}
	return data, nil
}

// Parse loads one scenario from data; file names it in messages.
func Parse(file string, data []byte, reg *Registry, opts LoadOptions) (*Scenario, error) {
	if reg == nil {
		return nil, errors.New("scenarios: Parse needs a Registry")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: file, Line: 1, Msg: "empty file: a scenario needs id, title, actors, steps, outcome and expect"}
		}
		return nil, yamlError(file, 1, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, &Error{File: file, Line: extra.Line, Msg: "one scenario per file: a second YAML document starts here"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(file, 1, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: file, Line: root.Line, Msg: "a scenario file must be a mapping (id: ..., title: ...)"}
	}
	var raw rawScenario
	if err := DecodeStrict(file, root, &raw); err != nil {
		return nil, err
	}
	l := &loader{reg: reg, opts: opts, c: &errs{file: file}, root: root, saved: map[string]int{}}
	s := l.scenario(&raw)
	if len(l.c.list) > 0 {
		return nil, l.c.list.sorted()
	}
	return s, nil
}

type loader struct {
	reg   *Registry
	opts  LoadOptions
	c     *errs
	root  *yaml.Node
	s     *Scenario
	saved map[string]int // save name -> step index, for steps loaded so far
	later map[string]int // every save name in the file -> step index
}

func (l *loader) line(key string) int {
	if k := keyNode(l.root, key); k != nil {
		return k.Line
	}
	return l.root.Line
}

func (l *loader) scenario(raw *rawScenario) *Scenario {
	s := &Scenario{
		ID: raw.ID, Title: strings.TrimSpace(raw.Title), Description: strings.TrimSpace(raw.Description),
		Suite: l.opts.Suite, File: l.c.file, Line: l.root.Line,
		Threats: raw.Threats, Requirements: raw.Requirements, Labels: raw.Labels,
		Topology: raw.Topology, Expect: map[string]*Expectation{},
	}
	l.s = s
	switch {
	case raw.ID == "":
		l.c.add(l.root.Line, "missing id")
	case !idRE.MatchString(raw.ID):
		l.c.add(l.line("id"), "bad id %q (letters, digits, '.', '_', '-'; at most 64)", raw.ID)
	}
	if s.Title == "" {
		l.c.add(l.root.Line, "missing title")
	}
	l.ids("threats", raw.Threats, Threats())
	l.ids("requirements", raw.Requirements, Requirements())
	if len(raw.Threats)+len(raw.Requirements) == 0 {
		l.c.add(l.root.Line, "a scenario names at least one threat (T1-T3) or requirement (R1-R3)")
	}
	for i, lab := range raw.Labels {
		if err := ValidateLabel(lab); err != nil {
			l.c.add(itemLine(l.root, "labels", i), "%v", err)
		}
	}
	l.topology(&s.Topology)
	l.actors(raw.Actors)
	if len(raw.Steps) == 0 {
		l.c.add(l.line("steps"), "a scenario needs at least one step")
	}
	l.later = map[string]int{}
	for i := range raw.Steps {
		if n := child(&raw.Steps[i], "save"); n != nil && n.Kind == yaml.ScalarNode {
			if _, dup := l.later[n.Value]; !dup {
				l.later[n.Value] = i
			}
		}
	}
	for i := range raw.Steps {
		if st := l.step(i, &raw.Steps[i]); st != nil {
			s.Steps = append(s.Steps, st)
		}
	}
	named := l.checks(&raw.Checks)
	s.Outcome.SucceededIf = l.checkList("succeeded_if", raw.Outcome.SucceededIf, named)
	s.Outcome.DetectedIf = l.checkList("detected_if", raw.Outcome.DetectedIf, named)
	s.Outcome.CompletedIf = l.checkList("completed_if", raw.Outcome.CompletedIf, named)
	if child(l.root, "outcome") == nil {
		l.c.add(l.root.Line, "missing outcome (succeeded_if / detected_if / completed_if: the outcome is computed from checks)")
	}
	l.expect(&raw.Expect, named)
	s.Ifaces = scenarioIfaces(s)
	return s
}

func (l *loader) ids(key string, got []string, known []Item) {
	seen := map[string]bool{}
	var names []string
	for _, k := range known {
		names = append(names, k.ID)
	}
	for i, id := range got {
		switch {
		case !slices.Contains(names, id):
			l.c.add(itemLine(l.root, key, i), "unknown %s id %q (known: %s)", strings.TrimSuffix(key, "s"), id, strings.Join(names, ", "))
		case seen[id]:
			l.c.add(itemLine(l.root, key, i), "%s id %q listed twice", strings.TrimSuffix(key, "s"), id)
		}
		seen[id] = true
	}
}

func (l *loader) topology(t *Topology) {
	n := child(l.root, "topology")
	at := func(key string) int {
		if k := keyNode(n, key); k != nil {
			return k.Line
		}
		if n != nil {
			return n.Line
		}
		return l.root.Line
	}
	switch t.Mode {
	case "", "mem", "net":
	default:
		l.c.add(at("mode"), "topology mode %q: want mem or net (or leave it out for the run's --mode)", t.Mode)
	}
	for key, v := range map[string]int{"provisioning_devices": t.ProvisioningDevices, "targets": t.Targets, "subscribers": t.Subscribers} {
		if v < 0 || v > 10000 {
			l.c.add(at(key), "topology %s %d out of range [0, 10000]", key, v)
		}
	}
	if t.DirectLink == "" {
		t.DirectLink = dlink.PresetBLE
	} else if _, ok := dlink.LookupPreset(t.DirectLink); !ok {
		var names []string
		for _, p := range dlink.Presets() {
			names = append(names, p.Name)
		}
		l.c.add(at("direct_link"), "unknown direct_link preset %q (known: %s)", t.DirectLink, strings.Join(names, ", "))
	}
}

// Role names the topology counts.
const (
	RoleProvisioningDevice = "provisioning-device"
	RoleTargetDevice       = "target-device"
)

func (l *loader) actors(raw []ActorSpec) {
	seq := child(l.root, "actors")
	perRole := map[string]int{}
	for i, a := range raw {
		line := l.root.Line
		if seq != nil && i < len(seq.Content) {
			line = seq.Content[i].Line
		}
		a.Line = line
		switch {
		case a.Name == "":
			l.c.add(line, "actor without a name")
			continue
		case !nameRE.MatchString(a.Name):
			l.c.add(line, "bad actor name %q (lower case letters, digits, '_' and '-')", a.Name)
			continue
		case IsNode(a.Name):
			l.c.add(line, "actor name %q is a network node name; pick another", a.Name)
			continue
		}
		if _, dup := l.s.Actor(a.Name); dup {
			l.c.add(line, "actor %q declared twice", a.Name)
			continue
		}
		if _, ok := l.reg.Role(a.Role); !ok {
			l.c.add(line, "actor %q: unknown role %q (known: %s)", a.Name, a.Role, strings.Join(l.reg.roleNames(), ", "))
			continue
		}
		a.Index = perRole[a.Role]
		perRole[a.Role]++
		l.s.Actors = append(l.s.Actors, a)
	}
	t := &l.s.Topology
	for _, x := range []struct {
		role string
		n    *int
		key  string
	}{{RoleProvisioningDevice, &t.ProvisioningDevices, "provisioning_devices"}, {RoleTargetDevice, &t.Targets, "targets"}} {
		if *x.n == 0 {
			*x.n = perRole[x.role]
		} else if *x.n < perRole[x.role] {
			l.c.add(l.line("topology"), "topology %s is %d but %d actors have role %s", x.key, *x.n, perRole[x.role], x.role)
		}
	}
}

func (l *loader) step(i int, n *yaml.Node) *Step {
	var raw rawStep
	if err := DecodeStrict(l.c.file, n, &raw); err != nil {
		l.c.addErr(err)
		return nil
	}
	st := &Step{Index: i, Line: n.Line, Name: raw.Action, Actor: raw.Actor, Save: raw.Save}
	where := fmt.Sprintf("step %d", i+1)
	if raw.Action == "" {
		l.c.add(n.Line, "%s: missing action", where)
		return nil
	}
	b, ok := l.reg.Lookup(raw.Action)
	if !ok {
		l.c.add(lineOf(n, "action"), "%s: unknown action %q%s", where, raw.Action, l.suggest(raw.Action, KindAction, KindCapability, KindCheck))
		return nil
	}
	st.Block = b
	where = fmt.Sprintf("step %d (%s)", i+1, b.Name)
	l.stepActor(st, n, where)
	st.Args = l.args(b, &raw.With, n, where, i)
	st.Expect = l.stepExpect(&raw.Expect, where)
	if raw.Save != "" {
		switch {
		case !nameRE.MatchString(raw.Save):
			l.c.add(lineOf(n, "save"), "%s: bad save name %q", where, raw.Save)
		default:
			if prev, dup := l.saved[raw.Save]; dup {
				l.c.add(lineOf(n, "save"), "%s: %q is already saved by step %d", where, raw.Save, prev+1)
			}
			l.saved[raw.Save] = i
		}
	}
	return st
}

func (l *loader) stepActor(st *Step, n *yaml.Node, where string) {
	b := st.Block
	if st.Actor == "" {
		if b.Actor == ActorRequired {
			l.c.add(n.Line, "%s: needs an actor", where)
		}
		return
	}
	line := lineOf(n, "actor")
	if b.Actor == ActorNone {
		l.c.add(line, "%s takes no actor", where)
		return
	}
	a, ok := l.s.Actor(st.Actor)
	if !ok {
		l.c.add(line, "%s: unknown actor %q (declared: %s)", where, st.Actor, strings.Join(l.actorNames(), ", "))
		return
	}
	if len(b.Roles) > 0 && !slices.Contains(b.Roles, a.Role) {
		l.c.add(line, "%s: actor %q has role %s; %s needs one of: %s", where, a.Name, a.Role, b.Name, strings.Join(b.Roles, ", "))
	}
}

// args decodes the `with:` node into the block's args struct and validates it.
// step is the index of the step using it, or -1 for checks.
func (l *loader) args(b *Block, with *yaml.Node, parent *yaml.Node, where string, step int) any {
	args := b.NewArgs()
	line := parent.Line
	if present(*with) {
		line = with.Line
		if with.Kind == yaml.ScalarNode && with.Tag == "!!null" {
			// `with:` left empty
		} else if err := DecodeStrict(l.c.file, with, args); err != nil {
			l.c.addErr(err)
			return args
		}
	}
	if v, ok := args.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			l.c.add(line, "%s: %v", where, err)
		}
	}
	refsIn(reflect.ValueOf(args), "", func(p string, v reflect.Value) {
		name := v.String()
		switch v.Type() {
		case refType:
			_, ok := l.saved[name]
			at, later := l.later[name]
			switch {
			case ok:
			case later && step >= 0:
				l.c.add(line, "%s: %s refers to %q, saved by a later step (%d)", where, p, name, at+1)
			default:
				l.c.add(line, "%s: %s refers to %q, which no step saves", where, p, name)
			}
		case actorRefType:
			if _, ok := l.s.Actor(name); !ok {
				l.c.add(line, "%s: %s: unknown actor %q (declared: %s)", where, p, name, strings.Join(l.actorNames(), ", "))
			}
		case peerType:
			if _, ok := l.s.Actor(name); ok || IsNode(name) {
				return
			}
			if ap, ok := peerLiteral(Peer(name)); ok {
				if !ap.Addr().Unmap().IsLoopback() {
					l.c.add(line, "%s: %s: address %s is not loopback", where, p, name)
				}
				return
			}
			l.c.add(line, "%s: %s: %q is neither an actor (%s), a node (%s) nor a loopback address", where, p, name,
				strings.Join(l.actorNames(), ", "), strings.Join(Nodes(), ", "))
		}
	})
	return args
}

func (l *loader) stepExpect(n *yaml.Node, where string) StepExpect {
	var e StepExpect
	if !present(*n) {
		return e
	}
	check := func(v string, line int) bool {
		switch v {
		case ExpectOK, ExpectError, ExpectAny:
			return true
		}
		l.c.add(line, "%s: expect %q: want ok, error or any", where, v)
		return false
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if check(n.Value, n.Line) {
			e.Default = n.Value
		}
	case yaml.MappingNode:
		e.PerProfile = map[string]string{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if !l.profileName(k.Value, k.Line, where) {
				continue
			}
			if v.Kind != yaml.ScalarNode {
				l.c.add(v.Line, "%s: expect for %s must be ok, error or any", where, k.Value)
				continue
			}
			if !check(v.Value, v.Line) {
				continue
			}
			if k.Value == DefaultProfile {
				e.Default = v.Value
			} else {
				e.PerProfile[k.Value] = v.Value
			}
		}
	default:
		l.c.add(n.Line, "%s: expect must be ok|error|any or a mapping profile: ok|error|any", where)
	}
	return e
}

func (l *loader) profileName(p string, line int, where string) bool {
	if p == DefaultProfile {
		return true
	}
	if !profileRE.MatchString(p) {
		l.c.add(line, "%s: bad profile name %q", where, p)
		return false
	}
	if l.opts.Profiles != nil && !slices.Contains(l.opts.Profiles, p) {
		l.c.add(line, "%s: unknown profile %q (known: %s, default)", where, p, strings.Join(l.opts.Profiles, ", "))
		return false
	}
	return true
}

func (l *loader) checks(n *yaml.Node) map[string]*CheckCall {
	named := map[string]*CheckCall{}
	if !present(*n) || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return named
	}
	if n.Kind != yaml.MappingNode {
		l.c.add(n.Line, "checks must be a mapping name: {check: ..., with: ...}")
		return named
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !nameRE.MatchString(k.Value) {
			l.c.add(k.Line, "bad check name %q", k.Value)
			continue
		}
		if _, dup := named[k.Value]; dup {
			l.c.add(k.Line, "check %q defined twice", k.Value)
			continue
		}
		cc := l.checkCall(k.Value, v)
		if cc != nil {
			named[k.Value] = cc
			l.s.Checks = append(l.s.Checks, cc)
		}
	}
	return named
}

func (l *loader) checkCall(name string, n *yaml.Node) *CheckCall {
	var raw rawCheck
	if err := DecodeStrict(l.c.file, n, &raw); err != nil {
		l.c.addErr(err)
		return nil
	}
	where := "check " + name
	if raw.Check == "" {
		l.c.add(n.Line, "%s: missing check:", where)
		return nil
	}
	b, ok := l.reg.Lookup(raw.Check)
	if !ok || b.Kind != KindCheck {
		l.c.add(lineOf(n, "check"), "%s: unknown check %q%s", where, raw.Check, l.suggest(raw.Check, KindCheck))
		return nil
	}
	if name == "" {
		name = b.Name
	}
	return &CheckCall{Name: name, Check: b.Name, Line: n.Line, Block: b, Args: l.args(b, &raw.With, n, where, -1)}
}

// checkRef resolves an item of a check list: a name from `checks:`, the name
// of a check block taking no required arguments, or an inline {check, with}.
func (l *loader) checkRef(n *yaml.Node, named map[string]*CheckCall, where string) *CheckCall {
	switch n.Kind {
	case yaml.ScalarNode:
		if cc, ok := named[n.Value]; ok {
			return cc
		}
		if b, ok := l.reg.Lookup(n.Value); ok && b.Kind == KindCheck {
			args := b.NewArgs()
			if v, ok := args.(interface{ Validate() error }); ok {
				if err := v.Validate(); err != nil {
					l.c.add(n.Line, "%s: check %s needs arguments: %v", where, b.Name, err)
					return nil
				}
			}
			return &CheckCall{Name: b.Name, Check: b.Name, Args: args, Line: n.Line, Block: b}
		}
		var names []string
		for k := range named {
			names = append(names, k)
		}
		slices.Sort(names)
		l.c.add(n.Line, "%s: %q is neither a check defined under checks: (%s) nor a check block%s", where, n.Value,
			strings.Join(names, ", "), l.suggest(n.Value, KindCheck))
	case yaml.MappingNode:
		return l.checkCall("", n)
	default:
		l.c.add(n.Line, "%s: an item is a check name or {check: ..., with: ...}", where)
	}
	return nil
}

func (l *loader) checkList(key string, items []yaml.Node, named map[string]*CheckCall) []*CheckCall {
	var out []*CheckCall
	for i := range items {
		if cc := l.checkRef(&items[i], named, "outcome "+key); cc != nil {
			out = append(out, cc)
		}
	}
	return out
}

func (l *loader) expect(n *yaml.Node, named map[string]*CheckCall) {
	if !present(*n) {
		l.c.add(l.root.Line, "missing expect (the expected outcome per profile, e.g. {secure: blocked, baseline: succeeded})")
		return
	}
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		l.c.add(n.Line, "expect must be a mapping profile: outcome (or profile: {outcome, checks, residual_risk, reason})")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !l.profileName(k.Value, k.Line, "expect") {
			continue
		}
		if _, dup := l.s.Expect[k.Value]; dup {
			l.c.add(k.Line, "expect: profile %q listed twice", k.Value)
			continue
		}
		e := &Expectation{Line: k.Line}
		switch v.Kind {
		case yaml.ScalarNode:
			e.Outcome = v.Value
		case yaml.MappingNode:
			var raw rawExpectation
			if err := DecodeStrict(l.c.file, v, &raw); err != nil {
				l.c.addErr(err)
				continue
			}
			e.Outcome, e.Residual, e.Reason = raw.Outcome, raw.ResidualRisk, strings.TrimSpace(raw.Reason)
			for j := range raw.Checks {
				if cc := l.checkRef(&raw.Checks[j], named, "expect "+k.Value+" checks"); cc != nil {
					e.Checks = append(e.Checks, cc)
				}
			}
			if e.Residual && e.Reason == "" {
				l.c.add(v.Line, "expect %s: residual_risk needs a reason", k.Value)
			}
		default:
			l.c.add(v.Line, "expect %s: want an outcome word or a mapping", k.Value)
			continue
		}
		if !slices.Contains(Outcomes(), e.Outcome) {
			l.c.add(v.Line, "expect %s: outcome %q: want one of %s", k.Value, e.Outcome, strings.Join(Outcomes(), ", "))
			continue
		}
		l.s.Expect[k.Value] = e
	}
}

func (l *loader) actorNames() []string {
	var out []string
	for _, a := range l.s.Actors {
		out = append(out, a.Name)
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// suggest returns ` (did you mean "x"?)` for the closest block name, or the list.
func (l *loader) suggest(name string, kinds ...Kind) string {
	names := l.reg.blockNames(kinds...)
	best, bestD := "", 1<<30
	for _, n := range names {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best != "" && bestD <= max(2, len(name)/3) {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	if len(names) == 0 {
		return ""
	}
	return " (known: " + strings.Join(names, ", ") + ")"
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func lineOf(n *yaml.Node, key string) int {
	if k := keyNode(n, key); k != nil {
		return k.Line
	}
	return n.Line
}

// scenarioIfaces collects the interfaces the steps touch.
func scenarioIfaces(s *Scenario) []string {
	set := map[string]bool{}
	for _, st := range s.Steps {
		if st.Block == nil {
			continue
		}
		for _, i := range st.Block.Ifaces {
			set[i] = true
		}
		if a, ok := st.Args.(interface{ Ifaces() []string }); ok {
			for _, i := range a.Ifaces() {
				set[i] = true
			}
		}
	}
	var out []string
	for i := range set {
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}
