package dlink

import (
	"bytes"
	"crypto/ecdh"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/credbed/credbed/internal/credential"
)

// Initiator defaults.
const (
	DefaultTimeout = 2 * time.Second // per-step answer timeout
	DefaultRetries = 2               // retransmissions of the last frame before giving up
)

// InitiatorConfig configures the provisioning device side.
type InitiatorConfig struct {
	// Variant is Secure (default) or Baseline.
	Variant Variant
	// Target is the TD's bootstrap information read from its QR/NFC URI
	// (credential.ParseURI). Required for Secure.
	Target credential.Bootstrap
	// Identity is the PD's own bootstrap identity; when set the PD sends
	// its key hash and the handshake is mutually authenticated (DPP L).
	Identity *credential.Identity
	// Sealed and Binding come from the CPF (DESIGN step 5): the credential
	// sealed to Target.Key and its binding. Required for Secure.
	Sealed  []byte
	Binding credential.Binding
	// Package is the plaintext credential (Baseline only: the PD generated it).
	Package *credential.Package
	// Capabilities offered; default DefaultCapabilities(RoleConfigurator).
	Capabilities Capabilities
	// Timeout per step and Retries of the last frame; defaults
	// DefaultTimeout and DefaultRetries (Retries < 0 means none).
	Timeout time.Duration
	Retries int
	// Actor names the machine in trace events; default "pd".
	Actor string
}

