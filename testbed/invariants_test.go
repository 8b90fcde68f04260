package testbed_test

import (
	"context"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/testbed"
)

const supiX = "imsi-001010000000042"

// seqd numbers synthetic events in order.
func seqd(evs ...trace.Event) []trace.Event {
	out := slices.Clone(evs)
	for i := range out {
		out[i].Seq = uint64(i + 1)
	}
	return out
}

func namesOf(v []testbed.Violation) []string {
	var out []string
	for _, x := range v {
		out = append(out, x.Name)
	}
	return out
}

// Synthetic events, in the vocabulary the NFs and UEs emit.
var (
	ueX              = "ue/" + supiX
	ueActivated      = trace.Event{Actor: ueX, Kind: trace.KindNote, Name: "NAS security activated", SUPI: supiX}
	ueRegRequest     = trace.Event{Actor: ueX, Kind: trace.KindMessage, Iface: trace.IfaceN1, Peer: "amf", Name: "REGISTRATION REQUEST", SUPI: supiX, Detail: "ul sht=0"}
	ueUSIMInvalid    = trace.Event{Actor: ueX, Kind: trace.KindNote, Name: "USIM invalid for 5GS", SUPI: supiX}
	amfActivated     = trace.Event{Actor: "amf", Kind: trace.KindNote, Name: "NAS security activated", SUPI: supiX}
	amfDeleted       = trace.Event{Actor: "amf", Kind: trace.KindState, Name: "CONTEXT-DELETED", SUPI: supiX, Detail: "keys wiped"}
	amfSuperseded    = trace.Event{Actor: "amf", Kind: trace.KindState, Name: "CONTEXT-DELETED", SUPI: supiX, Detail: "superseded by AMF UE NGAP ID 7"}
	amfRegistered    = trace.Event{Actor: "amf", Kind: trace.KindState, Name: "REGISTERED", SUPI: supiX, Detail: "WAIT-REGISTRATION-COMPLETE"}
	amfKSEAF         = trace.Event{Actor: "amf", Kind: trace.KindKey, Name: "KSEAF", SUPI: supiX}
	ausfConfirmOK    = trace.Event{Actor: "ausf", Kind: trace.KindRequest, Name: "Nudm_UEAU_ResultConfirmation", SUPI: supiX, Detail: "success=true"}
	ausfConfirmNOK   = trace.Event{Actor: "ausf", Kind: trace.KindRequest, Name: "Nudm_UEAU_ResultConfirmation", SUPI: supiX, Detail: "success=false"}
	ausfConfirmRefus = trace.Event{Actor: "ausf", Kind: trace.KindReject, Name: "Nudm_UEAU_ResultConfirmation", SUPI: supiX, Status: 404}
	ausfKSEAF        = trace.Event{Actor: "ausf", Kind: trace.KindKey, Name: "KSEAF", SUPI: supiX}
	udmKAUSF         = trace.Event{Actor: "udm", Kind: trace.KindKey, Name: "KAUSF", SUPI: supiX}
	udrRemoved       = trace.Event{Actor: "udr", Kind: trace.KindState, Name: "removed", SUPI: supiX, Detail: "subscription deleted"}
	udrExpired       = trace.Event{Actor: "udr", Kind: trace.KindState, Name: "expired", SUPI: supiX, Detail: "pending"}
	udrProvisioned   = trace.Event{Actor: "udr", Kind: trace.KindState, Name: "active", SUPI: supiX, Detail: "provisioned"}
	smfCreated       = trace.Event{Actor: "smf", Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: "Nsmf_PDUSession_CreateSMContext", SUPI: supiX, Status: 201}
)

func ueDL(name string, sht string) trace.Event {
	return trace.Event{Actor: ueX, Kind: trace.KindMessage, Iface: trace.IfaceN1, Peer: "amf", Name: name, SUPI: supiX, Detail: "dl sht=" + sht}
}

func amfUL(name, detail string) trace.Event {
	return trace.Event{Actor: "amf", Kind: trace.KindMessage, Iface: trace.IfaceN1, Name: name, SUPI: supiX, Detail: detail}
}

func amfDrop(name string) trace.Event {
	return trace.Event{Actor: "amf", Kind: trace.KindDrop, Iface: trace.IfaceN1, Name: name, SUPI: supiX, Detail: "not integrity protected"}
}

func amfAccept(detail string) trace.Event {
	return trace.Event{Actor: "amf", Kind: trace.KindMessage, Iface: trace.IfaceN1, Name: "REGISTRATION ACCEPT", SUPI: supiX, Detail: detail}
}

