package roles

import (
	"context"
	"crypto/ecdh"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/dlink"
	"github.com/credbed/credbed/ue/dlink/link"
)

// maxResults bounds the direct-link results a TD keeps.
const maxResults = 16

// Trace names of the target device's own events (actor: its direct-link
// name; the responder's events come from ue/dlink).
const (
	// EvInstalled: the credential the responder accepted is in the USIM.
	EvInstalled = "credential installed in USIM"
	// EvInstallFailed: the USIM refused the credential; the responder's
	// slot was wiped and its proof of possession withheld.
	EvInstallFailed = "credential not installed"
	// EvFactoryReset: the TD wiped its credential (3gpp.md §6.7 L3).
	EvFactoryReset = "factory reset"
)

// TDConfig configures a target device.
type TDConfig struct {
	// Identity is the factory identity: device id and P-256 bootstrap key
	// pair (credential.NewIdentity). Required.
	Identity credential.Identity
	// DirectLink is where the responder listens while armed. Required.
	DirectLink netip.AddrPort
	// Medium sets the fragment size of the direct link (default BLE).
	Medium dlink.Preset
	// Initiators, when set, are the only PD bootstrap keys the TD accepts
	// (mutual authentication); otherwise DPP responder-only
	// authentication (ResponderConfig.Initiators).
	Initiators []*ecdh.PublicKey
	// AllowReprovision lets a provisioned TD accept another credential
	// (ResponderConfig.AllowReprovision; default refuse until reset).
	AllowReprovision bool
	// RateLimit and SessionTimeout tune the responder (dlink defaults).
	RateLimit      dlink.RateLimit
	SessionTimeout time.Duration
	// Name is the actor of the TD's direct-link machine (default
	// "td/<device id>").
	Name string
	// DNN and SNSSAI of the TD's PDU session (default "internet", SST 1).
	DNN    string
	SNSSAI nasx.SNSSAI
}

// Validate checks c and fills defaults.
func (c *TDConfig) Validate() error {
	if err := credential.ValidateDeviceID(c.Identity.DeviceID); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if c.Identity.Key == nil || c.Identity.Key.Curve() != ecdh.P256() {
		return fmt.Errorf("%w: the identity needs a P-256 key", ErrConfig)
	}
	if !c.DirectLink.IsValid() {
		return fmt.Errorf("%w: no direct-link address", ErrConfig)
	}
	if err := fillMedium(&c.Medium); err != nil {
		return err
	}
	if c.Name == "" {
		c.Name = "td/" + c.Identity.DeviceID
	}
	if c.DNN == "" {
		c.DNN = DefaultDNN
	}
	if c.SNSSAI == (nasx.SNSSAI{}) {
		c.SNSSAI = nasx.SNSSAI{SST: 1}
	}
	return nil
}

// TargetDevice is a UE with an empty credential slot and a factory
// identity. It satisfies profile.TD. Safe for concurrent use.
//
// The credential lives in the UE's USIM; the responder's slot mirrors it.
// A delivered credential goes into the USIM (ue.InstallPackage) before the
// proof of possession leaves: if the USIM refuses it, the responder is
// reset and no proof is sent, so nothing is half-installed. The installed
// package and the highest binding counter survive re-arming; the counter
// survives factory resets (3gpp.md §6.1 D5).
type TargetDevice struct {
	cfg  TDConfig
	deps Deps

	// mu serialises arming, disarming, resets and Close; it is taken
	// before a driver's lock, never after.
	mu      sync.Mutex
	drv     *link.Driver
	resp    *dlink.Responder
	variant dlink.Variant
	closed  bool

	// st guards the mirrored state; it is taken under a driver's lock
	// (never the other way round).
	st      sync.Mutex
	pkg     *credential.Package
	counter uint64
	results []dlink.Result
	lastErr error
}

var _ profile.TD = (*TargetDevice)(nil)

// NewTargetDevice builds a TD around deps.UE, whose slot must be empty.
// The responder is not armed: a profile's PrepareTarget arms it.
func NewTargetDevice(cfg TDConfig, deps Deps) (*TargetDevice, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := deps.fill(); err != nil {
		return nil, err
	}
	if deps.UE.HasCredential() {
		return nil, ErrSlotFilled
	}
	return &TargetDevice{cfg: cfg, deps: deps}, nil
}

// Config returns the validated configuration (with the private key: keep
// it away from logs; Identity's String hides it).
func (t *TargetDevice) Config() TDConfig { return t.cfg }

// UE returns the TD's UE.
func (t *TargetDevice) UE() *ue.UE { return t.deps.UE }

// TraceName is the actor name of the TD's UE ("ue/empty" until a
// credential is installed, then "ue/<SUPI>").
func (t *TargetDevice) TraceName() string { return t.deps.UE.Name() }

// Name is the actor of the TD's direct-link machine.
func (t *TargetDevice) Name() string { return t.cfg.Name }

