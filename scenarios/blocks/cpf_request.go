package blocks

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/scenarios/profile/baseline"
	"github.com/credbed/credbed/scenarios/profile/secure"
	"github.com/credbed/credbed/ue/dlink"
)

// Identities a cpf_request may present.
const (
	IdentityOwn    = "own"    // the actor's own credentials, the profile's way
	IdentityNone   = "none"   // no credentials at all
	IdentityForged = "forged" // another PD's identity, without its keys
)

// CPFRequestArgs are the arguments of cpf_request.
type CPFRequestArgs struct {
	// Op is provision, status or deprovision.
	Op string `yaml:"op"`
	// Target is, for provision, the target device whose bootstrap
	// information (secure) or device id (baseline) the request names; for
	// status and deprovision, the target named by the SUPI of its
	// installed credential.
	Target scenarios.ActorRef `yaml:"target"`
	// Provisioned names the target of status or deprovision by a saved
	// provision (or cpf_request provision) step; for provision, it asks
	// for that earlier target's SUPI again (re-provisioning).
	Provisioned scenarios.Ref `yaml:"provisioned"`
	// SUPI and SUPIOf (the SUPI an actor holds or last held) name the
	// target of status or deprovision; for provision, the SUPI the PD asks
	// for (the protocol lets a PD ask for one within its entitlement).
	SUPI   string             `yaml:"supi"`
	SUPIOf scenarios.ActorRef `yaml:"supi_of"`
	// Identity is own (default), none or forged.
	Identity string `yaml:"identity"`
	// As is the provisioning device whose identity a forged request
	// claims: its SUPI (baseline) or its A-KID, which crosses N6 in clear,
	// with a request MAC the actor cannot compute (secure).
	As scenarios.ActorRef `yaml:"as"`
	// Counter is the freshness counter sent (secure; signed with the
	// actor's K_AF when the identity is its own). Default: the PD's next.
	Counter *uint64 `yaml:"counter"`
	// Deliver completes a provision as the profile does: the direct-link
	// delivery to Target and, where the profile has one, the confirmation.
	Deliver bool `yaml:"deliver"`
	// State, when set, is the target state a success answer must report
	// (pending, confirmed, active, removed); another one fails the step.
	State string `yaml:"state"`
}

// Validate checks the combination.
func (a *CPFRequestArgs) Validate() error {
	switch a.Op {
	case cpfOpProvision, cpfOpStatus, cpfOpDeprovision:
	default:
		return fmt.Errorf("op %q: want provision, status or deprovision", a.Op)
	}
	if a.Identity == "" {
		a.Identity = IdentityOwn
	}
	switch a.Identity {
	case IdentityOwn, IdentityNone:
		if a.As != "" {
			return fmt.Errorf("as goes with identity: forged")
		}
	case IdentityForged:
		if a.As == "" {
			return fmt.Errorf("identity: forged needs as (the PD whose identity is claimed)")
		}
	default:
		return fmt.Errorf("identity %q: want own, none or forged", a.Identity)
	}
	switch a.State {
	case "", provproto.StatePending, provproto.StateConfirmed, provproto.StateActive, provproto.StateRemoved:
	default:
		return fmt.Errorf("state %q: want pending, confirmed, active or removed", a.State)
	}
	if a.SUPI != "" && a.SUPIOf != "" {
		return fmt.Errorf("supi and supi_of exclude each other")
	}
	if a.SUPI != "" {
		if _, err := ident.ParseSUPI(a.SUPI); err != nil {
			return fmt.Errorf("supi: %w", err)
		}
	}
	if a.Op == cpfOpProvision {
		if a.Target == "" {
			return fmt.Errorf("provision needs target (the target device)")
		}
		if a.Provisioned != "" && (a.SUPI != "" || a.SUPIOf != "") {
			return fmt.Errorf("provisioned, supi and supi_of exclude each other")
		}
		if a.Deliver && a.Identity != IdentityOwn {
			return fmt.Errorf("deliver needs identity: own (a refused request delivers nothing)")
		}
		return nil
	}
	if a.Deliver {
		return fmt.Errorf("deliver goes with op: provision")
	}
	n := 0
	for _, set := range []bool{a.Target != "", a.Provisioned != "", a.SUPI != "" || a.SUPIOf != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("name the target with exactly one of target, provisioned, supi, supi_of")
	}
	return nil
}

