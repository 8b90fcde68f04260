package nasx

import "fmt"

// ProtectedHeaderLen is the length of the security header of a protected
// 5GMM message: EPD, security header type, MAC (4), sequence number.
const ProtectedHeaderLen = 7

// Header is what can be read from any NAS PDU without keys and without
// decoding its IEs (TS 24.501 §9.1.1, §9.3).
type Header struct {
	EPD uint8
	// SecurityHeaderType is the outer security header type (5GMM only).
	SecurityHeaderType uint8
	// MAC and SQN are set for a security protected 5GMM message.
	MAC [4]byte
	SQN uint8
	// MessageType is the type of the plain message, or of the inner plain
	// message of an integrity-only protected PDU. MessageTypeKnown is false
	// when the inner message is ciphered.
	MessageType      MessageType
	MessageTypeKnown bool
	// PDUSessionID and PTI are set for a 5GSM message.
	PDUSessionID uint8
	PTI          uint8
}

// Protected reports whether the PDU carries a 5GMM security header.
func (h Header) Protected() bool {
	return h.EPD == EPD5GMM && h.SecurityHeaderType != SecHdrPlain
}

// Ciphered reports whether the inner message is ciphered.
func (h Header) Ciphered() bool {
	return h.EPD == EPD5GMM && (h.SecurityHeaderType == SecHdrIntegrityCiphered ||
		h.SecurityHeaderType == SecHdrIntegrityCipheredNewCtx)
}

// NewContext reports whether the security header announces a new 5G NAS
// security context (types 3 and 4).
func (h Header) NewContext() bool {
	return h.EPD == EPD5GMM && (h.SecurityHeaderType == SecHdrIntegrityNewCtx ||
		h.SecurityHeaderType == SecHdrIntegrityCipheredNewCtx)
}

// PeekHeader inspects a NAS PDU (plain or protected) without decoding it.
func PeekHeader(pdu []byte) (Header, error) {
	if len(pdu) < 3 {
		return Header{}, &ParseError{Err: ErrShort, Detail: fmt.Sprintf("%d octets", len(pdu))}
	}
	h := Header{EPD: pdu[0]}
	switch h.EPD {
	case EPD5GSM:
		if len(pdu) < 4 {
			return Header{}, &ParseError{EPD: h.EPD, Err: ErrShort, Detail: fmt.Sprintf("%d octets", len(pdu))}
		}
		h.PDUSessionID, h.PTI = pdu[1], pdu[2]
		h.MessageType, h.MessageTypeKnown = MessageType(pdu[3]), true
		return h, nil
	case EPD5GMM:
	default:
		return Header{}, &ParseError{EPD: h.EPD, Err: ErrUnknownEPD}
	}
	h.SecurityHeaderType = pdu[1] & 0x0f
	switch h.SecurityHeaderType {
	case SecHdrPlain:
		h.MessageType, h.MessageTypeKnown = MessageType(pdu[2]), true
		return h, nil
	case SecHdrIntegrity, SecHdrIntegrityCiphered, SecHdrIntegrityNewCtx, SecHdrIntegrityCipheredNewCtx:
	default:
		return Header{}, &ParseError{EPD: h.EPD, Err: ErrMalformed,
			Detail: fmt.Sprintf("reserved security header type %d", h.SecurityHeaderType)}
	}
	if len(pdu) < ProtectedHeaderLen {
		return Header{}, &ParseError{EPD: h.EPD, Err: ErrShort, Detail: fmt.Sprintf("protected PDU of %d octets", len(pdu))}
	}
	copy(h.MAC[:], pdu[2:6])
	h.SQN = pdu[6]
	if h.Ciphered() {
		return h, nil
	}
	inner := pdu[ProtectedHeaderLen:]
	if len(inner) < 3 {
		return Header{}, &ParseError{EPD: h.EPD, Err: ErrShort, Detail: fmt.Sprintf("inner message of %d octets", len(inner))}
	}
	h.MessageType, h.MessageTypeKnown = MessageType(inner[2]), true
	return h, nil
}
