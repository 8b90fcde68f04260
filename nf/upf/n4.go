package upf

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/wmnsk/go-pfcp/ie"
	"github.com/wmnsk/go-pfcp/message"

	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/trace"
)

var pfcpNames = map[uint8]string{
	message.MsgTypeHeartbeatRequest:             "PFCP Heartbeat Request",
	message.MsgTypeHeartbeatResponse:            "PFCP Heartbeat Response",
	message.MsgTypeAssociationSetupRequest:      "PFCP Association Setup Request",
	message.MsgTypeAssociationSetupResponse:     "PFCP Association Setup Response",
	message.MsgTypeAssociationReleaseRequest:    "PFCP Association Release Request",
	message.MsgTypeAssociationReleaseResponse:   "PFCP Association Release Response",
	message.MsgTypeVersionNotSupportedResponse:  "PFCP Version Not Supported Response",
	message.MsgTypeSessionEstablishmentRequest:  "PFCP Session Establishment Request",
	message.MsgTypeSessionEstablishmentResponse: "PFCP Session Establishment Response",
	message.MsgTypeSessionModificationRequest:   "PFCP Session Modification Request",
	message.MsgTypeSessionModificationResponse:  "PFCP Session Modification Response",
	message.MsgTypeSessionDeletionRequest:       "PFCP Session Deletion Request",
	message.MsgTypeSessionDeletionResponse:      "PFCP Session Deletion Response",
}

func pfcpName(t uint8) string {
	if n, ok := pfcpNames[t]; ok {
		return n
	}
	return fmt.Sprintf("PFCP message type %d", t)
}

// HandleN4 processes one PFCP datagram from peer and sends the response,
// if any, back to it. It is the N4 endpoint's handler.
func (u *UPF) HandleN4(from netip.AddrPort, b []byte) {
	u.c.n4In.Add(1)
	resp, rel := u.processN4(from, b)
	u.release(rel.seid, rel.q)
	if resp == nil {
		return
	}
	ep := u.endpoints().n4
	if ep == nil {
		return
	}
	if err := ep.Send(u.ctx, from, resp); err != nil {
		u.drop(DropSendFailed, trace.IfaceN4, from, "PFCP response", err.Error())
		return
	}
	u.c.n4Out.Add(1)
}

// ProcessN4 handles one PFCP message and returns the response bytes to send
// back (nil when the message gets no answer). It does no N4 IO; when a
// Session Modification stops a downlink FAR from buffering, the packets it
// buffered are forwarded (N3) before ProcessN4 returns.
func (u *UPF) ProcessN4(from netip.AddrPort, b []byte) []byte {
	resp, rel := u.processN4(from, b)
	u.release(rel.seid, rel.q)
	return resp
}

// released is a buffer queue a modification took, to send once u.mu is released.
type released struct {
	seid uint64
	q    *bufQueue
}

func (u *UPF) processN4(from netip.AddrPort, b []byte) (_ []byte, rel released) {
	h, m, err := pfcpx.Decode(b)
	switch {
	case errors.Is(err, pfcpx.ErrVersion):
		// TS 29.244 §7.2.2.1: answer an unsupported version with Version Not Supported Response.
		u.drop(DropMalformedPFCP, trace.IfaceN4, from, "PFCP", err.Error())
		r, _ := pfcpx.BuildVersionNotSupportedResponse(h.Seq)
		return r, rel
	case err != nil && len(b) >= 8 && h.IsRequest() && !errors.Is(err, pfcpx.ErrUnknownType):
		// A request we know whose body does not decode: reject it (TS 29.244 §7.6).
		u.drop(DropMalformedPFCP, trace.IfaceN4, from, pfcpName(h.Type), err.Error())
		return u.reject(from, h, pfcpx.CauseInvalidLength, 0), rel
	case err != nil:
		// Unknown types and undecodable bytes are discarded (TS 29.244 §7.6).
		u.drop(DropMalformedPFCP, trace.IfaceN4, from, "PFCP", err.Error())
		return nil, rel
	}
	if !h.IsRequest() {
		u.drop(DropUnexpectedPFCP, trace.IfaceN4, from, pfcpName(h.Type), "")
		return nil, rel
	}

	u.mu.Lock()
	defer u.mu.Unlock()
	key := replyKey{peer: from, seq: h.Seq, typ: h.Type}
	if resp, ok := u.replies.lookup(key, b); ok {
		u.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN4, Peer: from.String(),
			Name: pfcpName(h.Type), Detail: fmt.Sprintf("retransmission seq=%d answered from cache", h.Seq)})
		return resp, rel
	}
	u.emit(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN4, Peer: from.String(),
		Name: pfcpName(h.Type), Detail: fmt.Sprintf("seq=%d seid=%#x", h.Seq, h.SEID)})
	var resp []byte
	switch m := m.(type) {
	case *message.HeartbeatRequest:
		resp, err = pfcpx.BuildHeartbeatResponse(h.Seq, u.recovery)
	case *message.AssociationSetupRequest:
		resp, err = u.associationSetup(from, h, m)
	case *message.AssociationReleaseRequest:
		resp, err = u.associationRelease(from, h, m)
	case *message.SessionEstablishmentRequest:
		resp, err = u.establish(from, h, m)
	case *message.SessionModificationRequest:
		resp, err = u.modify(from, h, m, &rel)
	case *message.SessionDeletionRequest:
		resp, err = u.deleteSession(from, h)
	default:
		u.drop(DropUnexpectedPFCP, trace.IfaceN4, from, pfcpName(h.Type), "")
		return nil, rel
	}
	if err != nil {
		u.log.Error("building PFCP response", "type", h.Type, "err", err)
		return nil, rel
	}
	u.replies.store(key, b, resp)
	return resp, rel
}

