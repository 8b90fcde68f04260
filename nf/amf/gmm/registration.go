package gmm

import (
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
)

// resetProcedure forgets a common procedure in progress (a new REGISTRATION
// REQUEST aborts it, TS 24.501 §5.4.1.3.7 f, §5.4.2.7 e, §5.4.3.7 d).
func (m *Machine) resetProcedure(u *UE, o *out) {
	m.stopTimer(u, o)
	u.newSec = newSecZero
	u.kamfNew = zeroKey
	u.rand, u.hxres = [16]byte{}, [16]byte{}
	u.confirmURI = ""
	u.clear(flagAuthOutstanding)
	u.seq++ // answers to requests sent so far are stale
}

// regRequest handles REGISTRATION REQUEST on a context with no procedure
// running (TS 24.501 §5.5.1.2.2, §5.5.1.3.2).
func (m *Machine) regRequest(u *UE, ev Event, o *out) {
	e := ev.(RegistrationRequest)
	msg := e.Msg
	m.resetProcedure(u, o)
	u.authRuns, u.resyncs = 0, 0
	switch msg.RegistrationType {
	case nasx.RegistrationInitial, nasx.RegistrationMobility, nasx.RegistrationPeriodic:
	default:
		m.rejectRegistration(u, o, nasx.CauseSemanticallyIncorrectMessage, false, "registration type not supported")
		return
	}
	u.regType = msg.RegistrationType
	// The UE's current native context, which a new authentication must not
	// reuse (TS 24.501 §5.4.1.3.2; §9.11.3.32: 7 means no key).
	u.clear(flagUEKSI)
	if k := msg.NgKSI; !k.Mapped && k.KSI < nasx.KSINoKey {
		u.ueKSI = k.KSI
		u.set(flagUEKSI)
	}
	u.nssai = append([]nasx.SNSSAI(nil), msg.RequestedNSSAI...)
	if msg.UESecurityCapability != nil && !u.setCap(msg.UESecurityCapability) {
		m.rejectRegistration(u, o, nasx.CauseInvalidMandatoryInformation, false, "malformed UE security capability")
		return
	}
	if e.prior != nil {
		// 5G-GUTI registration with a valid context: the integrity check
		// passed with the prior context (TS 24.501 §5.5.1.3.2, §4.4.4.3).
		u.adopt(e.prior, e.prior.sec)
		o.add(AdoptPrior{Handle: e.prior.handle})
		m.note(u, o, "5G NAS security context taken over", "5G-GUTI "+e.prior.guti.String())
		if m.cfg.ReauthOnGUTI {
			u.clear(flagIdentitySUCI)
			m.authenticate(u, o, u.supi, nil)
			return
		}
		m.accept(u, o)
		return
	}
	if e.Verified && u.has(flagSecured) {
		m.accept(u, o)
		return
	}
	mi := msg.MobileIdentity
	switch nasx.IdentityType(mi) {
	case nasx.IdentitySUCI:
		s, err := ident.ParseSUCINAS(mi)
		if err != nil {
			m.rejectRegistration(u, o, nasx.CauseInvalidMandatoryInformation, false, "malformed SUCI")
			return
		}
		u.authID = s.String()
		u.set(flagIdentitySUCI)
		m.startAuthentication(u, o)
	default:
		// Unknown 5G-GUTI, or the integrity check failed: identification
		// (TS 24.501 §5.4.3, §5.5.1.2.2).
		m.note(u, o, "identification", "5GS mobile identity "+identityName(mi)+" unknown or not verified")
		m.identify(u, o)
	}
}

func identityName(mi []byte) string {
	switch nasx.IdentityType(mi) {
	case nasx.IdentitySUCI:
		return "SUCI"
	case nasx.IdentityGUTI:
		return "5G-GUTI"
	case nasx.IdentitySTMSI:
		return "5G-S-TMSI"
	case nasx.IdentityIMEI, nasx.IdentityIMEISV:
		return "IMEI(SV)"
	default:
		return "none"
	}
}

// regRepeat: REGISTRATION REQUEST after REGISTRATION ACCEPT, before
// REGISTRATION COMPLETE (TS 24.501 §5.5.1.2.8 d): the procedure starts over;
// a verified request on the secured connection is accepted again.
func (m *Machine) regRepeat(u *UE, ev Event, o *out) {
	m.regRequest(u, ev, o)
}

// regOnRegistered: mobility or periodic registration on a connection of a
// registered UE; the message was integrity checked (secure exchange is
// established), so it is accepted with a new 5G-GUTI.
func (m *Machine) regOnRegistered(u *UE, ev Event, o *out) {
	m.regRequest(u, ev, o)
}

// identify sends IDENTITY REQUEST for the SUCI (TS 24.501 §5.4.3.2).
func (m *Machine) identify(u *UE, o *out) {
	m.stopTimer(u, o)
	u.clear(flagIdentitySUCI)
	if !m.send(u, o, &nasx.IdentityRequest{IdentityType: nasx.IdentitySUCI}, u.dlMode(), true) {
		m.abort(u, o, releaseCauseProtocol)
		return
	}
	m.startTimer(u, o, T3570)
	m.setState(u, o, IdentityPending)
}

func (m *Machine) identityResponse(u *UE, ev Event, o *out) {
	e := ev.(IdentityResponse)
	m.stopTimer(u, o)
	mi := e.Msg.MobileIdentity
	if nasx.IdentityType(mi) != nasx.IdentitySUCI {
		m.rejectRegistration(u, o, nasx.CauseUEIdentityCannotBeDerived, false, "IDENTITY RESPONSE without SUCI")
		return
	}
	s, err := ident.ParseSUCINAS(mi)
	if err != nil {
		m.rejectRegistration(u, o, nasx.CauseInvalidMandatoryInformation, false, "malformed SUCI")
		return
	}
	u.authID = s.String()
	u.set(flagIdentitySUCI)
	m.startAuthentication(u, o)
}

