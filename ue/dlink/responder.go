package dlink

import (
	"bytes"
	"crypto/ecdh"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/trace"
)

// DefaultSessionTimeout bounds how long the TD keeps an unfinished session.
const DefaultSessionTimeout = 5 * time.Second

// ResponderConfig configures the target device side.
type ResponderConfig struct {
	// Variant is Secure (default) or Baseline.
	Variant Variant
	// Identity is the TD's factory identity (device id and bootstrap key pair).
	Identity credential.Identity
	// Initiators are trusted PD bootstrap public keys. When set, the TD
	// requires mutual authentication with one of them (DPP L) and drops
	// AuthRequests from others; when empty it runs DPP's responder-only
	// authentication (anyone who knows its bootstrap public key may
	// provision it: keep the QR code private).
	Initiators []*ecdh.PublicKey
	// Capabilities offered; default DefaultCapabilities(RoleEnrollee).
	Capabilities Capabilities
	// RateLimit bounds handshake attempts (defaults: see RateLimit).
	RateLimit RateLimit
	// SessionTimeout bounds an unfinished session; default DefaultSessionTimeout.
	SessionTimeout time.Duration
	// AllowReprovision lets a provisioned TD accept another credential
	// (secure: still authenticated, counter-checked and atomic). Default
	// false: a provisioned TD refuses until FactoryReset (threat D9). The
	// baseline variant always reprovisions.
	AllowReprovision bool
	// Installed and Counter restore persisted state: the installed
	// credential and the highest binding counter ever installed.
	Installed *credential.Package
	Counter   uint64
	// Actor names the machine in trace events; default "td/<device id>".
	Actor string
}

// Validate checks the configuration and fills defaults.
func (c *ResponderConfig) Validate() error {
	if c.Variant == 0 {
		c.Variant = Secure
	}
	if c.Variant != Secure && c.Variant != Baseline {
		return fmt.Errorf("dlink: unknown variant %d", c.Variant)
	}
	if err := credential.ValidateDeviceID(c.Identity.DeviceID); err != nil {
		return fmt.Errorf("dlink: responder identity: %w", err)
	}
	if c.Identity.Key == nil || c.Identity.Key.Curve() != ecdh.P256() {
		return fmt.Errorf("dlink: responder identity: want a P-256 key")
	}
	for k, pk := range c.Initiators {
		if pk == nil || pk.Curve() != ecdh.P256() {
			return fmt.Errorf("dlink: responder initiator key %d: want P-256", k)
		}
	}
	if c.Capabilities.Role == 0 && c.Capabilities.Versions == nil && c.Capabilities.Curves == nil && c.Capabilities.Ciphers == nil {
		c.Capabilities = DefaultCapabilities(RoleEnrollee)
	}
	if _, err := c.Capabilities.MarshalBinary(); err != nil {
		return err
	}
	c.RateLimit.fill()
	if c.SessionTimeout <= 0 {
		c.SessionTimeout = DefaultSessionTimeout
	}
	if c.Installed != nil {
		if err := c.Installed.Validate(); err != nil {
			return fmt.Errorf("dlink: responder installed credential: %w", err)
		}
		c.Counter = max(c.Counter, c.Installed.Binding.Counter)
	}
	if c.Actor == "" {
		c.Actor = "td/" + c.Identity.DeviceID
	}
	return nil
}

// Responder is the TD side of the direct-link protocol: it holds the
// bootstrap private key and the credential slot. Not safe for concurrent
// use; a driver serialises calls.
type Responder struct {
	cfg     ResponderConfig
	rand    io.Reader
	clk     clock.Clock
	state   State
	hash    [HashSize]byte
	trusted []trustedKey
	limit   limiter

	slot    *credential.Package
	counter uint64

	sess    *session
	lastIn  []byte
	lastOut [][]byte
}

type trustedKey struct {
	hash [HashSize]byte
	key  *ecdh.PublicKey
}

type session struct {
	tx     uint32
	iHash  []byte
	bI     *ecdh.PublicKey
	pI     *ecdh.PublicKey
	pR     *ecdh.PrivateKey
	iNonce []byte
	rNonce []byte
	eNonce []byte
	ke     []byte
	suite  Suite
	caps   []byte
}

