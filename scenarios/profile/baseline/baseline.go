package baseline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/ue/dlink"
)

// Name is the profile's name.
const Name = "baseline"

// Profile is the baseline profile. The zero value is ready.
type Profile struct{}

// New returns the baseline profile.
func New() *Profile { return &Profile{} }

var _ profile.Profile = (*Profile)(nil)

// Name returns "baseline".
func (*Profile) Name() string { return Name }

// Description says what the profile does.
func (*Profile) Description() string {
	return "naive flow: claimed PD identity, PD-generated K, plaintext credential on the direct link, no freshness on deprovisioning"
}

// DirectLink returns dlink.Baseline.
func (*Profile) DirectLink() dlink.Variant { return dlink.Baseline }

// --- network half -----------------------------------------------------

// Network returns the CPF API of the profile: the provproto routes without
// confirmation, identity from the Pd-Identity header.
func (*Profile) Network(b *cpf.Backend, prefix string) (http.Handler, error) {
	if b == nil {
		return nil, errors.New("baseline: nil backend")
	}
	a := &api{b: b, prefix: prefix}
	targets := prefix + provproto.PathTargets
	mux := http.NewServeMux()
	mux.Handle("POST "+targets, b.Serve(cpf.OpProvision, a.provision))
	mux.Handle("GET "+targets+"/{supi}", b.Serve(cpf.OpStatus, a.status))
	mux.Handle("DELETE "+targets+"/{supi}", b.Serve(cpf.OpDeprovision, a.deprovision))
	mux.Handle(prefix+"/", b.Serve(cpf.OpUnknown, func(*cpf.Call) cpf.Reply {
		return cpf.Refuse(http.StatusNotFound, cpf.CauseNoResource, "no such resource or method").Reply()
	}))
	return mux, nil
}

type api struct {
	b      *cpf.Backend
	prefix string
}

// claim trusts the Pd-Identity header: the baseline's flaw (3gpp.md §6.2
// N1 and §6.3 X1 succeed against it).
func (a *api) claim(c *cpf.Call) (cpf.Principal, *cpf.Refusal) {
	p, r := a.b.Claimed(c.Req.Header.Get(provproto.HeaderPDIdentity))
	if r != nil {
		return p, r
	}
	c.PD = p.SUPI
	return p, a.b.Admit(p.SUPI)
}

func statusOf(t cpf.Target) provproto.TargetStatus {
	s := provproto.TargetStatus{SUPI: t.SUPI, DeviceID: t.DeviceID, State: t.State, OperationID: t.OperationID}
	if !t.ExpiresAt.IsZero() {
		e := t.ExpiresAt.UTC()
		s.ExpiresAt = &e
	}
	return s
}

func (a *api) provision(c *cpf.Call) cpf.Reply {
	p, r := a.claim(c)
	if r != nil {
		return r.Reply()
	}
	var req provproto.BaselineProvisionRequest
	if err := provproto.Decode(c.Body, &req); err != nil {
		return cpf.Malformed(err).Reply()
	}
	k, opc := [credential.KeySize]byte(req.K), [credential.KeySize]byte(req.OPc)
	defer clear(k[:])
	defer clear(opc[:])
	res, r := a.b.Provision(c.Context(), p, cpf.ProvisionInput{DeviceID: req.DeviceID, SUPI: req.SUPI, K: &k, OPc: &opc})
	clear(req.K[:])
	clear(req.OPc[:])
	if r != nil {
		return r.Reply()
	}
	c.Target = res.SUPI
	return cpf.JSONReply(http.StatusCreated, provproto.ProvisionResponse{
		SUPI: res.SUPI, OperationID: res.OperationID, State: provproto.StatePending, ExpiresAt: res.ExpiresAt.UTC(),
		Binding: provproto.BindingOf(res.Binding),
		Network: provproto.NetworkOf(res.PLMN, res.RoutingIndicator, res.HNKeys),
	}).With("Location", a.prefix+provproto.TargetPath(res.SUPI))
}

func (a *api) deprovision(c *cpf.Call) cpf.Reply {
	p, r := a.claim(c)
	if r != nil {
		return r.Reply()
	}
	c.Target = c.Req.PathValue("supi")
	t, r := a.b.Deprovision(c.Context(), p, c.Target)
	if r != nil {
		return r.Reply()
	}
	return cpf.JSONReply(http.StatusOK, statusOf(t))
}

func (a *api) status(c *cpf.Call) cpf.Reply {
	p, r := a.claim(c)
	if r != nil {
		return r.Reply()
	}
	c.Target = c.Req.PathValue("supi")
	t, r := a.b.Status(c.Context(), p, c.Target)
	if r != nil {
		return r.Reply()
	}
	return cpf.JSONReply(http.StatusOK, statusOf(t))
}

// --- device half ---------------------------------------------------------

