package testbed_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/amf"
	amfgmm "github.com/credbed/credbed/nf/amf/gmm"
	"github.com/credbed/credbed/nf/ausf"
	"github.com/credbed/credbed/nf/udm"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/testbed"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/gmm"
)

// Trace vocabulary the specs assert on.
var (
	msgRegRequest   = nasx.MsgRegistrationRequest.String()
	msgRegAccept    = nasx.MsgRegistrationAccept.String()
	msgAuthRequest  = nasx.MsgAuthenticationRequest.String()
	msgIdentityReq  = nasx.MsgIdentityRequest.String()
	msgDeregAccUEO  = nasx.MsgDeregistrationAcceptUEOriginating.String()
	msgSMCommand    = nasx.MsgSecurityModeCommand.String()
	msgDeregReqUET  = nasx.MsgDeregistrationRequestUETerminated.String()
	msgDeregAccUET  = nasx.MsgDeregistrationAcceptUETerminated.String()
	networkKeyNames = []string{udm.KeyKAUSF, udm.KeyCKPrime, udm.KeyIKPrime, ausf.KeyKSEAF, ausf.KeyKAKMA, "KAMF", "KNASint", "KNASenc", "KgNB"}
)

// isNetworkKey matches a key the UDM, AUSF or AMF derived or received.
func isNetworkKey(ev trace.Event) bool {
	if ev.Kind != trace.KindKey || (ev.Actor != "udm" && ev.Actor != "ausf" && ev.Actor != "amf") {
		return false
	}
	for _, k := range networkKeyNames {
		if ev.Name == k {
			return true
		}
	}
	return false
}

// noSecurityMaterial asserts that after seq no authentication vector,
// KAUSF, KSEAF or NAS context was created in the network (for supi, and for
// nobody at all when supi's identity never reached the AMF), and that the
// AUSF opened no authentication context.
func (e *env) noSecurityMaterial(after uint64, supi string) {
	GinkgoHelper()
	Expect(e.since(after, isNetworkKey)).To(BeEmpty(), "keys derived after seq %d", after)
	Expect(e.since(after, match(trace.Event{Actor: "udm", Kind: trace.KindNote, Name: udm.StateSQN, SUPI: supi}))).To(BeEmpty(),
		"the UDM advanced the SQN of %s (an authentication vector was generated)", supi)
	Expect(e.since(after, match(trace.Event{Actor: "ausf", Kind: trace.KindState, Name: "auth-ctx-created"}))).To(BeEmpty())
	Expect(e.since(after, match(trace.Event{Actor: "amf", Kind: trace.KindNote, Name: "NAS security activated"}))).To(BeEmpty())
}

// expectRegistered checks a successful registration end to end: the UE's
// result and state, the AMF's context and the chain of keys in the trace.
func (e *env) expectRegistered(after uint64, u *ue.UE, supi string, res ue.RegResult) {
	GinkgoHelper()
	Expect(res.Accepted).To(BeTrue(), "%+v", res)
	Expect(res.Protected).To(BeTrue(), "REGISTRATION ACCEPT must be integrity protected")
	Expect(u.State()).To(Equal(gmm.StateRegistered))
	Expect(u.HasSecurityContext()).To(BeTrue())
	e.awaitAMF(after, supi, "REGISTERED")
	v, ok := e.AMF.UE(supi)
	Expect(ok).To(BeTrue())
	Expect(v.State).To(Equal(amfgmm.Registered))
	Expect(v.HasSecurityContext).To(BeTrue())
	Expect(v.TMSI).To(Equal(res.GUTI.TMSI), "the UE holds the 5G-GUTI the AMF assigned")
	// The accept reached the UE ciphered and integrity protected (TS 24.501 §4.4.5).
	acc := e.since(after, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindMessage, Name: msgRegAccept}))
	Expect(acc).NotTo(BeEmpty())
	Expect(acc[len(acc)-1].Detail).To(Equal("dl sht=2"))
}

// expectFullAuth checks that one 5G AKA ran for supi after seq: vector and
// KAUSF at the UDM, KSEAF at the AUSF and the AMF, a new NAS context.
func (e *env) expectFullAuth(after uint64, supi string) {
	GinkgoHelper()
	// A vector per challenge (an ngKSI collision, #71, costs one more).
	Expect(e.since(after, match(trace.Event{Actor: "udm", Kind: trace.KindKey, Name: udm.KeyKAUSF, SUPI: supi}))).NotTo(BeEmpty())
	for _, want := range []trace.Event{
		{Actor: "ausf", Kind: trace.KindKey, Name: ausf.KeyKSEAF, SUPI: supi},
		{Actor: "amf", Kind: trace.KindKey, Name: "KSEAF", SUPI: supi},
		{Actor: "amf", Kind: trace.KindNote, Name: "NAS security activated", SUPI: supi},
		{Actor: ueActor(supi), Kind: trace.KindNote, Name: gmm.NoteSecurityActivated},
		{Actor: "udm", Kind: trace.KindState, Name: udm.StateAMFRegistered, SUPI: supi},
	} {
		Expect(e.since(after, match(want))).To(HaveLen(1), "%s %s %s", want.Actor, want.Kind, want.Name)
	}
}

