package provproto

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
)

// Resource paths, relative to a profile root.
const (
	PathTargets = "/v1/targets"
	pathConfirm = "/confirm"
)

// TargetPath is the path of one target's resource.
func TargetPath(supi string) string { return PathTargets + "/" + supi }

// ConfirmPath is the path of a target's confirmation.
func ConfirmPath(supi string) string { return TargetPath(supi) + pathConfirm }

// Content types.
const (
	ContentJSON    = "application/json"
	ContentProblem = "application/problem+json"
)

// MaxBody bounds every request and response body.
const MaxBody = 8 << 10

// Target states reported in TargetStatus and ProvisionResponse.
const (
	StatePending   = "pending"   // written at the UDR, not confirmed
	StateConfirmed = "confirmed" // proof of possession accepted, awaiting the first authentication
	StateActive    = "active"    // the target authenticated
	StateRemoved   = "removed"   // deprovisioned
)

// ErrMessage marks a body that does not decode or validate; it wraps
// ErrMalformed.
var ErrMessage = errors.New("provproto: bad message")

// Message is a body that validates itself after decoding.
type Message interface {
	Validate() error
}

// Decode strictly decodes one JSON message into m and validates it:
// at most MaxBody bytes, one JSON object, no unknown members, nothing
// after it. Errors wrap ErrMessage and ErrMalformed and never quote secret
// members.
func Decode(data []byte, m Message) error {
	if len(data) > MaxBody {
		return msgErr("body of %d bytes, limit %d", len(data), MaxBody)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(m); err != nil {
		return msgErr("%s", jsonReason(err))
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return msgErr("data after the JSON object")
	}
	if err := m.Validate(); err != nil {
		return msgErr("%v", err)
	}
	return nil
}

// Encode validates m and returns its JSON encoding. Attack code that wants
// an invalid message marshals it with encoding/json directly.
func Encode(m Message) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMessage, err)
	}
	return json.Marshal(m)
}

func msgErr(format string, a ...any) error {
	return fmt.Errorf("%w: %w: %s", ErrMalformed, ErrMessage, fmt.Sprintf(format, a...))
}

// jsonReason describes a JSON error without echoing values (which may be
// keys).
func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "JSON syntax error at offset " + strconv.FormatInt(se.Offset, 10)
	case errors.As(err, &te):
		return "member " + te.Field + " has the wrong type"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "empty or truncated JSON"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return "unknown member " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	var ke keyError
	if errors.As(err, &ke) {
		return string(ke)
	}
	return "not a JSON object of this message"
}

// Key is a 128-bit secret (K or OPc) carried as 32 hex digits by the
// baseline form. It never prints its value.
type Key [16]byte

type keyError string

func (e keyError) Error() string { return string(e) }

// MarshalJSON writes 32 lower-case hex digits.
func (k Key) MarshalJSON() ([]byte, error) {
	out := make([]byte, 0, 34)
	out = append(out, '"')
	out = hex.AppendEncode(out, k[:])
	return append(out, '"'), nil
}

// UnmarshalJSON reads exactly 32 hex digits.
func (k *Key) UnmarshalJSON(b []byte) error {
	if len(b) != 34 || b[0] != '"' || b[33] != '"' {
		return keyError("a key member is not a string of 32 hex digits")
	}
	if _, err := hex.Decode(k[:], b[1:33]); err != nil {
		return keyError("a key member is not a string of 32 hex digits")
	}
	return nil
}

// IsZero reports whether k is all zeros.
func (k Key) IsZero() bool { return k == Key{} }

// String prints "[redacted]".
func (Key) String() string { return "[redacted]" }

// GoString prints "[redacted]".
func (Key) GoString() string { return "[redacted]" }

// Format prints "[redacted]" for every verb.
func (Key) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[redacted]") }

// LogValue keeps the key out of slog output.
func (Key) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// SecureProvisionRequest (PD -> CPF, secure): provision the target whose
// bootstrap URI (its QR/NFC payload: device id and bootstrap public key)
// the PD read out of band (DESIGN step 4). SUPI optionally asks for a
// specific SUPI within the PD's entitlement; otherwise the CPF allocates one.
type SecureProvisionRequest struct {
	BootstrapURI string `json:"bootstrapUri"`
	SUPI         string `json:"supi,omitempty"`
}

