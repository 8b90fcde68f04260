package blocks

import (
	"bytes"
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue/dlink"
)

// DLReplayArgs are the arguments of dl_replay.
type DLReplayArgs struct {
	// From is the save name of a tap that recorded the direct link.
	From scenarios.Ref `yaml:"from"`
	// Target is the target device the recorded frames went to (and go to again).
	Target scenarios.ActorRef `yaml:"target"`
	// Session picks the recorded exchange by order of its first frame
	// (0 = the first, -1 = the last).
	Session int `yaml:"session"`
}

// Validate requires the tap and the target.
func (a *DLReplayArgs) Validate() error {
	if a.From == "" {
		return fmt.Errorf("from is required (the save name of a tap on the direct link)")
	}
	if a.Target == "" {
		return fmt.Errorf("target is required (the target device of the recorded session)")
	}
	return nil
}

// Ifaces is the direct link.
func (a *DLReplayArgs) Ifaces() []string { return []string{trace.IfaceDL} }

// DLReplayed reports what dl_replay sent.
type DLReplayed struct {
	Frames  int // frames replayed
	Packets int // fragments injected
}

// dlRecorded is one recorded frame towards the target with its fragments.
type dlRecorded struct {
	tx    uint32
	frame []byte
	parts []transport.Packet
}

// DLReplay replays a recorded provisioning session to the target device
// (reference/3gpp.md §6.1 D5): it reassembles what a tap recorded, groups
// the frames sent to the target by transaction, and injects the frames of
// the chosen session again in their order, as the original sender and
// byte for byte, letting the target answer each before the next. A frame
// recorded twice (a retransmission) is sent once.
func DLReplay() *scenarios.Block {
	return scenarios.NewCapability("dl_replay", AttackSpec(
		"replay the frames a tap recorded towards a target device in one past direct-link session",
	), func(ctx context.Context, st *scenarios.State, actor string, a *DLReplayArgs) (any, error) {
		v, err := st.Value(a.From)
		if err != nil {
			return nil, err
		}
		tap, ok := v.(*Tapped)
		if !ok {
			return nil, fmt.Errorf("%q is not a tap (%T)", a.From, v)
		}
		td, err := TDOf(st, string(a.Target))
		if err != nil {
			return nil, err
		}
		to := td.DirectLinkAddr()
		reasm := map[string]*dlink.Reassembler{}
		held := map[string][]transport.Packet{}
		var frames []dlRecorded
		var order []uint32
		for _, p := range tap.Packets() {
			if p.Kind != transport.DL || p.To != to {
				continue
			}
			k := p.From.String()
			r := reasm[k]
			if r == nil {
				r = &dlink.Reassembler{}
				reasm[k] = r
			}
			held[k] = append(held[k], p)
			b, err := r.Push(p.Payload)
			if err != nil {
				held[k] = nil
				continue
			}
			if b == nil {
				continue
			}
			parts := held[k]
			held[k] = nil
			h, err := dlink.ParseHeader(b)
			if err != nil {
				continue
			}
			dup := false
			for _, f := range frames {
				dup = dup || bytes.Equal(f.frame, b)
			}
			if dup {
				continue
			}
			if len(order) == 0 || !containsTx(order, h.TxID) {
				order = append(order, h.TxID)
			}
			// Keep the fragments of this frame only (the reassembler drops
			// a message interrupted by another).
			n := len(parts)
			if c := int(parts[n-1].Payload[3]); c <= n {
				parts = parts[n-c:]
			}
			frames = append(frames, dlRecorded{tx: h.TxID, frame: b, parts: parts})
		}
		if len(order) == 0 {
			return nil, fmt.Errorf("tap %q recorded no complete frame towards %s (of %d packets)", a.From, a.Target, tap.Len())
		}
		i := a.Session
		if i < 0 {
			i += len(order)
		}
		if i < 0 || i >= len(order) {
			return nil, fmt.Errorf("session %d out of %d recorded sessions", a.Session, len(order))
		}
		tx := order[i]
		rep := NewReporter(st, trace.KindAttack, actor, "dl_replay")
		res := DLReplayed{}
		for _, f := range frames {
			if f.tx != tx {
				continue
			}
			h, _ := dlink.ParseHeader(f.frame)
			for _, p := range f.parts {
				rep.Act(p, "replayed "+h.Type.String())
				if err := st.Inject(ctx, p); err != nil {
					return res, fmt.Errorf("replaying %s: %w", Describe(p), err)
				}
				res.Packets++
			}
			res.Frames++
			if err := st.Settle(ctx); err != nil {
				return res, err
			}
		}
		return res, nil
	})
}

func containsTx(l []uint32, tx uint32) bool {
	for _, x := range l {
		if x == tx {
			return true
		}
	}
	return false
}
