package gmm_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/amf/gmm"
	"github.com/credbed/credbed/nf/amf/internal/scripted"
)

var _ = Describe("transition table", func() {
	m, err := gmm.NewMachine(gmm.Config{}, func() uint32 { return 1 })
	It("builds", func() { Expect(err).NotTo(HaveOccurred()) })

	// Reference: STYLE.md "transition tables as data"; TS 24.501 §7.4: a
	// message not compatible with the protocol state is answered with 5GMM
	// STATUS #98 or ignored.
	It("handles or explicitly rejects every (state, event) pair", func() {
		for s := gmm.State(0); s < gmm.NumStates; s++ {
			for k := gmm.EventKind(0); k < gmm.NumEventKinds; k++ {
				r, ok := m.Transition(s, k)
				Expect(ok).To(BeTrue(), "%s x %s not covered", s, k)
				Expect(r).To(BeElementOf(gmm.Handled, gmm.RejectStatus98, gmm.RejectDrop))
				if k > gmm.EvInvalidNAS && r == gmm.RejectStatus98 {
					Fail("5GMM STATUS for a non-NAS event " + k.String())
				}
			}
		}
		_, ok := m.Transition(gmm.NumStates, 0)
		Expect(ok).To(BeFalse())
	})

	DescribeTable("names the procedures' pairs",
		func(s gmm.State, k gmm.EventKind, want gmm.Rejection) {
			r, ok := m.Transition(s, k)
			Expect(ok).To(BeTrue())
			Expect(r).To(Equal(want))
		},
		Entry("registration request on a fresh context", gmm.Deregistered, gmm.EvRegistrationRequest, gmm.Handled),
		Entry("identity response awaited", gmm.IdentityPending, gmm.EvIdentityResponse, gmm.Handled),
		Entry("authentication response awaited", gmm.Authenticating, gmm.EvAuthenticationResponse, gmm.Handled),
		// Reference: TS 33.501 §6.1.3.3.2 — unsolicited synch failures are
		// ignored; no new challenge before the resynchronisation answer.
		Entry("synch failure while the resync runs", gmm.WaitAUSFAuth, gmm.EvAuthenticationFailure, gmm.RejectDrop),
		Entry("synch failure when registered", gmm.Registered, gmm.EvAuthenticationFailure, gmm.RejectDrop),
		Entry("authentication response when registered", gmm.Registered, gmm.EvAuthenticationResponse, gmm.RejectStatus98),
		Entry("SMC complete out of place", gmm.Authenticating, gmm.EvSecurityModeComplete, gmm.RejectStatus98),
		Entry("stale AUSF answer", gmm.Registered, gmm.EvAUSFAuthResult, gmm.RejectDrop),
		Entry("subscription withdrawn when registered", gmm.Registered, gmm.EvNetworkDeregister, gmm.Handled),
		Entry("de-registration accept awaited", gmm.DeregInitiated, gmm.EvDeregistrationAccept, gmm.Handled),
		Entry("UL NAS transport before registration", gmm.WaitUDM, gmm.EvULNASTransport, gmm.RejectStatus98),
	)
})

var _ = Describe("config", func() {
	// Reference: TS 33.501 §5.5.2 — NIA0 only for unauthenticated emergency sessions.
	It("refuses NIA0 in the integrity preference", func() {
		c := gmm.Config{IntegrityOrder: []nassec.IntegrityAlg{nassec.NIA2, nassec.NIA0}}
		Expect(errors.Is(c.Validate(), gmm.ErrConfig)).To(BeTrue())
	})
	It("fills the default reject mapping and merges overrides", func() {
		c := gmm.Config{RejectCauses: map[string]uint8{"USER_NOT_FOUND": nasx.Cause5GSServicesNotAllowed}}
		Expect(c.Validate()).To(Succeed())
		cause, backoff := c.RejectCause(gmm.Outcome{Status: 404, Cause: "USER_NOT_FOUND"})
		Expect(cause).To(Equal(nasx.Cause5GSServicesNotAllowed))
		Expect(backoff).To(BeFalse())
		cause, _ = c.RejectCause(gmm.Outcome{Status: 403, Cause: "SERVING_NETWORK_NOT_AUTHORIZED"})
		Expect(cause).To(Equal(nasx.CauseServingNetworkNotAuthorized))
		cause, backoff = c.RejectCause(gmm.Outcome{Status: 0})
		Expect(cause).To(Equal(nasx.CauseCongestion))
		Expect(backoff).To(BeTrue())
		cause, _ = c.RejectCause(gmm.Outcome{Status: 504})
		Expect(cause).To(Equal(nasx.CauseCongestion))
		cause, _ = c.RejectCause(gmm.Outcome{Status: 403})
		Expect(cause).To(Equal(nasx.CauseIllegalUE))
	})
})

