package gmm_test

import (
	"bytes"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/suci"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/ue/gmm"
	"github.com/credbed/credbed/ue/internal/netsim"
	"github.com/credbed/credbed/ue/usim"
)

func u8(v uint8) *uint8 { return &v }

var _ = Describe("UE 5GMM transition table", Label("conformance"), func() {
	// Reference: STYLE.md "transition tables as data"; TS 24.501 §5.1.3.2.1 (states), §7.4 (STATUS #97/#98).
	It("handles, ignores, refuses or answers every (state, event) pair", func() {
		cells := gmm.Table()
		Expect(cells).To(HaveLen(len(gmm.States()) * len(gmm.EventKinds())))
		for _, c := range cells {
			Expect(c.Disposition).NotTo(BeZero(), "hole at %s x %s", c.State, c.Event)
			if c.Disposition == gmm.Handle {
				Expect(c.Handler).NotTo(BeEmpty(), "%s x %s", c.State, c.Event)
			}
		}
	})

	// Reference: TS 24.501 §4.4.4.2: no DL message reaches a 5GMM handler in a
	// state that cannot use it; user requests are refused, not queued.
	It("refuses user requests that do not fit the state", func() {
		b := newBed(ident.SchemeProfileA, nil)
		_, err := b.m.Handle(gmm.Deregister{})
		Expect(err).To(MatchError(gmm.ErrNotRegistered))
		_, err = b.m.Handle(gmm.SendSM{PDUSessionID: 1, Payload: []byte{0x2e, 1, 1, 0xc1}})
		Expect(err).To(MatchError(gmm.ErrNotRegistered))
		b.do(gmm.Register{})
		_, err = b.m.Handle(gmm.Register{})
		Expect(err).To(MatchError(gmm.ErrBusy))
		_, err = b.m.Handle(nil)
		Expect(err).To(MatchError(gmm.ErrBadEvent))
	})
})