var _ = Describe("Testbed invariants", Label("invariants"), func() {
	It("has one trace check per invariant, each citing its clause", func() {
		var ns []string
		for _, c := range testbed.TraceChecks() {
			Expect(c.Ref).NotTo(BeEmpty())
			Expect(c.Check).NotTo(BeNil())
			ns = append(ns, c.Name)
		}
		Expect(ns).To(Equal([]string{testbed.InvNASIntegrity, testbed.InvKSEAFAfterRES,
			testbed.InvSessionAuthenticated, testbed.InvNoCredentialAfterDeprovisioning}))
	})

	// Reference: TS 24.501 §4.4.4.2, §4.4.4.3; TS 33.501 §6.4.3
	DescribeTable("no NAS message accepted without integrity after security mode",
		func(want []string, evs ...trace.Event) {
			Expect(namesOf(testbed.CheckTrace(seqd(evs...)))).To(Equal(want))
		},
		Entry("UE: protected messages after activation", nil,
			ueRegRequest, ueActivated, ueDL("REGISTRATION ACCEPT", "2"), ueDL("DEREGISTRATION REQUEST (UE TERMINATED)", "2")),
		Entry("UE: plain REGISTRATION ACCEPT after activation", []string{testbed.InvNASIntegrity},
			ueRegRequest, ueActivated, ueDL("REGISTRATION ACCEPT", "0")),
		Entry("UE: plain DEREGISTRATION REQUEST (UE terminated) after activation", []string{testbed.InvNASIntegrity},
			ueRegRequest, ueActivated, ueDL("DEREGISTRATION REQUEST (UE TERMINATED)", "0")),
		Entry("UE: the §4.4.4.2 list may come plain", nil,
			ueRegRequest, ueActivated, ueDL("IDENTITY REQUEST", "0"), ueDL("AUTHENTICATION REQUEST", "0"),
			ueDL("AUTHENTICATION REJECT", "0"), ueDL("REGISTRATION REJECT", "0"), ueDL("SERVICE REJECT", "0"),
			ueDL("DEREGISTRATION ACCEPT (UE ORIGINATING)", "0")),
		Entry("UE: plain before any context is not this invariant's business", nil,
			ueRegRequest, ueDL("REGISTRATION ACCEPT", "0")),
		Entry("UE: the context went with the USIM", nil,
			ueRegRequest, ueActivated, ueUSIMInvalid, ueDL("REGISTRATION ACCEPT", "0")),
		Entry("AMF: verified messages after activation", nil,
			amfActivated, amfUL("REGISTRATION COMPLETE", "ul sht=2 verified=true"), amfUL("UL NAS TRANSPORT", "ul sht=2 verified=true")),
		Entry("AMF: unverified REGISTRATION COMPLETE processed after activation", []string{testbed.InvNASIntegrity},
			amfActivated, amfUL("REGISTRATION COMPLETE", "ul sht=0 verified=false"), amfRegistered),
		Entry("AMF: unverified message as the last event", []string{testbed.InvNASIntegrity},
			amfActivated, amfUL("UL NAS TRANSPORT", "ul sht=2 verified=false")),
		Entry("AMF: unverified message dropped at once", nil,
			amfActivated, amfUL("REGISTRATION COMPLETE", "ul sht=0 verified=false"), amfDrop("REGISTRATION COMPLETE"), amfRegistered),
		Entry("AMF: the §4.4.4.3 list may come unverified", nil,
			amfActivated, amfUL("REGISTRATION REQUEST", "ul sht=1 verified=false"), amfUL("AUTHENTICATION RESPONSE", "ul sht=0 verified=false"),
			amfUL("DEREGISTRATION REQUEST (UE ORIGINATING)", "ul sht=0 verified=false")),
		Entry("AMF: after the context was deleted", nil,
			amfActivated, amfDeleted, amfUL("REGISTRATION COMPLETE", "ul sht=0 verified=false")),
		Entry("AMF: a superseded older context does not end the current one", []string{testbed.InvNASIntegrity},
			amfActivated, amfSuperseded, amfUL("REGISTRATION COMPLETE", "ul sht=0 verified=false")),
	)

	// Reference: TS 33.501 §6.1.3.2 steps 9-12 (KSEAF only after RES* = XRES*)
	DescribeTable("no KSEAF before a successful RES* check",
		func(want []string, evs ...trace.Event) {
			Expect(namesOf(testbed.CheckTrace(seqd(evs...)))).To(Equal(want))
		},
		Entry("confirmed, then derived, then sent to the AMF", nil, ausfConfirmOK, ausfKSEAF, amfKSEAF),
		Entry("derived without a confirmation", []string{testbed.InvKSEAFAfterRES}, ausfKSEAF),
		Entry("derived after a failed RES* check", []string{testbed.InvKSEAFAfterRES}, ausfConfirmNOK, ausfKSEAF),
		Entry("derived after the UDM refused the confirmation", []string{testbed.InvKSEAFAfterRES}, ausfConfirmOK, ausfConfirmRefus, ausfKSEAF),
		Entry("one confirmation, two KSEAFs", []string{testbed.InvKSEAFAfterRES}, ausfConfirmOK, ausfKSEAF, ausfKSEAF),
		Entry("confirmed for another SUPI", []string{testbed.InvKSEAFAfterRES},
			trace.Event{Actor: "ausf", Kind: trace.KindRequest, Name: "Nudm_UEAU_ResultConfirmation", SUPI: "imsi-001010000000001", Detail: "success=true"}, ausfKSEAF),
		Entry("the AMF holds a KSEAF the AUSF never derived", []string{testbed.InvKSEAFAfterRES}, amfKSEAF),
	)

	// Reference: TS 23.502 §4.3.2.2.1; TS 33.501 §6.1.1
	DescribeTable("no PDU session without an authenticated SUPI",
		func(want []string, evs ...trace.Event) {
			Expect(namesOf(testbed.CheckTrace(seqd(evs...)))).To(Equal(want))
		},
		Entry("authenticated and registered", nil, ausfConfirmOK, ausfKSEAF, amfKSEAF, amfRegistered, smfCreated),
		Entry("an older context superseded meanwhile", nil, ausfConfirmOK, ausfKSEAF, amfKSEAF, amfRegistered, amfSuperseded, smfCreated),
		Entry("never authenticated", []string{testbed.InvSessionAuthenticated}, amfRegistered, smfCreated),
		Entry("not registered", []string{testbed.InvSessionAuthenticated}, ausfConfirmOK, ausfKSEAF, amfKSEAF, smfCreated),
		Entry("after the context was deleted", []string{testbed.InvSessionAuthenticated},
			ausfConfirmOK, ausfKSEAF, amfKSEAF, amfRegistered, amfDeleted, smfCreated),
		Entry("for no SUPI", []string{testbed.InvSessionAuthenticated},
			trace.Event{Actor: "smf", Kind: trace.KindResponse, Name: "Nsmf_PDUSession_CreateSMContext", Status: 201}),
		Entry("a refused creation is no session", nil,
			trace.Event{Actor: "smf", Kind: trace.KindResponse, Name: "Nsmf_PDUSession_CreateSMContext", SUPI: supiX, Status: 403}),
	)

	// Reference: TR 33.899 KI #12.2 R3; TS 23.502 §4.2.2.3.3; TS 33.501 §6.1.3.2 step 1
	DescribeTable("no credential usable after deprovisioning is committed",
		func(want []string, evs ...trace.Event) {
			Expect(namesOf(testbed.CheckTrace(seqd(evs...)))).To(Equal(want))
		},
		Entry("keys before the removal", nil, udmKAUSF, ausfConfirmOK, ausfKSEAF, amfKSEAF, udrRemoved),
		Entry("KAUSF after the removal", []string{testbed.InvNoCredentialAfterDeprovisioning}, udrRemoved, udmKAUSF),
		Entry("KSEAF after the removal", []string{testbed.InvNoCredentialAfterDeprovisioning}, udrRemoved, ausfConfirmOK, ausfKSEAF),
		Entry("KSEAF at the AMF after expiry",
			[]string{testbed.InvKSEAFAfterRES, testbed.InvNoCredentialAfterDeprovisioning}, udrExpired, amfKSEAF),
		Entry("REGISTRATION ACCEPT after the removal", []string{testbed.InvNoCredentialAfterDeprovisioning},
			udrRemoved, amfAccept("dl sht=2")),
		Entry("re-provisioned, then used", nil, udrRemoved, udrProvisioned, udmKAUSF, ausfConfirmOK, ausfKSEAF, amfAccept("dl sht=2")),
		Entry("another SUPI's keys", nil, udrRemoved,
			trace.Event{Actor: "udm", Kind: trace.KindKey, Name: "KAUSF", SUPI: "imsi-001010000000001"}),
		Entry("the UE's own key derivation is not the network's", nil, udrRemoved,
			trace.Event{Actor: ueX, Kind: trace.KindKey, Name: "KSEAF", SUPI: supiX}),
	)

	Describe("on a real bed", func() {
		var (
			e    *env
			real []trace.Event
			supi string
		)
		BeforeEach(func() {
			e = newEnv("mem")
			supi = e.supi(0)
			u := e.newUE(0)
			e.expectRegistered(0, u, supi, register(u))
		})
		JustBeforeEach(func() {
			e.awaitAMF(0, supi, "REGISTERED")
			real = e.Trace.Events()
		})
		// The trace events of a real registration drive every check: a
		// mutated copy of the real trace must fail each one.
		find := func(want trace.Event) int {
			i := slices.IndexFunc(real, trace.Match(want))
			Expect(i).To(BeNumerically(">=", 0), "no %s %s %s in the real trace", want.Actor, want.Kind, want.Name)
			return i
		}
		after := func(i int, ev trace.Event) []trace.Event {
			ev.Seq = real[i].Seq
			return slices.Insert(slices.Clone(real), i+1, ev)
		}

		It("keeps every invariant on a clean run", func() {
			Expect(testbed.CheckTrace(real)).To(BeEmpty())
			Expect(e.CheckInvariants()).To(BeEmpty())
		})

		It("finds an unprotected downlink message a real UE would have accepted", func() {
			i := find(trace.Event{Actor: ueActor(supi), Kind: trace.KindNote, Name: "NAS security activated"})
			ev := ueDL("REGISTRATION ACCEPT", "0")
			ev.Actor, ev.SUPI = ueActor(supi), supi
			Expect(namesOf(testbed.CheckTrace(after(i, ev)))).To(Equal([]string{testbed.InvNASIntegrity}))
		})

		It("finds an unverified uplink message the real AMF would have processed", func() {
			i := find(trace.Event{Actor: "amf", Kind: trace.KindMessage, Name: "REGISTRATION COMPLETE", SUPI: supi})
			mut := slices.Clone(real)
			mut[i].Detail = "ul sht=0 verified=false"
			Expect(namesOf(testbed.CheckTrace(mut))).To(Equal([]string{testbed.InvNASIntegrity}))
		})

		It("finds a KSEAF without the AUSF's successful confirmation", func() {
			i := find(trace.Event{Actor: "ausf", Kind: trace.KindRequest, Name: "Nudm_UEAU_ResultConfirmation", SUPI: supi})
			mut := slices.Delete(slices.Clone(real), i, i+1)
			Expect(namesOf(testbed.CheckTrace(mut))).To(ConsistOf(testbed.InvKSEAFAfterRES, testbed.InvKSEAFAfterRES))
		})

		It("finds a session for a SUPI the AMF never registered", func() {
			ev := smfCreated
			ev.SUPI = e.supi(1)
			Expect(namesOf(testbed.CheckTrace(after(len(real)-1, ev)))).To(Equal([]string{testbed.InvSessionAuthenticated}))
			ev.SUPI = supi
			Expect(testbed.CheckTrace(after(len(real)-1, ev))).To(BeEmpty())
		})

		It("finds a credential used after its removal, in the trace and in the UDR", func() {
			i := find(trace.Event{Actor: "udr", Kind: trace.KindState, SUPI: supi})
			rm := udrRemoved
			rm.SUPI = supi
			Expect(namesOf(testbed.CheckTrace(after(i, rm)))).To(ContainElement(testbed.InvNoCredentialAfterDeprovisioning))
			// A removal the trace claims but the UDR never committed.
			e.Trace.Emit(rm)
			Expect(namesOf(e.CheckInvariants())).To(ContainElement(testbed.InvNoCredentialAfterDeprovisioning))
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			Expect(e.UDR.Remove(ctx, supi)).To(Succeed())
			e.awaitAMF(0, supi, "CONTEXT-DELETED")
			// Committed now: the UDR no longer holds it, and nothing was
			// derived for it since.
			Expect(namesOf(e.CheckInvariants())).NotTo(ContainElement(testbed.InvNoCredentialAfterDeprovisioning))
		})
	})

	It("cannot vouch for a bed without a complete trace", func() {
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		b, err := testbed.New(ctx, testbed.Topology{NoTrace: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(b.Close)
		Expect(namesOf(b.CheckInvariants())).To(Equal([]string{testbed.InvTraceComplete}))

		b2, err := testbed.New(ctx, testbed.Topology{TraceLimit: 1})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(b2.Close)
		Expect(namesOf(b2.CheckInvariants())).To(ContainElement(testbed.InvTraceComplete))
	})
})
