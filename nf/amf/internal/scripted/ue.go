package scripted

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/suci"
)

// ErrUE reports a DL message the scripted UE cannot process.
var ErrUE = errors.New("scripted UE")

// UE is a scripted UE: it answers the AMF's downlink NAS like a correct UE
// unless a knob says otherwise. Not safe for concurrent use.
type UE struct {
	Sub  Subscriber
	PLMN ident.PLMN
	SNN  string
	Cap  nasx.UESecurityCapability
	SQN  aka.SQNArray

	// Knobs.
	WrongRES       bool // answer AUTHENTICATION REQUEST with a wrong RES*
	NoContainer    bool // leave the NAS message container out of SECURITY MODE COMPLETE
	RequestedNSSAI []nasx.SNSSAI

	Sec     nassec.Context
	KAMF    aka.Key256
	KSI     uint8
	GUTI    nasx.GUTI
	HasGUTI bool

	// Seen lists the names of the downlink messages received, in order.
	Seen []string
	// Rejected is the cause of the last REGISTRATION REJECT (0 none);
	// AuthRejected is set by AUTHENTICATION REJECT.
	Rejected     uint8
	AuthRejected bool
	Registered   bool
	Deregistered bool
	DeregCause   uint8

	pendingKAMF aka.Key256
	initial     []byte
	dlProtected bool
}

// answer encodes an uplink answer, protected (type 2) when the downlink
// message was protected and the UE has a context.
func (u *UE) answer(m nasx.Msg, name string) ([]byte, string, error) {
	b, err := m.Build()
	if err != nil || !u.dlProtected || !u.Sec.Valid() {
		return b, name, err
	}
	b, err = u.Sec.Protect(b, nassec.HdrIntegrityCiphered)
	return b, name, err
}

// NewUE returns a UE holding sub's credential in PLMN plmn, with 5G-EA0..3
// and 5G-IA0..3.
func NewUE(sub Subscriber, plmn ident.PLMN) *UE {
	return &UE{Sub: sub, PLMN: plmn, SNN: plmn.ServingNetworkName(), Cap: nasx.NewUESecurityCapability(0xf0, 0xf0)}
}

// SUCI returns the null-scheme SUCI of the UE as 5GS mobile identity contents.
func (u *UE) SUCI() ([]byte, error) {
	s, err := suci.Conceal(u.Sub.SUPI, suci.Params{Scheme: ident.SchemeNull, MNCLength: len(u.PLMN.MNC)}, nil)
	if err != nil {
		return nil, err
	}
	return s.MarshalNAS()
}

// InitialRegistration returns a plain REGISTRATION REQUEST (initial, SUCI,
// ngKSI 7) and remembers it for SECURITY MODE COMPLETE.
func (u *UE) InitialRegistration() ([]byte, error) {
	mi, err := u.SUCI()
	if err != nil {
		return nil, err
	}
	b, err := (&nasx.RegistrationRequest{RegistrationType: nasx.RegistrationInitial, FollowOnRequest: true,
		NgKSI: nasx.NgKSI{KSI: nasx.KSINoKey}, MobileIdentity: mi, UESecurityCapability: u.Cap,
		RequestedNSSAI: u.RequestedNSSAI}).Build()
	if err != nil {
		return nil, err
	}
	u.initial = b
	u.Seen, u.Rejected, u.AuthRejected, u.Registered = nil, 0, false, false
	return b, nil
}

// GUTIRegistration returns a mobility REGISTRATION REQUEST with the 5G-GUTI,
// integrity protected with the current context (security header type 1, TS
// 24.501 §4.4.6).
func (u *UE) GUTIRegistration() ([]byte, error) {
	if !u.HasGUTI {
		return nil, fmt.Errorf("%w: no 5G-GUTI", ErrUE)
	}
	b, err := (&nasx.RegistrationRequest{RegistrationType: nasx.RegistrationMobility,
		NgKSI: nasx.NgKSI{KSI: u.KSI}, MobileIdentity: u.GUTI.MobileIdentity(), UESecurityCapability: u.Cap}).Build()
	if err != nil {
		return nil, err
	}
	u.initial = b
	u.Seen, u.Rejected, u.AuthRejected, u.Registered = nil, 0, false, false
	if !u.Sec.Valid() {
		return b, nil
	}
	return u.Sec.Protect(b, nassec.HdrIntegrity)
}

