package gmm

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/ue/usim"
)

// ---- registration (TS 24.501 §5.5.1.2) ----

func (m *Machine) startRegistration(in *input, out *Output) error {
	if !m.sim.Present() {
		return ErrNoCredential
	}
	if m.usimInvalid {
		return ErrUSIMInvalid
	}
	force := false
	if r, ok := in.ev.(Register); ok {
		force = r.ForceSUCI
	}
	m.retriedSUCI = false
	m.authFails = 0
	return m.sendRegistrationRequest(out, force)
}

// sendRegistrationRequest sends an initial REGISTRATION REQUEST. With a
// 5G-GUTI and a valid context it is integrity protected and carries only
// cleartext IEs (TS 24.501 §4.4.6); otherwise it is plain, carries a fresh
// SUCI and only cleartext IEs. The full message (with the non-cleartext IEs)
// is kept for SECURITY MODE COMPLETE.
func (m *Machine) sendRegistrationRequest(out *Output, forceSUCI bool) error {
	if !m.connected {
		m.secure = false // a new NAS signalling connection
	}
	req := nasx.RegistrationRequest{
		RegistrationType:     nasx.RegistrationInitial,
		UESecurityCapability: m.cfg.SecurityCapability,
	}
	hdr := nasx.SecHdrPlain
	if !forceSUCI && m.hasGUTI && m.sec.Valid() {
		mi, err := m.guti.MarshalNAS()
		if err != nil {
			return fmt.Errorf("gmm: GUTI: %w", err)
		}
		req.NgKSI = nasx.NgKSI{KSI: m.ksi}
		req.MobileIdentity = mi
		hdr = nasx.SecHdrIntegrity
	} else {
		// A registration with SUCI starts from no key (ngKSI 7): the old
		// context cannot be referred to any more.
		m.sec = nassec.Context{}
		m.ksi, m.kamf, m.kausf = nasx.KSINoKey, aka.Key256{}, aka.Key256{}
		mi, err := m.freshSUCI(out)
		if err != nil {
			return err
		}
		req.NgKSI = nasx.NgKSI{KSI: nasx.KSINoKey}
		req.MobileIdentity = mi
	}
	m.clearNew()
	m.identity = req.MobileIdentity
	full := req
	full.RequestedNSSAI = m.cfg.RequestedNSSAI
	fb, err := full.Build()
	if err != nil {
		return fmt.Errorf("gmm: build REGISTRATION REQUEST: %w", err)
	}
	m.fullReq = fb
	if err := m.send(out, &req, hdr); err != nil {
		return err
	}
	out.startTimer(T3510, m.cfg.T3510)
	m.setState(out, StateRegisteredInitiated)
	return nil
}

// freshSUCI conceals the SUPI anew (TS 33.501 §6.12.2: a fresh ephemeral key
// every time) and flags the null scheme.
func (m *Machine) freshSUCI(out *Output) ([]byte, error) {
	s, err := m.sim.Conceal(m.rand)
	if err != nil {
		return nil, fmt.Errorf("gmm: conceal SUPI: %w", err)
	}
	if s.Scheme == ident.SchemeNull {
		out.event(trace.Event{Kind: trace.KindNote, Name: NoteNullSchemeSUCI,
			Detail: "no home network public key: SUCI uses the null scheme"})
	}
	mi, err := s.MarshalNAS()
	if err != nil {
		return nil, fmt.Errorf("gmm: SUCI: %w", err)
	}
	return mi, nil
}

func (m *Machine) registrationAccept(in *input, out *Output) error {
	acc := in.msg.(*nasx.RegistrationAccept)
	if acc.GUTI != nil {
		if g, err := ident.ParseGUTINAS(acc.GUTI); err == nil {
			m.guti, m.hasGUTI = g, true
		} else {
			out.event(trace.Event{Kind: trace.KindNote, Name: "bad 5G-GUTI", Detail: err.Error()})
		}
	}
	if acc.T3512 != nil {
		if d, ok := acc.T3512.Duration(); ok {
			m.t3512 = d
		}
	}
	out.stopTimer(T3510)
	m.fullReq = nil
	m.authFails = 0
	m.setState(out, StateRegistered)
	if acc.GUTI != nil {
		if err := m.send(out, &nasx.RegistrationComplete{}, nasx.SecHdrIntegrityCiphered); err != nil {
			return err
		}
	}
	out.done(Outcome{Procedure: ProcRegistration, Accepted: true, Reason: ReasonAccepted, Protected: in.protected()})
	return nil
}

