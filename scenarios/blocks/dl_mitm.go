package blocks

import (
	"context"
	"crypto/ecdh"
	"fmt"
	"io"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue/dlink"
)

// DLMITMArgs are the arguments of dl_mitm.
type DLMITMArgs struct {
	// Target is the target device whose published bootstrap information
	// (the QR code: device id and bootstrap public key B_R) the attacker
	// knows. It does not know the bootstrap private key.
	Target scenarios.ActorRef `yaml:"target"`
}

// Validate requires the target.
func (a *DLMITMArgs) Validate() error {
	if a.Target == "" {
		return fmt.Errorf("target is required (the target device whose QR code the attacker read)")
	}
	return nil
}

// Ifaces is the direct link.
func (a *DLMITMArgs) Ifaces() []string { return []string{trace.IfaceDL} }

// mitmSession is what the relay keeps per transaction.
type mitmSession struct {
	pA    *ecdh.PrivateKey // the key the attacker put in the PD's place
	nonce []byte           // the I-nonce it sent the TD
	mx    []byte           // M' = p_A·B_R
	pI    *ecdh.PublicKey  // the PD's protocol key
	iCaps dlink.Capabilities
}

// DLMITM is the active man in the middle of the direct link (reference/3gpp.md
// §6.1 D2): a relay between PD and TD that substitutes its own ephemeral
// ECDH keys in both directions without holding either bootstrap private
// key. Towards the TD it replaces the PD's protocol key P_I by its own and
// re-wraps the request under its own k1 (B_R is public); the TD's answer
// gives it a session key with the TD (DPP responder-only authentication
// does not authenticate the initiator). Towards the PD it answers with its
// own responder key, the best forgery possible without b_R: k2 is right,
// but the I-nonce (wrapped under k1 = KDF(p_I·B_R)) and R-auth (under ke,
// which needs M = p_I·B_R) can only be guessed, so a secure PD aborts with
// AUTH_FAILURE before releasing anything. Every other frame is relayed as
// is; a baseline PlainCredential crosses in clear and the relay says so.
func DLMITM() *scenarios.Block {
	return scenarios.NewCapability("dl_mitm", AttackSpec(
		"active relay on the direct link that substitutes its own ECDH protocol keys (no bootstrap private key)",
	), func(_ context.Context, st *scenarios.State, actor string, a *DLMITMArgs) (any, error) {
		td, err := TDOf(st, string(a.Target))
		if err != nil {
			return nil, err
		}
		bs := td.Bootstrap()
		tdAddr := td.DirectLinkAddr()
		rnd := newSeededReader(st)
		rep := NewReporter(st, trace.KindAttack, actor, "dl_mitm")
		sessions := map[uint32]*mitmSession{}
		relay := newDLRelay(dlMedium(st).MTU, func(p transport.Packet, frame []byte) ([]byte, bool) {
			switch f := dlFrameOf(frame).(type) {
			case dlink.AuthRequest:
				if p.To != tdAddr {
					return nil, false
				}
				out, s, err := mitmRequest(rnd, bs, f)
				if err != nil {
					rep.Note("cannot substitute the initiator key: " + err.Error())
					return nil, false
				}
				sessions[f.TxID] = s
				rep.Act(p, "substituted the PD's protocol key P_I by the attacker's and re-wrapped the AuthRequest under its own k1")
				return out, true
			case dlink.AuthResponse:
				s := sessions[f.TxID]
				if p.From != tdAddr || s == nil || f.Status != dlink.StatusOK {
					return nil, false
				}
				if err := mitmTDSide(s, f); err == nil {
					rep.Note("the attacker shares a session key with the TD (it accepted the substituted initiator key)")
				}
				out, err := mitmForgeResponse(rnd, bs, s, f)
				if err != nil {
					rep.Note("cannot forge the AuthResponse: " + err.Error())
					return nil, false
				}
				rep.Act(p, "substituted the TD's protocol key P_R by the attacker's in a forged AuthResponse (I-nonce and R-auth guessed: b_R unknown)")
				return out, true
			case dlink.PlainCredential:
				rep.Act(p, "relayed a plaintext credential: no key to substitute, the content is readable")
			}
			return nil, false
		})
		return Install(st, "dl_mitm", rep, relay.intercept), nil
	})
}

