package gmm

import (
	"errors"
	"fmt"

	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
)

// Machine holds the configuration and the transition table shared by all UE
// contexts. It keeps no per-UE state and is safe for concurrent use on
// different UE values.
type Machine struct {
	cfg     Config
	snn     string
	plmn    nasx.PLMN
	tais    []nasx.TAI
	newTMSI func() uint32
	table   [NumStates][NumEventKinds]transition
	// quiet: the driver discards trace events, so the machine builds no
	// Trace actions (SetTracing).
	quiet bool
}

// NewMachine validates cfg (filling defaults) and builds the machine.
// newTMSI allocates 5G-TMSIs that no other context of this AMF holds; it is
// the machine's only source of variation and must be safe for concurrent use.
func NewMachine(cfg Config, newTMSI func() uint32) (*Machine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if newTMSI == nil {
		return nil, fmt.Errorf("%w: no 5G-TMSI allocator", ErrConfig)
	}
	plmn, err := nasx.NewPLMN(cfg.PLMN.MCC, cfg.PLMN.MNC)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	m := &Machine{cfg: cfg, snn: cfg.PLMN.ServingNetworkName(), plmn: plmn, newTMSI: newTMSI}
	for _, t := range cfg.TACs {
		m.tais = append(m.tais, nasx.TAI{PLMN: plmn, TAC: t})
	}
	m.table = newTable()
	return m, nil
}

// SetTracing says whether the driver records trace events (default on).
// Off, Handle returns no Trace actions and formats no event details; the
// other actions are the same. Call it before the first Handle.
func (m *Machine) SetTracing(on bool) { m.quiet = !on }

// Config returns the validated configuration.
func (m *Machine) Config() Config { return m.cfg }

// ServingNetworkName returns the SNN sent to the AUSF (TS 33.501 §6.1.1.4).
func (m *Machine) ServingNetworkName() string { return m.snn }

// GUAMI returns the AMF identity every 5G-GUTI carries.
func (m *Machine) GUAMI() (plmn nasx.PLMN, region uint8, set uint16, pointer uint8) {
	return m.plmn, m.cfg.AMFRegionID, m.cfg.AMFSetID, m.cfg.AMFPointer
}

// out collects the actions of one Handle call.
type out struct {
	acts    []Action
	deleted bool
}

func (o *out) add(a Action) { o.acts = append(o.acts, a) }

// Handle runs one event through the transition table and returns the
// actions, in the order the driver must carry them out.
func (m *Machine) Handle(u *UE, ev Event) []Action {
	o := &out{}
	m.dispatch(u, ev, o)
	return o.acts
}

func (m *Machine) dispatch(u *UE, ev Event, o *out) {
	k := ev.Kind()
	s := u.state
	if s >= NumStates || k >= NumEventKinds {
		m.trace(u, o, trace.Event{Kind: trace.KindDrop, Name: k.String(), Cause: DropState, Detail: "invalid state or event"})
		return
	}
	t := m.table[s][k]
	switch {
	case t.h != nil:
		t.h(m, u, ev, o)
	case t.r == RejectStatus98:
		m.trace(u, o, trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN1, Name: k.String(),
			Cause: causeText(nasx.CauseMessageTypeNotCompatibleWithProtocolState), Detail: "in state " + s.String()})
		m.status(u, o, nasx.CauseMessageTypeNotCompatibleWithProtocolState)
	default:
		m.trace(u, o, trace.Event{Kind: trace.KindDrop, Name: k.String(), Cause: DropState, Detail: "in state " + s.String()})
	}
}

// HandleNAS processes an uplink NAS PDU of an established connection
// (UPLINK NAS TRANSPORT): security header, integrity and replay checks with
// the context's NAS security context, deciphering, decoding, then Handle.
// Messages that fail the checks once secure exchange is established are
// dropped (trace KindDrop, TS 24.501 §4.4.4.3).
func (m *Machine) HandleNAS(u *UE, pdu []byte) []Action {
	o := &out{}
	if ev, ok := m.decode(u, pdu, nil, o); ok {
		m.dispatch(u, ev, o)
	}
	return o.acts
}

