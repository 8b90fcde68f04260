package blocks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// ByteSet writes Value at Offset (negative: from the end).
type ByteSet struct {
	Offset int   `yaml:"offset"`
	Value  Bytes `yaml:"value"`
}

// Replacement replaces Find by With (the first occurrence, or all).
type Replacement struct {
	Find Bytes `yaml:"find"`
	With Bytes `yaml:"with"`
	All  bool  `yaml:"all"`
}

// ModifyArgs are the arguments of modify. Edits apply in this order:
// set, replace, truncate, append, json_delete, json_set, header_set,
// set_status, set_path, redirect.
type ModifyArgs struct {
	Selector   `yaml:",inline"`
	Set        []ByteSet         `yaml:"set"`
	Replace    []Replacement     `yaml:"replace"`
	Truncate   *int              `yaml:"truncate"` // keep this many bytes
	Append     Bytes             `yaml:"append"`
	JSONDelete []string          `yaml:"json_delete"` // dotted paths in a JSON body
	JSONSet    map[string]any    `yaml:"json_set"`    // dotted path -> value
	HeaderSet  map[string]string `yaml:"header_set"`  // SBI headers
	SetStatus  int               `yaml:"set_status"`  // SBI response status
	SetPath    string            `yaml:"set_path"`    // SBI request path
	Redirect   scenarios.Peer    `yaml:"redirect"`    // new destination
}

// Validate requires at least one edit.
func (a *ModifyArgs) Validate() error {
	if err := a.Selector.Validate(); err != nil {
		return err
	}
	if len(a.Set)+len(a.Replace)+len(a.Append)+len(a.JSONDelete)+len(a.JSONSet)+len(a.HeaderSet) == 0 &&
		a.Truncate == nil && a.SetStatus == 0 && a.SetPath == "" && a.Redirect == "" {
		return fmt.Errorf("modify needs at least one edit (set, replace, truncate, append, json_set, json_delete, header_set, set_status, set_path, redirect)")
	}
	for i, r := range a.Replace {
		if len(r.Find) == 0 {
			return fmt.Errorf("replace[%d]: find is empty", i)
		}
	}
	if a.Truncate != nil && *a.Truncate < 0 {
		return fmt.Errorf("truncate must not be negative")
	}
	if a.SetStatus != 0 && (a.SetStatus < 100 || a.SetStatus > 599) {
		return fmt.Errorf("set_status %d is not an HTTP status", a.SetStatus)
	}
	for p := range a.JSONSet {
		if p == "" {
			return fmt.Errorf("json_set: empty path")
		}
	}
	return nil
}

// Modify rewrites the selected packets (the encoders-that-lie of the
// transport: wrong bytes, fields, statuses or destinations).
func Modify() *scenarios.Block {
	return scenarios.NewCapability("modify", AttackSpec(
		"rewrite the selected packets: bytes, JSON fields, SBI headers/status/path, destination",
	), func(_ context.Context, st *scenarios.State, actor string, a *ModifyArgs) (any, error) {
		ed := edits{args: a, set: map[string][]byte{}}
		if a.Redirect != "" {
			ap, err := st.ResolvePeer(a.Redirect)
			if err != nil {
				return nil, err
			}
			ed.redirect = &ap
		}
		for k, v := range a.JSONSet {
			b, err := json.Marshal(jsonable(v))
			if err != nil {
				return nil, fmt.Errorf("json_set %s: %w", k, err)
			}
			ed.set[k] = b
		}
		return InstallSelected(st, &a.Selector, trace.KindAttack, actor, "modify", func(rep *Reporter, p transport.Packet) []transport.Packet {
			q := p.Clone()
			notes := ed.apply(&q)
			rep.Act(p, "modified ("+strings.Join(notes, ", ")+")")
			return []transport.Packet{q}
		})
	})
}

// edits are a modify's arguments prepared for concurrent use.
type edits struct {
	args     *ModifyArgs
	set      map[string][]byte // json_set values, encoded
	redirect *netip.AddrPort
}

