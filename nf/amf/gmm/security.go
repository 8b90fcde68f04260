package gmm

import (
	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
)

// selectAlgorithms picks the first configured algorithms the UE supports
// (TS 33.501 §6.7.2). NIA0 is never picked (Config refuses it); NEA0 is
// always supported by a UE.
func (m *Machine) selectAlgorithms(c nasx.UESecurityCapability) (nassec.CipheringAlg, nassec.IntegrityAlg, bool) {
	var (
		enc   nassec.CipheringAlg
		integ nassec.IntegrityAlg
		okE   bool
		okI   bool
	)
	for _, a := range m.cfg.IntegrityOrder {
		if c.SupportsIA(uint8(a)) {
			integ, okI = a, true
			break
		}
	}
	for _, a := range m.cfg.CipheringOrder {
		if a == nassec.NEA0 || c.SupportsEA(uint8(a)) {
			enc, okE = a, true
			break
		}
	}
	return enc, integ, okE && okI
}

// securityMode derives the NAS keys from the new KAMF and sends SECURITY
// MODE COMMAND integrity protected with the new context (security header
// type 3), replaying the UE security capabilities and asking for the
// complete initial message (RINMR) (TS 24.501 §5.4.2.2, TS 33.501 §6.7.2).
func (m *Machine) securityMode(u *UE, o *out, kamf aka.Key256) {
	c := u.ueCap()
	enc, integ, ok := m.selectAlgorithms(c)
	if !ok {
		why := "no configured integrity algorithm supported by the UE"
		if c.IA()&^nasx.AlgBit(0) == 0 {
			why = "the UE supports only NIA0, refused outside emergency services"
		}
		m.rejectRegistration(u, o, nasx.CauseUESecurityCapabilitiesMismatch, false, why)
		return
	}
	kEnc, kInt, err := aka.NASKeys(kamf, uint8(enc), uint8(integ))
	if err != nil {
		m.rejectRegistration(u, o, nasx.CauseProtocolErrorUnspecified, false, "NAS key derivation failed")
		return
	}
	ns, err := nassec.New(nassec.Config{Side: nassec.SideNetwork, KNASEnc: kEnc, KNASInt: kInt, Enc: enc, Int: integ})
	if err != nil {
		m.rejectRegistration(u, o, nasx.CauseProtocolErrorUnspecified, false, "NAS security context creation failed")
		return
	}
	m.key(u, o, "KNASenc", enc.String())
	m.key(u, o, "KNASint", integ.String())
	u.newSec, u.kamfNew = ns, kamf
	smc := &nasx.SecurityModeCommand{Ciphering: uint8(enc), Integrity: uint8(integ),
		NgKSI: nasx.NgKSI{KSI: u.newKSI}, ReplayedUESecurityCapability: c,
		IMEISVRequest: m.cfg.IMEISVRequest, RINMR: true}
	if !m.send(u, o, smc, retxProtectNew, true) {
		m.abort(u, o, releaseCauseProtocol)
		return
	}
	m.startTimer(u, o, T3560)
	m.setState(u, o, SecurityMode)
}

// smcComplete takes the new context into use once SECURITY MODE COMPLETE
// verified with it (header type 4, or 3 when not ciphered), then registers
// at the UDM (TS 24.501 §5.4.2.4, §5.5.1.2.4).
func (m *Machine) smcComplete(u *UE, ev Event, o *out) {
	e := ev.(SecurityModeComplete)
	if !e.Verified || (e.Hdr != nasx.SecHdrIntegrityCipheredNewCtx && e.Hdr != nasx.SecHdrIntegrityNewCtx) {
		m.drop(u, o, "SECURITY MODE COMPLETE", DropWrongContext, "not protected with the new 5G NAS security context")
		return
	}
	m.stopTimer(u, o)
	u.sec, u.newSec = u.newSec, newSecZero
	u.kamf, u.kamfNew = u.kamfNew, zeroKey
	u.ngKSI = u.newKSI
	u.rand, u.hxres, u.confirmURI = [16]byte{}, [16]byte{}, ""
	u.set(flagSecured)
	if !m.quiet {
		m.trace(u, o, trace.Event{Kind: trace.KindNote, Name: NoteSecurityActivated, Detail: u.sec.String()})
	}
	if c := e.Msg.NASMessageContainer; len(c) > 0 {
		// The complete initial message replaces the cleartext one (TS 33.501
		// §6.4.6, TS 24.501 §4.4.6).
		if full, err := nasx.Parse(c); err == nil {
			if rr, ok := full.(*nasx.RegistrationRequest); ok {
				u.nssai = append([]nasx.SNSSAI(nil), rr.RequestedNSSAI...)
				if rr.RegistrationType >= nasx.RegistrationInitial && rr.RegistrationType <= nasx.RegistrationPeriodic {
					u.regType = rr.RegistrationType
				}
			}
		} else {
			m.note(u, o, "NAS message container undecodable", err.Error())
		}
	}
	u.seq++
	m.setState(u, o, WaitUDM)
	o.add(UECMRegister{Seq: u.seq, SUPI: u.supi, Initial: u.regType == nasx.RegistrationInitial})
}

// smcReject aborts the registration (TS 24.501 §5.4.2.5).
func (m *Machine) smcReject(u *UE, ev Event, o *out) {
	e := ev.(SecurityModeReject)
	m.trace(u, o, trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN1, Name: "security mode rejected by the UE",
		Cause: causeText(e.Msg.Cause)})
	m.abort(u, o, ngapx.CauseNASUnspecified)
}