// reject answers request h with cause (used when the body cannot be decoded).
func (u *UPF) reject(from netip.AddrPort, h pfcpx.Header, cause pfcpx.Cause, offending uint16) []byte {
	var r []byte
	var err error
	switch h.Type {
	case message.MsgTypeAssociationSetupRequest:
		r, err = pfcpx.BuildAssociationSetupResponse(h.Seq, u.cfg.NodeID, cause, u.recovery, 0)
	case message.MsgTypeSessionEstablishmentRequest:
		r, err = pfcpx.BuildSessionEstablishmentResponse(h.Seq, pfcpx.Reply{NodeID: u.cfg.NodeID, Cause: cause, OffendingIE: offending})
	case message.MsgTypeSessionModificationRequest, message.MsgTypeSessionDeletionRequest:
		u.mu.Lock()
		var seid uint64
		if s, ok := u.sessions[h.SEID]; ok {
			seid = s.cpSEID
		}
		u.mu.Unlock()
		rep := pfcpx.Reply{SEID: seid, Cause: cause, OffendingIE: offending}
		if h.Type == message.MsgTypeSessionModificationRequest {
			r, err = pfcpx.BuildSessionModificationResponse(h.Seq, rep)
		} else {
			r, err = pfcpx.BuildSessionDeletionResponse(h.Seq, rep)
		}
	default:
		return nil
	}
	if err != nil {
		return nil
	}
	u.traceReject(from, h.Type+1, cause, offending, "")
	return r
}

func (u *UPF) traceReject(from netip.AddrPort, respType uint8, cause pfcpx.Cause, offending uint16, detail string) {
	if offending != 0 {
		detail = fmt.Sprintf("offending IE %d; %s", offending, detail)
	}
	u.emit(trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN4, Peer: from.String(),
		Name: pfcpName(respType), Cause: cause.TraceCause(), Detail: cause.String() + ": " + detail})
}

func ieErr(err error) *pfcpx.IEError {
	var ie *pfcpx.IEError
	if errors.As(err, &ie) {
		return ie
	}
	return &pfcpx.IEError{Cause: pfcpx.CauseMandatoryIEIncorrect, Err: err}
}

