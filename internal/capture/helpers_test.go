package capture_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/credbed/credbed/internal/capture"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/transport"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// record writes pkts into an in-memory capture, advancing clk by step
// before each packet, and returns the pcap bytes.
func record(cfg capture.Config, clk *clock.Fake, step time.Duration, pkts ...transport.Packet) ([]byte, *capture.Writer, error) {
	var buf bytes.Buffer
	w, err := capture.New(&buf, cfg, capture.Deps{Clock: clk})
	if err != nil {
		return nil, nil, err
	}
	for _, p := range pkts {
		clk.Advance(step)
		if err := w.Write(p); err != nil {
			return nil, w, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, w, err
	}
	return buf.Bytes(), w, nil
}

// readFrames decodes every frame of a pcap stream with gopacket.
func readFrames(pcap []byte) ([]gopacket.Packet, error) {
	r, err := pcapgo.NewReader(bytes.NewReader(pcap))
	if err != nil {
		return nil, err
	}
	if r.LinkType() != layers.LinkTypeEthernet {
		return nil, fmt.Errorf("link type %v", r.LinkType())
	}
	var out []gopacket.Packet
	for {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.NoCopy)
		p.Metadata().CaptureInfo = ci
		if el := p.ErrorLayer(); el != nil {
			return nil, fmt.Errorf("frame %d: %v", len(out)+1, el.Error())
		}
		out = append(out, p)
	}
}

// ipv4ChecksumOK verifies the IPv4 header checksum of a frame, if it has one.
func ipv4ChecksumOK(p gopacket.Packet) bool {
	ip, ok := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	if !ok {
		return true
	}
	return gopacket.FoldChecksum(gopacket.ComputeChecksum(ip.Contents, 0)) == 0
}

// sctpChecksumOK verifies the CRC32c of an SCTP packet (RFC 9260 Appendix A).
func sctpChecksumOK(p gopacket.Packet) bool {
	s, ok := p.Layer(layers.LayerTypeSCTP).(*layers.SCTP)
	if !ok {
		return false
	}
	pkt := append(append([]byte(nil), s.Contents...), s.Payload...)
	want := binary.LittleEndian.Uint32(pkt[8:12])
	clear(pkt[8:12])
	return crc32.Checksum(pkt, crc32.MakeTable(crc32.Castagnoli)) == want
}

// transportChecksumOK verifies a TCP or UDP checksum against the IP pseudo
// header: the one's complement sum over pseudo header and segment, checksum
// included, must be all ones.
func transportChecksumOK(p gopacket.Packet) (bool, error) {
	var seg []byte
	var proto byte
	switch l := p.TransportLayer().(type) {
	case *layers.TCP:
		seg, proto = append(append([]byte(nil), l.Contents...), l.Payload...), byte(layers.IPProtocolTCP)
	case *layers.UDP:
		seg, proto = append(append([]byte(nil), l.Contents...), l.Payload...), byte(layers.IPProtocolUDP)
	default:
		return false, fmt.Errorf("no TCP or UDP layer")
	}
	var pseudo []byte
	switch ip := p.NetworkLayer().(type) {
	case *layers.IPv4:
		pseudo = append(append(append(pseudo, ip.SrcIP.To4()...), ip.DstIP.To4()...), 0, proto)
		pseudo = binary.BigEndian.AppendUint16(pseudo, uint16(len(seg)))
	case *layers.IPv6:
		pseudo = append(append(pseudo, ip.SrcIP...), ip.DstIP...)
		pseudo = binary.BigEndian.AppendUint32(pseudo, uint32(len(seg)))
		pseudo = append(pseudo, 0, 0, 0, proto)
	default:
		return false, fmt.Errorf("no IP layer")
	}
	return gopacket.FoldChecksum(gopacket.ComputeChecksum(seg, gopacket.ComputeChecksum(pseudo, 0))) == 0, nil
}

// endpoint returns a frame's source or destination as an AddrPort.
func endpoints(p gopacket.Packet) (src, dst netip.AddrPort) {
	var sa, da netip.Addr
	switch ip := p.NetworkLayer().(type) {
	case *layers.IPv4:
		sa, _ = netip.AddrFromSlice(ip.SrcIP.To4())
		da, _ = netip.AddrFromSlice(ip.DstIP.To4())
	case *layers.IPv6:
		sa, _ = netip.AddrFromSlice(ip.SrcIP)
		da, _ = netip.AddrFromSlice(ip.DstIP)
	}
	var sp, dp uint16
	switch t := p.TransportLayer().(type) {
	case *layers.TCP:
		sp, dp = uint16(t.SrcPort), uint16(t.DstPort)
	case *layers.UDP:
		sp, dp = uint16(t.SrcPort), uint16(t.DstPort)
	case *layers.SCTP:
		sp, dp = uint16(t.SrcPort), uint16(t.DstPort)
	}
	return netip.AddrPortFrom(sa, sp), netip.AddrPortFrom(da, dp)
}

// h2Message is one HTTP/2 request or response read back from a capture.
type h2Message struct {
	Stream  uint32
	Headers []hpack.HeaderField
	Body    []byte
}

func (m h2Message) header(name string) string {
	for _, f := range m.Headers {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// tcpStream concatenates the TCP payloads sent by src, checking that
// sequence numbers are contiguous, and returns the bytes and frames seen.
func tcpStream(frames []gopacket.Packet, src netip.AddrPort) ([]byte, error) {
	var out []byte
	var next uint32
	started := false
	for i, p := range frames {
		t, ok := p.TransportLayer().(*layers.TCP)
		if !ok {
			continue
		}
		if s, _ := endpoints(p); s != src {
			continue
		}
		if t.SYN {
			next, started = t.Seq+1, true
			continue
		}
		if !started {
			return nil, fmt.Errorf("frame %d: data before SYN", i+1)
		}
		if t.Seq != next {
			return nil, fmt.Errorf("frame %d: seq %d, want %d", i+1, t.Seq, next)
		}
		next += uint32(len(t.Payload))
		out = append(out, t.Payload...)
	}
	return out, nil
}

// readH2 parses an HTTP/2 byte stream of one direction (after any client
// preface) and returns its SETTINGS frames count and messages by stream.
func readH2(stream []byte, maxFrame uint32) (settings int, msgs []h2Message, err error) {
	fr := http2.NewFramer(nil, bytes.NewReader(stream))
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	byID := map[uint32]int{}
	for {
		f, err := fr.ReadFrame()
		if errors.Is(err, io.EOF) {
			return settings, msgs, nil
		}
		if err != nil {
			return 0, nil, err
		}
		if f.Header().Length > maxFrame {
			return 0, nil, fmt.Errorf("frame of %d bytes > %d", f.Header().Length, maxFrame)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			settings++
		case *http2.MetaHeadersFrame:
			byID[f.StreamID] = len(msgs)
			msgs = append(msgs, h2Message{Stream: f.StreamID, Headers: f.Fields})
		case *http2.DataFrame:
			i, ok := byID[f.StreamID]
			if !ok {
				return 0, nil, fmt.Errorf("DATA on stream %d before HEADERS", f.StreamID)
			}
			msgs[i].Body = append(msgs[i].Body, f.Data()...)
		}
	}
}