// Deregistration returns DEREGISTRATION REQUEST (UE originating); protected
// (type 2, or type 1 when initial) when the UE has a context.
func (u *UE) Deregistration(switchOff, initial bool) ([]byte, error) {
	mi := u.GUTI.MobileIdentity()
	if !u.HasGUTI {
		var err error
		if mi, err = u.SUCI(); err != nil {
			return nil, err
		}
	}
	b, err := (&nasx.DeregistrationRequestUEOriginating{SwitchOff: switchOff, AccessType: nasx.Access3GPP,
		NgKSI: nasx.NgKSI{KSI: u.KSI}, MobileIdentity: mi}).Build()
	if err != nil {
		return nil, err
	}
	if !u.Sec.Valid() {
		return b, nil
	}
	if initial {
		return u.Sec.Protect(b, nassec.HdrIntegrity)
	}
	return u.Sec.Protect(b, nassec.HdrIntegrityCiphered)
}

// Protect protects plain with the current context (type 2).
func (u *UE) Protect(plain []byte) ([]byte, error) {
	return u.Sec.Protect(plain, nassec.HdrIntegrityCiphered)
}

// Respond processes one downlink NAS PDU and returns the uplink answer (nil
// when none) and the downlink message name.
func (u *UE) Respond(dl []byte) ([]byte, string, error) {
	h, err := nasx.PeekHeader(dl)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrUE, err)
	}
	plain := dl
	u.dlProtected = h.Protected()
	switch {
	case h.SecurityHeaderType == nasx.SecHdrIntegrityNewCtx:
		return u.securityModeCommand(dl)
	case h.Protected():
		if plain, _, err = u.Sec.Unprotect(dl); err != nil {
			return nil, "", fmt.Errorf("%w: %w", ErrUE, err)
		}
	}
	msg, err := nasx.Parse(plain)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrUE, err)
	}
	name := msg.MessageType().String()
	u.Seen = append(u.Seen, name)
	var ul nasx.Msg
	switch m := msg.(type) {
	case *nasx.AuthenticationRequest:
		return u.authenticationRequest(m, name)
	case *nasx.IdentityRequest:
		mi, err := u.SUCI()
		if err != nil {
			return nil, name, err
		}
		ul = &nasx.IdentityResponse{MobileIdentity: mi}
	case *nasx.RegistrationAccept:
		g, err := nasx.ParseGUTI(m.GUTI)
		if err != nil {
			return nil, name, fmt.Errorf("%w: accept without 5G-GUTI: %w", ErrUE, err)
		}
		u.GUTI, u.HasGUTI, u.Registered = g, true, true
		return u.protected(&nasx.RegistrationComplete{}, name)
	case *nasx.RegistrationReject:
		u.Rejected = m.Cause
		return nil, name, nil
	case *nasx.AuthenticationReject:
		u.AuthRejected = true
		return nil, name, nil
	case *nasx.DeregistrationRequestUETerminated:
		u.Deregistered, u.Registered = true, false
		if m.Cause != nil {
			u.DeregCause = *m.Cause
		}
		return u.protected(&nasx.DeregistrationAcceptUETerminated{}, name)
	default:
		return nil, name, nil
	}
	return u.answer(ul, name)
}

func (u *UE) protected(m nasx.Msg, name string) ([]byte, string, error) {
	b, err := m.Build()
	if err != nil {
		return nil, name, err
	}
	b, err = u.Sec.Protect(b, nassec.HdrIntegrityCiphered)
	return b, name, err
}

