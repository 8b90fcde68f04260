package ue

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/ue/gmm"
	"github.com/credbed/credbed/ue/uplane"
)

// Session is a PDU session as the UE sees it. A network rejection is a
// value (Accepted false with Cause or MMCause), not an error.
type Session struct {
	ID     uint8 // PDU session identity 1..15
	DNN    string
	SNSSAI nasx.SNSSAI
	// Accepted: PDU SESSION ESTABLISHMENT ACCEPT received.
	Accepted bool
	// Cause is the 5GSM cause of PDU SESSION ESTABLISHMENT REJECT (0 = none).
	Cause uint8
	// MMCause is the 5GMM cause of a DL NAS TRANSPORT that could not carry
	// the request (e.g. #90 payload was not forwarded); 0 = none.
	MMCause uint8
	// Addr is the UE's IPv4 address in the data network.
	Addr netip.Addr
	// AMBR is the session-AMBR the network granted.
	AMBR nasx.SessionAMBR
	// UserPlane: the serving cell wired the session's GTP-U tunnel.
	UserPlane bool
}

type session struct {
	Session
	pti          uint8
	establishing bool
	releasing    bool
	wait         chan struct{}
	err          error
}

// complete ends the procedure a caller waits for (u.mu held).
func (s *session) complete(err error) {
	if s.wait == nil {
		return
	}
	s.err = err
	close(s.wait)
	s.wait = nil
	s.establishing, s.releasing = false, false
}

func (u *UE) session(psi uint8) *session {
	for _, s := range u.sessions {
		if s.ID == psi {
			return s
		}
	}
	return nil
}

func (u *UE) removeSession(psi uint8) {
	for i, s := range u.sessions {
		if s.ID == psi {
			u.sessions = append(u.sessions[:i], u.sessions[i+1:]...)
			return
		}
	}
}

func (u *UE) freePSI() uint8 {
	for psi := uint8(1); psi <= 15; psi++ {
		if u.session(psi) == nil {
			return psi
		}
	}
	return 0
}

func (u *UE) nextPTI() uint8 {
	u.pti = u.pti%254 + 1 // 1..254 (TS 24.007 §11.2.3.1a)
	return u.pti
}

// abortSessions fails every waiting session procedure; with drop the
// sessions are forgotten (u.mu held).
func (u *UE) abortSessions(err error, drop bool) {
	for _, s := range u.sessions {
		s.complete(err)
	}
	if drop {
		u.sessions = nil
	}
}

func (u *UE) smEvent(dir gmm.Direction, t nasx.MessageType, psi uint8) {
	u.emit(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN1, Peer: gmm.PeerAMF, Name: t.String(),
		Detail: fmt.Sprintf("%s 5GSM psi=%d", strings.ToLower(dir.String()), psi)})
}

// sendSM hands a 5GSM message to 5GMM (u.mu held).
func (u *UE) sendSM(msg nasx.GSMMsg, ev gmm.SendSM) error {
	payload, err := msg.Build()
	if err != nil {
		return fmt.Errorf("ue: build %s: %w", msg.MessageType(), err)
	}
	ev.Payload = payload
	ev.PDUSessionID = msg.GSM().PDUSessionID
	out, err := u.m.Handle(ev)
	if err != nil {
		return err
	}
	u.smEvent(gmm.UL, msg.MessageType(), ev.PDUSessionID)
	u.apply(out)
	return nil
}

