package nasx

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

func hx(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// Worked example of 3gpp.md §2.2: IMSI 001-01-0123456789, null scheme, RI 0000, HNPKI 0.
var suciNull = hx("01 00 f1 10 00 00 00 00 10 32 54 76 98")

var testGUTI = GUTI{PLMN: PLMN{0x00, 0xf1, 0x10}, AMFRegionID: 0x02, AMFSetID: 1, AMFPointer: 1, TMSI: 1}

const gutiHex = "f2 00 f1 10 02 00 41 00 00 00 01"

func u8(v uint8) *uint8 { return &v }

func t2(d time.Duration) *GPRSTimer2 { t := NewGPRSTimer2(d); return &t }
func t3(d time.Duration) *GPRSTimer3 { t := NewGPRSTimer3(d); return &t }

var (
	rand16 = hx("000102030405060708090a0b0c0d0e0f")
	autn16 = hx("f0e0d0c0b0a090807060504030201000")
	res16  = hx("11111111111111112222222222222222")
	auts14 = hx("0102030405060708090a0b0c0d0e")
	pduReq = hx("2e 01 01 c1 ff ff 91 a1")
)

// vectors are (message, exact plain NAS bytes) pairs. The bytes were
// derived by hand from the TS 24.501 message and IE layouts cited on each
// row, not produced by the encoder under test.
func vectors() []struct {
	name string
	msg  Msg
	wire string
} {
	return []struct {
		name string
		msg  Msg
		wire string
	}{
		// Reference: TS 24.501 §8.2.6, §9.11.3.7 (0x79: ngKSI 7, FOR, initial), §9.11.3.4, §9.11.3.54
		{"registration request initial SUCI", &RegistrationRequest{
			RegistrationType: RegistrationInitial, FollowOnRequest: true, NgKSI: NgKSI{KSI: KSINoKey},
			MobileIdentity: suciNull, UESecurityCapability: NewUESecurityCapability(0xf0, 0xf0),
		}, "7e 00 41 79 00 0d 01 00 f1 10 00 00 00 00 10 32 54 76 98 2e 02 f0 f0"},
		// Reference: TS 24.501 §8.2.6, §9.11.3.37 (requested NSSAI), §9.11.3.33 (NAS message container)
		{"registration request mobility GUTI NSSAI container", &RegistrationRequest{
			RegistrationType: RegistrationMobility, NgKSI: NgKSI{KSI: 2},
			MobileIdentity: hx(gutiHex), UESecurityCapability: NewUESecurityCapability(0xe0, 0x60),
			RequestedNSSAI:      []SNSSAI{{SST: 1}, {SST: 1, SD: 0x010203, HasSD: true}},
			NASMessageContainer: hx("7e 00 43"),
		}, "7e 00 41 22 00 0b " + gutiHex + " 2e 02 e0 60 2f 07 01 01 04 01 01 02 03 71 00 03 7e 00 43"},
		// Reference: TS 24.501 §8.2.6, periodic updating (type 3), mapped ngKSI
		{"registration request periodic", &RegistrationRequest{
			RegistrationType: RegistrationPeriodic, NgKSI: NgKSI{Mapped: true, KSI: 1}, MobileIdentity: hx(gutiHex),
		}, "7e 00 41 93 00 0b " + gutiHex},
		// Reference: TS 24.501 §8.2.7, §9.11.3.6, §9.11.3.9 (type-00 list), §9.11.3.37, §9.11.2.5 (GPRS timer 3: 6 x 10 min)
		{"registration accept", &RegistrationAccept{
			Result: RegistrationResult3GPP, GUTI: testGUTI.MobileIdentity(),
			TAIList:      []TAI{{PLMN: PLMN{0x00, 0xf1, 0x10}, TAC: 1}},
			AllowedNSSAI: []SNSSAI{{SST: 1}}, T3512: t3(time.Hour),
		}, "7e 00 42 01 01 77 00 0b " + gutiHex + " 54 07 00 00 f1 10 00 00 01 15 02 01 01 5e 01 06"},
		// Reference: TS 24.501 §8.2.7, SMS allowed bit, T3502 (GPRS timer 2: 12 x 1 min)
		{"registration accept sms t3502", &RegistrationAccept{
			Result: RegistrationResultBoth, SMSAllowed: true, T3502: t2(12 * time.Minute),
		}, "7e 00 42 01 0b 16 01 2c"},
		// Reference: TS 24.501 §8.2.8
		{"registration complete", &RegistrationComplete{}, "7e 00 43"},
		// Reference: TS 24.501 §8.2.9, cause #3
		{"registration reject #3", &RegistrationReject{Cause: CauseIllegalUE}, "7e 00 44 03"},
		// Reference: TS 24.501 §8.2.9, cause #22 with T3346 (GPRS timer 2: 10 x 1 min = 0x2a)
		{"registration reject #22 T3346", &RegistrationReject{Cause: CauseCongestion, T3346: t2(10 * time.Minute)},
			"7e 00 44 16 5f 01 2a"},
		// Reference: TS 24.501 §8.2.1 (ABBA LV, RAND TV 0x21, AUTN TLV 0x20)
		{"authentication request", &AuthenticationRequest{
			NgKSI: NgKSI{KSI: 0}, ABBA: []byte{0, 0}, RAND: rand16, AUTN: autn16,
		}, "7e 00 56 00 02 00 00 21 000102030405060708090a0b0c0d0e0f 20 10 f0e0d0c0b0a090807060504030201000"},
		// Reference: TS 24.501 §8.2.2 (authentication response parameter 0x2d)
		{"authentication response", &AuthenticationResponse{RESStar: res16},
			"7e 00 57 2d 10 11111111111111112222222222222222"},
		// Reference: TS 24.501 §8.2.4, cause #21 with AUTS (0x30, 14 octets)
		{"authentication failure synch", &AuthenticationFailure{Cause: CauseSynchFailure, AUTS: auts14},
			"7e 00 59 15 30 0e 0102030405060708090a0b0c0d0e"},
		// Reference: TS 24.501 §8.2.4, cause #20
		{"authentication failure mac", &AuthenticationFailure{Cause: CauseMACFailure}, "7e 00 59 14"},
		// Reference: TS 24.501 §8.2.4, cause #26
		{"authentication failure non-5G", &AuthenticationFailure{Cause: CauseNon5GAuthenticationUnacceptable}, "7e 00 59 1a"},
		// Reference: TS 24.501 §8.2.5
		{"authentication reject", &AuthenticationReject{}, "7e 00 58"},
		// Reference: TS 24.501 §8.2.21
		{"identity request", &IdentityRequest{IdentityType: IdentitySUCI}, "7e 00 5b 01"},
		// Reference: TS 24.501 §8.2.22
		{"identity response", &IdentityResponse{MobileIdentity: suciNull},
			"7e 00 5c 00 0d 01 00 f1 10 00 00 00 00 10 32 54 76 98"},
		// Reference: TS 24.501 §8.2.25, §9.11.3.34 (NEA0/NIA2 = 0x02), IMEISV request E1, additional 5G security information (RINMR), ABBA 0x38
		{"security mode command", &SecurityModeCommand{
			Ciphering: 0, Integrity: 2, NgKSI: NgKSI{KSI: 0}, ReplayedUESecurityCapability: NewUESecurityCapability(0xf0, 0xf0),
			IMEISVRequest: true, RINMR: true, ABBA: []byte{0, 0},
		}, "7e 00 5d 02 00 02 f0 f0 e1 36 01 02 38 02 00 00"},
		// Reference: TS 24.501 §8.2.25, NEA2/NIA2, ngKSI 1, 4-octet replayed capability
		{"security mode command nea2", &SecurityModeCommand{
			Ciphering: 2, Integrity: 2, NgKSI: NgKSI{KSI: 1}, ReplayedUESecurityCapability: UESecurityCapability{0xf0, 0xf0, 0xf0, 0xf0},
		}, "7e 00 5d 22 01 04 f0 f0 f0 f0"},
		// Reference: TS 24.501 §8.2.26, IMEISV 0x77 (LV-E, 9 octets), NAS message container 0x71
		{"security mode complete", &SecurityModeComplete{
			IMEISV: hx("43 00 00 00 00 00 00 10 f2"), NASMessageContainer: hx("7e 00 41 79 00 0d"),
		}, "7e 00 5e 77 00 09 43 00 00 00 00 00 00 10 f2 71 00 06 7e 00 41 79 00 0d"},
		// Reference: TS 24.501 §8.2.27, cause #23
		{"security mode reject", &SecurityModeReject{Cause: CauseUESecurityCapabilitiesMismatch}, "7e 00 5f 17"},
		// Reference: TS 24.501 §8.2.12, §9.11.3.20 (normal, 3GPP)
		{"deregistration request UE originating", &DeregistrationRequestUEOriginating{
			AccessType: Access3GPP, NgKSI: NgKSI{KSI: 0}, MobileIdentity: hx(gutiHex),
		}, "7e 00 45 01 00 0b " + gutiHex},
		// Reference: TS 24.501 §8.2.12, switch off
		{"deregistration request switch off", &DeregistrationRequestUEOriginating{
			SwitchOff: true, AccessType: Access3GPP, NgKSI: NgKSI{KSI: 3}, MobileIdentity: suciNull,
		}, "7e 00 45 39 00 0d 01 00 f1 10 00 00 00 00 10 32 54 76 98"},
		// Reference: TS 24.501 §8.2.13
		{"deregistration accept UE originating", &DeregistrationAcceptUEOriginating{}, "7e 00 46"},
		// Reference: TS 24.501 §8.2.14, re-registration required (bit 3), 5GMM cause 0x58 #3
		{"deregistration request UE terminated", &DeregistrationRequestUETerminated{
			ReRegistrationRequired: true, AccessType: Access3GPP, Cause: u8(CauseIllegalUE),
		}, "7e 00 47 05 58 03"},
		// Reference: TS 24.501 §8.2.14, cause #22 and T3346 0x5f
		{"deregistration request UE terminated T3346", &DeregistrationRequestUETerminated{
			AccessType: Access3GPP, Cause: u8(CauseCongestion), T3346: t2(4 * time.Second),
		}, "7e 00 47 01 58 16 5f 01 02"},
		// Reference: TS 24.501 §8.2.15
		{"deregistration accept UE terminated", &DeregistrationAcceptUETerminated{}, "7e 00 48"},
		// Reference: TS 24.501 §8.2.29
		{"5GMM status", &Status5GMM{Cause: CauseMessageTypeNotCompatibleWithProtocolState}, "7e 00 64 62"},
		// Reference: TS 24.501 §8.2.16, §9.11.3.50 (service type high nibble, ngKSI low), 5G-S-TMSI
		{"service request", &ServiceRequest{
			ServiceType: ServiceData, NgKSI: NgKSI{KSI: 0}, STMSI: testGUTI.STMSI().MobileIdentity(),
		}, "7e 00 4c 10 00 07 f4 00 41 00 00 00 01"},
		// Reference: TS 24.501 §8.2.17
		{"service accept", &ServiceAccept{}, "7e 00 4e"},
		// Reference: TS 24.501 §8.2.18
		{"service reject", &ServiceReject{Cause: CauseUEIdentityCannotBeDerived}, "7e 00 4d 09"},
		// Reference: TS 24.501 §8.2.10 (payload container type N1 SM, PDU session ID 0x12, request type 0x8-, S-NSSAI 0x22, DNN 0x25)
		{"UL NAS transport", &ULNASTransport{
			PayloadContainerType: PayloadN1SM, Payload: pduReq, PDUSessionID: 1, RequestType: RequestInitial,
			SNSSAI: &SNSSAI{SST: 1}, DNN: "internet",
		}, "7e 00 67 01 00 08 2e 01 01 c1 ff ff 91 a1 12 01 81 22 01 01 25 09 08 69 6e 74 65 72 6e 65 74"},
		// Reference: TS 24.501 §8.2.10, S-NSSAI with SD, two-label DNN
		{"UL NAS transport sd", &ULNASTransport{
			PayloadContainerType: PayloadN1SM, Payload: pduReq, PDUSessionID: 5, RequestType: RequestExistingPDUSession,
			SNSSAI: &SNSSAI{SST: 1, SD: 0xabcdef, HasSD: true}, DNN: "iot.cpf",
		}, "7e 00 67 01 00 08 2e 01 01 c1 ff ff 91 a1 12 05 82 22 04 01 ab cd ef 25 08 03 69 6f 74 03 63 70 66"},
		// Reference: TS 24.501 §8.2.11
		{"DL NAS transport", &DLNASTransport{PayloadContainerType: PayloadN1SM, Payload: hx("2e 01 01 c3 1b"), PDUSessionID: 1},
			"7e 00 68 01 00 05 2e 01 01 c3 1b 12 01"},
		// Reference: TS 24.501 §8.2.11, 5GMM cause #90 payload was not forwarded
		{"DL NAS transport not forwarded", &DLNASTransport{PayloadContainerType: PayloadN1SM, Payload: pduReq, PDUSessionID: 1, Cause: u8(CausePayloadNotForwarded)},
			"7e 00 68 01 00 08 2e 01 01 c1 ff ff 91 a1 12 01 58 5a"},
		// Reference: TS 24.501 §8.3.1, §9.11.4.7, PDU session type 0x9- (IPv4), SSC mode 0xA- (1)
		{"PDU session establishment request", &PDUSessionEstablishmentRequest{
			GSMHeader: GSMHeader{PDUSessionID: 1, PTI: 1}, IntegrityMaxDataRateUL: MaxDataRateFull, IntegrityMaxDataRateDL: MaxDataRateFull,
			PDUSessionType: PDUSessionIPv4, SSCMode: SSCMode1,
		}, "2e 01 01 c1 ff ff 91 a1"},
		// Reference: TS 24.501 §8.3.2, §9.11.4.13 (one default rule, match-all), §9.11.4.14, §9.11.4.10 (IPv4), §9.11.4.12
		{"PDU session establishment accept", &PDUSessionEstablishmentAccept{
			GSMHeader: GSMHeader{PDUSessionID: 1, PTI: 1}, PDUSessionType: PDUSessionIPv4, SSCMode: SSCMode1,
			QoSRules:            DefaultQoSRules(1),
			SessionAMBR:         SessionAMBR{DLUnit: AMBRUnit1Mbps, DL: 100, ULUnit: AMBRUnit1Mbps, UL: 100},
			PDUAddress:          netip.MustParseAddr("10.60.0.1"),
			SNSSAI:              &SNSSAI{SST: 1},
			DNN:                 "internet",
			QoSFlowDescriptions: DefaultQoSFlowDescriptions(1, 9),
		}, "2e 01 01 c2 11 00 09 01 00 06 31 31 01 01 ff 01 06 06 00 64 06 00 64 29 05 01 0a 3c 00 01 22 01 01 79 00 06 01 20 41 01 01 09 25 09 08 69 6e 74 65 72 6e 65 74"},
		// Reference: TS 24.501 §8.3.3, §9.11.4.2 cause #27 missing or unknown DNN
		{"PDU session establishment reject #27", &PDUSessionEstablishmentReject{GSMHeader: GSMHeader{PDUSessionID: 1, PTI: 1}, Cause: GSMCauseMissingOrUnknownDNN},
			"2e 01 01 c3 1b"},
		// Reference: TS 24.501 §8.3.3, cause #29 user authentication or authorization failed
		{"PDU session establishment reject #29", &PDUSessionEstablishmentReject{GSMHeader: GSMHeader{PDUSessionID: 2, PTI: 7}, Cause: GSMCauseUserAuthenticationFailed},
			"2e 02 07 c3 1d"},
		// Reference: TS 24.501 §8.3.12
		{"PDU session release request", &PDUSessionReleaseRequest{GSMHeader: GSMHeader{PDUSessionID: 1, PTI: 2}}, "2e 01 02 d1"},
		// Reference: TS 24.501 §8.3.12, 5GSM cause 0x59 #36
		{"PDU session release request cause", &PDUSessionReleaseRequest{GSMHeader: GSMHeader{PDUSessionID: 1, PTI: 2}, Cause: u8(GSMCauseRegularDeactivation)},
			"2e 01 02 d1 59 24"},
		// Reference: TS 24.501 §8.3.14
		{"PDU session release command", &PDUSessionReleaseCommand{GSMHeader: GSMHeader{PDUSessionID: 1, PTI: 0}, Cause: GSMCauseRegularDeactivation},
			"2e 01 00 d3 24"},
		// Reference: TS 24.501 §8.3.15
		{"PDU session release complete", &PDUSessionReleaseComplete{GSMHeader: GSMHeader{PDUSessionID: 1, PTI: 0}}, "2e 01 00 d4"},
		// Reference: TS 24.501 §8.3.16
		{"5GSM status", &Status5GSM{GSMHeader: GSMHeader{PDUSessionID: 1, PTI: 3}, Cause: GSMCauseInvalidPTIValue}, "2e 01 03 d6 51"},
	}
}

func TestBuildExactBytes(t *testing.T) {
	for _, v := range vectors() {
		t.Run(v.name, func(t *testing.T) {
			got, err := v.msg.Build()
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if want := hx(v.wire); !bytes.Equal(got, want) {
				t.Fatalf("Build:\n got  % x\n want % x", got, want)
			}
		})
	}
}

func TestParseExactBytes(t *testing.T) {
	for _, v := range vectors() {
		t.Run(v.name, func(t *testing.T) {
			got, err := Parse(hx(v.wire))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, v.msg) {
				t.Fatalf("Parse:\n got  %+v\n want %+v", got, v.msg)
			}
			if got.MessageType() != MessageType(hx(v.wire)[msgTypeOffset(got.EPD())]) {
				t.Fatalf("MessageType %v", got.MessageType())
			}
		})
	}
}

