package blocks

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue/dlink"
	"github.com/credbed/credbed/ue/roles"
)

// RogueProvisionArgs are the arguments of rogue_provision.
type RogueProvisionArgs struct {
	// Target is the target device, whose published bootstrap information
	// (QR code) the actor read.
	Target scenarios.ActorRef `yaml:"target"`
	// SUPI of the made-up credential (default: an IMSI of the home PLMN
	// that no subscription uses).
	SUPI string `yaml:"supi"`
	// Counter is the binding counter the actor writes (default 1). A
	// careful forger picks a large one to pass the TD's replay check.
	Counter uint64 `yaml:"counter"`
}

// Validate requires the target and checks the SUPI.
func (a *RogueProvisionArgs) Validate() error {
	if a.Target == "" {
		return fmt.Errorf("target is required (the target device to deliver to)")
	}
	if a.SUPI != "" {
		s, err := ident.ParseSUPI(a.SUPI)
		if err != nil {
			return fmt.Errorf("supi: %w", err)
		}
		if s.Type != ident.SUPITypeIMSI {
			return fmt.Errorf("supi: want an IMSI")
		}
	}
	if a.Counter == 0 {
		a.Counter = 1
	}
	return nil
}

// pdConfigured is a provisioning device that knows its home network (the
// testbed's roles.ProvisioningDevice, and a rogue PD embedding one).
type pdConfigured interface {
	Config() roles.PDConfig
}

// unusedMSIN is the MSIN of the default forged SUPI: generated subscribers,
// PDs and provisioned targets all sit far below it (testbed.TargetRange).
const unusedMSIN = "9999999999"

// RogueProvision is a provisioning device that bypasses the network
// (reference/3gpp.md §6.1 D3 and D9): it makes up a credential itself
// (random K and OPc, a SUPI the network never issued, no home network key)
// and delivers it to the target over the direct link in the run profile's
// variant, as a DPP configurator that has read the target's QR code can:
// secure, sealed to the published bootstrap key with a binding naming the
// target, after the responder-only handshake; baseline, in a
// PlainCredential frame. The network never hears of it. The step fails when
// the target refuses; the saved value is the forged SUPI (never a key).
func RogueProvision() *scenarios.Block {
	return scenarios.NewCapability("rogue_provision", scenarios.Spec{
		Summary: "a PD delivers a self-made credential to the target over the direct link, bypassing the CPF",
		Actor:   scenarios.ActorRequired, Roles: pdRoles(), Ifaces: []string{trace.IfaceDL},
	}, func(ctx context.Context, st *scenarios.State, actor string, a *RogueProvisionArgs) (any, error) {
		p, err := ProfileOf(st)
		if err != nil {
			return nil, err
		}
		pd, err := PDOf(st, actor)
		if err != nil {
			return nil, err
		}
		td, err := TDOf(st, string(a.Target))
		if err != nil {
			return nil, err
		}
		pc, ok := pd.(pdConfigured)
		if !ok {
			return nil, fmt.Errorf("%w: actor %q (%T) does not know its home network", scenarios.ErrRole, actor, pd)
		}
		plmn := pc.Config().PLMN
		supi := a.SUPI
		if supi == "" {
			supi = "imsi-" + plmn.MCC + plmn.MNC + unusedMSIN[:15-len(plmn.MCC)-len(plmn.MNC)]
		}
		sid, err := ident.ParseSUPI(supi)
		if err != nil {
			return nil, err
		}
		rnd := newSeededReader(st)
		bs := td.Bootstrap()
		pkg := credential.Package{SUPI: sid, AMF: credential.DefaultAMF(), RoutingIndicator: roles.DefaultRoutingIndicator, PLMN: plmn,
			Binding: credential.Binding{TargetID: bs.DeviceID, PDID: pd.SUPI(), Counter: a.Counter,
				Expiry: st.Env().Clock().Now().Add(time.Hour).Truncate(time.Second)}}
		defer pkg.Wipe()
		if _, err := io.ReadFull(rnd, pkg.K[:]); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(rnd, pkg.OPc[:]); err != nil {
			return nil, err
		}
		if err := pkg.Validate(); err != nil {
			return nil, fmt.Errorf("forged package: %w", err)
		}
		cfg := dlink.InitiatorConfig{Variant: p.DirectLink(), Target: bs}
		switch p.DirectLink() {
		case dlink.Secure:
			cfg.Binding = pkg.Binding
			cfg.Sealed, err = credential.Seal(rnd, bs.Key, credential.SealAAD(bs.DeviceID, bs.Hash()), pkg)
			if err != nil {
				return nil, fmt.Errorf("sealing the forged credential: %w", err)
			}
		default:
			cfg.Package = &pkg
			st.MarkCapture("rogue_provision sends a made-up credential in clear on the direct link")
		}
		st.Emit(trace.Event{Kind: trace.KindAttack, Actor: actor, Iface: trace.IfaceDL, Name: "rogue_provision", SUPI: supi,
			Detail: fmt.Sprintf("delivering a self-made credential (counter %d) to %s, bypassing the CPF", a.Counter, a.Target)})
		res, err := pd.RunInitiator(ctx, td, cfg)
		if err != nil {
			return nil, fmt.Errorf("rogue_provision: direct link: %w", err)
		}
		if !res.OK() {
			return nil, fmt.Errorf("rogue_provision: the target refused: %v: %s", res.Status, strings.TrimSpace(res.Reason))
		}
		return supi, nil
	})
}
