package nasx

import (
	"bytes"
	"fmt"

	"github.com/free5gc/nas/nasType"
)

// encode runs one free5gc/nas message encoder into a fresh buffer.
func encode(f func(*bytes.Buffer) error) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, 96))
	if err := f(buf); err != nil {
		return nil, fmt.Errorf("nasx: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// decode runs one free5gc/nas message decoder over b.
func decode(b []byte, f func(*[]byte) error) error { return f(&b) }

func checkLen(name string, b []byte, lo, hi int) error {
	if len(b) < lo || len(b) > hi {
		return invalid("%s: %d octets, want %d..%d", name, len(b), lo, hi)
	}
	return nil
}

func gmmHeader(mt MessageType) (nasType.ExtendedProtocolDiscriminator, nasType.SpareHalfOctetAndSecurityHeaderType, uint8) {
	return nasType.ExtendedProtocolDiscriminator{Octet: EPD5GMM}, nasType.SpareHalfOctetAndSecurityHeaderType{Octet: SecHdrPlain}, uint8(mt)
}

func gsmHeader(h GSMHeader, mt MessageType) (nasType.ExtendedProtocolDiscriminator, nasType.PDUSessionID, nasType.PTI, uint8) {
	return nasType.ExtendedProtocolDiscriminator{Octet: EPD5GSM}, nasType.PDUSessionID{Octet: h.PDUSessionID}, nasType.PTI{Octet: h.PTI}, uint8(mt)
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// IE helpers shared by several messages.

func eapIE(iei uint8, b []byte) (*nasType.EAPMessage, error) {
	if b == nil {
		return nil, nil
	}
	if err := checkLen("EAP message", b, 4, 1500); err != nil {
		return nil, err
	}
	return &nasType.EAPMessage{Iei: iei, Len: uint16(len(b)), Buffer: b}, nil
}

func eapBytes(e *nasType.EAPMessage) []byte {
	if e == nil {
		return nil
	}
	return cloneBytes(e.Buffer)
}

func nasContainerIE(iei uint8, b []byte) (*nasType.NASMessageContainer, error) {
	if b == nil {
		return nil, nil
	}
	if err := checkLen("NAS message container", b, 1, 0xffff); err != nil {
		return nil, err
	}
	return &nasType.NASMessageContainer{Iei: iei, Len: uint16(len(b)), Buffer: b}, nil
}

func nasContainerBytes(c *nasType.NASMessageContainer) []byte {
	if c == nil {
		return nil
	}
	return cloneBytes(c.Buffer)
}

func timer2Ptr(v uint8) *GPRSTimer2 { t := GPRSTimer2(v); return &t }

func timer3Ptr(v uint8) *GPRSTimer3 { t := GPRSTimer3(v); return &t }

func causePtr(c uint8) *uint8 { return &c }

func snssaiIE(iei uint8, s *SNSSAI) *nasType.SNSSAI {
	if s == nil {
		return nil
	}
	ie := &nasType.SNSSAI{Iei: iei}
	c := s.contents()
	ie.Len = uint8(len(c))
	copy(ie.Octet[:], c)
	return ie
}

func snssaiFromIE(ie *nasType.SNSSAI) (*SNSSAI, error) {
	if ie == nil {
		return nil, nil
	}
	n := int(ie.Len)
	if n > len(ie.Octet) {
		return nil, fmt.Errorf("S-NSSAI length %d", n)
	}
	s, err := decodeSNSSAIContents(ie.Octet[:n])
	if err != nil {
		return nil, err
	}
	return &s, nil
}

func dnnIE(iei uint8, dnn string) (*nasType.DNN, error) {
	if dnn == "" {
		return nil, nil
	}
	b, err := encodeDNN(dnn)
	if err != nil {
		return nil, err
	}
	return &nasType.DNN{Iei: iei, Len: uint8(len(b)), Buffer: b}, nil
}

func dnnFromIE(ie *nasType.DNN) (string, error) {
	if ie == nil {
		return "", nil
	}
	return decodeDNN(ie.Buffer)
}