// rollbackSQN sets the UDR's SQN of supi back to zero (a restored backup).
func (e *env) rollbackSQN(supi string) {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	d, err := e.UDR.Get(ctx, supi)
	Expect(err).NotTo(HaveOccurred())
	sn := models.SequenceNumber{SqnScheme: models.SqnScheme_NON_TIME_BASED}
	if d.AuthenticationSubscription.SequenceNumber != nil {
		sn = *d.AuthenticationSubscription.SequenceNumber
	}
	sn.Sqn = "000000000000"
	pd := e.UDR.ModifyAuthenticationSubscription(ctx, supi, []models.PatchItem{{Op: models.PatchOperation_REPLACE, Path: "/sequenceNumber", Value: sn}})
	Expect(pd).To(BeNil())
}

// sqnAtUDR reads the SQN_HE the UDR holds for supi.
func (e *env) sqnAtUDR(supi string) string {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	d, err := e.UDR.Get(ctx, supi)
	Expect(err).NotTo(HaveOccurred())
	Expect(d.AuthenticationSubscription.SequenceNumber).NotTo(BeNil())
	return d.AuthenticationSubscription.SequenceNumber.Sqn
}

// firstSUCI returns the SUCI of the first plain REGISTRATION REQUEST the tap saw.
func (t *tap) firstSUCI() ident.SUCI {
	GinkgoHelper()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, m := range t.msgs {
		if !m.up || len(m.pdu) < 3 || m.pdu[1] != 0 {
			continue
		}
		msg, err := nasx.Parse(m.pdu)
		if err != nil {
			continue
		}
		if rr, ok := msg.(*nasx.RegistrationRequest); ok {
			s, err := ident.ParseSUCINAS(rr.MobileIdentity)
			Expect(err).NotTo(HaveOccurred())
			return s
		}
	}
	Fail("no plain REGISTRATION REQUEST with a SUCI on N2")
	return ident.SUCI{}
}

func msin(supi string) string {
	s, err := ident.ParseSUPI(supi)
	Expect(err).NotTo(HaveOccurred())
	_, m, err := s.SplitIMSI(2)
	Expect(err).NotTo(HaveOccurred())
	return m
}

// ---- the representative subset, in both transport modes ----