// NewResponder validates cfg and returns a responder, Unprovisioned unless
// cfg.Installed restores a credential.
func NewResponder(cfg ResponderConfig, deps Deps) (*Responder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Rand == nil || deps.Clock == nil {
		return nil, errors.New("dlink: responder needs a random source and a clock")
	}
	t := &Responder{cfg: cfg, rand: deps.Rand, clk: deps.Clock, state: StateUnprovisioned,
		hash: credential.KeyHash(cfg.Identity.Key.PublicKey()), limit: newLimiter(cfg.RateLimit), counter: cfg.Counter}
	for _, k := range cfg.Initiators {
		t.trusted = append(t.trusted, trustedKey{hash: credential.KeyHash(k), key: k})
	}
	if cfg.Installed != nil {
		p := cfg.Installed.Clone()
		t.slot, t.state = &p, StateProvisioned
	}
	return t, nil
}

// State returns the current state.
func (t *Responder) State() State { return t.state }

// Provisioned reports whether a credential is installed.
func (t *Responder) Provisioned() bool { return t.slot != nil }

// Credential returns a copy of the installed credential.
func (t *Responder) Credential() (credential.Package, bool) {
	if t.slot == nil {
		return credential.Package{}, false
	}
	return t.slot.Clone(), true
}

// Counter returns the highest binding counter ever installed (kept across
// factory resets, so an old package cannot be rolled back in, threat D5).
func (t *Responder) Counter() uint64 { return t.counter }

// FactoryReset wipes the credential slot and any session; the counter
// high-water mark and the bootstrap identity survive (DESIGN, 3gpp.md L3).
func (t *Responder) FactoryReset() Output {
	r := &recorder{actor: t.cfg.Actor}
	if t.slot != nil {
		t.slot.Wipe()
		t.slot = nil
		r.key(EvKeyInstall, "wiped")
	}
	t.endSession()
	t.lastIn, t.lastOut = nil, nil
	t.limit.reset()
	r.state(t.state, StateUnprovisioned)
	t.state = StateUnprovisioned
	r.timer(TimerStop, 0)
	return r.out
}

// Receive processes a frame from a PD (or from anyone on the link).
func (t *Responder) Receive(b []byte) Output {
	r := &recorder{actor: t.cfg.Actor}
	if t.lastIn != nil && bytes.Equal(b, t.lastIn) {
		// A retransmission (our answer was lost): answer again, no work.
		r.drop("frame", DropDuplicate, "answered from cache")
		for _, f := range t.lastOut {
			if h, err := ParseHeader(f); err == nil {
				r.send(f, h.Type)
			}
		}
		return r.out
	}
	f, ok := r.decode(b)
	if !ok {
		return r.out
	}
	if t.cfg.Variant == Baseline {
		t.receiveBaseline(r, f)
	} else {
		t.receiveSecure(r, f)
	}
	if len(r.out.Frames) > 0 {
		t.lastIn = append(t.lastIn[:0], b...)
		t.lastOut = r.out.Frames
	}
	return r.out
}

// Timeout ends an unfinished session.
func (t *Responder) Timeout() Output {
	r := &recorder{actor: t.cfg.Actor}
	if t.sess == nil {
		return r.out
	}
	t.endSessionWith(r, Result{Status: StatusTimeout, Reason: "session timed out in " + t.state.String()})
	return r.out
}

func (t *Responder) receiveBaseline(r *recorder, f Frame) {
	pc, ok := f.(PlainCredential)
	if !ok {
		r.reject(f.FrameType(), StatusNotCompatible, "baseline device speaks PlainCredential only")
		t.reply(r, StatusFrame{TxID: f.Transaction(), Status: StatusNotCompatible, Reason: "baseline"})
		return
	}
	// The naive device: no authentication, no binding, counter or expiry
	// checks, reprovisioning allowed. Only an undecodable package fails.
	pkg, err := credential.ParsePackage(pc.Package)
	if err != nil {
		r.reject(TypePlainCredential, StatusConfigureFailure, err.Error())
		t.reply(r, StatusFrame{TxID: pc.TxID, Status: StatusConfigureFailure, Reason: "undecodable package"})
		r.result(Result{Status: StatusConfigureFailure, Reason: "undecodable package"})
		return
	}
	t.install(r, pkg)
	t.reply(r, StatusFrame{TxID: pc.TxID, Status: StatusOK})
	r.result(Result{Status: StatusOK, Binding: pkg.Binding, SUPI: pkg.SUPI})
}