// Causes after which the UE considers the USIM invalid for 5GS (TS 24.501
// §5.5.1.2.5).
func invalidatingCause(c uint8) bool {
	return c == nasx.CauseIllegalUE || c == nasx.CauseIllegalME || c == nasx.Cause5GSServicesNotAllowed
}

// Causes after which the UE deletes its 5G-GUTI, ngKSI and contexts.
func deletingCause(c uint8) bool {
	switch c {
	case nasx.CauseIllegalUE, nasx.CauseIllegalME, nasx.Cause5GSServicesNotAllowed,
		nasx.CauseUEIdentityCannotBeDerived, nasx.CauseImplicitlyDeregistered,
		nasx.CausePLMNNotAllowed, nasx.CauseTrackingAreaNotAllowed, nasx.CauseRoamingNotAllowedInTA,
		nasx.CauseNoSuitableCellsInTA, nasx.CauseN1ModeNotAllowed, nasx.CauseServingNetworkNotAuthorized,
		nasx.CauseTemporarilyNotAuthorizedForSNPN, nasx.CausePermanentlyNotAuthorizedForSNPN:
		return true
	}
	return false
}

func (m *Machine) rejectEvent(out *Output, name string, cause uint8, protected bool) {
	d := "integrity protected"
	if !protected {
		d = "unprotected"
	}
	e := trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN1, Peer: PeerAMF, Name: name, Detail: d}
	if cause != 0 {
		e.Cause = CauseString(cause)
	}
	out.event(e)
	if !protected && m.sec.Valid() {
		out.event(trace.Event{Kind: trace.KindNote, Name: NoteUnprotectedReject, Detail: name})
	}
}

func (m *Machine) invalidate(out *Output) {
	m.usimInvalid = true
	m.deleteContext()
	out.event(trace.Event{Kind: trace.KindNote, Name: NoteUSIMInvalid})
}

func (m *Machine) registrationReject(in *input, out *Output) error {
	rej := in.msg.(*nasx.RegistrationReject)
	m.rejectEvent(out, "REGISTRATION REJECT", rej.Cause, in.protected())
	out.stopTimer(T3510)
	out.stopTimer(T3520)
	oc := Outcome{Procedure: ProcRegistration, Reason: ReasonRejected, Cause: rej.Cause, Protected: in.protected()}
	if rej.T3346 != nil {
		if d, ok := rej.T3346.Duration(); ok {
			oc.T3346 = d
		}
	}
	switch {
	case invalidatingCause(rej.Cause):
		m.invalidate(out)
		oc.USIMInvalid = true
	case rej.Cause == nasx.CauseUEIdentityCannotBeDerived || rej.Cause == nasx.CauseImplicitlyDeregistered:
		// §5.5.1.2.5 #9/#10: delete the GUTI and contexts, then register
		// again with a SUCI (once per user request).
		m.deleteContext()
		if !m.retriedSUCI {
			m.retriedSUCI = true
			out.event(trace.Event{Kind: trace.KindNote, Name: NoteReRegistration, Detail: CauseString(rej.Cause) + ": registering with SUCI"})
			m.fullReq = nil
			return m.sendRegistrationRequest(out, true)
		}
	case deletingCause(rej.Cause):
		m.deleteContext()
	}
	m.fullReq = nil
	m.setState(out, StateDeregistered)
	out.done(oc)
	return nil
}

func (m *Machine) t3510(_ *input, out *Output) error {
	out.stopTimer(T3520)
	m.fullReq = nil
	m.clearNew()
	m.setState(out, StateDeregistered)
	out.Release = true
	out.done(Outcome{Procedure: ProcRegistration, Reason: ReasonTimeout})
	return nil
}

func (m *Machine) registrationAborted(_ *input, out *Output) error {
	m.disconnect()
	m.stopAll(out)
	m.fullReq = nil
	m.clearNew()
	m.setState(out, StateDeregistered)
	out.done(Outcome{Procedure: ProcRegistration, Reason: ReasonReleased})
	return nil
}

func (m *Machine) released(_ *input, _ *Output) error {
	m.disconnect()
	return nil
}

// ---- authentication (TS 24.501 §5.4.1.3, TS 33.501 §6.1.3.2) ----

