package provproto_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/provproto"
)

func testKAF() aka.Key256 {
	var k aka.Key256
	for i := range k {
		k[i] = byte(i + 1)
	}
	return k
}

const testAKID = "0.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8@5gc.mnc001.mcc001.3gppnetwork.org"

// Reference: 3gpp.md §5.4 item 4 (PD request MACed with a key from its
// primary authentication) and TS 33.535 A.4 (K_AF).
func TestRequestMACVector(t *testing.T) {
	r := provproto.Request{Method: "POST", Path: "/cpf/secure/v1/targets", Body: []byte(`{"bootstrapUri":"x"}`)}
	got := provproto.RequestMAC(testKAF(), testAKID, 7, r)
	// Recompute the documented input by hand.
	var in bytes.Buffer
	in.WriteString("credbed-cpf-req-v1\x00")
	for _, s := range []string{r.Method, r.Path, testAKID} {
		in.Write([]byte{byte(len(s) >> 8), byte(len(s))})
		in.WriteString(s)
	}
	in.Write([]byte{0, 0, 0, 0, 0, 0, 0, 7})
	bh := sha256.Sum256(r.Body)
	in.Write(bh[:])
	want := hmacSHA256(testKAF(), in.Bytes())
	if got != want {
		t.Fatalf("request MAC %x, want %x", got, want)
	}
	a := provproto.SignRequest(provproto.Credentials{AKID: testAKID, KAF: testKAF()}, 7, r, provproto.EncodeOptions{})
	if !provproto.VerifyRequest(testKAF(), a, r) {
		t.Fatal("honest signature does not verify")
	}
	for name, mut := range map[string]func(*provproto.Request, *provproto.Auth){
		"method":  func(r *provproto.Request, _ *provproto.Auth) { r.Method = "GET" },
		"path":    func(r *provproto.Request, _ *provproto.Auth) { r.Path += "x" },
		"body":    func(r *provproto.Request, _ *provproto.Auth) { r.Body = append([]byte(nil), 'x') },
		"counter": func(_ *provproto.Request, a *provproto.Auth) { a.Counter++ },
		"akid":    func(_ *provproto.Request, a *provproto.Auth) { a.AKID = "1" + a.AKID },
		"mac":     func(_ *provproto.Request, a *provproto.Auth) { a.MAC[31] ^= 0x80 },
	} {
		r2, a2 := r, a
		mut(&r2, &a2)
		if provproto.VerifyRequest(testKAF(), a2, r2) {
			t.Errorf("%s changed but the MAC still verifies", name)
		}
	}
	// Response MAC binds status, body and the request.
	rm := provproto.ResponseMAC(testKAF(), a, 201, []byte("{}"))
	if err := provproto.VerifyResponse(testKAF(), a, 201, []byte("{}"), provproto.AuthInfo(rm)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		status int
		body   string
		a      provproto.Auth
	}{{200, "{}", a}, {201, "{ }", a}, {201, "{}", func() provproto.Auth { b := a; b.Counter++; return b }()}} {
		if err := provproto.VerifyResponse(testKAF(), c.a, c.status, []byte(c.body), provproto.AuthInfo(rm)); !errors.Is(err, provproto.ErrResponseMAC) {
			t.Errorf("altered response (%d %q) verifies: %v", c.status, c.body, err)
		}
	}
	if err := provproto.VerifyResponse(testKAF(), a, 201, []byte("{}"), ""); !errors.Is(err, provproto.ErrResponseMAC) {
		t.Errorf("missing Authentication-Info accepted: %v", err)
	}
}

func hmacSHA256(k aka.Key256, msg []byte) [32]byte {
	// Independent HMAC (RFC 2104) over SHA-256.
	var kb [64]byte
	copy(kb[:], k[:])
	var ipad, opad [64]byte
	for i := range kb {
		ipad[i] = kb[i] ^ 0x36
		opad[i] = kb[i] ^ 0x5c
	}
	inner := sha256.Sum256(append(ipad[:], msg...))
	return sha256.Sum256(append(opad[:], inner[:]...))
}

