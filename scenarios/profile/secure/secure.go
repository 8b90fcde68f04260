package secure

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/ue/dlink"
)

// Name is the profile's name.
const Name = "secure"

// Profile is the secure profile. The zero value is ready.
type Profile struct{}

// New returns the secure profile.
func New() *Profile { return &Profile{} }

var _ profile.Profile = (*Profile)(nil)

// Name returns "secure".
func (*Profile) Name() string { return Name }

// Description says what the profile does.
func (*Profile) Description() string {
	return "reference flow: AKMA-authenticated, MACed and counter-checked PD requests; network-generated K sealed to the TD; DPP-style direct link; proof of possession"
}

// DirectLink returns dlink.Secure.
func (*Profile) DirectLink() dlink.Variant { return dlink.Secure }

// --- network half -----------------------------------------------------

// Network returns the CPF API of the profile (routes of internal/provproto
// under prefix).
func (*Profile) Network(b *cpf.Backend, prefix string) (http.Handler, error) {
	if b == nil {
		return nil, errors.New("secure: nil backend")
	}
	a := &api{b: b, prefix: prefix}
	targets := prefix + provproto.PathTargets
	mux := http.NewServeMux()
	mux.Handle("POST "+targets, b.Serve(cpf.OpProvision, a.provision))
	mux.Handle("GET "+targets+"/{supi}", b.Serve(cpf.OpStatus, a.status))
	mux.Handle("POST "+targets+"/{supi}/confirm", b.Serve(cpf.OpConfirm, a.confirm))
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

// authenticate runs the cheap checks first: the source's failure bucket,
// the header syntax; then the AAnF and the MAC; then the PD's request
// bucket. A refusal before the PD is known carries no MAC.
func (a *api) authenticate(c *cpf.Call) (cpf.Principal, provproto.Auth, *cpf.Refusal, bool) {
	src := c.Source()
	if r := a.b.CheckSource(src); r != nil {
		return cpf.Principal{}, provproto.Auth{}, r, false
	}
	auth, err := provproto.ParseAuth(c.Req.Header.Get(provproto.HeaderAuthorization))
	if err != nil {
		a.b.AuthFailed(src)
		// Reference: 3gpp.md §6.2 N1 (no credentials: 401, no UDR write).
		return cpf.Principal{}, provproto.Auth{}, cpf.Refuse(http.StatusUnauthorized, cpf.CauseUnauthenticated, err.Error()), false
	}
	p, r := a.b.AuthenticateAKMA(c.Context(), auth, provproto.Request{Method: c.Req.Method, Path: c.RequestTarget(), Body: c.Body})
	if r != nil {
		if r.Status == http.StatusUnauthorized {
			a.b.AuthFailed(src)
		}
		return cpf.Principal{}, auth, r, false
	}
	c.PD = p.SUPI
	if r := a.b.Admit(p.SUPI); r != nil {
		return p, auth, r, true
	}
	return p, auth, nil, true
}

// sign adds the response MAC (Authentication-Info) to rep.
func sign(p cpf.Principal, auth provproto.Auth, rep cpf.Reply) cpf.Reply {
	return rep.With(provproto.HeaderAuthInfo, provproto.AuthInfo(provproto.ResponseMAC(p.KAF, auth, rep.Status, rep.Body)))
}

// handle wraps a procedure: authenticate, run, sign.
func (a *api) handle(c *cpf.Call, run func(p cpf.Principal) cpf.Reply) cpf.Reply {
	p, auth, r, known := a.authenticate(c)
	switch {
	case r != nil && !known:
		return r.Reply()
	case r != nil:
		return sign(p, auth, r.Reply())
	}
	return sign(p, auth, run(p))
}

func noBody(c *cpf.Call) *cpf.Refusal {
	if len(c.Body) > 0 {
		return cpf.Refuse(http.StatusBadRequest, cpf.CauseMalformed, "this request takes no body")
	}
	return nil
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
	return a.handle(c, func(p cpf.Principal) cpf.Reply {
		var req provproto.SecureProvisionRequest
		if err := provproto.Decode(c.Body, &req); err != nil {
			return cpf.Malformed(err).Reply()
		}
		bs, err := req.Bootstrap()
		if err != nil {
			return cpf.Malformed(err).Reply()
		}
		res, r := a.b.Provision(c.Context(), p, cpf.ProvisionInput{DeviceID: bs.DeviceID, TargetKey: bs.Key, SUPI: req.SUPI})
		if r != nil {
			return r.Reply()
		}
		c.Target = res.SUPI
		return cpf.JSONReply(http.StatusCreated, provproto.ProvisionResponse{
			SUPI: res.SUPI, OperationID: res.OperationID, State: provproto.StatePending, ExpiresAt: res.ExpiresAt.UTC(),
			Binding: provproto.BindingOf(res.Binding), Sealed: res.Sealed,
		}).With("Location", a.prefix+provproto.TargetPath(res.SUPI))
	})
}

func (a *api) confirm(c *cpf.Call) cpf.Reply {
	return a.handle(c, func(p cpf.Principal) cpf.Reply {
		c.Target = c.Req.PathValue("supi")
		var req provproto.ConfirmRequest
		if err := provproto.Decode(c.Body, &req); err != nil {
			return cpf.Malformed(err).Reply()
		}
		t, r := a.b.Confirm(c.Context(), p, cpf.ConfirmInput{SUPI: c.Target, OperationID: req.OperationID, Proof: req.Proof})
		if r != nil {
			return r.Reply()
		}
		return cpf.JSONReply(http.StatusOK, statusOf(t))
	})
}

func (a *api) deprovision(c *cpf.Call) cpf.Reply {
	return a.handle(c, func(p cpf.Principal) cpf.Reply {
		c.Target = c.Req.PathValue("supi")
		if r := noBody(c); r != nil {
			return r.Reply()
		}
		t, r := a.b.Deprovision(c.Context(), p, c.Target)
		if r != nil {
			return r.Reply()
		}
		return cpf.JSONReply(http.StatusOK, statusOf(t))
	})
}

func (a *api) status(c *cpf.Call) cpf.Reply {
	return a.handle(c, func(p cpf.Principal) cpf.Reply {
		c.Target = c.Req.PathValue("supi")
		if r := noBody(c); r != nil {
			return r.Reply()
		}
		t, r := a.b.Status(c.Context(), p, c.Target)
		if r != nil {
			return r.Reply()
		}
		return cpf.JSONReply(http.StatusOK, statusOf(t))
	})
}

// --- device half ---------------------------------------------------------

// PrepareTarget arms the TD's secure direct-link responder.
func (*Profile) PrepareTarget(ctx context.Context, td profile.TD) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return td.ArmResponder(dlink.Secure)
}

