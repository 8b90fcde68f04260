package dlink_test

import (
	"bytes"
	"crypto/ecdh"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/ue/dlink"
)

var secureFlow = []dlink.FrameType{dlink.TypeAuthRequest, dlink.TypeAuthResponse, dlink.TypeAuthConfirm,
	dlink.TypeConfigRequest, dlink.TypeCredentialDelivery, dlink.TypeProofOfPossession}

var _ = Describe("Provisioning handshake", func() {
	var f *fixture

	BeforeEach(func() { f = newFixture(GinkgoRandomSeed()) })

	// Reference: DESIGN step 6; 3gpp.md §5.3 (DPP authentication + configuration); R1.
	It("provisions the TD over the secure protocol", func() {
		td := f.responder()
		l := newLink(f.initiator(), td, f.rec)
		l.run(true)

		Expect(frameTypes(l.Tap)).To(Equal(secureFlow))
		Expect(l.PDResult).NotTo(BeNil())
		Expect(l.PDResult.Status).To(Equal(dlink.StatusOK))
		Expect(l.TDResult).To(HaveLen(1))
		Expect(l.TDResult[0].OK()).To(BeTrue())
		got, ok := td.Credential()
		Expect(ok).To(BeTrue())
		Expect(got.Equal(f.pkg)).To(BeTrue())
		Expect(td.State()).To(Equal(dlink.StateProvisioned))
		Expect(td.Counter()).To(Equal(uint64(7)))
		// The proof the PD relays lets the network check possession of K (N4).
		Expect(credential.VerifyProof(f.pkg, l.PDResult.Proof)).To(BeTrue())
		Expect(l.PDResult.Binding.Equal(f.pkg.Binding)).To(BeTrue())
		for _, k := range []string{dlink.EvKeyK1, dlink.EvKeyK2, dlink.EvKeyKe} {
			Expect(countEvents(f.rec, trace.Event{Kind: trace.KindKey, Actor: "pd", Name: k})).To(Equal(1), k)
			Expect(countEvents(f.rec, trace.Event{Kind: trace.KindKey, Actor: "td/td-0001", Name: k})).To(Equal(1), k)
		}
		Expect(countEvents(f.rec, trace.Event{Kind: trace.KindKey, Name: dlink.EvKeyInstall, SUPI: "imsi-001010000000042"})).To(Equal(1))
		Expect(countEvents(f.rec, trace.Event{Kind: trace.KindState, Actor: "td/td-0001", Name: "Provisioned"})).To(Equal(1))
		Expect(countEvents(f.rec, trace.Event{Kind: trace.KindReject})).To(BeZero())
		Expect(countEvents(f.rec, trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceDL})).To(Equal(12))
	})

	// Reference: DESIGN solution profile baseline; 3gpp.md §6.1 D1 (baseline column).
	It("provisions the TD over the baseline protocol in one frame", func() {
		td := f.responder(func(c *dlink.ResponderConfig) { c.Variant = dlink.Baseline })
		l := newLink(f.baselineInitiator(f.pkg), td, f.rec)
		l.run(true)
		Expect(frameTypes(l.Tap)).To(Equal([]dlink.FrameType{dlink.TypePlainCredential, dlink.TypeStatus}))
		Expect(l.PDResult.OK()).To(BeTrue())
		got, ok := td.Credential()
		Expect(ok).To(BeTrue())
		Expect(got.Equal(f.pkg)).To(BeTrue())
	})

	// Reference: 3gpp.md §6.1 D1 (eavesdropping); TS 33.501 §5.2.4; R1.
	It("shows an eavesdropper no K in secure frames but K in baseline frames", func() {
		l := newLink(f.initiator(), f.responder(), f.rec)
		l.run(true)
		Expect(l.PDResult.OK()).To(BeTrue())
		for _, c := range l.Tap {
			Expect(bytes.Contains(c.frame, f.pkg.K[:])).To(BeFalse())
			Expect(bytes.Contains(c.frame, f.pkg.OPc[:])).To(BeFalse())
			Expect(bytes.Contains(c.frame, []byte(f.pkg.SUPI.String()))).To(BeFalse())
		}

		g := newFixture(GinkgoRandomSeed() + 1)
		lb := newLink(g.baselineInitiator(g.pkg), g.responder(func(c *dlink.ResponderConfig) { c.Variant = dlink.Baseline }), g.rec)
		lb.run(true)
		stolen := eavesdropBaseline(lb.Tap)
		Expect(stolen).NotTo(BeNil())
		Expect(stolen.K).To(Equal(g.pkg.K))
		Expect(stolen.OPc).To(Equal(g.pkg.OPc))
	})

	// Reference: 3gpp.md §6.1 D2 (MITM substitutes ECDH keys): authentication fails, nothing released.
	DescribeTable("defeats a man in the middle who substitutes protocol keys",
		func(target dlink.FrameType, tdStatus, pdStatus dlink.Status) {
			attacker, err := credential.GenerateKey(f.rnd)
			Expect(err).NotTo(HaveOccurred())
			td := f.responder()
			l := newLink(f.initiator(), td, f.rec)
			l.hook = func(c captured) [][]byte {
				fr, err := dlink.Decode(c.frame)
				Expect(err).NotTo(HaveOccurred())
				switch x := fr.(type) {
				case dlink.AuthRequest:
					if target == dlink.TypeAuthRequest {
						x.IProtoKey = attacker.PublicKey().Bytes()
						fr = x
					}
				case dlink.AuthResponse:
					if target == dlink.TypeAuthResponse {
						x.RProtoKey = attacker.PublicKey().Bytes()
						fr = x
					}
				}
				b, err := dlink.Marshal(fr)
				Expect(err).NotTo(HaveOccurred())
				return [][]byte{b}
			}
			l.run(true)
			Expect(l.PDResult).NotTo(BeNil())
			Expect(l.PDResult.Status).To(Equal(pdStatus))
			Expect(td.Provisioned()).To(BeFalse())
			Expect(frameTypes(l.Tap)).NotTo(ContainElement(dlink.TypeCredentialDelivery))
			Expect(countEvents(f.rec, trace.Event{Kind: trace.KindReject, Cause: tdStatus.String()})).To(BeNumerically(">=", 1))
		},
		Entry("P_I replaced in AuthRequest", dlink.TypeAuthRequest, dlink.StatusUnwrapFailure, dlink.StatusUnwrapFailure),
		Entry("P_R replaced in AuthResponse", dlink.TypeAuthResponse, dlink.StatusUnwrapFailure, dlink.StatusUnwrapFailure),
	)

	// Reference: 3gpp.md §6.1 D2 (an active relay without b_R forges the AuthResponse).
	It("aborts when a relay answers with its own key and a forged R-auth", func() {
		td := f.responder()
		l := newLink(f.initiator(), td, f.rec)
		l.hook = func(c captured) [][]byte {
			req, ok := mustDecode(c.frame).(dlink.AuthRequest)
			if !ok {
				return [][]byte{c.frame}
			}
			// The attacker knows B_R (public) and P_I, not b_R: it computes
			// N and k2 but must guess M and the I-nonce.
			l.queue = append(l.queue, captured{dir: toPD, n: -1, frame: forgeAuthResponse(f, req, req.RHash)})
			return nil
		}
		l.run(true)
		Expect(l.PDResult.Status).To(Equal(dlink.StatusAuthFailure))
		Expect(l.PDResult.Reason).To(ContainSubstring("I-nonce"))
		Expect(frameTypes(l.Tap)).NotTo(ContainElement(dlink.TypeCredentialDelivery))
		Expect(td.Provisioned()).To(BeFalse())
	})

	// Reference: 3gpp.md §6.1 D3 (rogue PD); DPP rogue-configurator caveat.
	Context("against a rogue provisioning device", func() {
		It("ignores one that does not know the TD bootstrap key", func() {
			rogue, err := credential.NewIdentity(f.rnd, "td-0001") // guessed device id, wrong key
			Expect(err).NotTo(HaveOccurred())
			td := f.responder()
			pd := f.initiator(func(c *dlink.InitiatorConfig) { c.Target = rogue.Bootstrap() })
			l := newLink(pd, td, f.rec)
			l.fireTimeouts = true
			l.run(true)
			Expect(td.Provisioned()).To(BeFalse())
			Expect(l.PDResult.Status).To(Equal(dlink.StatusTimeout))
			Expect(countEvents(f.rec, trace.Event{Kind: trace.KindDrop, Cause: dlink.DropBootstrapHash})).To(Equal(3))
			Expect(countEvents(f.rec, trace.Event{Kind: trace.KindKey, Actor: "td/td-0001"})).To(BeZero())
		})

		It("refuses one that scanned the QR code but is not a trusted PD (mutual authentication)", func() {
			owner, err := credential.NewIdentity(f.rnd, "pd-owner")
			Expect(err).NotTo(HaveOccurred())
			rogueID, err := credential.NewIdentity(f.rnd, "pd-rogue")
			Expect(err).NotTo(HaveOccurred())
			td := f.responder(func(c *dlink.ResponderConfig) { c.Initiators = []*ecdh.PublicKey{owner.Key.PublicKey()} })
			for _, id := range []*credential.Identity{nil, &rogueID} {
				rogue := f.initiator(func(c *dlink.InitiatorConfig) {
					c.Identity = id
					c.Sealed = f.seal(makePackage("td-0001", 9, 0x66)) // self-made credential
					c.Binding = makePackage("td-0001", 9, 0x66).Binding
				})
				l := newLink(rogue, td, f.rec)
				l.run(true)
				Expect(td.Provisioned()).To(BeFalse())
			}
			Expect(countEvents(f.rec, trace.Event{Kind: trace.KindDrop, Cause: dlink.DropInitiatorUnknown})).To(Equal(2))

			// The owner PD completes a mutually authenticated handshake.
			l := newLink(f.initiator(func(c *dlink.InitiatorConfig) { c.Identity = &owner }), td, f.rec)
			l.run(true)
			Expect(l.PDResult.OK()).To(BeTrue())
			Expect(td.Provisioned()).To(BeTrue())
		})

		It("documents the responder-only caveat: a PD holding the QR code can provision its own credential", func() {
			// With responder-only authentication (DPP default) B_R is the only
			// secret-ish input; the network side must refuse the unknown
			// credential (3gpp.md §6.1 D3: fail-closed at the PF).
			self := makePackage("td-0001", 9, 0x66)
			rogue := f.initiator(func(c *dlink.InitiatorConfig) { c.Sealed = f.seal(self); c.Binding = self.Binding })
			td := f.responder()
			l := newLink(rogue, td, f.rec)
			l.run(true)
			got, ok := td.Credential()
			Expect(ok).To(BeTrue())
			Expect(got.K).To(Equal(self.K))
		})
	})

	// Reference: 3gpp.md §6.1 D4 (impostor TD): the PD aborts, no credential issued.
	Context("against an impostor TD with another bootstrap key", func() {
		var impostorID credential.Identity
		BeforeEach(func() {
			var err error
			impostorID, err = credential.NewIdentity(f.rnd, "td-0001")
			Expect(err).NotTo(HaveOccurred())
		})
		noCredentialLeft := func(l *link) {
			Expect(l.PDResult).NotTo(BeNil())
			Expect(l.PDResult.OK()).To(BeFalse())
			Expect(frameTypes(l.Tap)).NotTo(ContainElement(dlink.TypeCredentialDelivery))
			for _, c := range l.Tap {
				Expect(bytes.Contains(c.frame, f.sealed[len(f.sealed)-32:])).To(BeFalse())
			}
		}

		It("aborts on the responder bootstrap key hash mismatch", func() {
			l := newLink(f.initiator(), f.responder(), f.rec)
			l.hook = func(c captured) [][]byte {
				if req, ok := mustDecode(c.frame).(dlink.AuthRequest); ok {
					l.queue = append(l.queue, captured{dir: toPD, n: -1, frame: forgeAuthResponse(f, req, impostorID.Bootstrap().Hash())})
					return nil
				}
				return [][]byte{c.frame}
			}
			l.run(true)
			noCredentialLeft(l)
			Expect(l.PDResult.Status).To(Equal(dlink.StatusAuthFailure))
			Expect(l.PDResult.Reason).To(ContainSubstring("bootstrap key hash mismatch"))
		})

		It("fails when the impostor takes the request for its own", func() {
			impostor := f.responder(func(c *dlink.ResponderConfig) { c.Identity = impostorID })
			l := newLink(f.initiator(), impostor, f.rec)
			l.hook = func(c captured) [][]byte {
				if req, ok := mustDecode(c.frame).(dlink.AuthRequest); ok {
					req.RHash = impostorID.Bootstrap().Hash()
					return [][]byte{mustMarshal(req)}
				}
				return [][]byte{c.frame}
			}
			l.run(true)
			noCredentialLeft(l)
			Expect(l.PDResult.Status).To(Equal(dlink.StatusUnwrapFailure))
			Expect(impostor.Provisioned()).To(BeFalse())
		})

		It("times out when the impostor stays silent", func() {
			impostor := f.responder(func(c *dlink.ResponderConfig) { c.Identity = impostorID })
			l := newLink(f.initiator(), impostor, f.rec)
			l.fireTimeouts = true
			l.run(true)
			noCredentialLeft(l)
			Expect(l.PDResult.Status).To(Equal(dlink.StatusTimeout))
		})
	})

	// Reference: 3gpp.md §6.1 D5 (replay of a provisioning session).
	Context("against replays", func() {
		var (
			td       *dlink.Responder
			recorded [][]byte
		)
		BeforeEach(func() {
			recorded = nil
			td = f.responder()
			l := newLink(f.initiator(), td, f.rec)
			l.run(true)
			Expect(l.PDResult.OK()).To(BeTrue())
			for _, c := range l.Tap {
				if c.dir == toTD {
					recorded = append(recorded, c.frame)
				}
			}
			Expect(recorded).To(HaveLen(3))
		})

		It("keeps the installed credential when an old session is replayed", func() {
			l := newLink(f.initiator(), td, f.rec)
			l.inject(recorded...)
			got, _ := td.Credential()
			Expect(got.Equal(f.pkg)).To(BeTrue())
			Expect(countEvents(f.rec, trace.Event{Kind: trace.KindReject, Cause: "ALREADY_PROVISIONED"})).To(Equal(1))
		})

		It("installs nothing when an old session is replayed after a factory reset", func() {
			td.FactoryReset()
			Expect(td.Provisioned()).To(BeFalse())
			l := newLink(f.initiator(), td, f.rec)
			l.inject(recorded...)
			Expect(td.Provisioned()).To(BeFalse())
			Expect(countEvents(f.rec, trace.Event{Kind: trace.KindReject, Cause: "AUTH_FAILURE", Name: "AuthConfirm"})).To(Equal(1))
		})

		It("refuses to roll back to an old package (counter not above the last one)", func() {
			td.FactoryReset()
			l := newLink(f.initiator(), td, f.rec) // same sealed package, fresh handshake
			l.run(true)
			Expect(l.PDResult.Status).To(Equal(dlink.StatusReplay))
			Expect(td.Provisioned()).To(BeFalse())
			Expect(td.Counter()).To(Equal(uint64(7)))

			next := makePackage("td-0001", 8, 0x77)
			l = newLink(f.initiator(func(c *dlink.InitiatorConfig) { c.Sealed = f.seal(next); c.Binding = next.Binding }), td, f.rec)
			l.run(true)
			Expect(l.PDResult.OK()).To(BeTrue())
			got, _ := td.Credential()
			Expect(got.Equal(next)).To(BeTrue())
		})
	})

	// Reference: 3gpp.md §6.1 D9 (ownership takeover).
	It("refuses a second provisioning until a factory reset", func() {
		td := f.responder()
		newLink(f.initiator(), td, f.rec).run(true)
		Expect(td.Provisioned()).To(BeTrue())

		next := makePackage("td-0001", 8, 0x77)
		pd2 := func() *dlink.Initiator {
			return f.initiator(func(c *dlink.InitiatorConfig) { c.Sealed = f.seal(next); c.Binding = next.Binding; c.Actor = "pd2" })
		}
		l := newLink(pd2(), td, f.rec)
		l.run(true)
		Expect(l.PDResult.Status).To(Equal(dlink.StatusAlreadyProvisioned))
		got, _ := td.Credential()
		Expect(got.Equal(f.pkg)).To(BeTrue())
		Expect(countEvents(f.rec, trace.Event{Kind: trace.KindKey, Actor: "td/td-0001", Name: dlink.EvKeyK1})).To(Equal(1))

		td.FactoryReset()
		l = newLink(pd2(), td, f.rec)
		l.run(true)
		Expect(l.PDResult.OK()).To(BeTrue())
		got, _ = td.Credential()
		Expect(got.Equal(next)).To(BeTrue())
	})

	// Reference: 3gpp.md §6.1 D9 (baseline column: the naive TD is taken over).
	It("lets a second PD overwrite a baseline TD", func() {
		td := f.responder(func(c *dlink.ResponderConfig) { c.Variant = dlink.Baseline })
		newLink(f.baselineInitiator(f.pkg), td, f.rec).run(true)
		other := makePackage("td-0001", 1, 0x99)
		newLink(f.baselineInitiator(other), td, f.rec).run(true)
		got, _ := td.Credential()
		Expect(got.Equal(other)).To(BeTrue())
	})

	It("reports the TD's authenticated refusals to the PD", func() {
		td := f.responder()
		expired := makePackage("td-0001", 9, 0x11)
		expired.Binding.Expiry = epoch.Add(-time.Second)
		l := newLink(f.initiator(func(c *dlink.InitiatorConfig) { c.Sealed = f.seal(expired); c.Binding = expired.Binding }), td, f.rec)
		l.run(true)
		Expect(l.PDResult.Status).To(Equal(dlink.StatusExpired))

		other := f.pkg.Binding
		other.Counter = 8 // the PD's binding differs from the sealed one
		l = newLink(f.initiator(func(c *dlink.InitiatorConfig) { c.Binding = other }), td, f.rec)
		l.run(true)
		Expect(l.PDResult.Status).To(Equal(dlink.StatusBindingMismatch))
		Expect(td.Provisioned()).To(BeFalse())
	})

	// Reference: 3gpp.md §6.2 N5 (half-provisioned state): lost frames are retransmitted.
	It("recovers from lost frames by retransmission without extra work at the TD", func() {
		td := f.responder()
		l := newLink(f.initiator(), td, f.rec)
		l.fireTimeouts = true
		dropped := map[dlink.FrameType]bool{}
		l.hook = func(c captured) [][]byte {
			t := frameTypes([]captured{c})[0]
			if c.dir == toPD && !dropped[t] { // lose the first copy of every TD answer
				dropped[t] = true
				return nil
			}
			return [][]byte{c.frame}
		}
		l.run(true)
		Expect(l.PDResult.OK()).To(BeTrue())
		Expect(td.Provisioned()).To(BeTrue())
		Expect(countEvents(f.rec, trace.Event{Kind: trace.KindKey, Actor: "td/td-0001", Name: dlink.EvKeyK1})).To(Equal(1))
		Expect(countEvents(f.rec, trace.Event{Kind: trace.KindDrop, Cause: dlink.DropDuplicate})).To(Equal(3))
		Expect(countEvents(f.rec, trace.Event{Kind: trace.KindNote, Name: dlink.EvRetransmit})).To(Equal(3))
	})

	It("ends an abandoned session at the TD on timeout", func() {
		td := f.responder()
		l := newLink(f.initiator(), td, f.rec)
		l.hook = func(c captured) [][]byte {
			if c.dir == toTD && c.n > 0 {
				return nil // the PD vanishes after its AuthRequest
			}
			return [][]byte{c.frame}
		}
		l.fireTimeouts = true
		l.run(true)
		Expect(l.TDResult).To(ContainElement(HaveField("Status", dlink.StatusTimeout)))
		Expect(td.State()).To(Equal(dlink.StateUnprovisioned))
	})
})
