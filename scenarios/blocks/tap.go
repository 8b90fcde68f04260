package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/internal/transport/intercept"
	"github.com/credbed/credbed/scenarios"
)

// TapArgs are the arguments of tap.
type TapArgs struct {
	Selector `yaml:",inline"`
	// Max bounds the packets kept (default intercept.DefaultRecorderMax).
	Max int `yaml:"max"`
}

// Tapped is a running tap: a passive recorder of the packets it selects.
// Save it to replay its packets or to stop it.
type Tapped struct {
	*Handle
	rec *intercept.Recorder
}

// Packets returns deep copies of the recorded packets.
func (t *Tapped) Packets() []transport.Packet { return t.rec.Packets() }

// Len returns the number of recorded packets.
func (t *Tapped) Len() int { return t.rec.Len() }

// Tap is the passive eavesdropper: it records the packets its selector
// picks (what was sent, before any later capability acts) and passes them.
func Tap() *scenarios.Block {
	return scenarios.NewCapability("tap", AttackSpec(
		"record the selected packets (passive eavesdropper); save it to replay them",
	), func(_ context.Context, st *scenarios.State, actor string, a *TapArgs) (any, error) {
		if a.Max < 0 {
			return nil, fmt.Errorf("max must not be negative")
		}
		m, err := a.Match(st)
		if err != nil {
			return nil, err
		}
		rec := intercept.NewRecorder(a.Limit(m), a.Max)
		rep := NewReporter(st, trace.KindAttack, actor, "tap")
		f := rec.Interceptor()
		h := Install(st, "tap", rep, func(p transport.Packet) []transport.Packet {
			before := rec.Len()
			out := f(p)
			if rec.Len() != before {
				rep.n.Add(1)
			}
			return out
		})
		rep.Note(fmt.Sprintf("tap installed on %v", describeSel(&a.Selector)))
		st.Defer(func() { rep.Note(fmt.Sprintf("tap recorded %d packets (%d not kept)", rec.Len(), rec.Overflow())) })
		return &Tapped{Handle: h, rec: rec}, nil
	})
}

// describeSel is a short text for a selector.
func describeSel(s *Selector) string {
	out := "every link"
	if len(s.Iface) > 0 {
		out = fmt.Sprint(s.Iface)
	}
	if s.From != "" {
		out += " from " + string(s.From)
	}
	if s.To != "" {
		out += " to " + string(s.To)
	}
	if s.PathPrefix != "" || s.Path != "" {
		out += " path " + s.PathPrefix + s.Path
	}
	if s.DLFrame != "" {
		out += " frame " + s.DLFrame
	}
	return out
}
