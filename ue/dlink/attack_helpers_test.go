package dlink_test

import (
	"crypto/ecdh"

	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/ue/dlink"
)

func mustDecode(b []byte) dlink.Frame {
	f, err := dlink.Decode(b)
	Expect(err).NotTo(HaveOccurred())
	return f
}

func mustMarshal(f dlink.Frame) []byte {
	b, err := dlink.Marshal(f)
	Expect(err).NotTo(HaveOccurred())
	return b
}

// eavesdropBaseline is the passive attacker on a baseline link: it decodes
// every captured frame and returns the credential it finds.
func eavesdropBaseline(tap []captured) *credential.Package {
	for _, c := range tap {
		fr, err := dlink.Decode(c.frame)
		if err != nil {
			continue
		}
		if pc, ok := fr.(dlink.PlainCredential); ok {
			p, err := credential.ParsePackage(pc.Package)
			if err == nil {
				return &p
			}
		}
	}
	return nil
}

// forgeAuthResponse is the best an active relay without b_R can answer: its
// own P_R, a correct k2, a guessed I-nonce and an R-auth under a guessed ke.
func forgeAuthResponse(f *fixture, req dlink.AuthRequest, rHash [dlink.HashSize]byte) []byte {
	pA, err := credential.GenerateKey(f.rnd)
	Expect(err).NotTo(HaveOccurred())
	pI, err := ecdh.P256().NewPublicKey(req.IProtoKey)
	Expect(err).NotTo(HaveOccurred())
	nx, err := pA.ECDH(pI)
	Expect(err).NotTo(HaveOccurred())
	k2, err := dlink.DeriveK2(nx)
	Expect(err).NotTo(HaveOccurred())
	guessM, err := pA.ECDH(f.td.Bootstrap().Key)
	Expect(err).NotTo(HaveOccurred())
	iNonce, rNonce := make([]byte, dlink.NonceSize), make([]byte, dlink.NonceSize)
	ke, err := dlink.DeriveKe(iNonce, rNonce, guessM, nx, nil)
	Expect(err).NotTo(HaveOccurred())
	rcaps := dlink.DefaultCapabilities(dlink.RoleEnrollee)
	ra := dlink.RAuth(iNonce, rNonce, pI, pA.PublicKey(), f.td.Bootstrap().Key, nil, dlink.CapsTranscript(req.ICaps, rcaps))
	resp := dlink.AuthResponse{TxID: req.TxID, Status: dlink.StatusOK, RHash: rHash, RProtoKey: pA.PublicKey().Bytes(), RCaps: rcaps}
	inner, err := dlink.Wrap(ke, dlink.CipherAES256GCM, dlink.TypeAuthResponse, 1, dlink.WrapAAD(dlink.Raw{Header: dlink.Header{Type: dlink.TypeAuthResponse, TxID: req.TxID}}),
		[]dlink.Attr{{ID: dlink.AttrRAuth, Value: ra[:]}})
	Expect(err).NotTo(HaveOccurred())
	resp.Wrapped, err = dlink.Wrap(k2, dlink.CipherAES256GCM, dlink.TypeAuthResponse, 0, dlink.WrapAAD(resp),
		[]dlink.Attr{{ID: dlink.AttrRNonce, Value: rNonce}, {ID: dlink.AttrINonce, Value: iNonce}, {ID: dlink.AttrWrappedData, Value: inner}})
	Expect(err).NotTo(HaveOccurred())
	return mustMarshal(resp)
}
