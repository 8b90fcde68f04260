package aka

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
)

// FC values of the KDF input strings (TS 33.501 A.1.2 / Annex A, TS 33.535 A.1.2).
const (
	FCKAUSF        byte = 0x6A // TS 33.501 A.2
	FCRESStar      byte = 0x6B // TS 33.501 A.4
	FCKSEAF        byte = 0x6C // TS 33.501 A.6
	FCKAMF         byte = 0x6D // TS 33.501 A.7
	FCAlgorithmKey byte = 0x69 // TS 33.501 A.8
	FCKgNB         byte = 0x6E // TS 33.501 A.9
	FCKAKMA        byte = 0x80 // TS 33.535 A.2
	FCATID         byte = 0x81 // TS 33.535 A.3
	FCKAF          byte = 0x82 // TS 33.535 A.4
)

// AlgType is the algorithm type distinguisher of TS 33.501 A.8 (Table A.8-1).
type AlgType uint8

// Algorithm type distinguishers.
const (
	NNASEncAlg AlgType = 0x01
	NNASIntAlg AlgType = 0x02
	NRRCEncAlg AlgType = 0x03
	NRRCIntAlg AlgType = 0x04
	NUPEncAlg  AlgType = 0x05
	NUPIntAlg  AlgType = 0x06
)

// AccessType is the access type distinguisher of TS 33.501 A.9 (Table A.9-1).
type AccessType uint8

// Access type distinguishers.
const (
	Access3GPP    AccessType = 0x01
	AccessNon3GPP AccessType = 0x02
)

// KDF is the generic key derivation function of TS 33.220 Annex B.2:
// HMAC-SHA-256(key, FC || P0 || L0 || ... || Pn || Ln), Li the 2-octet
// big-endian length of Pi. Strings are passed as their UTF-8 bytes.
func KDF(key []byte, fc byte, params ...[]byte) ([32]byte, error) {
	var out [32]byte
	mac := hmac.New(sha256.New, key)
	var hdr [2]byte
	hdr[0] = fc
	mac.Write(hdr[:1])
	for i, p := range params {
		if len(p) > 0xFFFF {
			return out, fmt.Errorf("%w: KDF parameter P%d longer than 65535 octets", ErrInvalidInput, i)
		}
		mac.Write(p)
		binary.BigEndian.PutUint16(hdr[:], uint16(len(p)))
		mac.Write(hdr[:])
	}
	mac.Sum(out[:0])
	return out, nil
}

func kdf256(key []byte, fc byte, params ...[]byte) (Key256, error) {
	out, err := KDF(key, fc, params...)
	return Key256(out), err
}

func ckik(ck, ik Key128) []byte {
	k := make([]byte, 0, 32)
	k = append(k, ck[:]...)
	return append(k, ik[:]...)
}

func checkSNN(snn string) error {
	if snn == "" {
		return fmt.Errorf("%w: empty serving network name", ErrInvalidInput)
	}
	return nil
}

// KAUSF derives KAUSF from CK || IK (TS 33.501 A.2): FC 0x6A, P0 = serving
// network name, P1 = SQN ⊕ AK.
func KAUSF(ck, ik Key128, snn string, sqnXorAK [AKLen]byte) (Key256, error) {
	if err := checkSNN(snn); err != nil {
		return Key256{}, err
	}
	return kdf256(ckik(ck, ik), FCKAUSF, []byte(snn), sqnXorAK[:])
}

// RESStar derives RES* (UE) or XRES* (home network) (TS 33.501 A.4): FC 0x6B,
// P0 = SNN, P1 = RAND, P2 = RES or XRES; the 128 least significant bits.
func RESStar(ck, ik Key128, snn string, rand [RANDLen]byte, res []byte) ([16]byte, error) {
	var out [16]byte
	if err := checkSNN(snn); err != nil {
		return out, err
	}
	if len(res) < 4 || len(res) > 16 {
		return out, fmt.Errorf("%w: RES must be 4..16 octets, got %d", ErrInvalidInput, len(res))
	}
	full, err := KDF(ckik(ck, ik), FCRESStar, []byte(snn), rand[:], res)
	if err != nil {
		return out, err
	}
	copy(out[:], full[16:])
	return out, nil
}