func msgTypeOffset(epd uint8) int {
	if epd == EPD5GSM {
		return 3
	}
	return 2
}

// Reference: TS 24.501 §9.3.1 — plain messages are refused by the header check only when protected.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrShort},
		{"two octets", "7e 00", ErrShort},
		{"short 5GSM", "2e 01 01", ErrShort},
		{"unknown EPD", "7f 00 41", ErrUnknownEPD},
		{"integrity protected", "7e 01 00 00 00 00 00 7e 00 43", ErrProtected},
		{"ciphered", "7e 02 00 00 00 00 00 aa bb cc", ErrProtected},
		{"configuration update command not supported", "7e 00 54", ErrUnknownMessageType},
		{"unknown 5GMM type", "7e 00 ff", ErrUnknownMessageType},
		{"unknown 5GSM type", "2e 01 01 ff", ErrUnknownMessageType},
		{"registration request without identity", "7e 00 41 79", ErrMalformed},
		{"registration request truncated identity", "7e 00 41 79 00 0d 01 00 f1", ErrMalformed},
		{"registration request empty identity", "7e 00 41 79 00 00", ErrMalformed},
		{"authentication request short ABBA", "7e 00 56 00 01 00", ErrMalformed},
		{"authentication request truncated AUTN", "7e 00 56 00 02 00 00 20 10 00 01", ErrMalformed},
		{"security mode command missing replayed caps", "7e 00 5d 02 00", ErrMalformed},
		{"registration accept bad TAI list", "7e 00 42 01 01 54 07 60 00 f1 10 00 00 01", ErrMalformed},
		{"registration accept bad NSSAI", "7e 00 42 01 01 15 02 05 01", ErrMalformed},
		{"UL NAS transport empty DNN label", "7e 00 67 01 00 01 00 25 02 00 00", ErrMalformed},
		{"UL NAS transport DNN overrun", "7e 00 67 01 00 01 00 25 02 05 61", ErrMalformed},
		{"PDU session establishment accept short QoS rules", "2e 01 01 c2 11 00 01 01", ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse(hx(c.in))
			if !errors.Is(err, c.want) {
				t.Fatalf("Parse(%s) = %v, %v; want %v", c.in, m, err, c.want)
			}
			if m != nil {
				t.Fatalf("non-nil message with error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
		})
	}
}

