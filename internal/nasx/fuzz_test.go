package nasx

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzParse: Parse never panics, returns a message xor an error, and a
// parsed message either rebuilds (and then parses back to the same value)
// or is refused by Build with ErrInvalid.
func FuzzParse(f *testing.F) {
	for _, v := range vectors() {
		f.Add(hx(v.wire))
	}
	f.Add(hx("7e 01 00 00 00 00 00 7e 00 43"))
	f.Add(hx("7e 00 42 01 01 54 07 20 00 f1 10 00 00 01"))                   // type-01 TAI list
	f.Add(hx("7e 00 42 01 01 54 0d 41 00 f1 10 00 00 01 13 00 14 00 00 02")) // type-10 TAI list
	f.Add(hx("7e 00 41 79 00 0d 01 00 f1 10 00 00 00 00 10 32 54 76 98 2f 09 02 01 02 05 01 02 03 04 01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if (m == nil) == (err == nil) {
			t.Fatalf("Parse(% x) = %v, %v", b, m, err)
		}
		if err != nil {
			return
		}
		if _, err := PeekHeader(b); err != nil {
			t.Fatalf("PeekHeader refused what Parse accepted: %v", err)
		}
		out, err := m.Build()
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Build of parsed %T: %v", m, err)
			}
			return
		}
		m2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Build(%+v)) = %v (bytes % x)", m, err, out)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip changed the message:\n %+v\n %+v", m, m2)
		}
	})
}