// Validate checks the configuration and fills defaults.
func (c *InitiatorConfig) Validate() error {
	if c.Variant == 0 {
		c.Variant = Secure
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Retries == 0 {
		c.Retries = DefaultRetries
	} else if c.Retries < 0 {
		c.Retries = 0
	}
	if c.Actor == "" {
		c.Actor = "pd"
	}
	if c.Capabilities.Role == 0 && c.Capabilities.Versions == nil && c.Capabilities.Curves == nil && c.Capabilities.Ciphers == nil {
		c.Capabilities = DefaultCapabilities(RoleConfigurator)
	}
	if _, err := c.Capabilities.MarshalBinary(); err != nil {
		return err
	}
	switch c.Variant {
	case Secure:
		if err := c.Target.Validate(); err != nil {
			return fmt.Errorf("dlink: initiator target: %w", err)
		}
		if len(c.Sealed) < credential.SealOverhead {
			return fmt.Errorf("dlink: initiator: no sealed credential")
		}
		if err := c.Binding.Validate(); err != nil {
			return fmt.Errorf("dlink: initiator binding: %w", err)
		}
		if c.Binding.TargetID != c.Target.DeviceID {
			return fmt.Errorf("dlink: initiator: binding names %q, the bootstrap URI %q", c.Binding.TargetID, c.Target.DeviceID)
		}
		if c.Identity != nil && (c.Identity.Key == nil || c.Identity.Key.Curve() != ecdh.P256()) {
			return fmt.Errorf("dlink: initiator identity: want a P-256 key")
		}
	case Baseline:
		if c.Package == nil {
			return fmt.Errorf("dlink: baseline initiator: no package")
		}
		if err := c.Package.Validate(); err != nil {
			return fmt.Errorf("dlink: baseline initiator: %w", err)
		}
	default:
		return fmt.Errorf("dlink: unknown variant %d", c.Variant)
	}
	return nil
}

// Initiator is the PD side of the direct-link protocol. It is not safe for
// concurrent use; a driver serialises calls.
type Initiator struct {
	cfg   InitiatorConfig
	rand  io.Reader
	state State
	tx    uint32

	pI      *ecdh.PrivateKey
	iNonce  []byte
	rHash   [HashSize]byte
	iHash   []byte
	mx, nx  []byte
	ke      []byte
	suite   Suite
	eNonce  []byte
	binding []byte

	last    []byte
	lastTyp FrameType
	retries int
	result  *Result
}

// NewInitiator validates cfg and returns an initiator in state Idle.
func NewInitiator(cfg InitiatorConfig, deps Deps) (*Initiator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Rand == nil {
		return nil, fmt.Errorf("dlink: initiator needs a random source")
	}
	i := &Initiator{cfg: cfg, rand: deps.Rand, state: StateIdle, retries: cfg.Retries}
	if cfg.Variant == Secure {
		i.rHash = cfg.Target.Hash()
		if cfg.Identity != nil {
			h := credential.KeyHash(cfg.Identity.Key.PublicKey())
			i.iHash = h[:]
		}
		b, err := cfg.Binding.MarshalBinary()
		if err != nil {
			return nil, err
		}
		i.binding = b
	}
	return i, nil
}

// State returns the current state.
func (i *Initiator) State() State { return i.state }

// Result returns the final result once the exchange ended.
func (i *Initiator) Result() (Result, bool) {
	if i.result == nil {
		return Result{}, false
	}
	return *i.result, true
}

// TxID returns the transaction id (0 before Start).
func (i *Initiator) TxID() uint32 { return i.tx }

// Start begins the exchange: it returns the AuthRequest (secure) or the
// PlainCredential (baseline).
func (i *Initiator) Start() Output {
	r := &recorder{actor: i.cfg.Actor}
	if i.state != StateIdle {
		r.drop("Start", DropUnexpected, "already started")
		return r.out
	}
	var tb [4]byte
	if _, err := io.ReadFull(i.rand, tb[:]); err != nil {
		return i.fail(r, StatusConfigureFailure, "randomness: "+err.Error(), nil)
	}
	i.tx = binary.BigEndian.Uint32(tb[:])
	if i.cfg.Variant == Baseline {
		enc, err := i.cfg.Package.MarshalBinary()
		if err != nil {
			return i.fail(r, StatusConfigureFailure, "package: "+err.Error(), nil)
		}
		return i.sendAndWait(r, PlainCredential{TxID: i.tx, Package: enc}, StateAwaitAck)
	}
	var err error
	if i.pI, err = credential.GenerateKey(i.rand); err != nil {
		return i.fail(r, StatusConfigureFailure, err.Error(), nil)
	}
	i.iNonce = make([]byte, NonceSize)
	if _, err := io.ReadFull(i.rand, i.iNonce); err != nil {
		return i.fail(r, StatusConfigureFailure, "randomness: "+err.Error(), nil)
	}
	if i.mx, err = i.pI.ECDH(i.cfg.Target.Key); err != nil {
		return i.fail(r, StatusConfigureFailure, "ECDH M: "+err.Error(), nil)
	}
	k1, err := DeriveK1(i.mx)
	if err != nil {
		return i.fail(r, StatusConfigureFailure, err.Error(), nil)
	}
	defer clear(k1)
	r.key(EvKeyK1, "derived")
	f := AuthRequest{TxID: i.tx, RHash: i.rHash, IHash: i.iHash, IProtoKey: i.pI.PublicKey().Bytes(), ICaps: i.cfg.Capabilities}
	f.Wrapped, err = Wrap(k1, CipherAES256GCM, TypeAuthRequest, 0, wrapAAD(TypeAuthRequest, i.tx, f.Attrs()),
		[]Attr{{AttrINonce, i.iNonce}})
	if err != nil {
		return i.fail(r, StatusConfigureFailure, err.Error(), nil)
	}
	return i.sendAndWait(r, f, StateAwaitAuthResponse)
}

// Receive processes a frame from the TD.
func (i *Initiator) Receive(b []byte) Output {
	r := &recorder{actor: i.cfg.Actor}
	f, ok := r.decode(b)
	if !ok {
		return r.out
	}
	if f.Transaction() != i.tx || i.tx == 0 {
		r.drop(f.FrameType().String(), DropWrongTransaction, "")
		return r.out
	}
	switch fr := f.(type) {
	case StatusFrame:
		if i.state == StateAwaitAck && fr.Status == StatusOK {
			res := Result{Status: StatusOK, Binding: i.cfg.Package.Binding, SUPI: i.cfg.Package.SUPI}
			return i.finish(r, StateDone, res)
		}
		if !i.waiting() || fr.Status == StatusOK {
			break
		}
		r.reject(TypeStatus, fr.Status, fr.Reason)
		return i.fail(r, fr.Status, "responder: "+fr.Reason, nil)
	case AuthResponse:
		if i.state == StateAwaitAuthResponse {
			return i.onAuthResponse(r, fr)
		}
	case ConfigRequest:
		if i.state == StateAwaitConfigRequest {
			return i.onConfigRequest(r, fr)
		}
	case ProofOfPossession:
		if i.state == StateAwaitProof {
			return i.onProof(r, fr)
		}
	}
	r.drop(f.FrameType().String(), DropUnexpected, "in state "+i.state.String())
	return r.out
}

// Timeout retransmits the last frame or gives up.
func (i *Initiator) Timeout() Output {
	r := &recorder{actor: i.cfg.Actor}
	if !i.waiting() {
		return r.out
	}
	if i.retries > 0 {
		i.retries--
		r.ev(traceNote(EvRetransmit, i.lastTyp.String()))
		r.send(i.last, i.lastTyp)
		r.timer(TimerSet, i.cfg.Timeout)
		return r.out
	}
	return i.fail(r, StatusTimeout, "no answer in "+i.state.String(), nil)
}

func (i *Initiator) waiting() bool {
	switch i.state {
	case StateAwaitAuthResponse, StateAwaitConfigRequest, StateAwaitProof, StateAwaitAck:
		return true
	}
	return false
}

func (i *Initiator) onAuthResponse(r *recorder, f AuthResponse) Output {
	// Reference: DPP §6.3.3; 3gpp.md §6.1 D4 (the PD aborts on a hash mismatch).
	if f.Status != StatusOK {
		r.reject(TypeAuthResponse, f.Status, "responder refused")
		return i.fail(r, f.Status, "responder refused the authentication", nil)
	}
	if subtle.ConstantTimeCompare(f.RHash[:], i.rHash[:]) != 1 {
		return i.abort(r, TypeAuthResponse, StatusAuthFailure, "responder bootstrap key hash mismatch")
	}
	// A responder that does not know the PD's bootstrap key omits the
	// I-hash: the handshake falls back to responder-only authentication.
	mutual := f.IHash != nil
	if mutual && !bytes.Equal(f.IHash, i.iHash) {
		return i.abort(r, TypeAuthResponse, StatusAuthFailure, "initiator bootstrap key hash mismatch")
	}
	pR, err := ecdh.P256().NewPublicKey(f.RProtoKey)
	if err != nil {
		return i.abort(r, TypeAuthResponse, StatusAuthFailure, "responder protocol key is not a P-256 point")
	}
	if i.nx, err = i.pI.ECDH(pR); err != nil {
		return i.abort(r, TypeAuthResponse, StatusAuthFailure, "ECDH N failed")
	}
	k2, err := DeriveK2(i.nx)
	if err != nil {
		return i.abort(r, TypeAuthResponse, StatusAuthFailure, err.Error())
	}
	defer clear(k2)
	r.key(EvKeyK2, "derived")
	v, err := unwrap(k2, CipherAES256GCM, TypeAuthResponse, 0, wrapAAD(TypeAuthResponse, f.TxID, f.Attrs()), f.Wrapped,
		[]spec{{id: AttrRNonce, min: NonceSize, max: NonceSize}, {id: AttrINonce, min: NonceSize, max: NonceSize}, specWrapped})
	if err != nil {
		return i.abort(r, TypeAuthResponse, StatusUnwrapFailure, "AuthResponse: "+err.Error())
	}
	rNonce, echoed, wrappedRAuth := v[0], v[1], v[2]
	if subtle.ConstantTimeCompare(echoed, i.iNonce) != 1 {
		return i.abort(r, TypeAuthResponse, StatusAuthFailure, "I-nonce not echoed")
	}
	suite, ok := Negotiate(i.cfg.Capabilities, f.RCaps)
	if !ok {
		return i.abort(r, TypeAuthResponse, StatusNotCompatible, "no common suite with the responder capabilities")
	}
	i.suite = suite
	var lx []byte
	if mutual {
		if lx, err = lInitiator(i.cfg.Identity.Key, i.cfg.Target.Key, pR); err != nil {
			return i.abort(r, TypeAuthResponse, StatusAuthFailure, "L: "+err.Error())
		}
		defer clear(lx)
	}
	if i.ke, err = DeriveKe(i.iNonce, rNonce, i.mx, i.nx, lx); err != nil {
		return i.abort(r, TypeAuthResponse, StatusAuthFailure, err.Error())
	}
	r.key(EvKeyKe, "derived")
	var bI *ecdh.PublicKey
	if mutual {
		bI = i.cfg.Identity.Key.PublicKey()
	}
	caps := CapsTranscript(i.cfg.Capabilities, f.RCaps)
	va, err := unwrap(i.ke, suite.Cipher, TypeAuthResponse, 1, wrapAAD(TypeAuthResponse, f.TxID, nil), wrappedRAuth,
		[]spec{{id: AttrRAuth, min: AuthTagSize, max: AuthTagSize}})
	if err != nil {
		return i.abort(r, TypeAuthResponse, StatusAuthFailure, "R-auth does not unwrap under ke")
	}
	want := RAuth(i.iNonce, rNonce, i.pI.PublicKey(), pR, i.cfg.Target.Key, bI, caps)
	if subtle.ConstantTimeCompare(va[0], want[:]) != 1 {
		return i.abort(r, TypeAuthResponse, StatusAuthFailure, "R-auth mismatch")
	}
	ia := IAuth(i.iNonce, rNonce, i.pI.PublicKey(), pR, i.cfg.Target.Key, bI, caps)
	c := AuthConfirm{TxID: i.tx, Status: StatusOK, RHash: i.rHash, IHash: f.IHash}
	c.Wrapped, err = Wrap(i.ke, suite.Cipher, TypeAuthConfirm, 0, wrapAAD(TypeAuthConfirm, i.tx, c.Attrs()),
		[]Attr{{AttrIAuth, ia[:]}})
	if err != nil {
		return i.abort(r, TypeAuthResponse, StatusAuthFailure, err.Error())
	}
	return i.sendAndWait(r, c, StateAwaitConfigRequest)
}

func (i *Initiator) onConfigRequest(r *recorder, f ConfigRequest) Output {
	v, err := unwrap(i.ke, i.suite.Cipher, TypeConfigRequest, 0, wrapAAD(TypeConfigRequest, f.TxID, f.Attrs()), f.Wrapped,
		[]spec{{id: AttrENonce, min: NonceSize, max: NonceSize}, {id: AttrDeviceID, min: 1, max: credential.MaxDeviceIDLen}})
	if err != nil {
		return i.abort(r, TypeConfigRequest, StatusUnwrapFailure, "ConfigRequest: "+err.Error())
	}
	if string(v[1]) != i.cfg.Target.DeviceID {
		return i.abort(r, TypeConfigRequest, StatusBindingMismatch, "responder device id differs from the bootstrap URI")
	}
	i.eNonce = v[0]
	d := CredentialDelivery{TxID: i.tx}
	d.Wrapped, err = Wrap(i.ke, i.suite.Cipher, TypeCredentialDelivery, 0, wrapAAD(TypeCredentialDelivery, i.tx, d.Attrs()),
		[]Attr{{AttrENonce, i.eNonce}, {AttrSealed, i.cfg.Sealed}, {AttrBinding, i.binding}})
	if err != nil {
		return i.abort(r, TypeConfigRequest, StatusConfigureFailure, err.Error())
	}
	return i.sendAndWait(r, d, StateAwaitProof)
}

func (i *Initiator) onProof(r *recorder, f ProofOfPossession) Output {
	specs := []spec{{id: AttrENonce, min: NonceSize, max: NonceSize},
		{id: AttrSessionProof, optional: true, min: ProofSize, max: ProofSize},
		{id: AttrCredentialProof, optional: true, min: credential.ProofSize, max: credential.ProofSize}}
	v, err := unwrap(i.ke, i.suite.Cipher, TypeProofOfPossession, 0, wrapAAD(TypeProofOfPossession, f.TxID, f.Attrs()), f.Wrapped, specs)
	if err != nil {
		return i.abort(r, TypeProofOfPossession, StatusUnwrapFailure, "ProofOfPossession: "+err.Error())
	}
	if subtle.ConstantTimeCompare(v[0], i.eNonce) != 1 {
		return i.abort(r, TypeProofOfPossession, StatusAuthFailure, "E-nonce not echoed")
	}
	if f.Status != StatusOK {
		r.reject(TypeProofOfPossession, f.Status, "responder refused the credential")
		return i.fail(r, f.Status, "responder refused the credential", nil)
	}
	if v[1] == nil || v[2] == nil {
		return i.abort(r, TypeProofOfPossession, StatusAuthFailure, "proofs missing")
	}
	want, err := sessionProof(i.ke, i.eNonce, i.cfg.Sealed, i.binding, v[2])
	if err != nil || subtle.ConstantTimeCompare(v[1], want) != 1 {
		return i.abort(r, TypeProofOfPossession, StatusAuthFailure, "session proof mismatch")
	}
	return i.finish(r, StateDone, Result{Status: StatusOK, Binding: i.cfg.Binding, Proof: v[2]})
}

func (i *Initiator) sendAndWait(r *recorder, f Frame, next State) Output {
	b, err := Marshal(f)
	if err != nil {
		return i.fail(r, StatusConfigureFailure, err.Error(), nil)
	}
	i.last, i.lastTyp = b, f.FrameType()
	i.retries = i.cfg.Retries
	r.send(b, f.FrameType())
	r.state(i.state, next)
	i.state = next
	r.timer(TimerSet, i.cfg.Timeout)
	return r.out
}

// abort ends the exchange on a local check failure and tells the responder
// with a StatusFrame.
func (i *Initiator) abort(r *recorder, t FrameType, s Status, reason string) Output {
	r.reject(t, s, reason)
	sf, err := Marshal(StatusFrame{TxID: i.tx, Status: s, Reason: truncateReason(reason)})
	var frames [][]byte
	if err == nil {
		frames = [][]byte{sf}
	}
	return i.fail(r, s, reason, frames)
}

func (i *Initiator) fail(r *recorder, s Status, reason string, frames [][]byte) Output {
	for _, f := range frames {
		r.send(f, TypeStatus)
	}
	return i.finish(r, StateFailed, Result{Status: s, Reason: reason})
}

func (i *Initiator) finish(r *recorder, to State, res Result) Output {
	r.state(i.state, to)
	i.state = to
	i.wipe()
	r.timer(TimerStop, 0)
	r.result(res)
	i.result = r.out.Result
	return r.out
}

// wipe drops session secrets once the exchange ended.
func (i *Initiator) wipe() {
	clear(i.mx)
	clear(i.nx)
	clear(i.ke)
	i.mx, i.nx, i.ke, i.pI = nil, nil, nil, nil
}

func truncateReason(s string) string {
	if len(s) > MaxReasonLen {
		s = s[:MaxReasonLen]
	}
	b := []byte(s)
	for k, c := range b {
		if c < 0x20 || c >= 0x7f {
			b[k] = '?'
		}
	}
	return string(b)
}