// apply edits q and says what it did.
func (ed *edits) apply(q *transport.Packet) []string {
	a := ed.args
	var notes []string
	for _, s := range a.Set {
		off := s.Offset
		if off < 0 {
			off += len(q.Payload)
		}
		if off < 0 || off+len(s.Value) > len(q.Payload) {
			notes = append(notes, fmt.Sprintf("set at %d out of range", s.Offset))
			continue
		}
		copy(q.Payload[off:], s.Value)
		notes = append(notes, fmt.Sprintf("set %d bytes at %d", len(s.Value), off))
	}
	for _, r := range a.Replace {
		n := 1
		if r.All {
			n = -1
		}
		if bytes.Contains(q.Payload, r.Find) {
			q.Payload = bytes.Replace(q.Payload, r.Find, r.With, n)
			notes = append(notes, "replaced")
		} else {
			notes = append(notes, "replace: not found")
		}
	}
	if a.Truncate != nil && *a.Truncate < len(q.Payload) {
		q.Payload = q.Payload[:*a.Truncate]
		notes = append(notes, fmt.Sprintf("truncated to %d", *a.Truncate))
	}
	if len(a.Append) > 0 {
		q.Payload = append(q.Payload, a.Append...)
		notes = append(notes, fmt.Sprintf("appended %d bytes", len(a.Append)))
	}
	if len(a.JSONDelete)+len(a.JSONSet) > 0 {
		body, err := editJSON(q.Payload, a.JSONDelete, ed.set)
		if err != nil {
			notes = append(notes, "json: "+err.Error())
		} else {
			q.Payload = body
			notes = append(notes, "json edited")
		}
	}
	if len(a.HeaderSet) > 0 {
		if q.Header == nil {
			q.Header = http.Header{}
		}
		for k, v := range a.HeaderSet {
			q.Header.Set(k, v)
		}
		notes = append(notes, "headers set")
	}
	if a.SetStatus != 0 && q.Kind == transport.SBI && q.Response {
		q.Status = a.SetStatus
		notes = append(notes, fmt.Sprintf("status %d", a.SetStatus))
	}
	if a.SetPath != "" && q.Kind == transport.SBI {
		q.Path = a.SetPath
		notes = append(notes, "path "+a.SetPath)
	}
	if ed.redirect != nil {
		to := *ed.redirect
		if to.Port() == 0 {
			to = netipWithPort(to, q.To.Port())
		}
		q.To = to
		notes = append(notes, "redirected to "+to.String())
	}
	return notes
}

// editJSON deletes then sets dotted paths ("a.b.0.c") in a JSON document.
func editJSON(body []byte, del []string, set map[string][]byte) ([]byte, error) {
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("body is not JSON")
	}
	for _, p := range del {
		doc = jsonEdit(doc, strings.Split(p, "."), nil, true)
	}
	for _, p := range sortedKeys(set) {
		var v any
		if err := json.Unmarshal(set[p], &v); err != nil {
			return nil, err
		}
		doc = jsonEdit(doc, strings.Split(p, "."), v, false)
	}
	return json.Marshal(doc)
}

// jsonEdit sets (or deletes) the value at path under doc and returns doc.
func jsonEdit(doc any, path []string, v any, del bool) any {
	if len(path) == 0 {
		return v
	}
	k := path[0]
	switch d := doc.(type) {
	case map[string]any:
		if len(path) == 1 && del {
			delete(d, k)
			return d
		}
		d[k] = jsonEdit(d[k], path[1:], v, del)
		return d
	case []any:
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(d) {
			return d
		}
		if len(path) == 1 && del {
			return append(d[:i], d[i+1:]...)
		}
		d[i] = jsonEdit(d[i], path[1:], v, del)
		return d
	default:
		if del {
			return doc
		}
		return map[string]any{k: jsonEdit(nil, path[1:], v, del)}
	}
}

// jsonable converts YAML-decoded values (map[string]any from yaml.v3 is
// already fine; map[any]any is not) for encoding/json.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[any]any:
		m := map[string]any{}
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = jsonable(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = jsonable(e)
		}
		return l
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
