package metrics

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/credbed/credbed/internal/clock"
)

// ErrOptions reports an invalid Options value.
var ErrOptions = errors.New("metrics: invalid options")

// Defaults.
const (
	DefaultNamespace      = "credbed"
	DefaultMaxSeries      = 4096
	DefaultMaxPending     = 1 << 16
	DefaultPendingTimeout = time.Minute
	// MaxPerKey bounds the unanswered requests kept for one pairing key;
	// older ones are forgotten first.
	MaxPerKey = 256
	// maxLabelLen truncates label values longer than this (bytes).
	maxLabelLen = 128
)

// DefaultBuckets returns the latency histogram bounds in seconds: from
// 50 µs (embedded, in-memory links) to 10 s (timer-driven retransmissions).
func DefaultBuckets() []float64 {
	return []float64{
		0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
		0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
	}
}

// Procedure times a message exchange seen by one actor: from a KindMessage
// named Start to the next KindMessage named in Success or Failure, of the
// same context (the per-UE Actor, or the SUPI). Messages without a context
// key (an AMF before it knows the SUPI) are not timed.
type Procedure struct {
	Name    string   // the "procedure" label value: "registration"
	NF      string   // nf label it applies to; "" = every nf
	Start   string   // message that starts it
	Success []string // messages that end it with result="success"
	Failure []string // messages that end it with result="failure"
}

// DefaultProcedures returns the NAS procedures timed when
// Options.Procedures is nil (TS 24.501 §5.5.1, §5.5.2, §5.6.1, §5.4.2, §6.4.1).
func DefaultProcedures() []Procedure {
	return []Procedure{
		{Name: "registration", Start: "REGISTRATION REQUEST",
			Success: []string{"REGISTRATION ACCEPT"}, Failure: []string{"REGISTRATION REJECT"}},
		{Name: "deregistration", Start: "DEREGISTRATION REQUEST (UE ORIGINATING)",
			Success: []string{"DEREGISTRATION ACCEPT (UE ORIGINATING)"}},
		{Name: "network-deregistration", Start: "DEREGISTRATION REQUEST (UE TERMINATED)",
			Success: []string{"DEREGISTRATION ACCEPT (UE TERMINATED)"}},
		{Name: "service-request", Start: "SERVICE REQUEST",
			Success: []string{"SERVICE ACCEPT"}, Failure: []string{"SERVICE REJECT"}},
		{Name: "security-mode", Start: "SECURITY MODE COMMAND",
			Success: []string{"SECURITY MODE COMPLETE"}, Failure: []string{"SECURITY MODE REJECT"}},
		{Name: "pdu-session-establishment", Start: "PDU SESSION ESTABLISHMENT REQUEST",
			Success: []string{"PDU SESSION ESTABLISHMENT ACCEPT"}, Failure: []string{"PDU SESSION ESTABLISHMENT REJECT"}},
	}
}

// DefaultEndStates returns the per-nf end states used when
// Options.EndStates is nil: an NRF profile ends with DEREGISTERED.
func DefaultEndStates() map[string][]string {
	return map[string][]string{"nrf": {"DEREGISTERED"}}
}

// Options configures a Collector. The zero value is usable.
type Options struct {
	// Clock stamps events that arrive with a zero At (events passed to
	// Emit directly rather than through a trace.Recorder). Default: wall clock.
	Clock clock.Clock
	// Namespace prefixes every metric name. Default "credbed".
	Namespace string
	// Buckets are the latency histogram upper bounds in seconds, increasing.
	// Default DefaultBuckets().
	Buckets []float64
	// Procedures are the timed message exchanges. nil = DefaultProcedures();
	// an empty non-nil slice times none.
	Procedures []Procedure
	// EndStates lists, per nf label, state names that end a context besides
	// the suffix rule (see conventions.go). nil = DefaultEndStates().
	EndStates map[string][]string
	// MaxSeries caps the label combinations of each metric family.
	// Default DefaultMaxSeries.
	MaxSeries int
	// MaxPending caps the requests and procedure starts awaiting their
	// answer. Default DefaultMaxPending.
	MaxPending int
	// PendingTimeout is the event-time age after which an unanswered request
	// may be forgotten when the table is full. Default DefaultPendingTimeout.
	PendingTimeout time.Duration
	// Runtime adds the Go runtime and process collectors to the registry.
	Runtime bool
}

// Validate reports the first invalid field (negative limits, buckets not
// strictly increasing and positive, procedures without a name, start or end)
// and fills the defaults of zero fields. New repairs the same problems
// silently; Validate is for configuration loaders that should refuse them.
func (o *Options) Validate() error {
	switch {
	case o.MaxSeries < 0:
		return fmt.Errorf("%w: MaxSeries %d < 0", ErrOptions, o.MaxSeries)
	case o.MaxPending < 0:
		return fmt.Errorf("%w: MaxPending %d < 0", ErrOptions, o.MaxPending)
	case o.PendingTimeout < 0:
		return fmt.Errorf("%w: PendingTimeout %v < 0", ErrOptions, o.PendingTimeout)
	case !validNamespace(o.Namespace):
		return fmt.Errorf("%w: namespace %q is not [a-zA-Z0-9_]*", ErrOptions, o.Namespace)
	}
	for i, b := range o.Buckets {
		if !(b > 0) || i > 0 && b <= o.Buckets[i-1] {
			return fmt.Errorf("%w: buckets must be positive and strictly increasing: %v", ErrOptions, o.Buckets)
		}
	}
	for _, p := range o.Procedures {
		if p.Name == "" || p.Start == "" || len(p.Success)+len(p.Failure) == 0 {
			return fmt.Errorf("%w: procedure %q needs a name, a start and an end message", ErrOptions, p.Name)
		}
	}
	o.fill()
	return nil
}

// fill sets defaults and repairs invalid values.
func (o *Options) fill() {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Namespace == "" || !validNamespace(o.Namespace) {
		o.Namespace = DefaultNamespace
	}
	var b []float64
	for _, v := range o.Buckets {
		if v > 0 {
			b = append(b, v)
		}
	}
	slices.Sort(b)
	b = slices.Compact(b)
	if len(b) == 0 {
		b = DefaultBuckets()
	}
	o.Buckets = b
	if o.Procedures == nil {
		o.Procedures = DefaultProcedures()
	} else {
		o.Procedures = slices.DeleteFunc(slices.Clone(o.Procedures), func(p Procedure) bool {
			return p.Name == "" || p.Start == "" || len(p.Success)+len(p.Failure) == 0
		})
	}
	if o.EndStates == nil {
		o.EndStates = DefaultEndStates()
	}
	if o.MaxSeries <= 0 {
		o.MaxSeries = DefaultMaxSeries
	}
	if o.MaxPending <= 0 {
		o.MaxPending = DefaultMaxPending
	}
	if o.PendingTimeout <= 0 {
		o.PendingTimeout = DefaultPendingTimeout
	}
}

// validNamespace reports whether s can prefix a metric name.
func validNamespace(s string) bool {
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
}