// HRESStar derives HRES* (SEAF) or HXRES* (AUSF) (TS 33.501 A.5): the 128
// least significant bits of SHA-256(RAND || RES*).
func HRESStar(rand [RANDLen]byte, resStar [16]byte) [16]byte {
	h := sha256.New()
	h.Write(rand[:])
	h.Write(resStar[:])
	var sum [32]byte
	h.Sum(sum[:0])
	return [16]byte(sum[16:])
}

// KSEAF derives KSEAF from KAUSF (TS 33.501 A.6): FC 0x6C, P0 = SNN.
func KSEAF(kausf Key256, snn string) (Key256, error) {
	if err := checkSNN(snn); err != nil {
		return Key256{}, err
	}
	return kdf256(kausf[:], FCKSEAF, []byte(snn))
}

// SUPIForKDF returns the SUPI as TS 33.501 A.7.0 puts it into KDFs (and TS
// 33.535 A.2/A.3 reuse it): the IMSI digits without the "imsi-" prefix, or the
// NAI / GCI / GLI value without its "nai-"/"gci-"/"gli-" prefix (TS 29.571
// SUPI string form). A bare value is taken as is.
func SUPIForKDF(supi string) (string, error) {
	v := supi
	for _, p := range [...]string{"imsi-", "nai-", "gci-", "gli-"} {
		if strings.HasPrefix(supi, p) {
			v = supi[len(p):]
			if p == "imsi-" {
				if len(v) < 5 || len(v) > 15 || strings.TrimLeft(v, "0123456789") != "" {
					return "", fmt.Errorf("%w: IMSI SUPI must be 5..15 digits", ErrInvalidInput)
				}
			}
			break
		}
	}
	if v == "" {
		return "", fmt.Errorf("%w: empty SUPI", ErrInvalidInput)
	}
	return v, nil
}

// ABBAInitial is the ABBA value "initial set of security features defined for
// 5GS" (TS 33.501 A.7.1, Table A.7.1-1).
var ABBAInitial = []byte{0x00, 0x00}

// KAMF derives KAMF from KSEAF (TS 33.501 A.7): FC 0x6D, P0 = SUPI (see
// SUPIForKDF; "imsi-" prefixes are stripped), P1 = ABBA (at least 2 octets).
func KAMF(kseaf Key256, supi string, abba []byte) (Key256, error) {
	v, err := SUPIForKDF(supi)
	if err != nil {
		return Key256{}, err
	}
	if len(abba) < 2 {
		return Key256{}, fmt.Errorf("%w: ABBA must be at least 2 octets", ErrInvalidInput)
	}
	return kdf256(kseaf[:], FCKAMF, []byte(v), abba)
}

// AlgorithmKey derives an algorithm key (TS 33.501 A.8): FC 0x69, P0 =
// algorithm type distinguisher, P1 = algorithm identity (4 LSBs); the 128
// least significant bits of the output. Input key KAMF (NAS) or KgNB (AS).
func AlgorithmKey(key Key256, typ AlgType, algID uint8) (Key128, error) {
	if algID > 0x0F {
		return Key128{}, fmt.Errorf("%w: algorithm identity %d exceeds 4 bits", ErrInvalidInput, algID)
	}
	full, err := KDF(key[:], FCAlgorithmKey, []byte{byte(typ)}, []byte{algID})
	if err != nil {
		return Key128{}, err
	}
	return Key128(full[16:]), nil
}

// NASKeys derives KNASenc (N-NAS-enc-alg, encAlg) and KNASint (N-NAS-int-alg,
// intAlg) from KAMF (TS 33.501 A.8).
func NASKeys(kamf Key256, encAlg, intAlg uint8) (kEnc, kInt Key128, err error) {
	if kEnc, err = AlgorithmKey(kamf, NNASEncAlg, encAlg); err != nil {
		return Key128{}, Key128{}, err
	}
	if kInt, err = AlgorithmKey(kamf, NNASIntAlg, intAlg); err != nil {
		return Key128{}, Key128{}, err
	}
	return kEnc, kInt, nil
}