var _ = Describe("Full stack conformance", Label("conformance"), func() {
	// Reference: TS 33.501 §6.12.2, Annex C.3 (Profile A SUCI); §6.1.3.2 (5G AKA); §6.7.2 (NAS SMC)
	// Reference: TS 24.501 §5.5.1.2 (initial registration); TS 23.502 §4.2.2.2.2
	DescribeTable("registers with a Profile A SUCI", func(mode string) {
		e := newEnv(mode)
		t := e.tapN2()
		u := e.newUE(0)
		res := register(u)
		e.expectRegistered(0, u, e.supi(0), res)
		e.expectFullAuth(0, e.supi(0))
		s := t.firstSUCI()
		Expect(s.Scheme).To(Equal(ident.SchemeProfileA))
		Expect(s.KeyID).To(Equal(uint8(1)))
		Expect(s.String()).NotTo(ContainSubstring(msin(e.supi(0))), "the MSIN must not travel in clear")
	}, Entry("mem", "mem"), Entry("net", netMode, "net"))

	// Reference: TS 24.501 §5.5.1.3.2 (registration with 5G-GUTI), §4.4.6 (protected initial message)
	// Reference: TS 33.501 §6.12.3 (new 5G-GUTI at every registration), §6.4.6
	DescribeTable("re-registers with the 5G-GUTI under the existing NAS security context", func(mode string) {
		e := newEnv(mode)
		u := e.newUE(1)
		first := register(u)
		e.expectRegistered(0, u, e.supi(1), first)
		u.PowerCycle() // switched off without de-registration: the GUTI and the context survive
		Expect(u.State()).To(Equal(gmm.StateDeregistered))
		m := e.mark()
		res := register(u)
		e.expectRegistered(m, u, e.supi(1), res)
		Expect(res.GUTI.TMSI).NotTo(Equal(first.GUTI.TMSI), "a new 5G-TMSI at every registration")
		req := e.since(m, match(trace.Event{Actor: ueActor(e.supi(1)), Kind: trace.KindMessage, Name: msgRegRequest}))
		Expect(req).To(HaveLen(1))
		Expect(req[0].Detail).To(Equal("ul sht=1"), "the initial message is integrity protected, not ciphered")
		Expect(e.since(m, match(trace.Event{Actor: "amf", Kind: trace.KindNote, Name: "5G NAS security context taken over"}))).To(HaveLen(1))
		// No new authentication: no vector, no SMC.
		Expect(e.since(m, match(trace.Event{Actor: "udm", Kind: trace.KindKey, Name: udm.KeyKAUSF}))).To(BeEmpty())
		Expect(e.since(m, match(trace.Event{Actor: ueActor(e.supi(1)), Kind: trace.KindMessage, Name: msgAuthRequest}))).To(BeEmpty())
		Expect(e.since(m, match(trace.Event{Actor: ueActor(e.supi(1)), Kind: trace.KindMessage, Name: msgSMCommand}))).To(BeEmpty())
	}, Entry("mem", "mem"), Entry("net", netMode, "net"))

	// Reference: TS 23.502 §4.2.2.3.3 (UDM-initiated de-registration); TS 29.504 §5.2.2.7 (UDR data change notification)
	// Reference: TS 24.501 §5.5.2.3 (network-initiated de-registration), §4.4.4.2, §5.5.1.2.5 (#3: USIM invalid)
	// Reference: TS 33.501 §6.1.3.2 step 1 (no vector without a subscription); TR 33.899 KI #12.2 R3
	DescribeTable("de-registers the UE when the subscription is removed at the UDR, then rejects it without any security material",
		func(mode string) {
			e := newEnv(mode)
			supi := e.supi(2)
			u := e.newUE(2)
			e.expectRegistered(0, u, supi, register(u))
			removal := e.mark()
			m := removal
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			Expect(e.UDR.Remove(ctx, supi)).To(Succeed())

			// UDR -> UDM data-change notification -> UDM -> AMF deregistration notification.
			e.await(m, match(trace.Event{Actor: "udr", Kind: trace.KindState, Name: "removed", SUPI: supi}))
			e.await(m, match(trace.Event{Actor: "udr", Kind: trace.KindResponse, Name: udr.OpDataChangeNotify, SUPI: supi, Status: 204}))
			e.await(m, match(trace.Event{Actor: "udm", Kind: trace.KindRequest, Name: udm.OpUECMDeregNotification, SUPI: supi}))
			e.await(m, match(trace.Event{Actor: "amf", Kind: trace.KindRequest, Name: amf.OpDeregNotification, SUPI: supi}))
			// AMF -> UE: DEREGISTRATION REQUEST, integrity protected, cause #3.
			dereg := e.await(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindMessage, Name: msgDeregReqUET}))
			Expect(dereg.Detail).To(Equal("dl sht=2"))
			e.await(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindReject, Name: "DEREGISTRATION REQUEST", Cause: "5GMM#3"}))
			oc, ok := u.LastOutcome(gmm.ProcNetworkDeregistration)
			Expect(ok).To(BeTrue())
			Expect(oc.Reason).To(Equal(gmm.ReasonDeregistered))
			Expect(oc.Cause).To(Equal(nasx.CauseIllegalUE))
			Expect(oc.Protected).To(BeTrue())
			Expect(oc.USIMInvalid).To(BeTrue())
			Expect(u.USIMInvalid()).To(BeTrue())
			Expect(u.State()).To(Equal(gmm.StateDeregistered))
			e.await(m, match(trace.Event{Actor: "amf", Kind: trace.KindMessage, Name: msgDeregAccUET, SUPI: supi}))
			e.awaitAMF(m, supi, "CONTEXT-DELETED")
			_, ok = e.AMF.UE(supi)
			Expect(ok).To(BeFalse())
			_, err := e.UDR.Get(ctx, supi)
			Expect(err).To(MatchError(udr.ErrNotFound))

			// The USIM stays invalid until switch-off.
			_, err = u.Register(ctx)
			Expect(err).To(MatchError(ue.ErrUSIMInvalid))
			u.PowerCycle()
			m = e.mark()
			res := register(u)
			Expect(res.Accepted).To(BeFalse())
			Expect(res.Reason).To(Equal(gmm.ReasonRejected))
			Expect(res.Cause).To(Equal(nasx.CauseIllegalUE))
			Expect(res.USIMInvalid).To(BeTrue())
			e.await(m, match(trace.Event{Actor: "amf", Kind: trace.KindReject, Name: "REGISTRATION REJECT", Cause: "5GMM#3"}))
			e.await(m, match(trace.Event{Actor: "udm", Kind: trace.KindReject, Name: udm.OpUEAUGet, Status: 404}))
			e.noSecurityMaterial(removal, supi)
		}, Entry("mem", "mem"), Entry("net", netMode, "net"))

	// Reference: TS 24.501 §5.5.1.2.5 (REGISTRATION REJECT #3), §5.5.1.2.5 (USIM invalid); TS 29.503 §6.3.7.3 (USER_NOT_FOUND)
	// Reference: TS 33.501 §6.1.3.2 step 1
	DescribeTable("rejects an unknown subscriber before any authentication", func(mode string, cause uint8) {
		e := newEnv(mode, func(t *testbed.Topology) { t.RejectCause = cause })
		supi := e.supi(provisioned) // generated, never provisioned
		u := e.newUE(provisioned)
		res := register(u)
		Expect(res.Accepted).To(BeFalse())
		Expect(res.Reason).To(Equal(gmm.ReasonRejected))
		Expect(res.Cause).To(Equal(cause))
		Expect(res.USIMInvalid).To(BeTrue(), "#3 and #7 make the USIM invalid for 5GS")
		Expect(u.USIMInvalid()).To(BeTrue())
		e.await(0, match(trace.Event{Actor: "amf", Kind: trace.KindReject, Name: "REGISTRATION REJECT", Cause: fmt.Sprintf("5GMM#%d", cause)}))
		e.await(0, match(trace.Event{Actor: "udm", Kind: trace.KindReject, Name: udm.OpUEAUGet, Status: 404}))
		Expect(e.since(0, isNetworkKey)).To(BeEmpty())
		Expect(e.since(0, match(trace.Event{Actor: "ausf", Kind: trace.KindState, Name: "auth-ctx-created"}))).To(BeEmpty())
		_, ok := e.AMF.UE(supi)
		Expect(ok).To(BeFalse())
	},
		Entry("mem, #3 (default)", "mem", nasx.CauseIllegalUE),
		Entry("mem, #7 (configured)", "mem", nasx.Cause5GSServicesNotAllowed),
		Entry("net, #3 (default)", netMode, "net", nasx.CauseIllegalUE),
	)
})

