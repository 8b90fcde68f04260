package sbi_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
)

func decodeAny(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return v
}

func decodePatch(t testing.TB, s string) []models.PatchItem {
	t.Helper()
	var ops []models.PatchItem
	if err := json.Unmarshal([]byte(s), &ops); err != nil {
		t.Fatalf("bad test patch %s: %v", s, err)
	}
	return ops
}

// TestApplyPatch runs RFC 6902 Appendix A and the edge cases of §4 and
// RFC 6901; want == "" means the patch must fail with ErrPatch.
func TestApplyPatch(t *testing.T) {
	cases := []struct {
		name, doc, patch, want string
	}{
		// Reference: RFC 6902 Appendix A.1-A.16
		{"A.1 add object member", `{"foo":"bar"}`, `[{"op":"add","path":"/baz","value":"qux"}]`, `{"baz":"qux","foo":"bar"}`},
		{"A.2 add array element", `{"foo":["bar","baz"]}`, `[{"op":"add","path":"/foo/1","value":"qux"}]`, `{"foo":["bar","qux","baz"]}`},
		{"A.3 remove object member", `{"baz":"qux","foo":"bar"}`, `[{"op":"remove","path":"/baz"}]`, `{"foo":"bar"}`},
		{"A.4 remove array element", `{"foo":["bar","qux","baz"]}`, `[{"op":"remove","path":"/foo/1"}]`, `{"foo":["bar","baz"]}`},
		{"A.5 replace a value", `{"baz":"qux","foo":"bar"}`, `[{"op":"replace","path":"/baz","value":"boo"}]`, `{"baz":"boo","foo":"bar"}`},
		{"A.6 move a value", `{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}`,
			`[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]`, `{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}`},
		{"A.7 move an array element", `{"foo":["all","grass","cows","eat"]}`, `[{"op":"move","from":"/foo/1","path":"/foo/3"}]`, `{"foo":["all","cows","eat","grass"]}`},
		{"A.8 test success", `{"baz":"qux","foo":["a",2,"c"]}`,
			`[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]`, `{"baz":"qux","foo":["a",2,"c"]}`},
		{"A.9 test error", `{"baz":"qux"}`, `[{"op":"test","path":"/baz","value":"bar"}]`, ""},
		{"A.10 add nested member object", `{"foo":"bar"}`, `[{"op":"add","path":"/child","value":{"grandchild":{}}}]`, `{"foo":"bar","child":{"grandchild":{}}}`},
		{"A.11 ignore unrecognised elements", `{"foo":"bar"}`, `[{"op":"add","path":"/baz","value":"qux","xyz":123}]`, `{"foo":"bar","baz":"qux"}`},
		{"A.12 add to a nonexistent target", `{"foo":"bar"}`, `[{"op":"add","path":"/baz/bat","value":"qux"}]`, ""},
		{"A.14 ~ escape ordering", `{"/":9,"~1":10}`, `[{"op":"test","path":"/~01","value":10}]`, `{"/":9,"~1":10}`},
		{"A.15 strings and numbers differ", `{"/":9,"~1":10}`, `[{"op":"test","path":"/~01","value":"10"}]`, ""},
		{"A.16 add an array value", `{"foo":["bar"]}`, `[{"op":"add","path":"/foo/-","value":["abc","def"]}]`, `{"foo":["bar",["abc","def"]]}`},

		// Reference: RFC 6902 §4.1-§4.6, RFC 6901 §3-§4
		{"add replaces an existing member", `{"a":1}`, `[{"op":"add","path":"/a","value":2}]`, `{"a":2}`},
		{"add the whole document", `{"a":1}`, `[{"op":"add","path":"","value":[1]}]`, `[1]`},
		{"add past the end of an array", `{"a":[1]}`, `[{"op":"add","path":"/a/2","value":2}]`, ""},
		{"add with a leading-zero index", `{"a":[1,2]}`, `[{"op":"add","path":"/a/01","value":0}]`, ""},
		{"add under a scalar", `{"a":1}`, `[{"op":"add","path":"/a/b","value":0}]`, ""},
		{"remove an absent member", `{"a":1}`, `[{"op":"remove","path":"/b"}]`, ""},
		{"remove the whole document", `{"a":1}`, `[{"op":"remove","path":""}]`, ""},
		{"remove the end marker", `{"a":[1]}`, `[{"op":"remove","path":"/a/-"}]`, ""},
		{"remove a nested member", `{"a":{"b":{"c":1,"d":2}}}`, `[{"op":"remove","path":"/a/b/c"}]`, `{"a":{"b":{"d":2}}}`},
		{"replace the whole document", `{"a":1}`, `[{"op":"replace","path":"","value":{"b":2}}]`, `{"b":2}`},
		{"replace an array element", `{"a":[1,2]}`, `[{"op":"replace","path":"/a/1","value":3}]`, `{"a":[1,3]}`},
		{"replace an absent array element", `{"a":[1]}`, `[{"op":"replace","path":"/a/1","value":3}]`, ""},
		{"replace under an absent parent", `{"a":1}`, `[{"op":"replace","path":"/b/c","value":3}]`, ""},
		{"move from an absent member", `{"a":1}`, `[{"op":"move","from":"/b","path":"/c"}]`, ""},
		{"move into its own child", `{"a":{"b":1}}`, `[{"op":"move","from":"/a","path":"/a/b"}]`, ""},
		{"move onto itself", `{"a":{"b":1}}`, `[{"op":"move","from":"/a","path":"/a"}]`, `{"a":{"b":1}}`},
		{"copy a value", `{"a":{"b":1}}`, `[{"op":"copy","from":"/a","path":"/c"}]`, `{"a":{"b":1},"c":{"b":1}}`},
		{"copy is deep", `{"a":{"b":1}}`, `[{"op":"copy","from":"/a","path":"/c"},{"op":"replace","path":"/c/b","value":2}]`, `{"a":{"b":1},"c":{"b":2}}`},
		{"copy with a bad from", `{"a":1}`, `[{"op":"copy","from":"a","path":"/c"}]`, ""},
		{"test an object", `{"a":{"b":[1,null]}}`, `[{"op":"test","path":"/a","value":{"b":[1,null]}}]`, `{"a":{"b":[1,null]}}`},
		{"test an absent member", `{"a":1}`, `[{"op":"test","path":"/b","value":1}]`, ""},
		{"unknown op", `{"a":1}`, `[{"op":"merge","path":"/a","value":1}]`, ""},
		{"pointer without a leading slash", `{"a":1}`, `[{"op":"add","path":"a","value":1}]`, ""},
		{"items apply in order", `{}`, `[{"op":"add","path":"/a","value":[]},{"op":"add","path":"/a/-","value":1},{"op":"add","path":"/a/0","value":0}]`, `{"a":[0,1]}`},

		// Documented deviation from RFC 6902 §4.3: stored documents omit
		// zero-valued members, so replacing one that is absent adds it.
		{"replace of an absent member adds it", `{"nfStatus":"REGISTERED"}`, `[{"op":"replace","path":"/load","value":10}]`, `{"nfStatus":"REGISTERED","load":10}`},
		{"replace of an absent nested member adds it", `{"s":{}}`, `[{"op":"replace","path":"/s/sqn","value":"01"}]`, `{"s":{"sqn":"01"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := sbi.ApplyPatch(decodeAny(t, c.doc), decodePatch(t, c.patch))
			if c.want == "" {
				if !errors.Is(err, sbi.ErrPatch) {
					t.Fatalf("err = %v, want ErrPatch", err)
				}
				if got != nil {
					t.Fatalf("failed patch returned %v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if want := decodeAny(t, c.want); !reflect.DeepEqual(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
}

// TestApplyPatchGoValues checks that values given by in-process callers as Go
// types (structs, ints, typed slices) behave as their JSON encoding does.
func TestApplyPatchGoValues(t *testing.T) {
	doc := decodeAny(t, `{"sequenceNumber":{"sqn":"000000000001"},"load":5,"types":["AMF"]}`)
	ops := []models.PatchItem{
		{Op: models.PatchOperation_TEST, Path: "/load", Value: 5},
		{Op: models.PatchOperation_TEST, Path: "/types", Value: []string{"AMF"}},
		{Op: models.PatchOperation_REPLACE, Path: "/sequenceNumber", Value: models.SequenceNumber{Sqn: "0000000000a1"}},
		{Op: models.PatchOperation_ADD, Path: "/types/-", Value: "SMF"},
	}
	got, err := sbi.ApplyPatch(doc, ops)
	if err != nil {
		t.Fatal(err)
	}
	want := decodeAny(t, `{"sequenceNumber":{"sqn":"0000000000a1"},"load":5,"types":["AMF","SMF"]}`)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}

	if _, err := sbi.ApplyPatch(doc, []models.PatchItem{{Op: models.PatchOperation_ADD, Path: "/x", Value: func() {}}}); !errors.Is(err, sbi.ErrPatch) {
		t.Fatalf("unencodable value: err = %v, want ErrPatch", err)
	}
}

// TestApplyPatchValueNotAliased checks that a value added twice, or changed by
// the caller after the patch, does not alias the document.
func TestApplyPatchValueNotAliased(t *testing.T) {
	v := map[string]any{"b": "x"}
	got, err := sbi.ApplyPatch(map[string]any{}, []models.PatchItem{
		{Op: models.PatchOperation_ADD, Path: "/a", Value: v},
		{Op: models.PatchOperation_ADD, Path: "/c", Value: v},
		{Op: models.PatchOperation_REPLACE, Path: "/a/b", Value: "y"},
	})
	if err != nil {
		t.Fatal(err)
	}
	v["b"] = "z"
	if want := decodeAny(t, `{"a":{"b":"y"},"c":{"b":"x"}}`); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// FuzzApplyPatch: any JSON document and patch either apply or fail with
// ErrPatch; never a panic, never a nil error with a result that does not
// encode.
func FuzzApplyPatch(f *testing.F) {
	f.Add([]byte(`{"foo":["bar","baz"]}`), []byte(`[{"op":"add","path":"/foo/1","value":"qux"}]`))
	f.Add([]byte(`{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}`), []byte(`[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]`))
	f.Add([]byte(`{"/":9,"~1":10}`), []byte(`[{"op":"test","path":"/~01","value":10}]`))
	f.Add([]byte(`{"a":[1,2]}`), []byte(`[{"op":"copy","from":"/a","path":"/a/-"},{"op":"remove","path":"/a/0"}]`))
	f.Add([]byte(`{"a":{}}`), []byte(`[{"op":"replace","path":"/a/b","value":null},{"op":"move","from":"/a","path":"/a/b"}]`))
	f.Add([]byte(`[]`), []byte(`[{"op":"remove","path":""}]`))
	f.Fuzz(func(t *testing.T, docJSON, patchJSON []byte) {
		var doc any
		var ops []models.PatchItem
		if json.Unmarshal(docJSON, &doc) != nil || json.Unmarshal(patchJSON, &ops) != nil {
			return
		}
		got, err := sbi.ApplyPatch(doc, ops)
		if err != nil {
			if !errors.Is(err, sbi.ErrPatch) {
				t.Fatalf("error not wrapping ErrPatch: %v", err)
			}
			return
		}
		if _, err := json.Marshal(got); err != nil {
			t.Fatalf("patched document does not encode: %v", err)
		}
	})
}