const (
	cpfOpProvision   = "provision"
	cpfOpStatus      = "status"
	cpfOpDeprovision = "deprovision"
)

// CPFAnswer is what a cpf_request got back.
type CPFAnswer struct {
	Op     string
	Status int    // HTTP status (0 when no answer)
	Cause  string // ProblemDetails cause of a refusal
	SUPI   string // the target SUPI (asked for, or allocated by a provision)
	State  string // the target state in a success answer
}

// CPFRequest sends one request of the PD-to-network provisioning protocol
// from the actor (a provisioning device, honest or rogue) over its PDU
// session, with what a careless or malicious PD may set: a SUPI it asks
// for (reference/3gpp.md §6.2 N2), no credentials (N1), another PD's
// identity without its keys (N1, S4), a chosen counter (S4), or a
// provisioning completed with a SUPI of its choice (re-provisioning, X2).
// It speaks the wire formats of the built-in profiles (secure: AKMA MAC
// and counter; baseline: claimed Pd-Identity); other profiles are
// unsupported. A refusal fails the step (its error names the status and
// cause); the saved value is the *CPFAnswer, or the profile.Provisioned of
// a delivered provision.
func CPFRequest() *scenarios.Block {
	return scenarios.NewAction("cpf_request", scenarios.Spec{
		Summary: "a (rogue) PD sends one crafted request to the CPF: asked-for SUPI, no or forged identity, chosen counter",
		Actor:   scenarios.ActorRequired, Roles: pdRoles(), Ifaces: []string{trace.IfaceAPI, trace.IfaceN3, trace.IfaceN6},
	}, func(ctx context.Context, st *scenarios.State, actor string, a *CPFRequestArgs) (any, error) {
		p, err := ProfileOf(st)
		if err != nil {
			return nil, err
		}
		pd, err := PDOf(st, actor)
		if err != nil {
			return nil, err
		}
		w, err := newCPFWire(st, p.Name(), pd, a)
		if err != nil {
			return nil, err
		}
		supi, err := a.supi(st)
		if err != nil {
			return nil, err
		}
		ans := &CPFAnswer{Op: a.Op, SUPI: supi}
		var out any = ans
		switch a.Op {
		case cpfOpProvision:
			var prov *profile.Provisioned
			prov, err = w.provision(ctx, st, a, supi, ans)
			if prov != nil && err == nil {
				out = *prov
			}
		case cpfOpStatus:
			err = w.target(ctx, cpf.OpStatus, http.MethodGet, supi, ans)
		case cpfOpDeprovision:
			err = w.target(ctx, cpf.OpDeprovision, http.MethodDelete, supi, ans)
		}
		if r, ok := err.(*profile.RefusedError); ok {
			ans.Status, ans.Cause = r.Problem.Status, r.Problem.Cause
		}
		if err == nil && a.State != "" && ans.State != a.State {
			err = fmt.Errorf("target %s is %s, want %s", supi, ans.State, a.State)
		}
		st.Emit(trace.Event{Kind: trace.KindNote, Actor: actor, Iface: trace.IfaceAPI, Name: "cpf_request", SUPI: supi, Status: ans.Status,
			Cause: ans.Cause, Detail: fmt.Sprintf("%s with identity %s (%s profile)", a.Op, a.Identity, p.Name())})
		return out, err
	})
}

