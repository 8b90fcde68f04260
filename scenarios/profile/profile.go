package profile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/ue/dlink"
)

// Profile is one complete way to provision and deprovision a target device:
// the network half (the CPF's API for it) and the device half (what the
// provisioning and target device roles run). A profile is a value without
// run state; one value serves every run.
type Profile interface {
	// Name is the profile's registry key and URL segment ([a-z][a-z0-9-]*).
	Name() string
	// Description says in one sentence what the profile does.
	Description() string
	Network
	Device
}

// Network is a profile's network half.
type Network interface {
	// Network returns the CPF-side HTTP API of the profile, built on the
	// CPF's generic Backend; every route lies under prefix (the CPF mounts
	// it at Config.PathRoot + "/" + Name() and does not strip it). It has
	// the signature cpf.NF.Mount takes.
	Network(b *cpf.Backend, prefix string) (http.Handler, error)
}

// Device is a profile's device half: what the roles call. Every method
// blocks until done or ctx ends; none keeps goroutines behind.
type Device interface {
	// DirectLink is the direct-link variant the profile's TDs must speak.
	DirectLink() dlink.Variant
	// PrepareTarget readies a target device for this profile (DESIGN
	// step 3, TD side): it arms the TD's direct-link responder.
	PrepareTarget(ctx context.Context, td TD) error
	// ProvisionTarget runs DESIGN steps 4 to 6 from the PD: the request to
	// the CPF over the PD's PDU session, the delivery over the direct link,
	// and the confirmation the profile requires. On a CPF refusal the error
	// is a *RefusedError; on a direct-link failure a *LinkError.
	ProvisionTarget(ctx context.Context, pd PD, td TD) (Provisioned, error)
	// Deprovision runs DESIGN step 8: the PD asks the CPF to remove the
	// target with SUPI tdSUPI.
	Deprovision(ctx context.Context, pd PD, tdSUPI string) (Deprovisioned, error)
	// Status asks the CPF about a target the PD provisioned.
	Status(ctx context.Context, pd PD, tdSUPI string) (provproto.TargetStatus, error)
}

// Service says where a PD finds the CPF.
type Service struct {
	// Root is the CPF's path root URL in the data network, e.g.
	// "http://10.100.0.1/cpf"; a profile's API is at Root + "/" + Name().
	Root string
	// AFID is the CPF's AKMA AF_ID (cpf.Config.AFID), from which the PD
	// derives K_AF (provproto.KAF).
	AFID string
}

// URL returns the base URL of profile name's API.
func (s Service) URL(name string) string { return s.Root + "/" + name }

// PD is what a device half needs from the provisioning device role.
type PD interface {
	// SUPI is the PD's own subscription (the identity the baseline claims).
	SUPI() string
	// CPF says where the CPF is and its AF_ID.
	CPF() Service
	// HTTPClient reaches the data network over the PD's PDU session.
	HTTPClient() *http.Client
	// AKMA returns the PD's current A-KID and its K_AF for afID, derived
	// from the K_AKMA of its last primary authentication (TS 33.535 §6.1,
	// A.4: provproto.KAF). It fails when the PD has no AKMA context.
	AKMA(afID string) (provproto.Credentials, error)
	// NextCounter returns a counter strictly greater than every one it
	// returned before, across restarts of the PD (persist it).
	NextCounter() (uint64, error)
	// Rand is the PD's randomness (a baseline PD draws K and OPc from it).
	Rand() io.Reader
	// RunInitiator runs one direct-link exchange as initiator with the
	// target td (ue/dlink Initiator over the PD's direct-link endpoint,
	// e.g. with ue/dlink/link) and returns its result.
	RunInitiator(ctx context.Context, td TD, cfg dlink.InitiatorConfig) (dlink.Result, error)
}

// TD is what a device half needs from the target device role.
type TD interface {
	// Bootstrap is the TD's out-of-band bootstrap information (its QR/NFC
	// payload: device id and bootstrap public key; DESIGN step 3).
	Bootstrap() credential.Bootstrap
	// DirectLinkAddr is where the TD's direct-link responder listens.
	DirectLinkAddr() netip.AddrPort
	// ArmResponder (re)starts the TD's direct-link responder speaking
	// variant, keeping the installed credential and the counter high-water
	// mark (ue/dlink ResponderConfig.Installed and Counter).
	ArmResponder(variant dlink.Variant) error
	// Credential returns the installed credential, if any.
	Credential() (credential.Package, bool)
}