func TestParseErrorCarriesMessageType(t *testing.T) {
	_, err := Parse(hx("7e 00 54"))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.MessageType != MsgConfigurationUpdateCommand || pe.EPD != EPD5GMM {
		t.Fatalf("got %#v", err)
	}
	if !strings.Contains(err.Error(), "CONFIGURATION UPDATE COMMAND") {
		t.Fatalf("error text %q", err)
	}
}

func TestBuildInvalid(t *testing.T) {
	cases := []struct {
		name string
		msg  Msg
	}{
		{"registration request without identity", &RegistrationRequest{RegistrationType: RegistrationInitial}},
		{"registration request one-octet capability", &RegistrationRequest{MobileIdentity: suciNull, UESecurityCapability: UESecurityCapability{0xf0}}},
		{"registration accept short GUTI", &RegistrationAccept{Result: 1, GUTI: []byte{0xf2}}},
		{"authentication request without ABBA", &AuthenticationRequest{RAND: rand16, AUTN: autn16}},
		{"authentication request short RAND", &AuthenticationRequest{ABBA: []byte{0, 0}, RAND: rand16[:15]}},
		{"authentication response short RES*", &AuthenticationResponse{RESStar: res16[:8]}},
		{"authentication failure short AUTS", &AuthenticationFailure{Cause: CauseSynchFailure, AUTS: auts14[:13]}},
		{"authentication reject short EAP", &AuthenticationReject{EAPMessage: []byte{1, 2}}},
		{"security mode command without replayed caps", &SecurityModeCommand{}},
		{"security mode complete short IMEISV", &SecurityModeComplete{IMEISV: []byte{1}}},
		{"service request without 5G-S-TMSI", &ServiceRequest{}},
		{"UL NAS transport without payload", &ULNASTransport{PayloadContainerType: PayloadN1SM}},
		{"UL NAS transport bad DNN", &ULNASTransport{PayloadContainerType: PayloadN1SM, Payload: pduReq, DNN: "a..b"}},
		{"DL NAS transport without payload", &DLNASTransport{}},
		{"PDU accept without QoS rules", &PDUSessionEstablishmentAccept{}},
		{"PDU accept IPv6 address", &PDUSessionEstablishmentAccept{QoSRules: DefaultQoSRules(1), PDUAddress: netip.MustParseAddr("2001:db8::1")}},
		{"identity response empty", &IdentityResponse{}},
		{"deregistration request without identity", &DeregistrationRequestUEOriginating{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := c.msg.Build()
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Build = % x, %v; want ErrInvalid", b, err)
			}
		})
	}
}

