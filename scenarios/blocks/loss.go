package blocks

import (
	"context"
	"fmt"
	"sync"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// LossArgs are the arguments of loss.
type LossArgs struct {
	Selector `yaml:",inline"`
	// Rate is the probability in [0, 1] that a selected packet is lost
	// (seeded from the run's seed).
	Rate float64 `yaml:"rate"`
}

// Validate checks the rate.
func (a *LossArgs) Validate() error {
	if err := a.Selector.Validate(); err != nil {
		return err
	}
	if a.Rate <= 0 || a.Rate > 1 {
		return fmt.Errorf("rate %v: want (0, 1]", a.Rate)
	}
	return nil
}

// Loss is the fault "lossy link": selected packets are lost at random.
func Loss() *scenarios.Block {
	return scenarios.NewCapability("loss", scenarios.Spec{
		Summary: "fault: lose selected packets with probability `rate` (seeded)",
	}, func(_ context.Context, st *scenarios.State, actor string, a *LossArgs) (any, error) {
		var mu sync.Mutex
		rnd := st.NewRand()
		return InstallSelected(st, &a.Selector, trace.KindFault, actor, "loss", func(rep *Reporter, p transport.Packet) []transport.Packet {
			mu.Lock()
			lost := rnd.Float64() < a.Rate
			mu.Unlock()
			if lost {
				rep.Act(p, "lost")
				return nil
			}
			return []transport.Packet{p}
		})
	})
}
