package capture

import (
	"net"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/credbed/credbed/internal/transport"
)

const (
	ipv4HeaderLen = 20
	ipv6HeaderLen = 40
	udpHeaderLen  = 8
	maxIPv4Total  = 65535
	// frameSlack is room for the Ethernet, IP and transport headers a frame
	// adds in front of its payload (SCTP INIT/INIT-ACK parameters included).
	frameSlack = 160
)

var serializeOpts = gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}

// netHdr holds the Ethernet and IP headers of one frame.
type netHdr struct {
	eth layers.Ethernet
	v4  layers.IPv4
	v6  layers.IPv6
	is6 bool
}

// network returns the IP layer, for transport checksums.
func (h *netHdr) network() gopacket.NetworkLayer {
	if h.is6 {
		return &h.v6
	}
	return &h.v4
}

func (h *netHdr) ipLayer() gopacket.SerializableLayer {
	if h.is6 {
		return &h.v6
	}
	return &h.v4
}

// ipHeaderLen is the IP header length of frames between a and b.
func ipHeaderLen(is6 bool) int {
	if is6 {
		return ipv6HeaderLen
	}
	return ipv4HeaderLen
}

// maxIPPayload is the largest transport segment (header included) one IP
// packet carries under the configured MTU.
func (w *Writer) maxIPPayload(is6 bool) int {
	return w.cfg.MTU - ipHeaderLen(is6)
}

// normalize maps a packet's two addresses to one IP version: IPv4 when both
// are IPv4 (or IPv4-mapped), IPv6 otherwise. A missing address becomes the
// unspecified address.
func normalize(a, b netip.Addr) (netip.Addr, netip.Addr, bool) {
	a, b = a.Unmap(), b.Unmap()
	is6 := a.Is6() || b.Is6()
	fix := func(x netip.Addr) netip.Addr {
		switch {
		case !x.IsValid() && is6:
			return netip.IPv6Unspecified()
		case !x.IsValid():
			return netip.IPv4Unspecified()
		case is6 && x.Is4():
			return netip.AddrFrom16(x.As16())
		}
		return x
	}
	return fix(a), fix(b), is6
}

// macOf derives a stable, locally administered MAC address from an IP address.
func macOf(a netip.Addr) net.HardwareAddr {
	b := a.As16()
	return net.HardwareAddr{0x02, 0x00, b[12], b[13], b[14], b[15]}
}

// header builds the Ethernet and IP headers of a frame from src to dst
// (already normalized) carrying proto.
func (w *Writer) header(src, dst netip.Addr, is6 bool, proto layers.IPProtocol) *netHdr {
	h := &netHdr{is6: is6}
	h.eth = layers.Ethernet{SrcMAC: macOf(src), DstMAC: macOf(dst), EthernetType: layers.EthernetTypeIPv4}
	if is6 {
		h.eth.EthernetType = layers.EthernetTypeIPv6
		s, d := src.As16(), dst.As16()
		h.v6 = layers.IPv6{Version: 6, NextHeader: proto, HopLimit: 64, SrcIP: net.IP(s[:]), DstIP: net.IP(d[:])}
		return h
	}
	s, d := src.As4(), dst.As4()
	w.ipID++
	h.v4 = layers.IPv4{
		Version: 4, TTL: 64, Protocol: proto, Id: w.ipID, Flags: layers.IPv4DontFragment,
		SrcIP: net.IP(s[:]), DstIP: net.IP(d[:]),
	}
	return h
}

// emitLayers serializes Ethernet, IP and ls into one frame and writes it.
// payloadLen sizes the buffer; a fresh buffer keeps the bytes gopacket
// leaves untouched (SCTP checksum field, chunk padding) zero.
func (w *Writer) emitLayers(h *netHdr, payloadLen int, ls ...gopacket.SerializableLayer) error {
	buf := gopacket.NewSerializeBufferExpectedSize(frameSlack+payloadLen, 0)
	all := make([]gopacket.SerializableLayer, 0, 2+len(ls))
	all = append(all, &h.eth, h.ipLayer())
	all = append(all, ls...)
	if err := gopacket.SerializeLayers(buf, serializeOpts, all...); err != nil {
		return err
	}
	return w.emit(buf.Bytes())
}

func orPort(p, def uint16) uint16 {
	if p == 0 {
		return def
	}
	return p
}

// writeUDP writes a UDP datagram; ports missing from the packet default to
// port. IPv4 datagrams bigger than the MTU are IPv4-fragmented.
func (w *Writer) writeUDP(p *transport.Packet, port uint16) error {
	src, dst, is6 := normalize(p.From.Addr(), p.To.Addr())
	sp, dp := orPort(p.From.Port(), port), orPort(p.To.Port(), port)
	if sp != port && dp != port {
		switch p.Kind {
		case transport.N3:
			w.needDecodeAs("udp.port", dp, "gtp")
		case transport.N4:
			w.needDecodeAs("udp.port", dp, "pfcp")
		}
	}
	udp := layers.UDP{SrcPort: layers.UDPPort(sp), DstPort: layers.UDPPort(dp)}
	n := udpHeaderLen + len(p.Payload)
	if n <= w.maxIPPayload(is6) {
		h := w.header(src, dst, is6, layers.IPProtocolUDP)
		if err := udp.SetNetworkLayerForChecksum(h.network()); err != nil {
			return err
		}
		return w.emitLayers(h, len(p.Payload), &udp, gopacket.Payload(p.Payload))
	}
	if is6 || ipv4HeaderLen+n > maxIPv4Total {
		return ErrTooLarge
	}
	// Serialize the whole datagram (checksum over the real pseudo header),
	// then cut it into fragments of a multiple of 8 bytes.
	h := w.header(src, dst, false, layers.IPProtocolUDP)
	if err := udp.SetNetworkLayerForChecksum(h.network()); err != nil {
		return err
	}
	buf := gopacket.NewSerializeBufferExpectedSize(frameSlack+len(p.Payload), 0)
	if err := gopacket.SerializeLayers(buf, serializeOpts, &udp, gopacket.Payload(p.Payload)); err != nil {
		return err
	}
	dgram := buf.Bytes()
	step := (w.maxIPPayload(false)) &^ 7
	for off := 0; off < len(dgram); off += step {
		end := min(off+step, len(dgram))
		fh := *h
		fh.v4.Flags = 0
		if end < len(dgram) {
			fh.v4.Flags = layers.IPv4MoreFragments
		}
		fh.v4.FragOffset = uint16(off / 8)
		if err := w.emitLayers(&fh, end-off, gopacket.Payload(dgram[off:end])); err != nil {
			return err
		}
	}
	return nil
}

// writeN6 writes an IP packet with an Ethernet header only.
func (w *Writer) writeN6(p *transport.Packet) error {
	if len(p.Payload) == 0 {
		return ErrNotIP
	}
	et := layers.EthernetTypeIPv4
	switch p.Payload[0] >> 4 {
	case 4:
	case 6:
		et = layers.EthernetTypeIPv6
	default:
		return ErrNotIP
	}
	if len(p.Payload) > Snaplen-frameSlack {
		return ErrTooLarge
	}
	src, dst, _ := normalize(p.From.Addr(), p.To.Addr())
	eth := layers.Ethernet{SrcMAC: macOf(src), DstMAC: macOf(dst), EthernetType: et}
	buf := gopacket.NewSerializeBufferExpectedSize(frameSlack+len(p.Payload), 0)
	if err := gopacket.SerializeLayers(buf, serializeOpts, &eth, gopacket.Payload(p.Payload)); err != nil {
		return err
	}
	return w.emit(buf.Bytes())
}