var _ = Describe("UE initial registration with SUCI and 5G AKA", Label("conformance"), func() {
	// Reference: TS 24.501 §5.5.1.2.2, §4.4.6; TS 33.501 §6.1.3.2, §6.7.2, §6.12.2.
	It("registers step by step: SUCI, RES*, SMC COMPLETE with the full request, REGISTRATION COMPLETE", func() {
		b := newBed(ident.SchemeProfileA, nil)
		out := b.do(gmm.Register{})
		Expect(b.m.State()).To(Equal(gmm.StateRegisteredInitiated))
		Expect(timerOps(out, gmm.T3510)).To(ConsistOf(gmm.TimerOp{Timer: gmm.T3510, Start: true, After: gmm.DefaultT3510}))
		msg, hdr := b.ul(out)
		Expect(hdr).To(Equal(nasx.SecHdrPlain))
		req := msg.(*nasx.RegistrationRequest)
		Expect(req.NgKSI.KSI).To(Equal(nasx.KSINoKey))
		Expect(nasx.IdentityType(req.MobileIdentity)).To(Equal(nasx.IdentitySUCI))
		Expect(req.RequestedNSSAI).To(BeEmpty(), "initial message carries cleartext IEs only")
		s, err := ident.ParseSUCINAS(req.MobileIdentity)
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Scheme).To(Equal(ident.SchemeProfileA))
		supi, err := suci.Deconceal(s, b.net.Ring)
		Expect(err).NotTo(HaveOccurred())
		Expect(supi).To(Equal(b.sim.SUPI()))
		b.net.UECaps = req.UESecurityCapability

		out = b.dl(b.net.AuthRequest(netsim.AuthOptions{}))
		msg, hdr = b.ul(out)
		Expect(hdr).To(Equal(nasx.SecHdrPlain))
		Expect(b.net.CheckRESStar(msg.(*nasx.AuthenticationResponse).RESStar)).To(Succeed())
		for _, k := range []string{gmm.KeyKAUSF, gmm.KeyKSEAF, gmm.KeyKAMF} {
			Expect(b.events(trace.Event{Kind: trace.KindKey, Name: k})).To(HaveLen(1))
		}
		Expect(b.m.HasSecurityContext()).To(BeFalse(), "authentication alone activates nothing")

		out = b.dl(b.net.SMC(netsim.SMCOptions{}))
		msg, hdr = b.ul(out)
		Expect(hdr).To(Equal(nasx.SecHdrIntegrityCipheredNewCtx))
		comp := msg.(*nasx.SecurityModeComplete)
		full, err := nasx.Parse(comp.NASMessageContainer)
		Expect(err).NotTo(HaveOccurred())
		Expect(full.(*nasx.RegistrationRequest).RequestedNSSAI).To(Equal([]nasx.SNSSAI{{SST: 1}}))
		Expect(full.(*nasx.RegistrationRequest).MobileIdentity).To(Equal(req.MobileIdentity))
		Expect(b.m.HasSecurityContext()).To(BeTrue())
		Expect(b.events(trace.Event{Kind: trace.KindKey, Name: gmm.KeyKNASint})).To(HaveLen(1))

		out = b.dl(b.net.Accept())
		msg, hdr = b.ul(out)
		Expect(msg).To(BeAssignableToTypeOf(&nasx.RegistrationComplete{}))
		Expect(hdr).To(Equal(nasx.SecHdrIntegrityCiphered))
		Expect(out.Done).To(ConsistOf(gmm.Outcome{Procedure: gmm.ProcRegistration, Accepted: true, Reason: gmm.ReasonAccepted, Protected: true}))
		Expect(timerOps(out, gmm.T3510)).To(ConsistOf(gmm.TimerOp{Timer: gmm.T3510}))
		Expect(b.m.State()).To(Equal(gmm.StateRegistered))
		g, ok := b.m.GUTI()
		Expect(ok).To(BeTrue())
		Expect(g).To(Equal(b.net.GUTI))
		Expect(b.m.T3512()).To(BeNumerically(">", 0))
		_, ok = b.m.KAUSF()
		Expect(ok).To(BeTrue())
		Expect(b.events(trace.Event{Kind: trace.KindState, Name: "5GMM-REGISTERED"})).To(HaveLen(1))
	})

	// Reference: TS 33.501 §6.12.2 (fresh SUCI per request).
	It("conceals the SUPI afresh for every registration", func() {
		b := newBed(ident.SchemeProfileB, nil)
		out1 := b.do(gmm.Register{})
		b.m.PowerCycle()
		out2 := b.do(gmm.Register{ForceSUCI: true})
		Expect(out1.Uplink[0].PDU).NotTo(Equal(out2.Uplink[0].PDU))
	})

	// Reference: TS 33.501 §6.12.2 (null scheme only without a home network key).
	It("uses and flags the null scheme when the USIM has no home network key", func() {
		b := newBed(ident.SchemeNull, nil)
		Expect(b.register().Accepted).To(BeTrue())
		Expect(b.events(trace.Event{Kind: trace.KindNote, Name: gmm.NoteNullSchemeSUCI})).To(HaveLen(1))
	})

	It("refuses to register with an empty USIM slot", func() {
		b := newBed(ident.SchemeNull, nil)
		b.sim.Wipe()
		_, err := b.m.Handle(gmm.Register{})
		Expect(err).To(MatchError(gmm.ErrNoCredential))
	})
})

