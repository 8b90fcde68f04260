package aka

import (
	"crypto/aes"
	"crypto/subtle"
	"errors"
	"fmt"

	"github.com/free5gc/util/milenage"
)

// Field lengths (TS 33.102 §6.3.2, TS 35.206).
const (
	KLen    = 16
	OPLen   = 16
	RANDLen = 16
	AUTNLen = 16
	AUTSLen = 14
	MACLen  = 8
	RESLen  = 8 // MILENAGE f2 output
	AKLen   = 6
)

// AMF5G is an AMF field with the separation bit ("bit 0", the most
// significant bit) set to 1, as TS 33.501 §6.1.3.2 requires for 5G vectors.
var AMF5G = [2]byte{0x80, 0x00}

// amfResync is AMF* = 0x0000, the dummy AMF used for MAC-S (TS 33.102 §6.3.3).
var amfResync = [2]byte{}

// SeparationBit reports whether the AMF separation bit (bit 0 = MSB) is 1.
func SeparationBit(amf [2]byte) bool { return amf[0]&0x80 != 0 }

// OPc derives OPc = OP ⊕ E_K(OP) (TS 35.206 §4.1).
func OPc(k, op []byte) (Key128, error) {
	if err := checkLen("K", k, KLen); err != nil {
		return Key128{}, err
	}
	if err := checkLen("OP", op, OPLen); err != nil {
		return Key128{}, err
	}
	opc, err := milenage.GenerateOPc(k, op)
	if err != nil {
		return Key128{}, fmt.Errorf("%w: OPc derivation failed", ErrInvalidInput)
	}
	return Key128From(opc)
}

// Vector is one UMTS/5G authentication vector built by the ARPF
// (TS 33.102 §6.3.2): AUTN = SQN ⊕ AK || AMF || MAC-A.
type Vector struct {
	RAND [RANDLen]byte
	AUTN [AUTNLen]byte
	XRES [RESLen]byte // f2
	CK   Key128       // f3
	IK   Key128       // f4
	AK   [AKLen]byte  // f5
	MACA [MACLen]byte // f1
	SQN  SQN
	AMF  [2]byte
}

// SQNxorAK returns the first six octets of AUTN (input to KAUSF, TS 33.501 A.2).
func (v *Vector) SQNxorAK() [AKLen]byte { return [AKLen]byte(v.AUTN[:AKLen]) }

// GenerateVector computes MILENAGE f1..f5 for (K, OPc, RAND, SQN, AMF) and
// assembles AUTN (TS 33.102 §6.3.2). It does not require the separation bit:
// pass AMF5G for 5G (TS 33.501 §6.1.3.2); other values let tests and attackers
// build non-5G vectors.
func GenerateVector(k, opc, rand []byte, sqn SQN, amf [2]byte) (Vector, error) {
	if err := checkKOPcRAND(k, opc, rand); err != nil {
		return Vector{}, err
	}
	if sqn > MaxSQN {
		return Vector{}, fmt.Errorf("%w: SQN exceeds 48 bits", ErrInvalidInput)
	}
	sq := sqn.Bytes()
	ik, ck, xres, autn, err := milenage.GenerateAKAParameters(opc, k, rand, sq[:], amf[:])
	if err != nil {
		return Vector{}, fmt.Errorf("%w: MILENAGE failed", ErrInvalidInput)
	}
	v := Vector{SQN: sqn, AMF: amf}
	copy(v.RAND[:], rand)
	copy(v.AUTN[:], autn)
	copy(v.XRES[:], xres)
	copy(v.CK[:], ck)
	copy(v.IK[:], ik)
	copy(v.MACA[:], autn[8:16])
	for i := range AKLen {
		v.AK[i] = autn[i] ^ sq[i]
	}
	return v, nil
}

// Result is what the USIM/ME learns from a verified AUTN.
type Result struct {
	SQN  SQN
	AMF  [2]byte
	RES  [RESLen]byte // f2
	CK   Key128       // f3
	IK   Key128       // f4
	AK   [AKLen]byte  // f5
	MACA [MACLen]byte
}

// CheckAUTN is the USIM/ME side of TS 33.102 §6.3.3 and TS 33.501 §6.1.3.2
// step 7: it recovers SQN with f5, verifies MAC-A (else ErrMACFailure) and
// then the AMF separation bit (else ErrAMFSeparation, with the Result filled
// since the MAC was valid). SQN freshness is the caller's SQNArray.Check.
func CheckAUTN(k, opc, rand, autn []byte) (Result, error) {
	if err := checkKOPcRAND(k, opc, rand); err != nil {
		return Result{}, err
	}
	if err := checkLen("AUTN", autn, AUTNLen); err != nil {
		return Result{}, err
	}
	sqnb, ak, ik, ck, res, err := milenage.GenerateKeysWithAUTN(opc, k, rand, autn)
	if err != nil {
		var mf *milenage.MACFailureError
		if errors.As(err, &mf) {
			return Result{}, ErrMACFailure
		}
		return Result{}, fmt.Errorf("%w: MILENAGE failed", ErrInvalidInput)
	}
	sqn, err := SQNFromBytes(sqnb)
	if err != nil {
		return Result{}, err
	}
	r := Result{SQN: sqn, AMF: [2]byte(autn[6:8])}
	copy(r.RES[:], res)
	copy(r.CK[:], ck)
	copy(r.IK[:], ik)
	copy(r.AK[:], ak)
	copy(r.MACA[:], autn[8:16])
	if !SeparationBit(r.AMF) {
		return r, ErrAMFSeparation
	}
	return r, nil
}

