package blocks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/scenarios"
)

// EventMatch selects trace events. Every field set must match.
type EventMatch struct {
	Kind string `yaml:"kind"` // message, request, response, state, key, reject, drop, attack, fault, check, note
	// Actor is a trace actor literally ("amf", "ausf", "ue/imsi-..."); ActorOf
	// names a scenario actor whose trace name is used.
	Actor   string             `yaml:"actor"`
	ActorOf scenarios.ActorRef `yaml:"actor_of"`
	Peer    string             `yaml:"peer"`
	PeerOf  scenarios.ActorRef `yaml:"peer_of"`
	Iface   string             `yaml:"iface"` // SBI, N1, N2, N3, N4, N6, DL, CPF
	Name    string             `yaml:"name"`
	// NamePrefix matches names that start with it.
	NamePrefix string `yaml:"name_prefix"`
	// SUPI literally, or SUPIOf: the SUPI a scenario actor holds (or last held).
	SUPI   string             `yaml:"supi"`
	SUPIOf scenarios.ActorRef `yaml:"supi_of"`
	Status int                `yaml:"status"`
	Cause  string             `yaml:"cause"`
	// Detail matches events whose detail contains it.
	Detail string `yaml:"detail"`
	// After keeps events from the start of the step saved under that name on;
	// Before keeps events up to the end of that step.
	After  scenarios.Ref `yaml:"after"`
	Before scenarios.Ref `yaml:"before"`
}

func traceKinds() []string {
	return []string{string(trace.KindMessage), string(trace.KindRequest), string(trace.KindResponse), string(trace.KindState),
		string(trace.KindKey), string(trace.KindReject), string(trace.KindDrop), string(trace.KindAttack),
		string(trace.KindFault), string(trace.KindCheck), string(trace.KindNote)}
}

// Validate checks the match.
func (m *EventMatch) Validate() error {
	if m.Kind != "" && !slices.Contains(traceKinds(), m.Kind) {
		return fmt.Errorf("unknown event kind %q (%s)", m.Kind, strings.Join(traceKinds(), ", "))
	}
	if m.Actor != "" && m.ActorOf != "" {
		return fmt.Errorf("actor and actor_of exclude each other")
	}
	if m.Peer != "" && m.PeerOf != "" {
		return fmt.Errorf("peer and peer_of exclude each other")
	}
	if m.SUPI != "" && m.SUPIOf != "" {
		return fmt.Errorf("supi and supi_of exclude each other")
	}
	if m.Iface != "" {
		ok := false
		for _, it := range scenarios.Interfaces() {
			ok = ok || it.ID == m.Iface
		}
		if !ok {
			return fmt.Errorf("unknown iface %q (SBI, N1, N2, N3, N4, N6, DL, CPF)", m.Iface)
		}
	}
	if m.empty() {
		return fmt.Errorf("an event match needs at least one of kind, actor, peer, iface, name, supi, status, cause, detail")
	}
	return nil
}

func (m *EventMatch) empty() bool {
	return m.Kind == "" && m.Actor == "" && m.ActorOf == "" && m.Peer == "" && m.PeerOf == "" && m.Iface == "" &&
		m.Name == "" && m.NamePrefix == "" && m.SUPI == "" && m.SUPIOf == "" && m.Status == 0 && m.Cause == "" && m.Detail == ""
}

// Ifaces returns the interface the match names (for labels).
func (m *EventMatch) Ifaces() []string {
	if m.Iface != "" {
		return []string{m.Iface}
	}
	return nil
}

// String describes the match in a short form.
func (m *EventMatch) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("kind", m.Kind)
	add("actor", m.Actor)
	add("actor_of", string(m.ActorOf))
	add("peer", m.Peer)
	add("peer_of", string(m.PeerOf))
	add("iface", m.Iface)
	add("name", m.Name)
	add("name_prefix", m.NamePrefix)
	add("supi", m.SUPI)
	add("supi_of", string(m.SUPIOf))
	if m.Status != 0 {
		add("status", fmt.Sprint(m.Status))
	}
	add("cause", m.Cause)
	add("detail~", m.Detail)
	add("after", string(m.After))
	add("before", string(m.Before))
	return "{" + strings.Join(parts, " ") + "}"
}

// Predicate resolves actor references and step bounds in st and returns
// the event predicate. An actor without a SUPI yet makes a supi_of match
// select nothing.
func (m *EventMatch) Predicate(st *scenarios.State) (func(trace.Event) bool, error) {
	want := trace.Event{Kind: trace.Kind(m.Kind), Actor: m.Actor, Peer: m.Peer, Iface: m.Iface, Name: m.Name,
		SUPI: m.SUPI, Status: m.Status, Cause: m.Cause}
	nothing := false
	if m.ActorOf != "" {
		name, _, err := st.Identity(string(m.ActorOf))
		if err != nil {
			return nil, err
		}
		want.Actor = name
	}
	if m.PeerOf != "" {
		name, _, err := st.Identity(string(m.PeerOf))
		if err != nil {
			return nil, err
		}
		want.Peer = name
	}
	if m.SUPIOf != "" {
		_, supi, err := st.Identity(string(m.SUPIOf))
		if err != nil {
			return nil, err
		}
		want.SUPI = supi
		nothing = supi == ""
	}
	var after, before uint64
	if m.After != "" {
		s, err := st.Saved(m.After)
		if err != nil {
			return nil, err
		}
		after = s.StartSeq
	}
	if m.Before != "" {
		s, err := st.Saved(m.Before)
		if err != nil {
			return nil, err
		}
		before = s.EndSeq
	}
	base := trace.Match(want)
	return func(e trace.Event) bool {
		if nothing || !base(e) {
			return false
		}
		if m.NamePrefix != "" && !strings.HasPrefix(e.Name, m.NamePrefix) {
			return false
		}
		if m.Detail != "" && !strings.Contains(e.Detail, m.Detail) {
			return false
		}
		return e.Seq > after && (before == 0 || e.Seq <= before)
	}, nil
}

// excerpt formats up to n events for check details.
func excerpt(ev []trace.Event, n int) string {
	var parts []string
	for i, e := range ev {
		if i == n {
			parts = append(parts, fmt.Sprintf("... %d more", len(ev)-n))
			break
		}
		s := fmt.Sprintf("#%d %s %s %s", e.Seq, e.Kind, e.Actor, e.Name)
		if e.Cause != "" {
			s += " cause=" + e.Cause
		}
		if e.Status != 0 {
			s += fmt.Sprintf(" status=%d", e.Status)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}
