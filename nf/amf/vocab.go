package amf

import "github.com/credbed/credbed/nf/amf/gmm"

// Trace vocabulary of the AMF driver, for checks and invariants that read
// the trace; the 5GMM machine's own is in nf/amf/gmm (vocab.go). SBI
// operation names are the Op constants (peers.go, n11.go).
const (
	// StateContextDeleted: a UE context and its keys are gone (KindState;
	// Detail starts with the old state).
	StateContextDeleted = gmm.StateContextDeleted
	// NoteSecurityActivated: a new 5G NAS security context is in use.
	NoteSecurityActivated = gmm.NoteSecurityActivated
	// DetailSuperseded follows the old state in the Detail of the
	// CONTEXT-DELETED event of a context that a newer one of the same SUPI
	// replaced ("REGISTERED superseded by AMF UE NGAP ID 7"); that SUPI is
	// still served by the newer context.
	DetailSuperseded = "superseded by AMF UE NGAP ID"

	// NotePayloadNotForwarded: a 5GSM payload went back to the UE with
	// 5GMM #90 (KindNote, Cause "5GMM#90", Detail why).
	NotePayloadNotForwarded = "5GSM payload not forwarded"
	// NoteN2Setup and NoteN2Release trace the N2 SM procedures (KindNote,
	// Iface N2, Detail "psi=<n> requested|ok|failed"; a failure carries
	// the NGAP cause). TS 38.413 §8.2.1, §8.2.2.
	NoteN2Setup   = "PDU session resource setup"
	NoteN2Release = "PDU session resource release"
	// NoteSessionsReleased: the SM contexts of a UE were released
	// (KindNote, Detail "<reason>: <n> released").
	NoteSessionsReleased = "PDU sessions released"
	// NoteSessionGone: the SMF said an SM context is released (status
	// notification) or unknown; the AMF forgot the PDU session.
	NoteSessionGone = "PDU session forgotten"
)

// Reason tokens of the driver's KindDrop events (Cause); the machine's
// are gmm.Drop*.
const (
	DropNotConnected = "not-connected" // the UE has no (secured) N2 connection
	DropUndecodable  = gmm.DropUndecodable
	DropSendFailed   = "send-failed" // the transport refused the message
	DropUnsupported  = "unsupported" // a message or IE the AMF does not handle
	// DropUnknownSession: an N2 answer for a PDU session the AMF does not hold.
	DropUnknownSession = "unknown-session"
)
