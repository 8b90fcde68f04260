package blocks

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue/roles"
)

// DefaultEchoService is the UDP echo service of the emulated data network
// (internal/dn defaults: services at 10.100.0.1, echo on port 7).
const DefaultEchoService = "10.100.0.1:7"

// EchoArgs are the arguments of echo.
type EchoArgs struct {
	// To is the echo service, an IP:port literal inside the data network
	// (default DefaultEchoService).
	To string `yaml:"to"`
	// Within bounds the wait for the answer (default 1s).
	Within time.Duration `yaml:"within"`
	// Payload is the probe (default "credbed echo probe").
	Payload Bytes `yaml:"payload"`
}

// Validate fills defaults and checks the address.
func (a *EchoArgs) Validate() error {
	if a.To == "" {
		a.To = DefaultEchoService
	}
	if _, err := netip.ParseAddrPort(a.To); err != nil {
		return fmt.Errorf("to %q is not an IP:port literal: %w", a.To, err)
	}
	if a.Within == 0 {
		a.Within = time.Second
	}
	if a.Within < 0 || a.Within > time.Minute {
		return fmt.Errorf("within %s out of range (0, 1m]", a.Within)
	}
	if len(a.Payload) == 0 {
		a.Payload = Bytes("credbed echo probe")
	}
	if len(a.Payload) > 1200 {
		return fmt.Errorf("payload over 1200 bytes")
	}
	return nil
}

// Echo sends one UDP probe from the actor's PDU session to an echo service
// in the data network and waits for it to come back (user-plane data
// through N3, the UPF and N6). No session, no user plane or no answer
// within the bound fails the step: e.g. after deprovisioning released the
// session (reference/3gpp.md §6.3 X5, "data stops").
func Echo() *scenarios.Block {
	return scenarios.NewAction("echo", scenarios.Spec{
		Summary: "user-plane probe: a UDP echo from the actor's PDU session to the data network; no answer fails the step",
		Actor:   scenarios.ActorRequired, Roles: ueRoles(), Ifaces: []string{trace.IfaceN3, trace.IfaceN6},
	}, func(ctx context.Context, st *scenarios.State, actor string, a *EchoArgs) (any, error) {
		u, err := UEOf(st, actor)
		if err != nil {
			return nil, err
		}
		to, err := netip.ParseAddrPort(a.To)
		if err != nil {
			return nil, err
		}
		cctx, cancel := context.WithTimeout(ctx, a.Within)
		defer cancel()
		err = roles.Echo(cctx, u, to, a.Payload)
		name, _, _ := st.Identity(actor)
		if name == "" {
			name = actor
		}
		ev := trace.Event{Kind: trace.KindNote, Actor: scenarios.ActorScenario, Iface: trace.IfaceN3, Peer: name, Name: "echo", Detail: "answered by " + a.To}
		if err != nil {
			ev.Detail = "no answer from " + a.To + ": " + err.Error()
		}
		st.Emit(ev)
		return nil, err
	})
}
