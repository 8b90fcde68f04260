package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/scenarios"
)

// CapabilityActedArgs are the arguments of capability_acted.
type CapabilityActedArgs struct {
	// Capability is the save name of an installed capability (tap, drop,
	// modify, dl_mitm...).
	Capability scenarios.Ref `yaml:"capability"`
	// Min (default 1) and Max (0: no bound) bound the packets it acted on
	// (for a tap: recorded).
	Min *int `yaml:"min"`
	Max int  `yaml:"max"`
}

// Validate requires the capability.
func (a *CapabilityActedArgs) Validate() error {
	if a.Capability == "" {
		return fmt.Errorf("capability is required (the save name of an installed capability)")
	}
	if a.Min != nil && *a.Min < 0 || a.Max < 0 {
		return fmt.Errorf("min and max must not be negative")
	}
	return nil
}

// acter is what installed capabilities return (a *Handle, a *Tapped).
type acter interface{ Acted() int64 }

// CapabilityActed is the check that an attack really happened: a
// scenario whose attacker never touched a packet proves nothing, so
// expectations name this check next to the outcome.
func CapabilityActed() *scenarios.Block {
	return scenarios.NewCheck("capability_acted", scenarios.Spec{
		Summary: "holds when a saved capability acted on (or recorded) between min (default 1) and max packets",
	}, func(_ context.Context, st *scenarios.State, a *CapabilityActedArgs) (scenarios.Verdict, error) {
		v, err := st.Value(a.Capability)
		if err != nil {
			return scenarios.Verdict{Detail: err.Error()}, nil
		}
		h, ok := v.(acter)
		if !ok {
			return scenarios.Verdict{Detail: fmt.Sprintf("%q is not an installed capability (%T)", a.Capability, v)}, nil
		}
		lo := 1
		if a.Min != nil {
			lo = *a.Min
		}
		n := h.Acted()
		ok = n >= int64(lo) && (a.Max == 0 || n <= int64(a.Max))
		return scenarios.Verdict{OK: ok, Detail: fmt.Sprintf("%s acted on %d packets (want %d..%s)", a.Capability, n, lo, maxText(a.Max))}, nil
	})
}

func maxText(m int) string {
	if m == 0 {
		return "any"
	}
	return fmt.Sprint(m)
}
