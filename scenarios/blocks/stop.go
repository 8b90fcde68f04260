package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/scenarios"
)

// StopArgs are the arguments of stop.
type StopArgs struct {
	// Capability is the save name of an installed capability or fault.
	Capability scenarios.Ref `yaml:"capability"`
}

// Validate requires the reference.
func (a *StopArgs) Validate() error {
	if a.Capability == "" {
		return fmt.Errorf("capability is required (the save name of an installed capability)")
	}
	return nil
}

// Stop removes an installed capability (tap, drop, delay, duplicate,
// modify, bit_flip, link_down, loss) from the chain.
func Stop() *scenarios.Block {
	return scenarios.NewCapability("stop", scenarios.Spec{
		Summary: "remove an installed capability or fault (by its save name)",
	}, func(_ context.Context, st *scenarios.State, _ string, a *StopArgs) (any, error) {
		v, err := st.Value(a.Capability)
		if err != nil {
			return nil, err
		}
		s, ok := v.(interface{ Stop() })
		if !ok {
			return nil, fmt.Errorf("%q (%T) is not an installed capability", a.Capability, v)
		}
		s.Stop()
		return nil, nil
	})
}
