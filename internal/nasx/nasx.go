package nasx

import (
	"errors"
	"fmt"
)

// Extended protocol discriminators (TS 24.501 §9.2, TS 24.007 §11.2.3.1.1A).
const (
	EPD5GMM uint8 = 0x7e // 5GS mobility management
	EPD5GSM uint8 = 0x2e // 5GS session management
)

// Security header types (TS 24.501 §9.3.1).
const (
	SecHdrPlain                   uint8 = 0 // plain NAS message, not security protected
	SecHdrIntegrity               uint8 = 1 // integrity protected
	SecHdrIntegrityCiphered       uint8 = 2 // integrity protected and ciphered
	SecHdrIntegrityNewCtx         uint8 = 3 // integrity protected with new 5G NAS security context (SECURITY MODE COMMAND)
	SecHdrIntegrityCipheredNewCtx uint8 = 4 // integrity protected and ciphered with new 5G NAS security context (SECURITY MODE COMPLETE)
)

// Msg is a typed plain NAS message. Build returns its plain NAS encoding
// (header included, no security header).
type Msg interface {
	EPD() uint8
	MessageType() MessageType
	Build() ([]byte, error)
}

// GSMHeader is the part of the 5GSM header that names the session: PDU
// session identity (1..15) and procedure transaction identity (TS 24.501
// §9.4, §9.6).
type GSMHeader struct {
	PDUSessionID uint8
	PTI          uint8
}

// GSM returns the header; every 5GSM message embeds GSMHeader.
func (h GSMHeader) GSM() GSMHeader { return h }

// GSMMsg is a 5GSM message.
type GSMMsg interface {
	Msg
	GSM() GSMHeader
}

// Errors. Parse errors are *ParseError values wrapping one of the first five;
// Build errors wrap ErrInvalid.
var (
	ErrShort              = errors.New("nasx: message too short")
	ErrUnknownEPD         = errors.New("nasx: unknown extended protocol discriminator")
	ErrProtected          = errors.New("nasx: security protected message (remove the security header first)")
	ErrUnknownMessageType = errors.New("nasx: message type unknown or not supported")
	ErrMalformed          = errors.New("nasx: malformed message")
	ErrInvalid            = errors.New("nasx: invalid field value")
)

// ParseError says which message failed to parse and why. Err is one of the
// sentinel errors above; Detail is the decoder's own explanation.
type ParseError struct {
	EPD         uint8
	MessageType MessageType
	Err         error
	Detail      string
}

func (e *ParseError) Error() string {
	s := fmt.Sprintf("nasx: parse %s (epd 0x%02x): %v", e.MessageType, e.EPD, e.Err)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
}

// Parse decodes one plain NAS message (5GMM with security header type 0, or
// 5GSM) into its typed value. It never panics: the free5gc decoders it runs
// are generated code over untrusted bytes, so a panic inside them (or in the
// conversion that follows) is recovered here, at the package boundary and
// nowhere else, and returned as ErrMalformed. A nil Msg always comes with a
// non-nil error.
func Parse(plain []byte) (m Msg, err error) {
	if len(plain) < 3 {
		return nil, &ParseError{Err: ErrShort, Detail: fmt.Sprintf("%d octets", len(plain))}
	}
	epd := plain[0]
	var mt MessageType
	switch epd {
	case EPD5GMM:
		mt = MessageType(plain[2])
		if sht := plain[1] & 0x0f; sht != SecHdrPlain {
			return nil, &ParseError{EPD: epd, Err: ErrProtected, Detail: fmt.Sprintf("security header type %d", sht)}
		}
	case EPD5GSM:
		if len(plain) < 4 {
			return nil, &ParseError{EPD: epd, Err: ErrShort, Detail: fmt.Sprintf("%d octets", len(plain))}
		}
		mt = MessageType(plain[3])
	default:
		return nil, &ParseError{EPD: epd, Err: ErrUnknownEPD}
	}
	defer func() {
		if r := recover(); r != nil {
			m = nil
			err = &ParseError{EPD: epd, MessageType: mt, Err: ErrMalformed, Detail: fmt.Sprintf("decoder panic: %v", r)}
		}
	}()
	var dec func([]byte) (Msg, error)
	if epd == EPD5GMM {
		dec = gmmDecoders(mt)
	} else {
		dec = gsmDecoders(mt)
	}
	if dec == nil {
		return nil, &ParseError{EPD: epd, MessageType: mt, Err: ErrUnknownMessageType}
	}
	m, err = dec(plain)
	if err != nil {
		return nil, &ParseError{EPD: epd, MessageType: mt, Err: ErrMalformed, Detail: err.Error()}
	}
	if m == nil {
		return nil, &ParseError{EPD: epd, MessageType: mt, Err: ErrMalformed}
	}
	return m, nil
}