var _ = Describe("UE authentication failures", Label("conformance"), func() {
	var b *bed
	BeforeEach(func() {
		b = newBed(ident.SchemeProfileA, nil)
		out := b.do(gmm.Register{})
		msg, _ := b.ul(out)
		b.net.UECaps = msg.(*nasx.RegistrationRequest).UESecurityCapability
	})

	authFailure := func(out gmm.Output) *nasx.AuthenticationFailure {
		msg, _ := b.ul(out)
		Expect(msg).To(BeAssignableToTypeOf(&nasx.AuthenticationFailure{}))
		return msg.(*nasx.AuthenticationFailure)
	}

	// Reference: TS 33.102 §6.3.3; TS 24.501 §5.4.1.3.5 (a) MAC failure -> #20, T3520.
	It("answers a wrong MAC-A with AUTHENTICATION FAILURE #20 and starts T3520", func() {
		out := b.dl(b.net.AuthRequest(netsim.AuthOptions{CorruptMAC: true}))
		f := authFailure(out)
		Expect(f.Cause).To(Equal(nasx.CauseMACFailure))
		Expect(f.AUTS).To(BeNil())
		Expect(timerOps(out, gmm.T3520)).To(ContainElement(gmm.TimerOp{Timer: gmm.T3520, Start: true, After: gmm.DefaultT3520}))
		Expect(b.events(trace.Event{Kind: trace.KindReject, Cause: "5GMM#20"})).To(HaveLen(1))
		Expect(b.m.State()).To(Equal(gmm.StateRegisteredInitiated))
		// A genuine challenge afterwards succeeds and stops T3520.
		out = b.dl(b.net.AuthRequest(netsim.AuthOptions{}))
		msg, _ := b.ul(out)
		Expect(b.net.CheckRESStar(msg.(*nasx.AuthenticationResponse).RESStar)).To(Succeed())
		Expect(timerOps(out, gmm.T3520)).To(ContainElement(gmm.TimerOp{Timer: gmm.T3520}))
	})

	// Reference: TS 33.102 §6.3.3, §6.3.5 and Annex C.2; TS 24.501 §5.4.1.3.5 (b) synch failure -> #21 with AUTS.
	It("answers a stale SQN with #21 and an AUTS the home network verifies, then accepts the resynchronised vector", func() {
		c, ring := testCredential(seededReader(), ident.SchemeProfileA)
		c.SQN = aka.NewSQN(1000, 3)
		sim, err := usim.New(c)
		Expect(err).NotTo(HaveOccurred())
		b.sim, b.m, b.net = sim, gmm.New(b.cfg, sim, seededReader()), netsim.New(c, ring, seededReader())
		msg, _ := b.ul(b.do(gmm.Register{}))
		b.net.UECaps = msg.(*nasx.RegistrationRequest).UESecurityCapability

		stale := aka.NewSQN(5, 3)
		f := authFailure(b.dl(b.net.AuthRequest(netsim.AuthOptions{SQN: &stale})))
		Expect(f.Cause).To(Equal(nasx.CauseSynchFailure))
		Expect(f.AUTS).To(HaveLen(aka.AUTSLen))
		Expect(b.net.Resync(f.AUTS)).To(Succeed())
		Expect(b.net.SQN).To(Equal(aka.NewSQN(1000, 3)), "AUTS carries SQN_MS")
		out := b.dl(b.net.AuthRequest(netsim.AuthOptions{}))
		msg, _ = b.ul(out)
		Expect(b.net.CheckRESStar(msg.(*nasx.AuthenticationResponse).RESStar)).To(Succeed())
		Expect(b.sim.HighestSQN()).To(Equal(aka.NewSQN(1001, 4)))
	})

	// Reference: TS 33.501 §6.1.3.2 step 7; TS 24.501 §5.4.1.3.5 (c) -> #26.
	It("answers a vector whose AMF separation bit is 0 with #26", func() {
		amf := [2]byte{0x00, 0x00}
		f := authFailure(b.dl(b.net.AuthRequest(netsim.AuthOptions{AMF: &amf})))
		Expect(f.Cause).To(Equal(nasx.CauseNon5GAuthenticationUnacceptable))
	})

	// Reference: TS 24.501 §5.4.1.3.7 (three consecutive failures), 3gpp.md §2.7.
	It("deems the network not genuine after three consecutive failures and releases the connection", func() {
		var out gmm.Output
		for i := 0; i < gmm.MaxAuthFailures; i++ {
			out = b.dl(b.net.AuthRequest(netsim.AuthOptions{CorruptMAC: true}))
			Expect(authFailure(out).Cause).To(Equal(nasx.CauseMACFailure))
		}
		Expect(out.Release).To(BeTrue())
		Expect(out.Done).To(ConsistOf(gmm.Outcome{Procedure: gmm.ProcRegistration, Reason: gmm.ReasonNetworkNotGenuine}))
		Expect(b.m.State()).To(Equal(gmm.StateDeregistered))
		Expect(b.events(trace.Event{Kind: trace.KindNote, Name: gmm.NoteNetworkNotGenuine})).To(HaveLen(1))
	})

	// Reference: TS 24.501 §5.4.1.3.7 (T3520 expiry).
	It("deems the network not genuine when T3520 expires", func() {
		b.dl(b.net.AuthRequest(netsim.AuthOptions{CorruptMAC: true}))
		out := b.do(gmm.TimerExpired{Timer: gmm.T3520})
		Expect(out.Release).To(BeTrue())
		Expect(out.Done[0].Reason).To(Equal(gmm.ReasonNetworkNotGenuine))
	})

	// Reference: TS 24.501 §5.4.1.3.5 (AUTHENTICATION REJECT), §4.4.4.2 (accepted unprotected).
	It("treats the USIM as invalid after AUTHENTICATION REJECT and records that it was unprotected", func() {
		out := b.dl((&nasx.AuthenticationReject{}).Build())
		Expect(out.Done).To(ConsistOf(gmm.Outcome{Procedure: gmm.ProcRegistration, Reason: gmm.ReasonAuthReject, USIMInvalid: true}))
		Expect(b.events(trace.Event{Kind: trace.KindReject, Name: "AUTHENTICATION REJECT"})[0].Detail).To(Equal("unprotected"))
		_, err := b.m.Handle(gmm.Register{})
		Expect(err).To(MatchError(gmm.ErrUSIMInvalid))
		b.m.PowerCycle()
		b.do(gmm.Register{})
	})
})