func (m *Machine) authenticationRequest(in *input, out *Output) error {
	req := in.msg.(*nasx.AuthenticationRequest)
	out.stopTimer(T3520)
	if req.RAND == nil || req.AUTN == nil {
		// EAP-based authentication is not supported by this UE.
		m.sendStatus(out, nasx.CauseInvalidMandatoryInformation)
		return nil
	}
	if m.sec.Valid() && req.NgKSI.KSI == m.ksi && !req.NgKSI.Mapped {
		return m.authFailure(out, nasx.CauseNgKSIAlreadyInUse, nil)
	}
	r, err := m.sim.Authenticate(req.RAND, req.AUTN)
	if err != nil {
		m.sendStatus(out, nasx.CauseInvalidMandatoryInformation)
		return nil
	}
	switch r.Outcome {
	case usim.AuthMACFailure:
		return m.authFailure(out, nasx.CauseMACFailure, nil)
	case usim.AuthSynchFailure:
		return m.authFailure(out, nasx.CauseSynchFailure, r.AUTS[:])
	}
	if !aka.SeparationBit(r.AMF) {
		return m.authFailure(out, nasx.CauseNon5GAuthenticationUnacceptable, nil)
	}
	snn := m.servingNetworkName()
	var rnd [aka.RANDLen]byte
	copy(rnd[:], req.RAND)
	resStar, err := aka.RESStar(r.CK, r.IK, snn, rnd, r.RES[:])
	if err != nil {
		return fmt.Errorf("gmm: RES*: %w", err)
	}
	kausf, err := aka.KAUSF(r.CK, r.IK, snn, r.SQNxorAK)
	if err != nil {
		return fmt.Errorf("gmm: KAUSF: %w", err)
	}
	kseaf, err := aka.KSEAF(kausf, snn)
	if err != nil {
		return fmt.Errorf("gmm: KSEAF: %w", err)
	}
	abba := req.ABBA
	if len(abba) < 2 {
		abba = aka.ABBAInitial
	}
	kamf, err := aka.KAMF(kseaf, m.sim.SUPI().String(), abba)
	if err != nil {
		return fmt.Errorf("gmm: KAMF: %w", err)
	}
	m.newKSI, m.newKAMF, m.newKAUSF = req.NgKSI.KSI, kamf, kausf
	m.authFails = 0
	for _, k := range [...]string{KeyKAUSF, KeyKSEAF, KeyKAMF} {
		out.event(trace.Event{Kind: trace.KindKey, Name: k, Detail: "derived"})
	}
	return m.send(out, &nasx.AuthenticationResponse{RESStar: resStar[:]}, 0)
}

func (m *Machine) servingNetworkName() string {
	if !m.cfg.ServingPLMN.IsZero() {
		return m.cfg.ServingPLMN.ServingNetworkName()
	}
	return m.sim.PLMN().ServingNetworkName()
}

// authFailure sends AUTHENTICATION FAILURE, starts T3520 and counts
// consecutive failures: the third makes the UE deem the network not genuine
// (TS 24.501 §5.4.1.3.7).
func (m *Machine) authFailure(out *Output, cause uint8, auts []byte) error {
	out.event(trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN1, Peer: PeerAMF,
		Name: "AUTHENTICATION FAILURE", Cause: CauseString(cause), Detail: "sent"})
	if err := m.send(out, &nasx.AuthenticationFailure{Cause: cause, AUTS: auts}, 0); err != nil {
		return err
	}
	m.authFails++
	if m.authFails >= MaxAuthFailures {
		return m.networkNotGenuine(out, fmt.Sprintf("%d consecutive authentication failures", m.authFails))
	}
	out.startTimer(T3520, m.cfg.T3520)
	return nil
}

func (m *Machine) networkNotGenuine(out *Output, why string) error {
	out.event(trace.Event{Kind: trace.KindNote, Name: NoteNetworkNotGenuine, Detail: why})
	m.authFails = 0
	m.clearNew()
	out.Release = true
	m.disconnect()
	switch m.state {
	case StateRegisteredInitiated:
		m.stopAll(out)
		m.fullReq = nil
		m.setState(out, StateDeregistered)
		out.done(Outcome{Procedure: ProcRegistration, Reason: ReasonNetworkNotGenuine})
	default:
		out.stopTimer(T3520)
		out.done(Outcome{Procedure: ProcAuthentication, Reason: ReasonNetworkNotGenuine})
	}
	return nil
}

