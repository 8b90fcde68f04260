package smf

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

// Media types of SBI message parts (TS 29.502 §6.1.2.4, TS 29.518 §6.1.2.4).
const (
	ContentMultipart = "multipart/related"
	Content5GNAS     = "application/vnd.3gpp.5gnas"
	ContentNGAP      = "application/vnd.3gpp.ngap"
)

// Content ids the SMF gives its own binary parts.
const (
	contentIDN1 = "n1SmMsg"
	contentIDN2 = "n2SmInfo"
)

// Limits of a multipart body.
const (
	maxParts    = 8
	maxPartSize = 64 << 10
	// boundary is fixed so captures of identical exchanges are identical;
	// it cannot occur in the JSON part and the binary parts are the SMF's own.
	boundary = "credbed-smf-7f3a9c"
)

// ErrMultipart reports an unusable SBI request body.
var ErrMultipart = errors.New("smf: bad multipart body")

// Body is a decoded SBI request body: the JSON part and the binary parts
// by Content-ID (angle brackets removed).
type Body struct {
	JSON   []byte
	Binary map[string]BinaryPart
}

// BinaryPart is one binary part.
type BinaryPart struct {
	ContentType string
	Data        []byte
}

// Part returns the binary part a RefToBinaryData names; ok is false when
// the reference is empty or unresolved.
func (b *Body) Part(contentID string) ([]byte, bool) {
	if contentID == "" {
		return nil, false
	}
	p, ok := b.Binary[trimCID(contentID)]
	return p.Data, ok
}

// DecodeBody parses an SBI request body of content type ct: either
// application/json, or multipart/related with one JSON part (the first, or
// the one named by the "start" parameter) and binary parts with a
// Content-ID (RFC 2387; TS 29.500 §6.1.2.4). It never panics.
func DecodeBody(ct string, body []byte) (*Body, error) {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, fmt.Errorf("%w: content type %q: %v", ErrMultipart, ct, err)
	}
	switch mt {
	case sbi.ContentJSON:
		return &Body{JSON: body}, nil
	case ContentMultipart:
	default:
		return nil, fmt.Errorf("%w: content type %q is neither %s nor %s", ErrMultipart, mt, ContentMultipart, sbi.ContentJSON)
	}
	bd := params["boundary"]
	if bd == "" {
		return nil, fmt.Errorf("%w: multipart/related without a boundary", ErrMultipart)
	}
	start := trimCID(params["start"])
	r := multipart.NewReader(bytes.NewReader(body), bd)
	out := &Body{Binary: map[string]BinaryPart{}}
	for i := 0; ; i++ {
		p, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: part %d: %v", ErrMultipart, i, err)
		}
		if i >= maxParts {
			return nil, fmt.Errorf("%w: more than %d parts", ErrMultipart, maxParts)
		}
		data, err := io.ReadAll(io.LimitReader(p, maxPartSize+1))
		if err != nil {
			return nil, fmt.Errorf("%w: part %d: %v", ErrMultipart, i, err)
		}
		if len(data) > maxPartSize {
			return nil, fmt.Errorf("%w: part %d exceeds %d octets", ErrMultipart, i, maxPartSize)
		}
		pct, _, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil {
			return nil, fmt.Errorf("%w: part %d content type: %v", ErrMultipart, i, err)
		}
		cid := trimCID(p.Header.Get("Content-Id"))
		isJSON := pct == sbi.ContentJSON && (start == "" || cid == start)
		if isJSON && out.JSON == nil {
			out.JSON = data
			continue
		}
		if cid == "" {
			return nil, fmt.Errorf("%w: binary part %d (%s) has no Content-ID", ErrMultipart, i, pct)
		}
		if _, dup := out.Binary[cid]; dup {
			return nil, fmt.Errorf("%w: Content-ID %q used twice", ErrMultipart, cid)
		}
		out.Binary[cid] = BinaryPart{ContentType: pct, Data: data}
	}
	if out.JSON == nil {
		return nil, fmt.Errorf("%w: no application/json part", ErrMultipart)
	}
	return out, nil
}

// decodeJSON unmarshals the JSON part into v.
func (b *Body) decodeJSON(v any) error {
	if len(bytes.TrimSpace(b.JSON)) == 0 {
		return fmt.Errorf("%w: empty JSON part", ErrMultipart)
	}
	if err := json.Unmarshal(b.JSON, v); err != nil {
		return fmt.Errorf("%w: JSON part: %v", ErrMultipart, err)
	}
	return nil
}

func trimCID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		s = s[1 : len(s)-1]
	}
	return s
}

// encodedPart is one binary part of a response.
type encodedPart struct {
	contentID   string
	contentType string
	data        []byte
}

// encodeMultipart writes a multipart/related body: the JSON of v first,
// then the binary parts. Content-IDs are written without angle brackets,
// as the free5gc/openapi decoder matches them verbatim.
func encodeMultipart(v any, parts ...encodedPart) (ct string, body []byte, err error) {
	js, err := json.Marshal(v)
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(boundary); err != nil {
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
		h.Set("Content-Type", p.contentType)
		h.Set("Content-Id", p.contentID)
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
	return ContentMultipart + `; boundary="` + boundary + `"`, buf.Bytes(), nil
}
