package subscriber

import (
	"errors"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// File is the subscriber file.
type File struct {
	Defaults    *Defaults      `json:"defaults,omitempty"`
	Subscribers []Subscription `json:"subscribers"`
}

// Defaults apply to every entry of a file that leaves the field empty.
type Defaults struct {
	PLMN       string   `json:"plmn,omitempty"`
	AMF        string   `json:"amf,omitempty"`
	SQN        string   `json:"sqn,omitempty"`
	AuthMethod string   `json:"authMethod,omitempty"`
	DNNs       []string `json:"dnns,omitempty"`
	SNSSAIs    []SNSSAI `json:"snssais,omitempty"`
}

// ErrSyntax wraps YAML errors and unknown fields.
var ErrSyntax = errors.New("subscriber: bad file")

// Parse decodes a subscriber file strictly (an unknown field is an error
// naming it), applies defaults, and validates every entry. SUPIs must be
// unique. The result is never nil without an error.
func Parse(data []byte) ([]Subscription, error) {
	var f File
	if err := yaml.UnmarshalStrict(data, &f); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrSyntax, cleanYAMLError(err))
	}
	if f.Subscribers == nil {
		return nil, fmt.Errorf("%w: no subscribers list", ErrSyntax)
	}
	var d Defaults
	if f.Defaults != nil {
		d = *f.Defaults
	}
	seen := make(map[string]int, len(f.Subscribers))
	out := make([]Subscription, len(f.Subscribers))
	for i, s := range f.Subscribers {
		s.ApplyDefaults(d)
		if err := s.validate(i); err != nil {
			return nil, err
		}
		if j, dup := seen[s.SUPI]; dup {
			return nil, &FieldError{Index: i, SUPI: s.SUPI, Field: "supi", Msg: fmt.Sprintf("duplicate of subscribers[%d]", j)}
		}
		seen[s.SUPI] = i
		out[i] = s
	}
	return out, nil
}

// Marshal writes subs as a subscriber file. The output holds K and OPc:
// write it with mode 0600.
func Marshal(subs []Subscription) ([]byte, error) {
	if subs == nil {
		subs = []Subscription{}
	}
	return yaml.Marshal(File{Subscribers: subs})
}

// cleanYAMLError keeps the decoder's message, which names the unknown or
// mistyped field, without echoing input values that could be secrets.
func cleanYAMLError(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "error converting YAML to JSON: ")
	msg = strings.TrimPrefix(msg, "error unmarshaling JSON: while decoding JSON: ")
	return msg
}