func (m *Machine) t3520(_ *input, out *Output) error {
	return m.networkNotGenuine(out, "T3520 expired")
}

func (m *Machine) authenticationReject(in *input, out *Output) error {
	m.rejectEvent(out, "AUTHENTICATION REJECT", 0, in.protected())
	m.stopAll(out)
	m.invalidate(out)
	m.fullReq = nil
	proc := ProcAuthentication
	switch m.state {
	case StateRegisteredInitiated:
		proc = ProcRegistration
	case StateDeregisteredInitiated:
		proc = ProcDeregistration
	}
	m.setState(out, StateDeregistered)
	out.done(Outcome{Procedure: proc, Reason: ReasonAuthReject, Protected: in.protected(), USIMInvalid: true})
	return nil
}

// ---- identification (TS 24.501 §5.4.3) ----

func (m *Machine) identityRequest(in *input, out *Output) error {
	req := in.msg.(*nasx.IdentityRequest)
	var mi []byte
	switch req.IdentityType {
	case nasx.IdentitySUCI:
		s, err := m.freshSUCI(out)
		if err != nil {
			return err
		}
		mi = s
	case nasx.IdentityIMEISV:
		mi = m.cfg.IMEISV
	}
	if mi == nil {
		mi = []byte{nasx.IdentityNone} // "no identity" (TS 24.501 §9.11.3.4)
	}
	return m.send(out, &nasx.IdentityResponse{MobileIdentity: mi}, 0)
}

// ---- security mode control (TS 24.501 §5.4.2, TS 33.501 §6.7.2) ----

func (m *Machine) securityModeCommand(in *input, out *Output) error {
	smc := in.msg.(*nasx.SecurityModeCommand)
	if in.hdr != nasx.SecHdrIntegrityNewCtx {
		// TS 24.501 §9.3.1: SECURITY MODE COMMAND uses header type 3 only.
		m.dropped(out, in, DropHeader, "SECURITY MODE COMMAND without security header type 3")
		return nil
	}
	enc, integ := nassec.CipheringAlg(smc.Ciphering), nassec.IntegrityAlg(smc.Integrity)
	if integ.IsNull() && !m.cfg.Emergency {
		return m.smcReject(out, nasx.CauseSecurityModeRejectedUnspecified, "NIA0 refused outside emergency services")
	}
	if enc > nassec.NEA3 || integ > nassec.NIA3 ||
		!m.cfg.SecurityCapability.SupportsEA(smc.Ciphering) || !m.cfg.SecurityCapability.SupportsIA(smc.Integrity) {
		return m.smcReject(out, nasx.CauseSecurityModeRejectedUnspecified, "selected algorithm not supported")
	}
	var kamf aka.Key256
	fresh := false
	switch {
	case !smc.NgKSI.Mapped && smc.NgKSI.KSI == m.newKSI && !m.newKAMF.IsZero():
		kamf, fresh = m.newKAMF, true
	case !smc.NgKSI.Mapped && smc.NgKSI.KSI == m.ksi && m.sec.Valid():
		kamf = m.kamf
	default:
		return m.smcReject(out, nasx.CauseSecurityModeRejectedUnspecified, fmt.Sprintf("unknown ngKSI %d", smc.NgKSI.KSI))
	}
	kEnc, kInt, err := aka.NASKeys(kamf, uint8(enc), uint8(integ))
	if err != nil {
		return fmt.Errorf("gmm: NAS keys: %w", err)
	}
	var ctx nassec.Context
	if fresh {
		// A new KAMF: COUNTs start at 0 (TS 33.501 §6.4.5).
		ctx, err = nassec.New(nassec.Config{Side: nassec.SideUE, KNASEnc: kEnc, KNASInt: kInt, Enc: enc, Int: integ})
	} else {
		ctx = m.sec
		err = ctx.Rekey(kEnc, kInt, enc, integ)
	}
	if err != nil {
		return fmt.Errorf("gmm: NAS context: %w", err)
	}
	if _, _, err := ctx.Unprotect(in.pdu); err != nil {
		cause := DropIntegrity
		if errors.Is(err, nassec.ErrMACFailure) {
			cause = DropMACFailure
		}
		m.dropped(out, in, cause, "SECURITY MODE COMMAND integrity check failed: "+err.Error())
		return m.smcReject(out, nasx.CauseSecurityModeRejectedUnspecified, "integrity check failed")
	}
	// Bidding-down protection: the replayed capabilities must be exactly
	// what the UE sent (TS 33.501 §6.7.2).
	if !bytes.Equal(smc.ReplayedUESecurityCapability, m.cfg.SecurityCapability) {
		return m.smcReject(out, nasx.CauseUESecurityCapabilitiesMismatch, "replayed UE security capabilities mismatch")
	}
	m.sec = ctx
	m.secure = true
	if fresh {
		m.ksi, m.kamf, m.kausf = m.newKSI, m.newKAMF, m.newKAUSF
		m.clearNew()
	}
	out.stopTimer(T3520)
	m.authFails = 0
	if out.tracing() {
		out.event(trace.Event{Kind: trace.KindKey, Name: KeyKNASint, Detail: integ.String()})
		out.event(trace.Event{Kind: trace.KindKey, Name: KeyKNASenc, Detail: enc.String()})
		out.event(trace.Event{Kind: trace.KindNote, Name: NoteSecurityActivated,
			Detail: fmt.Sprintf("%s/%s ngKSI %d", enc, integ, m.ksi)})
	}
	comp := nasx.SecurityModeComplete{NASMessageContainer: m.fullReq}
	if smc.IMEISVRequest && m.cfg.IMEISV != nil {
		comp.IMEISV = m.cfg.IMEISV
	}
	hdr := nasx.SecHdrIntegrityCiphered
	if fresh {
		hdr = nasx.SecHdrIntegrityCipheredNewCtx
	}
	return m.send(out, &comp, hdr)
}