var _ = Describe("UE security mode control", Label("conformance"), func() {
	var b *bed
	BeforeEach(func() {
		b = newBed(ident.SchemeProfileA, nil)
		msg, _ := b.ul(b.do(gmm.Register{}))
		b.net.UECaps = msg.(*nasx.RegistrationRequest).UESecurityCapability
		b.dl(b.net.AuthRequest(netsim.AuthOptions{}))
	})

	smReject := func(out gmm.Output) uint8 {
		msg, hdr := b.ul(out)
		Expect(hdr).To(Equal(nasx.SecHdrPlain), "no previous context: the reject goes unprotected")
		Expect(msg).To(BeAssignableToTypeOf(&nasx.SecurityModeReject{}))
		return msg.(*nasx.SecurityModeReject).Cause
	}

	// Reference: TS 33.501 §6.7.2 (bidding-down protection); TS 24.501 §5.4.2.5 -> #23.
	It("rejects replayed UE security capabilities that differ from what it sent with #23", func() {
		out := b.dl(b.net.SMC(netsim.SMCOptions{Replayed: nasx.NewUESecurityCapability(0x80, 0x20)}))
		Expect(smReject(out)).To(Equal(nasx.CauseUESecurityCapabilitiesMismatch))
		Expect(b.m.HasSecurityContext()).To(BeFalse())
		Expect(b.events(trace.Event{Kind: trace.KindReject, Name: "SECURITY MODE REJECT", Cause: "5GMM#23"})).To(HaveLen(1))
	})

	// Reference: TS 33.501 §5.5.2 (NIA0 only for unauthenticated emergency), §6.7.2 -> #24.
	It("refuses NIA0 outside emergency services with #24", func() {
		out := b.dl(b.net.SMC(netsim.SMCOptions{Int: nassec.NIA0, IntSet: true, Enc: nassec.NEA0, EncSet: true}))
		Expect(smReject(out)).To(Equal(nasx.CauseSecurityModeRejectedUnspecified))
		Expect(b.m.HasSecurityContext()).To(BeFalse())
	})

	// Reference: TS 33.501 §6.7.2: the UE verifies the SMC with the new context.
	It("rejects a SECURITY MODE COMMAND whose MAC does not verify with #24", func() {
		out := b.dl(b.net.SMC(netsim.SMCOptions{Corrupt: true}))
		Expect(smReject(out)).To(Equal(nasx.CauseSecurityModeRejectedUnspecified))
		Expect(b.events(trace.Event{Kind: trace.KindDrop, Name: "SECURITY MODE COMMAND"})).To(HaveLen(1))
		Expect(b.m.HasSecurityContext()).To(BeFalse())
	})

	// Reference: TS 24.501 §9.3.1: SECURITY MODE COMMAND arrives with header type 3.
	It("drops a plain SECURITY MODE COMMAND", func() {
		out := b.dl((&nasx.SecurityModeCommand{Ciphering: 2, Integrity: 2, NgKSI: nasx.NgKSI{KSI: 0},
			ReplayedUESecurityCapability: b.net.UECaps}).Build())
		Expect(out.Uplink).To(BeEmpty())
		Expect(b.events(trace.Event{Kind: trace.KindDrop, Name: "SECURITY MODE COMMAND"})).To(HaveLen(1))
	})
})

