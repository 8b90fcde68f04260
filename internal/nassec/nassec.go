package nassec

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"

	"github.com/free5gc/nas/security"

	"github.com/credbed/credbed/internal/aka"
)

// Sentinel errors. None carries key bytes.
var (
	// ErrNoContext: the Context has no keys (zero value or not created with New).
	ErrNoContext = errors.New("nassec: no NAS security context")
	// ErrMalformed: the PDU (or the plain message given to Protect) is not a
	// well-formed 5GMM message of the expected form.
	ErrMalformed = errors.New("nassec: malformed NAS message")
	// ErrNotProtected: Unprotect got a plain NAS message (security header type 0).
	ErrNotProtected = errors.New("nassec: NAS message is not security protected")
	// ErrMACFailure: the NAS-MAC does not verify (TS 33.501 §6.4.3.2).
	ErrMACFailure = errors.New("nassec: NAS MAC verification failed")
	// ErrReplay: the message verifies only with a NAS COUNT not greater than the
	// last accepted one in its direction (TS 33.501 §6.4.3.2 replay protection).
	ErrReplay = errors.New("nassec: replayed NAS COUNT")
	// ErrCountExhausted: the 24-bit NAS COUNT would wrap; a new context is needed
	// (TS 33.501 §6.4.3.1).
	ErrCountExhausted = errors.New("nassec: NAS COUNT exhausted")
)

// EPD5GMM is the extended protocol discriminator of 5GMM (TS 24.007 §11.2.3.1.1A).
const EPD5GMM = 0x7E

// HeaderLen is the length of the security protected 5GMM header: EPD, security
// header type, MAC (4), sequence number (TS 24.501 §9.1.1, Figure 9.1.1-2).
const HeaderLen = 7

// minInner is the shortest plain 5GMM message: EPD, security header type, message type.
const minInner = 3

// Security header types (TS 24.501 §9.3.1, Table 9.3.1).
const (
	HdrPlain                uint8 = 0
	HdrIntegrity            uint8 = 1
	HdrIntegrityCiphered    uint8 = 2
	HdrIntegrityNew         uint8 = 3 // integrity protected with new 5G NAS security context (SECURITY MODE COMMAND)
	HdrIntegrityCipheredNew uint8 = 4 // integrity protected and ciphered with new 5G NAS security context (SECURITY MODE COMPLETE)
	maxHdr                        = HdrIntegrityCipheredNew
)

// Ciphered reports whether a security header type implies ciphering.
func Ciphered(hdr uint8) bool { return hdr == HdrIntegrityCiphered || hdr == HdrIntegrityCipheredNew }

// CipheringAlg is a 5G NAS ciphering algorithm identifier (TS 33.501 §5.11.1.1).
type CipheringAlg uint8

// Ciphering algorithms.
const (
	NEA0 CipheringAlg = CipheringAlg(security.AlgCiphering128NEA0) // null
	NEA1 CipheringAlg = CipheringAlg(security.AlgCiphering128NEA1) // SNOW 3G
	NEA2 CipheringAlg = CipheringAlg(security.AlgCiphering128NEA2) // AES-CTR
	NEA3 CipheringAlg = CipheringAlg(security.AlgCiphering128NEA3) // ZUC
)

// IntegrityAlg is a 5G NAS integrity algorithm identifier (TS 33.501 §5.11.1.2).
type IntegrityAlg uint8

// Integrity algorithms.
const (
	NIA0 IntegrityAlg = IntegrityAlg(security.AlgIntegrity128NIA0) // null: emergency only
	NIA1 IntegrityAlg = IntegrityAlg(security.AlgIntegrity128NIA1) // SNOW 3G
	NIA2 IntegrityAlg = IntegrityAlg(security.AlgIntegrity128NIA2) // AES-CMAC
	NIA3 IntegrityAlg = IntegrityAlg(security.AlgIntegrity128NIA3) // ZUC
)

