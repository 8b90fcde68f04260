package aka

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// KAKMA derives the AKMA anchor key from KAUSF (TS 33.535 A.2, Rel-17+):
// FC 0x80, P0 = "AKMA", P1 = SUPI (same value as P0 of TS 33.501 A.7.0).
func KAKMA(kausf Key256, supi string) (Key256, error) {
	v, err := SUPIForKDF(supi)
	if err != nil {
		return Key256{}, err
	}
	return kdf256(kausf[:], FCKAKMA, []byte("AKMA"), []byte(v))
}

// ATIDLen is the length of an A-TID: the whole 256-bit KDF output.
const ATIDLen = 32

// ATID derives the AKMA temporary identifier from KAUSF (TS 33.535 A.3):
// FC 0x81, P0 = "A-TID", P1 = SUPI.
func ATID(kausf Key256, supi string) ([ATIDLen]byte, error) {
	v, err := SUPIForKDF(supi)
	if err != nil {
		return [ATIDLen]byte{}, err
	}
	return KDF(kausf[:], FCATID, []byte("A-TID"), []byte(v))
}

// AFID builds AF_ID = FQDN of the AF || Ua* security protocol identifier
// (TS 33.535 A.4; the protocol identifier is the 5-octet Ua security protocol
// identifier of TS 33.220 Annex H).
func AFID(fqdn string, uaProtocolID [5]byte) ([]byte, error) {
	if fqdn == "" {
		return nil, fmt.Errorf("%w: empty AF FQDN", ErrInvalidInput)
	}
	out := make([]byte, 0, len(fqdn)+len(uaProtocolID))
	out = append(out, fqdn...)
	return append(out, uaProtocolID[:]...), nil
}

// KAF derives an application function key from K_AKMA (TS 33.535 A.4):
// FC 0x82, P0 = AF_ID (see AFID).
func KAF(kakma Key256, afID []byte) (Key256, error) {
	if len(afID) == 0 {
		return Key256{}, fmt.Errorf("%w: empty AF_ID", ErrInvalidInput)
	}
	return kdf256(kakma[:], FCKAF, afID)
}

// AKID builds the AKMA key identifier. TS 33.535 §6.1 makes it an NAI
// (RFC 7542 username@realm) whose username holds the routing indicator and the
// A-TID and whose realm holds the home network identifier. The exact textual
// encoding of the username (TS 23.003) could not be confirmed from a public
// copy; credbed uses "<RID>.<base64url(A-TID), no padding>", which only uses
// NAI username characters and is reversible with ParseAKID.
func AKID(rid string, atid [ATIDLen]byte, realm string) (string, error) {
	if rid == "" || strings.ContainsAny(rid, ".@") || strings.TrimLeft(rid, "0123456789") != "" || len(rid) > 4 {
		return "", fmt.Errorf("%w: routing indicator must be 1..4 digits", ErrInvalidInput)
	}
	if realm == "" || strings.Contains(realm, "@") {
		return "", fmt.Errorf("%w: bad realm", ErrInvalidInput)
	}
	return rid + "." + base64.RawURLEncoding.EncodeToString(atid[:]) + "@" + realm, nil
}

// ParseAKID splits an A-KID built by AKID into its routing indicator, A-TID
// and realm. It accepts untrusted input and never panics.
func ParseAKID(akid string) (rid string, atid [ATIDLen]byte, realm string, err error) {
	user, realm, ok := strings.Cut(akid, "@")
	if !ok || realm == "" || strings.Contains(realm, "@") {
		return "", atid, "", fmt.Errorf("%w: A-KID is not username@realm", ErrInvalidInput)
	}
	rid, enc, ok := strings.Cut(user, ".")
	if !ok || rid == "" || len(rid) > 4 || strings.TrimLeft(rid, "0123456789") != "" {
		return "", atid, "", fmt.Errorf("%w: A-KID username is not <RID>.<A-TID>", ErrInvalidInput)
	}
	if base64.RawURLEncoding.DecodedLen(len(enc)) != ATIDLen {
		return "", atid, "", fmt.Errorf("%w: A-TID has the wrong length", ErrInvalidInput)
	}
	n, derr := base64.RawURLEncoding.Strict().Decode(atid[:], []byte(enc))
	if derr != nil || n != ATIDLen {
		return "", [ATIDLen]byte{}, "", fmt.Errorf("%w: A-TID is not base64url", ErrInvalidInput)
	}
	return rid, atid, realm, nil
}
