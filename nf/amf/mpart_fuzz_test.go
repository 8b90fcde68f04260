package amf

import (
	"bytes"
	"testing"

	"github.com/credbed/credbed/internal/sbi"
)

// FuzzSBIBody checks the decoder of SMF answers and N1N2MessageTransfer
// bodies (untrusted bytes): no panic, never a nil body without an error.
func FuzzSBIBody(f *testing.F) {
	ct, b, err := encodeBody(map[string]any{"n1SmMsg": map[string]string{"contentId": cidN1}},
		binaryPart{cid: cidN1, ctype: Content5GNAS, data: []byte{0x2e, 1, 1, 0xc2}},
		binaryPart{cid: cidN2, ctype: ContentNGAP, data: []byte{0, 1, 2}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ct, b)
	f.Add(sbi.ContentProblem, []byte(`{"status":403,"cause":"DNN_DENIED"}`))
	f.Add(ContentMultipart+"; boundary=x", []byte("--x\r\nContent-Type: application/json\r\n\r\n{}\r\n--x--\r\n"))
	f.Add(ContentMultipart+"; boundary=x", []byte("--x\r\nContent-Id: <a>\r\n\r\n1\r\n--x\r\nContent-Id: <a>\r\n\r\n2\r\n--x--\r\n"))
	f.Add(ContentMultipart, []byte("--"))
	f.Add("text/plain", []byte("x"))
	f.Fuzz(func(t *testing.T, ct string, raw []byte) {
		b, err := decodeBody(ct, raw)
		if err == nil && b == nil {
			t.Fatal("nil body without error")
		}
		if err == nil {
			_, _ = b.part(cidN1)
		}
	})
}

// TestBodyRoundTrip: what encodeBody writes decodeBody reads back.
func TestBodyRoundTrip(t *testing.T) {
	n1, n2 := []byte{0x2e, 1, 1, 0xc1}, []byte{0x00, 0x0f}
	ct, raw, err := encodeBody(map[string]int{"pduSessionId": 1},
		binaryPart{cid: cidN1, ctype: Content5GNAS, data: n1}, binaryPart{cid: cidN2, ctype: ContentNGAP, data: n2})
	if err != nil {
		t.Fatal(err)
	}
	b, err := decodeBody(ct, raw)
	if err != nil {
		t.Fatal(err)
	}
	if string(b.json) != `{"pduSessionId":1}` {
		t.Fatalf("JSON part %q", b.json)
	}
	if p, ok := b.part("<" + cidN1 + ">"); !ok || !bytes.Equal(p, n1) {
		t.Fatalf("N1 part %x", p)
	}
	if p, ok := b.part(cidN2); !ok || !bytes.Equal(p, n2) {
		t.Fatalf("N2 part %x", p)
	}
	if ct, raw, err := encodeBody(map[string]int{}); err != nil || ct != sbi.ContentJSON || string(raw) != "{}" {
		t.Fatalf("JSON only: %q %q %v", ct, raw, err)
	}
	for _, bad := range []struct{ ct, body string }{
		{"text/plain", "x"},
		{ContentMultipart, "x"},
		{ContentMultipart + "; boundary=x", "--x\r\nContent-Type: application/vnd.3gpp.5gnas\r\n\r\n1\r\n--x--\r\n"},
	} {
		if b, err := decodeBody(bad.ct, []byte(bad.body)); err == nil || b != nil {
			t.Fatalf("%q accepted", bad.body)
		}
	}
}

// TestRefOf: the smContextRef is the last segment of Location.
func TestRefOf(t *testing.T) {
	for loc, want := range map[string]string{
		"http://127.0.0.7:80/nsmf-pdusession/v1/sm-contexts/1a2b": "1a2b",
		"http://127.0.0.7:80/nsmf-pdusession/v1/sm-contexts/":     "",
		"http://127.0.0.7:80/other/1a2b":                          "",
		"":                                                        "",
		"%zz":                                                     "",
	} {
		if got := refOf(loc); got != want {
			t.Errorf("refOf(%q) = %q, want %q", loc, got, want)
		}
	}
}
