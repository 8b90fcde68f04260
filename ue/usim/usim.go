package usim

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/suci"
)

// Errors. None carries key material.
var (
	// ErrEmpty: the credential slot is empty (never filled, or wiped).
	ErrEmpty = errors.New("usim: no credential installed")
	// ErrInvalidCredential: Install was given an unusable credential; the
	// slot is left as it was.
	ErrInvalidCredential = errors.New("usim: invalid credential")
	// ErrInput: Authenticate was given a RAND or AUTN of the wrong length.
	ErrInput = errors.New("usim: invalid authentication input")
)

// Credential is what fills the slot: a complete USIM subscription.
type Credential struct {
	SUPI ident.SUPI
	K    aka.Key128
	OPc  aka.Key128
	// AMF is the authentication management field the home network uses
	// (the USIM does not need it to verify; kept for completeness).
	AMF [2]byte
	// SQN is the highest SQN already accepted (SQN_MS), e.g. the initial SQN
	// of a provisioned credential; 0 for a fresh USIM.
	SQN aka.SQN
	// PLMN is the home PLMN; its MNC length splits an IMSI into home network
	// identifier and MSIN for SUCI concealment.
	PLMN ident.PLMN
	// RoutingIndicator: 1 to 4 digits; "" means "0" (TS 23.003 §2.2B).
	RoutingIndicator string
	// Scheme is the SUCI protection scheme; HNKey and HNKeyID are required for
	// Profiles A and B and must be absent/0 for the null scheme.
	Scheme  ident.ProtectionScheme
	HNKeyID uint8
	HNKey   *suci.PublicKey
}

// String describes the credential without K and OPc.
func (c Credential) String() string {
	return fmt.Sprintf("credential{supi=%s plmn=%s ri=%s scheme=%s key-id=%d k=%s opc=%s}",
		c.SUPI, c.PLMN, c.RoutingIndicator, c.Scheme, c.HNKeyID, aka.Redacted, aka.Redacted)
}

// Format prints String for every verb, so %#v and %x never show K or OPc.
func (c Credential) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue keeps K and OPc out of slog output.
func (c Credential) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Validate checks every field without changing anything.
func (c *Credential) Validate() error {
	if err := c.SUPI.Validate(); err != nil {
		return fmt.Errorf("%w: SUPI: %w", ErrInvalidCredential, err)
	}
	if c.K.IsZero() {
		return fmt.Errorf("%w: K is all zeros", ErrInvalidCredential)
	}
	if c.OPc.IsZero() {
		return fmt.Errorf("%w: OPc is all zeros", ErrInvalidCredential)
	}
	if err := c.PLMN.Validate(); err != nil {
		return fmt.Errorf("%w: PLMN: %w", ErrInvalidCredential, err)
	}
	if c.SUPI.Type == ident.SUPITypeIMSI {
		p, _, err := c.SUPI.SplitIMSI(len(c.PLMN.MNC))
		if err != nil {
			return fmt.Errorf("%w: SUPI does not split with the PLMN's MNC length: %w", ErrInvalidCredential, err)
		}
		if p != c.PLMN {
			return fmt.Errorf("%w: SUPI %s is not in PLMN %s", ErrInvalidCredential, c.SUPI, c.PLMN)
		}
	}
	if len(c.RoutingIndicator) > ident.MaxRoutingIndicatorDigits {
		return fmt.Errorf("%w: routing indicator longer than %d digits", ErrInvalidCredential, ident.MaxRoutingIndicatorDigits)
	}
	for i := 0; i < len(c.RoutingIndicator); i++ {
		if c.RoutingIndicator[i] < '0' || c.RoutingIndicator[i] > '9' {
			return fmt.Errorf("%w: routing indicator is not decimal", ErrInvalidCredential)
		}
	}
	if c.SQN > aka.MaxSQN {
		return fmt.Errorf("%w: SQN exceeds 48 bits", ErrInvalidCredential)
	}
	switch c.Scheme {
	case ident.SchemeNull:
		if c.HNKey != nil || c.HNKeyID != 0 {
			return fmt.Errorf("%w: the null scheme takes no home network key", ErrInvalidCredential)
		}
	case ident.SchemeProfileA, ident.SchemeProfileB:
		if c.HNKey == nil {
			return fmt.Errorf("%w: %s needs a home network public key", ErrInvalidCredential, c.Scheme)
		}
		if c.HNKey.Scheme() != c.Scheme {
			return fmt.Errorf("%w: home network key is for %s, not %s", ErrInvalidCredential, c.HNKey.Scheme(), c.Scheme)
		}
	default:
		return fmt.Errorf("%w: unsupported protection scheme %s", ErrInvalidCredential, c.Scheme)
	}
	return nil
}