// BuildAUTS builds the re-synchronisation token of TS 33.102 §6.3.3:
// AUTS = (SQN_MS ⊕ AK*) || MAC-S, MAC-S = f1*(K, SQN_MS, RAND, AMF* = 0x0000).
func BuildAUTS(k, opc, rand []byte, sqnMS SQN) ([AUTSLen]byte, error) {
	var out [AUTSLen]byte
	if err := checkKOPcRAND(k, opc, rand); err != nil {
		return out, err
	}
	if sqnMS > MaxSQN {
		return out, fmt.Errorf("%w: SQN exceeds 48 bits", ErrInvalidInput)
	}
	sq := sqnMS.Bytes()
	auts, err := milenage.GenerateAUTS(opc, k, rand, sq[:])
	if err != nil || len(auts) != AUTSLen {
		return out, fmt.Errorf("%w: MILENAGE failed", ErrInvalidInput)
	}
	copy(out[:], auts)
	return out, nil
}

// CheckAUTS is the home network side of TS 33.102 §6.3.5: it recovers SQN_MS
// with f5* and verifies MAC-S (else ErrAUTSMACFailure). On success the caller
// sets SQN_HE with ResyncSQN.
func CheckAUTS(k, opc, rand, auts []byte) (SQN, error) {
	if err := checkKOPcRAND(k, opc, rand); err != nil {
		return 0, err
	}
	if err := checkLen("AUTS", auts, AUTSLen); err != nil {
		return 0, err
	}
	sqnb, err := milenage.ValidateAUTS(opc, k, rand, auts)
	if err != nil {
		var mf *milenage.MACFailureError
		if errors.As(err, &mf) {
			return 0, ErrAUTSMACFailure
		}
		return 0, fmt.Errorf("%w: MILENAGE failed", ErrInvalidInput)
	}
	return SQNFromBytes(sqnb)
}

// Outputs holds every MILENAGE function value for one input set
// (TS 35.206 §4.1), as the conformance test data of TS 35.208 lists them.
type Outputs struct {
	MACA   [MACLen]byte // f1
	MACS   [MACLen]byte // f1*
	RES    [RESLen]byte // f2
	CK     Key128       // f3
	IK     Key128       // f4
	AK     [AKLen]byte  // f5
	AKStar [AKLen]byte  // f5*
}

// Milenage computes f1, f1*, f2, f3, f4, f5 and f5* for the given AMF.
// f1, f2-f5 and f5* come from free5gc/util/milenage; f1* with an arbitrary AMF
// is not exported by that library (it fixes AMF* = 0x0000 for AUTS), so OUT1 of
// TS 35.206 §4.1 is computed here and its MAC-A half is checked against the
// library's f1 on every call.
func Milenage(k, opc, rand []byte, sqn SQN, amf [2]byte) (Outputs, error) {
	v, err := GenerateVector(k, opc, rand, sqn, amf)
	if err != nil {
		return Outputs{}, err
	}
	o := Outputs{MACA: v.MACA, RES: v.XRES, CK: v.CK, IK: v.IK, AK: v.AK}
	sq := sqn.Bytes()
	auts, err := milenage.GenerateAUTS(opc, k, rand, sq[:])
	if err != nil || len(auts) != AUTSLen {
		return Outputs{}, fmt.Errorf("%w: MILENAGE failed", ErrInvalidInput)
	}
	for i := range AKLen {
		o.AKStar[i] = auts[i] ^ sq[i]
	}
	out1, err := milenageOUT1(k, opc, rand, sq, amf)
	if err != nil {
		return Outputs{}, err
	}
	if subtle.ConstantTimeCompare(out1[:MACLen], o.MACA[:]) != 1 {
		return Outputs{}, fmt.Errorf("%w: internal f1 mismatch", ErrInvalidInput)
	}
	copy(o.MACS[:], out1[MACLen:])
	return o, nil
}

// milenageOUT1 computes OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc with
// TEMP = E_K(RAND ⊕ OPc), IN1 = SQN || AMF || SQN || AMF, r1 = 64, c1 = 0
// (TS 35.206 §4.1). f1 = OUT1[0..63], f1* = OUT1[64..127].
func milenageOUT1(k, opc, rand []byte, sqn [SQNLen]byte, amf [2]byte) ([16]byte, error) {
	var out [16]byte
	block, err := aes.NewCipher(k)
	if err != nil {
		return out, fmt.Errorf("%w: bad K", ErrInvalidInput)
	}
	var temp, in1 [16]byte
	for i := range 16 {
		temp[i] = rand[i] ^ opc[i]
	}
	block.Encrypt(temp[:], temp[:])
	copy(in1[0:6], sqn[:])
	copy(in1[6:8], amf[:])
	copy(in1[8:14], sqn[:])
	copy(in1[14:16], amf[:])
	for i := range 16 {
		j := (i + 8) % 16 // rotate left by r1 = 64 bits
		out[i] = temp[i] ^ in1[j] ^ opc[j]
	}
	block.Encrypt(out[:], out[:])
	for i := range 16 {
		out[i] ^= opc[i]
	}
	return out, nil
}

func checkKOPcRAND(k, opc, rand []byte) error {
	if err := checkLen("K", k, KLen); err != nil {
		return err
	}
	if err := checkLen("OPc", opc, OPLen); err != nil {
		return err
	}
	return checkLen("RAND", rand, RANDLen)
}

func checkLen(name string, b []byte, n int) error {
	if len(b) != n {
		return fmt.Errorf("%w: %s must be %d octets, got %d", ErrInvalidInput, name, n, len(b))
	}
	return nil
}