// Reference: TS 24.501 §9.1.1, §9.3 (security header), §9.2 (EPD)
func TestPeekHeader(t *testing.T) {
	cases := []struct {
		name      string
		in        string
		want      Header
		protected bool
		ciphered  bool
	}{
		{"plain 5GMM", "7e 00 41 79", Header{EPD: EPD5GMM, MessageType: MsgRegistrationRequest, MessageTypeKnown: true}, false, false},
		{"5GSM", "2e 05 09 c1 ff ff", Header{EPD: EPD5GSM, PDUSessionID: 5, PTI: 9, MessageType: MsgPDUSessionEstablishmentRequest, MessageTypeKnown: true}, false, false},
		{"integrity protected new context", "7e 03 aa bb cc dd 00 7e 00 5d 02 00 02 f0 f0",
			Header{EPD: EPD5GMM, SecurityHeaderType: SecHdrIntegrityNewCtx, MAC: [4]byte{0xaa, 0xbb, 0xcc, 0xdd}, MessageType: MsgSecurityModeCommand, MessageTypeKnown: true}, true, false},
		{"ciphered", "7e 02 01 02 03 04 07 de ad be ef",
			Header{EPD: EPD5GMM, SecurityHeaderType: SecHdrIntegrityCiphered, MAC: [4]byte{1, 2, 3, 4}, SQN: 7}, true, true},
		{"ciphered new context", "7e 04 01 02 03 04 00 de ad be ef",
			Header{EPD: EPD5GMM, SecurityHeaderType: SecHdrIntegrityCipheredNewCtx, MAC: [4]byte{1, 2, 3, 4}}, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := PeekHeader(hx(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if h != c.want || h.Protected() != c.protected || h.Ciphered() != c.ciphered {
				t.Fatalf("got %+v (protected %v ciphered %v)", h, h.Protected(), h.Ciphered())
			}
		})
	}
	for _, bad := range []string{"", "7e 00", "7e 01 00 00 00", "7e 01 00 00 00 00 00 7e 00", "7e 05 00 00 00 00 00 7e 00 41", "2e 01 01", "11 00 41"} {
		if _, err := PeekHeader(hx(bad)); err == nil {
			t.Errorf("PeekHeader(%s): no error", bad)
		}
	}
}

// Reference: TS 24.501 §9.11.3.2 / Annex A (cause names), §9.11.4.2 (5GSM)
func TestCauseName(t *testing.T) {
	for c, want := range map[uint8]string{
		CauseIllegalUE:                 "#3 Illegal UE",
		Cause5GSServicesNotAllowed:     "#7 5GS services not allowed",
		CauseUEIdentityCannotBeDerived: "#9 UE identity cannot be derived by the network",
		CauseSynchFailure:              "#21 Synch failure",
		200:                            "#200",
	} {
		if got := CauseName(c); got != want {
			t.Errorf("CauseName(%d) = %q, want %q", c, got, want)
		}
	}
	if got := GSMCauseName(GSMCauseMissingOrUnknownDNN); got != "#27 Missing or unknown DNN" {
		t.Errorf("GSMCauseName = %q", got)
	}
	if got := GSMCauseName(GSMCauseUserAuthenticationFailed); got != "#29 User authentication or authorization failed" {
		t.Errorf("GSMCauseName = %q", got)
	}
}

func TestParseGSM(t *testing.T) {
	g, err := ParseGSM(hx("2e 05 09 d3 24"))
	if err != nil || g.GSM() != (GSMHeader{PDUSessionID: 5, PTI: 9}) || g.MessageType() != MsgPDUSessionReleaseCommand {
		t.Fatalf("%+v %v", g, err)
	}
	if _, err := ParseGSM(hx("7e 00 43")); !errors.Is(err, ErrUnknownEPD) {
		t.Fatalf("5GMM accepted as 5GSM: %v", err)
	}
	if _, err := ParseGSM(nil); !errors.Is(err, ErrShort) {
		t.Fatal(err)
	}
	h, _ := PeekHeader(hx("7e 04 00 00 00 00 00 aa bb cc"))
	if !h.NewContext() || !h.Ciphered() {
		t.Fatal("new context")
	}
}
