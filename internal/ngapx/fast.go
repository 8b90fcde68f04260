package ngapx

// Direct APER codecs of the messages every registration carries: INITIAL
// UE MESSAGE, UPLINK NAS TRANSPORT and DOWNLINK NAS TRANSPORT (TS 38.413
// §9.2.5), INITIAL CONTEXT SETUP REQUEST and RESPONSE (§9.2.2.1, §9.2.2.2),
// ASN.1 of §9.4. free5gc's aper package
// encodes and decodes through reflection on the ngapType structs; these
// write and read the same octets directly.
//
// Both directions are a fast path in front of the general one, never a
// replacement: an encoder covers the values whose encoding it knows
// (NAS-PDU under 16 KiB, RRC establishment causes of the extension root,
// initial context set-up without UE-AMBR or PDU sessions)
// and a decoder accepts exactly the layout the encoder produces (IE order,
// criticalities, minimal lengths, zero padding, no extensions). Anything
// else goes through free5gc's codec, so behaviour is unchanged; fast_test.go
// checks byte identity with free5gc's encoder and, on valid and mutated
// input, that every fast decode equals the general one.

import (
	"github.com/free5gc/ngap/ngapType"
)

// APER constants of the fast path.
const (
	fastMaxLen = 1<<14 - 1 // longest length with a one- or two-octet determinant

	critReject = 0x00 // criticality reject, then padding
	critIgnore = 0x40 // criticality ignore, then padding

	// The RRCEstablishmentCause root has ten values (TS 38.413 §9.3.1.111).
	rrcRootValues = 10

	uliNRLen = 15 // UserLocationInformationNR as encoded: choice+preamble, NR-CGI, TAI
)

// lenSize is the size of an APER length determinant for n (n <= fastMaxLen).
func lenSize(n int) int {
	if n < 128 {
		return 1
	}
	return 2
}

func appendLen(b []byte, n int) []byte {
	if n < 128 {
		return append(b, byte(n))
	}
	return append(b, 0x80|byte(n>>8), byte(n))
}

// octets is how many octets a constrained whole number needs (at least 1).
func octets(v uint64) int {
	n := 1
	for v > 0xff {
		v >>= 8
		n++
	}
	return n
}

