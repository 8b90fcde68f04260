package eapaka

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"

	"github.com/credbed/credbed/internal/aka"
)

// FCCKIKPrime is the FC of the CK'/IK' derivation (TS 33.402 A.2).
const FCCKIKPrime byte = 0x20

// CKIKPrime derives CK' and IK' (TS 33.402 A.2, used by TS 33.501 §6.1.3.1
// and RFC 9048 §3.3): KDF(CK || IK, FC 0x20, P0 = access network identity
// (the serving network name in 5G), P1 = SQN ⊕ AK); CK' is the first 128
// bits of the output, IK' the last 128.
func CKIKPrime(ck, ik aka.Key128, networkName string, sqnXorAK [aka.AKLen]byte) (ckp, ikp aka.Key128, err error) {
	if networkName == "" {
		return ckp, ikp, fmt.Errorf("%w: empty network name", ErrInvalid)
	}
	key := make([]byte, 0, 32)
	key = append(append(key, ck[:]...), ik[:]...)
	out, err := aka.KDF(key, FCCKIKPrime, []byte(networkName), sqnXorAK[:])
	if err != nil {
		return ckp, ikp, err
	}
	copy(ckp[:], out[:16])
	copy(ikp[:], out[16:])
	return ckp, ikp, nil
}

// Keys is the EAP-AKA' key schedule (RFC 9048 §3.3): K_encr (128 bits),
// K_aut (256), K_re (256), MSK (512), EMSK (512). It never prints its values.
type Keys struct {
	KEncr aka.Key128
	KAut  aka.Key256
	KRe   aka.Key256
	MSK   [64]byte
	EMSK  [64]byte
}

// String returns a redacted description.
func (Keys) String() string { return "eapaka.Keys{" + aka.Redacted + "}" }

// GoString returns a redacted description.
func (k Keys) GoString() string { return k.String() }

// Format prints the redacted description for every verb.
func (k Keys) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// LogValue keeps the keys out of slog output.
func (Keys) LogValue() slog.Value { return slog.StringValue(aka.Redacted) }

// KAUSF returns the 256 most significant bits of EMSK, which 5G uses as
// KAUSF after EAP-AKA' (TS 33.501 §6.1.3.1 step 11, Annex F).
func (k *Keys) KAUSF() aka.Key256 {
	var out aka.Key256
	copy(out[:], k.EMSK[:32])
	return out
}

// prfPrime is PRF'(K, S) of RFC 9048 §3.4: T1 = HMAC-SHA-256(K, S | 0x01),
// Tn = HMAC-SHA-256(K, Tn-1 | S | n), output T1 | T2 | ... truncated to n octets.
func prfPrime(key, s []byte, n int) []byte {
	out := make([]byte, 0, n+sha256.Size)
	mac := hmac.New(sha256.New, key)
	var t []byte
	for i := byte(1); len(out) < n; i++ {
		mac.Reset()
		mac.Write(t)
		mac.Write(s)
		mac.Write([]byte{i})
		t = mac.Sum(nil)
		out = append(out, t...)
	}
	return out[:n]
}

// DeriveKeys runs MK = PRF'(IK' | CK', "EAP-AKA'" | Identity) and splits MK
// into K_encr, K_aut, K_re, MSK and EMSK (RFC 9048 §3.3).
func DeriveKeys(ckp, ikp aka.Key128, identity string) Keys {
	key := make([]byte, 0, 32)
	key = append(append(key, ikp[:]...), ckp[:]...)
	s := append([]byte("EAP-AKA'"), identity...)
	mk := prfPrime(key, s, 16+32+32+64+64)
	var k Keys
	off := 0
	off += copy(k.KEncr[:], mk[off:])
	off += copy(k.KAut[:], mk[off:])
	off += copy(k.KRe[:], mk[off:])
	off += copy(k.MSK[:], mk[off:])
	copy(k.EMSK[:], mk[off:])
	clear(mk)
	return k
}

// Identity returns the Identity of the key derivation for a SUPI (TS 33.501
// Annex F.3): the IMSI digits for an IMSI SUPI, the NAI for a network
// specific identifier ("imsi-"/"nai-" prefixes stripped).
func Identity(supi string) (string, error) {
	return aka.SUPIForKDF(supi)
}

// computeMAC returns HMAC-SHA-256-128(K_aut, packet with the AT_MAC value
// zeroed) (RFC 9048 §3.3, RFC 4187 §10.15); macOff is the offset of the
// 16-octet MAC inside packet.
func computeMAC(kaut, packet []byte, macOff int) [MACLen]byte {
	mac := hmac.New(sha256.New, kaut)
	mac.Write(packet[:macOff])
	var zero [MACLen]byte
	mac.Write(zero[:])
	mac.Write(packet[macOff+MACLen:])
	var out [MACLen]byte
	copy(out[:], mac.Sum(nil))
	return out
}

