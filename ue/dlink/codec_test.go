package dlink_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/credbed/credbed/ue/dlink"
)

func rep(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

func hexb(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(strings.Join(parts, ""), " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hx(b byte, n int) string { return strings.Repeat(hex.EncodeToString([]byte{b}), n) }

// TestFrameVectors pairs typed frames with their exact bytes (assembled by
// hand from the layouts documented on each frame type).
func TestFrameVectors(t *testing.T) {
	cases := []struct {
		name  string
		frame dlink.Frame
		wire  []byte
	}{
		{"Status", dlink.StatusFrame{TxID: 0x01020304, Status: dlink.StatusAuthFailure, Reason: "x"},
			hexb(t, "01 07 01020304 000a", "1000 0001 02", "1106 0001 78")},
		{"Status without reason", dlink.StatusFrame{TxID: 1, Status: dlink.StatusRateLimited},
			hexb(t, "01 07 00000001 0005", "1000 0001 84")},
		{"ConfigRequest", dlink.ConfigRequest{TxID: 1, Wrapped: rep(0xaa, 16)},
			hexb(t, "01 04 00000001 0014", "1004 0010", hx(0xaa, 16))},
		{"CredentialDelivery", dlink.CredentialDelivery{TxID: 5, Wrapped: rep(0x77, 17)},
			hexb(t, "01 05 00000005 0015", "1004 0011", hx(0x77, 17))},
		{"ProofOfPossession", dlink.ProofOfPossession{TxID: 5, Status: dlink.StatusReplay, Wrapped: rep(0x66, 16)},
			hexb(t, "01 06 00000005 0019", "1000 0001 81", "1004 0010", hx(0x66, 16))},
		{"AuthConfirm", dlink.AuthConfirm{TxID: 7, Status: dlink.StatusOK, RHash: [32]byte(rep(0x11, 32)), Wrapped: rep(0xbb, 20)},
			hexb(t, "01 03 00000007 0041", "1000 0001 00", "1002 0020", hx(0x11, 32), "1004 0014", hx(0xbb, 20))},
		{"AuthConfirm abort", dlink.AuthConfirm{TxID: 7, Status: dlink.StatusAuthFailure, RHash: [32]byte(rep(0x11, 32))},
			hexb(t, "01 03 00000007 0029", "1000 0001 02", "1002 0020", hx(0x11, 32))},
		{"AuthRequest mutual", dlink.AuthRequest{TxID: 0xdeadbeef, RHash: [32]byte(rep(0x22, 32)), IHash: rep(0x33, 32),
			IProtoKey: append([]byte{4}, rep(0x44, 64)...), ICaps: dlink.DefaultCapabilities(dlink.RoleConfigurator), Wrapped: rep(0x55, 32)},
			hexb(t, "01 01 deadbeef 00c0", "1002 0020", hx(0x22, 32), "1001 0020", hx(0x33, 32),
				"1003 0041 04", hx(0x44, 64), "1006 000b 02 01 01 01 0013 02 0002 0001", "1004 0020", hx(0x55, 32))},
		{"AuthResponse not compatible", dlink.AuthResponse{TxID: 9, Status: dlink.StatusNotCompatible, RHash: [32]byte(rep(0x22, 32)),
			RCaps: dlink.DefaultCapabilities(dlink.RoleEnrollee)},
			hexb(t, "01 02 00000009 0038", "1000 0001 01", "1002 0020", hx(0x22, 32), "1008 000b 01 01 01 01 0013 02 0002 0001")},
		{"AuthResponse", dlink.AuthResponse{TxID: 9, Status: dlink.StatusOK, RHash: [32]byte(rep(0x22, 32)),
			RProtoKey: append([]byte{4}, rep(0x45, 64)...), RCaps: dlink.DefaultCapabilities(dlink.RoleEnrollee), Wrapped: rep(0x56, 16)},
			hexb(t, "01 02 00000009 0091", "1000 0001 00", "1002 0020", hx(0x22, 32), "1009 0041 04", hx(0x45, 64),
				"1008 000b 01 01 01 01 0013 02 0002 0001", "1004 0010", hx(0x56, 16))},
		{"PlainCredential", dlink.PlainCredential{TxID: 2, Package: []byte{1, 2, 3}},
			hexb(t, "01 20 00000002 0007", "1104 0003 010203")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := dlink.Marshal(c.frame)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, c.wire) {
				t.Fatalf("encode\n got %x\nwant %x", got, c.wire)
			}
			back, err := dlink.Decode(c.wire)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, c.frame) {
				t.Fatalf("decode\n got %#v\nwant %#v", back, c.frame)
			}
			raw, err := dlink.ParseRaw(c.wire)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := dlink.Marshal(raw)
			if !bytes.Equal(again, c.wire) {
				t.Fatal("raw round trip differs")
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	good := hexb(t, "01 03 00000007 0041", "1000 0001 00", "1002 0020", hx(0x11, 32), "1004 0014", hx(0xbb, 20))
	edit := func(f func([]byte) []byte) []byte { return f(bytes.Clone(good)) }
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, dlink.ErrTruncated},
		{"short header", good[:7], dlink.ErrTruncated},
		{"version 2", edit(func(b []byte) []byte { b[0] = 2; return b }), dlink.ErrVersion},
		{"unknown type", edit(func(b []byte) []byte { b[1] = 0x55; return b }), dlink.ErrType},
		{"trailing byte", append(bytes.Clone(good), 0), dlink.ErrLength},
		{"body cut", good[:len(good)-1], dlink.ErrLength},
		{"attribute header cut", hexb(t, "01 07 00000001 0003", "100000"), dlink.ErrTruncated},
		{"attribute value cut", hexb(t, "01 07 00000001 0005", "1000 0002 00"), dlink.ErrTruncated},
		{"missing status", hexb(t, "01 07 00000001 0000"), dlink.ErrMissingAttr},
		{"attributes out of order", hexb(t, "01 07 00000001 000a", "1106 0001 78", "1000 0001 02"), dlink.ErrMissingAttr},
		{"unknown attribute", hexb(t, "01 07 00000001 000a", "1000 0001 02", "7777 0001 00"), dlink.ErrUnexpectedAttr},
		{"repeated attribute", hexb(t, "01 07 00000001 000a", "1000 0001 02", "1000 0001 02"), dlink.ErrUnexpectedAttr},
		{"hash of 31 bytes", hexb(t, "01 03 00000007 0028", "1000 0001 02", "1002 001f", hx(0x11, 31)), dlink.ErrAttrValue},
		{"wrapped data with an abort", hexb(t, "01 03 00000007 0041", "1000 0001 02", "1002 0020", hx(0x11, 32), "1004 0014", hx(0xbb, 20)), dlink.ErrUnexpectedAttr},
		{"OK without wrapped data", hexb(t, "01 03 00000007 0029", "1000 0001 00", "1002 0020", hx(0x11, 32)), dlink.ErrUnexpectedAttr},
		{"wrapped shorter than a tag", hexb(t, "01 04 00000001 0013", "1004 000f", hx(0xaa, 15)), dlink.ErrAttrValue},
		{"reason not printable", hexb(t, "01 07 00000001 000a", "1000 0001 02", "1106 0001 07"), dlink.ErrAttrValue},
		{"capabilities overflow", hexb(t, "01 02 00000009 0038", "1000 0001 01", "1002 0020", hx(0x22, 32), "1008 000b 01 09 01 01 0013 02 0002 0001"), dlink.ErrAttrValue},
		{"too large", make([]byte, dlink.MaxFrameSize+1), dlink.ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := dlink.Decode(c.in)
			if !errors.Is(err, c.want) || !errors.Is(err, dlink.ErrMalformed) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if f != nil {
				t.Fatal("frame with an error")
			}
		})
	}
}

// TestEncoderLies checks the options the attack library uses.
func TestEncoderLies(t *testing.T) {
	f := dlink.AuthConfirm{TxID: 7, Status: dlink.StatusOK, RHash: [32]byte(rep(0x11, 32)), Wrapped: rep(0xbb, 20)}
	v0, l3, typ, tx := uint8(0), uint16(3), dlink.TypeStatus, uint32(99)
	cases := []struct {
		name string
		opts dlink.EncodeOptions
		want error
	}{
		{"version", dlink.EncodeOptions{Version: &v0}, dlink.ErrVersion},
		{"length", dlink.EncodeOptions{Length: &l3}, dlink.ErrLength},
		{"type", dlink.EncodeOptions{Type: &typ}, dlink.ErrUnexpectedAttr},
		{"omit", dlink.EncodeOptions{Omit: []dlink.AttrID{dlink.AttrRBootstrapHash}}, dlink.ErrMissingAttr},
		{"extra", dlink.EncodeOptions{Extra: []dlink.Attr{{ID: dlink.AttrIAuth, Value: rep(1, 32)}}}, dlink.ErrUnexpectedAttr},
		{"trailing", dlink.EncodeOptions{Trailing: []byte{0}}, dlink.ErrLength},
	}
	for _, c := range cases {
		b, err := dlink.MarshalWith(f, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dlink.Decode(b); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	b, _ := dlink.MarshalWith(f, dlink.EncodeOptions{TxID: &tx})
	if h, _ := dlink.ParseHeader(b); h.TxID != 99 {
		t.Errorf("txid lie: %d", h.TxID)
	}
	if _, err := dlink.Marshal(dlink.PlainCredential{Package: make([]byte, 70000)}); !errors.Is(err, dlink.ErrTooLarge) {
		t.Errorf("oversize attribute: %v", err)
	}
}

func TestNegotiate(t *testing.T) {
	pd, td := dlink.DefaultCapabilities(dlink.RoleConfigurator), dlink.DefaultCapabilities(dlink.RoleEnrollee)
	if s, ok := dlink.Negotiate(pd, td); !ok || s != (dlink.Suite{Version: 1, Curve: dlink.CurveP256, Cipher: dlink.CipherAES256GCM}) {
		t.Fatalf("default suite %v %v", s, ok)
	}
	pref := td
	pref.Ciphers = []dlink.Cipher{dlink.CipherNone, dlink.CipherAES128GCM, dlink.CipherAES256GCM}
	if s, ok := dlink.Negotiate(pd, pref); !ok || s.Cipher != dlink.CipherAES128GCM {
		t.Fatalf("responder preference, none skipped: %v", s)
	}
	for name, c := range map[string][2]dlink.Capabilities{
		"roles swapped": {td, pd},
		"no cipher":     {pd, {Role: dlink.RoleEnrollee, Versions: []uint8{1}, Curves: []dlink.Curve{dlink.CurveP256}, Ciphers: []dlink.Cipher{dlink.CipherNone}}},
		"no curve":      {pd, {Role: dlink.RoleEnrollee, Versions: []uint8{1}, Curves: []dlink.Curve{dlink.CurveX25519}, Ciphers: td.Ciphers}},
		"no version":    {pd, {Role: dlink.RoleEnrollee, Versions: []uint8{2}, Curves: td.Curves, Ciphers: td.Ciphers}},
	} {
		if _, ok := dlink.Negotiate(c[0], c[1]); ok {
			t.Errorf("%s: negotiated", name)
		}
	}
	b, _ := pd.MarshalBinary()
	back, err := dlink.ParseCapabilities(b)
	if err != nil || !reflect.DeepEqual(back, pd) {
		t.Fatalf("caps round trip: %v %v", back, err)
	}
	for _, bad := range [][]byte{nil, {2}, {2, 1}, {2, 1, 1, 1, 0}, {2, 0, 0, 0, 0}} {
		if _, err := dlink.ParseCapabilities(bad); err == nil {
			t.Errorf("accepted %x", bad)
		}
	}
}

func TestFragmentation(t *testing.T) {
	frame := make([]byte, 1000)
	for i := range frame {
		frame[i] = byte(i)
	}
	for _, p := range dlink.Presets() {
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		frags, err := dlink.Fragment(frame, p.MTU, 7)
		if err != nil {
			t.Fatal(err)
		}
		want := (len(frame) + p.MTU - dlink.FragmentHeaderSize - 1) / (p.MTU - dlink.FragmentHeaderSize)
		if len(frags) != want {
			t.Fatalf("%s: %d fragments, want %d", p.Name, len(frags), want)
		}
		var r dlink.Reassembler
		// Deliver in reverse order, with a duplicate.
		var got []byte
		for i := len(frags) - 1; i >= 0; i-- {
			for _, f := range [][]byte{frags[i], frags[i]} {
				if len(f) > p.MTU {
					t.Fatalf("%s: fragment of %d bytes", p.Name, len(f))
				}
				out, err := r.Push(f)
				if err != nil {
					t.Fatal(err)
				}
				if out != nil {
					got = out
				}
			}
		}
		if !bytes.Equal(got, frame) {
			t.Fatalf("%s: reassembly differs", p.Name)
		}
	}
	// A new message drops the unfinished one.
	a, _ := dlink.Fragment(frame, 128, 1)
	b, _ := dlink.Fragment(frame[:300], 128, 2)
	var r dlink.Reassembler
	r.Push(a[0])
	var got []byte
	for _, f := range b {
		out, err := r.Push(f)
		if err != nil {
			t.Fatal(err)
		}
		if out != nil {
			got = out
		}
	}
	if !bytes.Equal(got, frame[:300]) {
		t.Fatal("interleaved message not reassembled")
	}
	for _, bad := range [][]byte{{}, {0xD1, 0, 0}, {0xD0, 0, 0, 1}, {0xD1, 0, 0, 0}, {0xD1, 0, 3, 3}} {
		if _, err := r.Push(bad); !errors.Is(err, dlink.ErrMalformed) {
			t.Errorf("fragment %x: %v", bad, err)
		}
	}
	if _, err := dlink.Fragment(make([]byte, 255*10+1), 14, 0); !errors.Is(err, dlink.ErrTooLarge) {
		t.Errorf("too many fragments: %v", err)
	}
	small := dlink.Reassembler{MaxFrame: 100}
	c, _ := dlink.Fragment(make([]byte, 200), 64, 3)
	var err error
	for _, f := range c {
		if _, err = small.Push(f); err != nil {
			break
		}
	}
	if !errors.Is(err, dlink.ErrTooLarge) {
		t.Errorf("oversize reassembly: %v", err)
	}
}
