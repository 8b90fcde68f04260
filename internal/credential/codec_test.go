package credential_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/credbed/credbed/internal/credential"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func hx(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(strings.Join(parts, ""), " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPackageEncodingVector checks the exact bytes of the sample package
// (hand-assembled from the layout documented in codec.go).
func TestPackageEncodingVector(t *testing.T) {
	want := hx(t,
		"01",
		"01 0014 696d73692d303031303130303030303030303432", // SUPI imsi-001010000000042
		"02 0010 465b5ce8b199b49faa5f0a2ee238a6bc",         // K
		"03 0010 cd63cb71954a9f4e48a5994e37a02baf",         // OPc
		"04 0002 8000",         // AMF
		"05 0006 000000000020", // SQN
		"06 0002 0000",         // null scheme, id 0
		"06 0022 0101 "+hex.EncodeToString(make32(0x5a)), // profile A, id 1
		"07 0004 30303030",       // routing indicator
		"08 0003 303031",         // MCC
		"09 0002 3031",           // MNC
		"10 0007 74642d30303031", // target td-0001
		"11 0014 696d73692d303031303130303030303030303031", // PD imsi-001010000000001
		"12 0008 0000000000000007",                         // counter
		"13 0004 01020304",                                 // nonce
		"14 0008 0000000070dbd880",                         // expiry 2030-01-01T00:00:00Z
	)
	got, err := samplePackageT().MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("encoding\n got %x\nwant %x", got, want)
	}
	back, err := credential.ParsePackage(got)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(samplePackageT()) {
		t.Fatalf("round trip differs: %v", back)
	}
	again, _ := back.MarshalBinary()
	if !bytes.Equal(again, got) {
		t.Fatal("re-encoding differs")
	}
	bind, err := samplePackageT().Binding.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bind, append([]byte{1}, want[len(want)-(10+23+11+7+11):]...)) {
		t.Fatalf("binding encoding %x", bind)
	}
	b2, err := credential.ParseBinding(bind)
	if err != nil || !b2.Equal(samplePackageT().Binding) {
		t.Fatalf("binding round trip: %v %v", b2, err)
	}
}

func samplePackageT() credential.Package { return samplePackage() }

type tlv struct {
	tag uint8
	val []byte
}

func tlvs(t testing.TB) []tlv {
	t.Helper()
	enc, err := samplePackage().MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var out []tlv
	for b := enc[1:]; len(b) > 0; {
		n := int(binary.BigEndian.Uint16(b[1:3]))
		out = append(out, tlv{b[0], b[3 : 3+n]})
		b = b[3+n:]
	}
	return out
}

func build(version byte, ts []tlv) []byte {
	b := []byte{version}
	for _, x := range ts {
		b = append(b, x.tag)
		b = binary.BigEndian.AppendUint16(b, uint16(len(x.val)))
		b = append(b, x.val...)
	}
	return b
}

func TestParsePackageErrors(t *testing.T) {
	base := tlvs(t)
	edit := func(f func([]tlv) []tlv) []byte {
		c := append([]tlv(nil), base...)
		return build(1, f(c))
	}
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, credential.ErrTruncated},
		{"version 2", build(2, base), credential.ErrVersion},
		{"unknown tag", edit(func(c []tlv) []tlv { return append(c[:1], append([]tlv{{0x0a, []byte{1}}}, c[1:]...)...) }), credential.ErrUnknownTag},
		{"unknown tag past the end", edit(func(c []tlv) []tlv { return append(c, tlv{0x15, nil}) }), credential.ErrUnknownTag},
		{"K and OPc swapped", edit(func(c []tlv) []tlv { c[1], c[2] = c[2], c[1]; return c }), credential.ErrTagOrder},
		{"K twice", edit(func(c []tlv) []tlv { return append(c[:2], c[1:]...) }), credential.ErrTagOrder},
		{"OPc missing", edit(func(c []tlv) []tlv { return append(c[:2], c[3:]...) }), credential.ErrMissing},
		{"expiry missing", edit(func(c []tlv) []tlv { return c[:len(c)-1] }), credential.ErrMissing},
		{"K of 15 bytes", edit(func(c []tlv) []tlv { c[1].val = c[1].val[:15]; return c }), credential.ErrLength},
		{"SQN of 8 bytes", edit(func(c []tlv) []tlv { c[4].val = make([]byte, 8); return c }), credential.ErrLength},
		{"bad SUPI", edit(func(c []tlv) []tlv { c[0].val = []byte("imsi-12"); return c }), credential.ErrInvalid},
		{"AMF separation bit clear", edit(func(c []tlv) []tlv { c[3].val = []byte{0, 0}; return c }), credential.ErrInvalid},
		{"profile A key of 31 bytes", edit(func(c []tlv) []tlv { c[6].val = c[6].val[:33]; return c }), credential.ErrInvalid},
		{"routing indicator letters", edit(func(c []tlv) []tlv { c[7].val = []byte("00a0"); return c }), credential.ErrInvalid},
		{"IMSI outside the PLMN", edit(func(c []tlv) []tlv { c[9].val = []byte("02"); return c }), credential.ErrInvalid},
		{"zero counter", edit(func(c []tlv) []tlv { c[12].val = make([]byte, 8); return c }), credential.ErrInvalid},
		{"empty nonce", edit(func(c []tlv) []tlv { c[13].val = nil; return c }), credential.ErrLength},
		{"truncated header", build(1, base)[:len(build(1, base))-10], credential.ErrTruncated},
		{"trailing byte", append(build(1, base), 0x14), credential.ErrTruncated},
		{"too large", make([]byte, credential.MaxEncodedSize+1), credential.ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := credential.ParsePackage(c.in)
			if !errors.Is(err, c.want) || !errors.Is(err, credential.ErrMalformed) {
				t.Fatalf("got %v, want %v and ErrMalformed", err, c.want)
			}
			if !p.Equal(credential.Package{}) {
				t.Fatal("non-zero package with an error")
			}
			var de *credential.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%T is not a *DecodeError", err)
			}
		})
	}
}

func TestParseBindingErrors(t *testing.T) {
	good, _ := samplePackage().Binding.MarshalBinary()
	for name, in := range map[string][]byte{
		"package tag in a binding": append(bytes.Clone(good[:1]), append([]byte{0x02, 0, 0}, good[1:]...)...),
		"truncated":                good[:len(good)-1],
		"version 0":                append([]byte{0}, good[1:]...),
	} {
		if _, err := credential.ParseBinding(in); !errors.Is(err, credential.ErrMalformed) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestDecodeErrorsCarryNoSecret(t *testing.T) {
	c := tlvs(t)
	c[1].val = c[1].val[:15] // K of 15 bytes
	_, err := credential.ParsePackage(build(1, c))
	if err == nil || strings.Contains(strings.ToLower(err.Error()), hex.EncodeToString(c[1].val[:4])) {
		t.Fatalf("error %v", err)
	}
}