func (m *Machine) uecmResult(u *UE, ev Event, o *out) {
	e := ev.(UECMRegistrationResult)
	if e.Seq != u.seq {
		m.drop(u, o, EvUECMRegistrationResult.String(), DropStale, "stale answer")
		return
	}
	if !e.OK() {
		m.rejectOutcome(u, o, "Nudm_UECM_Registration", e.Outcome)
		return
	}
	u.set(flagUECM)
	u.seq++
	o.add(SDMGetAMData{Seq: u.seq, SUPI: u.supi})
}

func (m *Machine) sdmResult(u *UE, ev Event, o *out) {
	e := ev.(SDMResult)
	if e.Seq != u.seq {
		m.drop(u, o, EvSDMResult.String(), DropStale, "stale answer")
		return
	}
	if !e.OK() {
		m.rejectOutcome(u, o, "Nudm_SDM_Get", e.Outcome)
		return
	}
	// Allowed NSSAI (TS 23.501 §5.15.5.2.1, simplified): the requested
	// S-NSSAIs that are subscribed and served, else the subscribed ones
	// that are served.
	subscribed := e.NSSAI
	if len(subscribed) == 0 {
		subscribed = m.cfg.Slices
	}
	allowed := intersect(subscribed, m.cfg.Slices)
	if len(allowed) == 0 {
		m.rejectRegistration(u, o, nasx.CauseNoNetworkSlicesAvailable, false, "no subscribed S-NSSAI is served")
		return
	}
	if req := intersect(u.nssai, allowed); len(req) > 0 {
		allowed = req
	}
	u.allowed = allowed
	m.accept(u, o)
}

// accept sends REGISTRATION ACCEPT with a new 5G-GUTI, the TAI list, the
// allowed NSSAI and T3512, integrity protected and ciphered (TS 24.501
// §5.5.1.2.4; TS 33.501 §6.12.3), inside INITIAL CONTEXT SETUP REQUEST when
// the connection has no AS context yet.
func (m *Machine) accept(u *UE, o *out) {
	m.stopTimer(u, o)
	old, hadOld := u.guti, u.has(flagHasGUTI)
	tmsi := m.newTMSI()
	if hadOld && tmsi == old.TMSI {
		tmsi = m.newTMSI()
	}
	g := nasx.GUTI{PLMN: m.plmn, AMFRegionID: m.cfg.AMFRegionID, AMFSetID: m.cfg.AMFSetID,
		AMFPointer: m.cfg.AMFPointer, TMSI: tmsi}
	u.guti = g
	u.set(flagHasGUTI)
	o.add(AssignGUTI{GUTI: g, Old: old, HadOld: hadOld})
	if !m.quiet {
		m.note(u, o, "5G-GUTI assigned", g.String())
	}
	if len(u.allowed) == 0 {
		u.allowed = intersect(m.cfg.Slices, m.cfg.Slices)
		if req := intersect(u.nssai, u.allowed); len(req) > 0 {
			u.allowed = req
		}
	}
	t3512 := nasx.NewGPRSTimer3(m.cfg.T3512)
	acc := &nasx.RegistrationAccept{Result: nasx.RegistrationResult3GPP, GUTI: g.MobileIdentity(),
		TAIList: m.tais, AllowedNSSAI: u.allowed, T3512: &t3512}
	if !m.sendContextSetup(u, o, acc, true) {
		m.abort(u, o, releaseCauseProtocol)
		return
	}
	m.startTimer(u, o, T3550)
	m.setState(u, o, WaitRegistrationComplete)
}

func (m *Machine) regComplete(u *UE, _ Event, o *out) {
	m.stopTimer(u, o)
	m.setState(u, o, Registered)
}

// serviceInitial: SERVICE REQUEST as the first message of a connection (TS
// 24.501 §5.6.1.4): accepted only when the integrity check with the prior
// context passed; otherwise SERVICE REJECT #9.
func (m *Machine) serviceInitial(u *UE, ev Event, o *out) {
	e := ev.(ServiceRequest)
	if e.prior == nil {
		m.trace(u, o, trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN1, Name: "SERVICE REJECT",
			Cause: causeText(nasx.CauseUEIdentityCannotBeDerived), Detail: "5G-S-TMSI unknown or integrity check failed"})
		m.send(u, o, &nasx.ServiceReject{Cause: nasx.CauseUEIdentityCannotBeDerived}, retxPlain, false)
		m.abort(u, o, ngapx.CauseNASNormalRelease)
		return
	}
	u.adopt(e.prior, e.prior.sec)
	o.add(AdoptPrior{Handle: e.prior.handle})
	m.setState(u, o, Registered)
	if !m.sendContextSetup(u, o, &nasx.ServiceAccept{}, false) {
		m.abort(u, o, releaseCauseProtocol)
	}
}

func (m *Machine) serviceRegistered(u *UE, _ Event, o *out) {
	if !m.sendContextSetup(u, o, &nasx.ServiceAccept{}, false) {
		m.abort(u, o, releaseCauseProtocol)
	}
}

func (m *Machine) ulNASTransport(u *UE, ev Event, o *out) {
	e := ev.(ULNASTransport)
	o.add(ForwardSM{SUPI: u.supi, Msg: e.Msg})
}