func (t *Responder) receiveSecure(r *recorder, f Frame) {
	switch fr := f.(type) {
	case AuthRequest:
		t.onAuthRequest(r, fr)
		return
	case PlainCredential:
		// Reference: 3gpp.md §6.1 D8 (force "no-encryption"): refused.
		r.reject(TypePlainCredential, StatusNotCompatible, "plaintext credential refused")
		t.reply(r, StatusFrame{TxID: fr.TxID, Status: StatusNotCompatible, Reason: "plaintext credential refused"})
		return
	}
	if t.sess == nil || f.Transaction() != t.sess.tx {
		r.drop(f.FrameType().String(), DropWrongTransaction, "no session with this transaction id")
		return
	}
	switch fr := f.(type) {
	case AuthConfirm:
		if t.state == StateAwaitConfirm {
			t.onAuthConfirm(r, fr)
			return
		}
	case CredentialDelivery:
		if t.state == StateAwaitDelivery {
			t.onDelivery(r, fr)
			return
		}
	case StatusFrame:
		if fr.Status != StatusOK {
			r.reject(TypeStatus, fr.Status, fr.Reason)
			t.endSessionWith(r, Result{Status: fr.Status, Reason: "initiator aborted: " + fr.Reason})
			return
		}
	}
	r.drop(f.FrameType().String(), DropUnexpected, "in state "+t.state.String())
}

func (t *Responder) onAuthRequest(r *recorder, f AuthRequest) {
	// Reference: 3gpp.md §6.6 S3 (cheap checks before ECDH), DPP §6.3.3.
	if subtle.ConstantTimeCompare(f.RHash[:], t.hash[:]) != 1 {
		r.drop(TypeAuthRequest.String(), DropBootstrapHash, "not for this device")
		return
	}
	if t.slot != nil && !t.cfg.AllowReprovision {
		// Reference: 3gpp.md §6.1 D9 (ownership takeover refused).
		r.reject(TypeAuthRequest, StatusAlreadyProvisioned, "factory reset required")
		t.reply(r, StatusFrame{TxID: f.TxID, Status: StatusAlreadyProvisioned, Reason: "already provisioned"})
		return
	}
	var bI *ecdh.PublicKey
	if len(t.trusted) > 0 {
		for _, k := range t.trusted {
			if f.IHash != nil && subtle.ConstantTimeCompare(f.IHash, k.hash[:]) == 1 {
				bI = k.key
			}
		}
		if bI == nil {
			r.drop(TypeAuthRequest.String(), DropInitiatorUnknown, "mutual authentication required")
			return
		}
	}
	if !t.limit.allow(t.clk.Now()) {
		// Reference: 3gpp.md §6.1 D10 (rate limiting, no ECDH while locked out).
		r.reject(TypeAuthRequest, StatusRateLimited, "too many attempts")
		t.reply(r, StatusFrame{TxID: f.TxID, Status: StatusRateLimited, Reason: "too many attempts"})
		return
	}
	var echoIHash []byte
	if bI != nil {
		echoIHash = f.IHash
	}
	suite, ok := Negotiate(f.ICaps, t.cfg.Capabilities)
	if !ok {
		r.reject(TypeAuthRequest, StatusNotCompatible, "no common suite")
		t.reply(r, AuthResponse{TxID: f.TxID, Status: StatusNotCompatible, RHash: t.hash, IHash: echoIHash, RCaps: t.cfg.Capabilities})
		return
	}
	pI, err := ecdh.P256().NewPublicKey(f.IProtoKey)
	if err != nil {
		r.reject(TypeAuthRequest, StatusAuthFailure, "initiator protocol key is not a P-256 point")
		t.reply(r, StatusFrame{TxID: f.TxID, Status: StatusAuthFailure, Reason: "bad protocol key"})
		return
	}
	mx, err := t.cfg.Identity.Key.ECDH(pI)
	if err != nil {
		r.reject(TypeAuthRequest, StatusAuthFailure, "ECDH M failed")
		return
	}
	defer clear(mx)
	k1, err := DeriveK1(mx)
	if err != nil {
		r.reject(TypeAuthRequest, StatusAuthFailure, err.Error())
		return
	}
	defer clear(k1)
	r.key(EvKeyK1, "derived")
	v, err := unwrap(k1, CipherAES256GCM, TypeAuthRequest, 0, wrapAAD(TypeAuthRequest, f.TxID, f.Attrs()), f.Wrapped,
		[]spec{{id: AttrINonce, min: NonceSize, max: NonceSize}})
	if err != nil {
		// Reference: 3gpp.md §6.1 D7/D8 (tampered request or capabilities).
		r.reject(TypeAuthRequest, StatusUnwrapFailure, "AuthRequest: "+err.Error())
		t.reply(r, StatusFrame{TxID: f.TxID, Status: StatusUnwrapFailure, Reason: "unwrap failure"})
		return
	}
	s := &session{tx: f.TxID, iHash: echoIHash, bI: bI, pI: pI, iNonce: v[0], suite: suite,
		caps: CapsTranscript(f.ICaps, t.cfg.Capabilities)}
	resp, err := t.authResponse(r, s, mx)
	if err != nil {
		r.reject(TypeAuthRequest, StatusAuthFailure, err.Error())
		return
	}
	if t.sess != nil {
		r.ev(traceNote(EvPreempted, fmt.Sprintf("transaction %d replaced", t.sess.tx)))
		t.endSessionWith(r, Result{Status: StatusAuthFailure, Reason: "preempted by a new AuthRequest"})
	}
	t.sess = s
	t.reply(r, resp)
	t.enter(r, StateAwaitConfirm)
	r.timer(TimerSet, t.cfg.SessionTimeout)
}

