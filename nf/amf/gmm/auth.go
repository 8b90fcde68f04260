package gmm

import (
	"crypto/subtle"
	"fmt"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
)

var (
	newSecZero nassec.Context
	zeroKey    aka.Key256
)

const maxAuthRuns = 4

// startAuthentication asks the AUSF for a 5G SE AV (TS 33.501 §6.1.3.2
// step 1; TS 29.509 Nausf_UEAuthentication_Authenticate). No vector exists
// at the AMF before the answer.
func (m *Machine) startAuthentication(u *UE, o *out) {
	if u.capLen == 0 {
		m.rejectRegistration(u, o, nasx.CauseInvalidMandatoryInformation, false, "UE security capability missing")
		return
	}
	m.authenticate(u, o, u.authID, nil)
}

func (m *Machine) authenticate(u *UE, o *out, id string, rs *Resync) {
	m.stopTimer(u, o)
	u.authRuns++
	if u.authRuns > maxAuthRuns {
		m.authReject(u, o, "too many authentication attempts")
		return
	}
	u.authID = id
	u.seq++
	m.setState(u, o, WaitAUSFAuth)
	o.add(AUSFAuthenticate{Seq: u.seq, SUPIOrSUCI: id, SNN: m.snn, Resync: rs})
}

func nextKSI(cur uint8) uint8 {
	if cur >= 6 {
		return 0
	}
	return cur + 1
}

// pickKSI chooses the ngKSI of a new authentication (TS 24.501
// §5.4.1.3.2): a value that neither the AMF's current context nor the
// native context the UE signalled in its REGISTRATION REQUEST uses (the UE
// would answer #71 and a vector would be wasted), and, after #71, another
// one than the challenge before.
func (u *UE) pickKSI() uint8 {
	k := uint8(0)
	switch {
	case u.sec.Valid():
		k = nextKSI(u.ngKSI)
	case u.has(flagAuthOutstanding):
		k = nextKSI(u.newKSI)
	}
	for range nasx.KSINoKey {
		inUse := (u.sec.Valid() && k == u.ngKSI) || (u.has(flagUEKSI) && k == u.ueKSI) ||
			(u.has(flagAuthOutstanding) && k == u.newKSI)
		if !inUse {
			break
		}
		k = nextKSI(k)
	}
	return k
}

func (m *Machine) ausfAuthResult(u *UE, ev Event, o *out) {
	e := ev.(AUSFAuthResult)
	if e.Seq != u.seq {
		m.drop(u, o, EvAUSFAuthResult.String(), DropStale, "stale answer")
		return
	}
	if !e.OK() {
		m.rejectOutcome(u, o, "Nausf_UEAuthentication_Authenticate", e.Outcome)
		return
	}
	if e.ConfirmURI == "" {
		m.rejectOutcome(u, o, "Nausf_UEAuthentication_Authenticate", Outcome{Status: 0, Detail: "no 5g-aka link"})
		return
	}
	u.rand, u.hxres, u.confirmURI = e.RAND, e.HXRESStar, e.ConfirmURI
	u.newKSI = u.pickKSI()
	req := &nasx.AuthenticationRequest{NgKSI: nasx.NgKSI{KSI: u.newKSI}, ABBA: aka.ABBAInitial,
		RAND: e.RAND[:], AUTN: e.AUTN[:]}
	if !m.send(u, o, req, u.dlMode(), true) {
		m.abort(u, o, releaseCauseProtocol)
		return
	}
	u.set(flagAuthOutstanding)
	m.startTimer(u, o, T3560)
	m.setState(u, o, Authenticating)
}

