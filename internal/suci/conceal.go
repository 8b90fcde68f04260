package suci

import (
	"fmt"
	"io"

	"github.com/credbed/credbed/internal/ident"
)

// DefaultRoutingIndicator is used when Params.RoutingIndicator is empty: a
// single digit 0, as when no routing indicator is provisioned (TS 23.003 §2.2B).
const DefaultRoutingIndicator = "0"

// Params says how to conceal a SUPI.
type Params struct {
	Scheme ident.ProtectionScheme
	// HomeNetworkKey is the home network public key; required for Profiles A
	// and B and ignored by the null scheme.
	HomeNetworkKey *PublicKey
	// KeyID is the home network public key identifier (0 for the null scheme).
	KeyID uint8
	// RoutingIndicator: 1 to 4 decimal digits; "" means DefaultRoutingIndicator.
	RoutingIndicator string
	// MNCLength (2 or 3) splits an IMSI SUPI into home network identifier and
	// MSIN; unused for NAI SUPIs.
	MNCLength int
	// Ephemeral, when set, is used as the ECIES ephemeral private key instead
	// of drawing one from rand (test vectors, attack scenarios that reuse keys).
	Ephemeral *PrivateKey
}

// Conceal builds the SUCI of supi (TS 33.501 §6.12.2, C.3.2). The scheme input
// is the BCD-coded MSIN for an IMSI and the username for a NAI; the home
// network identifier (PLMN or realm) and the routing indicator stay in clear.
// rand supplies the ephemeral key unless p.Ephemeral is set; it may be nil for
// the null scheme.
func Conceal(supi ident.SUPI, p Params, rand io.Reader) (ident.SUCI, error) {
	if err := supi.Validate(); err != nil {
		return ident.SUCI{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	s := ident.SUCI{RoutingIndicator: p.RoutingIndicator, Scheme: p.Scheme, KeyID: p.KeyID}
	if s.RoutingIndicator == "" {
		s.RoutingIndicator = DefaultRoutingIndicator
	}
	var plaintext []byte
	switch supi.Type {
	case ident.SUPITypeIMSI:
		plmn, msin, err := supi.SplitIMSI(p.MNCLength)
		if err != nil {
			return ident.SUCI{}, fmt.Errorf("%w: %w", ErrInvalidParams, err)
		}
		s.SUPIType, s.PLMN = ident.SUPITypeIMSI, plmn
		plaintext, _ = ident.EncodeMSINBCD(msin)
	case ident.SUPITypeNAI:
		user, realm, err := supi.SplitNAI()
		if err != nil {
			return ident.SUCI{}, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		s.SUPIType, s.Realm = ident.SUPITypeNAI, realm
		plaintext = []byte(user)
	}
	switch p.Scheme {
	case ident.SchemeNull:
		if p.KeyID != 0 {
			return ident.SUCI{}, fmt.Errorf("%w: the null scheme uses key id 0, not %d", ErrInvalidParams, p.KeyID)
		}
		s.SchemeOutput = plaintext
	case ident.SchemeProfileA, ident.SchemeProfileB:
		if p.HomeNetworkKey == nil || p.HomeNetworkKey.scheme != p.Scheme {
			return ident.SUCI{}, fmt.Errorf("%w: %s needs a %s home network public key", ErrInvalidParams, p.Scheme, p.Scheme)
		}
		eph := p.Ephemeral
		if eph == nil {
			var err error
			if eph, err = GenerateKey(p.Scheme, rand); err != nil {
				return ident.SUCI{}, err
			}
		} else if eph.scheme != p.Scheme {
			return ident.SUCI{}, fmt.Errorf("%w: %s ephemeral key for %s", ErrInvalidParams, eph.scheme, p.Scheme)
		}
		out, err := seal(eph, p.HomeNetworkKey, plaintext)
		if err != nil {
			return ident.SUCI{}, err
		}
		s.SchemeOutput = out
	default:
		return ident.SUCI{}, fmt.Errorf("%w: %s", ErrUnknownScheme, p.Scheme)
	}
	if err := s.Validate(); err != nil {
		return ident.SUCI{}, fmt.Errorf("%w: %w", ErrInvalidParams, err)
	}
	return s, nil
}
