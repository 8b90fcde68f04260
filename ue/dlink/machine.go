package dlink

import (
	"fmt"
	"io"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/trace"
)

// Variant selects the protocol a machine speaks (DESIGN, solution profiles).
type Variant uint8

// Variants.
const (
	// Secure is the DPP-style authenticated handshake and sealed delivery.
	Secure Variant = 1
	// Baseline is the naive protocol: one PlainCredential frame, no
	// authentication, no checks; the TD installs whatever arrives.
	Baseline Variant = 2
)

func (v Variant) String() string {
	switch v {
	case Secure:
		return "secure"
	case Baseline:
		return "baseline"
	}
	return fmt.Sprintf("variant-%d", uint8(v))
}

// ParseVariant reads "secure" or "baseline" (the profile names).
func ParseVariant(s string) (Variant, error) {
	switch s {
	case "secure":
		return Secure, nil
	case "baseline":
		return Baseline, nil
	}
	return 0, fmt.Errorf("dlink: unknown variant %q (want secure or baseline)", s)
}

// TimerOp tells the driver what to do with the machine's single timer.
type TimerOp uint8

// Timer operations.
const (
	TimerKeep TimerOp = iota // leave the timer as it is
	TimerSet                 // (re)arm it to fire After from now
	TimerStop                // cancel it
)

// Output is what one step of a machine produced.
type Output struct {
	// Frames are encoded frames to send to the peer, in order.
	Frames [][]byte
	// Timer and After control the machine's timer; when it fires the
	// driver calls Timeout.
	Timer TimerOp
	After time.Duration
	// Events are trace events (Actor and Iface filled; the driver or loop
	// emits them). Keys appear by name only.
	Events []trace.Event
	// Result is set when an exchange ended, successfully or not.
	Result *Result
}

// Result ends one provisioning exchange.
type Result struct {
	// Status is StatusOK on success, else the reason (the peer's status, or
	// StatusTimeout).
	Status Status
	// Reason is a short explanation (never a secret).
	Reason string
	// Binding is the delivered (initiator) or installed (responder) binding.
	Binding credential.Binding
	// SUPI is the installed SUPI (responder; initiator in baseline).
	SUPI ident.SUPI
	// Proof is the credential proof of possession (credential.ProofSize
	// bytes, secure only): the initiator relays it to the network, which
	// checks it with credential.VerifyProof; the responder reports its own.
	Proof []byte
}

// OK reports success.
func (r Result) OK() bool { return r.Status == StatusOK }

// Machine is a pure protocol state machine: no IO, no goroutines, no clock
// reads except the injected one.
type Machine interface {
	// Receive processes one received frame.
	Receive(frame []byte) Output
	// Timeout processes the expiry of the timer the machine asked for.
	Timeout() Output
}

// Deps are a machine's injected dependencies.
type Deps struct {
	// Rand draws nonces, transaction ids and ephemeral keys; crypto/rand.Reader
	// outside tests.
	Rand io.Reader
	// Clock dates rate limiting and binding expiry (responder only).
	Clock clock.Clock
}

// State is a machine's protocol state.
type State uint8

// States. Initiator: Idle -> AwaitAuthResponse -> AwaitConfigRequest ->
// AwaitProof -> Done | Failed (baseline: Idle -> AwaitAck -> Done | Failed).
// Responder: Unprovisioned <-> AwaitConfirm -> AwaitDelivery -> Provisioned.
const (
	StateIdle State = iota
	StateAwaitAuthResponse
	StateAwaitConfigRequest
	StateAwaitProof
	StateAwaitAck
	StateDone
	StateFailed
	StateUnprovisioned
	StateAwaitConfirm
	StateAwaitDelivery
	StateProvisioned
)

var stateNames = [...]string{"Idle", "AwaitAuthResponse", "AwaitConfigRequest", "AwaitProof", "AwaitAck",
	"Done", "Failed", "Unprovisioned", "AwaitConfirm", "AwaitDelivery", "Provisioned"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state-%d", uint8(s))
}

// Trace vocabulary. Message events: Kind message, Name = frame type, Detail
// "tx" or "rx". State events: Name = new state, Detail = old state. Key
// events: Name = EvKey*, Detail "derived" or "installed". Reject events:
// Name = frame type, Cause = Status name. Drop events: Cause = Drop*.
const (
	EvKeyK1      = "dl.k1"
	EvKeyK2      = "dl.k2"
	EvKeyKe      = "dl.ke"
	EvKeyInstall = "K" // the TD stored K (and OPc)

	EvRetransmit = "dl.retransmit" // a note: a frame was sent again
	EvPreempted  = "dl.preempted"  // a note: a new AuthRequest replaced an unfinished session
	EvResult     = "dl.result"     // a check event ending an exchange; Cause = status

	DropMalformed        = "malformed"
	DropWrongTransaction = "wrong-transaction"
	DropUnexpected       = "unexpected-frame"
	DropBootstrapHash    = "bootstrap-hash-mismatch"
	DropInitiatorUnknown = "initiator-not-trusted"
	DropDuplicate        = "duplicate"
)

// recorder accumulates one step's output.
type recorder struct {
	actor string
	out   Output
}

func (r *recorder) ev(e trace.Event) {
	e.Actor = r.actor
	e.Iface = trace.IfaceDL
	r.out.Events = append(r.out.Events, e)
}

func (r *recorder) send(b []byte, t FrameType) {
	r.out.Frames = append(r.out.Frames, b)
	r.ev(trace.Event{Kind: trace.KindMessage, Name: t.String(), Detail: "tx"})
}

func (r *recorder) rx(t FrameType) {
	r.ev(trace.Event{Kind: trace.KindMessage, Name: t.String(), Detail: "rx"})
}

func (r *recorder) key(name, detail string) {
	r.ev(trace.Event{Kind: trace.KindKey, Name: name, Detail: detail})
}

func (r *recorder) drop(name, cause, detail string) {
	r.ev(trace.Event{Kind: trace.KindDrop, Name: name, Cause: cause, Detail: detail})
}

func (r *recorder) reject(t FrameType, s Status, detail string) {
	r.ev(trace.Event{Kind: trace.KindReject, Name: t.String(), Cause: s.String(), Detail: detail})
}

func (r *recorder) state(from, to State) {
	if from != to {
		r.ev(trace.Event{Kind: trace.KindState, Name: to.String(), Detail: from.String()})
	}
}

func (r *recorder) result(res Result) {
	r.out.Result = &res
	r.ev(trace.Event{Kind: trace.KindCheck, Name: EvResult, Cause: res.Status.String(), Detail: res.Reason,
		SUPI: supiString(res.SUPI)})
}

func (r *recorder) timer(op TimerOp, d time.Duration) {
	r.out.Timer, r.out.After = op, d
}

func supiString(s ident.SUPI) string {
	if s.IsZero() {
		return ""
	}
	return s.String()
}

// decodeOrDrop decodes b, recording a drop event on failure.
func (r *recorder) decode(b []byte) (Frame, bool) {
	f, err := Decode(b)
	if err != nil {
		name := "frame"
		if h, herr := ParseHeader(b); herr == nil {
			name = h.Type.String()
		}
		r.drop(name, DropMalformed, err.Error())
		return nil, false
	}
	r.rx(f.FrameType())
	return f, true
}

func traceNote(name, detail string) trace.Event {
	return trace.Event{Kind: trace.KindNote, Name: name, Detail: detail}
}
