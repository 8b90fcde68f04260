package bench

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/credbed/credbed/internal/clock"
)

// ErrOptions reports unusable Options.
var ErrOptions = errors.New("bench: invalid options")

// Phase names one measurement of a run.
type Phase string

// Phases, in the order Run executes them.
const (
	PhaseCryptoFloor   Phase = "crypto-floor"
	PhaseRegistrations Phase = "registrations"
	// PhaseHalfRate registers UEs on a fresh system at half the rate the
	// registration phase achieved, for the latency target of DESIGN.md
	// ("p99 at half the peak rate").
	PhaseHalfRate   Phase = "half-rate"
	PhaseLifecycles Phase = "lifecycles"
	PhaseUPF        Phase = "upf"
)

// AllPhases lists every phase in run order.
func AllPhases() []Phase {
	return []Phase{PhaseCryptoFloor, PhaseRegistrations, PhaseHalfRate, PhaseLifecycles, PhaseUPF}
}

// ParsePhases parses a comma-separated list of phase names ("" or "all" is
// every phase).
func ParsePhases(s string) ([]Phase, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return AllPhases(), nil
	}
	var out []Phase
	for _, f := range strings.Split(s, ",") {
		p := Phase(strings.TrimSpace(f))
		if !slices.Contains(AllPhases(), p) {
			return nil, fmt.Errorf("%w: unknown phase %q (want %s)", ErrOptions, f, phaseList())
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

func phaseList() string {
	var s []string
	for _, p := range AllPhases() {
		s = append(s, string(p))
	}
	return strings.Join(s, ", ")
}

// Progress receives progress while a run goes on (the command line draws a
// bar from it). Add is called from many goroutines and must be cheap.
type Progress interface {
	// Phase announces a new phase; total is the number of items, or -1
	// when the phase runs for a duration.
	Phase(p Phase, total int64)
	// Add reports n more items done in the current phase.
	Add(n int64)
}

// Defaults.
const (
	DefaultUEs         = 10000
	DefaultConcurrency = 64
	DefaultDuration    = 2 * time.Second
	DefaultProfile     = "secure"
	DefaultLifecycles  = 1000
	MaxUEs             = 10_000_000
	MaxConcurrency     = 100_000
)

// Options configure a run. The zero value (after Validate) is a mem-mode run
// of every phase with DefaultUEs UEs.
type Options struct {
	// Mode is the testbed transport: "mem" (default) or "net".
	Mode string
	// UEs is the number of UEs registered in the registration phase.
	UEs int
	// Lifecycles is the number of provisioning lifecycles (default
	// min(UEs, DefaultLifecycles)).
	Lifecycles int
	// Concurrency is the number of load workers (default DefaultConcurrency).
	Concurrency int
	// Rate is the target arrival rate of registrations and lifecycles per
	// second; 0 means as fast as the workers go.
	Rate float64
	// Ramp raises the arrival rate linearly from 0 to Rate over this time.
	Ramp time.Duration
	// Burst is how many arrivals the token bucket lets through at once after
	// an idle spell (default Concurrency).
	Burst int
	// Duration is how long the crypto floor and UPF phases measure
	// (default DefaultDuration).
	Duration time.Duration
	// CryptoSets, when positive, runs exactly this many crypto floor sets
	// instead of measuring for Duration.
	CryptoSets int
	// UPFPackets, when positive, sends exactly this many G-PDUs in the UPF
	// phase instead of sending for Duration.
	UPFPackets int
	// Profile is the solution profile of the lifecycles (default "secure").
	Profile string
	// Seed drives every random choice (keys, subscribers).
	Seed int64
	// Phases selects what runs (default: every phase).
	Phases []Phase
	// Clock paces the load generator and times phases (default: wall clock).
	Clock clock.Clock
	// Progress, when set, receives progress.
	Progress Progress
}

// Validate checks o and fills defaults.
func (o *Options) Validate() error {
	switch o.Mode {
	case "":
		o.Mode = "mem"
	case "mem", "net":
	default:
		return fmt.Errorf("%w: mode %q (want mem or net)", ErrOptions, o.Mode)
	}
	if o.UEs == 0 {
		o.UEs = DefaultUEs
	}
	if o.UEs < 0 || o.UEs > MaxUEs {
		return fmt.Errorf("%w: ues %d (want 1 to %d)", ErrOptions, o.UEs, MaxUEs)
	}
	if o.Lifecycles == 0 {
		o.Lifecycles = min(o.UEs, DefaultLifecycles)
	}
	if o.Lifecycles < 0 || o.Lifecycles > MaxUEs {
		return fmt.Errorf("%w: lifecycles %d (want 1 to %d)", ErrOptions, o.Lifecycles, MaxUEs)
	}
	if o.Concurrency == 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Concurrency < 0 || o.Concurrency > MaxConcurrency {
		return fmt.Errorf("%w: concurrency %d (want 1 to %d)", ErrOptions, o.Concurrency, MaxConcurrency)
	}
	if o.Rate < 0 || math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0) {
		return fmt.Errorf("%w: rate %v (want >= 0; 0 is unlimited)", ErrOptions, o.Rate)
	}
	if o.Ramp < 0 {
		return fmt.Errorf("%w: ramp %v is negative", ErrOptions, o.Ramp)
	}
	if o.Ramp > 0 && o.Rate == 0 {
		return fmt.Errorf("%w: a ramp needs a rate", ErrOptions)
	}
	if o.Burst == 0 {
		o.Burst = o.Concurrency
	}
	if o.Burst < 0 {
		return fmt.Errorf("%w: burst %d is negative", ErrOptions, o.Burst)
	}
	if o.Duration == 0 {
		o.Duration = DefaultDuration
	}
	if o.Duration < 0 {
		return fmt.Errorf("%w: duration %v is negative", ErrOptions, o.Duration)
	}
	if o.CryptoSets < 0 || o.UPFPackets < 0 {
		return fmt.Errorf("%w: negative crypto set or packet count", ErrOptions)
	}
	if o.Profile == "" {
		o.Profile = DefaultProfile
	}
	if len(o.Phases) == 0 {
		o.Phases = AllPhases()
	}
	for _, p := range o.Phases {
		if !slices.Contains(AllPhases(), p) {
			return fmt.Errorf("%w: unknown phase %q", ErrOptions, p)
		}
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	return nil
}

// runs reports whether phase p is selected.
func (o *Options) runs(p Phase) bool { return slices.Contains(o.Phases, p) }

func (o *Options) phase(p Phase, total int64) {
	if o.Progress != nil {
		o.Progress.Phase(p, total)
	}
}

func (o *Options) add(n int64) {
	if o.Progress != nil {
		o.Progress.Add(n)
	}
}