// IsNull reports whether the algorithm is NEA0.
func (a CipheringAlg) IsNull() bool { return a == NEA0 }

// IsNull reports whether the algorithm is NIA0. TS 33.501 §5.5.2 allows NIA0
// only for unauthenticated emergency sessions; callers refuse it otherwise.
func (a IntegrityAlg) IsNull() bool { return a == NIA0 }

func (a CipheringAlg) String() string {
	if a > NEA3 {
		return fmt.Sprintf("NEA?(%d)", uint8(a))
	}
	return fmt.Sprintf("NEA%d", uint8(a))
}

func (a IntegrityAlg) String() string {
	if a > NIA3 {
		return fmt.Sprintf("NIA?(%d)", uint8(a))
	}
	return fmt.Sprintf("NIA%d", uint8(a))
}

// Side says which end of the NAS connection a Context belongs to; it fixes
// the DIRECTION bit (0 uplink, 1 downlink) of sent and received messages.
type Side uint8

// Sides.
const (
	SideUE      Side = 1 // sends uplink, receives downlink
	SideNetwork Side = 2 // the AMF: sends downlink, receives uplink
)

func (s Side) String() string {
	switch s {
	case SideUE:
		return "UE"
	case SideNetwork:
		return "network"
	}
	return fmt.Sprintf("Side(%d)", uint8(s))
}

// BEARER values: the NAS connection identifier (TS 33.501 §6.4.2.2,
// §6.4.3.1; free5gc security.Bearer3GPP = 0x01).
const (
	Bearer3GPP    uint8 = security.Bearer3GPP
	BearerNon3GPP uint8 = security.BearerNon3GPP
)

// DIRECTION values (TS 33.501 §6.4.3.1).
const (
	DirUplink   uint8 = security.DirectionUplink
	DirDownlink uint8 = security.DirectionDownlink
)

// Count is a 24-bit NAS COUNT: NAS OVERFLOW (16 bits) || NAS SQN (8 bits)
// (TS 24.501 §4.4.3.1). The 32-bit COUNT input to NEA/NIA is 0x00 || Count.
type Count uint32

// MaxCount is the last usable NAS COUNT.
const MaxCount Count = 1<<24 - 1

// NewCount builds OVERFLOW || SQN.
func NewCount(overflow uint16, sqn uint8) Count { return Count(overflow)<<8 | Count(sqn) }

// Overflow returns the 16-bit NAS overflow counter.
func (c Count) Overflow() uint16 { return uint16(c >> 8) }

// SQN returns the 8-bit NAS sequence number carried in each message.
func (c Count) SQN() uint8 { return uint8(c) }

func (c Count) String() string { return fmt.Sprintf("%d/%d", c.Overflow(), c.SQN()) }

// Config creates a Context.
type Config struct {
	Side    Side
	KNASEnc aka.Key128 // TS 33.501 A.8, N-NAS-enc-alg
	KNASInt aka.Key128 // TS 33.501 A.8, N-NAS-int-alg
	Enc     CipheringAlg
	Int     IntegrityAlg
	// Bearer is the NAS connection identifier; zero means Bearer3GPP.
	Bearer uint8
}

// Validate checks the configuration and fills defaults.
func (c *Config) Validate() error {
	if c.Side != SideUE && c.Side != SideNetwork {
		return fmt.Errorf("%w: side must be SideUE or SideNetwork", ErrMalformed)
	}
	if c.Enc > NEA3 || c.Int > NIA3 {
		return fmt.Errorf("%w: unknown algorithm %s/%s", ErrMalformed, c.Enc, c.Int)
	}
	if c.Bearer == 0 {
		c.Bearer = Bearer3GPP
	}
	if c.Bearer > 0x1F {
		return fmt.Errorf("%w: bearer exceeds 5 bits", ErrMalformed)
	}
	return nil
}