// smcReject sends SECURITY MODE REJECT, protected with the current context
// if any, else plain (TS 33.501 §6.7.2). The new partial context stays
// until a new authentication replaces it.
func (m *Machine) smcReject(out *Output, cause uint8, why string) error {
	out.event(trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN1, Peer: PeerAMF,
		Name: "SECURITY MODE REJECT", Cause: CauseString(cause), Detail: why})
	return m.send(out, &nasx.SecurityModeReject{Cause: cause}, 0)
}

// ---- de-registration (TS 24.501 §5.5.2) ----

func (m *Machine) startDeregistration(in *input, out *Output) error {
	d, _ := in.ev.(Deregister)
	m.switchOff = d.SwitchOff
	m.deregAttempts = 1
	if err := m.sendDeregistrationRequest(out); err != nil {
		return err
	}
	if d.SwitchOff {
		m.stopAll(out)
		m.setState(out, StateDeregistered)
		out.done(Outcome{Procedure: ProcDeregistration, Accepted: true, Reason: ReasonAccepted})
		return nil
	}
	out.startTimer(T3521, m.cfg.T3521)
	m.setState(out, StateDeregisteredInitiated)
	return nil
}

func (m *Machine) sendDeregistrationRequest(out *Output) error {
	req := nasx.DeregistrationRequestUEOriginating{
		SwitchOff: m.switchOff, AccessType: nasx.Access3GPP, NgKSI: nasx.NgKSI{KSI: m.ksi},
	}
	switch {
	case m.hasGUTI:
		mi, err := m.guti.MarshalNAS()
		if err != nil {
			return fmt.Errorf("gmm: GUTI: %w", err)
		}
		req.MobileIdentity = mi
	case m.identity != nil:
		req.MobileIdentity = m.identity // the SUCI used (TS 33.501 §6.12.2)
	default:
		mi, err := m.freshSUCI(out)
		if err != nil {
			return err
		}
		req.MobileIdentity = mi
	}
	hdr := nasx.SecHdrIntegrityCiphered
	if !m.secure {
		hdr = nasx.SecHdrIntegrity // an initial NAS message: cleartext IEs only (§4.4.6)
	}
	return m.send(out, &req, hdr)
}

func (m *Machine) deregistrationAccept(in *input, out *Output) error {
	out.stopTimer(T3521)
	m.setState(out, StateDeregistered)
	out.done(Outcome{Procedure: ProcDeregistration, Accepted: true, Reason: ReasonAccepted, Protected: in.protected()})
	return nil
}

