package roles_test

import (
	"testing"

	"github.com/credbed/credbed/ue/roles"
)

// FuzzParseCounter: a counter file is untrusted input; the parser never
// panics and round-trips what it accepts.
func FuzzParseCounter(f *testing.F) {
	for _, s := range []string{"0", "1\n", "18446744073709551615", "18446744073709551616", "", "\n", "-3", "0x10", "12a"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := roles.ParseCounter(b)
		if err != nil {
			return
		}
		back, err := roles.ParseCounter(roles.FormatCounter(v))
		if err != nil || back != v {
			t.Fatalf("round trip of %d: %d, %v", v, back, err)
		}
	})
}
