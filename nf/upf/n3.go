package upf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"sync"

	gtpie "github.com/wmnsk/go-gtp/gtpv1/ie"
	gtpmsg "github.com/wmnsk/go-gtp/gtpv1/message"

	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/trace"
)

// Errors from GTP-U decoding.
var (
	ErrGTPU      = errors.New("upf: malformed GTP-U")
	ErrGTPUExt   = errors.New("upf: unsupported GTP-U extension header")
	ErrInnerIPv4 = errors.New("upf: malformed inner IPv4 packet")
)

// gtpu is a decoded GTP-U message header with the fields the UPF uses.
type gtpu struct {
	h      gtpmsg.Header
	qfi    uint8 // from the PDU Session Container; 0 when absent
	hasQFI bool
}

// decodeGTPU decodes b with go-gtp's header codec (TS 29.281 §5.1) and
// extracts the QFI of a PDU Session Container (TS 38.415 §5.5.2). It never
// panics. The header's Payload aliases b.
func decodeGTPU(g *gtpu, b []byte) (err error) {
	if len(b) < 8 {
		return fmt.Errorf("%w: %d bytes", ErrGTPU, len(b))
	}
	if b[0]>>5 != 1 || b[0]&0x10 == 0 {
		return fmt.Errorf("%w: version %d, PT %d", ErrGTPU, b[0]>>5, b[0]>>4&1)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: decoder panic: %v", ErrGTPU, r)
		}
	}()
	if err := g.h.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("%w: %w", ErrGTPU, err)
	}
	for _, e := range g.h.ExtensionHeaders {
		switch e.Type {
		case gtpmsg.ExtHeaderTypePDUSessionContainer:
			if len(e.Content) < 2 {
				return fmt.Errorf("%w: PDU Session Container of %d bytes", ErrGTPU, len(e.Content))
			}
			g.qfi, g.hasQFI = e.Content[1]&0x3f, true
		case gtpmsg.ExtHeaderTypeUDPPort, gtpmsg.ExtHeaderTypeServiceClassIndicator,
			gtpmsg.ExtHeaderTypePDCPPDUNumber, gtpmsg.ExtHeaderTypeLongPDCPPDUNumber:
		default:
			// TS 29.281 §5.2.1: bits 8-7 = 1x: the receiving endpoint must comprehend it.
			if e.Type&0x80 != 0 {
				return fmt.Errorf("%w: type %#02x", ErrGTPUExt, e.Type)
			}
		}
	}
	return nil
}

// ipv4Addrs validates an IPv4 header (TS: RFC 791) and returns its addresses.
func ipv4Addrs(p []byte) (src, dst uint32, err error) {
	if len(p) < 20 || p[0]>>4 != 4 {
		return 0, 0, fmt.Errorf("%w: %d bytes", ErrInnerIPv4, len(p))
	}
	ihl := int(p[0]&0x0f) * 4
	tot := int(binary.BigEndian.Uint16(p[2:4]))
	if ihl < 20 || tot < ihl || tot > len(p) {
		return 0, 0, fmt.Errorf("%w: ihl %d total length %d of %d bytes", ErrInnerIPv4, ihl, tot, len(p))
	}
	return binary.BigEndian.Uint32(p[12:16]), binary.BigEndian.Uint32(p[16:20]), nil
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 2048); return &b }}