// associationSetup handles TS 29.244 §6.2.6.2.2. A new Recovery Time Stamp
// from a known node means the CP function restarted: its sessions are
// deleted (no PFCP Session Retention Information is supported).
func (u *UPF) associationSetup(from netip.AddrPort, h pfcpx.Header, m *message.AssociationSetupRequest) ([]byte, error) {
	nodeID, err := pfcpx.DecodeNodeID(m.NodeID)
	if err == nil {
		_, err = pfcpx.DecodeRecoveryTimeStamp(m.RecoveryTimeStamp)
	}
	if err != nil {
		e := ieErr(err)
		u.traceReject(from, message.MsgTypeAssociationSetupResponse, e.Cause, e.IEType, e.Error())
		return pfcpx.BuildAssociationSetupResponse(h.Seq, u.cfg.NodeID, e.Cause, u.recovery, 0)
	}
	rec, _ := pfcpx.DecodeRecoveryTimeStamp(m.RecoveryTimeStamp)
	if old, ok := u.assocs[nodeID]; ok && !old.recovery.Equal(rec) {
		n := u.deleteNodeSessions(nodeID, "CP function restarted")
		u.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN4, Peer: from.String(), Name: "pfcp-association-replaced",
			Detail: fmt.Sprintf("node=%s sessions deleted=%d", nodeID, n)})
	}
	u.assocs[nodeID] = association{peer: from, recovery: rec}
	u.emit(trace.Event{Kind: trace.KindState, Iface: trace.IfaceN4, Peer: from.String(), Name: "pfcp-associated", Detail: "node=" + nodeID})
	return pfcpx.BuildAssociationSetupResponse(h.Seq, u.cfg.NodeID, pfcpx.CauseRequestAccepted, u.recovery, pfcpx.UPFeatureFTUP)
}

// associationRelease handles TS 29.244 §6.2.8: the node's sessions go too.
func (u *UPF) associationRelease(from netip.AddrPort, h pfcpx.Header, m *message.AssociationReleaseRequest) ([]byte, error) {
	cause := pfcpx.CauseRequestAccepted
	nodeID, err := pfcpx.DecodeNodeID(m.NodeID)
	if err != nil {
		cause = ieErr(err).Cause
	} else if _, ok := u.assocs[nodeID]; !ok {
		cause = pfcpx.CauseNoEstablishedPFCPAssociation
	} else {
		n := u.deleteNodeSessions(nodeID, "association released")
		delete(u.assocs, nodeID)
		u.emit(trace.Event{Kind: trace.KindState, Iface: trace.IfaceN4, Peer: from.String(), Name: "pfcp-association-released",
			Detail: fmt.Sprintf("node=%s sessions deleted=%d", nodeID, n)})
	}
	nid, err := pfcpx.NodeIDIE(u.cfg.NodeID)
	if err != nil {
		return nil, err
	}
	if !cause.Accepted() {
		u.traceReject(from, message.MsgTypeAssociationReleaseResponse, cause, 0, "")
	}
	return message.NewAssociationReleaseResponse(h.Seq, nid, ie.NewCause(uint8(cause))).Marshal()
}

func (u *UPF) deleteNodeSessions(nodeID, why string) int {
	n := 0
	for _, s := range u.sessions {
		if s.nodeID == nodeID {
			u.traceSession("pfcp-session-deleted", s, why)
			u.uninstall(s, why)
			n++
		}
	}
	return n
}

func (u *UPF) traceSession(name string, s *session, why string) {
	d := fmt.Sprintf("up-seid=%#x cp-seid=%#x", s.upSEID, s.cpSEID)
	for _, k := range s.ueIPs {
		d += " ue=" + keyAddr(k).String()
	}
	for _, k := range s.teids {
		d += fmt.Sprintf(" teid=%#x", k)
	}
	if why != "" {
		d += " (" + why + ")"
	}
	// Detail starts with the previous state so state counts can be kept
	// without a per-session key (internal/metrics).
	if s.traced != "" {
		d = s.traced + " " + d
	}
	s.traced = name
	u.emit(trace.Event{Kind: trace.KindState, Iface: trace.IfaceN4, Name: name, Detail: d})
}