func (m *Machine) t3521(_ *input, out *Output) error {
	if m.deregAttempts >= MaxDeregAttempts {
		out.event(trace.Event{Kind: trace.KindNote, Name: NoteDeregistrationDone, Detail: "T3521 expired 5 times"})
		m.setState(out, StateDeregistered)
		out.done(Outcome{Procedure: ProcDeregistration, Reason: ReasonTimeout})
		return nil
	}
	m.deregAttempts++
	if err := m.sendDeregistrationRequest(out); err != nil {
		return err
	}
	out.startTimer(T3521, m.cfg.T3521)
	return nil
}

func (m *Machine) deregistrationReleased(_ *input, out *Output) error {
	// Lower-layer release during de-registration: the UE de-registers
	// locally (TS 24.501 §5.5.2.2.6).
	m.disconnect()
	out.stopTimer(T3521)
	m.setState(out, StateDeregistered)
	out.done(Outcome{Procedure: ProcDeregistration, Accepted: true, Reason: ReasonReleased})
	return nil
}

// networkDeregistration handles DEREGISTRATION REQUEST (UE terminated),
// which classify lets through only when integrity protected and fresh
// (TS 24.501 §4.4.4.2, §5.5.2.3).
func (m *Machine) networkDeregistration(in *input, out *Output) error {
	req := in.msg.(*nasx.DeregistrationRequestUETerminated)
	var cause uint8
	if req.Cause != nil {
		cause = *req.Cause
	}
	m.rejectEvent(out, "DEREGISTRATION REQUEST", cause, in.protected())
	proc := m.state
	m.stopAll(out)
	if err := m.send(out, &nasx.DeregistrationAcceptUETerminated{}, nasx.SecHdrIntegrityCiphered); err != nil {
		return err
	}
	oc := Outcome{Procedure: ProcNetworkDeregistration, Reason: ReasonDeregistered, Cause: cause, Protected: in.protected()}
	if req.T3346 != nil {
		if d, ok := req.T3346.Duration(); ok {
			oc.T3346 = d
		}
	}
	switch {
	case invalidatingCause(cause):
		m.invalidate(out)
		oc.USIMInvalid = true
	case deletingCause(cause):
		m.deleteContext()
	}
	m.fullReq = nil
	m.setState(out, StateDeregistered)
	if proc == StateRegisteredInitiated {
		out.done(Outcome{Procedure: ProcRegistration, Reason: ReasonDeregistered, Cause: cause, Protected: in.protected()})
	}
	if proc == StateDeregisteredInitiated {
		out.done(Outcome{Procedure: ProcDeregistration, Accepted: true, Reason: ReasonDeregistered, Cause: cause})
	}
	if req.ReRegistrationRequired && !m.usimInvalid {
		oc.ReRegister = true
		out.done(oc)
		out.event(trace.Event{Kind: trace.KindNote, Name: NoteReRegistration, Detail: "re-registration required"})
		m.retriedSUCI = false
		return m.sendRegistrationRequest(out, false)
	}
	out.done(oc)
	return nil
}

// ---- transport and status ----

func (m *Machine) sendSM(in *input, out *Output) error {
	s, ok := in.ev.(SendSM)
	if !ok || len(s.Payload) == 0 {
		return fmt.Errorf("%w: SendSM without payload", ErrBadEvent)
	}
	return m.send(out, &nasx.ULNASTransport{
		PayloadContainerType: nasx.PayloadN1SM, Payload: s.Payload, PDUSessionID: s.PDUSessionID,
		RequestType: s.RequestType, SNSSAI: s.SNSSAI, DNN: s.DNN,
	}, nasx.SecHdrIntegrityCiphered)
}

func (m *Machine) dlNASTransport(in *input, out *Output) error {
	t := in.msg.(*nasx.DLNASTransport)
	if t.PayloadContainerType != nasx.PayloadN1SM {
		m.dropped(out, in, DropUnsupported, fmt.Sprintf("payload container type %d not supported", t.PayloadContainerType))
		return nil
	}
	out.SM = append(out.SM, SMPayload{PDUSessionID: t.PDUSessionID, Payload: t.Payload, Cause: t.Cause})
	return nil
}

func (m *Machine) status(in *input, out *Output) error {
	st := in.msg.(*nasx.Status5GMM)
	out.event(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN1, Peer: PeerAMF, Name: "5GMM STATUS received", Cause: CauseString(st.Cause)})
	return nil
}