// ---- the rest, in mem mode ----

var _ = Describe("Full stack conformance (mem)", Label("conformance"), func() {
	var e *env
	BeforeEach(func() { e = newEnv("mem") })

	// Reference: TS 33.501 §6.12.2 (null scheme: the SUPI in clear), §6.1.3.2; TS 24.501 §5.5.1.2
	It("registers with a null-scheme SUCI", func() {
		t := e.tapN2()
		u := e.newUE(0, scheme(ident.SchemeNull))
		e.expectRegistered(0, u, e.supi(0), register(u))
		e.expectFullAuth(0, e.supi(0))
		Expect(e.since(0, match(trace.Event{Actor: ueActor(e.supi(0)), Kind: trace.KindNote, Name: gmm.NoteNullSchemeSUCI}))).To(HaveLen(1))
		s := t.firstSUCI()
		Expect(s.Scheme).To(Equal(ident.SchemeNull))
		Expect(s.KeyID).To(BeZero())
	})

	// Reference: TS 33.501 Annex C.3.4.2 (Profile B, secp256r1), §6.12.2; TS 24.501 §5.5.1.2
	It("registers with a Profile B SUCI", func() {
		t := e.tapN2()
		u := e.newUE(0, scheme(ident.SchemeProfileB))
		e.expectRegistered(0, u, e.supi(0), register(u))
		e.expectFullAuth(0, e.supi(0))
		s := t.firstSUCI()
		Expect(s.Scheme).To(Equal(ident.SchemeProfileB))
		Expect(s.KeyID).To(Equal(uint8(2)))
		Expect(s.String()).NotTo(ContainSubstring(msin(e.supi(0))))
	})

	// Reference: TS 24.501 §5.5.2.2.2 (UE-originating de-registration, not switch-off), §5.5.2.2.1
	// Reference: TS 23.502 §4.2.2.3.2 (Nudm_UECM_Deregistration)
	It("de-registers on the UE's request (normal)", func() {
		supi := e.supi(0)
		u := e.newUE(0)
		e.expectRegistered(0, u, supi, register(u))
		m := e.mark()
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		Expect(u.Deregister(ctx, false)).To(Succeed())
		Expect(u.State()).To(Equal(gmm.StateDeregistered))
		acc := e.since(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindMessage, Name: msgDeregAccUEO}))
		Expect(acc).To(HaveLen(1))
		e.await(m, match(trace.Event{Actor: "amf", Kind: trace.KindNote, Name: "UE-originated de-registration", Detail: "normal"}))
		e.awaitAMF(m, supi, "CONTEXT-DELETED")
		e.await(m, match(trace.Event{Actor: "udm", Kind: trace.KindState, Name: udm.StateAMFPurged, SUPI: supi}))
		_, ok := e.AMF.UE(supi)
		Expect(ok).To(BeFalse())
	})

	// Reference: TS 24.501 §5.5.2.2.2 (switch-off: no DEREGISTRATION ACCEPT)
	It("de-registers on the UE's request (switch-off) without an accept", func() {
		supi := e.supi(0)
		u := e.newUE(0)
		e.expectRegistered(0, u, supi, register(u))
		m := e.mark()
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		Expect(u.Deregister(ctx, true)).To(Succeed())
		Expect(u.State()).To(Equal(gmm.StateDeregistered))
		e.await(m, match(trace.Event{Actor: "amf", Kind: trace.KindNote, Name: "UE-originated de-registration", Detail: "switch off"}))
		e.awaitAMF(m, supi, "CONTEXT-DELETED")
		Expect(e.since(m, match(trace.Event{Kind: trace.KindMessage, Name: msgDeregAccUEO}))).To(BeEmpty())
	})

	// Reference: TS 24.501 §5.5.1.2.2, §5.4.3 (identification when the 5G-GUTI is unknown)
	It("identifies a UE whose 5G-GUTI the AMF no longer knows and authenticates it again", func() {
		supi := e.supi(0)
		u := e.newUE(0)
		e.expectRegistered(0, u, supi, register(u))
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		Expect(u.Deregister(ctx, false)).To(Succeed())
		e.awaitAMF(0, supi, "CONTEXT-DELETED")
		m := e.mark()
		res := register(u)
		e.expectRegistered(m, u, supi, res)
		Expect(e.since(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindMessage, Name: msgIdentityReq}))).To(HaveLen(1))
		e.expectFullAuth(m, supi)
		// The UE still holds its old context (ngKSI 0): when the AMF picks the
		// same ngKSI the UE answers #71 and the AMF challenges again with
		// another one (TS 24.501 §5.4.1.3.7 e).
		if c := e.since(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindReject, Name: "AUTHENTICATION FAILURE"})); len(c) > 0 {
			Expect(c).To(HaveLen(1))
			Expect(c[0].Cause).To(Equal("5GMM#71"))
			Expect(e.since(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindMessage, Name: msgAuthRequest}))).To(HaveLen(2))
		}
	})

	// Reference: TS 24.501 §5.5.2.3.1, §5.5.2.3.2 (network-initiated de-registration), §5.5.1.2.5
	// Reference: TS 33.501 §6.4.3 (the request is integrity protected)
	It("de-registers the UE on the AMF's API and lets it register again after switch-off", func() {
		supi := e.supi(0)
		u := e.newUE(0)
		e.expectRegistered(0, u, supi, register(u))
		m := e.mark()
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		Expect(e.AMF.Deregister(ctx, supi, 0)).To(Succeed())
		e.await(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindReject, Name: "DEREGISTRATION REQUEST", Cause: "5GMM#3", Detail: "integrity protected"}))
		e.awaitAMF(m, supi, "CONTEXT-DELETED")
		oc, ok := u.LastOutcome(gmm.ProcNetworkDeregistration)
		Expect(ok).To(BeTrue())
		Expect(oc.Protected).To(BeTrue())
		Expect(oc.USIMInvalid).To(BeTrue())
		_, err := u.Register(ctx)
		Expect(err).To(MatchError(ue.ErrUSIMInvalid))
		Expect(e.AMF.Deregister(ctx, supi, 0)).To(MatchError(amf.ErrUnknownUE))
		u.PowerCycle()
		m = e.mark()
		e.expectRegistered(m, u, supi, register(u))
		e.expectFullAuth(m, supi)
	})

	// Reference: TS 33.501 §6.1.3.2 step 7, §6.1.3.3.1 (MAC failure); TS 24.501 §5.4.1.3.7 c, §5.4.1.3.5
	It("refuses a UE with a wrong K: the UE reports MAC failure (#20) and the network rejects authentication", func() {
		supi := e.supi(0)
		cred, err := e.Credential(e.subs[0], ident.SchemeProfileA)
		Expect(err).NotTo(HaveOccurred())
		cred.K[0] ^= 0xA5
		u, err := e.NewUEWith(&cred, testbed.UEOptions{})
		Expect(err).NotTo(HaveOccurred())
		res := register(u)
		Expect(res.Accepted).To(BeFalse())
		Expect(res.Reason).To(Equal(gmm.ReasonAuthReject))
		Expect(res.USIMInvalid).To(BeTrue())
		e.await(0, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindReject, Name: "AUTHENTICATION FAILURE", Cause: "5GMM#20"}))
		e.await(0, match(trace.Event{Actor: "amf", Kind: trace.KindReject, Name: "AUTHENTICATION REJECT"}))
		Expect(e.since(0, match(trace.Event{Actor: "ausf", Kind: trace.KindKey, Name: ausf.KeyKSEAF}))).To(BeEmpty())
		Expect(e.since(0, match(trace.Event{Actor: "ausf", Kind: trace.KindRequest, Name: ausf.OpUDMAuthEvent}))).To(BeEmpty(),
			"no RES* ever reached the AUSF")
		_, ok := e.AMF.UE(supi)
		Expect(ok).To(BeFalse())
	})

	// Reference: TS 33.501 §6.1.3.2 steps 10-11 (HRES* at the SEAF), §6.1.3.2.2; TS 24.501 §5.4.1.3.5
	It("rejects a RES* that does not match (UE and network disagree on the serving network name)", func() {
		supi := e.supi(0)
		cfg := e.UEConfig()
		cfg.ServingPLMN = ident.PLMN{MCC: "001", MNC: "02"}
		u := e.newUE(0, testbed.UEOptions{GMM: &cfg})
		res := register(u)
		Expect(res.Accepted).To(BeFalse())
		Expect(res.Reason).To(Equal(gmm.ReasonAuthReject))
		e.await(0, match(trace.Event{Actor: "amf", Kind: trace.KindReject, Name: "HRES* check", Cause: "RES_STAR_MISMATCH"}))
		e.await(0, match(trace.Event{Actor: "amf", Kind: trace.KindReject, Name: "AUTHENTICATION REJECT"}))
		Expect(e.since(0, match(trace.Event{Actor: "ausf", Kind: trace.KindKey, Name: ausf.KeyKSEAF}))).To(BeEmpty())
		Expect(e.since(0, match(trace.Event{Actor: "amf", Kind: trace.KindKey, Name: "KSEAF"}))).To(BeEmpty())
		Expect(e.since(0, match(trace.Event{Actor: "amf", Kind: trace.KindNote, Name: "NAS security activated"}))).To(BeEmpty())
		_, ok := e.AMF.UE(supi)
		Expect(ok).To(BeFalse())
	})

	// Reference: TS 33.501 §6.1.3.3.2 (synchronisation failure), TS 33.102 §6.3.5 and Annex C.2; TS 24.501 §5.4.1.3.7 e
	// Reference: reference/3gpp.md §6.5 K1 (the UDR's SQN set below the USIM's)
	It("resynchronises when the home network's SQN fell behind the USIM's and then registers", func() {
		supi := e.supi(0)
		u := e.newUE(0)
		e.expectRegistered(0, u, supi, register(u))
		e.rollbackSQN(supi)
		u.PowerCycle()
		m := e.mark()
		res := register(u, ue.RegisterOptions{ForceSUCI: true})
		e.expectRegistered(m, u, supi, res)
		e.await(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindReject, Name: "AUTHENTICATION FAILURE", Cause: "5GMM#21"}))
		e.await(m, match(trace.Event{Actor: "amf", Kind: trace.KindNote, Name: "authentication failure from UE", Cause: "5GMM#21"}))
		e.await(m, match(trace.Event{Actor: "udm", Kind: trace.KindNote, Name: udm.StateSQNResync, SUPI: supi}))
		Expect(e.since(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindMessage, Name: msgAuthRequest}))).To(HaveLen(2))
		Expect(e.since(m, match(trace.Event{Actor: "ausf", Kind: trace.KindKey, Name: ausf.KeyKSEAF, SUPI: supi}))).To(HaveLen(1))
	})

	// Reference: TS 33.102 §6.3.5 (MAC-S check of AUTS), TS 33.501 §6.1.3.3.2; reference/3gpp.md §6.5 K2
	It("refuses a forged AUTS: no resynchronisation, SQN unchanged, no keys", func() {
		supi := e.supi(0)
		u := e.newUE(0)
		e.expectRegistered(0, u, supi, register(u))
		e.rollbackSQN(supi)
		e.rewriteUplinkNAS("attack/forge-auts", func(m nasx.Msg) nasx.Msg {
			f, ok := m.(*nasx.AuthenticationFailure)
			if !ok || len(f.AUTS) != aka.AUTSLen {
				return nil
			}
			forged := *f
			forged.AUTS = append([]byte(nil), f.AUTS...)
			forged.AUTS[len(forged.AUTS)-1] ^= 0xFF // MAC-S
			return &forged
		})
		u.PowerCycle()
		m := e.mark()
		res := register(u, ue.RegisterOptions{ForceSUCI: true})
		Expect(res.Accepted).To(BeFalse(), "%+v", res)
		// The network refuses the UE: AUTHENTICATION REJECT, or REGISTRATION
		// REJECT with the cause mapped from AUTHENTICATION_REJECTED (#3).
		Expect(res.Reason).To(BeElementOf(gmm.ReasonAuthReject, gmm.ReasonRejected))
		Expect(res.USIMInvalid).To(BeTrue())
		e.await(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindReject, Name: "AUTHENTICATION FAILURE", Cause: "5GMM#21"}))
		e.await(m, match(trace.Event{Actor: "udm", Kind: trace.KindReject, Name: udm.OpUEAUGet, Status: 403, Cause: "AUTHENTICATION_REJECTED"}))
		Expect(e.since(m, match(trace.Event{Actor: "udm", Kind: trace.KindNote, Name: udm.StateSQNResync}))).To(BeEmpty())
		sqn := e.since(m, match(trace.Event{Actor: "udm", Kind: trace.KindNote, Name: udm.StateSQN, SUPI: supi}))
		Expect(sqn).To(HaveLen(1), "only the vector of the first challenge advanced the SQN")
		Expect(sqn[0].Detail).To(HavePrefix("000000000000 -> "))
		Expect(e.sqnAtUDR(supi)).To(Equal(sqn[0].Detail[len("000000000000 -> "):]), "SQN_HE unchanged by the forged AUTS")
		Expect(e.since(m, match(trace.Event{Actor: "ausf", Kind: trace.KindKey, Name: ausf.KeyKSEAF}))).To(BeEmpty())
		Expect(e.since(m, match(trace.Event{Actor: "amf", Kind: trace.KindKey, Name: "KSEAF"}))).To(BeEmpty())
		Expect(e.since(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindMessage, Name: msgAuthRequest}))).To(HaveLen(1))
	})

	// Reference: TS 33.501 §6.4.3.2 (replay protection), §6.4.5; TS 24.501 §4.4.3.1, §4.4.4.3
	It("drops a replayed protected uplink NAS message at the AMF", func() {
		supi := e.supi(0)
		t := e.tapN2()
		u := e.newUE(0)
		e.expectRegistered(0, u, supi, register(u))
		e.awaitAMF(0, supi, "REGISTERED")
		old := t.last(true, nassec.HdrIntegrityCiphered) // REGISTRATION COMPLETE
		Expect(old).NotTo(BeNil())
		m := e.mark()
		l := link(u)
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		Expect(l.GNB().SendUplinkNAS(ctx, l, old)).To(Succeed())
		e.await(m, match(trace.Event{Actor: "amf", Kind: trace.KindDrop, SUPI: supi, Detail: "replayed NAS COUNT"}))
		v, ok := e.AMF.UE(supi)
		Expect(ok).To(BeTrue())
		Expect(v.State).To(Equal(amfgmm.Registered))
		// The context is intact: a normal de-registration still works.
		Expect(u.Deregister(ctx, false)).To(Succeed())
	})

	// Reference: TS 33.501 §6.4.3.2 (replay protection); TS 24.501 §4.4.3.1, §4.4.4.2
	It("drops a replayed protected downlink NAS message at the UE", func() {
		supi := e.supi(0)
		t := e.tapN2()
		u := e.newUE(0)
		e.expectRegistered(0, u, supi, register(u))
		old := t.last(false, nassec.HdrIntegrityCiphered) // REGISTRATION ACCEPT
		Expect(old).NotTo(BeNil())
		m := e.mark()
		link(u).GNB().DeliverDownlinkNAS(u, old)
		e.await(m, and(match(trace.Event{Actor: ueActor(supi), Kind: trace.KindDrop}), detailHas("replayed NAS COUNT")))
		Expect(e.since(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindMessage}))).To(BeEmpty())
		Expect(u.State()).To(Equal(gmm.StateRegistered))
	})

	// Reference: TS 33.501 §5.5.2 (NIA0 only for unauthenticated emergency services), §6.7.2; Annex D.1
	It("never selects NIA0: the AMF refuses it in its configuration and rejects a UE that offers only NIA0", func() {
		cfg := amf.Config{NRF: "http://127.0.0.10:80"}
		cfg.IntegrityOrder = []nassec.IntegrityAlg{nassec.NIA0, nassec.NIA2}
		_, err := amf.New(cfg, amf.Deps{Net: e.Net})
		Expect(err).To(MatchError(amf.ErrConfig))

		gcfg := e.UEConfig()
		gcfg.SecurityCapability = nasx.NewUESecurityCapability(0xf0, 0x80) // 5G-EA0..3, 5G-IA0 only
		u := e.newUE(0, testbed.UEOptions{GMM: &gcfg})
		res := register(u)
		Expect(res.Accepted).To(BeFalse())
		Expect(res.Cause).To(Equal(nasx.CauseUESecurityCapabilitiesMismatch))
		Expect(e.since(0, match(trace.Event{Kind: trace.KindMessage, Name: msgSMCommand}))).To(BeEmpty())
	})

	// Reference: TS 33.501 §5.5.2, §6.7.2 (the UE refuses NIA0 outside emergency); TS 24.501 §5.4.2.5 (#24)
	It("the UE refuses a SECURITY MODE COMMAND selecting NIA0 from a rogue cell and keeps its context", func() {
		supi := e.supi(0)
		u := e.newUE(0)
		e.expectRegistered(0, u, supi, register(u))
		smc, err := (&nasx.SecurityModeCommand{Ciphering: 0, Integrity: 0, NgKSI: nasx.NgKSI{KSI: 0},
			ReplayedUESecurityCapability: nasx.NewUESecurityCapability(0xf0, 0xf0)}).Build()
		Expect(err).NotTo(HaveOccurred())
		// Header type 3 with the null MAC NIA0 gives (TS 24.501 §9.1.1, TS 33.501 D.1).
		forged := append([]byte{nasx.EPD5GMM, nassec.HdrIntegrityNew, 0, 0, 0, 0, 0}, smc...)
		m := e.mark()
		link(u).GNB().DeliverDownlinkNAS(u, forged)
		e.await(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindReject, Name: "SECURITY MODE REJECT", Cause: "5GMM#24"}))
		Expect(u.State()).To(Equal(gmm.StateRegistered))
		Expect(u.HasSecurityContext()).To(BeTrue())
		Expect(e.since(m, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindKey}))).To(BeEmpty())
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		Expect(u.Deregister(ctx, false)).To(Succeed(), "the old context still protects the UE's messages")
	})

	// Reference: TS 33.501 §6.7.2 NOTE 1 (bidding-down protection: replayed UE security capabilities)
	// Reference: TS 24.501 §5.4.2.5 (#23 UE security capabilities mismatch); reference/3gpp.md §6.5 K7
	It("detects bidding down: the UE rejects the SMC replaying modified security capabilities (#23)", func() {
		supi := e.supi(0)
		e.rewriteUplinkNAS("attack/bid-down", func(m nasx.Msg) nasx.Msg {
			rr, ok := m.(*nasx.RegistrationRequest)
			if !ok || rr.UESecurityCapability == nil {
				return nil
			}
			weak := *rr
			weak.UESecurityCapability = nasx.NewUESecurityCapability(0xf0, 0xd0) // 128-NIA2 stripped
			return &weak
		})
		u := e.newUE(0)
		res := register(u)
		Expect(res.Accepted).To(BeFalse(), "%+v", res)
		e.await(0, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindReject, Name: "SECURITY MODE REJECT", Cause: "5GMM#23"}))
		e.await(0, match(trace.Event{Actor: "amf", Kind: trace.KindNote, Name: "security mode rejected by the UE", Cause: "5GMM#23"}))
		Expect(e.since(0, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindNote, Name: gmm.NoteSecurityActivated}))).To(BeEmpty())
		Expect(e.since(0, match(trace.Event{Kind: trace.KindMessage, Name: msgRegAccept}))).To(BeEmpty())
		Expect(u.HasSecurityContext()).To(BeFalse())
	})

	// Reference: TS 24.501 §4.4.4.2 (DEREGISTRATION REQUEST is not processed unprotected), §5.5.2.3
	It("discards an unprotected network de-registration from a rogue cell", func() {
		supi := e.supi(0)
		u := e.newUE(0)
		e.expectRegistered(0, u, supi, register(u))
		cause := nasx.CauseIllegalUE
		plain, err := (&nasx.DeregistrationRequestUETerminated{AccessType: nasx.Access3GPP, Cause: &cause}).Build()
		Expect(err).NotTo(HaveOccurred())
		m := e.mark()
		link(u).GNB().DeliverDownlinkNAS(u, plain)
		e.await(m, and(match(trace.Event{Actor: ueActor(supi), Kind: trace.KindDrop, Name: msgDeregReqUET}), detailHas("not integrity protected")))
		Expect(u.State()).To(Equal(gmm.StateRegistered))
		Expect(u.USIMInvalid()).To(BeFalse())
		_, ok := u.LastOutcome(gmm.ProcNetworkDeregistration)
		Expect(ok).To(BeFalse())
		v, ok := e.AMF.UE(supi)
		Expect(ok).To(BeTrue())
		Expect(v.State).To(Equal(amfgmm.Registered))
	})

	// Reference: TS 38.413 §10.2, §10.3, §8.7.4 (ERROR INDICATION on an undecodable PDU)
	It("answers undecodable NGAP with ERROR INDICATION and keeps serving", func() {
		g := e.GNBs[0]
		before := g.Stats().ErrorIndicationsRx
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		Expect(g.SendNGAP(ctx, 0, []byte{0xde, 0xad, 0xbe, 0xef, 0x00, 0x42})).To(Succeed())
		e.await(0, match(trace.Event{Actor: "amf", Kind: trace.KindDrop, Iface: trace.IfaceN2, Name: "NGAP"}))
		e.await(0, match(trace.Event{Actor: "gnb-1", Kind: trace.KindNote, Name: "ErrorIndication received"}))
		Expect(g.Stats().ErrorIndicationsRx).To(Equal(before + 1))
		u := e.newUE(0, testbed.UEOptions{GNB: 1})
		e.expectRegistered(0, u, e.supi(0), register(u))
	})

	// Reference: TS 24.501 §7.3, §7.4 (5GMM STATUS #97 for a message type that does not exist), §5.4.6
	It("answers a NAS message it cannot decode with 5GMM STATUS and keeps serving", func() {
		g := e.GNBs[0]
		term := newRecorder()
		forged := g.Connect(term)
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		Expect(g.SendUplinkNAS(ctx, forged, []byte{nasx.EPD5GMM, 0x00, 0xff})).To(Succeed())
		st, err := nasx.Parse(term.next())
		Expect(err).NotTo(HaveOccurred())
		Expect(st).To(BeAssignableToTypeOf(&nasx.Status5GMM{}))
		Expect(st.(*nasx.Status5GMM).Cause).To(Equal(nasx.CauseMessageTypeNonExistent))
		e.await(0, match(trace.Event{Actor: "amf", Kind: trace.KindReject, Name: "invalid NAS message", Cause: "5GMM#97"}))
		term.awaitReleased() // nothing was started: the AMF keeps no context for it
		u := e.newUE(0, testbed.UEOptions{GNB: 1})
		e.expectRegistered(0, u, e.supi(0), register(u))
	})
})

