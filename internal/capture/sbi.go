package capture

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/credbed/credbed/internal/transport"
)

const (
	tcpHeaderLen    = 20
	tcpWindow       = 65535
	tcpWindowShift  = 14        // announced in SYN and SYN-ACK: 1 GiB windows, no "window full" noise
	h2MaxFrame      = 16384     // SETTINGS_MAX_FRAME_SIZE default (RFC 9113 §6.5.2)
	maxPending      = 4096      // unanswered requests remembered per connection
	maxClientStream = 1<<31 - 1 // largest stream id (RFC 9113 §5.1.1)
	defaultJSON     = "application/json"
)

// connKey names an SBI connection by the addresses its request packets use.
type connKey struct{ client, server netip.AddrPort }

// conn is one synthesized TCP connection carrying HTTP/2. Side 0 is the
// client, side 1 the server.
type conn struct {
	addr    [2]netip.Addr
	port    [2]uint16
	is6     bool
	seq     [2]uint32 // next sequence number each side sends
	next    uint32    // next client stream id
	pending []pending // requests not answered yet, oldest first
	hbuf    [2]bytes.Buffer
	enc     [2]*hpack.Encoder // per direction, so HPACK state matches a decoder reading in order
}

// pending is an unanswered request.
type pending struct {
	stream       uint32
	method, path string
	id           uint64 // transport.Packet.SBIStream, 0 when unknown
}

// answer returns the stream of the request rsp answers: the request with
// the same SBIStream id when the transport set one, else the oldest
// unanswered request with rsp's method and path when rsp names them (the mem
// transport copies them into responses), else the oldest one, else a fresh
// stream (a response whose request was not seen).
func (c *conn) answer(rsp *transport.Packet) uint32 {
	i := -1
	if rsp.SBIStream != 0 {
		i = slices.IndexFunc(c.pending, func(q pending) bool { return q.id == rsp.SBIStream })
	}
	if i < 0 && (rsp.Method != "" || rsp.Path != "") {
		i = slices.IndexFunc(c.pending, func(q pending) bool { return q.method == rsp.Method && q.path == rsp.Path })
	}
	if i < 0 && len(c.pending) > 0 {
		i = 0
	}
	if i < 0 {
		return c.newStream()
	}
	sid := c.pending[i].stream
	c.pending = slices.Delete(c.pending, i, i+1)
	return sid
}

// connectionSpecific lists header fields HTTP/2 forbids (RFC 9113 §8.2.2),
// plus Host, which :authority replaces.
var connectionSpecific = []string{"connection", "host", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}

