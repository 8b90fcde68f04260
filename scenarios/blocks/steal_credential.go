package blocks

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue/dlink"
)

// StealCredentialArgs are the arguments of steal_credential.
type StealCredentialArgs struct {
	// From is the save name of a tap on the direct link.
	From scenarios.Ref `yaml:"from"`
}

// Validate requires the tap.
func (a *StealCredentialArgs) Validate() error {
	if a.From == "" {
		return fmt.Errorf("from is required (the save name of a tap on the direct link)")
	}
	return nil
}

// Ifaces is the direct link.
func (a *StealCredentialArgs) Ifaces() []string { return []string{trace.IfaceDL} }

// StealCredential is the passive eavesdropper's payoff (3gpp.md §6.1 D1):
// it reassembles the direct-link frames a tap recorded, looks for a
// credential sent in clear, and installs it in the actor's own UE, which can
// then try to register as the target. It fails when the tap holds no
// readable credential. The saved value is the stolen SUPI (never a key).
func StealCredential() *scenarios.Block {
	return scenarios.NewCapability("steal_credential", scenarios.Spec{
		Summary: "read a plaintext credential from a direct-link tap and install it in the actor's UE",
		Actor:   scenarios.ActorRequired, Roles: attackerRoles(),
	}, func(_ context.Context, st *scenarios.State, actor string, a *StealCredentialArgs) (any, error) {
		v, err := st.Value(a.From)
		if err != nil {
			return nil, err
		}
		tap, ok := v.(*Tapped)
		if !ok {
			return nil, fmt.Errorf("%q is not a tap (%T)", a.From, v)
		}
		u, err := UEOf(st, actor)
		if err != nil {
			return nil, err
		}
		frames, seen := dlFrames(tap.Packets())
		for _, f := range frames {
			pc, ok := f.(dlink.PlainCredential)
			if !ok {
				continue
			}
			pkg, err := credential.ParsePackage(pc.Package)
			if err != nil {
				continue
			}
			if err := u.InstallPackage(pkg); err != nil {
				return nil, fmt.Errorf("installing the stolen credential: %w", err)
			}
			supi := pkg.SUPI.String()
			st.MarkCapture("the direct link carried a credential in clear")
			st.Emit(trace.Event{Kind: trace.KindAttack, Actor: actor, Iface: trace.IfaceDL, Name: "steal_credential",
				SUPI: supi, Detail: "credential read in clear from the direct link and installed"})
			return supi, nil
		}
		return nil, fmt.Errorf("no readable credential in %d direct-link frames (%s)", len(frames), strings.Join(seen, ", "))
	})
}

// dlFrames reassembles and decodes the direct-link frames among pkts (per
// sender), returning them and the names of their types.
func dlFrames(pkts []transport.Packet) ([]dlink.Frame, []string) {
	reasm := map[string]*dlink.Reassembler{}
	var out []dlink.Frame
	var names []string
	for _, p := range pkts {
		if p.Kind != transport.DL {
			continue
		}
		r := reasm[p.From.String()]
		if r == nil {
			r = &dlink.Reassembler{}
			reasm[p.From.String()] = r
		}
		b, err := r.Push(p.Payload)
		if err != nil || b == nil {
			continue
		}
		f, err := dlink.Decode(b)
		if err != nil {
			continue
		}
		out = append(out, f)
		if n := f.FrameType().String(); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return out, names
}