func TestLyingEncoder(t *testing.T) {
	c := provproto.Credentials{AKID: testAKID, KAF: testKAF()}
	r := provproto.Request{Method: "DELETE", Path: "/cpf/secure/v1/targets/imsi-001010000000001"}
	ctr, akid := uint64(3), "0.xyz@realm"
	var mac [provproto.MACSize]byte
	for name, o := range map[string]provproto.EncodeOptions{
		"flip": {FlipMAC: true}, "mac": {MAC: &mac}, "counter": {Counter: &ctr}, "akid": {AKID: &akid},
	} {
		a := provproto.SignRequest(c, 9, r, o)
		if provproto.VerifyRequest(testKAF(), a, r) {
			t.Errorf("%s lie verifies", name)
		}
		back, err := provproto.ParseAuth(a.Header())
		if err != nil || back != a {
			t.Errorf("%s: header %q does not round trip: %v", name, a.Header(), err)
		}
	}
	if s := fmt.Sprintf("%v %+v %#v", c, c, c); strings.Contains(s, hex.EncodeToString(c.KAF[:4])) || strings.Contains(s, "\x01\x02") {
		t.Errorf("credentials print K_AF: %s", s)
	}
}

func TestParseAuth(t *testing.T) {
	good := provproto.SignRequest(provproto.Credentials{AKID: testAKID, KAF: testKAF()}, 42, provproto.Request{Method: "GET", Path: "/"}, provproto.EncodeOptions{})
	h := good.Header()
	a, err := provproto.ParseAuth(h)
	if err != nil || a != good {
		t.Fatalf("ParseAuth(%q) = %+v, %v", h, a, err)
	}
	mac := h[strings.Index(h, `mac="`)+5 : len(h)-1]
	// Order and case of the scheme do not matter; spacing around commas is free.
	for _, v := range []string{
		`akma mac="` + mac + `",ctr="42",  akid="` + testAKID + `"`,
		`AKMA ctr="42", akid="` + testAKID + `", mac="` + mac + `"`,
	} {
		if b, err := provproto.ParseAuth(v); err != nil || b != good {
			t.Errorf("ParseAuth(%q) = %v", v, err)
		}
	}
	bad := []string{
		``, `Bearer x`, `AKMA`, `AKMA `,
		`AKMA akid="` + testAKID + `", ctr="42"`,                                      // no mac
		`AKMA akid="` + testAKID + `", ctr="0", mac="` + mac + `"`,                    // counter 0
		`AKMA akid="` + testAKID + `", ctr="042", mac="` + mac + `"`,                  // leading zero
		`AKMA akid="` + testAKID + `", ctr="18446744073709551616", mac="` + mac + `"`, // overflow
		`AKMA akid="` + testAKID + `", ctr="-1", mac="` + mac + `"`,                   // sign
		`AKMA akid="` + testAKID + `", ctr="42", mac="` + mac[:42] + `"`,              // short mac
		`AKMA akid="` + testAKID + `", ctr="42", mac="` + mac + `=" `,                 // padded
		`AKMA akid="` + testAKID + `", ctr="42", ctr="43", mac="` + mac + `"`,         // repeated
		`AKMA akid="` + testAKID + `", ctr="42", mac="` + mac + `", x="y"`,            // unknown
		`AKMA akid="noat", ctr="42", mac="` + mac + `"`,                               // not an NAI
		`AKMA akid="` + testAKID + `", ctr=42, mac="` + mac + `"`,                     // unquoted
		`AKMA akid="` + testAKID + `", ctr="42", mac="` + mac + `",`,                  // trailing comma
		`AKMA akid="` + testAKID + `" ctr="42", mac="` + mac + `"`,                    // no comma
		`AKMA akid="a\"b@c", ctr="42", mac="` + mac + `"`,                             // escape
		`AKMA akid="` + testAKID + `", ctr="42", mac="` + mac,                         // unterminated
		`AKMA akid="` + strings.Repeat("a", 600) + `@r", ctr="42", mac="` + mac + `"`, // too long
		`AKMA Akid="` + testAKID + `", ctr="42", mac="` + mac + `"`,                   // upper-case name
		"AKMA akid=\"" + testAKID + "\", ctr=\"4 2\", mac=\"" + mac + "\"",            // space in value
	}
	for _, v := range bad {
		_, err := provproto.ParseAuth(v)
		if err == nil {
			t.Errorf("ParseAuth(%q) accepted", v)
			continue
		}
		if v != "" && !errors.Is(err, provproto.ErrMalformed) {
			t.Errorf("ParseAuth(%q) error %v does not wrap ErrMalformed", v, err)
		}
	}
	if _, err := provproto.ParseAuth(""); !errors.Is(err, provproto.ErrNoAuth) {
		t.Errorf("empty header: %v", err)
	}
}

func testBootstrap(t testing.TB) credential.Bootstrap {
	t.Helper()
	id, err := credential.NewIdentity(bytes.NewReader(bytes.Repeat([]byte{7}, 64)), "td-0001")
	if err != nil {
		t.Fatal(err)
	}
	return id.Bootstrap()
}

