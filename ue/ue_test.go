package ue_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/gmm"
	"github.com/credbed/credbed/ue/usim"
)

type gmmMessage = gmm.Message

func gmmConfig() gmm.Config { return gmm.Config{RequestedNSSAI: []nasx.SNSSAI{{SST: 1}}} }

func u8(v uint8) *uint8 { return &v }

var _ = Describe("UE registration API", Label("conformance"), func() {
	// Reference: TS 24.501 §5.5.1.2; TS 33.501 §6.1.3.2, §6.7.2.
	It("registers with SUCI and 5G AKA and reports the messages it saw", func() {
		f := newFixture(ident.SchemeProfileA, nil)
		res := f.register()
		Expect(res.Accepted).To(BeTrue())
		Expect(res.GUTI).To(Equal(f.net.GUTI))
		Expect(names(res.Messages)).To(Equal([]string{
			"UL REGISTRATION REQUEST (sechdr 0)",
			"DL AUTHENTICATION REQUEST (sechdr 0)",
			"UL AUTHENTICATION RESPONSE (sechdr 0)",
			"DL SECURITY MODE COMMAND (sechdr 3)",
			"UL SECURITY MODE COMPLETE (sechdr 4)",
			"DL REGISTRATION ACCEPT (sechdr 2)",
			"UL REGISTRATION COMPLETE (sechdr 2)",
		}))
		Expect(f.u.Registered()).To(BeTrue())
		Expect(f.u.HasSecurityContext()).To(BeTrue())
		g, ok := f.u.GUTI()
		Expect(ok).To(BeTrue())
		Expect(g).To(Equal(f.net.GUTI))
		actor := "ue/" + f.cred.SUPI.String()
		Expect(f.events(trace.Event{Kind: trace.KindMessage, Actor: actor, Iface: trace.IfaceN1})).To(HaveLen(7))
		Expect(f.events(trace.Event{Kind: trace.KindMessage, Name: "SECURITY MODE COMPLETE", Actor: actor})[0].Detail).To(Equal("ul sht=4"))
		for _, k := range []string{gmm.KeyKAUSF, gmm.KeyKSEAF, gmm.KeyKAMF, gmm.KeyKNASint, gmm.KeyKNASenc} {
			Expect(f.events(trace.Event{Kind: trace.KindKey, Name: k, SUPI: f.cred.SUPI.String()})).To(HaveLen(1), k)
		}
		Expect(f.events(trace.Event{Kind: trace.KindState, Name: "5GMM-REGISTERED"})).To(HaveLen(1))
		_, err := f.u.Register(context.Background())
		Expect(err).To(MatchError(ue.ErrRegistered))
	})

	// Reference: TS 33.102 §6.3.5, TS 33.501 §6.1.3.3 (resynchronisation inside registration).
	It("resynchronises a USIM whose SQN is ahead of the network", func() {
		f := newFixture(ident.SchemeProfileA, func(c *usim.Credential) { c.SQN = aka.NewSQN(1<<20, 1) })
		f.net.SQN = aka.NewSQN(5, 0)
		res := f.register()
		Expect(res.Accepted).To(BeTrue())
		Expect(names(res.Messages)).To(ContainElement("UL AUTHENTICATION FAILURE (sechdr 0)"))
		Expect(f.events(trace.Event{Kind: trace.KindReject, Cause: "5GMM#21"})).To(HaveLen(1))
	})

	// Reference: TS 24.501 §5.5.1.2.2, §4.4.6 (5G-GUTI registration with an integrity-protected request).
	It("registers again with its 5G-GUTI after a switch-off de-registration", func() {
		f := newFixture(ident.SchemeProfileA, nil)
		f.register()
		Expect(f.u.Deregister(context.Background(), true)).To(Succeed())
		Expect(f.u.State()).To(Equal(gmm.StateDeregistered))
		res := f.register()
		Expect(res.Accepted).To(BeTrue())
		Expect(names(res.Messages)).To(Equal([]string{
			"UL REGISTRATION REQUEST (sechdr 1)",
			"DL REGISTRATION ACCEPT (sechdr 2)",
			"UL REGISTRATION COMPLETE (sechdr 2)",
		}))
	})

	// Reference: TS 24.501 §5.5.2.2 (UE-originating de-registration, not switch-off).
	It("de-registers and waits for DEREGISTRATION ACCEPT", func() {
		f := newFixture(ident.SchemeProfileB, nil)
		f.register()
		Expect(f.u.Deregister(context.Background(), false)).To(Succeed())
		Expect(f.u.State()).To(Equal(gmm.StateDeregistered))
		Expect(f.net.Seen).To(ContainElement(nasx.MsgDeregistrationRequestUEOriginating))
		Expect(f.u.Deregister(context.Background(), false)).To(MatchError(ue.ErrNotRegistered))
	})

	// Reference: TS 24.501 §5.5.1.2.5 (#3); 3gpp.md §2.7 (an unprotected reject is recorded as such).
	It("returns a REGISTRATION REJECT as a value and refuses to retry until power cycle", func() {
		f := newFixture(ident.SchemeProfileA, nil)
		f.radio.hook = func([]byte) ([][]byte, bool) {
			b, _ := (&nasx.RegistrationReject{Cause: nasx.CauseIllegalUE}).Build()
			return [][]byte{b}, true
		}
		res := f.register()
		Expect(res.Accepted).To(BeFalse())
		Expect(res.Reason).To(Equal(gmm.ReasonRejected))
		Expect(res.CauseString()).To(Equal("5GMM#3"))
		Expect(res.Protected).To(BeFalse())
		Expect(res.USIMInvalid).To(BeTrue())
		Expect(f.events(trace.Event{Kind: trace.KindReject, Name: "REGISTRATION REJECT", Cause: "5GMM#3"})).To(HaveLen(1))
		_, err := f.u.Register(context.Background())
		Expect(err).To(MatchError(ue.ErrUSIMInvalid))
		f.u.PowerCycle()
		Expect(f.u.USIMInvalid()).To(BeFalse())
		res = f.register()
		Expect(res.Cause).To(Equal(nasx.CauseIllegalUE), "the network decides again after the power cycle")
	})

	// Reference: TS 24.501 §5.5.1.2.7 (T3510 expiry), timers on the injected clock.
	It("gives up when T3510 expires on the injected clock", func() {
		f := newFixture(ident.SchemeProfileA, nil)
		sent := make(chan struct{}, 1)
		f.radio.hook = func([]byte) ([][]byte, bool) { sent <- struct{}{}; return nil, true }
		done := make(chan ue.RegResult, 1)
		go func() {
			defer GinkgoRecover()
			res, err := f.u.Register(context.Background())
			Expect(err).NotTo(HaveOccurred())
			done <- res
		}()
		<-sent
		f.clk.Advance(gmm.DefaultT3510)
		res := <-done
		Expect(res.Reason).To(Equal(gmm.ReasonTimeout))
		Expect(f.u.State()).To(Equal(gmm.StateDeregistered))
		Expect(f.clk.Pending()).To(BeZero(), "no timer left behind")
	})

	It("returns the context error when the caller gives up", func() {
		f := newFixture(ident.SchemeProfileA, nil)
		f.radio.hook = func([]byte) ([][]byte, bool) { return nil, true }
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := f.u.Register(ctx)
		Expect(err).To(MatchError(context.Canceled))
		Expect(f.u.State()).To(Equal(gmm.StateRegisteredInitiated))
	})

	It("refuses to register without a cell or a credential", func() {
		u, err := ue.New(ue.Config{GMM: gmmConfig()}, ue.Deps{})
		Expect(err).NotTo(HaveOccurred())
		_, err = u.Register(context.Background())
		Expect(err).To(MatchError(ue.ErrNotAttached))
		u.AttachRadio(&scriptRadio{u: u})
		_, err = u.Register(context.Background())
		Expect(err).To(MatchError(ue.ErrNoCredential))
		Expect(u.String()).To(ContainSubstring("empty"))
	})
})