// supi resolves the SUPI the request names (or asks for).
func (a *CPFRequestArgs) supi(st *scenarios.State) (string, error) {
	switch {
	case a.SUPI != "":
		return a.SUPI, nil
	case a.SUPIOf != "":
		_, s, err := st.Identity(string(a.SUPIOf))
		if err != nil {
			return "", err
		}
		if s == "" {
			return "", fmt.Errorf("%q holds no SUPI", a.SUPIOf)
		}
		return s, nil
	case a.Provisioned != "":
		// A provision that wrote at the CPF and then failed (e.g. on the
		// direct link) still told the PD the SUPI: a saved *CPFAnswer
		// names it even when its step failed.
		sv, err := st.Saved(a.Provisioned)
		if err != nil {
			return "", err
		}
		switch x := sv.Value.(type) {
		case profile.Provisioned:
			if sv.Err == nil && x.SUPI != "" {
				return x.SUPI, nil
			}
		case *CPFAnswer:
			if x != nil && x.SUPI != "" {
				return x.SUPI, nil
			}
		}
		return "", fmt.Errorf("%q names no provisioned target (%T, step error: %v)", a.Provisioned, sv.Value, sv.Err)
	case a.Op == cpfOpProvision:
		return "", nil
	}
	return (&DeprovisionArgs{Target: a.Target}).targetSUPI(st)
}

// cpfWire sends requests in one profile's wire format with one identity.
type cpfWire struct {
	profile   string
	pd        profile.PD
	identity  string
	victim    profile.PD // forged: whose identity is claimed
	counter   *uint64
	forgedMAC [provproto.MACSize]byte
}

func newCPFWire(st *scenarios.State, name string, pd profile.PD, a *CPFRequestArgs) (*cpfWire, error) {
	if name != secure.Name && name != baseline.Name {
		return nil, fmt.Errorf("%w: cpf_request speaks the %s and %s wire formats, not %q",
			scenarios.ErrUnsupported, secure.Name, baseline.Name, name)
	}
	w := &cpfWire{profile: name, pd: pd, identity: a.Identity, counter: a.Counter}
	if a.Identity == IdentityForged {
		v, err := PDOf(st, string(a.As))
		if err != nil {
			return nil, err
		}
		w.victim = v
		rng := st.NewRand()
		for i := range w.forgedMAC {
			w.forgedMAC[i] = byte(rng.Uint32())
		}
	}
	return w, nil
}

// send performs one exchange; a refusal is a *profile.RefusedError.
func (w *cpfWire) send(ctx context.Context, op, method, path string, body []byte, want int, out provproto.Message) error {
	svc := w.pd.CPF()
	hc := w.pd.HTTPClient()
	if w.profile == secure.Name && w.identity == IdentityOwn {
		c := secure.Client{PD: w.pd}
		if w.counter != nil {
			c.Counter = *w.counter
			w.counter = nil // only the first request of the step
		}
		return c.Do(ctx, op, method, path, body, want, out)
	}
	hdr := map[string]string{}
	switch {
	case w.identity == IdentityNone:
	case w.profile == baseline.Name && w.identity == IdentityOwn:
		hdr[provproto.HeaderPDIdentity] = w.pd.SUPI()
	case w.profile == baseline.Name:
		hdr[provproto.HeaderPDIdentity] = w.victim.SUPI()
	default: // secure, forged: the victim's A-KID (public on N6), a MAC the actor cannot compute
		creds, err := w.victim.AKMA(svc.AFID)
		if err != nil {
			return fmt.Errorf("the victim's A-KID: %w", err)
		}
		ctr := uint64(1) << 62
		if w.counter != nil {
			ctr = *w.counter
		}
		hdr[provproto.HeaderAuthorization] = provproto.Auth{AKID: creds.AKID, Counter: ctr, MAC: w.forgedMAC}.Header()
	}
	name := w.profile
	ans, err := profile.Send(ctx, hc, method, svc.URL(name)+path, body, hdr)
	if err != nil {
		return err
	}
	if r := ans.Refusal(op); r != nil {
		return r
	}
	return ans.Decode(op, want, out)
}

// target runs status or deprovision.
func (w *cpfWire) target(ctx context.Context, op, method, supi string, ans *CPFAnswer) error {
	var ts provproto.TargetStatus
	if err := w.send(ctx, op, method, provproto.TargetPath(supi), nil, http.StatusOK, &ts); err != nil {
		return err
	}
	ans.Status, ans.State = http.StatusOK, ts.State
	return nil
}

