package blocks

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"sort"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/profile"
)

// ReplayHTTPArgs are the arguments of replay_http.
type ReplayHTTPArgs struct {
	// FromTap is the save name of a tap on n6 that recorded the requests.
	FromTap scenarios.Ref `yaml:"from_tap"`
	// Method and PathPrefix filter the recorded requests; Index picks one
	// (0 = first, -1 = last; default 0).
	Method     string `yaml:"method"`
	PathPrefix string `yaml:"path_prefix"`
	Index      *int   `yaml:"index"`
}

// Validate checks the arguments.
func (a *ReplayHTTPArgs) Validate() error {
	if a.FromTap == "" {
		return fmt.Errorf("from_tap is required (the save name of a tap on n6)")
	}
	if a.Method != strings.ToUpper(a.Method) {
		return fmt.Errorf("method %q: write it in upper case", a.Method)
	}
	return nil
}

// HTTPReplayed is what replay_http sent and got back.
type HTTPReplayed struct {
	Method, Target string // the replayed request line
	Status         int    // the answer's status
}

// ReplayHTTP is the attacker on the data network path (N6) replaying a
// captured request of the PD-to-network protocol: it rebuilds the HTTP
// requests a tap on n6 recorded (the PD's TCP stream, in clear) and sends
// the chosen one again, byte for byte (method, target, headers, body),
// from the actor's own PDU session (reference/3gpp.md §6.2 N3, §6.3 X2).
// An answer of 400 or more fails the step; the saved value is the
// *HTTPReplayed either way.
func ReplayHTTP() *scenarios.Block {
	return scenarios.NewCapability("replay_http", scenarios.Spec{
		Summary: "resend, from the actor's PDU session, an HTTP request a tap on n6 recorded (PD-to-CPF replay)",
		Actor:   scenarios.ActorRequired, Roles: pdRoles(), Ifaces: []string{trace.IfaceN6, trace.IfaceAPI},
	}, func(ctx context.Context, st *scenarios.State, actor string, a *ReplayHTTPArgs) (any, error) {
		v, err := st.Value(a.FromTap)
		if err != nil {
			return nil, err
		}
		tap, ok := v.(*Tapped)
		if !ok {
			return nil, fmt.Errorf("%q is not a tap (%T)", a.FromTap, v)
		}
		var reqs []capturedRequest
		for _, r := range HTTPRequestsOf(tap.Packets()) {
			if (a.Method == "" || r.Method == a.Method) && strings.HasPrefix(r.Target, a.PathPrefix) {
				reqs = append(reqs, r)
			}
		}
		if len(reqs) == 0 {
			return nil, fmt.Errorf("tap %q recorded no matching HTTP request (of %d packets)", a.FromTap, tap.Len())
		}
		i := 0
		if a.Index != nil {
			i = *a.Index
			if i < 0 {
				i += len(reqs)
			}
		}
		if i < 0 || i >= len(reqs) {
			return nil, fmt.Errorf("index %d out of %d matching requests", i, len(reqs))
		}
		r := reqs[i]
		pd, err := PDOf(st, actor)
		if err != nil {
			return nil, err
		}
		hc := pd.HTTPClient()
		if hc == nil {
			return nil, fmt.Errorf("actor %q has no PDU session to send from", actor)
		}
		hdr := map[string]string{}
		for _, k := range []string{provproto.HeaderAuthorization, provproto.HeaderPDIdentity} {
			if v := r.Header.Get(k); v != "" {
				hdr[k] = v
			}
		}
		var body []byte
		if len(r.Body) > 0 {
			body = r.Body
		}
		url := "http://" + r.Server.String() + r.Target
		st.Emit(trace.Event{Kind: trace.KindAttack, Actor: actor, Iface: trace.IfaceN6, Name: "replay_http",
			Detail: fmt.Sprintf("replays %s %s (%d body bytes) recorded from %v", r.Method, r.Target, len(r.Body), r.Client.Addr())})
		ans, err := profile.Send(ctx, hc, r.Method, url, body, hdr)
		if err != nil {
			return nil, err
		}
		out := &HTTPReplayed{Method: r.Method, Target: r.Target, Status: ans.Status}
		if ref := ans.Refusal("replay"); ref != nil {
			return out, ref
		}
		return out, nil
	})
}

