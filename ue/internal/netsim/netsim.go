package netsim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/suci"
	"github.com/credbed/credbed/ue/usim"
)

// Network is one subscriber's view of the network (AMF+AUSF+UDM in one).
type Network struct {
	SUPI     ident.SUPI
	PLMN     ident.PLMN
	K, OPc   aka.Key128
	SQN      aka.SQN // SQN_HE: the last SQN used
	Ring     suci.KeyRing
	Rand     io.Reader
	Sec      nassec.Context // network side, current
	KSI      uint8
	KAMF     aka.Key256
	UECaps   nasx.UESecurityCapability // as received in the last REGISTRATION REQUEST
	GUTI     ident.GUTI
	LastRAND [aka.RANDLen]byte

	xresStar [16]byte
	newKAMF  aka.Key256
	nextKSI  uint8
	// Serve state.
	usedSUCI bool
	Seen     []nasx.MessageType // UL message types Serve got
	// Sessions: DNNs Serve accepts; the UE gets Addr (+1 per session).
	DNNs []string
	Addr netip.Addr
	// LastSM is the PDU session identity and 5GSM message type of the last
	// uplink 5GSM message Serve answered, and Accepted whether the answer
	// was PDU SESSION ESTABLISHMENT ACCEPT.
	LastSM struct {
		PSI      uint8
		Type     nasx.MessageType
		Accepted bool
	}
}

// New returns a network that knows c (and the home network keys in ring).
func New(c usim.Credential, ring suci.KeyRing, rand io.Reader) *Network {
	return &Network{SUPI: c.SUPI, PLMN: c.PLMN, K: c.K, OPc: c.OPc, SQN: c.SQN, Ring: ring, Rand: rand,
		KSI: nasx.KSINoKey, nextKSI: 0, DNNs: []string{"internet"}, Addr: netip.MustParseAddr("10.60.0.1"),
		GUTI: ident.GUTI{PLMN: c.PLMN, AMFRegionID: 1, AMFSetID: 1, AMFPointer: 1, TMSI: 0x1000}}
}

// SNN is the serving network name.
func (n *Network) SNN() string { return n.PLMN.ServingNetworkName() }

// AuthOptions change the AUTHENTICATION REQUEST.
type AuthOptions struct {
	AMF        *[2]byte // default aka.AMF5G
	SQN        *aka.SQN // default aka.NextSQN(n.SQN)
	CorruptMAC bool     // flip MAC-A
	KSI        *uint8   // default the next ngKSI
}

// AuthRequest builds a plain AUTHENTICATION REQUEST with a fresh vector and
// remembers XRES* and KAMF.
func (n *Network) AuthRequest(o AuthOptions) ([]byte, error) {
	var rnd [aka.RANDLen]byte
	if _, err := io.ReadFull(n.Rand, rnd[:]); err != nil {
		return nil, err
	}
	sqn := aka.NextSQN(n.SQN)
	if o.SQN != nil {
		sqn = *o.SQN
	} else {
		n.SQN = sqn
	}
	amf := aka.AMF5G
	if o.AMF != nil {
		amf = *o.AMF
	}
	v, err := aka.GenerateVector(n.K[:], n.OPc[:], rnd[:], sqn, amf)
	if err != nil {
		return nil, err
	}
	if o.CorruptMAC {
		v.AUTN[15] ^= 0xff
	}
	ksi := n.nextKSI
	if o.KSI != nil {
		ksi = *o.KSI
	}
	if ch, err := aka.DeriveChain(aka.ChainInput{CK: v.CK, IK: v.IK, RAND: rnd, RES: v.XRES[:], SQNxorAK: v.SQNxorAK(),
		SNN: n.SNN(), SUPI: n.SUPI.String(), EncAlg: 2, IntAlg: 2}); err == nil {
		n.xresStar, n.newKAMF = ch.RESStar, ch.KAMF
	} else {
		return nil, err
	}
	n.LastRAND = rnd
	n.nextKSI = ksi
	return (&nasx.AuthenticationRequest{NgKSI: nasx.NgKSI{KSI: ksi}, ABBA: aka.ABBAInitial, RAND: rnd[:], AUTN: v.AUTN[:]}).Build()
}

// CheckRESStar compares a RES* with XRES*.
func (n *Network) CheckRESStar(res []byte) error {
	if !bytes.Equal(res, n.xresStar[:]) {
		return errors.New("netsim: RES* mismatch")
	}
	return nil
}

// Resync verifies AUTS and sets SQN_HE (TS 33.102 §6.3.5).
func (n *Network) Resync(auts []byte) error {
	sqnMS, err := aka.CheckAUTS(n.K[:], n.OPc[:], n.LastRAND[:], auts)
	if err != nil {
		return err
	}
	n.SQN = sqnMS
	return nil
}

// SMCOptions change the SECURITY MODE COMMAND.
type SMCOptions struct {
	Enc      nassec.CipheringAlg // default NEA2 (when EncSet is false)
	Int      nassec.IntegrityAlg // default NIA2 (when IntSet is false)
	EncSet   bool
	IntSet   bool
	Replayed nasx.UESecurityCapability // default UECaps
	IMEISV   bool
	Corrupt  bool // corrupt the MAC
}