// provision asks for a target (with SUPI when set) and, with Deliver,
// completes the flow as the profile does.
func (w *cpfWire) provision(ctx context.Context, st *scenarios.State, a *CPFRequestArgs, supi string, ans *CPFAnswer) (*profile.Provisioned, error) {
	td, err := TDOf(st, string(a.Target))
	if err != nil {
		return nil, err
	}
	bs := td.Bootstrap()
	var body []byte
	var pkgKeys [2][credential.KeySize]byte
	if w.profile == secure.Name {
		body, err = provproto.Encode(&provproto.SecureProvisionRequest{BootstrapURI: bs.URI(), SUPI: supi})
	} else {
		for i := range pkgKeys {
			if _, err := io.ReadFull(w.pd.Rand(), pkgKeys[i][:]); err != nil {
				return nil, fmt.Errorf("PD randomness: %w", err)
			}
		}
		defer clear(pkgKeys[0][:])
		defer clear(pkgKeys[1][:])
		body, err = provproto.Encode(&provproto.BaselineProvisionRequest{DeviceID: bs.DeviceID, SUPI: supi,
			K: provproto.Key(pkgKeys[0]), OPc: provproto.Key(pkgKeys[1])})
	}
	if err != nil {
		return nil, err
	}
	var rsp provproto.ProvisionResponse
	if err := w.send(ctx, cpf.OpProvision, http.MethodPost, provproto.PathTargets, body, http.StatusCreated, &rsp); err != nil {
		return nil, err
	}
	ans.Status, ans.SUPI, ans.State = http.StatusCreated, rsp.SUPI, rsp.State
	if !a.Deliver {
		return nil, nil
	}
	binding := rsp.Binding.Credential()
	out := &profile.Provisioned{SUPI: rsp.SUPI, DeviceID: bs.DeviceID, OperationID: rsp.OperationID, Binding: binding, ExpiresAt: rsp.ExpiresAt}
	if w.profile == secure.Name {
		res, err := w.pd.RunInitiator(ctx, td, dlink.InitiatorConfig{Variant: dlink.Secure, Target: bs, Sealed: rsp.Sealed, Binding: binding})
		if err := linkErr(res, err); err != nil {
			return nil, err
		}
		cbody, err := provproto.Encode(&provproto.ConfirmRequest{OperationID: rsp.OperationID, Proof: res.Proof})
		if err != nil {
			return nil, err
		}
		var ts provproto.TargetStatus
		if err := w.send(ctx, cpf.OpConfirm, http.MethodPost, provproto.ConfirmPath(rsp.SUPI), cbody, http.StatusOK, &ts); err != nil {
			return nil, err
		}
		out.Confirmed = true
		ans.State = ts.State
		return out, nil
	}
	if rsp.Network == nil {
		return nil, fmt.Errorf("%w: no network parameters", profile.ErrResponse)
	}
	plmn, keys, err := rsp.Network.Credential()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", profile.ErrResponse, err)
	}
	sid, err := ident.ParseSUPI(rsp.SUPI)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", profile.ErrResponse, err)
	}
	pkg := credential.Package{SUPI: sid, K: pkgKeys[0], OPc: pkgKeys[1], AMF: credential.DefaultAMF(), HNKeys: slices.Clone(keys),
		RoutingIndicator: rsp.Network.RoutingIndicator, PLMN: plmn, Binding: binding}
	defer pkg.Wipe()
	res, err := w.pd.RunInitiator(ctx, td, dlink.InitiatorConfig{Variant: dlink.Baseline, Target: bs, Package: &pkg})
	if err := linkErr(res, err); err != nil {
		return nil, err
	}
	st.MarkCapture(fmt.Sprintf("profile %s sends the credential in clear on the direct link", w.profile))
	return out, nil
}

func linkErr(res dlink.Result, err error) error {
	if err != nil {
		return fmt.Errorf("direct link: %w", err)
	}
	if !res.OK() {
		return &profile.LinkError{Status: res.Status, Reason: res.Reason}
	}
	return nil
}
