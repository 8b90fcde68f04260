package ngapx

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzParse: Parse never panics, returns a message xor an error, and a
// parsed message either rebuilds (and parses back to the same value) or is
// refused by Build with ErrInvalid.
func FuzzParse(f *testing.F) {
	for _, m := range messages(f) {
		b, err := m.Build()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{0x00, 0x0f, 0x40})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if (m == nil) == (err == nil) {
			t.Fatalf("Parse(% x) = %v, %v", b, m, err)
		}
		if err != nil {
			return
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
			t.Fatalf("Parse(Build(%+v)) = %v", m, err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip changed the message:\n %+v\n %+v", m, m2)
		}
	})
}

// FuzzParseTransfers: the transfer parsers never panic and never return a
// nil value without an error.
func FuzzParseTransfers(f *testing.F) {
	f.Add(reqTransfer(f))
	f.Add(respTransfer(f))
	if b, err := (&PDUSessionCauseTransfer{Cause: CauseNASNormalRelease}).BuildReleaseCommand(); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ParsePDUSessionSetupRequestTransfer(b); (r == nil) == (err == nil) {
			t.Fatalf("request transfer: %v, %v", r, err)
		}
		if r, err := ParsePDUSessionSetupResponseTransfer(b); (r == nil) == (err == nil) {
			t.Fatalf("response transfer: %v, %v", r, err)
		}
		if r, err := ParsePDUSessionReleaseCommandTransfer(b); (r == nil) == (err == nil) {
			t.Fatalf("release command transfer: %v, %v", r, err)
		}
		if r, err := ParsePDUSessionSetupUnsuccessfulTransfer(b); (r == nil) == (err == nil) {
			t.Fatalf("unsuccessful transfer: %v, %v", r, err)
		}
		_ = ParsePDUSessionReleaseResponseTransfer(b)
	})
}
