package credential_test

import (
	"bytes"
	"crypto/ecdh"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/credential"
)

var _ = Describe("Seal and Open", func() {
	var (
		td, other credential.Identity
		pkg       credential.Package
		aad       []byte
		blob      []byte
	)

	BeforeEach(func() {
		rnd := seededRand(1)
		var err error
		td, err = credential.NewIdentity(rnd, "td-0001")
		Expect(err).NotTo(HaveOccurred())
		other, err = credential.NewIdentity(rnd, "td-0002")
		Expect(err).NotTo(HaveOccurred())
		pkg = samplePackage()
		aad = credential.SealAAD(td.DeviceID, td.Bootstrap().Hash())
		blob, err = credential.Seal(rnd, td.Bootstrap().Key, aad, pkg)
		Expect(err).NotTo(HaveOccurred())
	})

	// Reference: DESIGN step 5 (the network seals the credential so the PD cannot read K); R1.
	It("round-trips to the holder of the bootstrap private key", func() {
		got, err := credential.Open(td.Key, aad, blob)
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Equal(pkg)).To(BeTrue())
		enc, _ := pkg.MarshalBinary()
		Expect(blob).To(HaveLen(len(enc) + credential.SealOverhead))
	})

	// Reference: TS 33.501 §5.2.4 (K never in clear); 3gpp.md §6.1 D1.
	It("never shows K or OPc in the blob", func() {
		Expect(bytes.Contains(blob, pkg.K[:])).To(BeFalse())
		Expect(bytes.Contains(blob, pkg.OPc[:])).To(BeFalse())
		Expect(bytes.Contains(blob, []byte(pkg.SUPI.String()))).To(BeFalse())
	})

	// Reference: 3gpp.md §6.1 D7 (tampering: AEAD failure, nothing installed).
	It("detects a flipped bit in every byte of every region", func() {
		regions := []struct {
			name     string
			from, to int
			want     error
		}{
			{"version", 0, 1, credential.ErrMalformed},
			{"suite", 1, 2, credential.ErrMalformed},
			{"recipient key id", 2, 10, credential.ErrWrongKey},
			{"ephemeral key", 10, 75, nil}, // ErrMalformed (not a point) or ErrTampered
			{"ciphertext and tag", 75, len(blob), credential.ErrTampered},
		}
		rnd := seededRand(2)
		for _, r := range regions {
			for i := r.from; i < r.to; i++ {
				bad := bytes.Clone(blob)
				bad[i] ^= 1 << (rnd.Uint64() % 8)
				got, err := credential.Open(td.Key, aad, bad)
				Expect(err).To(HaveOccurred(), "%s byte %d", r.name, i)
				Expect(got.Equal(credential.Package{})).To(BeTrue())
				if r.want != nil {
					Expect(err).To(MatchError(r.want), "%s byte %d", r.name, i)
				} else {
					Expect(errorsIsAny(err, credential.ErrMalformed, credential.ErrTampered)).To(BeTrue(), "%s byte %d: %v", r.name, i, err)
				}
			}
		}
		_, err := credential.Open(td.Key, aad, blob[:len(blob)-1])
		Expect(err).To(MatchError(credential.ErrTampered))
		_, err = credential.Open(td.Key, aad, append(bytes.Clone(blob), 0))
		Expect(err).To(MatchError(credential.ErrTampered))
		_, err = credential.Open(td.Key, aad, blob[:credential.SealOverhead-1])
		Expect(err).To(MatchError(credential.ErrMalformed))
	})

	// Reference: 3gpp.md §6.1 D4 (only the TD's bootstrap key opens its credential).
	It("rejects another device's key", func() {
		_, err := credential.Open(other.Key, aad, blob)
		Expect(err).To(MatchError(credential.ErrWrongKey))
	})

	// Reference: 3gpp.md §5.4 item 3 (binding to {targetId}); §6.1 D9.
	It("rejects other associated data", func() {
		for _, bad := range [][]byte{
			credential.SealAAD("td-0002", td.Bootstrap().Hash()),
			credential.SealAAD(td.DeviceID, other.Bootstrap().Hash()),
			nil,
		} {
			_, err := credential.Open(td.Key, bad, blob)
			Expect(err).To(MatchError(credential.ErrTampered))
		}
	})

	It("refuses keys of other curves and invalid packages", func() {
		x, err := ecdh.X25519().GenerateKey(seededRand(3))
		Expect(err).NotTo(HaveOccurred())
		_, err = credential.Seal(seededRand(4), x.PublicKey(), aad, pkg)
		Expect(err).To(MatchError(credential.ErrBadKey))
		_, err = credential.Open(x, aad, blob)
		Expect(err).To(MatchError(credential.ErrBadKey))
		bad := pkg
		bad.K = [16]byte{}
		_, err = credential.Seal(seededRand(4), td.Bootstrap().Key, aad, bad)
		Expect(err).To(MatchError(credential.ErrInvalid))
	})

	// Reference: common rules (secrets never in String/logs).
	It("redacts K and OPc in every rendering", func() {
		var sb strings.Builder
		slog.New(slog.NewTextHandler(&sb, nil)).Info("pkg", "p", pkg)
		js, err := json.Marshal(struct{ P credential.Package }{pkg})
		Expect(err).NotTo(HaveOccurred())
		for _, s := range []string{string(js),
			pkg.String(), fmt.Sprint(pkg), fmt.Sprintf("%+v", pkg), fmt.Sprintf("%#v", pkg),
			fmt.Sprintf("%x", pkg), fmt.Sprintf("%v", &pkg), sb.String(),
		} {
			Expect(s).To(ContainSubstring("[redacted]"))
			Expect(strings.ToLower(s)).NotTo(ContainSubstring(fmt.Sprintf("%x", pkg.K[:4])))
			Expect(strings.ToLower(s)).NotTo(ContainSubstring(fmt.Sprintf("%x", pkg.OPc[:4])))
		}
		Expect(pkg.String()).To(ContainSubstring("imsi-001010000000042"))
		priv := fmt.Sprintf("%x", td.Key.Bytes()[:4])
		for _, s := range []string{fmt.Sprint(td), fmt.Sprintf("%+v", td), fmt.Sprintf("%#v", td), fmt.Sprintf("%x", td)} {
			Expect(s).To(ContainSubstring("[redacted]"))
			Expect(s).NotTo(ContainSubstring(priv))
		}
	})
})

var _ = Describe("Proof of possession", func() {
	// Reference: 3gpp.md §6.2 N4 (a proof-of-possession check at the PF catches a mismatch).
	It("verifies with the same credential only", func() {
		pkg := samplePackage()
		proof, err := pkg.Proof()
		Expect(err).NotTo(HaveOccurred())
		Expect(credential.VerifyProof(pkg, proof[:])).To(BeTrue())
		other := pkg.Clone()
		other.K[0] ^= 1
		Expect(credential.VerifyProof(other, proof[:])).To(BeFalse())
		other = pkg.Clone()
		other.Binding.Counter++
		Expect(credential.VerifyProof(other, proof[:])).To(BeFalse())
		Expect(credential.VerifyProof(pkg, proof[:31])).To(BeFalse())
	})
})

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errorsIs(err, t) {
			return true
		}
	}
	return false
}
