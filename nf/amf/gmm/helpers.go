package gmm

import (
	"fmt"
	"time"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
)

const releaseCauseProtocol = ngapx.CauseNASUnspecified

func (m *Machine) trace(u *UE, o *out, e trace.Event) {
	if m.quiet {
		return
	}
	if e.SUPI == "" {
		e.SUPI = u.supi
	}
	o.add(Trace{Event: e})
}

// drop records a discarded event: cause is a reason token (Drop*), why
// the free text.
func (m *Machine) drop(u *UE, o *out, name, cause, why string) {
	m.trace(u, o, trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN1, Name: name, Cause: cause, Detail: why})
}

func (m *Machine) note(u *UE, o *out, name, detail string) {
	m.trace(u, o, trace.Event{Kind: trace.KindNote, Name: name, Detail: detail})
}

func (m *Machine) setState(u *UE, o *out, s State) {
	if u.state == s {
		return
	}
	old := u.state
	u.state = s
	m.trace(u, o, trace.Event{Kind: trace.KindState, Name: s.String(), Detail: old.String()})
}

func (m *Machine) key(u *UE, o *out, name, detail string) {
	m.trace(u, o, trace.Event{Kind: trace.KindKey, Name: name, Detail: detail})
}

// protect encodes msg for the downlink: integrity protected and ciphered
// with the current context once secure exchange is established (TS 24.501
// §4.4.5), plain before.
func (m *Machine) protect(u *UE, plain []byte, mode uint8) ([]byte, uint8, error) {
	switch mode {
	case retxProtectNew:
		pdu, err := u.newSec.Protect(plain, nassec.HdrIntegrityNew)
		return pdu, nassec.HdrIntegrityNew, err
	case retxProtectCurrent:
		pdu, err := u.sec.Protect(plain, nassec.HdrIntegrityCiphered)
		return pdu, nassec.HdrIntegrityCiphered, err
	default:
		return plain, nassec.HdrPlain, nil
	}
}

// dlMode is the protection of a downlink message sent now.
func (u *UE) dlMode() uint8 {
	if u.has(flagSecured) && u.sec.Valid() {
		return retxProtectCurrent
	}
	return retxPlain
}

// send builds, protects and sends msg in DOWNLINK NAS TRANSPORT; keep makes
// it the message a running timer retransmits.
func (m *Machine) send(u *UE, o *out, msg nasx.Msg, mode uint8, keep bool) bool {
	plain, err := msg.Build()
	if err != nil {
		m.note(u, o, "NAS encoding failed", fmt.Sprintf("%s: %v", msg.MessageType(), err))
		return false
	}
	pdu, hdr, err := m.protect(u, plain, mode)
	if err != nil {
		m.note(u, o, "NAS protection failed", fmt.Sprintf("%s: %v", msg.MessageType(), err))
		return false
	}
	name := msg.MessageType().String()
	if !m.quiet {
		m.trace(u, o, trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN1, Name: name, Detail: fmt.Sprintf(DetailDownlink, hdr)})
	}
	o.add(SendNAS{PDU: pdu, Name: name, SecHdr: hdr})
	if keep {
		u.retxPDU, u.retxMode = plain, mode
	}
	return true
}

// sendContextSetup sends msg (protected with the current context) in
// INITIAL CONTEXT SETUP REQUEST with KgNB when the connection has no AS
// context yet, and in DOWNLINK NAS TRANSPORT otherwise.
func (m *Machine) sendContextSetup(u *UE, o *out, msg nasx.Msg, keep bool) bool {
	if u.has(flagASContext) {
		return m.send(u, o, msg, retxProtectCurrent, keep)
	}
	plain, err := msg.Build()
	if err != nil {
		m.note(u, o, "NAS encoding failed", fmt.Sprintf("%s: %v", msg.MessageType(), err))
		return false
	}
	// KgNB from the uplink NAS COUNT of the last message received (TS 33.501
	// §6.8.1.2.1, A.9).
	ul, _ := u.sec.Counts()
	count := uint32(0)
	if ul > 0 {
		count = uint32(ul - 1)
	}
	kgnb, err := aka.KgNB(u.kamf, count, aka.Access3GPP)
	if err != nil {
		m.note(u, o, "KgNB derivation failed", err.Error())
		return false
	}
	pdu, hdr, err := m.protect(u, plain, retxProtectCurrent)
	if err != nil {
		m.note(u, o, "NAS protection failed", fmt.Sprintf("%s: %v", msg.MessageType(), err))
		return false
	}
	name := msg.MessageType().String()
	if !m.quiet {
		m.key(u, o, "KgNB", fmt.Sprintf("from KAMF, uplink NAS COUNT %d", count))
		m.trace(u, o, trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN1, Name: name, Detail: fmt.Sprintf(DetailDownlink, hdr)})
	}
	o.add(SendInitialContextSetup{NASPDU: pdu, Name: name, SecHdr: hdr, KgNB: kgnb, ULNASCount: count,
		UESecurityCapability: u.ueCap(), AllowedNSSAI: u.allowed})
	u.set(flagASContext)
	if keep {
		u.retxPDU, u.retxMode = plain, retxProtectCurrent
	}
	return true
}

func (m *Machine) status(u *UE, o *out, cause uint8) {
	m.send(u, o, &nasx.Status5GMM{Cause: cause}, u.dlMode(), false)
}

