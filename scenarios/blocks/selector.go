package blocks

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	yaml "go.yaml.in/yaml/v3"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/internal/transport/intercept"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue/dlink"
)

// Kinds is a list of link kinds written as one name or a list
// (sbi, n2, n3, n4, n6, dl; case-insensitive).
type Kinds []string

// UnmarshalYAML accepts a scalar or a sequence.
func (k *Kinds) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*k = Kinds{n.Value}
		return nil
	case yaml.SequenceNode:
		var l []string
		if err := n.Decode(&l); err != nil {
			return err
		}
		*k = l
		return nil
	}
	return fmt.Errorf("line %d: iface wants a name or a list of names", n.Line)
}

// linkKinds maps the names scenarios use to transport kinds.
func linkKind(name string) (transport.Kind, error) {
	switch strings.ToLower(name) {
	case "sbi":
		return transport.SBI, nil
	case "n2", "ngap":
		return transport.N2, nil
	case "n3", "gtpu", "gtp-u":
		return transport.N3, nil
	case "n4", "pfcp":
		return transport.N4, nil
	case "n6":
		return transport.N6, nil
	case "dl", "direct-link":
		return transport.DL, nil
	case "n1", "nas":
		return "", fmt.Errorf("iface %q: NAS (N1) rides in NGAP; select iface n2", name)
	}
	return "", fmt.Errorf("unknown iface %q (sbi, n2, n3, n4, n6, dl)", name)
}

// IfaceOf returns the trace interface name of a link kind.
func IfaceOf(k transport.Kind) string {
	switch k {
	case transport.SBI:
		return trace.IfaceSBI
	case transport.N2:
		return trace.IfaceN2
	case transport.N3:
		return trace.IfaceN3
	case transport.N4:
		return trace.IfaceN4
	case transport.N6:
		return trace.IfaceN6
	case transport.DL:
		return trace.IfaceDL
	}
	return strings.ToUpper(string(k))
}

// Selector picks the packets a capability acts on. Every field set must
// match; an empty Selector selects every packet of every link.
type Selector struct {
	// Iface limits to link kinds: sbi, n2, n3, n4, n6, dl.
	Iface Kinds `yaml:"iface"`
	// From and To are actors, nodes or loopback literals (a bare address
	// matches any port).
	From scenarios.Peer `yaml:"from"`
	To   scenarios.Peer `yaml:"to"`
	// SBI only.
	Method     string `yaml:"method"`
	Path       string `yaml:"path"`        // exact, without the query
	PathPrefix string `yaml:"path_prefix"` // e.g. /nausf-auth/v1/
	Requests   bool   `yaml:"requests"`    // only requests
	Responses  bool   `yaml:"responses"`   // only responses
	Status     int    `yaml:"status"`      // only responses with this status
	// Stream selects an N2 SCTP stream id.
	Stream *int `yaml:"stream"`
	// Contains selects packets whose payload contains these bytes.
	Contains Bytes `yaml:"contains"`
	// DLFrame selects every fragment of direct-link frames of a type
	// (AuthRequest, AuthResponse, AuthConfirm, ConfigRequest,
	// CredentialDelivery, ProofOfPossession, Status, PlainCredential).
	DLFrame string `yaml:"dl_frame"`
	// NGAP selects N2 packets carrying this NGAP message
	// (InitialUEMessage, UplinkNASTransport, DownlinkNASTransport,
	// InitialContextSetupRequest, NGSetupRequest...).
	NGAP string `yaml:"ngap"`
	// NAS selects N2 packets whose NAS-PDU is this 5GMM/5GSM message
	// ("REGISTRATION REQUEST", "SECURITY MODE COMMAND"...; plain or
	// integrity-protected only: a ciphered message's type is unknown).
	NAS string `yaml:"nas"`
	// Injected selects only (true) or never (false) attacker-made packets.
	Injected *bool `yaml:"injected"`
	// Skip lets the first Skip selected packets pass untouched; Count then
	// acts on at most Count packets (0: no limit).
	Skip  int `yaml:"skip"`
	Count int `yaml:"count"`
}

