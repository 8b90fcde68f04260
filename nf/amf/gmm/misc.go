package gmm

import (
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
)

// statusFromUE records 5GMM STATUS (TS 24.501 §5.4.6: no state change).
func (m *Machine) statusFromUE(u *UE, ev Event, o *out) {
	e := ev.(Status)
	m.trace(u, o, trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN1, Name: "5GMM STATUS from UE", Cause: causeText(e.Cause)})
}

// unexpectedNAS answers a message type the UE never sends with 5GMM STATUS
// #97 (TS 24.501 §7.4).
func (m *Machine) unexpectedNAS(u *UE, ev Event, o *out) {
	e := ev.(UnexpectedNAS)
	m.trace(u, o, trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN1, Name: e.Type.String(),
		Cause: causeText(nasx.CauseMessageTypeNonExistent), Detail: "not an uplink 5GMM message the AMF handles"})
	m.status(u, o, nasx.CauseMessageTypeNonExistent)
}

// invalidNAS answers an undecodable message with 5GMM STATUS (TS 24.501
// §7.3-§7.6).
func (m *Machine) invalidNAS(u *UE, ev Event, o *out) {
	e := ev.(InvalidNAS)
	m.trace(u, o, trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN1, Name: "invalid NAS message",
		Cause: causeText(e.Cause), Detail: e.Detail})
	m.status(u, o, e.Cause)
}

func (m *Machine) ignore(*UE, Event, *out) {}

// timerExpired handles T3550, T3560, T3570 and T3522: retransmission, and
// on the expiry after the last retransmission the abnormal case of the
// procedure (TS 24.501 §5.4.1.3.7 b, §5.4.2.7 b, §5.4.3.7 b, §5.5.1.2.8 c,
// §5.5.2.3.5 a).
func (m *Machine) timerExpired(u *UE, ev Event, o *out) {
	e := ev.(TimerExpired)
	if e.Timer != u.timer || e.Gen != u.timerGen || u.timer == TimerNone {
		return // stale: stopped or restarted since
	}
	m.trace(u, o, trace.Event{Kind: trace.KindNote, Name: e.Timer.String() + " expired", Detail: u.state.String()})
	if int(u.retx) < m.cfg.MaxRetransmissions && m.retransmit(u, o) {
		return
	}
	t := u.timer
	u.timer = TimerNone
	switch u.state {
	case WaitRegistrationComplete:
		// The new 5G-GUTI stays valid; the UE is registered.
		u.retxPDU, u.retxMode, u.retx = nil, retxNone, 0
		m.setState(u, o, Registered)
	case DeregInitiated:
		m.note(u, o, "de-registration completed", t.String()+" expired after the last retransmission")
		m.abort(u, o, ngapx.CauseNASDeregister)
	default:
		m.note(u, o, "procedure aborted", t.String()+" expired after the last retransmission")
		m.abort(u, o, ngapx.CauseNASUnspecified)
	}
}

// n2Released: the UE's N2 connection is gone (UE CONTEXT RELEASE COMPLETE
// or loss). A registered UE stays registered (CM-IDLE); a procedure in
// progress is aborted.
func (m *Machine) n2Released(u *UE, _ Event, o *out) {
	u.clear(flagConnected | flagSecured | flagASContext)
	m.note(u, o, "N2 connection released", u.state.String())
	switch u.state {
	case Registered:
		m.stopTimer(u, o)
	case WaitRegistrationComplete:
		m.stopTimer(u, o)
		m.setState(u, o, Registered)
	default:
		m.abort(u, o, ngapx.CauseNASNormalRelease)
	}
}