// capturedRequest is one HTTP/1.1 request rebuilt from captured segments.
type capturedRequest struct {
	Client, Server netip.AddrPort
	Method, Target string
	Header         http.Header
	Body           []byte
}

// HTTPRequestsOf rebuilds the HTTP/1.1 requests carried by recorded N6
// packets (raw IPv4 with TCP): each TCP flow's payload is reassembled in
// sequence order (retransmissions counted once) and parsed as a run of
// requests. Flows that do not parse as HTTP requests are skipped.
func HTTPRequestsOf(pkts []transport.Packet) []capturedRequest {
	type flowKey struct{ src, dst netip.AddrPort }
	type flow struct {
		first int
		segs  map[uint32][]byte
	}
	flows := map[flowKey]*flow{}
	for i, p := range pkts {
		if p.Kind != transport.N6 {
			continue
		}
		ip, tcp, ok := decodeTCP(p.Payload)
		if !ok || len(tcp.Payload) == 0 {
			continue
		}
		src, _ := netip.AddrFromSlice(ip.SrcIP.To4())
		dst, _ := netip.AddrFromSlice(ip.DstIP.To4())
		k := flowKey{netip.AddrPortFrom(src, uint16(tcp.SrcPort)), netip.AddrPortFrom(dst, uint16(tcp.DstPort))}
		f := flows[k]
		if f == nil {
			f = &flow{first: i, segs: map[uint32][]byte{}}
			flows[k] = f
		}
		if _, dup := f.segs[tcp.Seq]; !dup {
			f.segs[tcp.Seq] = append([]byte(nil), tcp.Payload...)
		}
	}
	keys := make([]flowKey, 0, len(flows))
	for k := range flows {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return flows[keys[i]].first < flows[keys[j]].first })
	var out []capturedRequest
	for _, k := range keys {
		f := flows[k]
		seqs := make([]uint32, 0, len(f.segs))
		for s := range f.segs {
			seqs = append(seqs, s)
		}
		base := streamStart(seqs)
		sort.Slice(seqs, func(i, j int) bool { return seqs[i]-base < seqs[j]-base }) // wrap-safe
		var stream []byte
		next := seqs[0]
		for _, s := range seqs {
			if s != next {
				break // a gap: keep what is contiguous
			}
			stream = append(stream, f.segs[s]...)
			next = s + uint32(len(f.segs[s]))
		}
		br := bufio.NewReader(bytes.NewReader(stream))
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				break
			}
			body, err := io.ReadAll(io.LimitReader(req.Body, provproto.MaxBody+1))
			_ = req.Body.Close()
			if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			out = append(out, capturedRequest{Client: k.src, Server: k.dst, Method: req.Method, Target: req.RequestURI,
				Header: req.Header, Body: body})
		}
	}
	return out
}

// streamStart returns the first sequence number of a stream's segments
// (modulo 2^32, RFC 9293 §3.4): the one after the widest gap between
// neighbours on the sequence-number circle.
func streamStart(seqs []uint32) uint32 {
	sorted := append([]uint32(nil), seqs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	start, widest := sorted[0], sorted[0]-sorted[len(sorted)-1] // the wrap-around gap
	for i := 1; i < len(sorted); i++ {
		if g := sorted[i] - sorted[i-1]; g > widest {
			start, widest = sorted[i], g
		}
	}
	return start
}

// decodeTCP decodes a raw IPv4 packet carrying TCP.
func decodeTCP(b []byte) (*layers.IPv4, *layers.TCP, bool) {
	var ip layers.IPv4
	var tcp layers.TCP
	var payload gopacket.Payload
	dec := gopacket.NewDecodingLayerParser(layers.LayerTypeIPv4, &ip, &tcp, &payload)
	dec.IgnoreUnsupported = true
	var got []gopacket.LayerType
	if err := dec.DecodeLayers(b, &got); err != nil && len(got) < 2 {
		return nil, nil, false
	}
	for _, t := range got {
		if t == layers.LayerTypeTCP {
			return &ip, &tcp, true
		}
	}
	return nil, nil, false
}
