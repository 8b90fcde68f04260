package blocks

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/transport"
)

// Reference: TS 24.501 §9.1.1 — the NAS-PDU rides as an opaque octet
// string in NGAP (TS 38.413 §9.3.3.4): editing it keeps the NGAP message
// valid and only the NAS octets change.
func TestModifyNASEditsOnlyTheNASPDU(t *testing.T) {
	nas := []byte{0x7e, 0x00, 0x57, 0x2d, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	b, err := (&ngapx.UplinkNASTransport{AMFUENGAPID: 9, RANUENGAPID: 4, NASPDU: nas}).Build()
	if err != nil {
		t.Fatal(err)
	}
	p := transport.Packet{Kind: transport.N2, Payload: b, Stream: 3}
	v, ok := ViewN2(p)
	if !ok || v.NASName() != "AUTHENTICATION RESPONSE" {
		t.Fatalf("view: %+v", v)
	}
	edited := append([]byte(nil), v.NAS...)
	a := &ModifyNASArgs{Set: []ByteSet{{Offset: 5, Value: Bytes{0xaa}}}, Flip: []int{-1, 0}}
	notes := editNAS(edited, a, nil)
	if len(notes) != 3 {
		t.Fatalf("notes %v", notes)
	}
	if edited[5] != 0xaa || edited[len(edited)-1] != 16^1 || edited[0] != 0x7e^0x80 {
		t.Fatalf("edited % x", edited)
	}
	q, err := WithNAS(p, edited)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := ViewN2(q)
	if !ok || !bytes.Equal(w.NAS, edited) || w.IDs != v.IDs || q.Stream != 3 {
		t.Fatalf("rebuilt %+v", w)
	}
	if !bytes.Equal(p.Payload, b) {
		t.Fatal("the original packet changed")
	}
	// Out-of-range edits are reported and change nothing.
	again := append([]byte(nil), nas...)
	notes = editNAS(again, &ModifyNASArgs{Set: []ByteSet{{Offset: 40, Value: Bytes{1}}}, Flip: []int{999},
		Randomize: &ByteRange{Offset: -30, Length: 4}}, rand.New(rand.NewPCG(1, 2)))
	if !bytes.Equal(again, nas) || len(notes) != 3 {
		t.Fatalf("out of range: %v % x", notes, again)
	}
	// A seeded randomize is reproducible.
	r1, r2 := append([]byte(nil), nas...), append([]byte(nil), nas...)
	ra := &ModifyNASArgs{Randomize: &ByteRange{Offset: -16, Length: 16}}
	editNAS(r1, ra, rand.New(rand.NewPCG(7, 7)))
	editNAS(r2, ra, rand.New(rand.NewPCG(7, 7)))
	if !bytes.Equal(r1, r2) || bytes.Equal(r1, nas) || !bytes.Equal(r1[:5], nas[:5]) {
		t.Fatalf("randomize: % x / % x", r1, r2)
	}
	if _, err := WithNAS(transport.Packet{Kind: transport.N2, Payload: []byte{0, 1}}, nas); err == nil {
		t.Fatal("WithNAS accepted bytes that are not NGAP")
	}
}

// Reference: TS 33.501 §6.7.2 — the bidding-down attacker strips the UE
// security capability; algBits builds the octet it keeps.
func TestAlgBits(t *testing.T) {
	if got := algBits([]int{0}); got != 0x80 {
		t.Fatalf("EA0 %#x", got)
	}
	if got := algBits([]int{1, 2}); got != 0x60 {
		t.Fatalf("IA1+IA2 %#x", got)
	}
	caps := nasx.NewUESecurityCapability(0xf0, 0xf0)
	if caps.EA()&algBits([]int{0}) != 0x80 || caps.IA()&algBits([]int{1}) != 0x40 {
		t.Fatal("masking")
	}
}

var (
	ueIP  = netip.MustParseAddr("10.60.0.1")
	dnIP  = netip.MustParseAddr("10.100.0.1")
	n6UPF = netip.MustParseAddrPort("127.0.0.8:46006")
	n6DN  = netip.MustParseAddrPort("127.0.0.9:46006")
)

// segment builds a raw IPv4/TCP packet from the UE to the data network.
func segment(t testing.TB, seq, ack uint32, ts []byte, payload []byte) transport.Packet {
	t.Helper()
	ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolTCP,
		SrcIP: net.IP(ueIP.AsSlice()), DstIP: net.IP(dnIP.AsSlice())}
	tcp := &layers.TCP{SrcPort: 40000, DstPort: 80, Seq: seq, Ack: ack, ACK: true, PSH: true, Window: 500}
	if ts != nil {
		tcp.Options = []layers.TCPOption{{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: ts}}
	}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		t.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		ip, tcp, gopacket.Payload(payload)); err != nil {
		t.Fatal(err)
	}
	return transport.Packet{Kind: transport.N6, From: n6UPF, To: n6DN, Payload: buf.Bytes()}
}

