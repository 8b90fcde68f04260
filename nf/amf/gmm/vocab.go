package gmm

// Trace vocabulary of the machine's events: what checks and invariants that
// read the trace (testbed/invariants.go, scenarios) may rely on. State names
// are State.String(); event and SBI names are EventKind.String() and the
// operation names of nf/amf.
const (
	// StateContextDeleted is the KindState event emitted once a context and
	// its keys are gone. Like every state event its Detail starts with the
	// old state (TS 24.501 §5.5.1.2.5 and §5.5.2: "DEREGISTERED keys wiped").
	StateContextDeleted = "CONTEXT-DELETED"
	// DetailKeysWiped follows the old state in CONTEXT-DELETED's Detail.
	DetailKeysWiped = "keys wiped"
	// NoteSecurityActivated is the KindNote emitted when a new 5G NAS
	// security context is taken into use (SECURITY MODE COMPLETE verified,
	// TS 24.501 §5.4.2.4). The UE side (ue/gmm) uses the same name.
	NoteSecurityActivated = "NAS security activated"
	// DetailUplink is the Detail format of an uplink NAS message the AMF
	// decoded (KindMessage, Iface N1): the security header type and whether
	// the integrity check passed.
	DetailUplink = "ul sht=%d verified=%t"
	// DetailDownlink is the Detail format of a downlink NAS message the AMF
	// sent (KindMessage, Iface N1), followed by " retransmission <n>" for a
	// retransmission.
	DetailDownlink = "dl sht=%d"
)

// Reason tokens: the Cause of KindDrop events (internal/metrics uses it as
// the "reason" label; Detail carries the free text).
const (
	DropMACFailure     = "mac-failure"            // NAS MAC check failed
	DropReplay         = "replay"                 // NAS COUNT already seen
	DropCountExhausted = "count-exhausted"        // NAS COUNT wrapped
	DropIntegrity      = "integrity-failure"      // another integrity check failure
	DropNotProtected   = "not-protected"          // plain or unverified where protection is required (TS 24.501 §4.4.4.3)
	DropNoContext      = "no-security-context"    // ciphered without a usable context
	DropWrongContext   = "wrong-security-context" // SECURITY MODE COMPLETE not under the new context
	DropUndecodable    = "undecodable"            // header or message does not decode
	DropWrongEPD       = "wrong-epd"              // a 5GSM message outside UL NAS TRANSPORT
	DropStale          = "stale"                  // an SBI answer to a request superseded since
	DropState          = "invalid-state"          // the event is not handled in the current state
	DropNoSUPI         = "no-supi"                // the event needs a SUPI the context does not know yet
)

// CauseString renders a 5GMM cause for trace events: "5GMM#90".
func CauseString(c uint8) string { return causeText(c) }