// Validate checks the members.
func (m *SecureProvisionRequest) Validate() error {
	if _, err := credential.ParseURI(m.BootstrapURI); err != nil {
		return fmt.Errorf("bootstrapUri: %w", err)
	}
	return checkOptionalSUPI(m.SUPI)
}

// Bootstrap returns the parsed bootstrap information.
func (m *SecureProvisionRequest) Bootstrap() (credential.Bootstrap, error) {
	return credential.ParseURI(m.BootstrapURI)
}

// BaselineProvisionRequest (PD -> CPF, baseline): the PD names the
// target's device id and hands the network the K and OPc it generated.
type BaselineProvisionRequest struct {
	DeviceID string `json:"deviceId"`
	SUPI     string `json:"supi,omitempty"`
	K        Key    `json:"k"`
	OPc      Key    `json:"opc"`
}

// Validate checks the members.
func (m *BaselineProvisionRequest) Validate() error {
	if err := credential.ValidateDeviceID(m.DeviceID); err != nil {
		return fmt.Errorf("deviceId: %w", err)
	}
	if m.K.IsZero() || m.OPc.IsZero() {
		return errors.New("k and opc are required and not all zero")
	}
	return checkOptionalSUPI(m.SUPI)
}

// String keeps K and OPc out of logs.
func (m BaselineProvisionRequest) String() string {
	return fmt.Sprintf("BaselineProvisionRequest{deviceId:%s supi:%s k:[redacted] opc:[redacted]}", m.DeviceID, m.SUPI)
}

func checkOptionalSUPI(s string) error {
	if s == "" {
		return nil
	}
	if _, err := ident.ParseSUPI(s); err != nil {
		return fmt.Errorf("supi: %w", err)
	}
	return nil
}

// Binding is credential.Binding in JSON (expiry at second precision).
type Binding struct {
	TargetID string    `json:"targetId"`
	PDID     string    `json:"pdId"`
	Counter  uint64    `json:"counter"`
	Nonce    []byte    `json:"nonce,omitempty"`
	Expiry   time.Time `json:"expiry"`
}

// BindingOf converts a credential binding.
func BindingOf(b credential.Binding) Binding {
	return Binding{TargetID: b.TargetID, PDID: b.PDID, Counter: b.Counter,
		Nonce: append([]byte(nil), b.Nonce...), Expiry: b.Expiry.UTC().Truncate(time.Second)}
}

// Credential converts to a credential binding.
func (b Binding) Credential() credential.Binding {
	n := append([]byte(nil), b.Nonce...)
	if len(n) == 0 {
		n = nil
	}
	return credential.Binding{TargetID: b.TargetID, PDID: b.PDID, Counter: b.Counter,
		Nonce: n, Expiry: time.Unix(b.Expiry.Unix(), 0).UTC()}
}

// HNKey is one home network public key (credential.HNKey in JSON).
type HNKey struct {
	Scheme    uint8  `json:"scheme"` // 0 null, 1 Profile A, 2 Profile B
	KeyID     uint8  `json:"keyId"`
	PublicKey []byte `json:"publicKey,omitempty"`
}

// Network is what a baseline PD needs to build the target's package itself:
// the home PLMN (MCC+MNC digits), routing indicator and SUCI keys.
type Network struct {
	PLMN             string  `json:"plmn"`
	RoutingIndicator string  `json:"routingIndicator"`
	HNKeys           []HNKey `json:"hnKeys,omitempty"`
}

// NetworkOf builds the JSON form.
func NetworkOf(plmn ident.PLMN, ri string, keys []credential.HNKey) *Network {
	n := &Network{PLMN: plmn.MCC + plmn.MNC, RoutingIndicator: ri}
	for _, k := range keys {
		n.HNKeys = append(n.HNKeys, HNKey{Scheme: uint8(k.Scheme), KeyID: k.ID, PublicKey: append([]byte(nil), k.Public...)})
	}
	return n
}

// Credential returns the PLMN and keys in credential form.
func (n Network) Credential() (ident.PLMN, []credential.HNKey, error) {
	plmn, err := ident.ParsePLMN(n.PLMN)
	if err != nil {
		return ident.PLMN{}, nil, fmt.Errorf("plmn: %w", err)
	}
	keys := make([]credential.HNKey, 0, len(n.HNKeys))
	for i, k := range n.HNKeys {
		hk := credential.HNKey{Scheme: credential.Scheme(k.Scheme), ID: k.KeyID, Public: append([]byte(nil), k.PublicKey...)}
		if err := hk.Validate(); err != nil {
			return ident.PLMN{}, nil, fmt.Errorf("hnKeys[%d]: %w", i, err)
		}
		keys = append(keys, hk)
	}
	return plmn, keys, nil
}

