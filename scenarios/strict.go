package scenarios

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	nodeType        = reflect.TypeFor[yaml.Node]()
)

// DecodeStrict decodes n into out (a pointer) and rejects, with FILE:LINE,
// mapping keys that the target struct types do not declare and values of
// the wrong type. yaml.v3's Node.Decode ignores KnownFields, so the key
// check walks the node against the Go type first. Types with their own
// UnmarshalYAML check themselves.
func DecodeStrict(file string, n *yaml.Node, out any) error {
	t := reflect.TypeOf(out)
	if t == nil || t.Kind() != reflect.Pointer {
		return fmt.Errorf("scenarios: DecodeStrict needs a pointer, got %T", out)
	}
	c := &errs{file: file}
	checkKeys(c, n, t.Elem())
	if len(c.list) > 0 {
		return c.list
	}
	if err := n.Decode(out); err != nil {
		return yamlError(file, n.Line, err)
	}
	return nil
}

// checkKeys reports unknown keys in n against t.
func checkKeys(c *errs, n *yaml.Node, t reflect.Type) {
	if n == nil {
		return
	}
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nodeType || reflect.PointerTo(t).Implements(unmarshalerType) || t.Implements(unmarshalerType) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // Decode reports the type error
		}
		fields := map[string]reflect.Type{}
		structFields(t, fields)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				c.add(k.Line, "unknown key %q in %s (allowed: %s)", k.Value, typeName(t), strings.Join(sortedKeys(fields), ", "))
				continue
			}
			checkKeys(c, v, ft)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind == yaml.SequenceNode {
			for _, item := range n.Content {
				checkKeys(c, item, t.Elem())
			}
		}
	case reflect.Map:
		if n.Kind == yaml.MappingNode {
			for i := 1; i < len(n.Content); i += 2 {
				checkKeys(c, n.Content[i], t.Elem())
			}
		}
	}
}

// structFields collects the YAML keys of t (inline structs flattened).
func structFields(t reflect.Type, into map[string]reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := yamlName(f)
		switch name {
		case "-":
			continue
		case "":
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				structFields(ft, into)
			}
			continue
		}
		into[name] = f.Type
	}
}

// yamlName returns the key yaml.v3 uses for f: "-" for skipped fields, ""
// for inline ones.
func yamlName(f reflect.StructField) string {
	tag := f.Tag.Get("yaml")
	name, opts, _ := strings.Cut(tag, ",")
	if slices.Contains(strings.Split(opts, ","), "inline") {
		return ""
	}
	if name == "-" {
		return "-"
	}
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

func sortedKeys(m map[string]reflect.Type) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func typeName(t reflect.Type) string {
	if t.Name() != "" {
		return t.Name()
	}
	return t.String()
}

var lineRE = regexp.MustCompile(`^line (\d+): (.*)$`)

// yamlError turns a yaml.v3 error into positioned Errors.
func yamlError(file string, line int, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var out ErrorList
		for _, m := range te.Errors {
			l, msg := line, m
			if sm := lineRE.FindStringSubmatch(m); sm != nil {
				l, _ = strconv.Atoi(sm[1])
				msg = sm[2]
			}
			out = append(out, &Error{File: file, Line: l, Msg: msg})
		}
		return out
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if sm := lineRE.FindStringSubmatch(msg); sm != nil {
		l, _ := strconv.Atoi(sm[1])
		return &Error{File: file, Line: l, Msg: sm[2]}
	}
	return &Error{File: file, Line: line, Msg: msg}
}

// child returns the value node of key in mapping n (nil if absent).
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// keyNode returns the key node of key in mapping n (nil if absent).
func keyNode(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}

// itemLine returns the line of the i-th item of sequence key in n, or of the key.
func itemLine(n *yaml.Node, key string, i int) int {
	if s := child(n, key); s != nil {
		if s.Kind == yaml.SequenceNode && i < len(s.Content) {
			return s.Content[i].Line
		}
		return s.Line
	}
	return n.Line
}

// present reports whether a yaml.Node field was given.
func present(n yaml.Node) bool { return n.Kind != 0 }