var _ = Describe("UE network-initiated de-registration", Label("conformance"), func() {
	var f *fixture
	BeforeEach(func() {
		f = newFixture(ident.SchemeProfileA, nil)
		f.register()
	})

	// Reference: TS 24.501 §4.4.4.2: discarded without integrity protection.
	It("discards an unprotected DEREGISTRATION REQUEST", func() {
		b, err := (&nasx.DeregistrationRequestUETerminated{AccessType: nasx.Access3GPP, Cause: u8(nasx.CauseIllegalUE)}).Build()
		Expect(err).NotTo(HaveOccurred())
		f.u.ReceiveNAS(b)
		Expect(f.u.Registered()).To(BeTrue())
		Expect(f.events(trace.Event{Kind: trace.KindDrop, Name: "DEREGISTRATION REQUEST (UE TERMINATED)"})).To(HaveLen(1))
	})

	// Reference: TS 24.501 §5.5.2.3 (cause #3 after deprovisioning: USIM invalid).
	It("accepts a protected DEREGISTRATION REQUEST, answers and applies the cause", func() {
		b, err := f.net.Protect(&nasx.DeregistrationRequestUETerminated{AccessType: nasx.Access3GPP, Cause: u8(nasx.CauseIllegalUE)},
			nasx.SecHdrIntegrityCiphered)
		Expect(err).NotTo(HaveOccurred())
		f.u.ReceiveNAS(b)
		Expect(f.u.State()).To(Equal(gmm.StateDeregistered))
		Expect(f.net.Seen).To(ContainElement(nasx.MsgDeregistrationAcceptUETerminated))
		oc, ok := f.u.LastOutcome(gmm.ProcNetworkDeregistration)
		Expect(ok).To(BeTrue())
		Expect(oc).To(Equal(gmm.Outcome{Procedure: gmm.ProcNetworkDeregistration, Reason: gmm.ReasonDeregistered,
			Cause: nasx.CauseIllegalUE, Protected: true, USIMInvalid: true}))
		Expect(f.u.HasSecurityContext()).To(BeFalse())
	})
})

