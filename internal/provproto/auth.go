package provproto

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/credbed/credbed/internal/aka"
)

// Header names.
const (
	HeaderAuthorization = "Authorization"       // secure request protection
	HeaderAuthInfo      = "Authentication-Info" // secure response protection
	HeaderPDIdentity    = "Pd-Identity"         // baseline claimed identity
	HeaderRetryAfter    = "Retry-After"         // with 429
)

// Scheme is the Authorization scheme of secure requests.
const Scheme = "AKMA"

// Sizes and bounds.
const (
	MACSize       = sha256.Size
	MaxHeaderLen  = 512
	MaxAKIDLen    = 253 // an NAI (RFC 7542 §2.2)
	MaxPathLen    = 1024
	reqLabel      = "credbed-cpf-req-v1"
	rspLabel      = "credbed-cpf-rsp-v1"
	macB64Len     = 43 // base64url without padding of 32 bytes
	maxCounterLen = 20 // decimal digits of a uint64
)

// Errors of the header codecs. They wrap ErrMalformed.
var (
	ErrMalformed   = errors.New("provproto: malformed")
	ErrAuthHeader  = errors.New("provproto: bad Authorization header")
	ErrAuthInfo    = errors.New("provproto: bad Authentication-Info header")
	ErrNoAuth      = errors.New("provproto: no Authorization header")
	ErrResponseMAC = errors.New("provproto: response MAC missing or wrong")
)

// Credentials are a PD's AKMA credentials towards the CPF: its A-KID and
// the K_AF it derived for the CPF's AF_ID. K_AF never appears in String.
type Credentials struct {
	AKID string
	KAF  aka.Key256
}

// String shows the A-KID only.
func (c Credentials) String() string {
	return "provproto.Credentials{AKID:" + c.AKID + " KAF:" + aka.Redacted + "}"
}

// GoString is String.
func (c Credentials) GoString() string { return c.String() }

// UaProtocolTLS13 is the Ua* security protocol identifier credbed's AAnF
// appends to the AF's FQDN by default: (0x01,0x00,0x00,0x00,0x07), "shared
// key TLS 1.3" (TS 33.220 Annex H.3, TS 33.222 §5.4.0.2).
var UaProtocolTLS13 = [5]byte{0x01, 0x00, 0x00, 0x00, 0x07}

// KAF derives the CPF's application key from the PD's K_AKMA as the AAnF
// does (TS 33.535 A.4: FC 0x82, P0 = AF_ID = the AF's FQDN (the CPF's
// cpf.Config.AFID) || the Ua* protocol identifier UaProtocolTLS13).
func KAF(kakma aka.Key256, afFQDN string) (aka.Key256, error) {
	return KAFWith(kakma, afFQDN, UaProtocolTLS13)
}

// KAFWith is KAF with another Ua* protocol identifier.
func KAFWith(kakma aka.Key256, afFQDN string, uaProtocolID [5]byte) (aka.Key256, error) {
	afID, err := aka.AFID(afFQDN, uaProtocolID)
	if err != nil {
		return aka.Key256{}, err
	}
	return aka.KAF(kakma, afID)
}

// Request is what a request MAC covers.
type Request struct {
	Method string // "POST", "GET", "DELETE"
	Path   string // request target as sent: path, plus "?query" when present
	Body   []byte
}

// Auth is the content of a secure request's Authorization header.
type Auth struct {
	AKID    string
	Counter uint64
	MAC     [MACSize]byte
}

// Header renders the Authorization header value.
func (a Auth) Header() string {
	return Scheme + ` akid="` + a.AKID + `", ctr="` + strconv.FormatUint(a.Counter, 10) +
		`", mac="` + base64.RawURLEncoding.EncodeToString(a.MAC[:]) + `"`
}

// String is Header (nothing in it is secret).
func (a Auth) String() string { return a.Header() }

// EncodeOptions make SignRequest lie on purpose (attack library): the MAC
// is always computed over the honest values, then the sent header carries
// the substitutes. The zero value encodes honestly.
type EncodeOptions struct {
	MAC     *[MACSize]byte // sent instead of the computed MAC
	FlipMAC bool           // flip one bit of the sent MAC
	Counter *uint64        // sent instead of the signed counter
	AKID    *string        // sent instead of the signed A-KID
}