// writeSBI writes an SBI request or response as HTTP/2 frames on the TCP
// connection between the two NFs, opening it first if needed.
//
// A response goes on the stream of the request it answers (see
// conn.answer: transport.Packet carries no round-trip id yet).
func (w *Writer) writeSBI(p *transport.Packet) error {
	key := connKey{client: p.From, server: p.To}
	if p.Response {
		key = connKey{client: p.To, server: p.From}
	}
	c := w.conns[key]
	if c != nil && c.next > maxClientStream {
		c = nil // stream ids exhausted: a new connection on the same addresses
	}
	if c == nil {
		var err error
		if c, err = w.openConn(key); err != nil {
			return err
		}
		w.conns[key] = c
	}

	var sid uint32
	side := 0
	if p.Response {
		side = 1
		sid = c.answer(p)
	} else {
		sid = c.newStream()
		if len(c.pending) >= maxPending {
			c.pending = slices.Delete(c.pending, 0, 1)
		}
		c.pending = append(c.pending, pending{stream: sid, method: p.Method, path: p.Path, id: p.SBIStream})
	}

	w.fbuf.Reset()
	if err := w.writeHeaders(c, side, sid, w.fields(c, p), len(p.Payload) == 0); err != nil {
		return err
	}
	for data := p.Payload; len(data) > 0; {
		n := min(len(data), h2MaxFrame)
		if err := w.framer.WriteData(sid, n == len(data), data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return w.tcpSend(c, side, w.fbuf.Bytes())
}

func (c *conn) newStream() uint32 {
	sid := c.next
	c.next += 2
	return sid
}

// fields builds the header list of p: pseudo-header fields first, then the
// packet's headers sorted by name (http.Header is a map: sorting keeps
// captures byte-identical across runs).
func (w *Writer) fields(c *conn, p *transport.Packet) []hpack.HeaderField {
	var fs []hpack.HeaderField
	if p.Response {
		status := p.Status
		switch {
		case status == 0:
			status = http.StatusOK
		case status < 100 || status > 999:
			status = http.StatusInternalServerError
		}
		fs = append(fs, hpack.HeaderField{Name: ":status", Value: strconv.Itoa(status)})
	} else {
		method := p.Method
		if method == "" {
			method = http.MethodGet
			if len(p.Payload) > 0 {
				method = http.MethodPost
			}
		}
		path := p.Path
		if path == "" {
			path = "/"
		}
		fs = append(fs,
			hpack.HeaderField{Name: ":method", Value: method},
			hpack.HeaderField{Name: ":scheme", Value: "http"},
			hpack.HeaderField{Name: ":authority", Value: netip.AddrPortFrom(c.addr[1], c.port[1]).String()},
			hpack.HeaderField{Name: ":path", Value: path},
		)
	}
	names := make([]string, 0, len(p.Header))
	for k := range p.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	hasType := false
	for _, k := range names {
		name := strings.ToLower(k)
		if name == "" || name[0] == ':' || slices.Contains(connectionSpecific, name) {
			continue
		}
		if name == "te" {
			continue // only "trailers" is allowed; requests here never need it
		}
		hasType = hasType || name == "content-type"
		for _, v := range p.Header[k] {
			fs = append(fs, hpack.HeaderField{Name: name, Value: v})
		}
	}
	if !hasType && len(p.Payload) > 0 {
		fs = append(fs, hpack.HeaderField{Name: "content-type", Value: defaultJSON})
	}
	return fs
}

// writeHeaders HPACK-encodes fs and writes HEADERS (+ CONTINUATION) frames.
func (w *Writer) writeHeaders(c *conn, side int, sid uint32, fs []hpack.HeaderField, endStream bool) error {
	hb := &c.hbuf[side]
	hb.Reset()
	for _, f := range fs {
		if err := c.enc[side].WriteField(f); err != nil {
			return err
		}
	}
	block := hb.Bytes()
	n := min(len(block), h2MaxFrame)
	if err := w.framer.WriteHeaders(http2.HeadersFrameParam{
		StreamID: sid, BlockFragment: block[:n], EndStream: endStream, EndHeaders: n == len(block),
	}); err != nil {
		return err
	}
	for block = block[n:]; len(block) > 0; block = block[n:] {
		n = min(len(block), h2MaxFrame)
		if err := w.framer.WriteContinuation(sid, n == len(block), block[:n]); err != nil {
			return err
		}
	}
	return nil
}

// openConn writes the TCP three-way handshake, the client connection preface
// with SETTINGS, the server's SETTINGS and both SETTINGS acknowledgements.
func (w *Writer) openConn(key connKey) (*conn, error) {
	c := &conn{next: 1}
	c.addr[0], c.addr[1], c.is6 = normalize(key.client.Addr(), key.server.Addr())
	c.port[1] = orPort(key.server.Port(), transport.PortSBI)
	if c.port[1] != transport.PortSBI {
		w.needDecodeAs("tcp.port", c.port[1], "http2")
	}
	c.port[0] = key.client.Port()
	if c.port[0] == 0 || c.port[0] == c.port[1] {
		// mem mode names the client NF by its server address (or none): give
		// the client side an ephemeral port so that A->B and B->A connections
		// stay distinct conversations.
		c.port[0] = w.ephemeral(c.addr[0])
	}
	for i := range c.enc {
		c.enc[i] = hpack.NewEncoder(&c.hbuf[i])
	}
	h := hash64(key.client, key.server, 't')
	isn := [2]uint32{uint32(h), uint32(h >> 32)}

	mss := make([]byte, 2)
	binary.BigEndian.PutUint16(mss, uint16(w.maxIPPayload(c.is6)-tcpHeaderLen))
	opts := []layers.TCPOption{
		{OptionType: layers.TCPOptionKindMSS, OptionData: mss},
		{OptionType: layers.TCPOptionKindNop},
		{OptionType: layers.TCPOptionKindWindowScale, OptionData: []byte{tcpWindowShift}},
	}
	if err := w.emitTCP(c, 0, &layers.TCP{Seq: isn[0], SYN: true, Window: tcpWindow, Options: opts}, nil); err != nil {
		return nil, err
	}
	if err := w.emitTCP(c, 1, &layers.TCP{Seq: isn[1], Ack: isn[0] + 1, SYN: true, ACK: true, Window: tcpWindow, Options: opts}, nil); err != nil {
		return nil, err
	}
	c.seq = [2]uint32{isn[0] + 1, isn[1] + 1}
	if err := w.tcpSend(c, 0, nil); err != nil {
		return nil, err
	}

	w.fbuf.Reset()
	w.fbuf.WriteString(http2.ClientPreface)
	if err := w.framer.WriteSettings(); err != nil {
		return nil, err
	}
	if err := w.tcpSend(c, 0, w.fbuf.Bytes()); err != nil {
		return nil, err
	}
	w.fbuf.Reset()
	if err := w.framer.WriteSettings(); err != nil {
		return nil, err
	}
	if err := w.framer.WriteSettingsAck(); err != nil {
		return nil, err
	}
	if err := w.tcpSend(c, 1, w.fbuf.Bytes()); err != nil {
		return nil, err
	}
	w.fbuf.Reset()
	if err := w.framer.WriteSettingsAck(); err != nil {
		return nil, err
	}
	return c, w.tcpSend(c, 0, w.fbuf.Bytes())
}

// tcpSend writes data from side as PSH/ACK segments no bigger than the MSS;
// with no data it writes one bare ACK.
func (w *Writer) tcpSend(c *conn, side int, data []byte) error {
	mss := w.maxIPPayload(c.is6) - tcpHeaderLen
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), mss)
		seg := &layers.TCP{Seq: c.seq[side], Ack: c.seq[1-side], ACK: true, PSH: n > 0, Window: tcpWindow}
		if err := w.emitTCP(c, side, seg, data[:n]); err != nil {
			return err
		}
		c.seq[side] += uint32(n)
		data = data[n:]
	}
	return nil
}

func (w *Writer) emitTCP(c *conn, side int, seg *layers.TCP, data []byte) error {
	peer := 1 - side
	seg.SrcPort, seg.DstPort = layers.TCPPort(c.port[side]), layers.TCPPort(c.port[peer])
	h := w.header(c.addr[side], c.addr[peer], c.is6, layers.IPProtocolTCP)
	if err := seg.SetNetworkLayerForChecksum(h.network()); err != nil {
		return err
	}
	if len(data) == 0 {
		return w.emitLayers(h, 0, seg)
	}
	return w.emitLayers(h, len(data), seg, gopacket.Payload(data))
}
