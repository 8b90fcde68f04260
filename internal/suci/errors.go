package suci

import "errors"

// Sentinel errors of de-concealment and key handling. Every error this package
// returns wraps one of them (and, for malformed identities, also the ident
// sentinel that explains why).
var (
	// ErrOffCurve: an ECIES public key is not a valid point of the profile's
	// curve (bad encoding, not on the curve, or an X25519 point of small order).
	ErrOffCurve = errors.New("public key is not a valid curve point")
	// ErrMACMismatch: the ECIES MAC tag does not verify.
	ErrMACMismatch = errors.New("SUCI MAC tag mismatch")
	// ErrLength: the scheme output length does not fit the protection scheme.
	ErrLength = errors.New("wrong scheme output length for the protection scheme")
	// ErrUnknownKeyID: no home network private key for the (scheme, key id).
	ErrUnknownKeyID = errors.New("unknown home network public key id")
	// ErrUnknownScheme: the protection scheme is not null, Profile A or Profile B.
	ErrUnknownScheme = errors.New("unsupported protection scheme")
	// ErrMalformed: the SUCI, SUPI, key encoding or de-concealed plaintext is malformed.
	ErrMalformed = errors.New("malformed SUCI input")
	// ErrInvalidParams: Conceal was called with unusable parameters (missing or
	// mismatched keys, bad MNC length, non-zero key id with the null scheme).
	ErrInvalidParams = errors.New("invalid SUCI concealment parameters")
)