// FromPackage turns a provisioned credential package into a Credential. It
// takes the first ECIES home network key of the package (Profile A or B, in
// package order) and falls back to the null scheme only when the package
// carries none.
func FromPackage(p credential.Package) (Credential, error) {
	if err := p.Validate(); err != nil {
		return Credential{}, fmt.Errorf("%w: %w", ErrInvalidCredential, err)
	}
	c := Credential{
		SUPI: p.SUPI, K: aka.Key128(p.K), OPc: aka.Key128(p.OPc), AMF: p.AMF,
		SQN: aka.SQN(p.SQN), PLMN: p.PLMN, RoutingIndicator: p.RoutingIndicator,
		Scheme: ident.SchemeNull,
	}
	for _, k := range p.HNKeys {
		if k.Scheme != credential.SchemeProfileA && k.Scheme != credential.SchemeProfileB {
			continue
		}
		pub, err := suci.NewPublicKey(ident.ProtectionScheme(k.Scheme), k.Public)
		if err != nil {
			return Credential{}, fmt.Errorf("%w: home network key %d: %w", ErrInvalidCredential, k.ID, err)
		}
		c.Scheme, c.HNKeyID, c.HNKey = ident.ProtectionScheme(k.Scheme), k.ID, pub
		break
	}
	return c, nil
}

// USIM is one credential slot. The zero value is an empty slot.
type USIM struct {
	present bool
	supi    ident.SUPI
	k, opc  aka.Key128
	amf     [2]byte
	sqn     aka.SQNArray
	plmn    ident.PLMN
	ri      string
	scheme  ident.ProtectionScheme
	keyID   uint8
	hnKey   *suci.PublicKey // immutable, shared between USIMs of one home network
}

// New returns a USIM holding c.
func New(c Credential) (*USIM, error) {
	u := new(USIM)
	if err := u.Install(c); err != nil {
		return nil, err
	}
	return u, nil
}

// Install fills the slot with c, replacing any credential (and its SQN array)
// in one step: c is validated first and, on error, the slot is unchanged.
func (u *USIM) Install(c Credential) error {
	if err := c.Validate(); err != nil {
		return err
	}
	ri := c.RoutingIndicator
	if ri == "" {
		ri = suci.DefaultRoutingIndicator
	}
	n := USIM{
		present: true, supi: c.SUPI, k: c.K, opc: c.OPc, amf: c.AMF,
		plmn: c.PLMN, ri: ri, scheme: c.Scheme, keyID: c.HNKeyID, hnKey: c.HNKey,
	}
	if c.SQN != 0 {
		n.sqn.Accept(c.SQN)
	}
	*u = n
	return nil
}

// InstallPackage installs a provisioned credential package (FromPackage).
func (u *USIM) InstallPackage(p credential.Package) error {
	c, err := FromPackage(p)
	if err != nil {
		return err
	}
	return u.Install(c)
}

// Wipe empties the slot (factory reset): K, OPc and the SQN array are
// overwritten with zeros.
func (u *USIM) Wipe() {
	u.k, u.opc = aka.Key128{}, aka.Key128{}
	*u = USIM{}
}

// Present reports whether the slot holds a credential.
func (u *USIM) Present() bool { return u.present }

// SUPI returns the subscription permanent identifier (zero when empty).
func (u *USIM) SUPI() ident.SUPI { return u.supi }

// PLMN returns the home PLMN.
func (u *USIM) PLMN() ident.PLMN { return u.plmn }

// RoutingIndicator returns the routing indicator ("0" when none was provisioned).
func (u *USIM) RoutingIndicator() string { return u.ri }

// Scheme returns the SUCI protection scheme and home network key id.
func (u *USIM) Scheme() (ident.ProtectionScheme, uint8) { return u.scheme, u.keyID }

// HasHNKey reports whether the USIM holds a home network public key (else
// SUCIs use the null scheme and reveal the MSIN).
func (u *USIM) HasHNKey() bool { return u.hnKey != nil }

// AMF returns the provisioned authentication management field.
func (u *USIM) AMF() [2]byte { return u.amf }

