package blocks

import (
	"context"
	"fmt"
	"strconv"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
)

func defaultSNSSAI() nasx.SNSSAI { return nasx.SNSSAI{SST: 1} }

// EstablishSessionArgs are the arguments of establish_session.
type EstablishSessionArgs struct {
	DNN string `yaml:"dnn"` // default "internet"
	SST int    `yaml:"sst"` // default 1
	SD  string `yaml:"sd"`  // 6 hex digits, optional
}

// Validate fills defaults.
func (a *EstablishSessionArgs) Validate() error {
	if a.DNN == "" {
		a.DNN = "internet"
	}
	if a.SST == 0 {
		a.SST = 1
	}
	if a.SST < 0 || a.SST > 255 {
		return fmt.Errorf("sst %d out of range", a.SST)
	}
	if a.SD != "" {
		if v, err := strconv.ParseUint(a.SD, 16, 32); err != nil || len(a.SD) != 6 || v > 0xffffff {
			return fmt.Errorf("sd %q: want 6 hex digits", a.SD)
		}
	}
	return nil
}

// EstablishSession runs UE-requested PDU session establishment (TS 24.501
// §6.4.1); a reject fails the step. The saved value is the ue.Session.
func EstablishSession() *scenarios.Block {
	return scenarios.NewAction("establish_session", scenarios.Spec{
		Summary: "PDU session establishment for the actor's UE; a reject fails the step",
		Actor:   scenarios.ActorRequired, Roles: ueRoles(), Ifaces: []string{trace.IfaceN1, trace.IfaceN2, trace.IfaceN3, trace.IfaceN4},
	}, func(ctx context.Context, st *scenarios.State, actor string, a *EstablishSessionArgs) (any, error) {
		u, err := UEOf(st, actor)
		if err != nil {
			return nil, err
		}
		sn := nasx.SNSSAI{SST: uint8(a.SST)}
		if a.SD != "" {
			v, _ := strconv.ParseUint(a.SD, 16, 32)
			sn.SD, sn.HasSD = uint32(v), true
		}
		s, err := u.EstablishSession(ctx, a.DNN, sn)
		if err != nil {
			return s, err
		}
		if !s.Accepted {
			return s, fmt.Errorf("PDU session not accepted: 5GSM cause #%d, 5GMM cause #%d", s.Cause, s.MMCause)
		}
		return s, nil
	})
}