// Client is the PD side of the secure protocol: one MACed, counter-bearing
// exchange with the CPF whose answer's MAC is checked. Attack code sets
// Options to lie on purpose.
type Client struct {
	PD profile.PD
	// Profile is the API's URL segment (default "secure"; a profile that
	// reuses this protocol under its own name sets it).
	Profile string
	Options provproto.EncodeOptions
	// Counter, when not zero, is used instead of PD.NextCounter (a replay).
	Counter uint64
}

// Do sends one request to path (relative to the profile root) and returns
// the answer; a success answer must carry a valid MAC, a refusal is a
// *profile.RefusedError whose Authentic says whether its MAC verified.
func (c Client) Do(ctx context.Context, op, method, path string, body []byte, want int, out provproto.Message) error {
	svc := c.PD.CPF()
	creds, err := c.PD.AKMA(svc.AFID)
	if err != nil {
		return fmt.Errorf("secure: PD AKMA keys: %w", err)
	}
	ctr := c.Counter
	if ctr == 0 {
		if ctr, err = c.PD.NextCounter(); err != nil {
			return fmt.Errorf("secure: PD counter: %w", err)
		}
	}
	name := c.Profile
	if name == "" {
		name = Name
	}
	u := svc.URL(name) + path
	target, err := profile.RequestTarget(u)
	if err != nil {
		return err
	}
	auth := provproto.SignRequest(creds, ctr, provproto.Request{Method: method, Path: target, Body: body}, c.Options)
	ans, err := profile.Send(ctx, c.PD.HTTPClient(), method, u, body, map[string]string{provproto.HeaderAuthorization: auth.Header()})
	if err != nil {
		return err
	}
	// The MAC is checked against what the PD meant to send.
	honest := auth
	honest.AKID, honest.Counter = creds.AKID, ctr
	macErr := provproto.VerifyResponse(creds.KAF, honest, ans.Status, ans.Body, ans.Header.Get(provproto.HeaderAuthInfo))
	if r := ans.Refusal(op); r != nil {
		r.Authentic = macErr == nil
		return r
	}
	if macErr != nil {
		return fmt.Errorf("%w: %s: %w", profile.ErrResponse, op, macErr)
	}
	return ans.Decode(op, want, out)
}