// HandleN3 processes one GTP-U message from a gNB (or any GTP-U peer). It
// is the N3 endpoint's handler.
func (u *UPF) HandleN3(from netip.AddrPort, b []byte) {
	u.c.n3In.Add(1)
	var g gtpu
	if err := decodeGTPU(&g, b); err != nil {
		r := DropMalformedGTPU
		if errors.Is(err, ErrGTPUExt) {
			r = DropUnsupportedGTPU
		}
		u.drop(r, trace.IfaceN3, from, "GTP-U", err.Error())
		return
	}
	switch g.h.Type {
	case gtpmsg.MsgTypeTPDU:
		u.uplink(from, &g)
	case gtpmsg.MsgTypeEchoRequest:
		u.c.echoIn.Add(1)
		// TS 29.281 §7.2.2: Echo Response with the request's sequence number and a Recovery IE (restart counter 0).
		resp, err := gtpmsg.NewEchoResponse(g.h.SequenceNumber, gtpie.NewRecovery(0)).Marshal()
		if err == nil {
			u.sendN3(from, resp)
		}
	case gtpmsg.MsgTypeErrorIndication:
		// The peer has no context for a TEID we sent to: count and trace (sampled).
		n := u.c.errIndIn.Add(1)
		if n&(n-1) == 0 {
			detail := fmt.Sprintf("count=%d", n)
			if ei, err := gtpmsg.ParseErrorIndication(b); err == nil && ei.TEIDDataI != nil {
				if t, err := ei.TEIDDataI.TEID(); err == nil {
					detail = fmt.Sprintf("teid=%#x %s", t, detail)
				}
			}
			u.emit(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN3, Peer: from.String(),
				Name: "GTP-U Error Indication", Detail: detail})
		}
	case gtpmsg.MsgTypeEndMarker:
		u.c.endMarkers.Add(1)
	case gtpmsg.MsgTypeEchoResponse:
	default:
		u.drop(DropUnsupportedGTPU, trace.IfaceN3, from, "GTP-U", fmt.Sprintf("message type %d", g.h.Type))
	}
}

func (u *UPF) uplink(from netip.AddrPort, g *gtpu) {
	rs := u.ul.load(g.h.TEID)
	if rs == nil {
		u.drop(DropUnknownTEID, trace.IfaceN3, from, "G-PDU", fmt.Sprintf("teid=%#x", g.h.TEID))
		u.errorIndication(from, g.h.TEID)
		return
	}
	inner := g.h.Payload
	src, _, err := ipv4Addrs(inner)
	if err != nil {
		u.drop(DropMalformedInner, trace.IfaceN3, from, "G-PDU", fmt.Sprintf("teid=%#x", g.h.TEID))
		return
	}
	var p *fastPDR
	for i := range rs.pdrs {
		c := &rs.pdrs[i]
		if (c.qfi == 0 || c.qfi == g.qfi) && (!c.hasUE || c.ueIP == src) {
			p = c
			break
		}
	}
	if p == nil {
		u.drop(DropNoPDR, trace.IfaceN3, from, "G-PDU",
			fmt.Sprintf("teid=%#x qfi=%d src=%v", g.h.TEID, g.qfi, keyAddr(src)))
		return
	}
	if u.apply(p, trace.IfaceN3, from, inner) {
		u.c.ulFwd.Add(1)
	}
}

// apply enforces gate and FAR of the matched PDR and forwards pkt.
func (u *UPF) apply(p *fastPDR, iface string, from netip.AddrPort, pkt []byte) bool {
	switch {
	case p.gateClosed:
		u.drop(DropGateClosed, iface, from, "packet", fmt.Sprintf("pdr=%d", p.id))
		return false
	case p.action.Has(pfcpx.ActDrop):
		u.drop(DropFARDrop, iface, from, "packet", fmt.Sprintf("pdr=%d", p.id))
		return false
	case !p.action.Has(pfcpx.ActForward):
		// Only downlink is buffered (see downlink); an uplink FAR that buffers drops.
		u.drop(DropFARBuffer, iface, from, "packet", fmt.Sprintf("pdr=%d", p.id))
		return false
	case p.gtpPeer.IsValid():
		return u.encapsulate(p, pkt)
	default:
		ep := u.endpoints().n6
		if ep == nil {
			return false
		}
		if err := ep.Send(u.ctx, p.toN6, pkt); err != nil {
			u.drop(DropSendFailed, trace.IfaceN6, p.toN6, "packet", err.Error())
			return false
		}
		u.c.n6Out.Add(1)
		return true
	}
}