// mitmRequest re-keys the PD's AuthRequest for the TD: P_A instead of P_I,
// a fresh I-nonce, wrapped under k1' = KDF((p_A·B_R).x).
func mitmRequest(rnd io.Reader, bs credential.Bootstrap, f dlink.AuthRequest) ([]byte, *mitmSession, error) {
	pI, err := ecdh.P256().NewPublicKey(f.IProtoKey)
	if err != nil {
		return nil, nil, err
	}
	pA, err := credential.GenerateKey(rnd)
	if err != nil {
		return nil, nil, err
	}
	mx, err := pA.ECDH(bs.Key)
	if err != nil {
		return nil, nil, err
	}
	k1, err := dlink.DeriveK1(mx)
	if err != nil {
		return nil, nil, err
	}
	defer clear(k1)
	nonce := make([]byte, dlink.NonceSize)
	if _, err := io.ReadFull(rnd, nonce); err != nil {
		return nil, nil, err
	}
	req := dlink.AuthRequest{TxID: f.TxID, RHash: f.RHash, IHash: f.IHash, IProtoKey: pA.PublicKey().Bytes(), ICaps: f.ICaps}
	req.Wrapped, err = dlink.Wrap(k1, dlink.CipherAES256GCM, dlink.TypeAuthRequest, 0, dlink.WrapAAD(req),
		[]dlink.Attr{{ID: dlink.AttrINonce, Value: nonce}})
	if err != nil {
		return nil, nil, err
	}
	out, err := dlink.Marshal(req)
	if err != nil {
		return nil, nil, err
	}
	return out, &mitmSession{pA: pA, nonce: nonce, mx: mx, pI: pI, iCaps: f.ICaps}, nil
}

// mitmTDSide opens the TD's answer to the substituted request: the attacker
// derives N', k2' and the R-nonce, i.e. the TD's session key (responder-only
// authentication does not authenticate the initiator).
func mitmTDSide(s *mitmSession, f dlink.AuthResponse) error {
	pR, err := ecdh.P256().NewPublicKey(f.RProtoKey)
	if err != nil {
		return err
	}
	nx, err := s.pA.ECDH(pR)
	if err != nil {
		return err
	}
	defer clear(nx)
	k2, err := dlink.DeriveK2(nx)
	if err != nil {
		return err
	}
	defer clear(k2)
	_, err = dlink.Unwrap(k2, dlink.CipherAES256GCM, dlink.TypeAuthResponse, 0, dlink.WrapAAD(f), f.Wrapped)
	return err
}

// mitmForgeResponse answers the PD with the attacker's responder key P_A2:
// its k2 = KDF((p_A2·P_I).x) is right, but the PD's I-nonce and M = p_I·B_R
// are out of reach, so the echoed I-nonce and the R-auth under ke are
// guesses.
func mitmForgeResponse(rnd io.Reader, bs credential.Bootstrap, s *mitmSession, f dlink.AuthResponse) ([]byte, error) {
	pA2, err := credential.GenerateKey(rnd)
	if err != nil {
		return nil, err
	}
	nx, err := pA2.ECDH(s.pI)
	if err != nil {
		return nil, err
	}
	defer clear(nx)
	k2, err := dlink.DeriveK2(nx)
	if err != nil {
		return nil, err
	}
	defer clear(k2)
	rNonce := make([]byte, dlink.NonceSize)
	if _, err := io.ReadFull(rnd, rNonce); err != nil {
		return nil, err
	}
	guessedINonce := s.nonce // the nonce the attacker made up: the PD's own is under k1
	ke, err := dlink.DeriveKe(guessedINonce, rNonce, s.mx, nx, nil)
	if err != nil {
		return nil, err
	}
	defer clear(ke)
	caps := dlink.CapsTranscript(s.iCaps, f.RCaps)
	ra := dlink.RAuth(guessedINonce, rNonce, s.pI, pA2.PublicKey(), bs.Key, nil, caps)
	suite, ok := dlink.Negotiate(s.iCaps, f.RCaps)
	if !ok {
		suite.Cipher = dlink.CipherAES256GCM
	}
	inner, err := dlink.Wrap(ke, suite.Cipher, dlink.TypeAuthResponse, 1,
		dlink.WrapAAD(dlink.Raw{Header: dlink.Header{Type: dlink.TypeAuthResponse, TxID: f.TxID}}),
		[]dlink.Attr{{ID: dlink.AttrRAuth, Value: ra[:]}})
	if err != nil {
		return nil, err
	}
	resp := dlink.AuthResponse{TxID: f.TxID, Status: dlink.StatusOK, RHash: f.RHash, IHash: f.IHash,
		RProtoKey: pA2.PublicKey().Bytes(), RCaps: f.RCaps}
	resp.Wrapped, err = dlink.Wrap(k2, dlink.CipherAES256GCM, dlink.TypeAuthResponse, 0, dlink.WrapAAD(resp),
		[]dlink.Attr{{ID: dlink.AttrRNonce, Value: rNonce}, {ID: dlink.AttrINonce, Value: guessedINonce},
			{ID: dlink.AttrWrappedData, Value: inner}})
	if err != nil {
		return nil, err
	}
	return dlink.Marshal(resp)
}