func appendUint(b []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// ranIDSize and appendRANID encode RAN-UE-NGAP-ID (INTEGER 0..2^32-1): a
// 2-bit octet count, padding, the octets.
func ranIDSize(v uint32) int { return 1 + octets(uint64(v)) }

func appendRANID(b []byte, v uint32) []byte {
	n := octets(uint64(v))
	return appendUint(append(b, byte(n-1)<<6), uint64(v), n)
}

// amfIDSize and appendAMFID encode AMF-UE-NGAP-ID (INTEGER 0..2^40-1): a
// 3-bit octet count, padding, the octets.
func amfIDSize(v uint64) int { return 1 + octets(v) }

func appendAMFID(b []byte, v uint64) []byte {
	n := octets(v)
	return appendUint(append(b, byte(n-1)<<5), v, n)
}

// appendULI encodes UserLocationInformation, choice userLocationInformationNR,
// without timeStamp or extensions.
func appendULI(b []byte, l UserLocationNR) []byte {
	c := l.NRCGI.CellID
	b = append(b, 0x40)
	b = append(b, l.NRCGI.PLMN[:]...)
	b = append(b, byte(c>>28), byte(c>>20), byte(c>>12), byte(c>>4), byte(c<<4))
	b = append(b, l.TAI.PLMN[:]...)
	return append(b, byte(l.TAI.TAC>>16), byte(l.TAI.TAC>>8), byte(l.TAI.TAC))
}

// ieSize is the size of a ProtocolIE-Field whose value has n octets.
func ieSize(n int) int { return 2 + 1 + lenSize(n) + n }

func appendIEHeader(b []byte, id uint16, crit byte, n int) []byte {
	return appendLen(append(b, byte(id>>8), byte(id), crit), n)
}

// pduHeader starts an NGAP-PDU (choice octet: 0x00 initiatingMessage,
// 0x20 successfulOutcome) of procedure proc and criticality crit whose
// ProtocolIE-Container holds count IEs of iesLen octets in all.
func pduHeader(choice, proc, crit byte, count, iesLen int) ([]byte, bool) {
	value := 1 + 2 + iesLen // extension bit and padding, IE count, IEs
	if value > fastMaxLen {
		return nil, false
	}
	b := make([]byte, 0, 3+lenSize(value)+value)
	b = append(b, choice, proc, crit)
	b = appendLen(b, value)
	return append(b, 0x00, byte(count>>8), byte(count)), true
}

// fastBuild encodes m when it is within the fast path (m already
// validated).
func (m *InitialUEMessage) fastBuild() ([]byte, bool) {
	nas := len(m.NASPDU)
	if nas > fastMaxLen-4 || m.RRCEstablishmentCause >= rrcRootValues {
		return nil, false
	}
	count := 4
	size := ieSize(ranIDSize(m.RANUENGAPID)) + ieSize(lenSize(nas)+nas) + ieSize(uliNRLen) + ieSize(1)
	if m.STMSI != nil {
		count++
		size += ieSize(7)
	}
	if m.UEContextRequest {
		count++
		size += ieSize(1)
	}
	b, ok := pduHeader(0x00, byte(ngapType.ProcedureCodeInitialUEMessage), critIgnore, count, size)
	if !ok {
		return nil, false
	}
	b = appendRANID(appendIEHeader(b, uint16(ngapType.ProtocolIEIDRANUENGAPID), critReject, ranIDSize(m.RANUENGAPID)), m.RANUENGAPID)
	b = appendIEHeader(b, uint16(ngapType.ProtocolIEIDNASPDU), critReject, lenSize(nas)+nas)
	b = append(appendLen(b, nas), m.NASPDU...)
	b = appendULI(appendIEHeader(b, uint16(ngapType.ProtocolIEIDUserLocationInformation), critReject, uliNRLen), m.Location)
	b = append(appendIEHeader(b, uint16(ngapType.ProtocolIEIDRRCEstablishmentCause), critIgnore, 1), m.RRCEstablishmentCause<<3)
	if s := m.STMSI; s != nil {
		b = appendIEHeader(b, uint16(ngapType.ProtocolIEIDFiveGSTMSI), critReject, 7)
		b = append(b, byte(s.AMFSetID>>4), byte(s.AMFSetID<<4)|s.AMFPointer>>2, s.AMFPointer<<6)
		b = appendUint(b, uint64(s.TMSI), 4)
	}
	if m.UEContextRequest {
		b = append(appendIEHeader(b, uint16(ngapType.ProtocolIEIDUEContextRequest), critIgnore, 1), 0x00)
	}
	return b, true
}

func (m *UplinkNASTransport) fastBuild() ([]byte, bool) {
	nas := len(m.NASPDU)
	if nas > fastMaxLen-4 {
		return nil, false
	}
	size := ieSize(amfIDSize(m.AMFUENGAPID)) + ieSize(ranIDSize(m.RANUENGAPID)) + ieSize(lenSize(nas)+nas) + ieSize(uliNRLen)
	b, ok := pduHeader(0x00, byte(ngapType.ProcedureCodeUplinkNASTransport), critIgnore, 4, size)
	if !ok {
		return nil, false
	}
	b = appendAMFID(appendIEHeader(b, uint16(ngapType.ProtocolIEIDAMFUENGAPID), critReject, amfIDSize(m.AMFUENGAPID)), m.AMFUENGAPID)
	b = appendRANID(appendIEHeader(b, uint16(ngapType.ProtocolIEIDRANUENGAPID), critReject, ranIDSize(m.RANUENGAPID)), m.RANUENGAPID)
	b = appendIEHeader(b, uint16(ngapType.ProtocolIEIDNASPDU), critReject, lenSize(nas)+nas)
	b = append(appendLen(b, nas), m.NASPDU...)
	return appendULI(appendIEHeader(b, uint16(ngapType.ProtocolIEIDUserLocationInformation), critIgnore, uliNRLen), m.Location), true
}

func (m *DownlinkNASTransport) fastBuild() ([]byte, bool) {
	nas := len(m.NASPDU)
	if nas > fastMaxLen-4 {
		return nil, false
	}
	size := ieSize(amfIDSize(m.AMFUENGAPID)) + ieSize(ranIDSize(m.RANUENGAPID)) + ieSize(lenSize(nas)+nas)
	b, ok := pduHeader(0x00, byte(ngapType.ProcedureCodeDownlinkNASTransport), critIgnore, 3, size)
	if !ok {
		return nil, false
	}
	b = appendAMFID(appendIEHeader(b, uint16(ngapType.ProtocolIEIDAMFUENGAPID), critReject, amfIDSize(m.AMFUENGAPID)), m.AMFUENGAPID)
	b = appendRANID(appendIEHeader(b, uint16(ngapType.ProtocolIEIDRANUENGAPID), critReject, ranIDSize(m.RANUENGAPID)), m.RANUENGAPID)
	b = appendIEHeader(b, uint16(ngapType.ProtocolIEIDNASPDU), critReject, lenSize(nas)+nas)
	return append(appendLen(b, nas), m.NASPDU...), true
}

// reader reads the octet-aligned layout of the fast path; any mismatch
// sets bad and every later read returns zero values.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) byte() byte {
	if r.bad || len(r.b) < 1 {
		r.bad = true
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) take(n int) []byte {
	if r.bad || n < 0 || len(r.b) < n {
		r.bad = true
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) expect(v byte) {
	if r.byte() != v {
		r.bad = true
	}
}

// length reads a one- or two-octet length determinant in its minimal form.
func (r *reader) length() int {
	v := r.byte()
	switch {
	case v < 0x80:
		return int(v)
	case v&0xc0 == 0x80:
		n := int(v&0x3f)<<8 | int(r.byte())
		if n < 128 {
			r.bad = true
		}
		return n
	}
	r.bad = true
	return 0
}

// ie reads a ProtocolIE-Field header with the given id and criticality
// and returns a reader over exactly its value.
func (r *reader) ie(id uint16, crit byte) reader {
	r.expect(byte(id >> 8))
	r.expect(byte(id))
	r.expect(crit)
	v := reader{b: r.take(r.length())}
	v.bad = r.bad
	return v
}

// done marks r bad unless it was read to its end, and reports success.
func (r *reader) done() bool {
	if len(r.b) != 0 {
		r.bad = true
	}
	return !r.bad
}

// uint reads a minimal n-octet unsigned value.
func (r *reader) uint(n int) uint64 {
	b := r.take(n)
	if n > 1 && len(b) == n && b[0] == 0 {
		r.bad = true
	}
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

func (r *reader) ranID() uint32 {
	h := r.byte()
	if h&0x3f != 0 {
		r.bad = true
	}
	return uint32(r.uint(int(h>>6) + 1))
}

func (r *reader) amfID() uint64 {
	h := r.byte()
	if h&0x1f != 0 || h>>5 > 4 {
		r.bad = true
	}
	return r.uint(int(h>>5) + 1)
}

// nas reads a non-empty NAS-PDU and copies it.
func (r *reader) nas() []byte {
	n := r.length()
	if n == 0 {
		r.bad = true
	}
	b := r.take(n)
	if r.bad {
		return nil
	}
	return append([]byte(nil), b...)
}

func (r *reader) uli() UserLocationNR {
	var l UserLocationNR
	b := r.take(uliNRLen)
	if r.bad || b[0] != 0x40 || b[8]&0x0f != 0 {
		r.bad = true
		return l
	}
	copy(l.NRCGI.PLMN[:], b[1:4])
	l.NRCGI.CellID = uint64(b[4])<<28 | uint64(b[5])<<20 | uint64(b[6])<<12 | uint64(b[7])<<4 | uint64(b[8])>>4
	copy(l.TAI.PLMN[:], b[9:12])
	l.TAI.TAC = uint32(b[12])<<16 | uint32(b[13])<<8 | uint32(b[14])
	return l
}

// parseFast decodes b when it is one of the fast-path messages in exactly
// the layout their encoders produce; ok is false for anything else.
func parseFast(b []byte) (m Msg, ok bool) {
	if len(b) < 4 {
		return nil, false
	}
	choice, proc, crit := b[0], int64(b[1]), b[2]
	r := reader{b: b[3:]}
	body := reader{b: r.take(r.length())}
	if !r.done() {
		return nil, false
	}
	body.expect(0x00)
	count := int(body.byte())<<8 | int(body.byte())
	switch {
	case choice == 0x00 && crit == critIgnore && proc == ngapType.ProcedureCodeInitialUEMessage:
		m, ok = parseFastInitialUE(&body, count)
	case choice == 0x00 && crit == critIgnore && proc == ngapType.ProcedureCodeUplinkNASTransport:
		m, ok = parseFastUplink(&body, count)
	case choice == 0x00 && crit == critIgnore && proc == ngapType.ProcedureCodeDownlinkNASTransport:
		m, ok = parseFastDownlink(&body, count)
	case choice == 0x00 && crit == critReject && proc == ngapType.ProcedureCodeInitialContextSetup:
		m, ok = parseFastICSRequest(&body, count)
	case choice == 0x20 && crit == critReject && proc == ngapType.ProcedureCodeInitialContextSetup:
		m, ok = parseFastICSResponse(&body, count)
	}
	if !ok || !body.done() {
		return nil, false
	}
	return m, true
}

func parseFastInitialUE(r *reader, count int) (Msg, bool) {
	if count < 4 || count > 6 {
		return nil, false
	}
	m := &InitialUEMessage{}
	v := r.ie(uint16(ngapType.ProtocolIEIDRANUENGAPID), critReject)
	m.RANUENGAPID = v.ranID()
	ok := v.done()
	v = r.ie(uint16(ngapType.ProtocolIEIDNASPDU), critReject)
	m.NASPDU = v.nas()
	ok = v.done() && ok
	v = r.ie(uint16(ngapType.ProtocolIEIDUserLocationInformation), critReject)
	m.Location = v.uli()
	ok = v.done() && ok
	v = r.ie(uint16(ngapType.ProtocolIEIDRRCEstablishmentCause), critIgnore)
	c := v.byte()
	if c&0x87 != 0 || c>>3 >= rrcRootValues {
		return nil, false
	}
	m.RRCEstablishmentCause = c >> 3
	ok = v.done() && ok
	rest := count - 4
	if rest > 0 && len(r.b) >= 2 && r.b[1] == byte(ngapType.ProtocolIEIDFiveGSTMSI) {
		v = r.ie(uint16(ngapType.ProtocolIEIDFiveGSTMSI), critReject)
		s := v.take(7)
		if v.bad || s[0]&0xc0 != 0 || s[2]&0x3f != 0 {
			return nil, false
		}
		m.STMSI = &STMSI{
			AMFSetID:   uint16(s[0]&0x3f)<<4 | uint16(s[1]>>4),
			AMFPointer: (s[1]&0x0f)<<2 | s[2]>>6,
			TMSI:       uint32(s[3])<<24 | uint32(s[4])<<16 | uint32(s[5])<<8 | uint32(s[6]),
		}
		ok = v.done() && ok
		rest--
	}
	if rest > 0 {
		v = r.ie(uint16(ngapType.ProtocolIEIDUEContextRequest), critIgnore)
		v.expect(0x00)
		m.UEContextRequest = true
		ok = v.done() && ok
		rest--
	}
	return m, ok && rest == 0 && !r.bad
}

func parseFastUplink(r *reader, count int) (Msg, bool) {
	if count != 4 {
		return nil, false
	}
	m := &UplinkNASTransport{}
	v := r.ie(uint16(ngapType.ProtocolIEIDAMFUENGAPID), critReject)
	m.AMFUENGAPID = v.amfID()
	ok := v.done()
	v = r.ie(uint16(ngapType.ProtocolIEIDRANUENGAPID), critReject)
	m.RANUENGAPID = v.ranID()
	ok = v.done() && ok
	v = r.ie(uint16(ngapType.ProtocolIEIDNASPDU), critReject)
	m.NASPDU = v.nas()
	ok = v.done() && ok
	v = r.ie(uint16(ngapType.ProtocolIEIDUserLocationInformation), critIgnore)
	m.Location = v.uli()
	ok = v.done() && ok
	return m, ok && !r.bad
}

func parseFastDownlink(r *reader, count int) (Msg, bool) {
	if count != 3 {
		return nil, false
	}
	m := &DownlinkNASTransport{}
	v := r.ie(uint16(ngapType.ProtocolIEIDAMFUENGAPID), critReject)
	m.AMFUENGAPID = v.amfID()
	ok := v.done()
	v = r.ie(uint16(ngapType.ProtocolIEIDRANUENGAPID), critReject)
	m.RANUENGAPID = v.ranID()
	ok = v.done() && ok
	v = r.ie(uint16(ngapType.ProtocolIEIDNASPDU), critReject)
	m.NASPDU = v.nas()
	ok = v.done() && ok
	return m, ok && !r.bad
}

// INITIAL CONTEXT SETUP REQUEST and RESPONSE as a registration sends them
// (TS 38.413 §9.2.2.1, §9.2.2.2): no UE aggregate maximum bit rate and no
// PDU session lists; anything else goes through free5gc's codec.

// maxAllowedNSSAI is maxnoofAllowedS-NSSAIs (TS 38.413 §9.4.7).
const maxAllowedNSSAI = 8

// Encoded sizes of the fixed IE values.
const (
	guamiLen   = 7  // extension and option bits, PLMN, region, set, pointer
	secCapsLen = 9  // 2 + 4 x (1 + 16) bits
	keyLen     = 32 // BIT STRING (SIZE(256))
)

// bitWriter appends unaligned PER fields.
type bitWriter struct {
	b    []byte
	used uint // bits used in the last octet, 0 when aligned
}

func (w *bitWriter) bits(v uint64, n uint) {
	for n > 0 {
		if w.used == 0 {
			w.b = append(w.b, 0)
		}
		free := 8 - w.used
		k := min(free, n)
		chunk := byte(v>>(n-k)) & (1<<k - 1)
		w.b[len(w.b)-1] |= chunk << (free - k)
		w.used = (w.used + k) % 8
		n -= k
	}
}

func (w *bitWriter) align() { w.used = 0 }

func (w *bitWriter) octets(p []byte) {
	w.align()
	w.b = append(w.b, p...)
}

// bitReader reads unaligned PER fields; padding must be zero.
type bitReader struct {
	b   []byte
	pos uint // bit position
	bad bool
}

func (r *bitReader) bits(n uint) uint64 {
	if r.bad || r.pos+n > uint(len(r.b))*8 {
		r.bad = true
		return 0
	}
	var v uint64
	for range n {
		v = v<<1 | uint64(r.b[r.pos/8]>>(7-r.pos%8)&1)
		r.pos++
	}
	return v
}

func (r *bitReader) align() {
	if r.pos%8 != 0 && r.bits(8-r.pos%8) != 0 {
		r.bad = true
	}
}

func (r *bitReader) octets(n int) []byte {
	r.align()
	start := int(r.pos / 8)
	if r.bad || start+n > len(r.b) {
		r.bad = true
		return nil
	}
	r.pos += uint(n) * 8
	return r.b[start : start+n]
}

// done aligns and reports whether every octet was read without error.
func (r *bitReader) done() bool {
	r.align()
	return !r.bad && r.pos == uint(len(r.b))*8
}

func appendGUAMI(b []byte, g GUAMI) []byte {
	b = append(b, 0x00)
	b = append(b, g.PLMN[:]...)
	return append(b, g.AMFRegionID, byte(g.AMFSetID>>2), byte(g.AMFSetID<<6)|g.AMFPointer)
}

// appendAllowedNSSAI encodes AllowedNSSAI (1..8 items, no extensions).
func appendAllowedNSSAI(b []byte, l []SNSSAI) []byte {
	w := bitWriter{b: b}
	w.bits(uint64(len(l)-1), 3)
	for _, s := range l {
		w.bits(0, 3) // item extension and option bits, S-NSSAI extension bit
		sd := uint64(0)
		if s.HasSD {
			sd = 1
		}
		w.bits(sd<<1, 2) // sD and iE-Extensions present
		w.bits(uint64(s.SST), 8)
		if s.HasSD {
			w.octets([]byte{byte(s.SD >> 16), byte(s.SD >> 8), byte(s.SD)})
		}
	}
	return w.b
}

func appendSecCaps(b []byte, c UESecurityCapabilities) []byte {
	w := bitWriter{b: b}
	w.bits(0, 2)
	for _, v := range [4]uint16{c.NREncryption, c.NRIntegrity, c.EUTRAEncryption, c.EUTRAIntegrity} {
		w.bits(uint64(v), 17) // extension bit 0, 16 bits
	}
	return w.b
}

func (m *InitialContextSetupRequest) fastBuild() ([]byte, bool) {
	nas := len(m.NASPDU)
	if m.UEAMBR != nil || len(m.PDUSessions) > 0 || len(m.AllowedNSSAI) > maxAllowedNSSAI || nas > fastMaxLen-4 {
		return nil, false
	}
	var scratch [2 + 5*maxAllowedNSSAI]byte
	nssai := appendAllowedNSSAI(scratch[:0], m.AllowedNSSAI)
	count := 6
	size := ieSize(amfIDSize(m.AMFUENGAPID)) + ieSize(ranIDSize(m.RANUENGAPID)) + ieSize(guamiLen) +
		ieSize(len(nssai)) + ieSize(secCapsLen) + ieSize(keyLen)
	if m.NASPDU != nil {
		count++
		size += ieSize(lenSize(nas) + nas)
	}
	b, ok := pduHeader(0x00, byte(ngapType.ProcedureCodeInitialContextSetup), critReject, count, size)
	if !ok {
		return nil, false
	}
	b = appendAMFID(appendIEHeader(b, uint16(ngapType.ProtocolIEIDAMFUENGAPID), critReject, amfIDSize(m.AMFUENGAPID)), m.AMFUENGAPID)
	b = appendRANID(appendIEHeader(b, uint16(ngapType.ProtocolIEIDRANUENGAPID), critReject, ranIDSize(m.RANUENGAPID)), m.RANUENGAPID)
	b = appendGUAMI(appendIEHeader(b, uint16(ngapType.ProtocolIEIDGUAMI), critReject, guamiLen), m.GUAMI)
	b = append(appendIEHeader(b, uint16(ngapType.ProtocolIEIDAllowedNSSAI), critReject, len(nssai)), nssai...)
	b = appendSecCaps(appendIEHeader(b, uint16(ngapType.ProtocolIEIDUESecurityCapabilities), critReject, secCapsLen), m.UESecurityCapabilities)
	b = append(appendIEHeader(b, uint16(ngapType.ProtocolIEIDSecurityKey), critReject, keyLen), m.SecurityKey[:]...)
	if m.NASPDU != nil {
		b = appendIEHeader(b, uint16(ngapType.ProtocolIEIDNASPDU), critIgnore, lenSize(nas)+nas)
		b = append(appendLen(b, nas), m.NASPDU...)
	}
	return b, true
}

func (m *InitialContextSetupResponse) fastBuild() ([]byte, bool) {
	if len(m.PDUSessions) > 0 || len(m.Failed) > 0 {
		return nil, false
	}
	size := ieSize(amfIDSize(m.AMFUENGAPID)) + ieSize(ranIDSize(m.RANUENGAPID))
	b, ok := pduHeader(0x20, byte(ngapType.ProcedureCodeInitialContextSetup), critReject, 2, size)
	if !ok {
		return nil, false
	}
	b = appendAMFID(appendIEHeader(b, uint16(ngapType.ProtocolIEIDAMFUENGAPID), critIgnore, amfIDSize(m.AMFUENGAPID)), m.AMFUENGAPID)
	return appendRANID(appendIEHeader(b, uint16(ngapType.ProtocolIEIDRANUENGAPID), critIgnore, ranIDSize(m.RANUENGAPID)), m.RANUENGAPID), true
}

func (r *reader) guami() GUAMI {
	var g GUAMI
	b := r.take(guamiLen)
	if r.bad || b[0] != 0 {
		r.bad = true
		return g
	}
	copy(g.PLMN[:], b[1:4])
	g.AMFRegionID = b[4]
	g.AMFSetID = uint16(b[5])<<2 | uint16(b[6]>>6)
	g.AMFPointer = b[6] & 0x3f
	return g
}

func (r *reader) allowedNSSAI() []SNSSAI {
	br := bitReader{b: r.b}
	n := int(br.bits(3)) + 1
	l := make([]SNSSAI, n)
	for i := range l {
		if br.bits(3) != 0 {
			br.bad = true
		}
		opts := br.bits(2)
		if opts&1 != 0 {
			br.bad = true
		}
		l[i].SST = byte(br.bits(8))
		if opts&2 != 0 {
			sd := br.octets(3)
			if len(sd) == 3 {
				l[i].SD, l[i].HasSD = uint32(sd[0])<<16|uint32(sd[1])<<8|uint32(sd[2]), true
			}
		}
	}
	if !br.done() {
		r.bad = true
		return nil
	}
	r.b = nil
	return l
}

func (r *reader) secCaps() UESecurityCapabilities {
	br := bitReader{b: r.take(secCapsLen)}
	if br.bits(2) != 0 {
		br.bad = true
	}
	var v [4]uint16
	for i := range v {
		if br.bits(1) != 0 {
			br.bad = true
		}
		v[i] = uint16(br.bits(16))
	}
	if !br.done() {
		r.bad = true
	}
	return UESecurityCapabilities{NREncryption: v[0], NRIntegrity: v[1], EUTRAEncryption: v[2], EUTRAIntegrity: v[3]}
}

func parseFastICSRequest(r *reader, count int) (Msg, bool) {
	if count != 6 && count != 7 {
		return nil, false
	}
	m := &InitialContextSetupRequest{}
	v := r.ie(uint16(ngapType.ProtocolIEIDAMFUENGAPID), critReject)
	m.AMFUENGAPID = v.amfID()
	ok := v.done()
	v = r.ie(uint16(ngapType.ProtocolIEIDRANUENGAPID), critReject)
	m.RANUENGAPID = v.ranID()
	ok = v.done() && ok
	v = r.ie(uint16(ngapType.ProtocolIEIDGUAMI), critReject)
	m.GUAMI = v.guami()
	ok = v.done() && ok
	v = r.ie(uint16(ngapType.ProtocolIEIDAllowedNSSAI), critReject)
	m.AllowedNSSAI = v.allowedNSSAI()
	ok = v.done() && ok
	v = r.ie(uint16(ngapType.ProtocolIEIDUESecurityCapabilities), critReject)
	m.UESecurityCapabilities = v.secCaps()
	ok = v.done() && ok
	v = r.ie(uint16(ngapType.ProtocolIEIDSecurityKey), critReject)
	copy(m.SecurityKey[:], v.take(keyLen))
	ok = v.done() && ok
	if count == 7 {
		v = r.ie(uint16(ngapType.ProtocolIEIDNASPDU), critIgnore)
		m.NASPDU = v.nas()
		ok = v.done() && ok
	}
	return m, ok && !r.bad
}

func parseFastICSResponse(r *reader, count int) (Msg, bool) {
	if count != 2 {
		return nil, false
	}
	m := &InitialContextSetupResponse{}
	v := r.ie(uint16(ngapType.ProtocolIEIDAMFUENGAPID), critIgnore)
	m.AMFUENGAPID = v.amfID()
	ok := v.done()
	v = r.ie(uint16(ngapType.ProtocolIEIDRANUENGAPID), critIgnore)
	m.RANUENGAPID = v.ranID()
	ok = v.done() && ok
	return m, ok && !r.bad
}
