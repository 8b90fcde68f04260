package blocks

import (
	"encoding/hex"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Bytes is a byte string written in YAML either as text ("hello") or as
// hex with a "hex:" prefix ("hex: 7e 00 41", spaces and colons ignored).
type Bytes []byte

// UnmarshalYAML decodes text or hex.
func (b *Bytes) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a string (text, or hex: ...)", n.Line)
	}
	v, err := ParseBytes(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*b = v
	return nil
}

// ParseBytes parses the Bytes notation.
func ParseBytes(s string) (Bytes, error) {
	h, ok := strings.CutPrefix(s, "hex:")
	if !ok {
		return Bytes(s), nil
	}
	h = strings.NewReplacer(" ", "", ":", "", "\n", "", "\t", "").Replace(h)
	v, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("bad hex %q: %w", s, err)
	}
	return v, nil
}