// HandleInitialNAS processes the NAS PDU of INITIAL UE MESSAGE on a fresh
// context. prior is the context owning the 5G-GUTI or 5G-S-TMSI the message
// carries (see PriorTMSI and UE.Export), or nil: the message is integrity
// checked with a copy of prior's security context, and the context is taken
// over (AdoptPrior) only when the check passes (TS 24.501 §4.4.4.3,
// §5.5.1.3.2; TS 33.501 §6.4.6).
func (m *Machine) HandleInitialNAS(u *UE, pdu []byte, prior *Prior) []Action {
	o := &out{}
	u.set(flagConnected)
	u.clear(flagSecured | flagASContext)
	ev, ok := m.decode(u, pdu, prior, o)
	if ok {
		switch e := ev.(type) {
		case RegistrationRequest:
			e.Initial = true
			ev = e
		case DeregistrationRequest:
			e.Initial = true
			ev = e
		case ServiceRequest:
			e.Initial = true
			ev = e
		}
		m.dispatch(u, ev, o)
	}
	if !o.deleted && u.state == Deregistered {
		// Nothing started: the connection has no use.
		m.trace(u, o, trace.Event{Kind: trace.KindNote, Name: "initial NAS message not acted upon", Detail: "connection released"})
		m.abort(u, o, releaseCauseProtocol)
	}
	return o.acts
}

// PriorTMSI returns the 5G-TMSI of this AMF's 5G-GUTI or 5G-S-TMSI in an
// initial NAS message (REGISTRATION REQUEST, DEREGISTRATION REQUEST, SERVICE
// REQUEST; plain or integrity protected), so that the driver can look up
// the prior context. It never fails loudly: ok is false for anything else.
func (m *Machine) PriorTMSI(pdu []byte) (tmsi uint32, ok bool) {
	h, err := nasx.PeekHeader(pdu)
	if err != nil || h.EPD != nasx.EPD5GMM || h.Ciphered() {
		return 0, false
	}
	plain := pdu
	if h.Protected() {
		plain = pdu[nasx.ProtectedHeaderLen:]
	}
	msg, err := nasx.Parse(plain)
	if err != nil {
		return 0, false
	}
	var mi []byte
	switch msg := msg.(type) {
	case *nasx.RegistrationRequest:
		mi = msg.MobileIdentity
	case *nasx.DeregistrationRequestUEOriginating:
		mi = msg.MobileIdentity
	case *nasx.ServiceRequest:
		s, err := nasx.ParseSTMSI(msg.STMSI)
		if err != nil || s.AMFSetID != m.cfg.AMFSetID || s.AMFPointer != m.cfg.AMFPointer {
			return 0, false
		}
		return s.TMSI, true
	default:
		return 0, false
	}
	g, err := nasx.ParseGUTI(mi)
	if err != nil || !m.ownGUTI(g) {
		return 0, false
	}
	return g.TMSI, true
}

func (m *Machine) ownGUTI(g nasx.GUTI) bool {
	return g.PLMN == m.plmn && g.AMFRegionID == m.cfg.AMFRegionID && g.AMFSetID == m.cfg.AMFSetID &&
		g.AMFPointer == m.cfg.AMFPointer
}

