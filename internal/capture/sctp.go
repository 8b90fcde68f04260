package capture

import (
	"encoding/binary"
	"hash/fnv"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/credbed/credbed/internal/transport"
)

const (
	sctpCommonHeaderLen = 12
	sctpDataHeaderLen   = 16
	sctpPPIDNGAP        = 60     // TS 38.412 §7
	sctpRwnd            = 106496 // advertised receiver window in INIT/INIT-ACK
	sctpParamCookie     = 7      // State Cookie parameter (RFC 9260 §3.3.3)
	ephemeralFirst      = 49152  // first synthesized client port (IANA dynamic range)
)

// pairKey names the two ends of an association as packets give them, in
// canonical order so that both directions find the same entry.
type pairKey struct{ a, b netip.AddrPort }

func makePair(x, y netip.AddrPort) pairKey {
	if x.Compare(y) > 0 {
		x, y = y, x
	}
	return pairKey{x, y}
}

// assoc is one synthesized SCTP association. Side 0 is the initiator (the
// first sender, the gNB in NGAP), side 1 the responder.
type assoc struct {
	raw  [2]netip.AddrPort // the addresses packets use
	addr [2]netip.Addr     // normalized IP addresses
	port [2]uint16         // effective ports
	is6  bool
	tag  [2]uint32 // initiate tag of each side: the verification tag it expects
	tsn  [2]uint32 // next TSN each side sends
	ssn  [2]map[uint16]uint16
}

// hash64 gives stable per-connection numbers (tags, initial sequence numbers).
func hash64(a, b netip.AddrPort, salt byte) uint64 {
	h := fnv.New64a()
	ab, _ := a.MarshalBinary()
	bb, _ := b.MarshalBinary()
	_, _ = h.Write(ab)
	_, _ = h.Write(bb)
	_, _ = h.Write([]byte{salt})
	return h.Sum64()
}

// ephemeral allocates a synthesized client port for addr.
func (w *Writer) ephemeral(addr netip.Addr) uint16 {
	p := w.ephem[addr]
	if p < ephemeralFirst {
		p = ephemeralFirst
	}
	w.ephem[addr] = p + 1
	if p == 65535 {
		w.ephem[addr] = ephemeralFirst
	}
	return p
}

// writeN2 writes an NGAP message as SCTP DATA chunk(s) on Packet.Stream,
// opening the association with a four-way handshake the first time.
func (w *Writer) writeN2(p *transport.Packet) error {
	key := makePair(p.From, p.To)
	a := w.assocs[key]
	side := 0
	if a == nil {
		var err error
		if a, err = w.openAssoc(p.From, p.To); err != nil {
			return err
		}
		w.assocs[key] = a
	} else if a.raw[0] != p.From {
		side = 1
	}
	peer := 1 - side

	maxData := (w.maxIPPayload(a.is6) - sctpCommonHeaderLen - sctpDataHeaderLen) &^ 3
	ssn := a.nextSSN(side, p.Stream)
	data := p.Payload
	first := true
	for first || len(data) > 0 {
		n := min(len(data), maxData)
		chunk := &layers.SCTPData{
			SCTPChunk:       layers.SCTPChunk{Type: layers.SCTPChunkTypeData, Length: uint16(sctpDataHeaderLen + n)},
			BeginFragment:   first,
			EndFragment:     n == len(data),
			TSN:             a.tsn[side],
			StreamId:        p.Stream,
			StreamSequence:  ssn,
			PayloadProtocol: sctpPPIDNGAP,
			Payload:         data[:n],
		}
		a.tsn[side]++
		if err := w.emitSCTP(a, side, a.tag[peer], n, chunk); err != nil {
			return err
		}
		data = data[n:]
		first = false
	}
	return nil
}

// nextSSN returns the stream sequence number of the next ordered message
// sent by side on stream.
func (a *assoc) nextSSN(side int, stream uint16) uint16 {
	if a.ssn[side] == nil {
		a.ssn[side] = make(map[uint16]uint16)
	}
	n := a.ssn[side][stream]
	a.ssn[side][stream] = n + 1
	return n
}

// openAssoc creates the association from -> to and writes INIT, INIT-ACK,
// COOKIE-ECHO and COOKIE-ACK (RFC 9260 §5.1).
func (w *Writer) openAssoc(from, to netip.AddrPort) (*assoc, error) {
	a := &assoc{raw: [2]netip.AddrPort{from, to}}
	a.addr[0], a.addr[1], a.is6 = normalize(from.Addr(), to.Addr())
	a.port[1] = orPort(to.Port(), transport.PortNGAP)
	a.port[0] = from.Port()
	if a.port[0] == 0 {
		a.port[0] = w.ephemeral(a.addr[0])
	}
	h := hash64(from, to, 's')
	a.tag[0], a.tag[1] = uint32(h)|1, uint32(h>>32)|1
	a.tsn = a.tag

	cookie := make([]byte, 8)
	binary.BigEndian.PutUint32(cookie, a.tag[0])
	binary.BigEndian.PutUint32(cookie[4:], a.tag[1])
	init := func(t layers.SCTPChunkType, side int, params ...layers.SCTPInitParameter) *layers.SCTPInit {
		return &layers.SCTPInit{
			SCTPChunk:                      layers.SCTPChunk{Type: t},
			InitiateTag:                    a.tag[side],
			AdvertisedReceiverWindowCredit: sctpRwnd,
			OutboundStreams:                65535,
			InboundStreams:                 65535,
			InitialTSN:                     a.tsn[side],
			Parameters:                     params,
		}
	}
	steps := []struct {
		side  int
		vtag  uint32
		chunk gopacket.SerializableLayer
	}{
		{0, 0, init(layers.SCTPChunkTypeInit, 0)},
		{1, a.tag[0], init(layers.SCTPChunkTypeInitAck, 1, layers.SCTPInitParameter{Type: sctpParamCookie, Value: cookie})},
		{0, a.tag[1], &layers.SCTPCookieEcho{SCTPChunk: layers.SCTPChunk{Type: layers.SCTPChunkTypeCookieEcho}, Cookie: cookie}},
		{1, a.tag[0], &layers.SCTPEmptyLayer{SCTPChunk: layers.SCTPChunk{Type: layers.SCTPChunkTypeCookieAck}}},
	}
	for _, s := range steps {
		if err := w.emitSCTP(a, s.side, s.vtag, 0, s.chunk); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// emitSCTP writes one SCTP packet from side carrying chunk.
func (w *Writer) emitSCTP(a *assoc, side int, vtag uint32, payloadLen int, chunk gopacket.SerializableLayer) error {
	peer := 1 - side
	h := w.header(a.addr[side], a.addr[peer], a.is6, layers.IPProtocolSCTP)
	common := layers.SCTP{
		SrcPort:         layers.SCTPPort(a.port[side]),
		DstPort:         layers.SCTPPort(a.port[peer]),
		VerificationTag: vtag,
	}
	return w.emitLayers(h, payloadLen, &common, chunk)
}
