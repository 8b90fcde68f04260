package ngapx

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
)

// The fast path of fast.go against free5gc's APER codec: byte-identical
// encodings, and every fast decode equal to free5gc's decode of the same
// octets (TS 38.413 §9.4 ASN.1, ITU-T X.691 aligned PER).

// fastSeed is printed by the tests that draw from it.
const fastSeed = 20260101

// randID draws an integer below 1<<bits, biased towards the octet
// boundaries where the APER length prefix changes.
func randID(r *rand.Rand, bits uint) uint64 {
	max := uint64(1)<<bits - 1
	switch r.IntN(4) {
	case 0:
		return uint64(r.IntN(3)) // 0, 1, 2
	case 1:
		b := uint(8 * (1 + r.IntN(int(bits/8)+1)))
		if b >= bits {
			return max
		}
		return uint64(1)<<b - 1 + uint64(r.IntN(2)) // 0xff.., 0x100..
	case 2:
		return max
	}
	return r.Uint64() & max
}

func randNAS(r *rand.Rand) []byte {
	var n int
	switch r.IntN(5) {
	case 0:
		n = 1 + r.IntN(3)
	case 1:
		n = 126 + r.IntN(4) // around the one/two-octet length boundary
	case 2:
		n = fastMaxLen - 8 + r.IntN(12) // around the fast-path limit
	default:
		n = 1 + r.IntN(600)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func randLoc(r *rand.Rand) UserLocationNR {
	var l UserLocationNR
	for i := range 3 {
		l.NRCGI.PLMN[i], l.TAI.PLMN[i] = byte(r.Uint32()), byte(r.Uint32())
	}
	l.NRCGI.CellID = randID(r, 36)
	l.TAI.TAC = uint32(randID(r, 24))
	return l
}

func randSNSSAIs(r *rand.Rand) []SNSSAI {
	l := make([]SNSSAI, 1+r.IntN(maxAllowedNSSAI+1))
	for i := range l {
		l[i].SST = byte(r.Uint32())
		if r.IntN(2) == 0 {
			l[i].SD, l[i].HasSD = uint32(randID(r, 24)), true
		}
	}
	return l
}

func randICS(r *rand.Rand) Msg {
	if r.IntN(3) == 0 {
		m := &InitialContextSetupResponse{AMFUENGAPID: randID(r, 40), RANUENGAPID: uint32(randID(r, 32))}
		if r.IntN(8) == 0 {
			m.PDUSessions = []PDUSessionItem{{ID: 1, Transfer: []byte{0x01, 0x02, 0x03}}}
		}
		return m
	}
	m := &InitialContextSetupRequest{AMFUENGAPID: randID(r, 40), RANUENGAPID: uint32(randID(r, 32)),
		GUAMI: GUAMI{PLMN: PLMN{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())}, AMFRegionID: byte(r.Uint32()),
			AMFSetID: uint16(randID(r, 10)), AMFPointer: uint8(randID(r, 6))},
		AllowedNSSAI:           randSNSSAIs(r),
		UESecurityCapabilities: UESecurityCapabilities{uint16(r.Uint32()), uint16(r.Uint32()), uint16(r.Uint32()), uint16(r.Uint32())}}
	for i := range m.SecurityKey {
		m.SecurityKey[i] = byte(r.Uint32())
	}
	if r.IntN(3) > 0 {
		m.NASPDU = randNAS(r)
	}
	if r.IntN(8) == 0 {
		m.UEAMBR = &AMBR{DL: 1000, UL: 2000}
	}
	return m
}

// randFastMsg draws one of the fast-path messages, inside or just outside
// the fast path's domain.
func randFastMsg(r *rand.Rand) Msg {
	switch r.IntN(5) {
	case 3, 4:
		return randICS(r)
	case 0:
		m := &InitialUEMessage{RANUENGAPID: uint32(randID(r, 32)), NASPDU: randNAS(r), Location: randLoc(r),
			RRCEstablishmentCause: uint8(r.IntN(12)), UEContextRequest: r.IntN(2) == 0}
		if r.IntN(2) == 0 {
			m.STMSI = &STMSI{AMFSetID: uint16(randID(r, 10)), AMFPointer: uint8(randID(r, 6)), TMSI: uint32(randID(r, 32))}
		}
		return m
	case 1:
		return &UplinkNASTransport{AMFUENGAPID: randID(r, 40), RANUENGAPID: uint32(randID(r, 32)), NASPDU: randNAS(r), Location: randLoc(r)}
	}
	return &DownlinkNASTransport{AMFUENGAPID: randID(r, 40), RANUENGAPID: uint32(randID(r, 32)), NASPDU: randNAS(r)}
}

// buildBoth returns the fast encoding (nil outside the fast path) and
// free5gc's; a message free5gc cannot encode must be outside the fast path.
func buildBoth(t *testing.T, m Msg) (fast, general []byte) {
	t.Helper()
	var ok bool
	var err error
	switch v := m.(type) {
	case *InitialUEMessage:
		fast, ok = v.fastBuild()
		general, err = v.buildAPER()
	case *UplinkNASTransport:
		fast, ok = v.fastBuild()
		general, err = v.buildAPER()
	case *DownlinkNASTransport:
		fast, ok = v.fastBuild()
		general, err = v.buildAPER()
	case *InitialContextSetupRequest:
		fast, ok = v.fastBuild()
		general, err = v.buildAPER()
	case *InitialContextSetupResponse:
		fast, ok = v.fastBuild()
		general, err = v.buildAPER()
	default:
		t.Fatalf("%T has no fast path", m)
	}
	if !ok {
		fast = nil
	}
	if err != nil {
		if fast != nil {
			t.Fatalf("fast path encoded %+v, free5gc refused it: %v", m, err)
		}
		return nil, nil
	}
	return fast, general
}

// checkParseAgrees fails when the fast decoder accepts b and the general
// decoder does not decode b to the same message.
func checkParseAgrees(t *testing.T, b []byte) (fastOK bool) {
	t.Helper()
	fm, ok := parseFast(b)
	if !ok {
		return false
	}
	gm, err := parseAPER(b)
	if err != nil {
		t.Fatalf("fast decoder accepted % x, free5gc's refused it: %v", b, err)
	}
	if !reflect.DeepEqual(fm, gm) {
		t.Fatalf("decoders disagree on % x:\n fast    %+v\n free5gc %+v", b, fm, gm)
	}
	return true
}

// Reference: TS 38.413 §9.2.5.1-§9.2.5.3, §9.2.2.1, §9.2.2.2 and §9.4
// (INITIAL UE MESSAGE, UPLINK and DOWNLINK NAS TRANSPORT, INITIAL CONTEXT
// SETUP REQUEST and RESPONSE), X.691 aligned PER: the direct
// encoders produce free5gc's octets exactly, and their output takes the
// fast decoder to the value free5gc decodes.
func TestFastPathMatchesFree5GC(t *testing.T) {
	t.Logf("seed %d", fastSeed)
	r := rand.New(rand.NewPCG(fastSeed, 1))
	covered := 0
	for i := range 5000 {
		m := randFastMsg(r)
		fast, general := buildBoth(t, m)
		if fast == nil {
			continue
		}
		covered++
		if !bytes.Equal(fast, general) {
			t.Fatalf("case %d %T %+v:\n fast    % x\n free5gc % x", i, m, m, fast, general)
		}
		if !checkParseAgrees(t, general) {
			t.Fatalf("case %d: fast decoder refused free5gc's encoding of %T: % x", i, m, general)
		}
		got, err := Parse(general)
		if err != nil || !reflect.DeepEqual(got, m) {
			t.Fatalf("case %d: Parse = %+v, %v; want %+v", i, got, err, m)
		}
	}
	if covered < 3500 {
		t.Fatalf("only %d of 5000 cases took the fast path", covered)
	}
}

// Reference: TS 38.413 §9.4, X.691 §10.9 (length determinants): outside
// its domain the fast path declines and Build goes through free5gc.
func TestFastPathDeclines(t *testing.T) {
	big := bytes.Repeat([]byte{0x7e}, fastMaxLen)
	for _, m := range []interface {
		Msg
		fastBuild() ([]byte, bool)
	}{
		&InitialUEMessage{RANUENGAPID: 1, NASPDU: big, Location: loc},
		&InitialUEMessage{RANUENGAPID: 1, NASPDU: regReq, Location: loc, RRCEstablishmentCause: rrcRootValues},
		&UplinkNASTransport{AMFUENGAPID: 1, RANUENGAPID: 1, NASPDU: big, Location: loc},
		&DownlinkNASTransport{AMFUENGAPID: 1, RANUENGAPID: 1, NASPDU: big},
	} {
		if _, ok := m.fastBuild(); ok {
			t.Fatalf("fast path took %T with a %d-octet NAS-PDU", m, fastMaxLen)
		}
		b, err := m.Build()
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		got, err := Parse(b)
		if err != nil || !reflect.DeepEqual(got, m) {
			t.Fatalf("round trip of %T: %v", m, err)
		}
	}
}

// Reference: X.691 (aligned PER decoding of untrusted octets): on
// mutations of valid encodings, whatever the fast decoder accepts free5gc's
// decoder decodes to the same message.
func TestFastParseMutations(t *testing.T) {
	t.Logf("seed %d", fastSeed)
	r := rand.New(rand.NewPCG(fastSeed, 2))
	accepted := 0
	for range 20000 {
		m := randFastMsg(r)
		b, err := m.Build()
		if err != nil || len(b) > 256 {
			continue
		}
		b = bytes.Clone(b)
		switch r.IntN(4) {
		case 0: // flip bits
			for range 1 + r.IntN(3) {
				b[r.IntN(len(b))] ^= byte(1 << r.IntN(8))
			}
		case 1: // truncate
			b = b[:r.IntN(len(b))]
		case 2: // append
			b = append(b, byte(r.Uint32()))
		default: // set one octet
			b[r.IntN(len(b))] = byte(r.Uint32())
		}
		if checkParseAgrees(t, b) {
			accepted++
		}
	}
	t.Logf("fast decoder accepted %d mutated encodings", accepted)
}

// FuzzFastParse: the fast decoder never panics, and what it accepts
// free5gc's decoder decodes to the same message.
func FuzzFastParse(f *testing.F) {
	r := rand.New(rand.NewPCG(fastSeed, 3))
	for range 16 {
		b, err := randFastMsg(r).Build()
		if err == nil && len(b) < 1024 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkParseAgrees(t, b)
	})
}
