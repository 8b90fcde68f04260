package sbi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
)

// Media types of SBI message parts carrying N1 and N2 information
// (TS 29.500 §6.1.2.4, TS 29.502 §6.1.2.4, TS 29.518 §6.1.2.4; RFC 2387).
const (
	ContentMultipart = "multipart/related"
	Content5GNAS     = "application/vnd.3gpp.5gnas"
	ContentNGAP      = "application/vnd.3gpp.ngap"
)

// ErrMediaType marks a body whose content type is neither JSON nor multipart/related.
var ErrMediaType = errors.New("unsupported media type")

// BinaryPart is one binary part of a multipart body.
type BinaryPart struct {
	ContentType string
	Data        []byte
}

// MultipartBody is a decoded SBI body: the JSON part and the binary parts
// by Content-ID (angle brackets removed).
type MultipartBody struct {
	JSON   []byte
	Binary map[string]BinaryPart
}

// Part returns the binary part a RefToBinaryData's Content-ID names; ok is
// false when the reference is empty or unresolved.
func (b *MultipartBody) Part(contentID string) ([]byte, bool) {
	if b == nil || contentID == "" {
		return nil, false
	}
	p, ok := b.Binary[TrimContentID(contentID)]
	return p.Data, ok
}

// MultipartLimits shape DecodeMultipart.
type MultipartLimits struct {
	MaxParts    int  // parts accepted (required)
	MaxPartSize int  // octets per part (required)
	Problem     bool // accept application/problem+json as a plain JSON body
	// StrictPartType refuses a part whose Content-Type does not parse;
	// otherwise such a part counts as binary.
	StrictPartType bool
}

// TrimContentID removes blanks and one pair of angle brackets.
func TrimContentID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		s = s[1 : len(s)-1]
	}
	return s
}

// DecodeMultipart parses a body of content type ct: application/json, or
// multipart/related with one JSON part (the first, or the one the "start"
// parameter names) and binary parts with a Content-ID. It never panics;
// callers wrap its errors with their own sentinel.
func DecodeMultipart(ct string, raw []byte, l MultipartLimits) (*MultipartBody, error) {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, fmt.Errorf("%w: content type %q: %v", ErrMediaType, ct, err)
	}
	switch {
	case mt == ContentJSON, l.Problem && mt == ContentProblem:
		return &MultipartBody{JSON: raw}, nil
	case mt == ContentMultipart:
	default:
		return nil, fmt.Errorf("%w: content type %q is neither %s nor %s", ErrMediaType, mt, ContentMultipart, ContentJSON)
	}
	bd := params["boundary"]
	if bd == "" {
		return nil, errors.New("multipart/related without a boundary")
	}
	start := TrimContentID(params["start"])
	r := multipart.NewReader(bytes.NewReader(raw), bd)
	out := &MultipartBody{Binary: map[string]BinaryPart{}}
	for i := 0; ; i++ {
		p, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("part %d: %v", i, err)
		}
		if i >= l.MaxParts {
			return nil, fmt.Errorf("more than %d parts", l.MaxParts)
		}
		data, err := io.ReadAll(io.LimitReader(p, int64(l.MaxPartSize)+1))
		if err != nil {
			return nil, fmt.Errorf("part %d: %v", i, err)
		}
		if len(data) > l.MaxPartSize {
			return nil, fmt.Errorf("part %d exceeds %d octets", i, l.MaxPartSize)
		}
		pct, _, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil && l.StrictPartType {
			return nil, fmt.Errorf("part %d content type: %v", i, err)
		}
		cid := TrimContentID(p.Header.Get("Content-Id"))
		if pct == ContentJSON && out.JSON == nil && (start == "" || cid == start) {
			out.JSON = data
			continue
		}
		if cid == "" {
			return nil, fmt.Errorf("binary part %d (%s) has no Content-ID", i, pct)
		}
		if _, dup := out.Binary[cid]; dup {
			return nil, fmt.Errorf("Content-ID %q used twice", cid)
		}
		out.Binary[cid] = BinaryPart{ContentType: pct, Data: data}
	}
	if out.JSON == nil {
		return nil, errors.New("no application/json part")
	}
	return out, nil
}

// OutPart is one binary part to encode.
type OutPart struct {
	ContentID, ContentType string
	Data                   []byte
}

// EncodeMultipart writes a multipart/related body with the JSON js first,
// then the binary parts, under a fixed boundary (identical exchanges give
// identical captures). Content-IDs are written without angle brackets, as
// the free5gc/openapi decoder matches them verbatim.
func EncodeMultipart(boundary string, js []byte, parts ...OutPart) (ct string, body []byte, err error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.SetBoundary(boundary); err != nil {
		return "", nil, err
	}
	write := func(ctype, cid string, data []byte) error {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", ctype)
		if cid != "" {
			h.Set("Content-Id", cid)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			return err
		}
		_, err = pw.Write(data)
		return err
	}
	if err := write(ContentJSON, "", js); err != nil {
		return "", nil, err
	}
	for _, p := range parts {
		if err := write(p.ContentType, p.ContentID, p.Data); err != nil {
			return "", nil, err
		}
	}
	if err := w.Close(); err != nil {
		return "", nil, err
	}
	return ContentMultipart + `; boundary="` + boundary + `"`, buf.Bytes(), nil
}
