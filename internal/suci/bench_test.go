package suci

import (
	"crypto/rand"
	"testing"

	"github.com/credbed/credbed/internal/ident"
)

func BenchmarkConceal(b *testing.B) {
	ring := fuzzRing(b)
	supi, _ := ident.ParseSUPI(c4IMSI)
	for _, scheme := range []ident.ProtectionScheme{ident.SchemeNull, ident.SchemeProfileA, ident.SchemeProfileB} {
		p := Params{Scheme: scheme, MNCLength: 3}
		if scheme != ident.SchemeNull {
			p.KeyID = 1
			k, _ := ring.Lookup(scheme, 1)
			p.HomeNetworkKey = k.Public()
		}
		b.Run(scheme.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Conceal(supi, p, rand.Reader); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDeconceal(b *testing.B) {
	ring := fuzzRing(b)
	for _, tc := range c4Cases() {
		if tc.supi != c4IMSI {
			continue
		}
		s, err := ident.ParseSUCI(tc.suciStr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.scheme.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Deconceal(s, ring); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
