package sbi

// A small RFC 6902 JSON Patch engine over decoded JSON values
// (map[string]any, []any, string, float64, bool, nil) with RFC 6901 pointers,
// shared by the NFs whose SBI resources take application/json-patch+json
// (NRF NFUpdate, UDR AMF registration).

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/free5gc/openapi/models"
)

// ErrPatch wraps every error ApplyPatch returns.
var ErrPatch = errors.New("json patch")

// ApplyPatch applies ops (RFC 6902) in order to doc, a value as
// encoding/json decodes it into an any, and returns the new document. doc
// is modified in place; on error the caller must discard it.
//
// One deviation from RFC 6902 §4.3: "replace" of an absent member of an
// existing object adds it, because documents are stored with zero-valued
// members omitted.
func ApplyPatch(doc any, ops []models.PatchItem) (any, error) {
	for i, op := range ops {
		path, err := parsePointer(op.Path)
		if err != nil {
			return nil, fmt.Errorf("%w: item %d: %w", ErrPatch, i, err)
		}
		if op.Value, err = normalizeJSON(op.Value); err != nil {
			return nil, fmt.Errorf("%w: item %d: value: %w", ErrPatch, i, err)
		}
		switch op.Op {
		case models.PatchOperation_ADD:
			doc, err = patchAdd(doc, path, deepCopy(op.Value))
		case models.PatchOperation_REMOVE:
			doc, _, err = patchRemove(doc, path)
		case models.PatchOperation_REPLACE:
			// Unlike RFC 6902, replacing an absent object member adds it:
			// documents are stored with zero-valued members omitted, so
			// e.g. a heartbeat's "replace /load" must not fail.
			switch {
			case len(path) == 0:
				doc = deepCopy(op.Value)
			case memberOfObject(doc, path):
				doc, err = patchAdd(doc, path, deepCopy(op.Value))
			default:
				if _, err = patchGet(doc, path); err == nil {
					doc, _, err = patchRemove(doc, path)
					if err == nil {
						doc, err = patchAdd(doc, path, deepCopy(op.Value))
					}
				}
			}
		case models.PatchOperation_TEST:
			var cur any
			if cur, err = patchGet(doc, path); err == nil && !reflect.DeepEqual(cur, op.Value) {
				err = errors.New("test failed")
			}
		case models.PatchOperation_MOVE, models.PatchOperation_COPY:
			var from []string
			if from, err = parsePointer(op.From); err != nil {
				break
			}
			var v any
			if op.Op == models.PatchOperation_MOVE {
				if isPrefix(from, path) && len(from) < len(path) {
					err = errors.New("cannot move a value into itself")
					break
				}
				doc, v, err = patchRemove(doc, from)
			} else {
				v, err = patchGet(doc, from)
				v = deepCopy(v)
			}
			if err == nil {
				doc, err = patchAdd(doc, path, v)
			}
		default:
			err = fmt.Errorf("unknown op %q", op.Op)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: item %d (%s %s): %w", ErrPatch, i, op.Op, op.Path, err)
		}
	}
	return doc, nil
}

func parsePointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("pointer %q does not start with /", p)
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

// memberOfObject reports whether path names a member (present or not) of
// an existing object.
func memberOfObject(doc any, path []string) bool {
	parent, err := patchGet(doc, path[:len(path)-1])
	if err != nil {
		return false
	}
	_, ok := parent.(map[string]any)
	return ok
}

func isPrefix(a, b []string) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func arrayIndex(tok string, n int, allowEnd bool) (int, error) {
	if allowEnd && tok == "-" {
		return n, nil
	}
	if tok == "" || (len(tok) > 1 && tok[0] == '0') {
		return 0, fmt.Errorf("bad array index %q", tok)
	}
	i, err := strconv.Atoi(tok)
	if err != nil || i < 0 {
		return 0, fmt.Errorf("bad array index %q", tok)
	}
	limit := n - 1
	if allowEnd {
		limit = n
	}
	if i > limit {
		return 0, fmt.Errorf("array index %d out of range", i)
	}
	return i, nil
}

func patchGet(doc any, path []string) (any, error) {
	cur := doc
	for _, tok := range path {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, fmt.Errorf("member %q not found", tok)
			}
			cur = v
		case []any:
			i, err := arrayIndex(tok, len(c), false)
			if err != nil {
				return nil, err
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("%q is not inside an object or array", tok)
		}
	}
	return cur, nil
}

func patchAdd(doc any, path []string, v any) (any, error) {
	if len(path) == 0 {
		return v, nil
	}
	tok := path[0]
	switch c := doc.(type) {
	case map[string]any:
		if len(path) == 1 {
			c[tok] = v
			return c, nil
		}
		child, ok := c[tok]
		if !ok {
			return nil, fmt.Errorf("member %q not found", tok)
		}
		nc, err := patchAdd(child, path[1:], v)
		if err != nil {
			return nil, err
		}
		c[tok] = nc
		return c, nil
	case []any:
		if len(path) == 1 {
			i, err := arrayIndex(tok, len(c), true)
			if err != nil {
				return nil, err
			}
			out := make([]any, 0, len(c)+1)
			out = append(out, c[:i]...)
			out = append(out, v)
			return append(out, c[i:]...), nil
		}
		i, err := arrayIndex(tok, len(c), false)
		if err != nil {
			return nil, err
		}
		nc, err := patchAdd(c[i], path[1:], v)
		if err != nil {
			return nil, err
		}
		c[i] = nc
		return c, nil
	}
	return nil, fmt.Errorf("%q is not inside an object or array", tok)
}

func patchRemove(doc any, path []string) (any, any, error) {
	if len(path) == 0 {
		return nil, nil, errors.New("cannot remove the whole document")
	}
	tok := path[0]
	switch c := doc.(type) {
	case map[string]any:
		child, ok := c[tok]
		if !ok {
			return nil, nil, fmt.Errorf("member %q not found", tok)
		}
		if len(path) == 1 {
			delete(c, tok)
			return c, child, nil
		}
		nc, removed, err := patchRemove(child, path[1:])
		if err != nil {
			return nil, nil, err
		}
		c[tok] = nc
		return c, removed, nil
	case []any:
		i, err := arrayIndex(tok, len(c), false)
		if err != nil {
			return nil, nil, err
		}
		if len(path) == 1 {
			removed := c[i]
			out := make([]any, 0, len(c)-1)
			out = append(out, c[:i]...)
			return append(out, c[i+1:]...), removed, nil
		}
		nc, removed, err := patchRemove(c[i], path[1:])
		if err != nil {
			return nil, nil, err
		}
		c[i] = nc
		return c, removed, nil
	}
	return nil, nil, fmt.Errorf("%q is not inside an object or array", tok)
}

// normalizeJSON turns a Go value given by an in-process caller into the
// form encoding/json decodes to, so comparisons and copies behave alike.
func normalizeJSON(v any) (any, error) {
	switch v.(type) {
	case nil, bool, float64, string, map[string]any, []any:
		return v, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}

func deepCopy(v any) any {
	switch c := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(c))
		for k, x := range c {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(c))
		for i, x := range c {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}
