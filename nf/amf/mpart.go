package amf

// The SBI message bodies that carry N1 and N2 information: multipart/related
// with a JSON part and binary parts named by Content-ID (TS 29.500
// §6.1.2.4, TS 29.502 §6.1.2.4, TS 29.518 §6.1.2.4; RFC 2387). The AMF
// encodes its Nsmf_PDUSession requests and decodes the answers and
// N1N2MessageTransfer with this small codec instead of the free5gc/openapi
// multipart reflection, on the same wire format.

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/credbed/credbed/internal/sbi"
)

// Media types of SBI message parts.
const (
	ContentMultipart = sbi.ContentMultipart
	Content5GNAS     = sbi.Content5GNAS
	ContentNGAP      = sbi.ContentNGAP
)

// Content-IDs of the AMF's own binary parts.
const (
	cidN1 = "n1SmMsg"
	cidN2 = "n2SmInfo"
)

const (
	maxParts = 8
	// mpBoundary is fixed so that identical exchanges give identical
	// captures; the binary parts are short NAS and NGAP messages.
	mpBoundary = "credbed-amf-5b1e0c7d"
)

// ErrBody reports an SBI body the AMF cannot use.
var ErrBody = errors.New("amf: bad SBI body")

// sbiBody is a decoded body: the JSON part and the binary parts by
// Content-ID (angle brackets removed).
type sbiBody struct {
	json   []byte
	binary map[string][]byte
}

// part returns the binary part a Content-ID names.
func (b *sbiBody) part(cid string) ([]byte, bool) {
	if b == nil || cid == "" {
		return nil, false
	}
	p, ok := b.binary[sbi.TrimContentID(cid)]
	return p, ok
}

// errMediaType marks a content type that is neither JSON nor multipart.
var errMediaType = sbi.ErrMediaType

// decodeBody parses a body of content type ct: application/json (or
// application/problem+json), or multipart/related with one JSON part (the
// first, or the one the "start" parameter names) and binary parts with a
// Content-ID. It never panics; a nil body comes with an error.
func decodeBody(ct string, raw []byte) (*sbiBody, error) {
	m, err := sbi.DecodeMultipart(ct, raw, sbi.MultipartLimits{MaxParts: maxParts, MaxPartSize: sbi.MaxBody, Problem: true})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBody, err)
	}
	b := &sbiBody{json: m.JSON}
	if m.Binary != nil {
		b.binary = make(map[string][]byte, len(m.Binary))
		for cid, p := range m.Binary {
			b.binary[cid] = p.Data
		}
	}
	return b, nil
}

// binaryPart is one binary part to encode.
type binaryPart struct {
	cid, ctype string
	data       []byte
}

// encodeBody encodes v as JSON, alone (application/json) when there is no
// binary part, else as multipart/related with the JSON part first.
func encodeBody(v any, parts ...binaryPart) (ct string, body []byte, err error) {
	js, err := json.Marshal(v)
	if err != nil {
		return "", nil, err
	}
	if len(parts) == 0 {
		return sbi.ContentJSON, js, nil
	}
	out := make([]sbi.OutPart, len(parts))
	for i, p := range parts {
		out[i] = sbi.OutPart{ContentID: p.cid, ContentType: p.ctype, Data: p.data}
	}
	return sbi.EncodeMultipart(mpBoundary, js, out...)
}