// authResponse checks HRES* against HXRES* before asking the AUSF (TS
// 33.501 §6.1.3.2 step 10).
func (m *Machine) authResponse(u *UE, ev Event, o *out) {
	e := ev.(AuthenticationResponse)
	m.stopTimer(u, o)
	var res [16]byte
	ok := len(e.Msg.RESStar) == len(res)
	if ok {
		copy(res[:], e.Msg.RESStar)
		h := aka.HRESStar(u.rand, res)
		ok = subtle.ConstantTimeCompare(h[:], u.hxres[:]) == 1
	}
	if !ok {
		m.trace(u, o, trace.Event{Kind: trace.KindReject, Name: "HRES* check", Cause: "RES_STAR_MISMATCH",
			Detail: "HRES* does not match HXRES* at the SEAF"})
		m.authFailed(u, o, "RES* mismatch at the SEAF")
		return
	}
	u.seq++
	m.setState(u, o, WaitAUSFConfirm)
	o.add(AUSFConfirm{Seq: u.seq, ConfirmURI: u.confirmURI, RESStar: res})
}

// authFailed: the UE failed authentication. With a SUCI: AUTHENTICATION
// REJECT; with a 5G-GUTI: identification first (TS 33.501 §6.1.3.2.2, TS
// 24.501 §5.4.1.3.7).
func (m *Machine) authFailed(u *UE, o *out, why string) {
	u.clear(flagAuthOutstanding)
	if u.has(flagIdentitySUCI) {
		m.authReject(u, o, why)
		return
	}
	m.note(u, o, "identification", why+"; the UE used a 5G-GUTI")
	m.identify(u, o)
}

func (m *Machine) ausfConfirmResult(u *UE, ev Event, o *out) {
	e := ev.(AUSFConfirmResult)
	if e.Seq != u.seq {
		m.drop(u, o, EvAUSFConfirmResult.String(), DropStale, "stale answer")
		return
	}
	if !e.OK() {
		m.rejectOutcome(u, o, "Nausf_UEAuthentication_5gAkaConfirm", e.Outcome)
		return
	}
	if !e.Success || e.SUPI == "" || e.KSEAF.IsZero() {
		m.authFailed(u, o, "AUTHENTICATION_FAILURE at the AUSF")
		return
	}
	if u.supi != "" && u.supi != e.SUPI {
		m.authReject(u, o, "SUPI differs from the context's")
		return
	}
	u.supi = e.SUPI
	u.clear(flagAuthOutstanding)
	u.resyncs = 0
	m.key(u, o, "KSEAF", "received from the AUSF")
	kamf, err := aka.KAMF(e.KSEAF, e.SUPI, aka.ABBAInitial)
	if err != nil {
		m.authReject(u, o, "KAMF derivation failed")
		return
	}
	m.key(u, o, "KAMF", "from KSEAF, ABBA 0x0000")
	o.add(BindSUPI{SUPI: e.SUPI})
	m.securityMode(u, o, kamf)
}

// authFailure handles AUTHENTICATION FAILURE while a challenge is
// outstanding (TS 24.501 §5.4.1.3.7 c-e, TS 33.501 §6.1.3.3).
func (m *Machine) authFailure(u *UE, ev Event, o *out) {
	e := ev.(AuthenticationFailure)
	m.stopTimer(u, o)
	cause := e.Msg.Cause
	m.trace(u, o, trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN1, Name: "authentication failure from UE",
		Cause: causeText(cause)})
	switch cause {
	case nasx.CauseSynchFailure:
		if len(e.Msg.AUTS) != aka.AUTSLen {
			m.authReject(u, o, "synch failure without AUTS")
			return
		}
		if int(u.resyncs) >= m.cfg.MaxResync {
			m.authReject(u, o, "repeated synch failure")
			return
		}
		u.resyncs++
		rs := &Resync{RAND: u.rand}
		copy(rs.AUTS[:], e.Msg.AUTS)
		u.authRuns-- // a resynchronisation is part of the same run
		m.authenticate(u, o, u.authID, rs)
	case nasx.CauseMACFailure:
		m.authFailed(u, o, "MAC failure reported by the UE")
	case nasx.CauseNgKSIAlreadyInUse:
		m.authenticate(u, o, u.authID, nil)
	case nasx.CauseNon5GAuthenticationUnacceptable:
		m.authReject(u, o, "non-5G authentication unacceptable")
	default:
		m.authReject(u, o, fmt.Sprintf("authentication failure cause %d", cause))
	}
}
