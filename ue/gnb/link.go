package gnb

import (
	"context"
	"fmt"
	"net/netip"
	"sync"

	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/ue/uplane"
)

// Terminal is the radio side of a UE as the gNB sees it: in-process calls
// instead of Uu. The gNB calls it from its N2 delivery goroutine, in arrival
// order; implementations must not block for long (they may call back into the
// Link).
type Terminal interface {
	// ReceiveNAS delivers a downlink NAS PDU.
	ReceiveNAS(pdu []byte)
	// ConnectionReleased says the UE's N2 context (and RRC connection) is gone.
	ConnectionReleased()
	// SessionReady says the user plane of PDU session psi is wired (after
	// SessionAddress returned false because the tunnel was not known yet).
	SessionReady(psi uint8)
}

// Link is a UE camped on the gNB. It holds no N2 context while idle: the
// first uplink NAS message sets one up (INITIAL UE MESSAGE with a new RAN UE
// NGAP ID), UE CONTEXT RELEASE ends it. A Link is safe for concurrent use.
type Link struct {
	g *GNB
	t Terminal

	mu       sync.Mutex
	cur      *ueCtx
	detached bool
}

// Connect camps the terminal t on the gNB. t may be nil for an attacker's
// link whose downlink is only traced.
func (g *GNB) Connect(t Terminal) *Link { return &Link{g: g, t: t} }

// GNB returns the gNB.
func (l *Link) GNB() *GNB { return l.g }

// Plane returns the gNB's user plane (nil without one).
func (l *Link) Plane() *uplane.Plane { return l.g.plane }

// IDs returns the UE NGAP IDs of the current N2 context.
func (l *Link) IDs() (ran uint32, amf uint64, connected, amfKnown bool) {
	l.mu.Lock()
	c := l.cur
	l.mu.Unlock()
	if c == nil {
		return 0, 0, false, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ran, c.amf, true, c.hasAMF
}

// idle reports whether the link has no N2 UE context.
func (l *Link) idle() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cur == nil
}

// Connected reports whether the link has an N2 UE context.
func (l *Link) Connected() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cur != nil
}

// SendNAS relays an uplink NAS PDU to the AMF: in INITIAL UE MESSAGE when
// the UE has no N2 context (TS 38.413 §8.6.1), else in UPLINK NAS TRANSPORT
// (§8.6.3).
func (l *Link) SendNAS(ctx context.Context, pdu []byte) error {
	g := l.g
	if g.closed.Load() {
		return ErrClosed
	}
	if !g.ready.Load() {
		return ErrNotStarted
	}
	l.mu.Lock()
	if l.detached {
		l.mu.Unlock()
		return ErrDetached
	}
	c, initial := l.cur, false
	if c == nil {
		c, initial = g.newContext(l), true
		l.cur = c
	}
	l.mu.Unlock()
	g.c.nasUL.Add(1)
	if initial {
		return g.send(ctx, g.stream(c.ran), &ngapx.InitialUEMessage{
			RANUENGAPID: c.ran, NASPDU: pdu, Location: g.loc, RRCEstablishmentCause: ngapx.RRCMoSignalling,
		})
	}
	c.mu.Lock()
	amf, ok := c.amf, c.hasAMF
	c.mu.Unlock()
	if !ok {
		return ErrNoAMFUEID
	}
	return g.send(ctx, g.stream(c.ran), &ngapx.UplinkNASTransport{AMFUENGAPID: amf, RANUENGAPID: c.ran, NASPDU: pdu, Location: g.loc})
}

// Release drops the UE's N2 context locally (the UE released its RRC
// connection, e.g. after deeming the network not genuine). No NGAP is sent;
// the next uplink message starts a new context.
func (l *Link) Release() {
	l.mu.Lock()
	c := l.cur
	l.cur = nil
	l.mu.Unlock()
	if c != nil && l.g.remove(c) {
		l.g.dropContext(c)
	}
}

// Detach releases the link for good (the UE moved to another gNB).
func (l *Link) Detach() {
	l.Release()
	l.mu.Lock()
	l.detached = true
	l.mu.Unlock()
}

