package smf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/credbed/credbed/internal/sbi"
)

// Media types of SBI message parts (TS 29.502 §6.1.2.4, TS 29.518 §6.1.2.4).
const (
	ContentMultipart = sbi.ContentMultipart
	Content5GNAS     = sbi.Content5GNAS
	ContentNGAP      = sbi.ContentNGAP
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
type Body = sbi.MultipartBody

// BinaryPart is one binary part.
type BinaryPart = sbi.BinaryPart

// DecodeBody parses an SBI request body of content type ct: either
// application/json, or multipart/related with one JSON part (the first, or
// the one named by the "start" parameter) and binary parts with a
// Content-ID (RFC 2387; TS 29.500 §6.1.2.4). It never panics.
func DecodeBody(ct string, body []byte) (*Body, error) {
	b, err := sbi.DecodeMultipart(ct, body, sbi.MultipartLimits{MaxParts: maxParts, MaxPartSize: maxPartSize, StrictPartType: true})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMultipart, err)
	}
	return b, nil
}

// decodeJSON unmarshals the JSON part of b into v.
func decodeJSON(b *Body, v any) error {
	if len(bytes.TrimSpace(b.JSON)) == 0 {
		return fmt.Errorf("%w: empty JSON part", ErrMultipart)
	}
	if err := json.Unmarshal(b.JSON, v); err != nil {
		return fmt.Errorf("%w: JSON part: %v", ErrMultipart, err)
	}
	return nil
}

// encodedPart is one binary part of a response.
type encodedPart = sbi.OutPart

// encodeMultipart writes a multipart/related body: the JSON of v first,
// then the binary parts.
func encodeMultipart(v any, parts ...encodedPart) (ct string, body []byte, err error) {
	js, err := json.Marshal(v)
	if err != nil {
		return "", nil, err
	}
	return sbi.EncodeMultipart(boundary, js, parts...)
}