// SMC takes the KAMF of the last authentication into use (new context,
// COUNTs 0) and builds the SECURITY MODE COMMAND (header type 3).
func (n *Network) SMC(o SMCOptions) ([]byte, error) {
	enc, integ := nassec.NEA2, nassec.NIA2
	if o.EncSet {
		enc = o.Enc
	}
	if o.IntSet {
		integ = o.Int
	}
	kEnc, kInt, err := aka.NASKeys(n.newKAMF, uint8(enc), uint8(integ))
	if err != nil {
		return nil, err
	}
	n.Sec, err = nassec.New(nassec.Config{Side: nassec.SideNetwork, KNASEnc: kEnc, KNASInt: kInt, Enc: enc, Int: integ})
	if err != nil {
		return nil, err
	}
	n.KAMF, n.KSI = n.newKAMF, n.nextKSI
	n.nextKSI = (n.nextKSI + 1) % 7
	rep := o.Replayed
	if rep == nil {
		rep = n.UECaps
	}
	plain, err := (&nasx.SecurityModeCommand{Ciphering: uint8(enc), Integrity: uint8(integ), NgKSI: nasx.NgKSI{KSI: n.KSI},
		ReplayedUESecurityCapability: rep, IMEISVRequest: o.IMEISV}).Build()
	if err != nil {
		return nil, err
	}
	return n.Sec.ProtectWith(plain, nassec.HdrIntegrityNew, nassec.Options{CorruptMAC: o.Corrupt})
}

// Protect builds msg and protects it with the current context (hdr 0 = plain).
func (n *Network) Protect(msg nasx.Msg, hdr uint8) ([]byte, error) {
	plain, err := msg.Build()
	if err != nil {
		return nil, err
	}
	if hdr == nasx.SecHdrPlain {
		return plain, nil
	}
	return n.Sec.Protect(plain, hdr)
}

// Accept builds a protected REGISTRATION ACCEPT with the network's GUTI.
func (n *Network) Accept() ([]byte, error) {
	mi, err := n.GUTI.MarshalNAS()
	if err != nil {
		return nil, err
	}
	t := nasx.NewGPRSTimer3(54 * time.Minute)
	return n.Protect(&nasx.RegistrationAccept{Result: nasx.RegistrationResult3GPP, GUTI: mi, T3512: &t}, nasx.SecHdrIntegrityCiphered)
}

// Open verifies (when protected) and parses an uplink PDU.
func (n *Network) Open(ul []byte) (nasx.Msg, uint8, error) {
	h, err := nasx.PeekHeader(ul)
	if err != nil {
		return nil, 0, err
	}
	plain := ul
	if h.Protected() {
		if plain, _, err = n.Sec.Unprotect(ul); err != nil {
			return nil, h.SecurityHeaderType, err
		}
	}
	m, err := nasx.Parse(plain)
	return m, h.SecurityHeaderType, err
}

// Serve is an automatic AMF for the happy paths: it answers each uplink PDU
// with the downlink PDUs a conforming network sends (registration with SUCI
// or GUTI, resynchronisation, identity, de-registration, PDU session
// establishment).
func (n *Network) Serve(ul []byte) ([][]byte, error) {
	m, hdr, err := n.Open(ul)
	if err != nil {
		return nil, err
	}
	n.Seen = append(n.Seen, m.MessageType())
	one := func(b []byte, err error) ([][]byte, error) {
		if err != nil {
			return nil, err
		}
		return [][]byte{b}, nil
	}
	switch v := m.(type) {
	case *nasx.RegistrationRequest:
		n.UECaps = v.UESecurityCapability
		switch nasx.IdentityType(v.MobileIdentity) {
		case nasx.IdentitySUCI:
			supi, err := suci.DeconcealNAS(v.MobileIdentity, n.Ring)
			if err != nil {
				return nil, err
			}
			if supi != n.SUPI {
				return nil, fmt.Errorf("netsim: SUCI of %s, want %s", supi, n.SUPI)
			}
			n.usedSUCI = true
			return one(n.AuthRequest(AuthOptions{}))
		case nasx.IdentityGUTI:
			if hdr != nasx.SecHdrIntegrity {
				return nil, fmt.Errorf("netsim: GUTI registration with header type %d", hdr)
			}
			g, err := ident.ParseGUTINAS(v.MobileIdentity)
			if err != nil || g != n.GUTI {
				return nil, fmt.Errorf("netsim: unknown GUTI")
			}
			n.GUTI.TMSI++
			return one(n.Accept())
		}
		return nil, errors.New("netsim: registration without SUCI or GUTI")
	case *nasx.AuthenticationResponse:
		if err := n.CheckRESStar(v.RESStar); err != nil {
			return one((&nasx.AuthenticationReject{}).Build())
		}
		return one(n.SMC(SMCOptions{}))
	case *nasx.AuthenticationFailure:
		if v.Cause == nasx.CauseSynchFailure {
			if err := n.Resync(v.AUTS); err != nil {
				return nil, err
			}
			return one(n.AuthRequest(AuthOptions{}))
		}
		return one((&nasx.AuthenticationReject{}).Build())
	case *nasx.SecurityModeComplete:
		if hdr != nasx.SecHdrIntegrityCipheredNewCtx {
			return nil, fmt.Errorf("netsim: SECURITY MODE COMPLETE with header type %d", hdr)
		}
		if v.NASMessageContainer == nil {
			return nil, errors.New("netsim: SECURITY MODE COMPLETE without NAS message container")
		}
		n.GUTI.TMSI++
		return one(n.Accept())
	case *nasx.IdentityResponse:
		return one(n.AuthRequest(AuthOptions{}))
	case *nasx.RegistrationComplete, *nasx.SecurityModeReject, *nasx.Status5GMM, *nasx.DeregistrationAcceptUETerminated:
		return nil, nil
	case *nasx.DeregistrationRequestUEOriginating:
		if v.SwitchOff {
			return nil, nil
		}
		return one(n.Protect(&nasx.DeregistrationAcceptUEOriginating{}, nasx.SecHdrIntegrityCiphered))
	case *nasx.ULNASTransport:
		return n.serveSM(v)
	}
	return nil, fmt.Errorf("netsim: unexpected %s", m.MessageType())
}