// SessionAddress tells the gNB the address the network gave PDU session psi
// (from PDU SESSION ESTABLISHMENT ACCEPT). When the gNB already holds the
// session's tunnel (PDU SESSION RESOURCE SETUP) the user plane is wired at
// once and ready is true; otherwise the gNB wires it when the tunnel arrives
// and calls Terminal.SessionReady.
func (l *Link) SessionAddress(psi uint8, ip netip.Addr) (ready bool, err error) {
	g := l.g
	if g.plane == nil {
		return false, ErrNoUserPlane
	}
	if !ip.Is4() {
		return false, fmt.Errorf("gnb: session %d: %s is not an IPv4 address", psi, ip)
	}
	l.mu.Lock()
	c := l.cur
	l.mu.Unlock()
	if c == nil {
		return false, ErrNotConnected
	}
	c.mu.Lock()
	s := c.session(psi, true)
	old := s.ip
	s.ip = ip
	unwireOld := s.wired && old != ip
	if unwireOld {
		s.wired = false
	}
	var wireNow *upSession
	if s.tunnel && !s.wired {
		wireNow = s
	}
	ready = s.wired
	c.mu.Unlock()
	if unwireOld {
		_ = g.plane.RemoveSession(old)
	}
	if wireNow != nil {
		if err := g.wire(c, wireNow); err != nil {
			return false, err
		}
		ready = true
	}
	return ready, nil
}

// upSession is one PDU session's user-plane state at the gNB.
type upSession struct {
	psi    uint8
	ul     ngapx.GTPTunnel
	dlTEID uint32
	qfi    uint8
	tunnel bool       // PDU SESSION RESOURCE SETUP seen
	ip     netip.Addr // from the UE
	wired  bool
}

// session returns the session psi of c (c.mu held), creating it if asked.
func (c *ueCtx) session(psi uint8, create bool) *upSession {
	for _, s := range c.sessions {
		if s.psi == psi {
			return s
		}
	}
	if !create {
		return nil
	}
	s := &upSession{psi: psi}
	c.sessions = append(c.sessions, s)
	return s
}

func (g *GNB) wire(c *ueCtx, s *upSession) error {
	c.mu.Lock()
	ip, ul, dl, qfi := s.ip, s.ul, s.dlTEID, s.qfi
	c.mu.Unlock()
	upf := netip.AddrPortFrom(ul.Addr, 2152)
	if err := g.plane.AddSession(ip, ul.TEID, upf, dl, qfi); err != nil {
		return fmt.Errorf("gnb: wire session %d: %w", s.psi, err)
	}
	c.mu.Lock()
	s.wired = true
	c.mu.Unlock()
	g.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN3, Name: "user plane wired",
		Detail: fmt.Sprintf("psi %d ue %s ul-teid %#x upf %s dl-teid %#x qfi %d", s.psi, ip, ul.TEID, upf, dl, qfi)})
	return nil
}

func (g *GNB) unwire(s *upSession) {
	if s.wired && g.plane != nil {
		_ = g.plane.RemoveSession(s.ip)
		s.wired = false
	}
}

func (g *GNB) allocTEID() uint32 {
	for {
		if t := g.nextTEID.Add(1); t != 0 {
			return t
		}
	}
}