// Validate checks the selector.
func (s *Selector) Validate() error {
	for _, k := range s.Iface {
		if _, err := linkKind(k); err != nil {
			return err
		}
	}
	if s.Method != "" && s.Method != strings.ToUpper(s.Method) {
		return fmt.Errorf("method %q: write it in upper case", s.Method)
	}
	if s.Requests && (s.Responses || s.Status != 0) {
		return fmt.Errorf("requests: true cannot be combined with responses or status")
	}
	if (s.Method != "" || s.Path != "" || s.PathPrefix != "" || s.Requests || s.Responses || s.Status != 0) && len(s.Iface) > 0 && !slices.ContainsFunc(s.Iface, isSBI) {
		return fmt.Errorf("method/path/status select SBI packets but iface excludes sbi")
	}
	if s.Stream != nil && (*s.Stream < 0 || *s.Stream > 0xffff) {
		return fmt.Errorf("stream %d out of range", *s.Stream)
	}
	if s.DLFrame != "" {
		if _, ok := dlFrameType(s.DLFrame); !ok {
			return fmt.Errorf("unknown dl_frame %q", s.DLFrame)
		}
	}
	if (s.NGAP != "" || s.NAS != "") && len(s.Iface) > 0 && !slices.ContainsFunc(s.Iface, func(k string) bool { return strings.EqualFold(k, "n2") }) {
		return fmt.Errorf("ngap and nas select N2 packets but iface excludes n2")
	}
	if s.NAS != "" {
		if _, ok := nasType(s.NAS); !ok {
			return fmt.Errorf("unknown NAS message %q (e.g. REGISTRATION REQUEST, SECURITY MODE COMMAND)", s.NAS)
		}
	}
	if s.Skip < 0 || s.Count < 0 {
		return fmt.Errorf("skip and count must not be negative")
	}
	return nil
}

func isSBI(k string) bool { return strings.EqualFold(k, "sbi") }

// Ifaces returns the interfaces the selector names (for labels).
func (s *Selector) Ifaces() []string {
	var out []string
	for _, k := range s.Iface {
		if lk, err := linkKind(k); err == nil {
			out = append(out, IfaceOf(lk))
		}
	}
	if s.DLFrame != "" {
		out = append(out, trace.IfaceDL)
	}
	if s.NGAP != "" {
		out = append(out, trace.IfaceN2)
	}
	if s.NAS != "" {
		out = append(out, trace.IfaceN1, trace.IfaceN2)
	}
	if s.Method != "" || s.Path != "" || s.PathPrefix != "" || s.Requests || s.Responses || s.Status != 0 {
		out = append(out, trace.IfaceSBI)
	}
	return out
}

// Match builds the packet predicate, resolving peers in st. Skip and Count
// are applied by Limit, not here.
func (s *Selector) Match(st *scenarios.State) (intercept.Match, error) {
	var ms []intercept.Match
	if len(s.Iface) > 0 {
		var ks []transport.Kind
		for _, k := range s.Iface {
			lk, err := linkKind(k)
			if err != nil {
				return nil, err
			}
			ks = append(ks, lk)
		}
		ms = append(ms, intercept.Kind(ks...))
	}
	if s.From != "" {
		ap, err := st.ResolvePeer(s.From)
		if err != nil {
			return nil, err
		}
		if ap.Port() == 0 {
			ms = append(ms, intercept.FromAddr(ap.Addr()))
		} else {
			ms = append(ms, intercept.From(ap))
		}
	}
	if s.To != "" {
		ap, err := st.ResolvePeer(s.To)
		if err != nil {
			return nil, err
		}
		if ap.Port() == 0 {
			ms = append(ms, intercept.ToAddr(ap.Addr()))
		} else {
			ms = append(ms, intercept.To(ap))
		}
	}
	if s.Method != "" {
		ms = append(ms, intercept.Method(s.Method))
	}
	if s.Path != "" {
		ms = append(ms, intercept.Path(s.Path))
	}
	if s.PathPrefix != "" {
		ms = append(ms, intercept.PathPrefix(s.PathPrefix))
	}
	if s.Requests {
		ms = append(ms, intercept.Requests())
	}
	if s.Responses {
		ms = append(ms, intercept.Responses())
	}
	if s.Status != 0 {
		ms = append(ms, intercept.Status(s.Status))
	}
	if s.Stream != nil {
		ms = append(ms, intercept.Stream(uint16(*s.Stream)))
	}
	if len(s.Contains) > 0 {
		c := bytes.Clone(s.Contains)
		ms = append(ms, intercept.Payload(func(b []byte) bool { return bytes.Contains(b, c) }))
	}
	if s.Injected != nil {
		if *s.Injected {
			ms = append(ms, intercept.Injected())
		} else {
			ms = append(ms, intercept.Not(intercept.Injected()))
		}
	}
	if s.DLFrame != "" {
		t, _ := dlFrameType(s.DLFrame)
		ms = append(ms, dlFrameMatch(t))
	}
	if s.NGAP != "" || s.NAS != "" {
		ngapName, nasName := s.NGAP, s.NAS
		ms = append(ms, func(p transport.Packet) bool {
			v, ok := ViewN2(p)
			return ok && (ngapName == "" || strings.EqualFold(v.NGAP, ngapName)) &&
				(nasName == "" || strings.EqualFold(v.NASName(), nasName))
		})
	}
	return intercept.And(ms...), nil
}

