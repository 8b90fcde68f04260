package suci

import (
	"errors"
	"testing"

	"github.com/credbed/credbed/internal/ident"
)

func fuzzRing(t testing.TB) KeyRing {
	ring := KeyRing{}
	a, err := NewPrivateKey(ident.SchemeProfileA, unhex(t, c4APriv))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewPrivateKey(ident.SchemeProfileB, unhex(t, c4BPriv))
	if err != nil {
		t.Fatal(err)
	}
	for _, add := range []struct {
		id uint8
		k  *PrivateKey
	}{{1, a}, {1, b}, {2, b}} {
		if err := ring.Add(add.id, add.k); err != nil {
			t.Fatal(err)
		}
	}
	return ring
}

var sentinels = []error{ErrOffCurve, ErrMACMismatch, ErrLength, ErrUnknownKeyID, ErrUnknownScheme, ErrMalformed}

// checkDeconcealResult is the fuzz invariant: no nil result without an error,
// a returned SUPI validates, and every error wraps one of the sentinels.
func checkDeconcealResult(t *testing.T, supi ident.SUPI, err error) {
	if err != nil {
		for _, s := range sentinels {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error wraps no sentinel: %v", err)
	}
	if supi.IsZero() {
		t.Fatal("zero SUPI without an error")
	}
	if verr := supi.Validate(); verr != nil {
		t.Fatalf("de-concealed SUPI does not validate: %v", verr)
	}
}

func FuzzDeconceal(f *testing.F) {
	for _, tc := range c4Cases() {
		f.Add(uint8(tc.scheme), uint8(1), tc.supi == c4NAI, unhex(f, tc.output))
	}
	f.Add(uint8(2), uint8(2), false, unhex(f, "04"+c4BPub[2:]+"46A33FC2716AC7DAE96AA30A4D"))
	f.Add(uint8(1), uint8(1), false, make([]byte, 45))
	ring := fuzzRing(f)
	f.Fuzz(func(t *testing.T, scheme, keyID uint8, nai bool, output []byte) {
		s := ident.SUCI{
			SUPIType:         ident.SUPITypeIMSI,
			PLMN:             ident.PLMN{MCC: "274", MNC: "012"},
			RoutingIndicator: "0",
			Scheme:           ident.ProtectionScheme(scheme & 0x0F),
			KeyID:            keyID,
			SchemeOutput:     output,
		}
		if nai {
			s.SUPIType, s.PLMN, s.Realm = ident.SUPITypeNAI, ident.PLMN{}, "3gpp.com"
		}
		supi, err := Deconceal(s, ring)
		checkDeconcealResult(t, supi, err)
	})
}

func FuzzDeconcealString(f *testing.F) {
	for _, tc := range c4Cases() {
		f.Add(tc.suciStr)
	}
	f.Add("suci-0-208-93-0-2-2-039aab8376597021e855679a9778ea0b67396e68c66df32c0f41e9acca2da9b9d146a33fc2716ac7dae96aa30a4d")
	f.Add("suci-0-208-93-0-0-0-00007487")
	ring := fuzzRing(f)
	f.Fuzz(func(t *testing.T, in string) {
		supi, err := DeconcealString(in, ring)
		checkDeconcealResult(t, supi, err)
	})
}

func FuzzDeconcealNAS(f *testing.F) {
	ring := fuzzRing(f)
	for _, tc := range c4Cases() {
		s, err := ident.ParseSUCI(tc.suciStr)
		if err != nil {
			f.Fatal(err)
		}
		b, err := s.MarshalNAS()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0x01, 0x02, 0xf8, 0x39, 0xf0, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf1})
	f.Fuzz(func(t *testing.T, in []byte) {
		supi, err := DeconcealNAS(in, ring)
		checkDeconcealResult(t, supi, err)
	})
}
