package dlink_test

import (
	"bytes"
	"crypto/ecdh"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/ue/dlink"
)

var _ = Describe("Direct-link threats", func() {
	var f *fixture

	BeforeEach(func() { f = newFixture(GinkgoRandomSeed()) })

	// Reference: 3gpp.md §6.1 D7 (tampering): AEAD or MAC failure, nothing half-installed; R1.
	Context("bit flips", func() {
		var lengths []int
		BeforeEach(func() {
			l := newLink(f.initiator(), f.responder(), f.rec)
			l.run(true)
			Expect(frameTypes(l.Tap)).To(Equal(secureFlow))
			lengths = nil
			for _, c := range l.Tap {
				lengths = append(lengths, len(c.frame))
			}
		})

		flipRun := func(frameIdx, byteIdx int, bit uint) (*dlink.Responder, *link) {
			td := f.responder()
			l := newLink(f.initiator(), td, trace.NewRecorder(f.clk))
			l.hook = func(c captured) [][]byte {
				if c.n != frameIdx {
					return [][]byte{c.frame}
				}
				bad := bytes.Clone(c.frame)
				bad[byteIdx] ^= 1 << bit
				return [][]byte{bad}
			}
			l.run(true)
			return td, l
		}

		It("leave the slot empty for a flip in any byte of any frame before the installation", func() {
			rnd := newRand(GinkgoRandomSeed(), 7)
			runs := 0
			for fi := 0; fi < 5; fi++ {
				for bi := 0; bi < lengths[fi]; bi++ {
					td, l := flipRun(fi, bi, uint(rnd.Uint64()%8))
					where := fmt.Sprintf("%s byte %d", secureFlow[fi], bi)
					Expect(td.Provisioned()).To(BeFalse(), where)
					Expect(td.Counter()).To(BeZero(), where)
					if l.PDResult != nil {
						Expect(l.PDResult.OK()).To(BeFalse(), where)
					}
					runs++
				}
			}
			GinkgoWriter.Printf("%d single-bit flips checked\n", runs)
		})

		It("leave the genuine credential installed and the PD failing for a flip in the proof", func() {
			rnd := newRand(GinkgoRandomSeed(), 8)
			for bi := 0; bi < lengths[5]; bi++ {
				td, l := flipRun(5, bi, uint(rnd.Uint64()%8))
				got, ok := td.Credential()
				Expect(ok).To(BeTrue())
				Expect(got.Equal(f.pkg)).To(BeTrue())
				if l.PDResult != nil {
					Expect(l.PDResult.OK()).To(BeFalse(), "byte %d", bi)
				}
			}
		})

		It("leave the slot empty when the sealed credential itself is tampered", func() {
			for bi := range f.sealed {
				bad := bytes.Clone(f.sealed)
				bad[bi] ^= 0x10
				td := f.responder()
				l := newLink(f.initiator(func(c *dlink.InitiatorConfig) { c.Sealed = bad }), td, trace.NewRecorder(f.clk))
				l.run(true)
				Expect(td.Provisioned()).To(BeFalse(), "sealed byte %d", bi)
				Expect(l.PDResult.Status).To(Equal(dlink.StatusConfigureFailure), "sealed byte %d", bi)
			}
		})
	})

	// Reference: 3gpp.md §6.1 D8 (downgrade); TS 33.501 §6.7.2 (bidding down).
	Context("capability downgrade", func() {
		editCaps := func(l *link, edit func(*dlink.Capabilities), target dlink.FrameType) {
			l.hook = func(c captured) [][]byte {
				switch fr := mustDecode(c.frame).(type) {
				case dlink.AuthRequest:
					if target == dlink.TypeAuthRequest {
						edit(&fr.ICaps)
						return [][]byte{mustMarshal(fr)}
					}
				case dlink.AuthResponse:
					if target == dlink.TypeAuthResponse {
						edit(&fr.RCaps)
						return [][]byte{mustMarshal(fr)}
					}
				}
				return [][]byte{c.frame}
			}
		}

		DescribeTable("is detected when the PD's offer is edited",
			func(edit func(*dlink.Capabilities)) {
				td := f.responder()
				l := newLink(f.initiator(), td, f.rec)
				editCaps(l, edit, dlink.TypeAuthRequest)
				l.run(true)
				Expect(td.Provisioned()).To(BeFalse())
				Expect(l.PDResult.OK()).To(BeFalse())
				Expect(f.rec.Count(func(e trace.Event) bool {
					return e.Kind == trace.KindReject && e.Actor == "td/td-0001" &&
						(e.Cause == "UNWRAP_FAILURE" || e.Cause == "NOT_COMPATIBLE")
				})).To(Equal(1))
			},
			Entry("AES-128 only", func(c *dlink.Capabilities) { c.Ciphers = []dlink.Cipher{dlink.CipherAES128GCM} }),
			Entry("no encryption only", func(c *dlink.Capabilities) { c.Ciphers = []dlink.Cipher{dlink.CipherNone} }),
			Entry("no encryption first", func(c *dlink.Capabilities) {
				c.Ciphers = append([]dlink.Cipher{dlink.CipherNone}, c.Ciphers...)
			}),
			Entry("version 0", func(c *dlink.Capabilities) { c.Versions = []uint8{0} }),
			Entry("another curve", func(c *dlink.Capabilities) { c.Curves = []dlink.Curve{dlink.CurveX25519} }),
		)

		It("is detected when the TD's offer is edited", func() {
			td := f.responder()
			l := newLink(f.initiator(), td, f.rec)
			editCaps(l, func(c *dlink.Capabilities) { c.Ciphers = []dlink.Cipher{dlink.CipherAES128GCM} }, dlink.TypeAuthResponse)
			l.run(true)
			Expect(l.PDResult.Status).To(Equal(dlink.StatusUnwrapFailure))
			Expect(td.Provisioned()).To(BeFalse())
		})

		DescribeTable("is detected by the key confirmation even by an attacker holding b_R",
			func(ciphers []dlink.Cipher, reason string) {
				// An attacker with the TD's bootstrap private key re-wraps the
				// request with an edited offer; R-auth covers both offers (and
				// ke's cipher follows the suite), so the PD sees the edit.
				td := f.responder()
				l := newLink(f.initiator(), td, f.rec)
				l.hook = func(c captured) [][]byte {
					req, ok := mustDecode(c.frame).(dlink.AuthRequest)
					if !ok {
						return [][]byte{c.frame}
					}
					pI, err := ecdh.P256().NewPublicKey(req.IProtoKey)
					Expect(err).NotTo(HaveOccurred())
					mx, err := f.td.Key.ECDH(pI)
					Expect(err).NotTo(HaveOccurred())
					k1, err := dlink.DeriveK1(mx)
					Expect(err).NotTo(HaveOccurred())
					inner, err := dlink.Unwrap(k1, dlink.CipherAES256GCM, dlink.TypeAuthRequest, 0, dlink.WrapAAD(req), req.Wrapped)
					Expect(err).NotTo(HaveOccurred())
					req.ICaps.Ciphers = ciphers
					req.Wrapped, err = dlink.Wrap(k1, dlink.CipherAES256GCM, dlink.TypeAuthRequest, 0, dlink.WrapAAD(req), inner)
					Expect(err).NotTo(HaveOccurred())
					return [][]byte{mustMarshal(req)}
				}
				l.run(true)
				Expect(l.PDResult.Status).To(Equal(dlink.StatusAuthFailure))
				Expect(l.PDResult.Reason).To(Equal(reason))
				Expect(td.Provisioned()).To(BeFalse())
			},
			Entry("alternatives stripped, same suite", []dlink.Cipher{dlink.CipherAES256GCM}, "R-auth mismatch"),
			Entry("weaker cipher forced", []dlink.Cipher{dlink.CipherAES128GCM}, "R-auth does not unwrap under ke"),
		)

		It("refuses a PD that offers no encryption", func() {
			td := f.responder()
			pd := f.initiator(func(c *dlink.InitiatorConfig) {
				c.Capabilities = dlink.DefaultCapabilities(dlink.RoleConfigurator)
				c.Capabilities.Ciphers = []dlink.Cipher{dlink.CipherNone}
			})
			l := newLink(pd, td, f.rec)
			l.run(true)
			Expect(l.PDResult.Status).To(Equal(dlink.StatusNotCompatible))
			Expect(countEvents(f.rec, trace.Event{Kind: trace.KindKey, Actor: "td/td-0001"})).To(BeZero())
		})

		It("refuses the plaintext (baseline) protocol and older header versions", func() {
			td := f.responder()
			l := newLink(f.baselineInitiator(f.pkg), td, f.rec)
			l.run(true)
			Expect(l.PDResult.Status).To(Equal(dlink.StatusNotCompatible))
			Expect(td.Provisioned()).To(BeFalse())

			l = newLink(f.initiator(), td, f.rec)
			l.hook = func(c captured) [][]byte {
				b := bytes.Clone(c.frame)
				b[0] = 0
				return [][]byte{b}
			}
			l.run(true)
			Expect(td.Provisioned()).To(BeFalse())
			Expect(countEvents(f.rec, trace.Event{Kind: trace.KindDrop, Actor: "td/td-0001", Cause: dlink.DropMalformed})).To(Equal(1))
		})
	})

	// Reference: 3gpp.md §6.1 D10 and §6.6 S3 (handshake flood): cheap checks first, rate limit, still provisionable.
	It("rate-limits a handshake flood and stays provisionable by the legitimate PD", func() {
		td := f.responder()
		emit := func(out dlink.Output) dlink.Output {
			for _, e := range out.Events {
				f.rec.Emit(e)
			}
			return out
		}
		stranger, err := credential.NewIdentity(f.rnd, "td-9999")
		Expect(err).NotTo(HaveOccurred())
		for range 200 { // requests for another device: dropped on the hash check, no ECDH, no budget
			pd := f.initiator(func(c *dlink.InitiatorConfig) { c.Target = stranger.Bootstrap(); c.Binding.TargetID = "td-9999" })
			emit(td.Receive(pd.Start().Frames[0]))
		}
		Expect(countEvents(f.rec, trace.Event{Kind: trace.KindKey, Actor: "td/td-0001"})).To(BeZero())

		for range 50 { // the attacker saw the QR code: well-formed requests
			emit(td.Receive(f.initiator().Start().Frames[0]))
		}
		Expect(countEvents(f.rec, trace.Event{Kind: trace.KindKey, Actor: "td/td-0001", Name: dlink.EvKeyK1})).To(Equal(dlink.DefaultAttempts))
		Expect(countEvents(f.rec, trace.Event{Kind: trace.KindReject, Cause: "RATE_LIMITED"})).To(Equal(50 - dlink.DefaultAttempts))

		l := newLink(f.initiator(), td, f.rec)
		l.run(true)
		Expect(l.PDResult.Status).To(Equal(dlink.StatusRateLimited))
		Expect(td.Provisioned()).To(BeFalse())

		f.clk.Advance(dlink.DefaultBackoff)
		l = newLink(f.initiator(), td, f.rec)
		l.run(true)
		Expect(l.PDResult.OK()).To(BeTrue())
		Expect(td.Provisioned()).To(BeTrue())
	})
})