// PrepareTarget arms the TD's baseline direct-link responder.
func (*Profile) PrepareTarget(ctx context.Context, td profile.TD) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return td.ArmResponder(dlink.Baseline)
}

// Claim sends one baseline request claiming identity as the PD (attack
// code claims another PD's SUPI) and decodes a success answer into out.
func Claim(ctx context.Context, hc *http.Client, svc profile.Service, identity, op, method, path string, body []byte, want int, out provproto.Message) error {
	ans, err := profile.Send(ctx, hc, method, svc.URL(Name)+path, body, map[string]string{provproto.HeaderPDIdentity: identity})
	if err != nil {
		return err
	}
	if r := ans.Refusal(op); r != nil {
		return r
	}
	return ans.Decode(op, want, out)
}

// ProvisionTarget runs the naive steps 4-6: the PD draws K and OPc, hands
// them to the CPF under its claimed identity, builds the package from the
// network parameters and sends it in plaintext over the direct link.
func (*Profile) ProvisionTarget(ctx context.Context, pd profile.PD, td profile.TD) (profile.Provisioned, error) {
	var k, opc provproto.Key
	if _, err := io.ReadFull(pd.Rand(), k[:]); err != nil {
		return profile.Provisioned{}, fmt.Errorf("baseline: PD randomness: %w", err)
	}
	if _, err := io.ReadFull(pd.Rand(), opc[:]); err != nil {
		return profile.Provisioned{}, fmt.Errorf("baseline: PD randomness: %w", err)
	}
	bs := td.Bootstrap()
	body, err := provproto.Encode(&provproto.BaselineProvisionRequest{DeviceID: bs.DeviceID, K: k, OPc: opc})
	if err != nil {
		return profile.Provisioned{}, fmt.Errorf("baseline: %w", err)
	}
	var rsp provproto.ProvisionResponse
	if err := Claim(ctx, pd.HTTPClient(), pd.CPF(), pd.SUPI(), cpf.OpProvision, http.MethodPost, provproto.PathTargets, body, http.StatusCreated, &rsp); err != nil {
		return profile.Provisioned{}, err
	}
	if rsp.Network == nil {
		return profile.Provisioned{}, fmt.Errorf("%w: no network parameters", profile.ErrResponse)
	}
	plmn, keys, err := rsp.Network.Credential()
	if err != nil {
		return profile.Provisioned{}, fmt.Errorf("%w: %w", profile.ErrResponse, err)
	}
	supi, err := ident.ParseSUPI(rsp.SUPI)
	if err != nil {
		return profile.Provisioned{}, fmt.Errorf("%w: %w", profile.ErrResponse, err)
	}
	binding := rsp.Binding.Credential()
	pkg := credential.Package{SUPI: supi, K: k, OPc: opc, AMF: credential.DefaultAMF(), HNKeys: keys,
		RoutingIndicator: rsp.Network.RoutingIndicator, PLMN: plmn, Binding: binding}
	defer pkg.Wipe()
	if err := pkg.Validate(); err != nil {
		return profile.Provisioned{}, fmt.Errorf("%w: package: %w", profile.ErrResponse, err)
	}
	res, err := pd.RunInitiator(ctx, td, dlink.InitiatorConfig{Variant: dlink.Baseline, Target: bs, Package: &pkg})
	if err != nil {
		return profile.Provisioned{}, fmt.Errorf("baseline: direct link: %w", err)
	}
	if !res.OK() {
		return profile.Provisioned{}, &profile.LinkError{Status: res.Status, Reason: res.Reason}
	}
	return profile.Provisioned{SUPI: rsp.SUPI, DeviceID: bs.DeviceID, OperationID: rsp.OperationID, Binding: binding, ExpiresAt: rsp.ExpiresAt}, nil
}

// Deprovision sends the unprotected DELETE under the PD's claimed identity.
func (*Profile) Deprovision(ctx context.Context, pd profile.PD, tdSUPI string) (profile.Deprovisioned, error) {
	var st provproto.TargetStatus
	if err := Claim(ctx, pd.HTTPClient(), pd.CPF(), pd.SUPI(), cpf.OpDeprovision, http.MethodDelete, provproto.TargetPath(tdSUPI), nil, http.StatusOK, &st); err != nil {
		return profile.Deprovisioned{}, err
	}
	return profile.Deprovisioned{SUPI: st.SUPI, State: st.State}, nil
}

// Status asks the CPF about a target under the PD's claimed identity.
func (*Profile) Status(ctx context.Context, pd profile.PD, tdSUPI string) (provproto.TargetStatus, error) {
	var st provproto.TargetStatus
	err := Claim(ctx, pd.HTTPClient(), pd.CPF(), pd.SUPI(), cpf.OpStatus, http.MethodGet, provproto.TargetPath(tdSUPI), nil, http.StatusOK, &st)
	return st, err
}