// authResponse draws the responder's ephemeral key and nonce, derives k2 and
// ke and builds the AuthResponse.
func (t *Responder) authResponse(r *recorder, s *session, mx []byte) (AuthResponse, error) {
	var err error
	if s.pR, err = credential.GenerateKey(t.rand); err != nil {
		return AuthResponse{}, err
	}
	s.rNonce = make([]byte, NonceSize)
	if _, err = io.ReadFull(t.rand, s.rNonce); err != nil {
		return AuthResponse{}, err
	}
	nx, err := s.pR.ECDH(s.pI)
	if err != nil {
		return AuthResponse{}, err
	}
	defer clear(nx)
	k2, err := DeriveK2(nx)
	if err != nil {
		return AuthResponse{}, err
	}
	defer clear(k2)
	r.key(EvKeyK2, "derived")
	var lx []byte
	if s.bI != nil {
		if lx, err = lResponder(t.cfg.Identity.Key, s.pR, s.bI); err != nil {
			return AuthResponse{}, err
		}
		defer clear(lx)
	}
	if s.ke, err = DeriveKe(s.iNonce, s.rNonce, mx, nx, lx); err != nil {
		return AuthResponse{}, err
	}
	r.key(EvKeyKe, "derived")
	bR := t.cfg.Identity.Key.PublicKey()
	ra := RAuth(s.iNonce, s.rNonce, s.pI, s.pR.PublicKey(), bR, s.bI, s.caps)
	wrappedRAuth, err := Wrap(s.ke, s.suite.Cipher, TypeAuthResponse, 1, wrapAAD(TypeAuthResponse, s.tx, nil),
		[]Attr{{AttrRAuth, ra[:]}})
	if err != nil {
		return AuthResponse{}, err
	}
	resp := AuthResponse{TxID: s.tx, Status: StatusOK, RHash: t.hash, IHash: s.iHash,
		RProtoKey: s.pR.PublicKey().Bytes(), RCaps: t.cfg.Capabilities}
	resp.Wrapped, err = Wrap(k2, CipherAES256GCM, TypeAuthResponse, 0, wrapAAD(TypeAuthResponse, s.tx, resp.Attrs()),
		[]Attr{{AttrRNonce, s.rNonce}, {AttrINonce, s.iNonce}, {AttrWrappedData, wrappedRAuth}})
	return resp, err
}

