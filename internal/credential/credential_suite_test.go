package credential_test

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
)

func TestCredential(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "credential")
}

// seededRand returns a deterministic randomness source for the spec; the
// seed is Ginkgo's printed random seed plus salt.
func seededRand(salt uint64) *rand.ChaCha8 {
	var s [32]byte
	binary.BigEndian.PutUint64(s[:], uint64(GinkgoRandomSeed()))
	binary.BigEndian.PutUint64(s[8:], salt)
	return rand.NewChaCha8(s)
}

func samplePackage() credential.Package {
	return credential.Package{
		SUPI: ident.SUPI{Type: ident.SUPITypeIMSI, Value: "001010000000042"},
		K:    [16]byte{0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f, 0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc},
		OPc:  [16]byte{0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e, 0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf},
		AMF:  credential.DefaultAMF(),
		SQN:  0x20,
		HNKeys: []credential.HNKey{
			{Scheme: credential.SchemeNull, ID: 0},
			{Scheme: credential.SchemeProfileA, ID: 1, Public: make32(0x5a)},
		},
		RoutingIndicator: "0000",
		PLMN:             ident.PLMN{MCC: "001", MNC: "01"},
		Binding: credential.Binding{
			TargetID: "td-0001",
			PDID:     "imsi-001010000000001",
			Counter:  7,
			Nonce:    []byte{1, 2, 3, 4},
			Expiry:   time.Unix(1893456000, 0).UTC(),
		},
	}
}

func make32(b byte) []byte {
	out := make([]byte, 32)
	for i := range out {
		out[i] = b + byte(i)
	}
	return out
}

// newTestRand is a fixed-seed source for fuzz seeds (outside Ginkgo).
func newTestRand(salt uint64) *rand.ChaCha8 {
	var s [32]byte
	binary.BigEndian.PutUint64(s[:], salt)
	return rand.NewChaCha8(s)
}
