package gmm

// State is the 5GMM state of one UE context in the AMF. The AMF side of TS
// 24.501 §5.1.3.4 has only 5GMM-DEREGISTERED, 5GMM-COMMON-PROCEDURE-INITIATED,
// 5GMM-REGISTERED and 5GMM-DEREGISTERED-INITIATED; credbed splits the common
// procedure state by the procedure running and by the SBI answer awaited, so
// that the table names every situation.
type State uint8

// States.
const (
	// Deregistered: a fresh context (first NAS message of a connection) or
	// one whose registration was aborted.
	Deregistered State = iota
	// IdentityPending: IDENTITY REQUEST sent, T3570 running (TS 24.501 §5.4.3).
	IdentityPending
	// WaitAUSFAuth: Nausf_UEAuthentication_Authenticate outstanding (also
	// the resynchronisation request; no new challenge before its answer).
	WaitAUSFAuth
	// Authenticating: AUTHENTICATION REQUEST sent, T3560 running.
	Authenticating
	// WaitAUSFConfirm: 5g-aka-confirmation outstanding after the HRES* check.
	WaitAUSFConfirm
	// SecurityMode: SECURITY MODE COMMAND sent, T3560 running.
	SecurityMode
	// WaitUDM: Nudm_UECM_Registration and then Nudm_SDM_Get outstanding.
	WaitUDM
	// WaitRegistrationComplete: REGISTRATION ACCEPT with a new 5G-GUTI sent,
	// T3550 running.
	WaitRegistrationComplete
	// Registered: 5GMM-REGISTERED (connected or idle).
	Registered
	// DeregInitiated: network-initiated DEREGISTRATION REQUEST sent, T3522
	// running (5GMM-DEREGISTERED-INITIATED).
	DeregInitiated

	// NumStates is the number of states.
	NumStates
)

var stateNames = [NumStates]string{
	Deregistered:             "DEREGISTERED",
	IdentityPending:          "IDENTITY-PENDING",
	WaitAUSFAuth:             "WAIT-AUSF-AUTH",
	Authenticating:           "AUTHENTICATING",
	WaitAUSFConfirm:          "WAIT-AUSF-CONFIRM",
	SecurityMode:             "SECURITY-MODE",
	WaitUDM:                  "WAIT-UDM",
	WaitRegistrationComplete: "WAIT-REGISTRATION-COMPLETE",
	Registered:               "REGISTERED",
	DeregInitiated:           "DEREGISTERED-INITIATED",
}

// String returns the state name used in trace events ("REGISTERED").
func (s State) String() string {
	if s < NumStates {
		return stateNames[s]
	}
	return "STATE-INVALID"
}

// TimerID names a network-side 5GMM timer (TS 24.501 §10.2, Table 10.2.2).
type TimerID uint8

// Timers.
const (
	TimerNone TimerID = iota
	T3550             // REGISTRATION ACCEPT sent, waits for REGISTRATION COMPLETE
	T3560             // AUTHENTICATION REQUEST or SECURITY MODE COMMAND sent
	T3570             // IDENTITY REQUEST sent
	T3522             // DEREGISTRATION REQUEST (UE terminated) sent

	NumTimers
)

var timerNames = [NumTimers]string{"none", "T3550", "T3560", "T3570", "T3522"}

// String returns "T3560" etc.
func (t TimerID) String() string {
	if t < NumTimers {
		return timerNames[t]
	}
	return "timer-invalid"
}