var _ = Describe("UE NAS security after activation", Label("conformance"), func() {
	var b *bed
	BeforeEach(func() {
		b = newBed(ident.SchemeProfileA, nil)
		Expect(b.register().Accepted).To(BeTrue())
		b.ev = nil
	})

	dlTransport := func() ([]byte, error) {
		return b.net.Protect(&nasx.DLNASTransport{PayloadContainerType: nasx.PayloadN1SM, Payload: []byte{0x2e, 1, 1, 0xd6, 0x6f}, PDUSessionID: 1},
			nasx.SecHdrIntegrityCiphered)
	}

	// Reference: TS 33.501 §6.4.3.2 (replay protection); TS 24.501 §4.4.3.
	It("drops a replayed downlink NAS message", func() {
		pdu, err := dlTransport()
		Expect(err).NotTo(HaveOccurred())
		Expect(b.dl(pdu, nil).SM).To(HaveLen(1))
		out := b.dl(pdu, nil)
		Expect(out.SM).To(BeEmpty())
		Expect(out.Uplink).To(BeEmpty())
		d := b.events(trace.Event{Kind: trace.KindDrop})
		Expect(d).To(HaveLen(1))
		Expect(d[0].Detail).To(ContainSubstring("replayed"))
		Expect(d[0].Cause).To(Equal(gmm.DropReplay), "the reason token is the Cause (internal/metrics)")
	})

	// Reference: TS 33.501 §6.4.3.2; TS 24.501 §4.4.4.2 (integrity check failure -> discard).
	It("drops a downlink NAS message with a tampered MAC", func() {
		pdu, err := dlTransport()
		Expect(err).NotTo(HaveOccurred())
		pdu[3] ^= 0x01
		out := b.dl(pdu, nil)
		Expect(out.SM).To(BeEmpty())
		Expect(b.events(trace.Event{Kind: trace.KindDrop})[0].Detail).To(ContainSubstring("MAC failure"))
		Expect(b.events(trace.Event{Kind: trace.KindDrop})[0].Cause).To(Equal(gmm.DropMACFailure))
		// The genuine message with the same COUNT is still accepted afterwards.
		pdu[3] ^= 0x01
		Expect(b.dl(pdu, nil).SM).To(HaveLen(1))
	})

	// Reference: TS 24.501 §4.4.4.2: a plain message not on the list is not processed.
	It("drops plain messages that need integrity protection", func() {
		out := b.dl((&nasx.DLNASTransport{PayloadContainerType: nasx.PayloadN1SM, Payload: []byte{0x2e, 1, 1, 0xd6, 0x6f}}).Build())
		Expect(out.SM).To(BeEmpty())
		out = b.dl((&nasx.IdentityRequest{IdentityType: nasx.IdentityIMEI}).Build())
		Expect(out.Uplink).To(BeEmpty())
		Expect(b.events(trace.Event{Kind: trace.KindDrop})).To(HaveLen(2))
	})

	// Reference: TS 24.501 §4.4.4.2 and §5.5.2.3: an unprotected UE-terminated DEREGISTRATION REQUEST is discarded.
	It("discards an unprotected network-initiated DEREGISTRATION REQUEST", func() {
		out := b.dl((&nasx.DeregistrationRequestUETerminated{AccessType: nasx.Access3GPP, Cause: u8(nasx.CauseIllegalUE)}).Build())
		Expect(out.Uplink).To(BeEmpty())
		Expect(out.Done).To(BeEmpty())
		Expect(b.m.State()).To(Equal(gmm.StateRegistered))
		Expect(b.m.USIMInvalid()).To(BeFalse())
		d := b.events(trace.Event{Kind: trace.KindDrop})
		Expect(d).To(HaveLen(1))
		Expect(d[0].Name).To(Equal("DEREGISTRATION REQUEST (UE TERMINATED)"))
		Expect(d[0].Detail).To(ContainSubstring("not integrity protected"))
		Expect(d[0].Cause).To(Equal(gmm.DropNotProtected))
	})

	// Reference: TS 24.501 §5.5.2.3.2, §5.5.2.3.4 (cause #3: USIM invalid for 5GS).
	It("accepts a protected network-initiated DEREGISTRATION REQUEST and applies cause #3", func() {
		out := b.dl(b.net.Protect(&nasx.DeregistrationRequestUETerminated{AccessType: nasx.Access3GPP, Cause: u8(nasx.CauseIllegalUE)},
			nasx.SecHdrIntegrityCiphered))
		msg, hdr := b.ul(out)
		Expect(msg).To(BeAssignableToTypeOf(&nasx.DeregistrationAcceptUETerminated{}))
		Expect(hdr).To(Equal(nasx.SecHdrIntegrityCiphered))
		Expect(out.Done).To(ConsistOf(gmm.Outcome{Procedure: gmm.ProcNetworkDeregistration, Reason: gmm.ReasonDeregistered,
			Cause: nasx.CauseIllegalUE, Protected: true, USIMInvalid: true}))
		Expect(b.m.State()).To(Equal(gmm.StateDeregistered))
		Expect(b.m.HasSecurityContext()).To(BeFalse())
		_, ok := b.m.GUTI()
		Expect(ok).To(BeFalse())
		Expect(b.events(trace.Event{Kind: trace.KindReject, Cause: "5GMM#3"})).To(HaveLen(1))
		_, err := b.m.Handle(gmm.Register{})
		Expect(err).To(MatchError(gmm.ErrUSIMInvalid))
	})

	// Reference: TS 24.501 §5.5.2.3.2 (re-registration required).
	It("registers again when the network de-registers it with re-registration required", func() {
		out := b.dl(b.net.Protect(&nasx.DeregistrationRequestUETerminated{AccessType: nasx.Access3GPP, ReRegistrationRequired: true},
			nasx.SecHdrIntegrityCiphered))
		Expect(out.Uplink).To(HaveLen(2))
		Expect(out.Uplink[1].Message).To(Equal(nasx.MsgRegistrationRequest))
		Expect(b.m.State()).To(Equal(gmm.StateRegisteredInitiated))
	})

	// Reference: TS 24.501 §5.5.2.2 (UE-originating de-registration, T3521).
	It("de-registers with DEREGISTRATION ACCEPT and retransmits on T3521", func() {
		out := b.do(gmm.Deregister{})
		Expect(timerOps(out, gmm.T3521)).To(ContainElement(gmm.TimerOp{Timer: gmm.T3521, Start: true, After: gmm.DefaultT3521}))
		req, hdr := b.ul(out)
		Expect(hdr).To(Equal(nasx.SecHdrIntegrityCiphered))
		g, _ := b.m.GUTI()
		mi, _ := g.MarshalNAS()
		Expect(req.(*nasx.DeregistrationRequestUEOriginating).MobileIdentity).To(Equal(mi))
		for i := 1; i < gmm.MaxDeregAttempts; i++ {
			out = b.do(gmm.TimerExpired{Timer: gmm.T3521})
			Expect(out.Uplink).To(HaveLen(1))
		}
		done := b.serve(out)
		Expect(done).To(ConsistOf(gmm.Outcome{Procedure: gmm.ProcDeregistration, Accepted: true, Reason: gmm.ReasonAccepted, Protected: true}))
		Expect(b.m.State()).To(Equal(gmm.StateDeregistered))
	})

	It("aborts the de-registration locally on the fifth T3521 expiry", func() {
		b.do(gmm.Deregister{})
		var out gmm.Output
		for i := 0; i < gmm.MaxDeregAttempts; i++ {
			out = b.do(gmm.TimerExpired{Timer: gmm.T3521})
		}
		Expect(out.Done).To(ConsistOf(gmm.Outcome{Procedure: gmm.ProcDeregistration, Reason: gmm.ReasonTimeout}))
	})

	// Reference: TS 24.501 §5.5.2.2.1 (switch-off: no DEREGISTRATION ACCEPT expected).
	It("de-registers at switch-off without waiting", func() {
		out := b.do(gmm.Deregister{SwitchOff: true})
		req, _ := b.ul(out)
		Expect(req.(*nasx.DeregistrationRequestUEOriginating).SwitchOff).To(BeTrue())
		Expect(out.Done).To(ConsistOf(gmm.Outcome{Procedure: gmm.ProcDeregistration, Accepted: true, Reason: gmm.ReasonAccepted}))
		Expect(b.m.State()).To(Equal(gmm.StateDeregistered))
		Expect(b.m.HasSecurityContext()).To(BeTrue(), "the context survives switch-off")
	})

	// Reference: TS 24.501 §5.5.1.2.2 and §4.4.6 (initial message integrity protected with the current context).
	It("registers with its 5G-GUTI and an integrity-protected REGISTRATION REQUEST", func() {
		b.do(gmm.Deregister{SwitchOff: true})
		b.m.PowerCycle()
		ksi := b.m.NgKSI()
		out := b.do(gmm.Register{})
		Expect(out.Uplink).To(HaveLen(1))
		h, inner, err := nassec.Split(out.Uplink[0].PDU)
		Expect(err).NotTo(HaveOccurred())
		Expect(h.SecHdr).To(Equal(nasx.SecHdrIntegrity))
		req, err := nasx.Parse(inner)
		Expect(err).NotTo(HaveOccurred())
		r := req.(*nasx.RegistrationRequest)
		Expect(nasx.IdentityType(r.MobileIdentity)).To(Equal(nasx.IdentityGUTI))
		Expect(r.NgKSI.KSI).To(Equal(ksi))
		Expect(r.RequestedNSSAI).To(BeEmpty())
		old, _ := b.m.GUTI()
		done := b.serve(gmm.Output{Uplink: out.Uplink})
		Expect(done).To(ConsistOf(gmm.Outcome{Procedure: gmm.ProcRegistration, Accepted: true, Reason: gmm.ReasonAccepted, Protected: true}))
		g, _ := b.m.GUTI()
		Expect(g).NotTo(Equal(old))
	})

	// Reference: TS 24.501 §5.4.3 (identification), §4.4.4.2 (IDENTITY REQUEST for SUCI accepted unprotected).
	It("answers IDENTITY REQUEST with a fresh SUCI", func() {
		b.do(gmm.Deregister{SwitchOff: true})
		b.m.PowerCycle()
		b.do(gmm.Register{})
		out := b.dl((&nasx.IdentityRequest{IdentityType: nasx.IdentitySUCI}).Build())
		msg, hdr := b.ul(out)
		// No secure exchange on the new connection yet: the network may have
		// lost the context, so the answer goes plain (TS 24.501 §4.4.5).
		Expect(hdr).To(Equal(nasx.SecHdrPlain))
		mi := msg.(*nasx.IdentityResponse).MobileIdentity
		supi, err := suci.DeconcealNAS(mi, b.net.Ring)
		Expect(err).NotTo(HaveOccurred())
		Expect(supi).To(Equal(b.sim.SUPI()))
	})

	// Reference: TS 24.501 §5.4.1.3.5 (c) ngKSI already in use -> #71.
	It("answers an AUTHENTICATION REQUEST reusing the current ngKSI with #71", func() {
		ksi := b.m.NgKSI()
		out := b.dl(b.net.AuthRequest(netsim.AuthOptions{KSI: &ksi}))
		msg, _ := b.ul(out)
		Expect(msg.(*nasx.AuthenticationFailure).Cause).To(Equal(nasx.CauseNgKSIAlreadyInUse))
	})

	// Reference: TS 24.501 §7.4 (message type not compatible with the protocol state).
	It("answers a message that does not fit the state with 5GMM STATUS #98", func() {
		out := b.dl(b.net.Protect(&nasx.RegistrationReject{Cause: nasx.CauseCongestion}, nasx.SecHdrIntegrityCiphered))
		msg, _ := b.ul(out)
		Expect(msg.(*nasx.Status5GMM).Cause).To(Equal(nasx.CauseMessageTypeNotCompatibleWithProtocolState))
		Expect(b.m.State()).To(Equal(gmm.StateRegistered))
	})
})

