package blocks

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// ReplayArgs are the arguments of replay.
type ReplayArgs struct {
	// From is the save name of a tap.
	From scenarios.Ref `yaml:"from"`
	// Select filters the recorded packets (Skip/Count apply to them).
	Select Selector `yaml:"select"`
	// Index picks one of the filtered packets (0 = first, -1 = last);
	// All replays every one of them in order. Default: index 0.
	Index *int `yaml:"index"`
	All   bool `yaml:"all"`
	// Times repeats the replay (default 1); Interval waits between
	// repetitions on the environment's clock.
	Times    int           `yaml:"times"`
	Interval time.Duration `yaml:"interval"`
	// To re-addresses the packets (an actor, node or literal; the original
	// port is kept when the peer has none).
	To scenarios.Peer `yaml:"to"`
}

// Validate checks the arguments.
func (a *ReplayArgs) Validate() error {
	if a.From == "" {
		return fmt.Errorf("from is required (the save name of a tap)")
	}
	if err := a.Select.Validate(); err != nil {
		return fmt.Errorf("select: %w", err)
	}
	if a.All && a.Index != nil {
		return fmt.Errorf("index and all exclude each other")
	}
	if a.Times == 0 {
		a.Times = 1
	}
	if a.Times < 0 || a.Times > 10000 {
		return fmt.Errorf("times %d out of range [1, 10000]", a.Times)
	}
	if a.Interval < 0 {
		return fmt.Errorf("interval must not be negative")
	}
	return nil
}

// Ifaces returns the interfaces the filter names.
func (a *ReplayArgs) Ifaces() []string { return a.Select.Ifaces() }

// Replayed reports what replay sent.
type Replayed struct {
	Packets int // packets injected
}

// Replay re-injects packets a tap recorded (as if from their original sender).
func Replay() *scenarios.Block {
	return scenarios.NewCapability("replay", AttackSpec(
		"inject again packets a saved tap recorded (one, or all, `times` times)",
	), func(ctx context.Context, st *scenarios.State, actor string, a *ReplayArgs) (any, error) {
		v, err := st.Value(a.From)
		if err != nil {
			return nil, err
		}
		tap, ok := v.(*Tapped)
		if !ok {
			return nil, fmt.Errorf("%q is not a tap (%T)", a.From, v)
		}
		m, err := a.Select.Match(st)
		if err != nil {
			return nil, err
		}
		m = a.Select.Limit(m)
		var pkts []transport.Packet
		for _, p := range tap.Packets() {
			if m(p) {
				pkts = append(pkts, p)
			}
		}
		if len(pkts) == 0 {
			return nil, fmt.Errorf("tap %q recorded no matching packet (of %d)", a.From, tap.Len())
		}
		if !a.All {
			i := 0
			if a.Index != nil {
				i = *a.Index
			}
			if i < 0 {
				i += len(pkts)
			}
			if i < 0 || i >= len(pkts) {
				return nil, fmt.Errorf("index %d out of %d matching packets", i, len(pkts))
			}
			pkts = pkts[i : i+1]
		}
		if a.To != "" {
			for i := range pkts {
				to, err := st.ResolvePeer(a.To)
				if err != nil {
					return nil, err
				}
				if to.Port() == 0 {
					to = netipWithPort(to, pkts[i].To.Port())
				}
				pkts[i].To = to
			}
		}
		rep := NewReporter(st, trace.KindAttack, actor, "replay")
		sent := 0
		for t := range a.Times {
			if t > 0 && a.Interval > 0 {
				if err := st.Wait(ctx, a.Interval); err != nil {
					return Replayed{Packets: sent}, err
				}
			}
			for _, p := range pkts {
				rep.Act(p, "replayed")
				if err := st.Inject(ctx, p); err != nil {
					return Replayed{Packets: sent}, fmt.Errorf("replaying %s: %w", Describe(p), err)
				}
				sent++
			}
		}
		return Replayed{Packets: sent}, nil
	})
}

func netipWithPort(a netip.AddrPort, port uint16) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr(), port)
}