// ParseGSM parses b and requires a 5GSM message.
func ParseGSM(b []byte) (GSMMsg, error) {
	m, err := Parse(b)
	if err != nil {
		return nil, err
	}
	g, ok := m.(GSMMsg)
	if !ok {
		return nil, &ParseError{EPD: m.EPD(), MessageType: m.MessageType(), Err: ErrUnknownEPD, Detail: "not a 5GSM message"}
	}
	return g, nil
}

func gmmDecoders(mt MessageType) func([]byte) (Msg, error) {
	switch mt {
	case MsgRegistrationRequest:
		return wrap(parseRegistrationRequest)
	case MsgRegistrationAccept:
		return wrap(parseRegistrationAccept)
	case MsgRegistrationComplete:
		return wrap(parseRegistrationComplete)
	case MsgRegistrationReject:
		return wrap(parseRegistrationReject)
	case MsgDeregistrationRequestUEOriginating:
		return wrap(parseDeregistrationRequestUEOriginating)
	case MsgDeregistrationAcceptUEOriginating:
		return wrap(parseDeregistrationAcceptUEOriginating)
	case MsgDeregistrationRequestUETerminated:
		return wrap(parseDeregistrationRequestUETerminated)
	case MsgDeregistrationAcceptUETerminated:
		return wrap(parseDeregistrationAcceptUETerminated)
	case MsgServiceRequest:
		return wrap(parseServiceRequest)
	case MsgServiceAccept:
		return wrap(parseServiceAccept)
	case MsgServiceReject:
		return wrap(parseServiceReject)
	case MsgAuthenticationRequest:
		return wrap(parseAuthenticationRequest)
	case MsgAuthenticationResponse:
		return wrap(parseAuthenticationResponse)
	case MsgAuthenticationReject:
		return wrap(parseAuthenticationReject)
	case MsgAuthenticationFailure:
		return wrap(parseAuthenticationFailure)
	case MsgIdentityRequest:
		return wrap(parseIdentityRequest)
	case MsgIdentityResponse:
		return wrap(parseIdentityResponse)
	case MsgSecurityModeCommand:
		return wrap(parseSecurityModeCommand)
	case MsgSecurityModeComplete:
		return wrap(parseSecurityModeComplete)
	case MsgSecurityModeReject:
		return wrap(parseSecurityModeReject)
	case MsgStatus5GMM:
		return wrap(parseStatus5GMM)
	case MsgULNASTransport:
		return wrap(parseULNASTransport)
	case MsgDLNASTransport:
		return wrap(parseDLNASTransport)
	}
	return nil
}

func gsmDecoders(mt MessageType) func([]byte) (Msg, error) {
	switch mt {
	case MsgPDUSessionEstablishmentRequest:
		return wrap(parsePDUSessionEstablishmentRequest)
	case MsgPDUSessionEstablishmentAccept:
		return wrap(parsePDUSessionEstablishmentAccept)
	case MsgPDUSessionEstablishmentReject:
		return wrap(parsePDUSessionEstablishmentReject)
	case MsgPDUSessionReleaseRequest:
		return wrap(parsePDUSessionReleaseRequest)
	case MsgPDUSessionReleaseCommand:
		return wrap(parsePDUSessionReleaseCommand)
	case MsgPDUSessionReleaseComplete:
		return wrap(parsePDUSessionReleaseComplete)
	case MsgStatus5GSM:
		return wrap(parseStatus5GSM)
	}
	return nil
}

// wrap adapts a typed parse function; a typed nil pointer never escapes as a
// non-nil Msg.
func wrap[T Msg](f func([]byte) (T, error)) func([]byte) (Msg, error) {
	return func(b []byte) (Msg, error) {
		m, err := f(b)
		if err != nil {
			return nil, err
		}
		return m, nil
	}
}