var _ = Describe("UE registration reject handling", Label("conformance"), func() {
	var b *bed
	BeforeEach(func() {
		b = newBed(ident.SchemeProfileA, nil)
		b.do(gmm.Register{})
	})

	// Reference: TS 24.501 §5.5.1.2.5 (#3: USIM invalid, no automatic retry); 3gpp.md §2.7 (unprotected reject, X4).
	It("treats the USIM as invalid after an unprotected REGISTRATION REJECT #3 and records it as unprotected", func() {
		out := b.dl((&nasx.RegistrationReject{Cause: nasx.CauseIllegalUE}).Build())
		Expect(out.Uplink).To(BeEmpty())
		Expect(out.Done).To(ConsistOf(gmm.Outcome{Procedure: gmm.ProcRegistration, Reason: gmm.ReasonRejected,
			Cause: nasx.CauseIllegalUE, USIMInvalid: true}))
		r := b.events(trace.Event{Kind: trace.KindReject, Name: "REGISTRATION REJECT", Cause: "5GMM#3"})
		Expect(r).To(HaveLen(1))
		Expect(r[0].Detail).To(Equal("unprotected"))
		Expect(b.m.USIMInvalid()).To(BeTrue())
		_, err := b.m.Handle(gmm.Register{})
		Expect(err).To(MatchError(gmm.ErrUSIMInvalid))
	})

	// Reference: TS 24.501 §5.5.1.2.5 (#9: delete the GUTI and register with SUCI).
	It("registers again with a SUCI after #9", func() {
		out := b.dl((&nasx.RegistrationReject{Cause: nasx.CauseUEIdentityCannotBeDerived}).Build())
		Expect(out.Done).To(BeEmpty())
		Expect(out.Uplink).To(HaveLen(1))
		Expect(out.Uplink[0].Message).To(Equal(nasx.MsgRegistrationRequest))
		out = b.dl((&nasx.RegistrationReject{Cause: nasx.CauseUEIdentityCannotBeDerived}).Build())
		Expect(out.Done).To(HaveLen(1), "only one automatic retry per request")
	})

	// Reference: TS 24.501 §5.5.1.2.5 (#22 with T3346).
	It("reports the back-off timer of a congestion reject", func() {
		t := nasx.NewGPRSTimer2(120e9)
		out := b.dl((&nasx.RegistrationReject{Cause: nasx.CauseCongestion, T3346: &t}).Build())
		Expect(out.Done[0].T3346).To(BeNumerically("==", 120e9))
		Expect(b.m.USIMInvalid()).To(BeFalse())
	})

	// Reference: TS 24.501 §5.5.1.2.7 (T3510 expiry).
	It("gives up when T3510 expires", func() {
		out := b.do(gmm.TimerExpired{Timer: gmm.T3510})
		Expect(out.Done).To(ConsistOf(gmm.Outcome{Procedure: gmm.ProcRegistration, Reason: gmm.ReasonTimeout}))
		Expect(b.m.State()).To(Equal(gmm.StateDeregistered))
	})

	It("aborts when the connection is released", func() {
		out := b.do(gmm.ConnectionReleased{})
		Expect(out.Done[0].Reason).To(Equal(gmm.ReasonReleased))
	})

	It("ignores garbage without panicking", func() {
		for _, p := range [][]byte{nil, {0x7e}, {0x2e, 1, 1, 0xc2}, {0x7e, 0x02, 1, 2, 3, 4, 5, 0x7e, 0, 0x42}, bytes.Repeat([]byte{0xff}, 40)} {
			out := b.do(gmm.Downlink{PDU: p})
			Expect(out.Uplink).To(BeEmpty())
		}
	})
})