var _ = Describe("AMF 5GMM", Label("conformance"), func() {
	var b *bed
	BeforeEach(func() { b = newBed(gmm.Config{}) })

	// Reference: TS 33.501 §6.1.3.2, §6.7.2; TS 24.501 §5.5.1.2.
	It("registers a UE with a SUCI: 5G AKA, security mode, UDM, accept in INITIAL CONTEXT SETUP", func() {
		b.register()
		Expect(b.ue.Seen).To(Equal([]string{"AUTHENTICATION REQUEST", "SECURITY MODE COMMAND", "REGISTRATION ACCEPT"}))
		Expect(b.u.HasSecurityContext()).To(BeTrue())
		Expect(b.u.SUPI()).To(Equal(b.ue.Sub.SUPI.String()))
		g, ok := b.u.GUTI()
		Expect(ok).To(BeTrue())
		Expect(g).To(Equal(b.ue.GUTI))
		enc, integ := b.u.Algorithms()
		Expect(enc).To(Equal(nassec.NEA2))
		Expect(integ).To(Equal(nassec.NIA2))
		Expect(b.ics).To(HaveLen(1))
		Expect(b.ics[0].KgNB.IsZero()).To(BeFalse())
		Expect(b.ics[0].SecHdr).To(Equal(nassec.HdrIntegrityCiphered))
		// Reference: TS 33.501 A.9 — KgNB from KAMF and the uplink NAS COUNT.
		want, err := aka.KgNB(b.ue.KAMF, b.ics[0].ULNASCount, aka.Access3GPP)
		Expect(err).NotTo(HaveOccurred())
		Expect(b.ics[0].KgNB).To(Equal(want))
		Expect(b.timers).To(BeEmpty())
		for _, k := range []string{"KSEAF", "KAMF", "KNASenc", "KNASint", "KgNB"} {
			Expect(b.count(trace.Event{Kind: trace.KindKey, Name: k})).To(Equal(1), k)
		}
		Expect(b.count(trace.Event{Kind: trace.KindState, Name: "REGISTERED"})).To(Equal(1))
		// Reference: TS 33.501 §6.1.3.2 — the SEAF asks the AUSF once, ABBA 0x0000.
		Expect(b.home.Vectors()).To(Equal(1))
	})

	// Reference: TS 33.501 §6.1.3.2.2 — RES* mismatch with a SUCI gives
	// AUTHENTICATION REJECT; no KSEAF is released.
	It("rejects a wrong RES* at the SEAF without asking the AUSF", func() {
		b.ue.WrongRES = true
		pdu, err := b.ue.InitialRegistration()
		Expect(err).NotTo(HaveOccurred())
		b.initial(pdu, nil)
		Expect(b.ue.AuthRejected).To(BeTrue())
		Expect(b.deleted).To(BeTrue())
		Expect(b.released).To(Equal(1))
		Expect(b.home.KSEAFs()).To(BeZero())
		Expect(b.count(trace.Event{Kind: trace.KindReject, Cause: "RES_STAR_MISMATCH"})).To(Equal(1))
		Expect(b.u.HasSecurityContext()).To(BeFalse())
	})

	// Reference: TS 33.501 §6.1.3.3.2, TS 33.102 §6.3.5.
	It("resynchronises after a synch failure and then authenticates", func() {
		aheadOfHome(b.ue)
		b.register()
		Expect(b.ue.Seen).To(Equal([]string{"AUTHENTICATION REQUEST", "AUTHENTICATION REQUEST", "SECURITY MODE COMMAND", "REGISTRATION ACCEPT"}))
		Expect(b.home.Vectors()).To(Equal(2))
		Expect(b.count(trace.Event{Kind: trace.KindNote, Cause: "5GMM#21"})).To(Equal(1))
	})

	// Reference: TS 33.501 §6.1.3.3.2 — the SEAF ignores unsolicited synch failures.
	It("ignores an unsolicited AUTHENTICATION FAILURE", func() {
		b.register()
		b.manual = true
		f, err := (&nasx.AuthenticationFailure{Cause: nasx.CauseSynchFailure, AUTS: make([]byte, 14)}).Build()
		Expect(err).NotTo(HaveOccurred())
		pdu, err := b.ue.Protect(f)
		Expect(err).NotTo(HaveOccurred())
		b.nas(pdu)
		Expect(b.u.State()).To(Equal(gmm.Registered))
		Expect(b.count(trace.Event{Kind: trace.KindDrop, Name: "AUTHENTICATION FAILURE"})).To(Equal(1))
		Expect(b.home.Vectors()).To(Equal(1))
	})

	// Reference: TS 33.501 §6.1.3.3.2 — no new challenge before the resync answer.
	It("sends no challenge while a resynchronisation is outstanding", func() {
		b.manual = true
		pdu, _ := b.ue.InitialRegistration()
		aheadOfHome(b.ue)
		acts := b.m.HandleInitialNAS(&b.u, pdu, nil)
		var authn []gmm.AUSFAuthenticate
		for _, a := range acts {
			if x, ok := a.(gmm.AUSFAuthenticate); ok {
				authn = append(authn, x)
			}
		}
		Expect(authn).To(HaveLen(1))
		b.run(acts)
		Expect(b.dl).To(HaveLen(1))
		ul, _, err := b.ue.Respond(b.dl[0]) // synch failure
		Expect(err).NotTo(HaveOccurred())
		b.dl = nil
		acts = b.m.HandleNAS(&b.u, ul)
		var resync *gmm.Resync
		for _, a := range acts {
			if x, ok := a.(gmm.AUSFAuthenticate); ok {
				resync = x.Resync
			}
			_, isSend := a.(gmm.SendNAS)
			Expect(isSend).To(BeFalse())
		}
		Expect(resync).NotTo(BeNil())
		Expect(b.u.State()).To(Equal(gmm.WaitAUSFAuth))
		// A second failure before the answer is dropped.
		before := len(b.rec.Events())
		b.run(b.m.HandleNAS(&b.u, ul))
		Expect(b.u.State()).To(Equal(gmm.WaitAUSFAuth))
		Expect(b.rec.Events()[before:]).To(ContainElement(HaveField("Kind", trace.KindDrop)))
	})

	DescribeTable("REGISTRATION REJECT from the AUSF/UDM outcome, no vector and no context left",
		func(prepare func(*bed), cause uint8, t3346 bool) {
			prepare(b)
			pdu, err := b.ue.InitialRegistration()
			Expect(err).NotTo(HaveOccurred())
			b.initial(pdu, nil)
			Expect(b.ue.Rejected).To(Equal(cause))
			Expect(b.deleted).To(BeTrue())
			Expect(b.home.Vectors()).To(BeZero())
			Expect(b.u.HasSecurityContext()).To(BeFalse())
			Expect(b.u.SUPI()).To(BeEmpty())
			Expect(b.count(trace.Event{Kind: trace.KindReject, Name: "REGISTRATION REJECT", Cause: gmmCause(cause)})).To(Equal(1))
			Expect(b.count(trace.Event{Kind: trace.KindKey})).To(BeZero())
			_ = t3346
		},
		// Reference: 3gpp.md §2.8 — deprovisioned subscriber: #3 Illegal UE.
		Entry("unknown subscriber (404 USER_NOT_FOUND) -> #3", func(b *bed) { b.home.Remove(b.ue.Sub.SUPI.String()) }, nasx.CauseIllegalUE, false),
		// Reference: TS 33.501 §6.1.2 — serving network not authorised: #73.
		Entry("SERVING_NETWORK_NOT_AUTHORIZED -> #73", func(b *bed) {
			b.home.FailNext(&scripted.Problem{Status: 403, Cause: "SERVING_NETWORK_NOT_AUTHORIZED"})
		}, nasx.CauseServingNetworkNotAuthorized, false),
		Entry("AUTHENTICATION_REJECTED -> #3", func(b *bed) {
			b.home.FailNext(&scripted.Problem{Status: 403, Cause: "AUTHENTICATION_REJECTED"})
		}, nasx.CauseIllegalUE, false),
		// Reference: TS 24.501 §5.5.1.2.5 — #22 with T3346 for congestion.
		Entry("AUSF failure -> #22", func(b *bed) { b.home.FailNext(&scripted.Problem{Status: 500, Cause: "SYSTEM_FAILURE"}) }, nasx.CauseCongestion, true),
	)

	It("maps the outcome with a configured cause (#7)", func() {
		b = newBed(gmm.Config{RejectCauses: map[string]uint8{"USER_NOT_FOUND": nasx.Cause5GSServicesNotAllowed}})
		b.home.Remove(b.ue.Sub.SUPI.String())
		pdu, _ := b.ue.InitialRegistration()
		b.initial(pdu, nil)
		Expect(b.ue.Rejected).To(Equal(nasx.Cause5GSServicesNotAllowed))
	})

	// Reference: TS 33.501 §5.5.2, §6.7.2 — NIA0 is refused outside emergency services.
	It("refuses a UE that offers only NIA0", func() {
		b.ue.Cap = nasx.NewUESecurityCapability(0xf0, 0x80)
		pdu, _ := b.ue.InitialRegistration()
		b.initial(pdu, nil)
		Expect(b.ue.Rejected).To(Equal(nasx.CauseUESecurityCapabilitiesMismatch))
		Expect(b.ue.Seen).NotTo(ContainElement("SECURITY MODE COMMAND"))
		Expect(b.deleted).To(BeTrue())
	})

	// Reference: TS 33.501 §6.7.2 — algorithms from the configured preference.
	It("selects algorithms from the preference and the UE capability", func() {
		b = newBed(gmm.Config{IntegrityOrder: []nassec.IntegrityAlg{nassec.NIA3, nassec.NIA1}})
		b.ue.Cap = nasx.NewUESecurityCapability(0xc0, 0x40) // EA0, EA1; IA1
		b.register()
		enc, integ := b.u.Algorithms()
		Expect(integ).To(Equal(nassec.NIA1))
		Expect(enc).To(Equal(nassec.NEA1))
	})

	// Reference: TS 33.501 §6.4.3.2 — a NAS COUNT is accepted once.
	It("drops a replayed uplink NAS message", func() {
		b.register()
		replay := b.ul[len(b.ul)-1] // REGISTRATION COMPLETE
		b.manual = true
		b.nas(replay)
		Expect(b.countDetail(trace.KindDrop, "replayed NAS COUNT")).To(Equal(1))
		Expect(b.count(trace.Event{Kind: trace.KindDrop, Cause: gmm.DropReplay})).To(Equal(1), "the reason token is the Cause")
		Expect(b.u.State()).To(Equal(gmm.Registered))
	})

	// Reference: TS 24.501 §4.4.4.3 — after secure exchange, unprotected or
	// unverifiable messages are discarded.
	It("drops unprotected and forged messages after security activation", func() {
		b.register()
		b.manual = true
		plain, _ := (&nasx.RegistrationComplete{}).Build()
		b.nas(plain)
		pdu, _ := b.ue.Protect(plain)
		pdu[3] ^= 0x01 // MAC
		b.nas(pdu)
		Expect(b.countDetail(trace.KindDrop, "not integrity protected after secure exchange was established")).To(Equal(1), b.events())
		Expect(b.countDetail(trace.KindDrop, "NAS MAC failure")).To(Equal(1))
		Expect(b.count(trace.Event{Kind: trace.KindDrop, Cause: gmm.DropMACFailure})).To(Equal(1))
		Expect(b.count(trace.Event{Kind: trace.KindDrop, Cause: gmm.DropNotProtected})).To(Equal(1))
		Expect(b.dl).To(BeEmpty())
	})

	// Reference: TS 24.501 §7.4 — 5GMM STATUS #98.
	It("answers a message not compatible with the state with 5GMM STATUS #98", func() {
		b.register()
		b.manual = true
		r, _ := (&nasx.AuthenticationResponse{RESStar: make([]byte, 16)}).Build()
		pdu, _ := b.ue.Protect(r)
		b.nas(pdu)
		Expect(b.dl).To(HaveLen(1))
		_, name, err := b.ue.Respond(b.dl[0])
		Expect(err).NotTo(HaveOccurred())
		Expect(name).To(Equal("5GMM STATUS"))
		Expect(b.count(trace.Event{Kind: trace.KindReject, Cause: "5GMM#98"})).To(Equal(1))
	})

	// Reference: TS 24.501 §7.3-§7.5 — undecodable messages get 5GMM STATUS.
	DescribeTable("answers undecodable NAS with 5GMM STATUS",
		func(pdu []byte, cause uint8) {
			b.manual = true
			b.run(b.m.HandleInitialNAS(&b.u, pdu, nil))
			Expect(b.count(trace.Event{Kind: trace.KindReject, Cause: gmmCause(cause)})).To(Equal(1))
			Expect(b.dl).To(HaveLen(1))
			Expect(b.dl[0][2]).To(Equal(byte(nasx.MsgStatus5GMM)))
			Expect(b.dl[0][3]).To(Equal(cause))
			Expect(b.deleted).To(BeTrue())
		},
		Entry("unknown message type", []byte{0x7e, 0x00, 0x99}, nasx.CauseMessageTypeNonExistent),
		Entry("truncated REGISTRATION REQUEST", []byte{0x7e, 0x00, 0x41, 0x79}, nasx.CauseInvalidMandatoryInformation),
		Entry("too short", []byte{0x7e}, nasx.CauseInvalidMandatoryInformation),
	)

	// Reference: TS 24.501 §4.4.4.3 — only the listed messages are processed
	// without integrity protection; §7.4 — a known type the AMF never
	// receives gets 5GMM STATUS #97.
	It("drops an unprotected downlink-only message and answers a protected one with #97", func() {
		b.manual = true
		b.run(b.m.HandleInitialNAS(&b.u, mustBuild(&nasx.RegistrationAccept{Result: 1}), nil))
		Expect(b.count(trace.Event{Kind: trace.KindDrop, Name: "REGISTRATION ACCEPT"})).To(Equal(1))
		Expect(b.dl).To(BeEmpty())
		b.manual = false
		b.u = gmm.UE{}
		b.register()
		b.manual = true
		pdu, _ := b.ue.Protect(mustBuild(&nasx.RegistrationAccept{Result: 1}))
		b.nas(pdu)
		Expect(b.count(trace.Event{Kind: trace.KindReject, Cause: gmmCause(nasx.CauseMessageTypeNonExistent)})).To(Equal(1))
		Expect(b.dl).To(HaveLen(1))
	})

	Context("with a 5G-GUTI", func() {
		var prior gmm.Prior
		BeforeEach(func() {
			b.register()
			var ok bool
			prior, ok = b.u.Export(77, b.ue.GUTI.TMSI)
			Expect(ok).To(BeTrue())
			// The UE goes idle; a new connection gets a fresh context.
			b.run(b.m.Handle(&b.u, gmm.N2Released{}))
			Expect(b.u.State()).To(Equal(gmm.Registered))
			b.u = gmm.UE{}
			b.ics, b.ue.Seen = nil, nil
		})

		// Reference: TS 24.501 §5.5.1.3.2, §4.4.4.3; TS 33.501 §6.12.3.
		It("accepts an integrity-checked registration with a new 5G-GUTI and no authentication", func() {
			old := b.ue.GUTI
			pdu, err := b.ue.GUTIRegistration()
			Expect(err).NotTo(HaveOccurred())
			tmsi, ok := b.m.PriorTMSI(pdu)
			Expect(ok).To(BeTrue())
			Expect(tmsi).To(Equal(old.TMSI))
			b.initial(pdu, &prior)
			Expect(b.u.State()).To(Equal(gmm.Registered))
			Expect(b.adopted).To(Equal([]uint64{77}))
			Expect(b.ue.Seen).To(Equal([]string{"REGISTRATION ACCEPT"}))
			Expect(b.ue.GUTI.TMSI).NotTo(Equal(old.TMSI))
			Expect(b.home.Vectors()).To(Equal(1))
			Expect(b.ics).To(HaveLen(1))
		})

		// Reference: TS 24.501 §5.4.3, §5.5.1.2.2 — unknown 5G-GUTI: identification.
		It("identifies a UE whose 5G-GUTI is unknown", func() {
			pdu, err := b.ue.GUTIRegistration()
			Expect(err).NotTo(HaveOccurred())
			b.initial(pdu, nil)
			Expect(b.u.State()).To(Equal(gmm.Registered))
			Expect(b.ue.Seen).To(Equal([]string{"IDENTITY REQUEST", "AUTHENTICATION REQUEST", "SECURITY MODE COMMAND", "REGISTRATION ACCEPT"}))
			Expect(b.adopted).To(BeEmpty())
		})

		// Reference: TS 24.501 §5.4.1.3.2 — the AMF picks an ngKSI the UE's
		// current native context does not use: no #71 round, no wasted vector.
		It("challenges with another ngKSI than the one the UE signalled", func() {
			signalled := b.ue.KSI
			pdu, err := b.ue.GUTIRegistration()
			Expect(err).NotTo(HaveOccurred())
			b.initial(pdu, nil)
			Expect(b.u.State()).To(Equal(gmm.Registered))
			Expect(b.ue.KSI).NotTo(Equal(signalled))
			Expect(b.ue.Seen).To(Equal([]string{"IDENTITY REQUEST", "AUTHENTICATION REQUEST", "SECURITY MODE COMMAND", "REGISTRATION ACCEPT"}))
			Expect(b.home.Vectors()).To(Equal(2), "one vector per registration")
		})

		// Reference: TS 24.501 §4.4.4.3 — a failed integrity check of the
		// initial message leads to identification, not to the prior context.
		It("identifies a UE whose initial message fails the integrity check", func() {
			pdu, err := b.ue.GUTIRegistration()
			Expect(err).NotTo(HaveOccurred())
			pdu[2] ^= 0xff
			b.initial(pdu, &prior)
			Expect(b.adopted).To(BeEmpty())
			Expect(b.ue.Seen[0]).To(Equal("IDENTITY REQUEST"))
			Expect(b.u.State()).To(Equal(gmm.Registered))
		})

		// Reference: TS 33.501 §6.1.3.2.2 — RES* mismatch after a 5G-GUTI:
		// identification before authentication again.
		It("identifies after a RES* mismatch when re-authenticating a 5G-GUTI", func() {
			b.m, _ = gmm.NewMachine(gmm.Config{PLMN: plmn, ReauthOnGUTI: true}, func() uint32 { b.tmsi++; return 0x1000 + b.tmsi })
			b.ue.WrongRES = true
			pdu, _ := b.ue.GUTIRegistration()
			b.initial(pdu, &prior)
			Expect(b.ue.Seen).To(Equal([]string{"AUTHENTICATION REQUEST", "IDENTITY REQUEST", "AUTHENTICATION REQUEST", "AUTHENTICATION REJECT"}))
			Expect(b.deleted).To(BeTrue())
		})

		// Reference: TS 24.501 §5.5.2.2 — UE-originating de-registration from idle.
		It("de-registers an idle UE on an integrity-checked DEREGISTRATION REQUEST", func() {
			pdu, err := b.ue.Deregistration(false, true)
			Expect(err).NotTo(HaveOccurred())
			b.initial(pdu, &prior)
			Expect(b.adopted).To(Equal([]uint64{77}))
			Expect(b.ue.Seen).To(Equal([]string{"DEREGISTRATION ACCEPT (UE ORIGINATING)"}))
			Expect(b.deleted).To(BeTrue())
			Expect(b.deregs).To(Equal(1))
		})

		It("keeps the prior context when a DEREGISTRATION REQUEST fails the integrity check", func() {
			pdu, _ := b.ue.Deregistration(true, true)
			pdu[3] ^= 1
			b.initial(pdu, &prior)
			Expect(b.adopted).To(BeEmpty())
			Expect(b.deregs).To(BeZero())
		})
	})

	// Reference: TS 24.501 §5.5.2.2.
	DescribeTable("UE-originating de-registration on the connection",
		func(switchOff bool, seen []string) {
			b.register()
			b.ue.Seen = nil
			pdu, err := b.ue.Deregistration(switchOff, false)
			Expect(err).NotTo(HaveOccurred())
			b.nas(pdu)
			Expect(b.ue.Seen).To(Equal(seen))
			Expect(b.deleted).To(BeTrue())
			Expect(b.released).To(Equal(1))
			Expect(b.deregs).To(Equal(1))
			Expect(b.u.HasSecurityContext()).To(BeFalse())
			// The state event's Detail starts with the old state (internal/metrics).
			Expect(b.count(trace.Event{Kind: trace.KindState, Name: gmm.StateContextDeleted,
				Detail: gmm.Deregistered.String() + " " + gmm.DetailKeysWiped})).To(Equal(1))
		},
		Entry("normal: DEREGISTRATION ACCEPT", false, []string{"DEREGISTRATION ACCEPT (UE ORIGINATING)"}),
		Entry("switch off: no accept", true, nil),
	)

	// Reference: TS 23.502 §4.2.2.3.2 step 2 — the SM contexts are released
	// before DEREGISTRATION ACCEPT.
	It("releases the PDU sessions before accepting a UE-originating de-registration", func() {
		b.register()
		pdu, err := b.ue.Deregistration(false, false)
		Expect(err).NotTo(HaveOccurred())
		acts := b.m.HandleNAS(&b.u, pdu)
		rel, acc := indexOf[gmm.ReleaseSessions](acts), indexOf[gmm.SendNAS](acts)
		Expect(rel).To(BeNumerically(">=", 0))
		Expect(rel).To(BeNumerically("<", acc))
		b.run(acts)
		Expect(b.deleted).To(BeTrue())
	})

	Context("network-initiated de-registration", func() {
		BeforeEach(func() { b.register() })

		// Reference: TS 23.502 §4.2.2.3.3 steps 1-2 — DEREGISTRATION REQUEST,
		// then the release of the SM contexts.
		It("releases the PDU sessions once the DEREGISTRATION REQUEST is sent", func() {
			acts := b.m.Handle(&b.u, gmm.NetworkDeregister{Reason: "SUBSCRIPTION_WITHDRAWN"})
			req, rel := indexOf[gmm.SendNAS](acts), indexOf[gmm.ReleaseSessions](acts)
			Expect(req).To(BeNumerically(">=", 0))
			Expect(rel).To(BeNumerically(">", req))
			b.run(acts)
			Expect(b.releases).NotTo(BeEmpty())
		})

		// Reference: TS 24.501 §5.5.2.3.1-§5.5.2.3.2; TS 23.502 §4.2.2.3.3.
		It("sends a protected DEREGISTRATION REQUEST with #3 and deletes the context on accept", func() {
			b.run(b.m.Handle(&b.u, gmm.NetworkDeregister{Reason: "SUBSCRIPTION_WITHDRAWN"}))
			Expect(b.ue.Deregistered).To(BeTrue())
			Expect(b.ue.DeregCause).To(Equal(nasx.CauseIllegalUE))
			Expect(b.deleted).To(BeTrue())
			Expect(b.deregs).To(Equal(1))
			Expect(b.released).To(Equal(1))
			Expect(b.count(trace.Event{Kind: trace.KindReject, Name: "DEREGISTRATION REQUEST (UE terminated)", Cause: "5GMM#3"})).To(Equal(1))
		})

		// Reference: TS 24.501 §5.5.2.3.5 a — T3522 retransmissions, abort on the fifth expiry.
		It("retransmits on T3522 and gives up on the fifth expiry", func() {
			b.manual = true
			b.run(b.m.Handle(&b.u, gmm.NetworkDeregister{Cause: nasx.Cause5GSServicesNotAllowed}))
			Expect(b.u.State()).To(Equal(gmm.DeregInitiated))
			for i := 0; i < 4; i++ {
				b.fire(gmm.T3522)
			}
			Expect(b.dl).To(HaveLen(5))
			for _, pdu := range b.dl {
				Expect(pdu[1] & 0x0f).To(Equal(nasx.SecHdrIntegrityCiphered))
			}
			Expect(b.deleted).To(BeFalse())
			b.fire(gmm.T3522)
			Expect(b.deleted).To(BeTrue())
			Expect(b.deregs).To(Equal(1))
		})

		It("deletes an idle UE's context at once", func() {
			b.run(b.m.Handle(&b.u, gmm.N2Released{}))
			b.released = 0
			b.run(b.m.Handle(&b.u, gmm.NetworkDeregister{}))
			Expect(b.deleted).To(BeTrue())
			Expect(b.released).To(BeZero())
			Expect(b.ue.Deregistered).To(BeFalse())
		})
	})

	// Reference: TS 24.501 §5.4.1.3.7 b — T3560: four retransmissions, abort on the fifth expiry.
	It("retransmits AUTHENTICATION REQUEST on T3560 and aborts on the fifth expiry", func() {
		b.manual = true
		pdu, _ := b.ue.InitialRegistration()
		b.initial(pdu, nil)
		Expect(b.u.State()).To(Equal(gmm.Authenticating))
		for i := 0; i < 4; i++ {
			b.fire(gmm.T3560)
		}
		Expect(b.dl).To(HaveLen(5))
		Expect(b.dl[4]).To(Equal(b.dl[0]))
		b.fire(gmm.T3560)
		Expect(b.deleted).To(BeTrue())
		Expect(b.released).To(Equal(1))
	})

	It("ignores stale timer expiries and SBI answers", func() {
		b.register()
		n := len(b.rec.Events())
		b.run(b.m.Handle(&b.u, gmm.TimerExpired{Timer: gmm.T3560, Gen: 1}))
		Expect(b.rec.Events()).To(HaveLen(n))
		b.run(b.m.Handle(&b.u, gmm.AUSFConfirmResult{Seq: 1}))
		Expect(b.u.State()).To(Equal(gmm.Registered))
	})

	It("hands UL NAS TRANSPORT to session management", func() {
		b.register()
		m, _ := (&nasx.ULNASTransport{PayloadContainerType: nasx.PayloadN1SM, Payload: []byte{0x2e, 1, 1, 0xc1, 0xff, 0xff}, PDUSessionID: 1}).Build()
		pdu, _ := b.ue.Protect(m)
		b.nas(pdu)
		Expect(b.forwards).To(Equal(1))
	})

	It("keeps keys out of its String form", func() {
		b.register()
		Expect(b.u.String()).NotTo(ContainSubstring("["))
		Expect(b.u.String()).To(ContainSubstring("REGISTERED"))
	})
})

// aheadOfHome makes the USIM's SQN array ahead of the home network's SQN in
// every IND entry, so the next vector fails the freshness check.
func aheadOfHome(ue *scripted.UE) {
	for i := uint8(0); i < aka.ArraySize; i++ {
		ue.SQN.Accept(aka.NewSQN(5000, i))
	}
}

func gmmCause(c uint8) string { return "5GMM#" + itoa(c) }

func itoa(c uint8) string {
	if c >= 100 {
		return string([]byte{'0' + c/100, '0' + c/10%10, '0' + c%10})
	}
	if c >= 10 {
		return string([]byte{'0' + c/10, '0' + c%10})
	}
	return string([]byte{'0' + c})
}

func mustBuild(m nasx.Msg) []byte {
	b, err := m.Build()
	if err != nil {
		panic(err)
	}
	return b
}

// indexOf returns the index of the first action of type T, or -1.
func indexOf[T gmm.Action](acts []gmm.Action) int {
	for i, a := range acts {
		if _, ok := a.(T); ok {
			return i
		}
	}
	return -1
}