// encapsulate sends pkt as a G-PDU to p's GTP-U peer with p's extension
// headers (the PDU Session Container carrying the QFI), using go-gtp's
// header codec into a pooled buffer.
func (u *UPF) encapsulate(p *fastPDR, pkt []byte) bool {
	h := gtpmsg.Header{Flags: 0x30, Type: gtpmsg.MsgTypeTPDU, TEID: p.teid, Payload: pkt}
	if p.exts != nil {
		h.Flags |= 0x04
		h.NextExtensionHeaderType = p.exts[0].Type
		h.ExtensionHeaders = p.exts
	}
	h.SetLength()
	n := h.MarshalLen()
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	if cap(*bp) < n {
		*bp = make([]byte, n)
	}
	out := (*bp)[:n]
	if err := h.MarshalTo(out); err != nil {
		u.drop(DropSendFailed, trace.IfaceN3, p.gtpPeer, "G-PDU", err.Error())
		return false
	}
	return u.sendN3(p.gtpPeer, out)
}

func (u *UPF) sendN3(to netip.AddrPort, b []byte) bool {
	ep := u.endpoints().n3
	if ep == nil {
		return false
	}
	if err := ep.Send(u.ctx, to, b); err != nil {
		u.drop(DropSendFailed, trace.IfaceN3, to, "GTP-U", err.Error())
		return false
	}
	u.c.n3Out.Add(1)
	return true
}

// errorIndication tells the sender of a G-PDU on an unknown TEID that the
// tunnel does not exist (TS 29.281 §7.3.1): TEID Data I is the unknown TEID,
// GTP-U Peer Address is this UPF's N3 address, and the UDP Port extension
// header carries the G-PDU's source port.
func (u *UPF) errorIndication(to netip.AddrPort, teid uint32) {
	ei := gtpmsg.NewErrorIndication(0, 0, gtpie.NewTEIDDataI(teid), gtpie.NewGSNAddress(u.cfg.N3Addr.Addr().String()))
	port := []byte{byte(to.Port() >> 8), byte(to.Port())}
	if err := ei.AddExtensionHeaders(gtpmsg.NewExtensionHeader(gtpmsg.ExtHeaderTypeUDPPort, port, gtpmsg.ExtHeaderTypeNoMoreExtensionHeaders)); err != nil {
		return
	}
	b, err := ei.Marshal()
	if err != nil {
		return
	}
	if u.sendN3(to, b) {
		u.c.errIndOut.Add(1)
	}
}

// HandleN6 processes one raw IPv4 packet from the data network: the
// destination address selects the session, whose downlink FAR tunnels it
// to the gNB. It is the N6 endpoint's handler.
func (u *UPF) HandleN6(from netip.AddrPort, pkt []byte) {
	u.c.n6In.Add(1)
	_, dst, err := ipv4Addrs(pkt)
	if err != nil {
		u.drop(DropMalformedInner, trace.IfaceN6, from, "packet", err.Error())
		return
	}
	u.downlink(from, dst, pkt)
}

// downlink applies the rules of UE address dst to pkt: forward it towards
// the gNB, drop it, or buffer it while the FAR says BUFF.
func (u *UPF) downlink(from netip.AddrPort, dst uint32, pkt []byte) {
	for range 4 {
		rs := u.dl.load(dst)
		if rs == nil {
			u.drop(DropNoSession, trace.IfaceN6, from, "packet", "dst="+keyAddr(dst).String())
			return
		}
		p := &rs.pdrs[0] // every PDR under this key matches the destination; the first has the best precedence
		if !p.buffers() {
			if u.apply(p, trace.IfaceN6, from, pkt) {
				u.c.dlFwd.Add(1)
			}
			return
		}
		switch u.enqueue(rs, dst, p, pkt) {
		case bufStale:
			continue // the session's rules changed meanwhile
		case bufFull:
			u.drop(DropBufferFull, trace.IfaceN6, from, "packet", fmt.Sprintf("up-seid=%#x pdr=%d", rs.seid, p.id))
		case bufFirst:
			u.c.buffered.Add(1)
			u.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN6, Name: "downlink buffering",
				Detail: fmt.Sprintf("up-seid=%#x ue=%v pdr=%d", rs.seid, keyAddr(dst), p.id)})
		default:
			u.c.buffered.Add(1)
		}
		return
	}
	// The rules changed under this packet four times in a row.
	u.drop(DropBufferFull, trace.IfaceN6, from, "packet", "rules kept changing")
}

// endpoints returns the bound endpoints (all nil before Start and after Close).
func (u *UPF) endpoints() endpoints {
	if e := u.eps.Load(); e != nil {
		return *e
	}
	return endpoints{}
}