// Context is one side's 5G NAS security context for one NAS connection
// (TS 33.501 §6.4, TS 24.501 §4.4.3): 48 bytes, no pointers, meant to be
// embedded by value in per-UE state. The zero value has no keys and every
// operation returns ErrNoContext. A Context is not safe for concurrent use;
// the owner serialises per UE.
//
// COUNTs: each direction keeps the next NAS COUNT (sending side: the value the
// next message uses; receiving side: one more than the last accepted value).
// New starts both at 0, as when a new KAMF is taken into use (TS 33.501
// §6.4.5); Rekey changes keys/algorithms with the same KAMF and keeps them.
type Context struct {
	kEnc, kInt aka.Key128
	ul, dl     Count // next UL and DL NAS COUNT
	enc        CipheringAlg
	integ      IntegrityAlg
	side       Side
	bearer     uint8
	ready      bool
}

// New creates a context with both NAS COUNTs at zero.
func New(cfg Config) (Context, error) {
	if err := cfg.Validate(); err != nil {
		return Context{}, err
	}
	return Context{
		kEnc: cfg.KNASEnc, kInt: cfg.KNASInt, enc: cfg.Enc, integ: cfg.Int,
		side: cfg.Side, bearer: cfg.Bearer, ready: true,
	}, nil
}

// Rekey replaces keys and algorithms and keeps the COUNTs: a NAS SMC that only
// changes algorithms under the same KAMF (TS 33.501 §6.7.2). Never use it with
// a new KAMF (use New) and never reset COUNTs while keeping keys.
func (c *Context) Rekey(kEnc, kInt aka.Key128, enc CipheringAlg, integ IntegrityAlg) error {
	if c == nil || !c.ready {
		return ErrNoContext
	}
	if enc > NEA3 || integ > NIA3 {
		return fmt.Errorf("%w: unknown algorithm %s/%s", ErrMalformed, enc, integ)
	}
	c.kEnc, c.kInt, c.enc, c.integ = kEnc, kInt, enc, integ
	return nil
}

// Valid reports whether the context holds keys.
func (c *Context) Valid() bool { return c != nil && c.ready }

// Side returns the owner side.
func (c *Context) Side() Side { return c.side }

// Algorithms returns the selected ciphering and integrity algorithms.
func (c *Context) Algorithms() (CipheringAlg, IntegrityAlg) { return c.enc, c.integ }

// NullIntegrity reports whether the context uses NIA0 (no integrity, no
// replay protection); callers refuse it outside emergency services.
func (c *Context) NullIntegrity() bool { return c.integ.IsNull() }

// Counts returns the next uplink and downlink NAS COUNT.
func (c *Context) Counts() (ul, dl Count) { return c.ul, c.dl }

// SetCounts restores both COUNTs, e.g. from a transferred or stored context
// (TS 33.501 §6.9). Values above MaxCount+1 are rejected.
func (c *Context) SetCounts(ul, dl Count) error {
	if c == nil || !c.ready {
		return ErrNoContext
	}
	if ul > MaxCount+1 || dl > MaxCount+1 {
		return fmt.Errorf("%w: NAS COUNT exceeds 24 bits", ErrMalformed)
	}
	c.ul, c.dl = ul, dl
	return nil
}

// String describes the context without keys.
func (c Context) String() string {
	if !c.ready {
		return "nassec.Context{none}"
	}
	return fmt.Sprintf("nassec.Context{%s %s/%s bearer=%d UL=%s DL=%s}", c.side, c.enc, c.integ, c.bearer, c.ul, c.dl)
}

// Format prints String for every verb, keeping keys out of %#v and %x.
func (c Context) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

func (c *Context) txDir() uint8 {
	if c.side == SideUE {
		return DirUplink
	}
	return DirDownlink
}

func (c *Context) rxDir() uint8 { return 1 - c.txDir() }

func (c *Context) txCount() *Count {
	if c.side == SideUE {
		return &c.ul
	}
	return &c.dl
}

func (c *Context) rxCount() *Count {
	if c.side == SideUE {
		return &c.dl
	}
	return &c.ul
}