func (m *Machine) timerDuration(t TimerID) time.Duration {
	switch t {
	case T3550:
		return m.cfg.T3550
	case T3560:
		return m.cfg.T3560
	case T3570:
		return m.cfg.T3570
	default:
		return m.cfg.T3522
	}
}

// startTimer starts t afresh (retransmission count 0).
func (m *Machine) startTimer(u *UE, o *out, t TimerID) {
	u.retx = 0
	m.restartTimer(u, o, t)
}

func (m *Machine) restartTimer(u *UE, o *out, t TimerID) {
	u.timer = t
	u.timerGen++
	st := StartTimer{Timer: t, After: m.timerDuration(t), Gen: u.timerGen}
	// The timer is armed before the message it guards leaves, so that
	// nothing that follows the message (an answer, a test advancing a fake
	// clock) can overtake it.
	if n := len(o.acts); n > 0 {
		switch o.acts[n-1].(type) {
		case SendNAS, SendInitialContextSetup:
			o.acts = append(o.acts[:n-1], st, o.acts[n-1])
			return
		}
	}
	o.add(st)
}

func (m *Machine) stopTimer(u *UE, o *out) {
	if u.timer != TimerNone {
		o.add(StopTimer{Timer: u.timer})
		u.timer = TimerNone
	}
	u.retx = 0
	u.retxPDU, u.retxMode = nil, retxNone
}

// abort ends the context: release its PDU sessions, release N2 when
// connected, end the UDM registration when there is one, wipe the keys and
// delete the context.
func (m *Machine) abort(u *UE, o *out, cause ngapx.Cause) {
	m.stopTimer(u, o)
	o.add(ReleaseSessions{Reason: "context deleted"})
	if u.has(flagConnected) {
		o.add(ReleaseN2{Cause: cause})
	}
	if u.has(flagUECM) && u.supi != "" {
		u.seq++
		o.add(UECMDeregister{Seq: u.seq, SUPI: u.supi})
	}
	m.setState(u, o, Deregistered)
	supi := u.supi
	u.wipe()
	o.add(DeleteContext{})
	o.deleted = true
	// Traced after DeleteContext, so that the event means "gone".
	// The state event's Detail starts with the old state (internal/metrics).
	m.trace(u, o, trace.Event{Kind: trace.KindState, Name: StateContextDeleted, SUPI: supi,
		Detail: Deregistered.String() + " " + DetailKeysWiped})
}

// rejectRegistration sends REGISTRATION REJECT with cause (and T3346 for
// #22) and ends the context (TS 24.501 §5.5.1.2.5).
func (m *Machine) rejectRegistration(u *UE, o *out, cause uint8, backoff bool, why string) {
	rej := &nasx.RegistrationReject{Cause: cause}
	if backoff {
		t := nasx.NewGPRSTimer2(m.cfg.T3346)
		rej.T3346 = &t
	}
	m.trace(u, o, trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN1, Name: "REGISTRATION REJECT",
		Cause: causeText(cause), Detail: why})
	m.stopTimer(u, o)
	m.send(u, o, rej, u.dlMode(), false)
	m.abort(u, o, ngapx.CauseNASNormalRelease)
}

// rejectOutcome rejects the registration after an AUSF/UDM failure.
func (m *Machine) rejectOutcome(u *UE, o *out, op string, r Outcome) {
	cause, backoff := m.cfg.RejectCause(r)
	why := fmt.Sprintf("%s: status %d", op, r.Status)
	if r.Cause != "" {
		why += " " + r.Cause
	}
	m.rejectRegistration(u, o, cause, backoff, why)
}

// authReject sends AUTHENTICATION REJECT and ends the context (TS 24.501
// §5.4.1.3.5).
func (m *Machine) authReject(u *UE, o *out, why string) {
	m.trace(u, o, trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN1, Name: "AUTHENTICATION REJECT", Cause: why})
	m.stopTimer(u, o)
	m.send(u, o, &nasx.AuthenticationReject{}, u.dlMode(), false)
	m.abort(u, o, ngapx.CauseNASAuthenticationFailure)
}

// retransmit resends the kept message and restarts the running timer.
func (m *Machine) retransmit(u *UE, o *out) bool {
	if u.retxPDU == nil {
		return false
	}
	pdu, hdr, err := m.protect(u, u.retxPDU, u.retxMode)
	if err != nil {
		m.note(u, o, "NAS protection failed", err.Error())
		return false
	}
	name := nasx.MessageType(u.retxPDU[2]).String()
	m.trace(u, o, trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN1, Name: name,
		Detail: fmt.Sprintf(DetailDownlink+" retransmission %d", hdr, u.retx+1)})
	o.add(SendNAS{PDU: pdu, Name: name, SecHdr: hdr})
	u.retx++
	m.restartTimer(u, o, u.timer)
	return true
}

// intersect returns the S-NSSAIs of a that b also holds.
func intersect(a, b []nasx.SNSSAI) []nasx.SNSSAI {
	var r []nasx.SNSSAI
	for _, x := range a {
		for _, y := range b {
			if x.SST == y.SST && x.HasSD == y.HasSD && (!x.HasSD || x.SD == y.SD) {
				r = append(r, x)
				break
			}
		}
	}
	return r
}