// KgNB derives KgNB (3GPP access) or KN3IWF (non-3GPP) from KAMF (TS 33.501
// A.9): FC 0x6E, P0 = uplink NAS COUNT (4 octets), P1 = access type distinguisher.
func KgNB(kamf Key256, ulNASCount uint32, access AccessType) (Key256, error) {
	var c [4]byte
	binary.BigEndian.PutUint32(c[:], ulNASCount)
	return kdf256(kamf[:], FCKgNB, c[:], []byte{byte(access)})
}

// HEAV is the 5G home environment authentication vector the UDM/ARPF returns
// to the AUSF (TS 33.501 §6.1.3.2 step 2): RAND, AUTN, XRES*, KAUSF.
type HEAV struct {
	RAND     [RANDLen]byte
	AUTN     [AUTNLen]byte
	XRESStar [16]byte
	KAUSF    Key256
}

// HEAV derives XRES* (A.4) and KAUSF (A.2) for snn from the vector. It refuses
// a vector whose AMF separation bit is 0 (TS 33.501 §6.1.3.2 step 1).
func (v *Vector) HEAV(snn string) (HEAV, error) {
	if !SeparationBit(v.AMF) {
		return HEAV{}, ErrAMFSeparation
	}
	x, err := RESStar(v.CK, v.IK, snn, v.RAND, v.XRES[:])
	if err != nil {
		return HEAV{}, err
	}
	k, err := KAUSF(v.CK, v.IK, snn, v.SQNxorAK())
	if err != nil {
		return HEAV{}, err
	}
	return HEAV{RAND: v.RAND, AUTN: v.AUTN, XRESStar: x, KAUSF: k}, nil
}

// HXRESStar returns HXRES* for the SE AV the AUSF gives the SEAF (A.5).
func (h *HEAV) HXRESStar() [16]byte { return HRESStar(h.RAND, h.XRESStar) }

// ChainInput is everything one side needs to run the whole 5G AKA key chain.
type ChainInput struct {
	CK, IK   Key128
	RAND     [RANDLen]byte
	RES      []byte      // RES (UE) or XRES (network)
	SQNxorAK [AKLen]byte // AUTN[0:6]
	SNN      string      // serving network name, "5G:mnc<MNC>.mcc<MCC>.3gppnetwork.org"
	SUPI     string      // IMSI digits or "imsi-..." (see SUPIForKDF)
	ABBA     []byte      // nil means ABBAInitial
	EncAlg   uint8       // selected NEA (0..3)
	IntAlg   uint8       // selected NIA (0..3)
}

// Chain is the full key hierarchy of one successful 5G AKA (TS 33.501 §6.1.3.2, Annex A).
type Chain struct {
	RESStar  [16]byte // RES* (UE) / XRES* (network), A.4
	HRESStar [16]byte // HRES* / HXRES*, A.5
	KAUSF    Key256   // A.2
	KSEAF    Key256   // A.6
	KAMF     Key256   // A.7
	KNASEnc  Key128   // A.8
	KNASInt  Key128   // A.8
}

// DeriveChain runs RES*, HRES*, KAUSF, KSEAF, KAMF and the NAS keys in one go.
// The UE uses it after CheckAUTN; tests and benchmarks use it for the whole chain.
func DeriveChain(in ChainInput) (Chain, error) {
	var c Chain
	var err error
	if c.RESStar, err = RESStar(in.CK, in.IK, in.SNN, in.RAND, in.RES); err != nil {
		return Chain{}, err
	}
	c.HRESStar = HRESStar(in.RAND, c.RESStar)
	if c.KAUSF, err = KAUSF(in.CK, in.IK, in.SNN, in.SQNxorAK); err != nil {
		return Chain{}, err
	}
	if c.KSEAF, err = KSEAF(c.KAUSF, in.SNN); err != nil {
		return Chain{}, err
	}
	abba := in.ABBA
	if abba == nil {
		abba = ABBAInitial
	}
	if c.KAMF, err = KAMF(c.KSEAF, in.SUPI, abba); err != nil {
		return Chain{}, err
	}
	if c.KNASEnc, c.KNASInt, err = NASKeys(c.KAMF, in.EncAlg, in.IntAlg); err != nil {
		return Chain{}, err
	}
	return c, nil
}