func (t *Responder) onAuthConfirm(r *recorder, f AuthConfirm) {
	s := t.sess
	if f.Status != StatusOK {
		r.reject(TypeAuthConfirm, f.Status, "initiator aborted")
		t.endSessionWith(r, Result{Status: f.Status, Reason: "initiator aborted the authentication"})
		return
	}
	if f.RHash != t.hash || !bytes.Equal(f.IHash, s.iHash) {
		t.failSession(r, TypeAuthConfirm, StatusAuthFailure, "bootstrap key hashes differ from the request")
		return
	}
	v, err := unwrap(s.ke, s.suite.Cipher, TypeAuthConfirm, 0, wrapAAD(TypeAuthConfirm, f.TxID, f.Attrs()), f.Wrapped,
		[]spec{{id: AttrIAuth, min: AuthTagSize, max: AuthTagSize}})
	if err != nil {
		// Reference: 3gpp.md §6.1 D2 (a relay that substituted keys has another ke).
		t.failSession(r, TypeAuthConfirm, StatusAuthFailure, "I-auth does not unwrap under ke")
		return
	}
	want := IAuth(s.iNonce, s.rNonce, s.pI, s.pR.PublicKey(), t.cfg.Identity.Key.PublicKey(), s.bI, s.caps)
	if subtle.ConstantTimeCompare(v[0], want[:]) != 1 {
		// Reference: 3gpp.md §6.1 D8 (capabilities are in the key confirmation).
		t.failSession(r, TypeAuthConfirm, StatusAuthFailure, "I-auth mismatch")
		return
	}
	s.eNonce = make([]byte, NonceSize)
	if _, err := io.ReadFull(t.rand, s.eNonce); err != nil {
		t.failSession(r, TypeAuthConfirm, StatusConfigureFailure, "randomness")
		return
	}
	c := ConfigRequest{TxID: s.tx}
	c.Wrapped, err = Wrap(s.ke, s.suite.Cipher, TypeConfigRequest, 0, wrapAAD(TypeConfigRequest, s.tx, c.Attrs()),
		[]Attr{{AttrENonce, s.eNonce}, {AttrDeviceID, []byte(t.cfg.Identity.DeviceID)}})
	if err != nil {
		t.failSession(r, TypeAuthConfirm, StatusConfigureFailure, err.Error())
		return
	}
	t.reply(r, c)
	t.enter(r, StateAwaitDelivery)
	r.timer(TimerSet, t.cfg.SessionTimeout)
}

func (t *Responder) onDelivery(r *recorder, f CredentialDelivery) {
	s := t.sess
	v, err := unwrap(s.ke, s.suite.Cipher, TypeCredentialDelivery, 0, wrapAAD(TypeCredentialDelivery, f.TxID, f.Attrs()), f.Wrapped,
		[]spec{{id: AttrENonce, min: NonceSize, max: NonceSize},
			{id: AttrSealed, min: credential.SealOverhead, max: MaxBodySize},
			{id: AttrBinding, min: 1, max: credential.MaxEncodedSize}})
	if err != nil {
		t.failSession(r, TypeCredentialDelivery, StatusUnwrapFailure, "CredentialDelivery: "+err.Error())
		return
	}
	eNonce, sealed, bindBytes := v[0], v[1], v[2]
	if subtle.ConstantTimeCompare(eNonce, s.eNonce) != 1 {
		t.failSession(r, TypeCredentialDelivery, StatusAuthFailure, "E-nonce not echoed")
		return
	}
	// Every check passes before anything is installed (R1: atomic install).
	status, reason, pkg := t.check(sealed, bindBytes)
	if status != StatusOK {
		t.refuse(r, status, reason)
		return
	}
	credProof, err := pkg.Proof()
	if err != nil {
		t.refuse(r, StatusConfigureFailure, err.Error())
		return
	}
	sp, err := sessionProof(s.ke, s.eNonce, sealed, bindBytes, credProof[:])
	if err != nil {
		t.refuse(r, StatusConfigureFailure, err.Error())
		return
	}
	pop := ProofOfPossession{TxID: s.tx, Status: StatusOK}
	pop.Wrapped, err = Wrap(s.ke, s.suite.Cipher, TypeProofOfPossession, 0, wrapAAD(TypeProofOfPossession, s.tx, pop.Attrs()),
		[]Attr{{AttrENonce, s.eNonce}, {AttrSessionProof, sp}, {AttrCredentialProof, credProof[:]}})
	if err != nil {
		t.refuse(r, StatusConfigureFailure, err.Error())
		return
	}
	t.install(r, pkg)
	t.limit.reset()
	t.reply(r, pop)
	res := Result{Status: StatusOK, Binding: pkg.Binding, SUPI: pkg.SUPI, Proof: credProof[:]}
	t.endSessionWith(r, res)
}