// Reference: TS 23.502 §4.2.2.2.2 (registration), TS 38.413 §8.6.1 (Initial UE Message from several gNBs)
var _ = Describe("Full stack conformance at scale (mem)", Label("conformance", "scale"), func() {
	const n = 1000
	It(fmt.Sprintf("registers %d UEs concurrently through 4 gNBs", n), func() {
		e := newEnvN("mem", n, func(t *testbed.Topology) { t.Name, t.GNBs = "scale", 4 })
		// Count the AMF's REGISTERED transitions as they happen (REGISTRATION
		// COMPLETE reaches the AMF after the UE's Register returned).
		var (
			mu    sync.Mutex
			count int
			done  = make(chan struct{})
		)
		e.Trace.Subscribe(func(ev trace.Event) {
			if ev.Actor == "amf" && ev.Kind == trace.KindState && ev.Name == "REGISTERED" {
				mu.Lock()
				count++
				if count == n {
					close(done)
				}
				mu.Unlock()
			}
		})
		schemes := []ident.ProtectionScheme{ident.SchemeProfileA, ident.SchemeNull, ident.SchemeProfileB}
		ues := make([]*ue.UE, n)
		for i := range ues {
			ues[i] = e.newUE(i, testbed.UEOptions{Scheme: schemes[i%len(schemes)], SchemeSet: true, GNB: 1 + i%4})
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		results := make([]ue.RegResult, n)
		errs := make([]error, n)
		start := time.Now()
		var wg sync.WaitGroup
		for i := range ues {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = ues[i].Register(ctx)
			}()
		}
		wg.Wait()
		took := time.Since(start)
		AddReportEntry(fmt.Sprintf("%d concurrent registrations", n), took.String())
		GinkgoWriter.Printf("%d registrations in %v (%.0f/s)\n", n, took, float64(n)/took.Seconds())
		for i := range results {
			Expect(errs[i]).NotTo(HaveOccurred(), "UE %d", i)
			Expect(results[i].Accepted).To(BeTrue(), "UE %d: %+v", i, results[i])
			Expect(ues[i].Registered()).To(BeTrue())
		}
		select {
		case <-done:
		case <-ctx.Done():
			Fail("the AMF did not complete every registration")
		}
		c := e.AMF.Counts()
		Expect(c.Registered).To(Equal(n))
		Expect(c.SUPIs).To(Equal(n))
		Expect(c.GNBs).To(Equal(4))
		for _, g := range e.GNBs {
			Expect(g.Stats().NASUplink).To(BeNumerically(">=", n/4), "every gNB carried its share")
		}
		Expect(e.since(0, match(trace.Event{Actor: "ausf", Kind: trace.KindKey, Name: ausf.KeyKSEAF}))).To(HaveLen(n))
	})
})
