package scenarios

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"sync"
)

// Kind classifies a building block.
type Kind int

// Block kinds.
const (
	KindAction     Kind = iota + 1 // something an actor does (register, provision, wait...)
	KindCapability                 // something an attacker or a fault does (tap, drop, inject...)
	KindCheck                      // a verdict on the trace or the state
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindAction:
		return "action"
	case KindCapability:
		return "capability"
	case KindCheck:
		return "check"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// ActorUse says whether a step using a block names an actor.
type ActorUse int

// Actor uses.
const (
	ActorOptional ActorUse = iota // the zero value
	ActorRequired
	ActorNone
)

// Spec describes a block for the loader and the docs.
type Spec struct {
	// Summary is one line for `credbed list --blocks` and the docs.
	Summary string
	// Actor says whether steps name an actor; Roles, when not empty, lists
	// the roles the actor may have.
	Actor ActorUse
	Roles []string
	// Ifaces are the interfaces the block always touches (trace.Iface names:
	// SBI, N1, N2, N3, N4, N6, DL, CPF); arguments may add more through an
	// `Ifaces() []string` method.
	Ifaces []string
}

// Verdict is a check's result.
type Verdict struct {
	OK     bool
	Detail string // short, never a secret
}

// Block is one registered building block. Build it with NewAction,
// NewCapability or NewCheck, which bind its typed arguments.
type Block struct {
	Name string
	Kind Kind
	Spec

	argsType reflect.Type // the args struct type (not a pointer)
	run      func(ctx context.Context, st *State, actor string, args any) (any, error)
	check    func(ctx context.Context, st *State, args any) (Verdict, error)
}

// NewArgs returns a pointer to a zero args struct of the block.
func (b *Block) NewArgs() any { return reflect.New(b.argsType).Interface() }

// ArgsType returns the block's args struct type.
func (b *Block) ArgsType() reflect.Type { return b.argsType }

// RunFunc is the body of an action or capability: it gets the step's actor
// name ("" if none) and its decoded arguments, and returns a value a later
// step may use (saved under the step's `save:` name) or an error.
type RunFunc[A any] func(ctx context.Context, st *State, actor string, args *A) (any, error)

// CheckFunc is the body of a check.
type CheckFunc[A any] func(ctx context.Context, st *State, args *A) (Verdict, error)

// NewAction builds an action block whose arguments decode into A (a struct).
// If *A has `Validate() error`, the loader calls it (it may fill defaults).
func NewAction[A any](name string, spec Spec, run RunFunc[A]) *Block {
	return newStepBlock(name, KindAction, spec, run)
}

// NewCapability builds an attacker or fault capability block.
func NewCapability[A any](name string, spec Spec, run RunFunc[A]) *Block {
	return newStepBlock(name, KindCapability, spec, run)
}

func newStepBlock[A any](name string, k Kind, spec Spec, run RunFunc[A]) *Block {
	return &Block{Name: name, Kind: k, Spec: spec, argsType: reflect.TypeFor[A](),
		run: func(ctx context.Context, st *State, actor string, args any) (any, error) {
			return run(ctx, st, actor, args.(*A))
		}}
}

// NewCheck builds a check block. Checks name no actor.
func NewCheck[A any](name string, spec Spec, eval CheckFunc[A]) *Block {
	spec.Actor = ActorNone
	return &Block{Name: name, Kind: KindCheck, Spec: spec, argsType: reflect.TypeFor[A](),
		check: func(ctx context.Context, st *State, args any) (Verdict, error) {
			return eval(ctx, st, args.(*A))
		}}
}

// RoleDef is an actor role the environment knows how to build.
type RoleDef struct {
	Name        string
	Description string
}

// Registry holds the blocks and roles a loader accepts and a runner runs.
// It is safe for concurrent use; build it once (blocks.Default()) and add
// researcher blocks with Register before loading.
type Registry struct {
	mu     sync.RWMutex
	blocks map[string]*Block
	roles  map[string]RoleDef
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{blocks: map[string]*Block{}, roles: map[string]RoleDef{}}
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// Register adds blocks; a name may be registered once.
func (r *Registry) Register(bs ...*Block) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range bs {
		switch {
		case b == nil:
			return fmt.Errorf("scenarios: nil block")
		case !nameRE.MatchString(b.Name):
			return fmt.Errorf("scenarios: bad block name %q (want %s)", b.Name, nameRE)
		case b.argsType == nil || b.argsType.Kind() != reflect.Struct:
			return fmt.Errorf("scenarios: block %q: args must be a struct type", b.Name)
		case b.run == nil && b.check == nil:
			return fmt.Errorf("scenarios: block %q has no body", b.Name)
		}
		if _, dup := r.blocks[b.Name]; dup {
			return fmt.Errorf("%w: block %q", ErrDuplicate, b.Name)
		}
		for _, role := range b.Roles {
			if _, ok := r.roles[role]; !ok {
				return fmt.Errorf("scenarios: block %q names unknown role %q (register the role first)", b.Name, role)
			}
		}
		r.blocks[b.Name] = b
	}
	return nil
}

// AddRole registers an actor role.
func (r *Registry) AddRole(name, description string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("scenarios: bad role name %q", name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.roles[name]; dup {
		return fmt.Errorf("%w: role %q", ErrDuplicate, name)
	}
	r.roles[name] = RoleDef{Name: name, Description: description}
	return nil
}

// Lookup returns the block called name.
func (r *Registry) Lookup(name string) (*Block, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	b, ok := r.blocks[name]
	return b, ok
}

// Role returns the role called name.
func (r *Registry) Role(name string) (RoleDef, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	d, ok := r.roles[name]
	return d, ok
}

// Blocks returns every block sorted by kind then name.
func (r *Registry) Blocks() []*Block {
	r.mu.RLock()
	out := make([]*Block, 0, len(r.blocks))
	for _, b := range r.blocks {
		out = append(out, b)
	}
	r.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Roles returns every role sorted by name.
func (r *Registry) Roles() []RoleDef {
	r.mu.RLock()
	out := make([]RoleDef, 0, len(r.roles))
	for _, d := range r.roles {
		out = append(out, d)
	}
	r.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (r *Registry) roleNames() []string {
	var out []string
	for _, d := range r.Roles() {
		out = append(out, d.Name)
	}
	return out
}

func (r *Registry) blockNames(kinds ...Kind) []string {
	var out []string
	for _, b := range r.Blocks() {
		for _, k := range kinds {
			if b.Kind == k {
				out = append(out, b.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}
