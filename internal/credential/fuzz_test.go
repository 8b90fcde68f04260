package credential_test

import (
	"bytes"
	"testing"

	"github.com/credbed/credbed/internal/credential"
)

// FuzzParsePackage: no panic; an accepted input re-encodes to itself.
func FuzzParsePackage(f *testing.F) {
	good, err := samplePackage().MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{1})
	f.Add([]byte{1, 0x01, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := credential.ParsePackage(b)
		if err != nil {
			return
		}
		again, err := p.MarshalBinary()
		if err != nil {
			t.Fatalf("accepted package does not re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("not canonical:\n in %x\nout %x", b, again)
		}
	})
}

// FuzzParseBinding: no panic; an accepted input re-encodes to itself.
func FuzzParseBinding(f *testing.F) {
	good, err := samplePackage().Binding.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte{1, 0x10, 0, 1, 'a'})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := credential.ParseBinding(b)
		if err != nil {
			return
		}
		again, err := v.MarshalBinary()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("not canonical: %v", err)
		}
	})
}

// FuzzOpen: arbitrary sealed blobs never panic and never open.
func FuzzOpen(f *testing.F) {
	rnd := newTestRand(1)
	id, err := credential.NewIdentity(rnd, "td-fuzz")
	if err != nil {
		f.Fatal(err)
	}
	aad := credential.SealAAD(id.DeviceID, id.Bootstrap().Hash())
	blob, err := credential.Seal(rnd, id.Bootstrap().Key, aad, samplePackage())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(blob)
	f.Add(blob[:credential.SealOverhead])
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := credential.Open(id.Key, aad, b)
		if err == nil && !bytes.Equal(b, blob) {
			t.Fatalf("forged blob opened: %v", p)
		}
	})
}

// FuzzParseURI: no panic; an accepted URI has a key and a valid device id.
func FuzzParseURI(f *testing.F) {
	id, err := credential.NewIdentity(newTestRand(2), "td-1")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(id.Bootstrap().URI())
	f.Add("DPP:I:x;K:AAAA;;")
	f.Add("DPP:;;")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := credential.ParseURI(s)
		if err != nil {
			return
		}
		if b.Key == nil || b.Validate() != nil {
			t.Fatalf("accepted %q without a valid key/id", s)
		}
	})
}