// establish handles a Session Establishment Request (TS 29.244 §7.5.2, §7.5.3).
func (u *UPF) establish(from netip.AddrPort, h pfcpx.Header, m *message.SessionEstablishmentRequest) ([]byte, error) {
	const respType = message.MsgTypeSessionEstablishmentResponse
	fail := func(seid uint64, e *pfcpx.IEError) ([]byte, error) {
		u.traceReject(from, respType, e.Cause, e.IEType, e.Error())
		return pfcpx.BuildSessionEstablishmentResponse(h.Seq, pfcpx.Reply{SEID: seid, NodeID: u.cfg.NodeID, Cause: e.Cause, OffendingIE: e.IEType})
	}
	e, err := pfcpx.DecodeEstablishment(m)
	if err != nil {
		return fail(e.CPSEID, ieErr(err))
	}
	if _, ok := u.assocs[e.NodeID]; !ok && !u.cfg.AllowUnassociated {
		return fail(e.CPSEID, &pfcpx.IEError{Cause: pfcpx.CauseNoEstablishedPFCPAssociation, Err: fmt.Errorf("node %s", e.NodeID)})
	}
	if len(u.sessions) >= u.cfg.MaxSessions {
		return fail(e.CPSEID, &pfcpx.IEError{Cause: pfcpx.CauseNoResourcesAvailable, Err: fmt.Errorf("%d sessions", len(u.sessions))})
	}
	s := &session{upSEID: u.allocSEID(), cpSEID: e.CPSEID, cpAddr: e.CPAddr, nodeID: e.NodeID}
	var bars []pfcpx.BAR
	if e.BAR != nil {
		bars = []pfcpx.BAR{*e.BAR}
	}
	created, ierr := u.install(s, e.PDRs, e.FARs, e.QERs, bars)
	if ierr != nil {
		return fail(e.CPSEID, ierr)
	}
	u.sessions[s.upSEID] = s
	u.traceSession("pfcp-session-established", s, "")
	return pfcpx.BuildSessionEstablishmentResponse(h.Seq, pfcpx.Reply{
		SEID: e.CPSEID, NodeID: u.cfg.NodeID, Cause: pfcpx.CauseRequestAccepted,
		UPSEID: s.upSEID, UPAddr: u.cfg.N4Addr.Addr(), CreatedPDRs: created,
	})
}

// modify handles a Session Modification Request (TS 29.244 §7.5.4, §7.5.5).
// When the session's downlink FAR stops buffering, its buffered packets are
// handed to rel, to be released through the new rules (§5.2.1).
func (u *UPF) modify(from netip.AddrPort, h pfcpx.Header, m *message.SessionModificationRequest, rel *released) ([]byte, error) {
	const respType = message.MsgTypeSessionModificationResponse
	s, ok := u.sessions[h.SEID]
	if !ok {
		// TS 29.244 §7.2.2.4.2: unknown session: cause 65 and SEID 0 in the header.
		u.traceReject(from, respType, pfcpx.CauseSessionContextNotFound, 0, fmt.Sprintf("seid=%#x", h.SEID))
		return pfcpx.BuildSessionModificationResponse(h.Seq, pfcpx.Reply{Cause: pfcpx.CauseSessionContextNotFound})
	}
	fail := func(e *pfcpx.IEError) ([]byte, error) {
		u.traceReject(from, respType, e.Cause, e.IEType, e.Error())
		return pfcpx.BuildSessionModificationResponse(h.Seq, pfcpx.Reply{SEID: s.cpSEID, Cause: e.Cause, OffendingIE: e.IEType})
	}
	mod, err := pfcpx.DecodeModification(m)
	if err != nil {
		return fail(ieErr(err))
	}
	r, ierr := applyModification(s, mod)
	if ierr != nil {
		return fail(ierr)
	}
	created, ierr := u.install(s, r.pdrs, r.fars, r.qers, r.bars)
	if ierr != nil {
		return fail(ierr)
	}
	u.traceSession("pfcp-session-modified", s, "")
	if !u.buffering(s) {
		// The new rules are published: a packet either made it into the
		// queue before this take or meets the new rules (see enqueue).
		*rel = released{seid: s.upSEID, q: u.bufs.take(s.upSEID)}
	}
	return pfcpx.BuildSessionModificationResponse(h.Seq, pfcpx.Reply{SEID: s.cpSEID, Cause: pfcpx.CauseRequestAccepted, CreatedPDRs: created})
}

// deleteSession handles a Session Deletion Request (TS 29.244 §7.5.6, §7.5.7).
func (u *UPF) deleteSession(from netip.AddrPort, h pfcpx.Header) ([]byte, error) {
	s, ok := u.sessions[h.SEID]
	if !ok {
		u.traceReject(from, message.MsgTypeSessionDeletionResponse, pfcpx.CauseSessionContextNotFound, 0, fmt.Sprintf("seid=%#x", h.SEID))
		return pfcpx.BuildSessionDeletionResponse(h.Seq, pfcpx.Reply{Cause: pfcpx.CauseSessionContextNotFound})
	}
	u.traceSession("pfcp-session-deleted", s, "")
	u.uninstall(s, "session deleted")
	return pfcpx.BuildSessionDeletionResponse(h.Seq, pfcpx.Reply{SEID: s.cpSEID, Cause: pfcpx.CauseRequestAccepted})
}
