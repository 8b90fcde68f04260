package amf

// The SBI message bodies that carry N1 and N2 information: multipart/related
// with a JSON part and binary parts named by Content-ID (TS 29.500
// §6.1.2.4, TS 29.502 §6.1.2.4, TS 29.518 §6.1.2.4; RFC 2387). The AMF
// encodes its Nsmf_PDUSession requests and decodes the answers and
// N1N2MessageTransfer with this small codec instead of the free5gc/openapi
// multipart reflection, on the same wire format.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"

	"github.com/credbed/credbed/internal/sbi"
)

// Media types of SBI message parts.
const (
	ContentMultipart = "multipart/related"
	Content5GNAS     = "application/vnd.3gpp.5gnas"
	ContentNGAP      = "application/vnd.3gpp.ngap"
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
	p, ok := b.binary[trimCID(cid)]
	return p, ok
}

func trimCID(s string) string { return strings.Trim(strings.TrimSpace(s), "<>") }

// errMediaType marks a content type that is neither JSON nor multipart.
var errMediaType = errors.New("unsupported media type")

// decodeBody parses a body of content type ct: application/json (or
// application/problem+json), or multipart/related with one JSON part (the
// first, or the one the "start" parameter names) and binary parts with a
// Content-ID. It never panics; a nil body comes with an error.
func decodeBody(ct string, raw []byte) (*sbiBody, error) {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, fmt.Errorf("%w: %w: content type %q", ErrBody, errMediaType, ct)
	}
	switch mt {
	case sbi.ContentJSON, sbi.ContentProblem:
		return &sbiBody{json: raw}, nil
	case ContentMultipart:
	default:
		return nil, fmt.Errorf("%w: %w: %s", ErrBody, errMediaType, mt)
	}
	if params["boundary"] == "" {
		return nil, fmt.Errorf("%w: multipart/related without boundary", ErrBody)
	}
	start := trimCID(params["start"])
	mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
	b := &sbiBody{binary: map[string][]byte{}}
	for i := 0; ; i++ {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: part %d: %v", ErrBody, i, err)
		}
		if i >= maxParts {
			return nil, fmt.Errorf("%w: more than %d parts", ErrBody, maxParts)
		}
		data, err := io.ReadAll(io.LimitReader(p, sbi.MaxBody))
		if err != nil {
			return nil, fmt.Errorf("%w: part %d unreadable", ErrBody, i)
		}
		pct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		cid := trimCID(p.Header.Get("Content-Id"))
		if pct == sbi.ContentJSON && b.json == nil && (start == "" || cid == start) {
			b.json = data
			continue
		}
		if cid == "" {
			return nil, fmt.Errorf("%w: binary part %d without Content-ID", ErrBody, i)
		}
		if _, dup := b.binary[cid]; dup {
			return nil, fmt.Errorf("%w: Content-ID %q used twice", ErrBody, cid)
		}
		b.binary[cid] = data
	}
	if b.json == nil {
		return nil, fmt.Errorf("%w: multipart body without a JSON part", ErrBody)
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
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(mpBoundary); err != nil {
		return "", nil, err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", sbi.ContentJSON)
	pw, err := w.CreatePart(h)
	if err != nil {
		return "", nil, err
	}
	if _, err := pw.Write(js); err != nil {
		return "", nil, err
	}
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", p.ctype)
		h.Set("Content-Id", p.cid)
		pw, err := w.CreatePart(h)
		if err != nil {
			return "", nil, err
		}
		if _, err := pw.Write(p.data); err != nil {
			return "", nil, err
		}
	}
	if err := w.Close(); err != nil {
		return "", nil, err
	}
	return ContentMultipart + `; boundary="` + mpBoundary + `"`, buf.Bytes(), nil
}
