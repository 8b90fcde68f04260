package testbed

import (
	"errors"
	"fmt"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/scenarios/profile"
)

// ErrTopology reports an unusable topology.
var ErrTopology = errors.New("testbed: invalid topology")

// Topology describes one bed. The zero value (after Validate) is a mem-mode
// bed with one gNB, an in-memory store and no subscribers.
type Topology struct {
	// Name labels the bed in traces and captures.
	Name string `json:"name,omitempty"`
	// Mode is "mem" (default: in-process, no sockets) or "net" (loopback sockets).
	Mode string `json:"mode,omitempty"`
	// MCC and MNC of the home and serving network (default 001/01).
	MCC string `json:"mcc,omitempty"`
	MNC string `json:"mnc,omitempty"`
	// TAC of every gNB cell (default 1).
	TAC uint32 `json:"tac,omitempty"`
	// GNBs is the number of gNBs (default 1).
	GNBs int `json:"gnbs,omitempty"`
	// StorePath, when set, puts the UDR (and CPF) data in a bbolt file;
	// otherwise an in-memory store is used.
	StorePath string `json:"store_path,omitempty"`
	// StoreNoSync skips fsync per commit on the bbolt store.
	StoreNoSync bool `json:"store_no_sync,omitempty"`
	// Subscribers are loaded into the UDR at start.
	Subscribers []subscriber.Subscription `json:"-"`
	// Seed drives every random choice of the bed (keys, TEIDs, SUPIs).
	Seed int64 `json:"seed,omitempty"`
	// Capture, when set, writes a pcap of every interface to this path.
	Capture string `json:"capture,omitempty"`
	// RejectCause is the 5GMM cause for an unknown or removed subscriber (default 3).
	RejectCause uint8 `json:"reject_cause,omitempty"`
	// DeregCause is the 5GMM cause of the network-initiated deregistration
	// after a subscription is withdrawn (default 3).
	DeregCause uint8 `json:"dereg_cause,omitempty"`
	// DNN and its UE address pool (default "internet", 10.60.0.0/16).
	DNN  string `json:"dnn,omitempty"`
	Pool string `json:"pool,omitempty"`
	// PendingTTL is how long a provisioned credential may stay pending (default 10 min).
	PendingTTL time.Duration `json:"pending_ttl,omitempty"`
	// TraceLimit bounds kept trace events (0 = unlimited).
	TraceLimit int `json:"trace_limit,omitempty"`
	// NoTrace discards trace events (benchmarks).
	NoTrace bool `json:"no_trace,omitempty"`
	// OnNetwork, when set, is called once the transport and clock exist and
	// before any NF starts, so interceptors (attacks, captures) see every
	// packet, NF registration and NG Setup included.
	OnNetwork func(nw transport.Network, clk clock.Clock) `json:"-"`
	// Clock, when set, replaces the wall clock (e.g. a clock.Fake the
	// scenario runner advances).
	Clock clock.Clock `json:"-"`
	// Profiles overrides the solution profiles the CPF serves (default: the built-ins).
	Profiles *profile.Registry `json:"-"`
	// CPF, when set, adjusts the CPF's configuration before it starts
	// (rate limits, TTLs; e.g. UnlimitedCPF for many concurrent lifecycles).
	CPF func(*cpf.Config) `json:"-"`
}

// Validate fills defaults and checks the topology.
func (t *Topology) Validate() error {
	if t.Name == "" {
		t.Name = "bed"
	}
	switch t.Mode {
	case "":
		t.Mode = "mem"
	case "mem", "net":
	default:
		return fmt.Errorf("%w: mode %q (want mem or net)", ErrTopology, t.Mode)
	}
	if t.MCC == "" {
		t.MCC = "001"
	}
	if t.MNC == "" {
		t.MNC = "01"
	}
	if len(t.MCC) != 3 || (len(t.MNC) != 2 && len(t.MNC) != 3) {
		return fmt.Errorf("%w: PLMN %s-%s", ErrTopology, t.MCC, t.MNC)
	}
	if t.TAC == 0 {
		t.TAC = 1
	}
	if t.GNBs == 0 {
		t.GNBs = 1
	}
	if t.GNBs < 0 || t.GNBs > 200 {
		return fmt.Errorf("%w: %d gNBs", ErrTopology, t.GNBs)
	}
	if t.RejectCause == 0 {
		t.RejectCause = 3
	}
	if t.DeregCause == 0 {
		t.DeregCause = 3
	}
	if t.DNN == "" {
		t.DNN = "internet"
	}
	if t.Pool == "" {
		t.Pool = "10.60.0.0/16"
	}
	if t.PendingTTL == 0 {
		t.PendingTTL = 10 * time.Minute
	}
	for i := range t.Subscribers {
		t.Subscribers[i].ApplyDefaults(subscriber.Defaults{})
		if err := t.Subscribers[i].Validate(); err != nil {
			return fmt.Errorf("%w: subscriber %d: %w", ErrTopology, i, err)
		}
	}
	return nil
}

// PLMNString is MCC followed by MNC.
func (t *Topology) PLMNString() string { return t.MCC + t.MNC }