var _ = Describe("UE PDU sessions (5GSM over a scripted network)", Label("conformance"), func() {
	var f *fixture
	BeforeEach(func() {
		f = newFixture(ident.SchemeProfileA, nil)
		f.register()
	})

	// Reference: TS 24.501 §6.4.1 (UE-requested PDU session establishment), §8.2.10.
	It("establishes a PDU session and learns its address", func() {
		s, err := f.u.EstablishSession(context.Background(), "internet", nasx.SNSSAI{SST: 1})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Accepted).To(BeTrue())
		Expect(s.ID).To(Equal(uint8(1)))
		Expect(s.Addr.String()).To(Equal("10.60.0.1"))
		Expect(s.UserPlane).To(BeFalse(), "the scripted cell has no user plane")
		Expect(f.radio.addrs).To(HaveKeyWithValue(uint8(1), s.Addr))
		Expect(f.u.Sessions()).To(HaveLen(1))
		Expect(f.events(trace.Event{Kind: trace.KindMessage, Name: "PDU SESSION ESTABLISHMENT ACCEPT"})).To(HaveLen(1))
		_, err = f.u.Dial(context.Background(), "tcp", "10.0.0.1:80")
		Expect(err).To(MatchError(ue.ErrNoSession))

		s2, err := f.u.EstablishSession(context.Background(), "internet", nasx.SNSSAI{SST: 1})
		Expect(err).NotTo(HaveOccurred())
		Expect(s2.ID).To(Equal(uint8(2)))
		Expect(f.u.ReleaseSession(context.Background(), 1)).To(Succeed())
		Expect(f.u.Sessions()).To(HaveLen(1))
		Expect(f.net.Seen).To(ContainElement(nasx.MsgULNASTransport))
	})

	// Reference: TS 24.501 §6.4.1.4 (PDU SESSION ESTABLISHMENT REJECT, #27).
	It("returns a rejected session as a value", func() {
		s, err := f.u.EstablishSession(context.Background(), "nowhere", nasx.SNSSAI{SST: 1})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Accepted).To(BeFalse())
		Expect(s.Cause).To(Equal(nasx.GSMCauseMissingOrUnknownDNN))
		Expect(f.u.Sessions()).To(BeEmpty())
	})

	// Reference: TS 24.501 §5.4.5.3.3 (#90 payload was not forwarded).
	It("reports a 5GSM payload the AMF could not forward", func() {
		f.radio.hook = func([]byte) ([][]byte, bool) {
			b, _ := f.net.Protect(&nasx.DLNASTransport{PayloadContainerType: nasx.PayloadN1SM, Payload: []byte{0x2e, 1, 1, 0xc1},
				PDUSessionID: 1, Cause: u8(nasx.CausePayloadNotForwarded)}, nasx.SecHdrIntegrityCiphered)
			return [][]byte{b}, true
		}
		s, err := f.u.EstablishSession(context.Background(), "internet", nasx.SNSSAI{SST: 1})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Accepted).To(BeFalse())
		Expect(s.MMCause).To(Equal(nasx.CausePayloadNotForwarded))
	})

	It("refuses sessions when not registered", func() {
		Expect(f.u.Deregister(context.Background(), true)).To(Succeed())
		_, err := f.u.EstablishSession(context.Background(), "internet", nasx.SNSSAI{SST: 1})
		Expect(err).To(MatchError(ue.ErrNotRegistered))
	})
})

var _ = Describe("UE credential slot", func() {
	// Reference: DESIGN.md step 6 (atomic install), factory reset.
	It("installs a credential atomically only when de-registered and wipes it on factory reset", func() {
		f := newFixture(ident.SchemeProfileA, nil)
		f.register()
		Expect(f.u.InstallCredential(f.cred)).To(MatchError(ue.ErrNotDeregistered))
		Expect(f.u.Deregister(context.Background(), true)).To(Succeed())
		bad := f.cred
		bad.K = aka.Key128{}
		Expect(f.u.InstallCredential(bad)).To(MatchError(usim.ErrInvalidCredential))
		Expect(f.u.HasSecurityContext()).To(BeTrue(), "a failed install changes nothing")
		Expect(f.u.InstallCredential(f.cred)).To(Succeed())
		Expect(f.u.HasSecurityContext()).To(BeFalse())
		Expect(f.events(trace.Event{Kind: trace.KindKey, Name: "K"})).To(HaveLen(1))
		f.u.FactoryReset()
		Expect(f.u.HasCredential()).To(BeFalse())
		Expect(f.u.Name()).To(Equal("ue/empty"))
		_, err := f.u.Register(context.Background())
		Expect(err).To(MatchError(ue.ErrNoCredential))
		_ = time.Second
	})
})