// ProvisionResponse (CPF -> PD, 201): the target's SUPI, the operation to
// confirm, the binding, and either the credential sealed to the target's
// bootstrap key (secure) or the network parameters (baseline).
type ProvisionResponse struct {
	SUPI        string    `json:"supi"`
	OperationID string    `json:"operationId"`
	State       string    `json:"state"`
	ExpiresAt   time.Time `json:"expiresAt"`
	Binding     Binding   `json:"binding"`
	Sealed      []byte    `json:"sealed,omitempty"`
	Network     *Network  `json:"network,omitempty"`
}

// Validate checks the members.
func (m *ProvisionResponse) Validate() error {
	if _, err := ident.ParseSUPI(m.SUPI); err != nil {
		return fmt.Errorf("supi: %w", err)
	}
	if err := checkOperationID(m.OperationID); err != nil {
		return err
	}
	if err := m.Binding.Credential().Validate(); err != nil {
		return fmt.Errorf("binding: %w", err)
	}
	if len(m.Sealed) == 0 && m.Network == nil {
		return errors.New("neither sealed nor network")
	}
	if len(m.Sealed) > 0 && len(m.Sealed) < credential.SealOverhead {
		return errors.New("sealed credential too short")
	}
	if m.Network != nil {
		if _, _, err := m.Network.Credential(); err != nil {
			return fmt.Errorf("network: %w", err)
		}
	}
	return nil
}

// MaxOperationIDLen bounds operation ids.
const MaxOperationIDLen = 64

func checkOperationID(s string) error {
	if s == "" || len(s) > MaxOperationIDLen {
		return fmt.Errorf("operationId: want 1 to %d characters", MaxOperationIDLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			return errors.New("operationId: want base64url characters")
		}
	}
	return nil
}

// ConfirmRequest (PD -> CPF, secure): the target's proof of possession
// (credential.Package.Proof, relayed by the PD) for an operation.
type ConfirmRequest struct {
	OperationID string `json:"operationId"`
	Proof       []byte `json:"proof"`
}

// Validate checks the members.
func (m *ConfirmRequest) Validate() error {
	if err := checkOperationID(m.OperationID); err != nil {
		return err
	}
	if len(m.Proof) != credential.ProofSize {
		return fmt.Errorf("proof: %d bytes, want %d", len(m.Proof), credential.ProofSize)
	}
	return nil
}

// TargetStatus (CPF -> PD) describes one target the PD owns: the answer
// to status, confirm and deprovision.
type TargetStatus struct {
	SUPI        string     `json:"supi"`
	DeviceID    string     `json:"deviceId,omitempty"`
	State       string     `json:"state"`
	OperationID string     `json:"operationId,omitempty"`
	ExpiresAt   *time.Time `json:"expiresAt,omitempty"`
}

// Validate checks the members.
func (m *TargetStatus) Validate() error {
	if _, err := ident.ParseSUPI(m.SUPI); err != nil {
		return fmt.Errorf("supi: %w", err)
	}
	switch m.State {
	case StatePending, StateConfirmed, StateActive, StateRemoved:
	default:
		return fmt.Errorf("state %q unknown", truncate(m.State))
	}
	return nil
}

// Problem is a refusal body (TS 29.500 §5.2.7 ProblemDetails members).
type Problem struct {
	Title  string `json:"title,omitempty"`
	Status int    `json:"status"`
	Cause  string `json:"cause,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Validate checks the members.
func (m *Problem) Validate() error {
	if m.Status < 400 || m.Status > 599 {
		return fmt.Errorf("status %d is not an error", m.Status)
	}
	return nil
}

// DecodeProblem leniently reads a refusal body: unknown members (such as
// "type" or "instance") are ignored.
func DecodeProblem(data []byte) (Problem, error) {
	var p Problem
	if len(data) > MaxBody {
		return Problem{}, msgErr("body of %d bytes, limit %d", len(data), MaxBody)
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return Problem{}, msgErr("%s", jsonReason(err))
	}
	if err := p.Validate(); err != nil {
		return Problem{}, msgErr("%v", err)
	}
	return p, nil
}