// Options make Protect lie on purpose (STYLE.md "encoders that can lie"). The
// zero value is honest.
type Options struct {
	// ForceCount protects with this NAS COUNT (24 bits) instead of the
	// context's, and leaves the context's sending COUNT unchanged.
	ForceCount *Count
	// CorruptMAC flips the bits of the computed MAC.
	CorruptMAC bool
	// ForceMAC puts these four octets in the MAC field.
	ForceMAC *[4]byte
	// SkipCipher leaves the payload in plain text even when the header type says ciphered.
	SkipCipher bool
	// NoIncrement does not advance the sending COUNT.
	NoIncrement bool
	// RawPayload protects any bytes, not only a plain 5GMM message.
	RawPayload bool
}

// Protect builds a security protected 5GMM message (TS 24.501 §9.1.1):
// EPD || security header type || MAC || SQN || message, the message ciphered
// for types 2 and 4, the MAC over SQN || (ciphered) message with the sending
// COUNT, BEARER and DIRECTION (TS 33.501 §6.4.3.1, §6.4.4.1); then it advances
// the sending COUNT. plain must be a plain 5GMM message.
func (c *Context) Protect(plain []byte, hdr uint8) ([]byte, error) {
	return c.ProtectWith(plain, hdr, Options{})
}

// ProtectWith is Protect with lies (see Options).
func (c *Context) ProtectWith(plain []byte, hdr uint8, o Options) ([]byte, error) {
	if c == nil || !c.ready {
		return nil, ErrNoContext
	}
	if hdr == HdrPlain || hdr > maxHdr {
		return nil, fmt.Errorf("%w: security header type %d cannot be protected", ErrMalformed, hdr)
	}
	if !o.RawPayload {
		if len(plain) < minInner || plain[0] != EPD5GMM || plain[1]&0x0F != HdrPlain {
			return nil, fmt.Errorf("%w: not a plain 5GMM message", ErrMalformed)
		}
	}
	tx := c.txCount()
	count := *tx
	if o.ForceCount != nil {
		count = *o.ForceCount & MaxCount
	} else if count > MaxCount {
		return nil, ErrCountExhausted
	}
	out := make([]byte, HeaderLen+len(plain))
	out[0] = EPD5GMM
	out[1] = hdr
	out[6] = count.SQN()
	body := out[HeaderLen:]
	copy(body, plain)
	if Ciphered(hdr) && !o.SkipCipher {
		if err := c.cipher(count, c.txDir(), body); err != nil {
			return nil, err
		}
	}
	mac, err := c.mac(count, c.txDir(), out[6:])
	if err != nil {
		return nil, err
	}
	if o.CorruptMAC {
		for i := range mac {
			mac[i] ^= 0xFF
		}
	}
	if o.ForceMAC != nil {
		mac = *o.ForceMAC
	}
	copy(out[2:6], mac[:])
	if o.ForceCount == nil && !o.NoIncrement {
		*tx = count + 1
	}
	return out, nil
}

// Header is the security protected 5GMM header (TS 24.501 §9.1.1).
type Header struct {
	SecHdr uint8
	MAC    [4]byte
	SQN    uint8
}

// Split decodes the header of a security protected 5GMM message and returns the
// (possibly ciphered) inner message, aliasing pdu. For header types 1 and 3 the
// inner message is readable before verification, which is how a UE learns the
// algorithms of a SECURITY MODE COMMAND before it can check its MAC. A plain
// message returns ErrNotProtected.
func Split(pdu []byte) (Header, []byte, error) {
	if len(pdu) < 2 || pdu[0] != EPD5GMM {
		return Header{}, nil, fmt.Errorf("%w: not a 5GMM message", ErrMalformed)
	}
	hdr := pdu[1] & 0x0F // bits 5-8 are spare (TS 24.501 §9.3.1)
	if hdr == HdrPlain {
		return Header{}, nil, ErrNotProtected
	}
	if hdr > maxHdr {
		return Header{}, nil, fmt.Errorf("%w: security header type %d", ErrMalformed, hdr)
	}
	if len(pdu) < HeaderLen+minInner {
		return Header{}, nil, fmt.Errorf("%w: %d octets is too short", ErrMalformed, len(pdu))
	}
	h := Header{SecHdr: hdr, MAC: [4]byte(pdu[2:6]), SQN: pdu[6]}
	return h, pdu[HeaderLen:], nil
}