// Provisioned is the outcome of a successful ProvisionTarget.
type Provisioned struct {
	SUPI        string
	DeviceID    string
	OperationID string
	Binding     credential.Binding
	// ExpiresAt ends the pending subscription at the network unless the
	// target authenticates first.
	ExpiresAt time.Time
	// Confirmed reports that the CPF accepted the target's proof of
	// possession (profiles without confirmation leave it false).
	Confirmed bool
}

// Deprovisioned is the outcome of a successful Deprovision.
type Deprovisioned struct {
	SUPI  string
	State string // provproto.StateRemoved
}

// Errors.
var (
	// ErrRefused matches every *RefusedError.
	ErrRefused = errors.New("profile: the CPF refused")
	// ErrDirectLink matches every *LinkError.
	ErrDirectLink = errors.New("profile: direct-link provisioning failed")
	// ErrResponse: the CPF's answer is not authentic or does not decode.
	ErrResponse = errors.New("profile: bad CPF response")
	// ErrRegistry reports a bad or duplicate registration.
	ErrRegistry = errors.New("profile: registry")
	// ErrUnknown: no profile of that name.
	ErrUnknown = errors.New("profile: unknown profile")
)

// RefusedError is a CPF refusal seen by the PD.
type RefusedError struct {
	Op      string // "Provision", "Confirm", "Deprovision", "Status"
	Problem provproto.Problem
	// RetryAfter is the Retry-After of a 429 or 503, zero otherwise.
	RetryAfter time.Duration
	// Authentic reports that the refusal carried a valid response MAC
	// (secure profile): it surely comes from the CPF.
	Authentic bool
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("profile: %s refused: %d %s: %s", e.Op, e.Problem.Status, e.Problem.Cause, e.Problem.Detail)
}

// Is matches ErrRefused.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// LinkError is a direct-link exchange that did not end with StatusOK.
type LinkError struct {
	Status dlink.Status
	Reason string
}

func (e *LinkError) Error() string {
	return fmt.Sprintf("profile: direct link: %v: %s", e.Status, e.Reason)
}

// Is matches ErrDirectLink.
func (e *LinkError) Is(target error) bool { return target == ErrDirectLink }

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// Registry holds profiles by name. It is a value (no package-level
// registry): the testbed builds one (see scenarios/profile/builtin) and a
// researcher adds a profile with one Register call. Safe for concurrent use.
type Registry struct {
	mu sync.RWMutex
	m  map[string]Profile
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{m: map[string]Profile{}} }

// Register adds p; an invalid or taken name is an error.
func (r *Registry) Register(p Profile) error {
	if p == nil {
		return fmt.Errorf("%w: nil profile", ErrRegistry)
	}
	name := p.Name()
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%w: name %q is not [a-z][a-z0-9-]* (at most 32 characters)", ErrRegistry, name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[string]Profile{}
	}
	if _, dup := r.m[name]; dup {
		return fmt.Errorf("%w: %q is already registered", ErrRegistry, name)
	}
	r.m[name] = p
	return nil
}

// Lookup returns the profile named name.
func (r *Registry) Lookup(name string) (Profile, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.m[name]
	return p, ok
}

// Get is Lookup with an error naming the known profiles.
func (r *Registry) Get(name string) (Profile, error) {
	if p, ok := r.Lookup(name); ok {
		return p, nil
	}
	return nil, fmt.Errorf("%w: %q (known: %v)", ErrUnknown, name, r.Names())
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.m))
	for n := range r.m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// MountAll mounts the network half of every registered profile on c.
func (r *Registry) MountAll(c *cpf.NF) error {
	for _, n := range r.Names() {
		p, _ := r.Lookup(n)
		if err := c.Mount(n, p.Network); err != nil {
			return err
		}
	}
	return nil
}
