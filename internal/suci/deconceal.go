package suci

import (
	"fmt"

	"github.com/credbed/credbed/internal/ident"
)

// maxPlaintextLen is the longest scheme input the SIDF accepts for s: the BCD
// of the longest MSIN that fits a 15-digit IMSI, or the longest NAI username
// that fits the realm in 253 octets. Longer outputs are rejected before any
// elliptic-curve work.
func maxPlaintextLen(s ident.SUCI) int {
	if s.SUPIType == ident.SUPITypeIMSI {
		return (ident.MaxIMSIDigits - 3 - len(s.PLMN.MNC) + 1) / 2
	}
	return ident.MaxNAILength - 1 - len(s.Realm)
}

// Deconceal recovers the SUPI from s with the home network private keys in keys
// (the SIDF, TS 33.501 §6.12.5). Checks run in this order, each with its own
// error: SUCI fields (ErrMalformed), scheme (ErrUnknownScheme), key id
// (ErrUnknownKeyID), output length (ErrLength), ephemeral key (ErrOffCurve),
// MAC tag (ErrMACMismatch, checked before decryption), plaintext (ErrMalformed).
// The null scheme needs no key.
func Deconceal(s ident.SUCI, keys KeyRing) (ident.SUPI, error) {
	if err := s.Validate(); err != nil {
		return ident.SUPI{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var plaintext []byte
	switch s.Scheme {
	case ident.SchemeNull:
		plaintext = s.SchemeOutput
	case ident.SchemeProfileA, ident.SchemeProfileB:
		hn, err := keys.Lookup(s.Scheme, s.KeyID)
		if err != nil {
			return ident.SUPI{}, err
		}
		overhead := s.Scheme.ECIESPublicKeyLen() + macLen
		if n := len(s.SchemeOutput) - overhead; n < 1 || n > maxPlaintextLen(s) {
			return ident.SUPI{}, fmt.Errorf("%w: %s output of %d octets carries a %d-octet ciphertext, want 1..%d",
				ErrLength, s.Scheme, len(s.SchemeOutput), n, maxPlaintextLen(s))
		}
		if plaintext, err = open(hn, s.SchemeOutput); err != nil {
			return ident.SUPI{}, err
		}
	default:
		return ident.SUPI{}, fmt.Errorf("%w: %s", ErrUnknownScheme, s.Scheme)
	}
	return supiFromPlaintext(s, plaintext)
}

func supiFromPlaintext(s ident.SUCI, pt []byte) (ident.SUPI, error) {
	if s.SUPIType == ident.SUPITypeNAI {
		supi, err := ident.NewNAI(string(pt), s.Realm)
		if err != nil {
			return ident.SUPI{}, fmt.Errorf("%w: de-concealed username: %w", ErrMalformed, err)
		}
		return supi, nil
	}
	msin, ok := ident.DecodeMSINBCD(pt)
	if !ok {
		return ident.SUPI{}, fmt.Errorf("%w: de-concealed MSIN is not BCD", ErrMalformed)
	}
	supi, err := ident.NewIMSI(s.PLMN, msin)
	if err != nil {
		return ident.SUPI{}, fmt.Errorf("%w: de-concealed MSIN: %w", ErrMalformed, err)
	}
	return supi, nil
}

// DeconcealString parses a SUCI string (either form of ident.ParseSUCI) and
// de-conceals it. Parse failures wrap ErrMalformed and ident.ErrInvalidSUCI.
func DeconcealString(str string, keys KeyRing) (ident.SUPI, error) {
	s, err := ident.ParseSUCI(str)
	if err != nil {
		return ident.SUPI{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return Deconceal(s, keys)
}

// DeconcealNAS parses the value part of a 5GS mobile identity IE holding a
// SUCI and de-conceals it.
func DeconcealNAS(b []byte, keys KeyRing) (ident.SUPI, error) {
	s, err := ident.ParseSUCINAS(b)
	if err != nil {
		return ident.SUPI{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return Deconceal(s, keys)
}
