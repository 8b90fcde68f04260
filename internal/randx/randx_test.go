package randx_test

import (
	"bytes"
	"errors"
	"io"
	mrand "math/rand/v2"
	"regexp"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/randx"
)

// seeded returns a reader of reproducible octets from the printed seed.
func seeded() io.Reader {
	var seed [32]byte
	seed[0] = byte(GinkgoRandomSeed())
	seed[1] = byte(GinkgoRandomSeed() >> 8)
	return mrand.NewChaCha8(seed)
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

var _ = Describe("Source", func() {
	It("gives the same octets for the same injected seed when calls are sequential", func() {
		for _, stripes := range []int{1, 16} {
			a, err := randx.New(seeded(), stripes)
			Expect(err).NotTo(HaveOccurred())
			b, err := randx.New(seeded(), stripes)
			Expect(err).NotTo(HaveOccurred())
			for range 40 {
				pa, pb := make([]byte, 33), make([]byte, 33)
				Expect(a.Read(pa)).To(Equal(33))
				Expect(b.Read(pb)).To(Equal(33))
				Expect(pa).To(Equal(pb))
			}
			Expect(a.UUID()).To(Equal(b.UUID()))
		}
	})

	It("treats a stripe count below one as one", func() {
		s, err := randx.New(seeded(), 0)
		Expect(err).NotTo(HaveOccurred())
		p := make([]byte, 8)
		Expect(s.Read(p)).To(Equal(8))
	})

	It("uses crypto/rand when nothing is injected", func() {
		s, err := randx.New(nil, 4)
		Expect(err).NotTo(HaveOccurred())
		a, b := make([]byte, 32), make([]byte, 32)
		Expect(s.Read(a)).To(Equal(32))
		Expect(s.Read(b)).To(Equal(32))
		Expect(a).NotTo(Equal(b))
	})

	It("reports a seed that cannot be read", func() {
		_, err := randx.New(bytes.NewReader(make([]byte, 40)), 2)
		Expect(errors.Is(err, io.ErrUnexpectedEOF)).To(BeTrue(), "%v", err)
	})

	It("serves concurrent readers", func() {
		s, err := randx.New(seeded(), 4)
		Expect(err).NotTo(HaveOccurred())
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				defer GinkgoRecover()
				p := make([]byte, 16)
				for range 200 {
					n, err := s.Read(p)
					Expect(err).NotTo(HaveOccurred())
					Expect(n).To(Equal(16))
				}
			})
		}
		wg.Wait()
	})

	It("draws version 4 UUIDs", func() {
		s, err := randx.New(seeded(), 2)
		Expect(err).NotTo(HaveOccurred())
		seen := map[string]bool{}
		for range 50 {
			u := s.UUID()
			Expect(u).To(MatchRegexp(uuidRE.String()))
			seen[u] = true
		}
		Expect(seen).To(HaveLen(50))
	})
})

var _ = Describe("UUIDv4", func() {
	// Reference: RFC 9562 §5.4 (version 0b0100 in octet 6, variant 0b10 in octet 8)
	DescribeTable("sets the version and variant bits and keeps the rest",
		func(in [16]byte, want string) { Expect(randx.UUIDv4(in)).To(Equal(want)) },
		Entry("zeros", [16]byte{}, "00000000-0000-4000-8000-000000000000"),
		Entry("ones", [16]byte{0: 0xff, 1: 0xff, 2: 0xff, 3: 0xff, 4: 0xff, 5: 0xff, 6: 0xff, 7: 0xff, 8: 0xff, 9: 0xff, 10: 0xff, 11: 0xff, 12: 0xff, 13: 0xff, 14: 0xff, 15: 0xff},
			"ffffffff-ffff-4fff-bfff-ffffffffffff"),
		Entry("counting", [16]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, "00010203-0405-4607-8809-0a0b0c0d0e0f"),
	)
})