// EstablishSession runs UE-requested PDU session establishment (TS 24.501
// §6.4.1): PDU SESSION ESTABLISHMENT REQUEST (IPv4, SSC mode 1) in UL NAS
// TRANSPORT with the DNN and S-NSSAI, then waits for the accept or reject
// and, after an accept, for the serving cell to wire the user plane.
func (u *UE) EstablishSession(ctx context.Context, dnn string, snssai nasx.SNSSAI) (Session, error) {
	u.mu.Lock()
	if u.radio == nil {
		u.mu.Unlock()
		return Session{}, ErrNotAttached
	}
	if !u.m.Registered() {
		u.mu.Unlock()
		return Session{}, ErrNotRegistered
	}
	psi := u.freePSI()
	if psi == 0 {
		u.mu.Unlock()
		return Session{}, ErrNoPSI
	}
	s := &session{Session: Session{ID: psi, DNN: dnn, SNSSAI: snssai}, pti: u.nextPTI(), establishing: true, wait: make(chan struct{})}
	u.sessions = append(u.sessions, s)
	wait := s.wait
	sn := snssai
	err := u.sendSM(&nasx.PDUSessionEstablishmentRequest{
		GSMHeader:              nasx.GSMHeader{PDUSessionID: psi, PTI: s.pti},
		IntegrityMaxDataRateUL: nasx.MaxDataRateFull, IntegrityMaxDataRateDL: nasx.MaxDataRateFull,
		PDUSessionType: nasx.PDUSessionIPv4, SSCMode: nasx.SSCMode1,
	}, gmm.SendSM{RequestType: nasx.RequestInitial, SNSSAI: &sn, DNN: dnn})
	if err != nil {
		u.removeSession(psi)
		u.mu.Unlock()
		return Session{}, err
	}
	u.mu.Unlock()
	u.flush()
	select {
	case <-wait:
	case <-ctx.Done():
		u.mu.Lock()
		if s.establishing {
			s.complete(ctx.Err())
			u.removeSession(psi)
		}
		res := s.Session
		u.mu.Unlock()
		return res, ctx.Err()
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return s.Session, s.err
}

// ReleaseSession runs UE-requested PDU session release (TS 24.501 §6.4.3).
func (u *UE) ReleaseSession(ctx context.Context, psi uint8) error {
	u.mu.Lock()
	s := u.session(psi)
	if s == nil || !s.Accepted {
		u.mu.Unlock()
		return ErrNoSession
	}
	if s.wait != nil {
		u.mu.Unlock()
		return ErrBusy
	}
	s.pti, s.releasing, s.wait = u.nextPTI(), true, make(chan struct{})
	wait := s.wait
	if err := u.sendSM(&nasx.PDUSessionReleaseRequest{GSMHeader: nasx.GSMHeader{PDUSessionID: psi, PTI: s.pti}}, gmm.SendSM{}); err != nil {
		s.complete(nil)
		u.mu.Unlock()
		return err
	}
	u.mu.Unlock()
	u.flush()
	select {
	case <-wait:
	case <-ctx.Done():
		return ctx.Err()
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return s.err
}

// handleSM processes a 5GSM payload from DL NAS TRANSPORT (u.mu held).
func (u *UE) handleSM(sm gmm.SMPayload) {
	if sm.Cause != nil {
		u.emit(trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN1, Peer: gmm.PeerAMF, Name: "DL NAS TRANSPORT",
			Cause: gmm.CauseString(*sm.Cause), Detail: fmt.Sprintf("5GSM payload for psi %d not forwarded", sm.PDUSessionID)})
		if s := u.session(sm.PDUSessionID); s != nil && s.establishing {
			s.MMCause = *sm.Cause
			s.complete(nil)
			u.removeSession(sm.PDUSessionID)
		}
		return
	}
	msg, err := nasx.ParseGSM(sm.Payload)
	if err != nil {
		u.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN1, Name: "5GSM", Cause: gmm.DropUndecodable, Detail: err.Error()})
		return
	}
	h := msg.GSM()
	u.smEvent(gmm.DL, msg.MessageType(), h.PDUSessionID)
	s := u.session(h.PDUSessionID)
	drop := func(why string) {
		u.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN1, Name: msg.MessageType().String(), Cause: gmm.DropState, Detail: why})
	}
	switch v := msg.(type) {
	case *nasx.PDUSessionEstablishmentAccept:
		if s == nil || !s.establishing || s.pti != h.PTI {
			drop("no matching PDU session establishment")
			return
		}
		s.Accepted, s.Addr, s.AMBR, s.establishing = true, v.PDUAddress, v.SessionAMBR, false
		if v.DNN != "" {
			s.DNN = v.DNN
		}
		if v.PDUAddress.Is4() {
			u.actions = append(u.actions, action{kind: actSessionAddress, psi: s.ID, ip: v.PDUAddress})
		} else {
			s.complete(nil)
		}
	case *nasx.PDUSessionEstablishmentReject:
		if s == nil || !s.establishing || s.pti != h.PTI {
			drop("no matching PDU session establishment")
			return
		}
		s.Cause = v.Cause
		u.emit(trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN1, Peer: gmm.PeerAMF, Name: msg.MessageType().String(),
			Cause: fmt.Sprintf("5GSM#%d", v.Cause)})
		s.complete(nil)
		u.removeSession(h.PDUSessionID)
	case *nasx.PDUSessionReleaseCommand:
		if s == nil {
			drop("unknown PDU session")
			return
		}
		_ = u.sendSM(&nasx.PDUSessionReleaseComplete{GSMHeader: h}, gmm.SendSM{})
		s.Accepted, s.UserPlane = false, false
		s.complete(nil)
		u.removeSession(h.PDUSessionID)
	case *nasx.Status5GSM:
		u.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN1, Peer: gmm.PeerAMF, Name: "5GSM STATUS received",
			Cause: fmt.Sprintf("5GSM#%d", v.Cause)})
	default:
		drop("not handled by the UE")
	}
}

// Sessions returns the UE's PDU sessions.
func (u *UE) Sessions() []Session {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]Session, 0, len(u.sessions))
	for _, s := range u.sessions {
		out = append(out, s.Session)
	}
	return out
}

// userPlane returns the address of the first session with a user plane and
// the plane serving it.
func (u *UE) userPlane() (netip.Addr, *uplane.Plane, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.radio == nil {
		return netip.Addr{}, nil, ErrNotAttached
	}
	p := u.radio.Plane()
	for _, s := range u.sessions {
		if s.Accepted && s.UserPlane && p != nil {
			return s.Addr, p, nil
		}
	}
	return netip.Addr{}, nil, ErrNoSession
}

// Dial opens a connection from the UE's first PDU session with a user plane
// to address ("ip:port", IP literal) over network "tcp" or "udp".
func (u *UE) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	ip, p, err := u.userPlane()
	if err != nil {
		return nil, err
	}
	remote, err := netip.ParseAddrPort(address)
	if err != nil {
		return nil, fmt.Errorf("ue: dial %q: %w", address, err)
	}
	switch network {
	case "tcp", "tcp4":
		return p.DialTCP(ctx, ip, remote)
	case "udp", "udp4":
		return p.DialUDP(ip, remote)
	}
	return nil, fmt.Errorf("ue: dial: unsupported network %q", network)
}

// HTTPClient returns an HTTP client whose connections come from the UE's
// first PDU session with a user plane (URLs must use IP literals).
func (u *UE) HTTPClient() (*http.Client, error) {
	ip, p, err := u.userPlane()
	if err != nil {
		return nil, err
	}
	return p.HTTPClient(ip), nil
}
