package provproto_test

import (
	"testing"

	"github.com/credbed/credbed/internal/provproto"
)

// FuzzParseAuth: no panic; an accepted header re-renders to a header that
// parses to the same value.
func FuzzParseAuth(f *testing.F) {
	good := provproto.SignRequest(provproto.Credentials{AKID: testAKID, KAF: testKAF()}, 1, provproto.Request{Method: "GET", Path: "/"}, provproto.EncodeOptions{})
	f.Add(good.Header())
	f.Add(`AKMA akid="a@b", ctr="1", mac=""`)
	f.Add(`akma mac="x",ctr="99999999999999999999",akid="@"`)
	f.Add(`AKMA ,,`)
	f.Fuzz(func(t *testing.T, v string) {
		a, err := provproto.ParseAuth(v)
		if err != nil {
			return
		}
		b, err := provproto.ParseAuth(a.Header())
		if err != nil || b != a {
			t.Fatalf("re-rendered %q: %+v %v", a.Header(), b, err)
		}
	})
}

// FuzzParseAuthInfo: no panic.
func FuzzParseAuthInfo(f *testing.F) {
	var mac [provproto.MACSize]byte
	f.Add(provproto.AuthInfo(mac))
	f.Add(`mac=""`)
	f.Add(`mac="a", mac="b"`)
	f.Fuzz(func(t *testing.T, v string) {
		m, err := provproto.ParseAuthInfo(v)
		if err == nil {
			if back, err := provproto.ParseAuthInfo(provproto.AuthInfo(m)); err != nil || back != m {
				t.Fatalf("round trip of %q: %v", v, err)
			}
		}
	})
}

// FuzzDecode: every message decoder refuses or accepts without panicking,
// and an accepted message re-encodes and decodes again.
func FuzzDecode(f *testing.F) {
	b := testBootstrap(f)
	f.Add(uint8(0), []byte(`{"bootstrapUri":"`+b.URI()+`"}`))
	f.Add(uint8(1), []byte(`{"deviceId":"td","k":"000102030405060708090a0b0c0d0e0f","opc":"000102030405060708090a0b0c0d0e0f"}`))
	f.Add(uint8(2), []byte(`{"operationId":"op","proof":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`))
	f.Add(uint8(3), []byte(`{"supi":"imsi-001010000000001","state":"pending"}`))
	f.Add(uint8(4), []byte(`{"supi":"imsi-001010000000001","operationId":"a","state":"pending","expiresAt":"2026-01-01T00:00:00Z","binding":{"targetId":"t","pdId":"p","counter":1,"expiry":"2026-01-01T00:00:00Z"},"network":{"plmn":"00101","routingIndicator":"0"}}`))
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		var m provproto.Message
		switch kind % 5 {
		case 0:
			m = &provproto.SecureProvisionRequest{}
		case 1:
			m = &provproto.BaselineProvisionRequest{}
		case 2:
			m = &provproto.ConfirmRequest{}
		case 3:
			m = &provproto.TargetStatus{}
		default:
			m = &provproto.ProvisionResponse{}
		}
		if err := provproto.Decode(data, m); err != nil {
			return
		}
		enc, err := provproto.Encode(m)
		if err != nil {
			t.Fatalf("accepted message does not encode: %v", err)
		}
		if err := provproto.Decode(enc, m); err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		_, _ = provproto.DecodeProblem(data)
	})
}
