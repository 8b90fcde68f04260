package credential

import (
	"errors"
	"fmt"
)

// Sentinel errors. Decoding failures wrap ErrMalformed and one of the more
// specific sentinels; sealing failures wrap ErrMalformed, ErrTampered or
// ErrWrongKey. No error string ever carries K, OPc or key material.
var (
	ErrMalformed  = errors.New("credential: malformed")
	ErrTruncated  = errors.New("credential: truncated")
	ErrVersion    = errors.New("credential: unsupported version")
	ErrUnknownTag = errors.New("credential: unknown tag")
	ErrTagOrder   = errors.New("credential: tag out of order or repeated")
	ErrMissing    = errors.New("credential: required field missing")
	ErrLength     = errors.New("credential: bad field length")
	ErrTooLarge   = errors.New("credential: encoding too large")
	ErrInvalid    = errors.New("credential: invalid field")

	// ErrTampered: the sealed blob or its associated data was modified (AEAD
	// authentication failed).
	ErrTampered = errors.New("credential: sealed credential tampered or wrong associated data")
	// ErrWrongKey: the blob was sealed to another bootstrap key.
	ErrWrongKey = errors.New("credential: sealed to another key")
	// ErrBadKey: a key is missing, not P-256, or not parseable.
	ErrBadKey = errors.New("credential: bad key")
	// ErrURI: a bootstrap URI does not parse.
	ErrURI = errors.New("credential: bad bootstrap URI")
)

// DecodeError locates a decoding failure. errors.Is matches ErrMalformed and
// the specific sentinel in Err.
type DecodeError struct {
	Offset int   // byte offset of the offending TLV (or of the problem)
	Tag    uint8 // tag of the offending TLV, 0 when none
	Err    error // the specific sentinel, possibly wrapped with detail
}

func (e *DecodeError) Error() string {
	if e.Tag != 0 {
		return fmt.Sprintf("credential: decode at offset %d (tag 0x%02x): %v", e.Offset, e.Tag, e.Err)
	}
	return fmt.Sprintf("credential: decode at offset %d: %v", e.Offset, e.Err)
}

// Unwrap returns ErrMalformed and the specific error.
func (e *DecodeError) Unwrap() []error { return []error{ErrMalformed, e.Err} }
