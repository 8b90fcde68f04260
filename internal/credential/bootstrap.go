package credential

import (
	"crypto/ecdh"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// Identity is a target device's factory identity: its device id and its
// P-256 bootstrap key pair (DPP's B_R/b_R). The private key never leaves the
// device; the public part is printed as a QR code or served over NFC.
type Identity struct {
	DeviceID string
	Key      *ecdh.PrivateKey
}

// NewIdentity draws a fresh bootstrap key pair from rand.
func NewIdentity(rand io.Reader, deviceID string) (Identity, error) {
	if err := ValidateDeviceID(deviceID); err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	k, err := GenerateKey(rand)
	if err != nil {
		return Identity{}, err
	}
	return Identity{DeviceID: deviceID, Key: k}, nil
}

// String names the identity without its private key.
func (id Identity) String() string {
	return "credential.Identity{" + id.DeviceID + " key:" + redacted + "}"
}

// Format prints String for every verb, so the private key never shows.
func (id Identity) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(id.String())) }

// Bootstrap returns the public bootstrap information.
func (id Identity) Bootstrap() Bootstrap {
	return Bootstrap{DeviceID: id.DeviceID, Key: id.Key.PublicKey()}
}

// Bootstrap is the out-of-band bootstrap information of a target device
// (DESIGN step 3): its device id and bootstrap public key.
type Bootstrap struct {
	DeviceID string
	Key      *ecdh.PublicKey
}

// Hash returns the bootstrap key hash (KeyHash of Key).
func (b Bootstrap) Hash() [HashSize]byte { return KeyHash(b.Key) }

// Validate checks the device id and that the key is P-256.
func (b Bootstrap) Validate() error {
	if err := ValidateDeviceID(b.DeviceID); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return checkP256(b.Key)
}

// URI returns the DPP-style bootstrap URI "DPP:I:<device id>;K:<base64>;;"
// where K is standard base64 (with padding) of the 59-byte compressed SPKI,
// as in Wi-Fi Easy Connect §5.2.1. It is what the QR code or NFC tag holds.
func (b Bootstrap) URI() string {
	return "DPP:I:" + b.DeviceID + ";K:" + base64.StdEncoding.EncodeToString(MarshalPublicKey(b.Key)) + ";;"
}

// String returns the URI.
func (b Bootstrap) String() string { return b.URI() }

// ParseURI parses a bootstrap URI. It needs "I:" (the device id) and "K:"
// (base64 of any encoding ParsePublicKey accepts); the other DPP fields
// C:, M:, V: and H: are accepted and ignored; unknown or repeated fields,
// empty values and anything after the ";;" terminator are errors.
func ParseURI(s string) (Bootstrap, error) {
	const maxURI = 1024
	if len(s) > maxURI {
		return Bootstrap{}, fmt.Errorf("%w: %d characters, limit %d", ErrURI, len(s), maxURI)
	}
	body, ok := strings.CutPrefix(s, "DPP:")
	if !ok {
		return Bootstrap{}, fmt.Errorf("%w: missing DPP: prefix", ErrURI)
	}
	body, ok = strings.CutSuffix(body, ";;")
	if !ok {
		return Bootstrap{}, fmt.Errorf("%w: missing ;; terminator", ErrURI)
	}
	var b Bootstrap
	var seen [256]bool
	for field := range strings.SplitSeq(body, ";") {
		letter, value, ok := strings.Cut(field, ":")
		if !ok || len(letter) != 1 || value == "" {
			return Bootstrap{}, fmt.Errorf("%w: bad field %q", ErrURI, truncate(field))
		}
		if seen[letter[0]] {
			return Bootstrap{}, fmt.Errorf("%w: repeated field %s", ErrURI, letter)
		}
		seen[letter[0]] = true
		switch letter {
		case "I":
			if err := ValidateDeviceID(value); err != nil {
				return Bootstrap{}, fmt.Errorf("%w: I: %v", ErrURI, err)
			}
			b.DeviceID = value
		case "K":
			der, err := base64.StdEncoding.DecodeString(value)
			if err != nil {
				return Bootstrap{}, fmt.Errorf("%w: K: not base64", ErrURI)
			}
			k, err := ParsePublicKey(der)
			if err != nil {
				return Bootstrap{}, fmt.Errorf("%w: K: %v", ErrURI, err)
			}
			b.Key = k
		case "C", "M", "V", "H":
		default:
			return Bootstrap{}, fmt.Errorf("%w: unknown field %s", ErrURI, letter)
		}
	}
	if b.Key == nil {
		return Bootstrap{}, fmt.Errorf("%w: no K: field", ErrURI)
	}
	if b.DeviceID == "" {
		return Bootstrap{}, fmt.Errorf("%w: no I: field (the device id)", ErrURI)
	}
	return b, nil
}

func truncate(s string) string {
	if len(s) > 24 {
		return s[:24] + "..."
	}
	return s
}