// DeviceID returns the factory device id.
func (t *TargetDevice) DeviceID() string { return t.cfg.Identity.DeviceID }

// Identity returns the factory identity, bootstrap private key included
// (an attacker that extracted it plays the TD, 3gpp.md §6.4 C2).
func (t *TargetDevice) Identity() credential.Identity { return t.cfg.Identity }

// Bootstrap is the out-of-band bootstrap information (DESIGN step 3).
func (t *TargetDevice) Bootstrap() credential.Bootstrap { return t.cfg.Identity.Bootstrap() }

// BootstrapURI is the QR/NFC payload ("DPP:I:<id>;K:<key>;;").
func (t *TargetDevice) BootstrapURI() string { return t.cfg.Identity.Bootstrap().URI() }

// DirectLinkAddr is where the responder listens while armed.
func (t *TargetDevice) DirectLinkAddr() netip.AddrPort { return t.cfg.DirectLink }

// SUPI returns the SUPI of the installed credential ("" when none).
func (t *TargetDevice) SUPI() string {
	if p, ok := t.Credential(); ok {
		return p.SUPI.String()
	}
	return ""
}

// ArmResponder (re)starts the responder speaking variant and binds the
// direct-link endpoint, keeping the installed credential and the counter
// high-water mark.
func (t *TargetDevice) ArmResponder(variant dlink.Variant) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	t.reconcile()
	if err := t.disarmLocked(); err != nil {
		return err
	}
	cfg := dlink.ResponderConfig{Variant: variant, Identity: t.cfg.Identity, Initiators: t.cfg.Initiators,
		RateLimit: t.cfg.RateLimit, SessionTimeout: t.cfg.SessionTimeout, AllowReprovision: t.cfg.AllowReprovision,
		Actor: t.cfg.Name}
	t.st.Lock()
	if t.pkg != nil {
		p := t.pkg.Clone()
		cfg.Installed = &p
	}
	cfg.Counter = t.counter
	t.st.Unlock()
	r, err := dlink.NewResponder(cfg, dlink.Deps{Rand: t.deps.Rand, Clock: t.deps.Clock})
	if cfg.Installed != nil {
		cfg.Installed.Wipe()
	}
	if err != nil {
		return err
	}
	drv, err := link.New(&responderMachine{t: t, r: r}, link.Config{Medium: t.cfg.Medium, Actor: t.cfg.Name, OnResult: t.record},
		link.Deps{Clock: t.deps.Clock, Trace: t.deps.Trace})
	if err != nil {
		return err
	}
	ep, err := t.deps.Net.Listen(transport.DL, t.cfg.DirectLink, drv.Handler())
	if err != nil {
		return fmt.Errorf("roles: TD direct link: %w", err)
	}
	drv.Attach(ep)
	if err := drv.Start(context.Background()); err != nil {
		_ = drv.Close()
		return err
	}
	t.drv, t.resp, t.variant = drv, r, variant
	return nil
}

// Disarm stops the responder and unbinds the endpoint; the credential and
// the counter stay. A disarmed TD costs no goroutine.
func (t *TargetDevice) Disarm() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.disarmLocked()
}

func (t *TargetDevice) disarmLocked() error {
	if t.drv == nil {
		return nil
	}
	err := t.drv.Close()
	t.drv, t.resp, t.variant = nil, nil, 0
	return err
}

// Armed reports whether the responder listens, and in which variant.
func (t *TargetDevice) Armed() (dlink.Variant, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.variant, t.drv != nil
}

// Credential returns the installed credential (a copy; it holds K).
func (t *TargetDevice) Credential() (credential.Package, bool) {
	t.mu.Lock()
	t.reconcile()
	t.mu.Unlock()
	t.st.Lock()
	defer t.st.Unlock()
	if t.pkg == nil {
		return credential.Package{}, false
	}
	return t.pkg.Clone(), true
}

// Counter returns the highest binding counter ever installed.
func (t *TargetDevice) Counter() uint64 {
	t.st.Lock()
	defer t.st.Unlock()
	return t.counter
}

// Results returns the last direct-link exchange results (at most 16).
func (t *TargetDevice) Results() []dlink.Result {
	t.st.Lock()
	defer t.st.Unlock()
	return append([]dlink.Result(nil), t.results...)
}

// InstallError returns the last USIM refusal of a delivered credential.
func (t *TargetDevice) InstallError() error {
	t.st.Lock()
	defer t.st.Unlock()
	return t.lastErr
}

// FactoryReset wipes the credential from the USIM and the responder, with
// the GUTI and every security context; the bootstrap identity and the
// counter high-water mark survive (3gpp.md §6.7 L3).
func (t *TargetDevice) FactoryReset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.deps.UE.FactoryReset()
	t.wipeLocked()
}