// SignRequest computes the MAC of r under c with counter ctr and returns
// the header content, altered as o asks.
func SignRequest(c Credentials, ctr uint64, r Request, o EncodeOptions) Auth {
	a := Auth{AKID: c.AKID, Counter: ctr, MAC: RequestMAC(c.KAF, c.AKID, ctr, r)}
	if o.MAC != nil {
		a.MAC = *o.MAC
	}
	if o.FlipMAC {
		a.MAC[0] ^= 0x01
	}
	if o.Counter != nil {
		a.Counter = *o.Counter
	}
	if o.AKID != nil {
		a.AKID = *o.AKID
	}
	return a
}

// RequestMAC computes a request MAC (see the package documentation).
func RequestMAC(kaf aka.Key256, akid string, ctr uint64, r Request) [MACSize]byte {
	m := hmac.New(sha256.New, kaf[:])
	m.Write([]byte(reqLabel))
	m.Write([]byte{0})
	writeLV(m, r.Method)
	writeLV(m, r.Path)
	writeLV(m, akid)
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], ctr)
	m.Write(c[:])
	bh := sha256.Sum256(r.Body)
	m.Write(bh[:])
	var out [MACSize]byte
	m.Sum(out[:0])
	return out
}

// VerifyRequest reports, in constant time, whether a's MAC authenticates r
// under kaf.
func VerifyRequest(kaf aka.Key256, a Auth, r Request) bool {
	want := RequestMAC(kaf, a.AKID, a.Counter, r)
	return hmac.Equal(want[:], a.MAC[:])
}

// ResponseMAC computes the MAC of a response to the request a
// authenticated (see the package documentation).
func ResponseMAC(kaf aka.Key256, a Auth, status int, body []byte) [MACSize]byte {
	m := hmac.New(sha256.New, kaf[:])
	m.Write([]byte(rspLabel))
	m.Write([]byte{0})
	var s [2]byte
	binary.BigEndian.PutUint16(s[:], uint16(status))
	m.Write(s[:])
	m.Write(a.MAC[:])
	writeLV(m, a.AKID)
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], a.Counter)
	m.Write(c[:])
	bh := sha256.Sum256(body)
	m.Write(bh[:])
	var out [MACSize]byte
	m.Sum(out[:0])
	return out
}

// AuthInfo renders the Authentication-Info header value for a response MAC.
func AuthInfo(mac [MACSize]byte) string {
	return `mac="` + base64.RawURLEncoding.EncodeToString(mac[:]) + `"`
}

// VerifyResponse checks the Authentication-Info header value of a response
// to the request a (as the PD sent it) under kaf. Errors wrap
// ErrResponseMAC.
func VerifyResponse(kaf aka.Key256, a Auth, status int, body []byte, authInfo string) error {
	got, err := ParseAuthInfo(authInfo)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrResponseMAC, err)
	}
	want := ResponseMAC(kaf, a, status, body)
	if !hmac.Equal(want[:], got[:]) {
		return fmt.Errorf("%w: does not verify", ErrResponseMAC)
	}
	return nil
}

type writer interface{ Write([]byte) (int, error) }

func writeLV(w writer, s string) {
	var l [2]byte
	binary.BigEndian.PutUint16(l[:], uint16(len(s)))
	_, _ = w.Write(l[:])
	_, _ = w.Write([]byte(s))
}

// ParseAuth strictly parses an Authorization header value: the scheme
// AKMA (any case), then exactly the parameters akid, ctr and mac, each
// once, in any order, as quoted strings without escapes, separated by
// commas. The counter is a decimal from 1 without leading zeros; the MAC is
// 32 bytes of unpadded base64url. Errors wrap ErrAuthHeader and
// ErrMalformed; an empty value is ErrNoAuth.
func ParseAuth(v string) (Auth, error) {
	if strings.TrimSpace(v) == "" {
		return Auth{}, ErrNoAuth
	}
	if len(v) > MaxHeaderLen {
		return Auth{}, authErr("%d characters, limit %d", len(v), MaxHeaderLen)
	}
	scheme, rest, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, Scheme) {
		return Auth{}, authErr("scheme is not %s", Scheme)
	}
	params, err := parseParams(rest)
	if err != nil {
		return Auth{}, authErr("%v", err)
	}
	var a Auth
	seen := 0
	for _, p := range params {
		switch p.name {
		case "akid":
			if seen&1 != 0 {
				return Auth{}, authErr("akid repeated")
			}
			seen |= 1
			if err := checkAKID(p.value); err != nil {
				return Auth{}, authErr("akid: %v", err)
			}
			a.AKID = p.value
		case "ctr":
			if seen&2 != 0 {
				return Auth{}, authErr("ctr repeated")
			}
			seen |= 2
			c, err := parseCounter(p.value)
			if err != nil {
				return Auth{}, authErr("ctr: %v", err)
			}
			a.Counter = c
		case "mac":
			if seen&4 != 0 {
				return Auth{}, authErr("mac repeated")
			}
			seen |= 4
			m, err := parseMAC(p.value)
			if err != nil {
				return Auth{}, authErr("mac: %v", err)
			}
			a.MAC = m
		default:
			return Auth{}, authErr("unknown parameter %q", truncate(p.name))
		}
	}
	if seen != 7 {
		return Auth{}, authErr("akid, ctr and mac are all required")
	}
	return a, nil
}