// setupSession handles one PDU session of a setup request: it reads the
// request transfer (UL tunnel, QoS flows), allocates the DL TEID, wires the
// user plane when the UE's address is known and returns the response
// transfer. up reports whether the session became ready now.
func (g *GNB) setupSession(c *ueCtx, it ngapx.PDUSessionSetupItem) (transfer []byte, cause ngapx.Cause, ok, up bool) {
	if g.plane == nil {
		return nil, ngapx.CauseMiscNotEnoughUserPlaneResources, false, false
	}
	if it.ID < 1 || it.ID > 15 {
		return nil, ngapx.CauseRadioNetworkUnknownPDUSessionID, false, false
	}
	t, err := ngapx.ParsePDUSessionSetupRequestTransfer(it.Transfer)
	if err != nil {
		g.drop("PDUSessionResourceSetupRequestTransfer", err.Error())
		return nil, ngapx.CauseProtocolTransferSyntaxError, false, false
	}
	if !t.ULTunnel.Addr.IsValid() {
		return nil, ngapx.CauseProtocolSemanticError, false, false
	}
	qfis := make([]uint8, 0, len(t.QoSFlows))
	for _, f := range t.QoSFlows {
		qfis = append(qfis, f.QFI)
	}
	qfi := uint8(1)
	if len(qfis) > 0 {
		qfi = qfis[0]
	} else {
		qfis = append(qfis, qfi)
	}
	teid := g.allocTEID()
	c.mu.Lock()
	s := c.session(it.ID, true)
	prev := *s
	s.ul, s.dlTEID, s.qfi, s.tunnel, s.wired = t.ULTunnel, teid, qfi, true, false
	ip := s.ip
	c.mu.Unlock()
	if prev.wired {
		_ = g.plane.RemoveSession(prev.ip)
	}
	resp, err := (&ngapx.PDUSessionSetupResponseTransfer{
		DLTunnel: ngapx.GTPTunnel{Addr: g.plane.N3Addr().Addr(), TEID: teid}, QFIs: qfis,
	}).Build()
	if err != nil {
		return nil, ngapx.CauseProtocolSemanticError, false, false
	}
	if ip.IsValid() {
		if err := g.wire(c, s); err != nil {
			g.log.Debug("gnb: wire", "err", err)
			return nil, ngapx.CauseMiscNotEnoughUserPlaneResources, false, false
		}
		up = true
	}
	return resp, 0, true, up
}

// pduSessionSetup answers PDU SESSION RESOURCE SETUP REQUEST (TS 38.413
// §8.2.1), then hands the NAS messages to the UE.
func (g *GNB) pduSessionSetup(v *ngapx.PDUSessionResourceSetupRequest) {
	c := g.ueFor(v.AMFUENGAPID, v.RANUENGAPID)
	if c == nil {
		return
	}
	var ready []uint8
	resp := &ngapx.PDUSessionResourceSetupResponse{AMFUENGAPID: v.AMFUENGAPID, RANUENGAPID: v.RANUENGAPID}
	for _, it := range v.PDUSessions {
		tr, cause, ok, up := g.setupSession(c, it)
		if ok {
			resp.Setup = append(resp.Setup, ngapx.PDUSessionItem{ID: it.ID, Transfer: tr})
			if up {
				ready = append(ready, it.ID)
			}
		} else {
			resp.Failed = append(resp.Failed, failedItem(it.ID, cause))
		}
	}
	if err := g.send(context.Background(), g.stream(v.RANUENGAPID), resp); err != nil {
		g.log.Debug("gnb: PDU session resource setup response not sent", "err", err)
	}
	g.deliver(c.link, v.NASPDU)
	for _, it := range v.PDUSessions {
		g.deliver(c.link, it.NASPDU)
	}
	g.notifyReady(c.link, ready)
}

func (g *GNB) notifyReady(l *Link, psis []uint8) {
	if l == nil || l.t == nil {
		return
	}
	for _, p := range psis {
		l.t.SessionReady(p)
	}
}

// pduSessionRelease answers PDU SESSION RESOURCE RELEASE COMMAND (TS 38.413
// §8.2.2).
func (g *GNB) pduSessionRelease(v *ngapx.PDUSessionResourceReleaseCommand) {
	c := g.ueFor(v.AMFUENGAPID, v.RANUENGAPID)
	if c == nil {
		return
	}
	resp := &ngapx.PDUSessionResourceReleaseResponse{AMFUENGAPID: v.AMFUENGAPID, RANUENGAPID: v.RANUENGAPID}
	rt, _ := ngapx.BuildPDUSessionReleaseResponseTransfer()
	for _, it := range v.PDUSessions {
		c.mu.Lock()
		var gone *upSession
		for i, s := range c.sessions {
			if s.psi == it.ID {
				gone = s
				c.sessions = append(c.sessions[:i], c.sessions[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
		if gone != nil {
			g.unwire(gone)
		}
		resp.PDUSessions = append(resp.PDUSessions, ngapx.PDUSessionItem{ID: it.ID, Transfer: rt})
	}
	if err := g.send(context.Background(), g.stream(v.RANUENGAPID), resp); err != nil {
		g.log.Debug("gnb: PDU session resource release response not sent", "err", err)
	}
	g.deliver(c.link, v.NASPDU)
}