// ProvisionTarget runs steps 4-6: the MACed provisioning request, the sealed
// delivery over the secure direct link, and the confirmation with the TD's
// proof of possession.
func (p *Profile) ProvisionTarget(ctx context.Context, pd profile.PD, td profile.TD) (profile.Provisioned, error) {
	bs := td.Bootstrap()
	body, err := provproto.Encode(&provproto.SecureProvisionRequest{BootstrapURI: bs.URI()})
	if err != nil {
		return profile.Provisioned{}, fmt.Errorf("secure: %w", err)
	}
	cl := Client{PD: pd}
	var rsp provproto.ProvisionResponse
	if err := cl.Do(ctx, cpf.OpProvision, http.MethodPost, provproto.PathTargets, body, http.StatusCreated, &rsp); err != nil {
		return profile.Provisioned{}, err
	}
	binding := rsp.Binding.Credential()
	if binding.TargetID != bs.DeviceID || len(rsp.Sealed) == 0 {
		return profile.Provisioned{}, fmt.Errorf("%w: provisioning answer is not for device %s", profile.ErrResponse, bs.DeviceID)
	}
	res, err := pd.RunInitiator(ctx, td, dlink.InitiatorConfig{Variant: dlink.Secure, Target: bs, Sealed: rsp.Sealed, Binding: binding})
	if err != nil {
		return profile.Provisioned{}, fmt.Errorf("secure: direct link: %w", err)
	}
	if !res.OK() {
		return profile.Provisioned{}, &profile.LinkError{Status: res.Status, Reason: res.Reason}
	}
	out := profile.Provisioned{SUPI: rsp.SUPI, DeviceID: bs.DeviceID, OperationID: rsp.OperationID, Binding: binding, ExpiresAt: rsp.ExpiresAt}
	cbody, err := provproto.Encode(&provproto.ConfirmRequest{OperationID: rsp.OperationID, Proof: res.Proof})
	if err != nil {
		return out, fmt.Errorf("%w: the target's proof: %w", profile.ErrDirectLink, err)
	}
	var st provproto.TargetStatus
	if err := cl.Do(ctx, cpf.OpConfirm, http.MethodPost, provproto.ConfirmPath(rsp.SUPI), cbody, http.StatusOK, &st); err != nil {
		return out, err
	}
	out.Confirmed = true
	if st.ExpiresAt != nil {
		out.ExpiresAt = *st.ExpiresAt
	}
	return out, nil
}

// Deprovision runs step 8: a MACed DELETE with a fresh counter.
func (p *Profile) Deprovision(ctx context.Context, pd profile.PD, tdSUPI string) (profile.Deprovisioned, error) {
	var st provproto.TargetStatus
	if err := (Client{PD: pd}).Do(ctx, cpf.OpDeprovision, http.MethodDelete, provproto.TargetPath(tdSUPI), nil, http.StatusOK, &st); err != nil {
		return profile.Deprovisioned{}, err
	}
	if st.SUPI != tdSUPI || st.State != provproto.StateRemoved {
		return profile.Deprovisioned{}, fmt.Errorf("%w: deprovisioning answer for %s in state %s", profile.ErrResponse, st.SUPI, st.State)
	}
	return profile.Deprovisioned{SUPI: st.SUPI, State: st.State}, nil
}

// Status asks the CPF about a target (MACed, with a fresh counter).
func (p *Profile) Status(ctx context.Context, pd profile.PD, tdSUPI string) (provproto.TargetStatus, error) {
	var st provproto.TargetStatus
	err := (Client{PD: pd}).Do(ctx, cpf.OpStatus, http.MethodGet, provproto.TargetPath(tdSUPI), nil, http.StatusOK, &st)
	return st, err
}
