package aka

import (
	"fmt"
	"io"
	"log/slog"
)

// Redacted is what every key type prints instead of its value.
const Redacted = "[redacted]"

// Key128 is a 128-bit secret (K, OPc, CK, IK, KNASenc, KNASint). It never prints
// its value: use k[:] or hex.EncodeToString(k[:]) where the bytes are needed on
// purpose (storage, the wire).
type Key128 [16]byte

// Key256 is a 256-bit secret (KAUSF, KSEAF, KAMF, KgNB, K_AKMA, K_AF).
type Key256 [32]byte

// Key128From copies b (16 octets) into a Key128.
func Key128From(b []byte) (Key128, error) {
	var k Key128
	if len(b) != len(k) {
		return k, fmt.Errorf("%w: key must be 16 octets, got %d", ErrInvalidInput, len(b))
	}
	copy(k[:], b)
	return k, nil
}

// Key256From copies b (32 octets) into a Key256.
func Key256From(b []byte) (Key256, error) {
	var k Key256
	if len(b) != len(k) {
		return k, fmt.Errorf("%w: key must be 32 octets, got %d", ErrInvalidInput, len(b))
	}
	copy(k[:], b)
	return k, nil
}

// IsZero reports whether the key is all zeros (unset).
func (k Key128) IsZero() bool { return k == Key128{} }

// String returns "[redacted]".
func (Key128) String() string { return Redacted }

// GoString returns "[redacted]".
func (Key128) GoString() string { return Redacted }

// Format prints "[redacted]" for every verb (%v, %x, %s, %#v ...).
func (Key128) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, Redacted) }

// LogValue keeps the key out of slog output.
func (Key128) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalText keeps the key out of JSON/YAML output; persist k[:] explicitly.
func (Key128) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// IsZero reports whether the key is all zeros (unset).
func (k Key256) IsZero() bool { return k == Key256{} }

// String returns "[redacted]".
func (Key256) String() string { return Redacted }

// GoString returns "[redacted]".
func (Key256) GoString() string { return Redacted }

// Format prints "[redacted]" for every verb.
func (Key256) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, Redacted) }

// LogValue keeps the key out of slog output.
func (Key256) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalText keeps the key out of JSON/YAML output; persist k[:] explicitly.
func (Key256) MarshalText() ([]byte, error) { return []byte(Redacted), nil }
