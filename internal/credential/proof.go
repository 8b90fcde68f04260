package credential

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// ProofSize is the size of a proof of possession.
const ProofSize = sha256.Size

const (
	proofInfo  = "credbed credential proof v1"
	proofLabel = "credbed-pop-v1"
)

// Proof returns the proof of possession a TD computes after installing p and
// the network (which generated K and OPc) verifies before activating the
// subscription (3gpp.md §6.2 N4/N5):
//
//	kpop  = HKDF-SHA-256(ikm = K || OPc, salt = "", info = "credbed credential proof v1", 32)
//	proof = HMAC-SHA-256(kpop, "credbed-pop-v1" || len(SUPI) (2) || SUPI || Binding encoding)
//
// The provisioning device relays it but cannot forge it without K.
func (p Package) Proof() ([ProofSize]byte, error) {
	var out [ProofSize]byte
	bind, err := p.Binding.MarshalBinary()
	if err != nil {
		return out, err
	}
	ikm := make([]byte, 0, 2*KeySize)
	ikm = append(append(ikm, p.K[:]...), p.OPc[:]...)
	key, err := hkdf.Key(sha256.New, ikm, nil, proofInfo, 32)
	clear(ikm)
	if err != nil {
		return out, fmt.Errorf("credential: hkdf: %w", err)
	}
	defer clear(key)
	m := hmac.New(sha256.New, key)
	supi := p.SUPI.String()
	m.Write([]byte(proofLabel))
	m.Write(binary.BigEndian.AppendUint16(nil, uint16(len(supi))))
	m.Write([]byte(supi))
	m.Write(bind)
	copy(out[:], m.Sum(nil))
	return out, nil
}

// VerifyProof reports, in constant time, whether proof is p's proof of
// possession.
func VerifyProof(p Package, proof []byte) bool {
	want, err := p.Proof()
	if err != nil {
		return false
	}
	return hmac.Equal(want[:], proof)
}