func (n *Network) serveSM(t *nasx.ULNASTransport) ([][]byte, error) {
	gsm, err := nasx.ParseGSM(t.Payload)
	if err != nil {
		return nil, err
	}
	h := gsm.GSM()
	n.LastSM.PSI, n.LastSM.Type, n.LastSM.Accepted = h.PDUSessionID, gsm.MessageType(), false
	var reply nasx.Msg
	switch gsm.(type) {
	case *nasx.PDUSessionEstablishmentRequest:
		ok := false
		for _, d := range n.DNNs {
			ok = ok || d == t.DNN
		}
		if !ok {
			reply = &nasx.PDUSessionEstablishmentReject{GSMHeader: h, Cause: nasx.GSMCauseMissingOrUnknownDNN}
			break
		}
		addr := n.Addr
		n.Addr = n.Addr.Next()
		n.LastSM.Accepted = true
		reply = &nasx.PDUSessionEstablishmentAccept{GSMHeader: h, PDUSessionType: nasx.PDUSessionIPv4, SSCMode: nasx.SSCMode1,
			QoSRules: nasx.DefaultQoSRules(1), SessionAMBR: nasx.SessionAMBR{DLUnit: nasx.AMBRUnit1Mbps, DL: 100, ULUnit: nasx.AMBRUnit1Mbps, UL: 100},
			PDUAddress: addr, DNN: t.DNN, SNSSAI: t.SNSSAI}
	case *nasx.PDUSessionReleaseRequest:
		reply = &nasx.PDUSessionReleaseCommand{GSMHeader: h, Cause: nasx.GSMCauseRegularDeactivation}
	case *nasx.PDUSessionReleaseComplete:
		return nil, nil
	default:
		return nil, fmt.Errorf("netsim: unexpected 5GSM %s", gsm.MessageType())
	}
	p, err := reply.Build()
	if err != nil {
		return nil, err
	}
	b, err := n.Protect(&nasx.DLNASTransport{PayloadContainerType: nasx.PayloadN1SM, Payload: p, PDUSessionID: h.PDUSessionID}, nasx.SecHdrIntegrityCiphered)
	if err != nil {
		return nil, err
	}
	return [][]byte{b}, nil
}

// NewCredential draws a test credential from r: IMSI 001-01-0000000001 (or
// msin), K and OPc from r, and for Profiles A and B a home network key pair
// (key id 1) whose private half goes into the returned ring.
func NewCredential(r io.Reader, scheme ident.ProtectionScheme, msin string) (usim.Credential, suci.KeyRing, error) {
	plmn, err := ident.NewPLMN("001", "01")
	if err != nil {
		return usim.Credential{}, nil, err
	}
	if msin == "" {
		msin = "0000000001"
	}
	supi, err := ident.NewIMSI(plmn, msin)
	if err != nil {
		return usim.Credential{}, nil, err
	}
	c := usim.Credential{SUPI: supi, PLMN: plmn, RoutingIndicator: "0", AMF: aka.AMF5G, Scheme: scheme}
	if _, err := io.ReadFull(r, c.K[:]); err != nil {
		return usim.Credential{}, nil, err
	}
	if _, err := io.ReadFull(r, c.OPc[:]); err != nil {
		return usim.Credential{}, nil, err
	}
	ring := suci.KeyRing{}
	if scheme != ident.SchemeNull {
		priv, err := suci.GenerateKey(scheme, r)
		if err != nil {
			return usim.Credential{}, nil, err
		}
		if err := ring.Add(1, priv); err != nil {
			return usim.Credential{}, nil, err
		}
		c.HNKey, c.HNKeyID = priv.Public(), 1
	}
	return c, ring, nil
}