// check opens the sealed credential and verifies its binding.
func (t *Responder) check(sealed, bindBytes []byte) (Status, string, credential.Package) {
	id := t.cfg.Identity
	bind, err := credential.ParseBinding(bindBytes)
	if err != nil {
		return StatusConfigureFailure, "binding: " + err.Error(), credential.Package{}
	}
	if bind.TargetID != id.DeviceID {
		return StatusBindingMismatch, "binding names another device", credential.Package{}
	}
	pkg, err := credential.Open(id.Key, credential.SealAAD(id.DeviceID, t.hash), sealed)
	if err != nil {
		return StatusConfigureFailure, "sealed credential: " + err.Error(), credential.Package{}
	}
	switch {
	case !pkg.Binding.Equal(bind):
		return StatusBindingMismatch, "sealed binding differs from the delivered one", credential.Package{}
	case !t.clk.Now().Before(pkg.Binding.Expiry):
		return StatusExpired, "package expired", credential.Package{}
	case pkg.Binding.Counter <= t.counter:
		// Reference: 3gpp.md §6.1 D5 (package counter <= stored counter).
		return StatusReplay, fmt.Sprintf("counter %d not above %d", pkg.Binding.Counter, t.counter), credential.Package{}
	case t.slot != nil && !t.cfg.AllowReprovision:
		return StatusAlreadyProvisioned, "already provisioned", credential.Package{}
	}
	return StatusOK, "", pkg
}

// refuse answers an authenticated refusal (ProofOfPossession with a status
// and the E-nonce) and ends the session.
func (t *Responder) refuse(r *recorder, s Status, reason string) {
	r.reject(TypeCredentialDelivery, s, reason)
	pop := ProofOfPossession{TxID: t.sess.tx, Status: s}
	var err error
	pop.Wrapped, err = Wrap(t.sess.ke, t.sess.suite.Cipher, TypeProofOfPossession, 0,
		wrapAAD(TypeProofOfPossession, t.sess.tx, pop.Attrs()), []Attr{{AttrENonce, t.sess.eNonce}})
	if err == nil {
		t.reply(r, pop)
	}
	t.endSessionWith(r, Result{Status: s, Reason: reason})
}

// failSession answers an unauthenticated StatusFrame and ends the session.
func (t *Responder) failSession(r *recorder, ft FrameType, s Status, reason string) {
	r.reject(ft, s, reason)
	t.reply(r, StatusFrame{TxID: t.sess.tx, Status: s, Reason: truncateReason(reason)})
	t.endSessionWith(r, Result{Status: s, Reason: reason})
}

// install puts pkg in the slot in one assignment (nothing before this point
// touched the slot).
func (t *Responder) install(r *recorder, pkg credential.Package) {
	if t.slot != nil {
		t.slot.Wipe()
	}
	p := pkg.Clone()
	t.slot = &p
	t.counter = max(t.counter, pkg.Binding.Counter)
	if t.cfg.Variant == Baseline {
		t.counter = pkg.Binding.Counter
	}
	r.ev(trace.Event{Kind: trace.KindKey, Name: EvKeyInstall, Detail: "installed", SUPI: pkg.SUPI.String()})
	t.enter(r, StateProvisioned)
}

func (t *Responder) reply(r *recorder, f Frame) {
	b, err := Marshal(f)
	if err != nil {
		r.drop(f.FrameType().String(), DropMalformed, "encode: "+err.Error())
		return
	}
	r.send(b, f.FrameType())
}

func (t *Responder) enter(r *recorder, s State) {
	r.state(t.state, s)
	t.state = s
}

func (t *Responder) endSessionWith(r *recorder, res Result) {
	t.endSession()
	if t.slot != nil {
		t.enter(r, StateProvisioned)
	} else {
		t.enter(r, StateUnprovisioned)
	}
	r.timer(TimerStop, 0)
	r.result(res)
}

func (t *Responder) endSession() {
	if t.sess != nil {
		clear(t.sess.ke)
		t.sess = nil
	}
}