// HighestSQN returns SQN_MS, the highest SQN accepted so far (TS 33.102 C.2.2).
func (u *USIM) HighestSQN() aka.SQN { return u.sqn.Highest() }

// Conceal returns a fresh SUCI of the SUPI (TS 33.501 §6.12.2): ECIES with a
// new ephemeral key from rand for Profiles A and B, the null scheme when no
// home network key is provisioned.
func (u *USIM) Conceal(rand io.Reader) (ident.SUCI, error) {
	if !u.present {
		return ident.SUCI{}, ErrEmpty
	}
	return suci.Conceal(u.supi, suci.Params{
		Scheme: u.scheme, HomeNetworkKey: u.hnKey, KeyID: u.keyID,
		RoutingIndicator: u.ri, MNCLength: len(u.plmn.MNC),
	}, rand)
}

// Outcome is the USIM's verdict on an AUTHENTICATE command.
type Outcome uint8

// Outcomes.
const (
	AuthOK           Outcome = iota + 1 // MAC-A verified and SQN fresh: RES, CK, IK
	AuthMACFailure                      // MAC-A wrong (UE answers 5GMM #20)
	AuthSynchFailure                    // SQN not fresh (UE answers 5GMM #21 with AUTS)
)

func (o Outcome) String() string {
	switch o {
	case AuthOK:
		return "ok"
	case AuthMACFailure:
		return "MAC failure"
	case AuthSynchFailure:
		return "synch failure"
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// AuthResult is what AUTHENTICATE returns. The AMF field is returned so that
// the ME can check the separation bit (TS 33.501 §6.1.3.2 step 7); the USIM
// itself does not.
type AuthResult struct {
	Outcome  Outcome
	RES      [aka.RESLen]byte
	CK, IK   aka.Key128
	SQNxorAK [aka.AKLen]byte
	AMF      [2]byte
	SQN      aka.SQN
	AUTS     [aka.AUTSLen]byte // set with AuthSynchFailure
}

// Authenticate runs the USIM side of 5G AKA (TS 33.102 §6.3.3, TS 31.102
// §7.1.2): it verifies MAC-A, checks SQN freshness against the array (TS 33.102
// Annex C.2, default Δ) and, when fresh, accepts the SQN and returns RES, CK
// and IK; when not fresh it returns AUTS built from SQN_MS. Only malformed
// input or an empty slot is an error.
func (u *USIM) Authenticate(rand, autn []byte) (AuthResult, error) {
	if !u.present {
		return AuthResult{}, ErrEmpty
	}
	if len(rand) != aka.RANDLen || len(autn) != aka.AUTNLen {
		return AuthResult{}, fmt.Errorf("%w: RAND %d and AUTN %d octets", ErrInput, len(rand), len(autn))
	}
	r, err := aka.CheckAUTN(u.k[:], u.opc[:], rand, autn)
	switch {
	case errors.Is(err, aka.ErrMACFailure):
		return AuthResult{Outcome: AuthMACFailure}, nil
	case err != nil && !errors.Is(err, aka.ErrAMFSeparation):
		return AuthResult{}, fmt.Errorf("%w: %w", ErrInput, err)
	}
	res := AuthResult{Outcome: AuthOK, RES: r.RES, CK: r.CK, IK: r.IK, AMF: r.AMF, SQN: r.SQN}
	copy(res.SQNxorAK[:], autn[:aka.AKLen])
	if u.sqn.Check(r.SQN) != nil {
		auts, err := aka.BuildAUTS(u.k[:], u.opc[:], rand, u.sqn.Highest())
		if err != nil {
			return AuthResult{}, fmt.Errorf("%w: %w", ErrInput, err)
		}
		return AuthResult{Outcome: AuthSynchFailure, AUTS: auts, SQN: r.SQN}, nil
	}
	u.sqn.Accept(r.SQN)
	return res, nil
}

// String describes the USIM without K and OPc.
func (u *USIM) String() string {
	if !u.present {
		return "usim{empty}"
	}
	return fmt.Sprintf("usim{supi=%s plmn=%s ri=%s scheme=%s key-id=%d sqn-ms=%s k=%s opc=%s}",
		u.supi, u.plmn, u.ri, u.scheme, u.keyID, u.sqn.Highest(), aka.Redacted, aka.Redacted)
}

// Format prints String for every verb.
func (u *USIM) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, u.String()) }

// LogValue keeps K and OPc out of slog output.
func (u *USIM) LogValue() slog.Value { return slog.StringValue(u.String()) }
