package gmm

import (
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
)

// deregUE handles DEREGISTRATION REQUEST (UE originating) in every state
// (TS 24.501 §5.5.2.2.2; collision with a network-initiated one, §5.5.2.3.5):
// DEREGISTRATION ACCEPT unless switch-off, end of the UDM registration, N2
// release, context deleted. On a fresh connection the prior context is
// deleted only when the message passed the integrity check with it.
func (m *Machine) deregUE(u *UE, ev Event, o *out) {
	e := ev.(DeregistrationRequest)
	if e.prior != nil {
		u.adopt(e.prior, e.prior.sec)
		o.add(AdoptPrior{Handle: e.prior.handle})
	}
	m.stopTimer(u, o)
	o.add(ReleaseSessions{Reason: "UE-originated de-registration"})
	if !e.Msg.SwitchOff {
		m.send(u, o, &nasx.DeregistrationAcceptUEOriginating{}, u.dlMode(), false)
	}
	m.trace(u, o, trace.Event{Kind: trace.KindNote, Name: "UE-originated de-registration",
		Detail: map[bool]string{true: "switch off", false: "normal"}[e.Msg.SwitchOff]})
	m.abort(u, o, ngapx.CauseNASDeregister)
}

// netDereg starts network-initiated de-registration of a registered UE (TS
// 24.501 §5.5.2.3.1): DEREGISTRATION REQUEST (UE terminated) integrity
// protected and ciphered, T3522. An idle UE is not paged: its context goes.
func (m *Machine) netDereg(u *UE, ev Event, o *out) {
	e := ev.(NetworkDeregister)
	cause := e.Cause
	if cause == 0 {
		cause = m.cfg.DeregistrationCause
	}
	m.trace(u, o, trace.Event{Kind: trace.KindNote, Name: "network-initiated de-registration", Cause: causeText(cause), Detail: e.Reason})
	m.stopTimer(u, o)
	if !u.has(flagConnected) || !u.has(flagSecured) {
		m.note(u, o, "UE not connected", "context deleted without NAS signalling")
		m.abort(u, o, ngapx.CauseNASDeregister)
		return
	}
	req := &nasx.DeregistrationRequestUETerminated{ReRegistrationRequired: e.ReRegistration, AccessType: nasx.Access3GPP}
	if !e.NoCause {
		req.Cause = &cause
		m.trace(u, o, trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN1, Name: "DEREGISTRATION REQUEST (UE terminated)",
			Cause: causeText(cause), Detail: e.Reason})
	}
	if !m.send(u, o, req, retxProtectCurrent, true) {
		m.abort(u, o, ngapx.CauseNASDeregister)
		return
	}
	o.add(ReleaseSessions{Reason: "network-initiated de-registration"})
	if e.ReRegistration {
		u.set(flagReRegRequired)
	}
	m.startTimer(u, o, T3522)
	m.setState(u, o, DeregInitiated)
}

// netDeregDuringRegistration: the subscription went away while the UE
// registers; a UE whose SUPI is known is rejected with the cause.
func (m *Machine) netDeregDuringRegistration(u *UE, ev Event, o *out) {
	e := ev.(NetworkDeregister)
	if u.supi == "" {
		m.drop(u, o, EvNetworkDeregister.String(), DropNoSUPI, "SUPI not known yet in state "+u.state.String())
		return
	}
	cause := e.Cause
	if cause == 0 {
		cause = m.cfg.DeregistrationCause
	}
	m.rejectRegistration(u, o, cause, false, "network-initiated de-registration during registration: "+e.Reason)
}

// deregAccept completes network-initiated de-registration (TS 24.501
// §5.5.2.3.2).
func (m *Machine) deregAccept(u *UE, _ Event, o *out) {
	m.abort(u, o, ngapx.CauseNASDeregister)
}