// wipeLocked clears the responder's slot and the mirror (t.mu held).
func (t *TargetDevice) wipeLocked() {
	if t.drv != nil {
		r := t.resp
		t.drv.Do(func() dlink.Output { return r.FactoryReset() })
	}
	t.st.Lock()
	if t.pkg != nil {
		t.pkg.Wipe()
		t.pkg = nil
	}
	t.st.Unlock()
	t.deps.Trace.Emit(trace.Event{Kind: trace.KindState, Actor: t.cfg.Name, Iface: trace.IfaceDL, Name: EvFactoryReset,
		Detail: "credential wiped; identity and counter kept"})
}

// reconcile notices a factory reset done on the UE directly (e.g. by a
// scenario step holding only the UE) and wipes the responder too (t.mu held).
func (t *TargetDevice) reconcile() {
	t.st.Lock()
	stale := t.pkg != nil && !t.deps.UE.HasCredential()
	t.st.Unlock()
	if stale {
		t.wipeLocked()
	}
}

// Connect registers the TD with its installed credential and opens its PDU
// session, as far as not done yet (DESIGN step 7).
func (t *TargetDevice) Connect(ctx context.Context) (Connection, error) {
	return Connect(ctx, t.deps.UE, t.cfg.DNN, t.cfg.SNSSAI)
}

// Close disarms the responder, detaches the UE from its cell and calls
// Deps.OnClose.
func (t *TargetDevice) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	err := t.disarmLocked()
	t.mu.Unlock()
	t.deps.UE.AttachRadio(nil)
	if t.deps.OnClose != nil {
		t.deps.OnClose()
	}
	return err
}

// String describes the TD without secrets.
func (t *TargetDevice) String() string {
	return fmt.Sprintf("TargetDevice{%s dl=%v supi=%s}", t.cfg.Identity.DeviceID, t.cfg.DirectLink, t.SUPI())
}

// record keeps a result (the driver's OnResult, outside its lock).
func (t *TargetDevice) record(res dlink.Result) {
	t.st.Lock()
	defer t.st.Unlock()
	if len(t.results) == maxResults {
		t.results = append(t.results[:0], t.results[1:]...)
	}
	t.results = append(t.results, res)
}

// responderMachine is the responder with the USIM install in the same
// step: it runs under the driver's lock.
type responderMachine struct {
	t *TargetDevice
	r *dlink.Responder
}

func (m *responderMachine) Receive(frame []byte) dlink.Output {
	return m.t.settle(m.r, m.r.Receive(frame))
}
func (m *responderMachine) Timeout() dlink.Output { return m.t.settle(m.r, m.r.Timeout()) }

// settle installs a credential the responder accepted into the USIM
// before out's frames (the proof of possession or the baseline's status)
// are sent. If the USIM refuses it, the responder is reset, the frames are
// withheld and the result becomes a failure.
func (t *TargetDevice) settle(r *dlink.Responder, out dlink.Output) dlink.Output {
	if out.Result == nil || !out.Result.OK() {
		return out
	}
	pkg, ok := r.Credential()
	if !ok {
		return out
	}
	defer pkg.Wipe()
	err := t.deps.UE.InstallPackage(pkg)
	if err == nil {
		t.st.Lock()
		if t.pkg != nil {
			t.pkg.Wipe()
		}
		p := pkg.Clone()
		t.pkg, t.counter, t.lastErr = &p, max(t.counter, r.Counter()), nil
		t.st.Unlock()
		out.Events = append(out.Events, trace.Event{Kind: trace.KindKey, Actor: t.cfg.Name, Iface: trace.IfaceDL, Name: EvInstalled,
			SUPI: pkg.SUPI.String(), Detail: "K and OPc in the USIM, binding counter " + fmt.Sprint(pkg.Binding.Counter)})
		return out
	}
	reset := r.FactoryReset()
	t.st.Lock()
	t.counter = max(t.counter, r.Counter())
	t.lastErr = err
	// The mirror keeps what the USIM still holds; the responder's slot
	// is empty until the next ArmResponder restores it.
	t.st.Unlock()
	// The frames are withheld: drop their "tx" events and the success
	// result, and report the failure instead.
	events := out.Events[:0]
	for _, e := range out.Events {
		if (e.Kind == trace.KindMessage && e.Detail == "tx") || (e.Kind == trace.KindCheck && e.Name == dlink.EvResult) {
			continue
		}
		events = append(events, e)
	}
	res := dlink.Result{Status: dlink.StatusConfigureFailure, Reason: "USIM refused the credential"}
	events = append(events, reset.Events...)
	events = append(events,
		trace.Event{Kind: trace.KindDrop, Actor: t.cfg.Name, Iface: trace.IfaceDL, Name: EvInstallFailed,
			SUPI: pkg.SUPI.String(), Detail: "USIM refused the credential: " + err.Error() + "; proof withheld"},
		trace.Event{Kind: trace.KindCheck, Actor: t.cfg.Name, Iface: trace.IfaceDL, Name: dlink.EvResult,
			Cause: res.Status.String(), Detail: res.Reason})
	out.Events = events
	out.Frames = nil
	out.Timer = dlink.TimerStop
	out.Result = &res
	return out
}
