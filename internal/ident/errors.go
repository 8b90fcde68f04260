package ident

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every parse or validation failure wraps exactly one of
// them, so callers can tell which identity was bad with errors.Is.
var (
	ErrInvalidPLMN               = errors.New("invalid PLMN")
	ErrInvalidSUPI               = errors.New("invalid SUPI")
	ErrInvalidSUCI               = errors.New("invalid SUCI")
	ErrInvalidServingNetworkName = errors.New("invalid serving network name")
	ErrInvalidGUTI               = errors.New("invalid 5G-GUTI")
	ErrInvalidSTMSI              = errors.New("invalid 5G-S-TMSI")
	ErrInvalidMobileIdentity     = errors.New("invalid 5GS mobile identity")
)

// errorf wraps sentinel with a formatted detail: "<sentinel>: <detail>".
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}
