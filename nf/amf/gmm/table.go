package gmm

// Rejection says how the table refuses an event in a state.
type Rejection uint8

// Rejections.
const (
	// Handled: the pair has a handler.
	Handled Rejection = iota
	// RejectStatus98 answers 5GMM STATUS #98 "message type not compatible
	// with the protocol state" (TS 24.501 §7.4).
	RejectStatus98
	// RejectDrop discards the event (trace KindDrop): unsolicited messages
	// the spec says to ignore, stale SBI answers.
	RejectDrop
)

type handler func(m *Machine, u *UE, ev Event, o *out)

type transition struct {
	h handler
	r Rejection
}

// Transition reports how the table treats event kind k in state s: Handled,
// or the explicit rejection. ok is false for a pair the table does not
// cover (the completeness test proves there is none).
func (m *Machine) Transition(s State, k EventKind) (r Rejection, ok bool) {
	if s >= NumStates || k >= NumEventKinds {
		return 0, false
	}
	t := m.table[s][k]
	switch {
	case t.h != nil:
		return Handled, true
	case t.r == RejectStatus98 || t.r == RejectDrop:
		return t.r, true
	}
	return 0, false
}

// row builds one state's row: every kind not listed gets def.
type row map[EventKind]transition

func h(f handler) transition { return transition{h: f} }

var (
	s98  = transition{r: RejectStatus98}
	drop = transition{r: RejectDrop}
)

// newTable is the 5GMM transition table of the AMF. Each row lists the
// events handled in the state; nasDefault says what happens to the other
// uplink NAS messages (5GMM STATUS #98), sbiDefault to SBI answers that
// belong to no outstanding request (drop).
func newTable() [NumStates][NumEventKinds]transition {
	// Handled in every state.
	common := row{
		EvRegistrationRequest:      h((*Machine).regRequest),
		EvDeregistrationRequest:    h((*Machine).deregUE),
		EvStatus:                   h((*Machine).statusFromUE),
		EvUnexpectedNAS:            h((*Machine).unexpectedNAS),
		EvInvalidNAS:               h((*Machine).invalidNAS),
		EvUECMDeregistrationResult: h((*Machine).ignore),
		EvTimerExpired:             h((*Machine).timerExpired),
		EvN2Released:               h((*Machine).n2Released),
		EvNetworkDeregister:        h((*Machine).netDeregDuringRegistration),
		// TS 33.501 §6.1.3.3: unsolicited synch failures are ignored.
		EvAuthenticationFailure: drop,
	}
	rows := [NumStates]row{
		Deregistered: {
			EvServiceRequest: h((*Machine).serviceInitial),
		},
		IdentityPending: {
			EvIdentityResponse: h((*Machine).identityResponse),
		},
		WaitAUSFAuth: {
			EvAUSFAuthResult: h((*Machine).ausfAuthResult),
			// No new challenge before the resynchronisation answer; a
			// further AUTHENTICATION FAILURE is ignored (TS 33.501 §6.1.3.3.2).
			EvAuthenticationFailure: drop,
		},
		Authenticating: {
			EvAuthenticationResponse: h((*Machine).authResponse),
			EvAuthenticationFailure:  h((*Machine).authFailure),
		},
		WaitAUSFConfirm: {
			EvAUSFConfirmResult: h((*Machine).ausfConfirmResult),
		},
		SecurityMode: {
			EvSecurityModeComplete: h((*Machine).smcComplete),
			EvSecurityModeReject:   h((*Machine).smcReject),
		},
		WaitUDM: {
			EvUECMRegistrationResult: h((*Machine).uecmResult),
			EvSDMResult:              h((*Machine).sdmResult),
		},
		WaitRegistrationComplete: {
			EvRegistrationRequest:  h((*Machine).regRepeat),
			EvRegistrationComplete: h((*Machine).regComplete),
			EvNetworkDeregister:    h((*Machine).netDereg),
		},
		Registered: {
			EvRegistrationRequest:  h((*Machine).regOnRegistered),
			EvRegistrationComplete: drop, // a duplicate
			EvServiceRequest:       h((*Machine).serviceRegistered),
			EvULNASTransport:       h((*Machine).ulNASTransport),
			EvNetworkDeregister:    h((*Machine).netDereg),
		},
		DeregInitiated: {
			// TS 24.501 §5.5.2.3.5 c: the de-registration progresses.
			EvRegistrationRequest:  drop,
			EvDeregistrationAccept: h((*Machine).deregAccept),
			EvNetworkDeregister:    drop,
		},
	}
	var t [NumStates][NumEventKinds]transition
	for s := State(0); s < NumStates; s++ {
		for k := EventKind(0); k < NumEventKinds; k++ {
			switch {
			case k <= EvInvalidNAS:
				t[s][k] = s98 // uplink NAS not expected in this state
			default:
				t[s][k] = drop // stale SBI answer
			}
			if x, ok := common[k]; ok {
				t[s][k] = x
			}
			if x, ok := rows[s][k]; ok {
				t[s][k] = x
			}
		}
	}
	return t
}
