package capture

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/transport"
)

// SecretMembers returns the JSON member names whose string values
// redaction replaces in SBI bodies: K and OPc of the UDR authentication
// subscription and credbed's provisioning records (encPermanentKey,
// encOpcKey, encTopcKey, k, opc, opcValue), the UDM->AUSF vectors (kausf,
// ckPrime, ikPrime), the AUSF->AMF anchor key (kseaf) and the AKMA keys
// (kAkma, kaf, kAf). Names match exactly, at any depth of objects and
// arrays.
func SecretMembers() []string {
	return []string{
		"encPermanentKey", "encOpcKey", "encTopcKey", "k", "opc", "opcValue",
		"kausf", "ckPrime", "ikPrime", "kseaf", "kAkma", "kaf", "kAf",
	}
}

// isSecretMember reports whether name is one of SecretMembers.
func isSecretMember(name string) bool {
	switch name {
	case "encPermanentKey", "encOpcKey", "encTopcKey", "k", "opc", "opcValue",
		"kausf", "ckPrime", "ikPrime", "kseaf", "kAkma", "kaf", "kAf":
		return true
	}
	return false
}

// redactChar replaces every character of a redacted string value, so the
// value keeps its length (the body length may still change: the body is
// re-encoded).
const redactChar = 'x'

// redact returns the payload to write for p: p.Payload itself when nothing
// is secret, else a redacted copy. p is never modified.
func redact(p *transport.Packet) []byte {
	switch p.Kind {
	case transport.SBI:
		if b, ok := redactJSON(p); ok {
			return b
		}
	case transport.N2:
		if b, ok := redactNGAP(p.Payload); ok {
			return b
		}
	}
	return p.Payload
}

// jsonish reports whether the packet's body is JSON: a Content-Type naming
// json, or none (the Writer then labels the body application/json).
func jsonish(p *transport.Packet) bool {
	for k, vs := range p.Header {
		if strings.EqualFold(k, "content-type") {
			for _, v := range vs {
				if strings.Contains(strings.ToLower(v), "json") {
					return true
				}
			}
			return false
		}
	}
	return true
}

// mayHoldSecret is a cheap, allocation-free pre-check: does b hold a
// quoted string that names a secret member? Every quote is tried as an
// opening one, so a false positive only costs a decode.
func mayHoldSecret(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		j := i + 1
		for j < len(b) && j-i <= 16 && b[j] != '"' && b[j] != '\\' {
			j++
		}
		if j < len(b) && b[j] == '"' && isSecretMember(string(b[i+1:j])) {
			return true
		}
	}
	return false
}

// redactJSON decodes an SBI JSON body, replaces the string value of every
// secret member with as many 'x' as it has characters and re-encodes it.
// ok is false when the body is not JSON, does not parse or has no secret.
func redactJSON(p *transport.Packet) ([]byte, bool) {
	if len(p.Payload) == 0 || !jsonish(p) || !mayHoldSecret(p.Payload) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(p.Payload))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false // trailing data: not one JSON value
	}
	if !redactValue(v) {
		return nil, false
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, false
	}
	return bytes.TrimSuffix(out.Bytes(), []byte{'\n'}), true
}

// redactValue redacts v in place and reports whether it changed anything.
func redactValue(v any) bool {
	changed := false
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if s, ok := e.(string); ok {
				if isSecretMember(k) && s != "" {
					t[k] = strings.Repeat(string(redactChar), len([]rune(s)))
					changed = true
				}
				continue
			}
			changed = redactValue(e) || changed
		}
	case []any:
		for _, e := range t {
			changed = redactValue(e) || changed
		}
	}
	return changed
}

// redactNGAP zeroes the Security Key IE (KgNB) of an INITIAL CONTEXT SETUP
// REQUEST. ok is false for any other message or one that does not parse.
func redactNGAP(b []byte) ([]byte, bool) {
	// APER NGAP-PDU: initiatingMessage (0x00), procedureCode 14 (TS 38.413 §9.4.7).
	if len(b) < 2 || b[0] != 0x00 || b[1] != byte(ngapx.ProcInitialContextSetup) {
		return nil, false
	}
	m, err := ngapx.Parse(b)
	if err != nil {
		return nil, false
	}
	req, ok := m.(*ngapx.InitialContextSetupRequest)
	if !ok || req.SecurityKey == (ngapx.KgNB{}) {
		return nil, false
	}
	req.SecurityKey = ngapx.KgNB{}
	out, err := req.Build()
	if err != nil {
		return nil, false
	}
	return out, true
}