// Reference: reference/3gpp.md §6.2 N3 — the replayer rebuilds the PD's
// requests from what crossed N6: segments reassembled in sequence order,
// retransmissions counted once, several requests on one connection.
func TestHTTPRequestsOfReassembles(t *testing.T) {
	req1 := "POST /cpf/secure/v1/targets HTTP/1.1\r\nHost: 10.100.0.1\r\nAuthorization: AKMA akid=\"a@b\"\r\nContent-Length: 5\r\n\r\nhello"
	req2 := "DELETE /cpf/secure/v1/targets/imsi-001010000000001 HTTP/1.1\r\nHost: 10.100.0.1\r\n\r\n"
	var isn uint32 = 0xfffffff0 // wraps inside the stream
	pk := []transport.Packet{
		segment(t, isn+20, 1, nil, []byte(req1[20:])),
		segment(t, isn, 1, nil, []byte(req1[:20])),
		segment(t, isn, 1, nil, []byte(req1[:20])), // retransmission
		segment(t, isn+uint32(len(req1)), 1, nil, []byte(req2)),
		{Kind: transport.N2, Payload: []byte(req1)}, // not N6
		{Kind: transport.N6, Payload: []byte{0x45, 0}},
	}
	got := HTTPRequestsOf(pk)
	if len(got) != 2 {
		t.Fatalf("got %d requests: %+v", len(got), got)
	}
	if got[0].Method != "POST" || got[0].Target != "/cpf/secure/v1/targets" || string(got[0].Body) != "hello" ||
		got[0].Header.Get("Authorization") != `AKMA akid="a@b"` || got[0].Server != netip.AddrPortFrom(dnIP, 80) ||
		got[0].Client != netip.AddrPortFrom(ueIP, 40000) {
		t.Fatalf("first %+v", got[0])
	}
	if got[1].Method != "DELETE" || got[1].Target != "/cpf/secure/v1/targets/imsi-001010000000001" || len(got[1].Body) != 0 {
		t.Fatalf("second %+v", got[1])
	}
	// A gap keeps only what is contiguous from the first recorded segment.
	if got := HTTPRequestsOf([]transport.Packet{segment(t, 100, 1, nil, []byte(req2[:10])), segment(t, 200, 1, nil, []byte(req2))}); len(got) != 0 {
		t.Fatalf("parsed across a gap: %+v", got)
	}
}