// Limit applies Skip and Count to m: the first Skip selected packets and
// those beyond Count are not selected.
func (s *Selector) Limit(m intercept.Match) intercept.Match {
	if s.Skip == 0 && s.Count == 0 {
		return m
	}
	var seen atomic.Int64
	skip, count := int64(s.Skip), int64(s.Count)
	return func(p transport.Packet) bool {
		if m != nil && !m(p) {
			return false
		}
		n := seen.Add(1)
		if n <= skip {
			return false
		}
		return count == 0 || n <= skip+count
	}
}

// nasType finds a NAS message type by its name.
func nasType(name string) (nasx.MessageType, bool) {
	for i := range 256 {
		t := nasx.MessageType(i)
		if strings.EqualFold(t.String(), name) {
			return t, true
		}
	}
	return 0, false
}

func dlFrameType(name string) (dlink.FrameType, bool) {
	for i := range 256 {
		t := dlink.FrameType(i)
		if strings.EqualFold(t.String(), name) {
			return t, true
		}
	}
	return 0, false
}

// dlFrameMatch selects every fragment of direct-link frames of type t: the
// first fragment carries the frame header; later fragments of the same
// message (sender, sequence number) follow its verdict.
func dlFrameMatch(t dlink.FrameType) intercept.Match {
	type key struct {
		from string
		seq  byte
	}
	var mu sync.Mutex
	hit := map[key]bool{}
	return func(p transport.Packet) bool {
		b := p.Payload
		if p.Kind != transport.DL || len(b) < dlink.FragmentHeaderSize || b[0] != dlink.FragmentMagic {
			return false
		}
		k := key{p.From.String(), b[1]}
		mu.Lock()
		defer mu.Unlock()
		if b[2] == 0 {
			ok := len(b) >= dlink.FragmentHeaderSize+2 && dlink.FrameType(b[dlink.FragmentHeaderSize+1]) == t
			if ok {
				hit[k] = true
			} else {
				delete(hit, k)
			}
			return ok
		}
		return hit[k]
	}
}

// Describe is a one-line, secret-free description of a packet for trace
// details: kind, addresses, SBI method/path/status, size.
func Describe(p transport.Packet) string {
	var b strings.Builder
	b.WriteString(IfaceOf(p.Kind))
	if p.Kind == transport.SBI {
		if p.Response {
			fmt.Fprintf(&b, " %d %s", p.Status, http.StatusText(p.Status))
		}
		path, _, _ := strings.Cut(p.Path, "?")
		fmt.Fprintf(&b, " %s %s", p.Method, path)
	}
	fmt.Fprintf(&b, " %s > %s", p.From, p.To)
	if p.Kind == transport.N2 {
		fmt.Fprintf(&b, " stream %d", p.Stream)
	}
	fmt.Fprintf(&b, ", %d bytes", len(p.Payload))
	if p.Injected {
		b.WriteString(", injected")
	}
	return b.String()
}