// macOffset finds the offset of the AT_MAC value in an encoded EAP-AKA'
// packet (the 16 octets after the attribute header and reserved field).
func macOffset(b []byte) (int, error) {
	if len(b) < MethodLen || b[4] != TypeAKAPrime {
		return 0, ErrNotAKAPrime
	}
	n := int(b[2])<<8 | int(b[3])
	if n > len(b) || n < MethodLen {
		return 0, ErrMalformed
	}
	for off := MethodLen; off+2 <= n; {
		l := int(b[off+1]) * 4
		if l == 0 || off+l > n {
			return 0, ErrMalformed
		}
		if b[off] == ATMac {
			if l != 20 {
				return 0, fmt.Errorf("%w: AT_MAC of length %d", ErrMalformed, l)
			}
			return off + 4, nil
		}
		off += l
	}
	return 0, ErrNoMAC
}

// SetMAC computes AT_MAC over the encoded packet b (which must already
// carry an AT_MAC attribute) and writes it in place.
func SetMAC(b, kaut []byte) error {
	off, err := macOffset(b)
	if err != nil {
		return err
	}
	m := computeMAC(kaut, b[:int(b[2])<<8|int(b[3])], off)
	copy(b[off:], m[:])
	return nil
}

// VerifyMAC checks AT_MAC of the encoded packet b with K_aut, in constant time.
func VerifyMAC(b, kaut []byte) error {
	off, err := macOffset(b)
	if err != nil {
		return err
	}
	b = b[:int(b[2])<<8|int(b[3])]
	m := computeMAC(kaut, b, off)
	if subtle.ConstantTimeCompare(m[:], b[off:off+MACLen]) != 1 {
		return ErrBadMAC
	}
	return nil
}

func marshalWithMAC(p *Packet, kaut []byte) ([]byte, error) {
	b, err := p.Marshal()
	if err != nil {
		return nil, err
	}
	if err := SetMAC(b, kaut); err != nil {
		return nil, err
	}
	return b, nil
}

// BuildChallenge builds the EAP-Request/AKA'-Challenge of TS 33.501
// §6.1.3.1 step 5: AT_RAND, AT_AUTN, AT_KDF (1), AT_KDF_INPUT (the serving
// network name) and AT_MAC.
func BuildChallenge(id uint8, rand [RANDLen]byte, autn [AUTNLen]byte, networkName string, kaut []byte) ([]byte, error) {
	in, err := AttrKDFInput(networkName)
	if err != nil {
		return nil, err
	}
	p := &Packet{Code: CodeRequest, Identifier: id, Type: TypeAKAPrime, Subtype: SubtypeChallenge,
		Attributes: []Attribute{AttrRAND(rand), AttrAUTN(autn), AttrKDF(KDFAKAPrime), in, AttrMACZero()}}
	return marshalWithMAC(p, kaut)
}

// BuildChallengeResponse builds the peer's EAP-Response/AKA'-Challenge:
// AT_RES and AT_MAC (RFC 9048 §3, RFC 4187 §9.4).
func BuildChallengeResponse(id uint8, res, kaut []byte) ([]byte, error) {
	r, err := AttrRES(res)
	if err != nil {
		return nil, err
	}
	p := &Packet{Code: CodeResponse, Identifier: id, Type: TypeAKAPrime, Subtype: SubtypeChallenge,
		Attributes: []Attribute{r, AttrMACZero()}}
	return marshalWithMAC(p, kaut)
}

// BuildSyncFailure builds the peer's EAP-Response/AKA'-Synchronization-Failure
// carrying AT_AUTS and the AT_KDF it accepted (RFC 4187 §9.6, RFC 9048 §3.2).
func BuildSyncFailure(id uint8, auts [AUTSLen]byte) ([]byte, error) {
	p := &Packet{Code: CodeResponse, Identifier: id, Type: TypeAKAPrime, Subtype: SubtypeSyncFailure,
		Attributes: []Attribute{AttrAUTS(auts), AttrKDF(KDFAKAPrime)}}
	return p.Marshal()
}

// BuildAuthReject builds the peer's EAP-Response/AKA'-Authentication-Reject
// (RFC 4187 §9.5: the network failed AUTN verification).
func BuildAuthReject(id uint8) ([]byte, error) {
	p := &Packet{Code: CodeResponse, Identifier: id, Type: TypeAKAPrime, Subtype: SubtypeAuthReject}
	return p.Marshal()
}

// BuildClientError builds EAP-Response/AKA'-Client-Error (RFC 4187 §9.9).
func BuildClientError(id uint8, code uint16) ([]byte, error) {
	p := &Packet{Code: CodeResponse, Identifier: id, Type: TypeAKAPrime, Subtype: SubtypeClientError,
		Attributes: []Attribute{AttrClientErrorCode(code)}}
	return p.Marshal()
}

// BuildSuccess builds EAP-Success with identifier id.
func BuildSuccess(id uint8) []byte { return []byte{CodeSuccess, id, 0, HeaderLen} }

// BuildFailure builds EAP-Failure with identifier id.
func BuildFailure(id uint8) []byte { return []byte{CodeFailure, id, 0, HeaderLen} }