// Reference: RFC 9293 §3.4, RFC 7323 §3 — the forged answer must sit
// exactly where the server's would: SEQ = the request's ACK, ACK = the end
// of the request, timestamps echoed, valid checksums.
func TestForgeSegment(t *testing.T) {
	ts := make([]byte, 8)
	binary.BigEndian.PutUint32(ts[:4], 111) // TSval of the client
	binary.BigEndian.PutUint32(ts[4:], 222) // TSecr: the server's last TSval
	req := segment(t, 5000, 9000, ts, []byte("DELETE /x HTTP/1.1\r\n\r\n"))
	ip, tcp, ok := decodeTCP(req.Payload)
	if !ok {
		t.Fatal("decode")
	}
	b, err := forgeSegment(ip, tcp, 77, []byte("HTTP/1.1 200 OK\r\n\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := gopacket.NewPacket(b, layers.LayerTypeIPv4, gopacket.Default)
	rip, _ := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	rtcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
	if rip == nil || rtcp == nil {
		t.Fatalf("forged packet does not decode: %v", p.ErrorLayer())
	}
	if !rip.SrcIP.Equal(ip.DstIP) || !rip.DstIP.Equal(ip.SrcIP) || rtcp.SrcPort != 80 || rtcp.DstPort != 40000 {
		t.Fatal("addresses not swapped")
	}
	if rtcp.Seq != 9000 || rtcp.Ack != 5000+uint32(len(tcp.Payload)) || !rtcp.ACK || !rtcp.PSH {
		t.Fatalf("seq %d ack %d", rtcp.Seq, rtcp.Ack)
	}
	var echoed bool
	for _, o := range rtcp.Options {
		if o.OptionType == layers.TCPOptionKindTimestamps {
			echoed = binary.BigEndian.Uint32(o.OptionData[:4]) == 222 && binary.BigEndian.Uint32(o.OptionData[4:]) == 111
		}
	}
	if !echoed {
		t.Fatalf("timestamps not echoed: %+v", rtcp.Options)
	}
	// Checksums: re-serialising with computed checksums gives the same bytes.
	if err := rtcp.SetNetworkLayerForChecksum(rip); err != nil {
		t.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true},
		rip, rtcp, gopacket.Payload(rtcp.Payload)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), b) {
		t.Fatal("checksums of the forged segment are not valid")
	}
}

// FuzzHTTPRequestsOf: captured N6 packets are attacker-controlled bytes;
// rebuilding requests from them never panics.
func FuzzHTTPRequestsOf(f *testing.F) {
	f.Add(segment(f, 1, 1, nil, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).Payload, []byte("POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nab"))
	f.Add([]byte{0x45, 0, 0, 20}, []byte{})
	f.Add([]byte{}, []byte("\r\n\r\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		pk := []transport.Packet{{Kind: transport.N6, Payload: a}, {Kind: transport.N6, Payload: b}}
		if len(a) > 0 {
			pk = append(pk, segment(t, 7, 1, nil, a))
		}
		for _, r := range HTTPRequestsOf(pk) {
			if r.Method == "" || r.Header == nil {
				t.Fatalf("incomplete request %+v", r)
			}
		}
		if ip, tcp, ok := decodeTCP(a); ok {
			if ip == nil || tcp == nil {
				t.Fatal("ok without layers")
			}
			if _, err := forgeSegment(ip, tcp, 1, b); err != nil && len(b) < 60000 {
				t.Fatalf("forge: %v", err)
			}
		}
	})
}

// FuzzWithNAS: NGAP bytes from the wire are untrusted; re-encoding them
// with another NAS-PDU never panics and never yields nil without an error.
func FuzzWithNAS(f *testing.F) {
	b, _ := (&ngapx.DownlinkNASTransport{AMFUENGAPID: 1, RANUENGAPID: 2, NASPDU: []byte{0x7e, 0, 0x56}}).Build()
	f.Add(b, []byte{0x7e, 0, 0x5d})
	f.Add([]byte{0, 0x0f, 0x40, 0}, []byte{})
	f.Fuzz(func(t *testing.T, ngap, nas []byte) {
		q, err := WithNAS(transport.Packet{Kind: transport.N2, Payload: ngap}, nas)
		if err == nil && q.Payload == nil {
			t.Fatal("nil payload without an error")
		}
		if v, ok := ViewN2(transport.Packet{Kind: transport.N2, Payload: ngap}); ok && len(v.NAS) > 0 {
			edited := append([]byte(nil), v.NAS...)
			editNAS(edited, &ModifyNASArgs{Flip: []int{-1, 3}, Set: []ByteSet{{Offset: -2, Value: Bytes{1, 2}}}}, nil)
		}
	})
}
