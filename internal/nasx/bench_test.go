package nasx

import "testing"

// Registration hot path: the UE builds a REGISTRATION REQUEST, the AMF
// parses it; the same for an AUTHENTICATION RESPONSE and UL NAS TRANSPORT.
func BenchmarkRegistrationRequestBuild(b *testing.B) {
	m := &RegistrationRequest{RegistrationType: RegistrationInitial, FollowOnRequest: true, NgKSI: NgKSI{KSI: KSINoKey},
		MobileIdentity: suciNull, UESecurityCapability: NewUESecurityCapability(0xf0, 0xf0)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Build(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRegistrationRequestParse(b *testing.B) {
	in := hx("7e 00 41 79 00 0d 01 00 f1 10 00 00 00 00 10 32 54 76 98 2e 02 f0 f0")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAuthenticationResponseRoundTrip(b *testing.B) {
	m := &AuthenticationResponse{RESStar: res16}
	b.ReportAllocs()
	for b.Loop() {
		out, err := m.Build()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Parse(out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkULNASTransportRoundTrip(b *testing.B) {
	m := &ULNASTransport{PayloadContainerType: PayloadN1SM, Payload: pduReq, PDUSessionID: 1,
		RequestType: RequestInitial, SNSSAI: &SNSSAI{SST: 1}, DNN: "internet"}
	b.ReportAllocs()
	for b.Loop() {
		out, err := m.Build()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Parse(out); err != nil {
			b.Fatal(err)
		}
	}
}