// decode turns an uplink PDU into a typed event, or drops it.
func (m *Machine) decode(u *UE, pdu []byte, prior *Prior, o *out) (Event, bool) {
	h, err := nasx.PeekHeader(pdu)
	if err != nil {
		if u.has(flagSecured) {
			m.drop(u, o, "undecodable NAS PDU", DropUndecodable, err.Error())
			return nil, false
		}
		return InvalidNAS{Cause: statusCause(err), Detail: err.Error()}, true
	}
	if h.EPD != nasx.EPD5GMM {
		m.drop(u, o, "5GSM message outside UL NAS TRANSPORT", DropWrongEPD, "")
		return nil, false
	}
	sec := Sec{Hdr: h.SecurityHeaderType}
	var (
		plain    []byte
		adopted  *Prior
		verifyOK bool
	)
	if !h.Protected() {
		if u.has(flagSecured) {
			m.drop(u, o, h.MessageType.String(), DropNotProtected, "not integrity protected after secure exchange was established")
			return nil, false
		}
		plain = pdu
	} else {
		ctx := &u.sec
		var tmp nassec.Context
		switch {
		case prior != nil:
			tmp = prior.sec
			ctx = &tmp
		case h.NewContext() && u.newSec.Valid():
			ctx = &u.newSec
		}
		if ctx.Valid() {
			p, _, err := ctx.Unprotect(pdu)
			switch {
			case err == nil:
				plain, verifyOK = p, true
				if prior != nil {
					cp := *prior
					cp.sec = tmp
					adopted = &cp
				}
			case u.has(flagSecured):
				m.drop(u, o, msgName(h), dropCause(err), dropReason(err))
				return nil, false
			default:
				m.trace(u, o, trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN1, Name: "integrity check failed",
					Detail: msgName(h) + ": " + dropReason(err)})
			}
		}
		if !verifyOK {
			if h.Ciphered() {
				m.drop(u, o, msgName(h), DropNoContext, "ciphered without a usable NAS security context")
				return nil, false
			}
			plain = pdu[nasx.ProtectedHeaderLen:]
		}
	}
	sec.Verified = verifyOK
	msg, err := nasx.Parse(plain)
	if err != nil {
		m.trace(u, o, trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN1, Name: msgName(h),
			Detail: fmt.Sprintf("ul sht=%d undecodable", sec.Hdr)})
		return InvalidNAS{Sec: sec, Cause: statusCause(err), Detail: err.Error()}, true
	}
	name := msg.MessageType().String()
	if !m.quiet {
		m.trace(u, o, trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN1, Name: name,
			Detail: fmt.Sprintf(DetailUplink, sec.Hdr, sec.Verified)})
	}
	if !sec.Verified && !processedUnprotected(msg.MessageType()) {
		m.drop(u, o, name, DropNotProtected, "not integrity protected")
		return nil, false
	}
	switch msg := msg.(type) {
	case *nasx.RegistrationRequest:
		return RegistrationRequest{Sec: sec, Msg: msg, prior: adopted}, true
	case *nasx.RegistrationComplete:
		return RegistrationComplete{Sec: sec}, true
	case *nasx.IdentityResponse:
		return IdentityResponse{Sec: sec, Msg: msg}, true
	case *nasx.AuthenticationResponse:
		return AuthenticationResponse{Sec: sec, Msg: msg}, true
	case *nasx.AuthenticationFailure:
		return AuthenticationFailure{Sec: sec, Msg: msg}, true
	case *nasx.SecurityModeComplete:
		return SecurityModeComplete{Sec: sec, Msg: msg}, true
	case *nasx.SecurityModeReject:
		return SecurityModeReject{Sec: sec, Msg: msg}, true
	case *nasx.DeregistrationRequestUEOriginating:
		return DeregistrationRequest{Sec: sec, Msg: msg, prior: adopted}, true
	case *nasx.DeregistrationAcceptUETerminated:
		return DeregistrationAccept{Sec: sec}, true
	case *nasx.ServiceRequest:
		return ServiceRequest{Sec: sec, Msg: msg, prior: adopted}, true
	case *nasx.ULNASTransport:
		return ULNASTransport{Sec: sec, Msg: msg}, true
	case *nasx.Status5GMM:
		return Status{Sec: sec, Cause: msg.Cause}, true
	default:
		return UnexpectedNAS{Sec: sec, Type: msg.MessageType()}, true
	}
}

// processedUnprotected lists the messages the AMF processes without a
// successful integrity check before secure exchange is established (TS
// 24.501 §4.4.4.3).
func processedUnprotected(t nasx.MessageType) bool {
	switch t {
	case nasx.MsgRegistrationRequest, nasx.MsgIdentityResponse, nasx.MsgAuthenticationResponse,
		nasx.MsgAuthenticationFailure, nasx.MsgSecurityModeReject, nasx.MsgDeregistrationRequestUEOriginating,
		nasx.MsgDeregistrationAcceptUETerminated, nasx.MsgServiceRequest:
		return true
	}
	return false
}

func msgName(h nasx.Header) string {
	if h.MessageTypeKnown {
		return h.MessageType.String()
	}
	return "ciphered NAS message"
}

func dropReason(err error) string {
	switch {
	case errors.Is(err, nassec.ErrReplay):
		return "replayed NAS COUNT"
	case errors.Is(err, nassec.ErrMACFailure):
		return "NAS MAC failure"
	case errors.Is(err, nassec.ErrCountExhausted):
		return "NAS COUNT exhausted"
	default:
		return err.Error()
	}
}

// dropCause is the reason token of an integrity check failure.
func dropCause(err error) string {
	switch {
	case errors.Is(err, nassec.ErrReplay):
		return DropReplay
	case errors.Is(err, nassec.ErrMACFailure):
		return DropMACFailure
	case errors.Is(err, nassec.ErrCountExhausted):
		return DropCountExhausted
	default:
		return DropIntegrity
	}
}

// statusCause picks the 5GMM STATUS cause for an undecodable message (TS
// 24.501 §7.3, §7.4, §7.5).
func statusCause(err error) uint8 {
	switch {
	case errors.Is(err, nasx.ErrUnknownMessageType):
		return nasx.CauseMessageTypeNonExistent
	case errors.Is(err, nasx.ErrInvalid):
		return nasx.CauseSemanticallyIncorrectMessage
	default:
		return nasx.CauseInvalidMandatoryInformation
	}
}

func causeText(c uint8) string { return fmt.Sprintf("5GMM#%d", c) }