// estimate returns the NAS COUNT a received SQN stands for (TS 24.501
// §4.4.3.1): the receiver keeps the overflow counter and increments it when
// the SQN is below that of the next expected COUNT. The result is never
// below next, so a replay cannot verify under it.
func estimate(next Count, sqn uint8) Count {
	base := next &^ 0xFF
	if sqn < next.SQN() {
		base += 0x100
	}
	return base | Count(sqn)
}

// Unprotect verifies and deciphers a security protected 5GMM message from the
// peer. It estimates the full NAS COUNT from the received SQN, checks the MAC
// (ErrMACFailure), rejects a message that verifies only with a COUNT not
// greater than the last accepted one (ErrReplay, TS 33.501 §6.4.3.2), records
// the COUNT, deciphers types 2 and 4, and returns the plain 5GMM message and
// the security header type (1-4). With NIA0 the MAC is not checked and there
// is no replay protection (TS 33.501 §6.4.3.2, D.1).
func (c *Context) Unprotect(pdu []byte) ([]byte, uint8, error) {
	if c == nil || !c.ready {
		return nil, 0, ErrNoContext
	}
	h, inner, err := Split(pdu)
	if err != nil {
		return nil, 0, err
	}
	rx := c.rxCount()
	next := *rx
	count := estimate(next, h.SQN)
	if count > MaxCount {
		return nil, 0, ErrCountExhausted
	}
	dir := c.rxDir()
	if !c.integ.IsNull() {
		mac, err := c.mac(count, dir, pdu[6:])
		if err != nil {
			return nil, 0, err
		}
		if subtle.ConstantTimeCompare(mac[:], h.MAC[:]) != 1 {
			// Replay detection: does it verify with the same SQN one overflow
			// window earlier, i.e. a COUNT already passed?
			if count >= 0x100 {
				old := count - 0x100
				if m, err := c.mac(old, dir, pdu[6:]); err == nil && subtle.ConstantTimeCompare(m[:], h.MAC[:]) == 1 {
					return nil, 0, fmt.Errorf("%w: COUNT %s, next expected %s", ErrReplay, old, next)
				}
			}
			return nil, 0, ErrMACFailure
		}
	}
	// The message is authentic: its COUNT is used up even if the inner
	// message turns out malformed below.
	*rx = count + 1
	plain := make([]byte, len(inner))
	copy(plain, inner)
	if Ciphered(h.SecHdr) {
		if err := c.cipher(count, dir, plain); err != nil {
			return nil, 0, err
		}
	}
	if plain[0] != EPD5GMM || plain[1]&0x0F != HdrPlain {
		return nil, 0, fmt.Errorf("%w: inner message is not a plain 5GMM message", ErrMalformed)
	}
	return plain, h.SecHdr, nil
}

// MAC computes the 32-bit NAS-MAC over msg (SQN || message) with this
// context's integrity key and algorithm (TS 33.501 §6.4.3.1, D.3). NIA0 gives
// four zero octets.
func (c *Context) MAC(count Count, dir uint8, msg []byte) ([4]byte, error) {
	if c == nil || !c.ready {
		return [4]byte{}, ErrNoContext
	}
	return c.mac(count, dir, msg)
}

func (c *Context) mac(count Count, dir uint8, msg []byte) ([4]byte, error) {
	return ComputeMAC(c.integ, c.kInt, uint32(count), c.bearer, dir, msg, uint64(len(msg))*8)
}