func (u *UE) authenticationRequest(m *nasx.AuthenticationRequest, name string) ([]byte, string, error) {
	r, err := aka.CheckAUTN(u.Sub.K[:], u.Sub.OPc[:], m.RAND, m.AUTN)
	switch {
	case errors.Is(err, aka.ErrMACFailure):
		return u.answer(&nasx.AuthenticationFailure{Cause: nasx.CauseMACFailure}, name)
	case errors.Is(err, aka.ErrAMFSeparation):
		return u.answer(&nasx.AuthenticationFailure{Cause: nasx.CauseNon5GAuthenticationUnacceptable}, name)
	case err != nil:
		return nil, name, err
	}
	if err := u.SQN.Check(r.SQN); err != nil {
		auts, err := aka.BuildAUTS(u.Sub.K[:], u.Sub.OPc[:], m.RAND, u.SQN.Highest())
		if err != nil {
			return nil, name, err
		}
		return u.answer(&nasx.AuthenticationFailure{Cause: nasx.CauseSynchFailure, AUTS: auts[:]}, name)
	}
	u.SQN.Accept(r.SQN)
	var rnd [16]byte
	copy(rnd[:], m.RAND)
	var sx [aka.AKLen]byte
	copy(sx[:], m.AUTN[:aka.AKLen])
	ch, err := aka.DeriveChain(aka.ChainInput{CK: r.CK, IK: r.IK, RAND: rnd, RES: r.RES[:], SQNxorAK: sx,
		SNN: u.SNN, SUPI: u.Sub.SUPI.String(), ABBA: m.ABBA, EncAlg: 0, IntAlg: 0})
	if err != nil {
		return nil, name, err
	}
	u.pendingKAMF = ch.KAMF
	u.KSI = m.NgKSI.KSI
	res := ch.RESStar
	if u.WrongRES {
		res[0] ^= 0xff
	}
	return u.answer(&nasx.AuthenticationResponse{RESStar: res[:]}, name)
}

func (u *UE) securityModeCommand(dl []byte) ([]byte, string, error) {
	const name = "SECURITY MODE COMMAND"
	_, inner, err := nassec.Split(dl)
	if err != nil {
		return nil, name, err
	}
	msg, err := nasx.Parse(inner)
	if err != nil {
		return nil, name, err
	}
	smc, ok := msg.(*nasx.SecurityModeCommand)
	if !ok {
		return nil, name, fmt.Errorf("%w: type 3 header on %s", ErrUE, msg.MessageType())
	}
	u.Seen = append(u.Seen, name)
	if !bytes.Equal(smc.ReplayedUESecurityCapability, u.Cap) {
		b, err := (&nasx.SecurityModeReject{Cause: nasx.CauseUESecurityCapabilitiesMismatch}).Build()
		return b, name, err
	}
	kEnc, kInt, err := aka.NASKeys(u.pendingKAMF, smc.Ciphering, smc.Integrity)
	if err != nil {
		return nil, name, err
	}
	ns, err := nassec.New(nassec.Config{Side: nassec.SideUE, KNASEnc: kEnc, KNASInt: kInt,
		Enc: nassec.CipheringAlg(smc.Ciphering), Int: nassec.IntegrityAlg(smc.Integrity)})
	if err != nil {
		return nil, name, err
	}
	if _, _, err := ns.Unprotect(dl); err != nil {
		return nil, name, fmt.Errorf("%w: SMC integrity: %w", ErrUE, err)
	}
	u.Sec, u.KAMF = ns, u.pendingKAMF
	cmp := &nasx.SecurityModeComplete{}
	if !u.NoContainer {
		cmp.NASMessageContainer = u.initial
	}
	b, err := cmp.Build()
	if err != nil {
		return nil, name, err
	}
	b, err = u.Sec.Protect(b, nassec.HdrIntegrityCipheredNew)
	return b, name, err
}