// ParseAuthInfo parses an Authentication-Info header value: exactly one
// parameter mac="<base64url>". Errors wrap ErrAuthInfo and ErrMalformed.
func ParseAuthInfo(v string) ([MACSize]byte, error) {
	var zero [MACSize]byte
	if len(v) > MaxHeaderLen {
		return zero, fmt.Errorf("%w: %w: too long", ErrMalformed, ErrAuthInfo)
	}
	params, err := parseParams(v)
	if err != nil {
		return zero, fmt.Errorf("%w: %w: %v", ErrMalformed, ErrAuthInfo, err)
	}
	if len(params) != 1 || params[0].name != "mac" {
		return zero, fmt.Errorf("%w: %w: want exactly mac=", ErrMalformed, ErrAuthInfo)
	}
	m, err := parseMAC(params[0].value)
	if err != nil {
		return zero, fmt.Errorf("%w: %w: %v", ErrMalformed, ErrAuthInfo, err)
	}
	return m, nil
}

func authErr(format string, a ...any) error {
	return fmt.Errorf("%w: %w: %s", ErrMalformed, ErrAuthHeader, fmt.Sprintf(format, a...))
}

type param struct{ name, value string }

// parseParams reads `name="value"` pairs separated by commas and optional
// spaces. Names are lower-case letters; values have no '"' or '\'.
func parseParams(s string) ([]param, error) {
	var out []param
	s = strings.TrimLeft(s, " ")
	for s != "" {
		if len(out) == 8 {
			return nil, errors.New("too many parameters")
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, errors.New("parameter without name=")
		}
		name := s[:eq]
		for i := 0; i < len(name); i++ {
			if name[i] < 'a' || name[i] > 'z' {
				return nil, errors.New("parameter name is not lower-case letters")
			}
		}
		s = s[eq+1:]
		if len(s) == 0 || s[0] != '"' {
			return nil, errors.New("parameter value is not quoted")
		}
		end := strings.IndexByte(s[1:], '"')
		if end < 0 {
			return nil, errors.New("unterminated quoted value")
		}
		value := s[1 : 1+end]
		if strings.IndexByte(value, '\\') >= 0 {
			return nil, errors.New("escapes are not allowed")
		}
		for i := 0; i < len(value); i++ {
			if value[i] < 0x21 || value[i] > 0x7e {
				return nil, errors.New("value has a non-printable or space character")
			}
		}
		out = append(out, param{name, value})
		s = strings.TrimLeft(s[2+end:], " ")
		if s == "" {
			break
		}
		if s[0] != ',' {
			return nil, errors.New("parameters not separated by commas")
		}
		s = strings.TrimLeft(s[1:], " ")
		if s == "" {
			return nil, errors.New("trailing comma")
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no parameters")
	}
	return out, nil
}

func checkAKID(s string) error {
	if s == "" || len(s) > MaxAKIDLen {
		return fmt.Errorf("length %d, want 1 to %d", len(s), MaxAKIDLen)
	}
	user, realm, ok := strings.Cut(s, "@")
	if !ok || user == "" || realm == "" || strings.Contains(realm, "@") {
		return errors.New("not username@realm")
	}
	return nil
}

func parseCounter(s string) (uint64, error) {
	if s == "" || len(s) > maxCounterLen || s[0] == '0' {
		return 0, errors.New("want a decimal from 1 without leading zeros")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("not decimal digits")
		}
	}
	c, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, errors.New("out of range")
	}
	return c, nil
}

func parseMAC(s string) ([MACSize]byte, error) {
	var m [MACSize]byte
	if len(s) != macB64Len {
		return m, fmt.Errorf("%d characters, want %d", len(s), macB64Len)
	}
	n, err := base64.RawURLEncoding.Strict().Decode(m[:], []byte(s))
	if err != nil || n != MACSize {
		return [MACSize]byte{}, errors.New("not base64url")
	}
	return m, nil
}

func truncate(s string) string {
	if len(s) > 24 {
		return s[:24] + "..."
	}
	return s
}
