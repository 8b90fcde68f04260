package gmm

import "fmt"

// State is a 5GMM main state of the UE (TS 24.501 §5.1.3.2.1).
type State uint8

// States.
const (
	StateDeregistered          State = iota + 1 // 5GMM-DEREGISTERED
	StateRegisteredInitiated                    // 5GMM-REGISTERED-INITIATED
	StateRegistered                             // 5GMM-REGISTERED
	StateDeregisteredInitiated                  // 5GMM-DEREGISTERED-INITIATED
	numStates
)

// States lists every state.
func States() []State {
	return []State{StateDeregistered, StateRegisteredInitiated, StateRegistered, StateDeregisteredInitiated}
}

func (s State) String() string {
	switch s {
	case StateDeregistered:
		return "5GMM-DEREGISTERED"
	case StateRegisteredInitiated:
		return "5GMM-REGISTERED-INITIATED"
	case StateRegistered:
		return "5GMM-REGISTERED"
	case StateDeregisteredInitiated:
		return "5GMM-DEREGISTERED-INITIATED"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// EventKind is a column of the transition table: a user request, a timer, a
// lower-layer indication, or a downlink 5GMM message type after the security
// checks.
type EventKind uint8

// Event kinds.
const (
	EvRegister              EventKind = iota + 1 // user: start registration
	EvDeregister                                 // user: UE-originating de-registration
	EvSendSM                                     // user: send a 5GSM message in UL NAS TRANSPORT
	EvConnectionReleased                         // lower layers: N2/RRC connection released
	EvT3510                                      // timer T3510 expired
	EvT3520                                      // timer T3520 expired
	EvT3521                                      // timer T3521 expired
	EvAuthenticationRequest                      // AUTHENTICATION REQUEST
	EvAuthenticationReject                       // AUTHENTICATION REJECT
	EvAuthenticationResult                       // AUTHENTICATION RESULT (EAP; not supported)
	EvIdentityRequest                            // IDENTITY REQUEST
	EvSecurityModeCommand                        // SECURITY MODE COMMAND
	EvRegistrationAccept                         // REGISTRATION ACCEPT
	EvRegistrationReject                         // REGISTRATION REJECT
	EvDeregistrationRequest                      // DEREGISTRATION REQUEST (UE terminated)
	EvDeregistrationAccept                       // DEREGISTRATION ACCEPT (UE originating)
	EvDLNASTransport                             // DL NAS TRANSPORT
	EvServiceAccept                              // SERVICE ACCEPT
	EvServiceReject                              // SERVICE REJECT
	EvStatus                                     // 5GMM STATUS
	EvUnsupportedMessage                         // any other downlink 5GMM message type
	numEventKinds
)

// EventKinds lists every event kind.
func EventKinds() []EventKind {
	k := make([]EventKind, 0, numEventKinds-1)
	for e := EvRegister; e < numEventKinds; e++ {
		k = append(k, e)
	}
	return k
}

var eventNames = [numEventKinds]string{
	EvRegister: "Register", EvDeregister: "Deregister", EvSendSM: "SendSM",
	EvConnectionReleased: "ConnectionReleased", EvT3510: "T3510", EvT3520: "T3520", EvT3521: "T3521",
	EvAuthenticationRequest: "AUTHENTICATION REQUEST", EvAuthenticationReject: "AUTHENTICATION REJECT",
	EvAuthenticationResult: "AUTHENTICATION RESULT", EvIdentityRequest: "IDENTITY REQUEST",
	EvSecurityModeCommand: "SECURITY MODE COMMAND", EvRegistrationAccept: "REGISTRATION ACCEPT",
	EvRegistrationReject: "REGISTRATION REJECT", EvDeregistrationRequest: "DEREGISTRATION REQUEST (UE terminated)",
	EvDeregistrationAccept: "DEREGISTRATION ACCEPT (UE originating)", EvDLNASTransport: "DL NAS TRANSPORT",
	EvServiceAccept: "SERVICE ACCEPT", EvServiceReject: "SERVICE REJECT", EvStatus: "5GMM STATUS",
	EvUnsupportedMessage: "unsupported message",
}

func (k EventKind) String() string {
	if k > 0 && k < numEventKinds {
		return eventNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Disposition says what the machine does with an event in a state.
type Disposition uint8

// Dispositions.
const (
	// Handle runs the procedure handler.
	Handle Disposition = iota + 1
	// Ignore discards the event (a message is traced as KindDrop).
	Ignore
	// Refuse rejects a user request with an error (ErrBusy, ErrRegistered,
	// ErrNotRegistered); nothing is sent.
	Refuse
	// Status98 answers a message with 5GMM STATUS #98 "message type not
	// compatible with the protocol state" (TS 24.501 §7.4).
	Status98
	// Status97 answers a message with 5GMM STATUS #97 "message type
	// non-existent or not implemented" (TS 24.501 §7.4).
	Status97
)

func (d Disposition) String() string {
	switch d {
	case Handle:
		return "handle"
	case Ignore:
		return "ignore"
	case Refuse:
		return "refuse"
	case Status98:
		return "status#98"
	case Status97:
		return "status#97"
	}
	return fmt.Sprintf("Disposition(%d)", uint8(d))
}

// handler runs one transition; in carries the decoded event.
type handler func(m *Machine, in *input, out *Output) error

type transition struct {
	disp Disposition
	name string
	h    handler
	err  error // for Refuse
}

func handle(name string, h handler) transition { return transition{disp: Handle, name: name, h: h} }

var (
	ignore   = transition{disp: Ignore}
	status98 = transition{disp: Status98}
	status97 = transition{disp: Status97}
)

func refuse(err error) transition { return transition{disp: Refuse, err: err} }

// table is the UE 5GMM transition table. Rows are states, columns event kinds;
// a zero entry would be a hole, which TestTableComplete forbids.
var table = [numStates][numEventKinds]transition{
	StateDeregistered: {
		EvRegister:              handle("startRegistration", (*Machine).startRegistration),
		EvDeregister:            refuse(ErrNotRegistered),
		EvSendSM:                refuse(ErrNotRegistered),
		EvConnectionReleased:    handle("released", (*Machine).released),
		EvT3510:                 ignore,
		EvT3520:                 ignore,
		EvT3521:                 ignore,
		EvAuthenticationRequest: ignore,
		EvAuthenticationReject:  ignore,
		EvAuthenticationResult:  ignore,
		EvIdentityRequest:       ignore,
		EvSecurityModeCommand:   ignore,
		EvRegistrationAccept:    ignore,
		EvRegistrationReject:    ignore,
		EvDeregistrationRequest: ignore,
		EvDeregistrationAccept:  ignore,
		EvDLNASTransport:        ignore,
		EvServiceAccept:         ignore,
		EvServiceReject:         ignore,
		EvStatus:                ignore,
		EvUnsupportedMessage:    ignore,
	},
	StateRegisteredInitiated: {
		EvRegister:              refuse(ErrBusy),
		EvDeregister:            refuse(ErrBusy),
		EvSendSM:                refuse(ErrNotRegistered),
		EvConnectionReleased:    handle("registrationAborted", (*Machine).registrationAborted),
		EvT3510:                 handle("t3510", (*Machine).t3510),
		EvT3520:                 handle("t3520", (*Machine).t3520),
		EvT3521:                 ignore,
		EvAuthenticationRequest: handle("authenticationRequest", (*Machine).authenticationRequest),
		EvAuthenticationReject:  handle("authenticationReject", (*Machine).authenticationReject),
		EvAuthenticationResult:  status97,
		EvIdentityRequest:       handle("identityRequest", (*Machine).identityRequest),
		EvSecurityModeCommand:   handle("securityModeCommand", (*Machine).securityModeCommand),
		EvRegistrationAccept:    handle("registrationAccept", (*Machine).registrationAccept),
		EvRegistrationReject:    handle("registrationReject", (*Machine).registrationReject),
		EvDeregistrationRequest: handle("networkDeregistration", (*Machine).networkDeregistration),
		EvDeregistrationAccept:  status98,
		EvDLNASTransport:        status98,
		EvServiceAccept:         status98,
		EvServiceReject:         status98,
		EvStatus:                handle("status", (*Machine).status),
		EvUnsupportedMessage:    status97,
	},
	StateRegistered: {
		EvRegister:              refuse(ErrRegistered),
		EvDeregister:            handle("startDeregistration", (*Machine).startDeregistration),
		EvSendSM:                handle("sendSM", (*Machine).sendSM),
		EvConnectionReleased:    handle("released", (*Machine).released),
		EvT3510:                 ignore,
		EvT3520:                 handle("t3520", (*Machine).t3520),
		EvT3521:                 ignore,
		EvAuthenticationRequest: handle("authenticationRequest", (*Machine).authenticationRequest),
		EvAuthenticationReject:  handle("authenticationReject", (*Machine).authenticationReject),
		EvAuthenticationResult:  status97,
		EvIdentityRequest:       handle("identityRequest", (*Machine).identityRequest),
		EvSecurityModeCommand:   handle("securityModeCommand", (*Machine).securityModeCommand),
		EvRegistrationAccept:    status98,
		EvRegistrationReject:    status98,
		EvDeregistrationRequest: handle("networkDeregistration", (*Machine).networkDeregistration),
		EvDeregistrationAccept:  status98,
		EvDLNASTransport:        handle("dlNASTransport", (*Machine).dlNASTransport),
		EvServiceAccept:         status98,
		EvServiceReject:         status98,
		EvStatus:                handle("status", (*Machine).status),
		EvUnsupportedMessage:    status97,
	},
	StateDeregisteredInitiated: {
		EvRegister:              refuse(ErrBusy),
		EvDeregister:            refuse(ErrBusy),
		EvSendSM:                refuse(ErrNotRegistered),
		EvConnectionReleased:    handle("deregistrationReleased", (*Machine).deregistrationReleased),
		EvT3510:                 ignore,
		EvT3520:                 handle("t3520", (*Machine).t3520),
		EvT3521:                 handle("t3521", (*Machine).t3521),
		EvAuthenticationRequest: handle("authenticationRequest", (*Machine).authenticationRequest),
		EvAuthenticationReject:  handle("authenticationReject", (*Machine).authenticationReject),
		EvAuthenticationResult:  status97,
		EvIdentityRequest:       handle("identityRequest", (*Machine).identityRequest),
		EvSecurityModeCommand:   status98,
		EvRegistrationAccept:    status98,
		EvRegistrationReject:    status98,
		EvDeregistrationRequest: handle("networkDeregistration", (*Machine).networkDeregistration),
		EvDeregistrationAccept:  handle("deregistrationAccept", (*Machine).deregistrationAccept),
		EvDLNASTransport:        ignore,
		EvServiceAccept:         status98,
		EvServiceReject:         status98,
		EvStatus:                handle("status", (*Machine).status),
		EvUnsupportedMessage:    status97,
	},
}

// Transition is one cell of the table, for documentation and tests.
type Transition struct {
	State       State
	Event       EventKind
	Disposition Disposition
	// Handler names the procedure step for Handle.
	Handler string
}

// Table returns every cell of the transition table, row by row. A cell with
// a zero Disposition is a hole (the completeness test forbids them).
func Table() []Transition {
	var t []Transition
	for _, s := range States() {
		for _, e := range EventKinds() {
			c := table[s][e]
			t = append(t, Transition{State: s, Event: e, Disposition: c.disp, Handler: c.name})
		}
	}
	return t
}