func (c *Context) cipher(count Count, dir uint8, buf []byte) error {
	return Cipher(c.enc, c.kEnc, uint32(count), c.bearer, dir, buf, uint64(len(buf))*8)
}

// ComputeMAC runs 128-NIAx (TS 33.501 D.3, = 128-EIAx of TS 33.401 Annex B)
// over the first bits bits of msg: the full 32-bit COUNT, 5-bit BEARER and
// DIRECTION as the algorithm inputs. NIA2 supports whole octets only.
func ComputeMAC(alg IntegrityAlg, key aka.Key128, count uint32, bearer, dir uint8, msg []byte, bits uint64) ([4]byte, error) {
	var out [4]byte
	if bearer > 0x1F || dir > 1 {
		return out, fmt.Errorf("%w: bearer/direction out of range", ErrMalformed)
	}
	if bits == 0 || bits > uint64(len(msg))*8 || bits > 1<<32-1 {
		return out, fmt.Errorf("%w: bad message length", ErrMalformed)
	}
	if bits < uint64(len(msg))*8 {
		// Hand the algorithm exactly the first bits bits, trailing bits zero.
		m := make([]byte, (bits+7)/8)
		copy(m, msg)
		if r := bits % 8; r != 0 {
			m[len(m)-1] &= 0xFF << (8 - r)
		}
		msg = m
	}
	var mac []byte
	var err error
	switch alg {
	case NIA0:
		return out, nil
	case NIA1:
		mac, err = security.NIA1(key, count, bearer, uint32(dir), msg, bits)
	case NIA2:
		if bits%8 != 0 {
			return out, fmt.Errorf("%w: NIA2 needs whole octets", ErrMalformed)
		}
		mac, err = security.NIA2(key, count, bearer, dir, msg)
	case NIA3:
		mac, err = security.NIA3(key, count, bearer, dir, msg, uint32(bits))
	default:
		return out, fmt.Errorf("%w: unknown integrity algorithm %d", ErrMalformed, alg)
	}
	if err != nil || len(mac) != 4 {
		return out, fmt.Errorf("%w: integrity algorithm failed", ErrMalformed)
	}
	return [4]byte(mac), nil
}

// Cipher runs 128-NEAx (TS 33.501 D.2, = 128-EEAx of TS 33.401 Annex B) over
// buf in place (it is its own inverse). Bits past bits in the last octet are
// zeroed, as the test data of TS 33.401 C.1 / TS 35.217 / TS 35.223 show them.
func Cipher(alg CipheringAlg, key aka.Key128, count uint32, bearer, dir uint8, buf []byte, bits uint64) error {
	if bearer > 0x1F || dir > 1 {
		return fmt.Errorf("%w: bearer/direction out of range", ErrMalformed)
	}
	if bits > uint64(len(buf))*8 || bits > 1<<32-1 {
		return fmt.Errorf("%w: bad message length", ErrMalformed)
	}
	if len(buf) == 0 {
		return nil
	}
	var out []byte
	var err error
	switch alg {
	case NEA0:
		out = buf
	case NEA1:
		out, err = security.NEA1(key, count, uint32(bearer), uint32(dir), buf, uint32(bits))
	case NEA2:
		out, err = security.NEA2(key, count, bearer, dir, buf)
	case NEA3:
		out, err = security.NEA3(key, count, bearer, dir, buf, uint32(bits))
	default:
		return fmt.Errorf("%w: unknown ciphering algorithm %d", ErrMalformed, alg)
	}
	if err != nil || len(out) != len(buf) {
		return fmt.Errorf("%w: ciphering algorithm failed", ErrMalformed)
	}
	copy(buf, out)
	if r := bits % 8; r != 0 {
		buf[bits/8] &= 0xFF << (8 - r)
	}
	for i := (bits + 7) / 8; i < uint64(len(buf)); i++ {
		buf[i] = 0
	}
	return nil
}