func TestMessages(t *testing.T) {
	b := testBootstrap(t)
	var sec provproto.SecureProvisionRequest
	body := []byte(`{"bootstrapUri":"` + b.URI() + `","supi":"imsi-001010000000009"}`)
	if err := provproto.Decode(body, &sec); err != nil {
		t.Fatal(err)
	}
	if got, _ := sec.Bootstrap(); got.DeviceID != "td-0001" || got.Hash() != b.Hash() {
		t.Fatalf("bootstrap %v", got)
	}
	k := strings.Repeat("ab", 16)
	bad := []struct {
		name string
		m    provproto.Message
		body string
	}{
		{"unknown member", &provproto.SecureProvisionRequest{}, `{"bootstrapUri":"` + b.URI() + `","k":"00"}`},
		{"trailing data", &provproto.SecureProvisionRequest{}, `{"bootstrapUri":"` + b.URI() + `"} {}`},
		{"bad uri", &provproto.SecureProvisionRequest{}, `{"bootstrapUri":"DPP:I:x;;"}`},
		{"bad supi", &provproto.SecureProvisionRequest{}, `{"bootstrapUri":"` + b.URI() + `","supi":"imsi-1"}`},
		{"array", &provproto.SecureProvisionRequest{}, `[]`},
		{"empty", &provproto.SecureProvisionRequest{}, ``},
		{"short key", &provproto.BaselineProvisionRequest{}, `{"deviceId":"td","k":"abcd","opc":"` + k + `"}`},
		{"zero key", &provproto.BaselineProvisionRequest{}, `{"deviceId":"td","k":"` + strings.Repeat("0", 32) + `","opc":"` + k + `"}`},
		{"no device", &provproto.BaselineProvisionRequest{}, `{"k":"` + k + `","opc":"` + k + `"}`},
		{"proof size", &provproto.ConfirmRequest{}, `{"operationId":"op1","proof":"AAAA"}`},
		{"op id chars", &provproto.ConfirmRequest{}, `{"operationId":"op/1","proof":"` + strings.Repeat("A", 43) + `="}`},
		{"huge", &provproto.ConfirmRequest{}, strings.Repeat(" ", provproto.MaxBody+1)},
	}
	for _, c := range bad {
		err := provproto.Decode([]byte(c.body), c.m)
		if !errors.Is(err, provproto.ErrMessage) || !errors.Is(err, provproto.ErrMalformed) {
			t.Errorf("%s: %v", c.name, err)
		}
		if err != nil && strings.Contains(err.Error(), k) {
			t.Errorf("%s: error quotes a key: %v", c.name, err)
		}
	}
	var base provproto.BaselineProvisionRequest
	if err := provproto.Decode([]byte(`{"deviceId":"td-9","k":"`+k+`","opc":"`+k+`"}`), &base); err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprintf("%v %+v %#v %s", base, base, base.K, base.OPc); strings.Contains(s, "abab") || strings.Contains(s, "171") {
		t.Errorf("baseline request prints a key: %s", s)
	}
	enc, err := json.Marshal(base)
	if err != nil || !bytes.Contains(enc, []byte(k)) {
		t.Errorf("baseline JSON does not carry the key: %s %v", enc, err)
	}
}

func TestBindingRoundTrip(t *testing.T) {
	cb := credential.Binding{TargetID: "td-1", PDID: testAKID, Counter: 5, Nonce: []byte{1, 2, 3},
		Expiry: time.Date(2026, 1, 1, 0, 5, 0, 999, time.UTC)}
	j, err := json.Marshal(provproto.BindingOf(cb))
	if err != nil {
		t.Fatal(err)
	}
	var back provproto.Binding
	if err := json.Unmarshal(j, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Credential().Equal(cb) {
		t.Fatalf("binding %v, want %v", back.Credential(), cb)
	}
	if _, err := back.Credential().MarshalBinary(); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeProblem(t *testing.T) {
	p, err := provproto.DecodeProblem([]byte(`{"type":"x","title":"Forbidden","status":403,"cause":"FOREIGN_TARGET","instance":"/"}`))
	if err != nil || p.Status != 403 || p.Cause != "FOREIGN_TARGET" {
		t.Fatalf("%+v %v", p, err)
	}
	for _, b := range []string{`{"status":200}`, `x`, ``} {
		if _, err := provproto.DecodeProblem([]byte(b)); err == nil {
			t.Errorf("DecodeProblem(%q) accepted", b)
		}
	}
}
