package blocks

import (
	"context"
	"fmt"
	"strings"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// ReplayNASArgs are the arguments of replay_nas.
type ReplayNASArgs struct {
	// Selector picks the NGAP messages whose NAS-PDU is replaced (e.g.
	// `nas: AUTHENTICATION REQUEST, count: 1`).
	Selector `yaml:",inline"`
	// FromTap is the save name of a tap on n2 that recorded earlier traffic.
	FromTap scenarios.Ref `yaml:"from_tap"`
	// Message names the NAS message taken from the tap (default: the
	// selector's nas); Index picks one of the recorded ones (0 = first,
	// -1 = last; default 0).
	Message string `yaml:"message"`
	Index   *int   `yaml:"index"`
}

// Validate checks the arguments.
func (a *ReplayNASArgs) Validate() error {
	if err := a.Selector.Validate(); err != nil {
		return err
	}
	if a.FromTap == "" {
		return fmt.Errorf("from_tap is required (the save name of a tap on n2)")
	}
	if a.Message == "" {
		a.Message = a.NAS
	}
	if a.Message == "" {
		return fmt.Errorf("message is required (or a nas selector): the NAS message to take from the tap")
	}
	if _, ok := nasType(a.Message); !ok {
		return fmt.Errorf("unknown NAS message %q", a.Message)
	}
	return nil
}

// Ifaces are the selector's, N2 and N1.
func (a *ReplayNASArgs) Ifaces() []string {
	return append(a.Selector.Ifaces(), trace.IfaceN2, trace.IfaceN1)
}

// ReplayNAS is the false base station (or a man in the middle on N2)
// replaying an old NAS message: the NAS-PDU of a message a tap recorded
// earlier (e.g. the AUTHENTICATION REQUEST of a past registration, with its
// old RAND and AUTN) replaces the NAS-PDU of the selected NGAP messages,
// whose NGAP framing (the UE's current context) is kept. It models
// reference/3gpp.md §6.5 K3: the UE must find the SQN not fresh (TS 33.102
// §6.3.3, Annex C.2) and answer with a synch failure, deriving no keys.
// The recorded message is chosen when the step runs.
func ReplayNAS() *scenarios.Block {
	return scenarios.NewCapability("replay_nas", AttackSpec(
		"replace the NAS-PDU of selected NGAP messages by a NAS message a tap recorded earlier",
	), func(_ context.Context, st *scenarios.State, actor string, a *ReplayNASArgs) (any, error) {
		v, err := st.Value(a.FromTap)
		if err != nil {
			return nil, err
		}
		tap, ok := v.(*Tapped)
		if !ok {
			return nil, fmt.Errorf("%q is not a tap (%T)", a.FromTap, v)
		}
		var seen [][]byte
		for _, p := range tap.Packets() {
			if view, ok := ViewN2(p); ok && strings.EqualFold(view.NASName(), a.Message) {
				seen = append(seen, view.NAS)
			}
		}
		if len(seen) == 0 {
			return nil, fmt.Errorf("tap %q recorded no %s (of %d packets)", a.FromTap, a.Message, tap.Len())
		}
		i := 0
		if a.Index != nil {
			i = *a.Index
			if i < 0 {
				i += len(seen)
			}
		}
		if i < 0 || i >= len(seen) {
			return nil, fmt.Errorf("index %d out of %d recorded %s", i, len(seen), a.Message)
		}
		old := seen[i]
		return InstallSelected(st, &a.Selector, trace.KindAttack, actor, "replay_nas", func(rep *Reporter, p transport.Packet) []transport.Packet {
			view, ok := ViewN2(p)
			if !ok || len(view.NAS) == 0 {
				return []transport.Packet{p}
			}
			q, err := WithNAS(p, old)
			if err != nil {
				rep.Note("replay_nas: " + err.Error())
				return []transport.Packet{p}
			}
			rep.Act(p, fmt.Sprintf("replaced %s by recorded %s #%d", view.NASName(), a.Message, i))
			return []transport.Packet{q}
		})
	})
}
