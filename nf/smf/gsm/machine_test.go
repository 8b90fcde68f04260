package gsm_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/smf/gsm"
)

var (
	ueAddr          = netip.MustParseAddr("10.60.0.1")
	upfN3           = netip.MustParseAddr("127.0.0.8")
	gnbN3           = netip.MustParseAddr("127.0.0.20")
	slice1          = nasx.SNSSAI{SST: 1, SD: 0x010203, HasSD: true}
	allSBI, results = eventKinds()
)

// eventKinds splits the event kinds into SBI requests and action outcomes.
func eventKinds() (sbi, outcomes []gsm.EventKind) {
	for k := range gsm.NumEventKinds {
		if k.FromSBI() {
			sbi = append(sbi, k)
		} else {
			outcomes = append(outcomes, k)
		}
	}
	return sbi, outcomes
}

func n1Request(psi, pti, typ, ssc uint8) []byte {
	b, err := (&nasx.PDUSessionEstablishmentRequest{
		GSMHeader:              nasx.GSMHeader{PDUSessionID: psi, PTI: pti},
		IntegrityMaxDataRateUL: nasx.MaxDataRateFull, IntegrityMaxDataRateDL: nasx.MaxDataRateFull,
		PDUSessionType: typ, SSCMode: ssc,
	}).Build()
	Expect(err).NotTo(HaveOccurred())
	return b
}

func create(psi uint8, n1 []byte) gsm.EstablishmentRequest {
	return gsm.NewEstablishmentRequest(psi, "internet", slice1, true, true, n1)
}

func actionsOf[T gsm.Action](o gsm.Output) []T {
	var out []T
	for _, a := range o.Actions {
		if t, ok := a.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

func one[T gsm.Action](o gsm.Output) T {
	l := actionsOf[T](o)
	ExpectWithOffset(1, l).To(HaveLen(1), "actions %#v", o.Actions)
	return l[0]
}

// establishActive drives a context to Active and returns it.
func establishActive(m *gsm.Machine) *gsm.Context {
	c := &gsm.Context{}
	m.Handle(c, create(5, n1Request(5, 1, nasx.PDUSessionIPv4, nasx.SSCMode1)))
	m.Handle(c, gsm.Authorization{Result: gsm.AuthOK, UEAddr: ueAddr})
	m.Handle(c, gsm.PFCPEstablished{OK: true, UPSEID: 77, ULTunnel: ngapx.GTPTunnel{Addr: upfN3, TEID: 0x100}})
	m.Handle(c, gsm.N2SetupResponse{Transfer: &ngapx.PDUSessionSetupResponseTransfer{DLTunnel: ngapx.GTPTunnel{Addr: gnbN3, TEID: 0x200}, QFIs: []uint8{1}}})
	m.Handle(c, gsm.PFCPModified{OK: true})
	ExpectWithOffset(1, c.State).To(Equal(gsm.Active))
	return c
}

var _ = Describe("5GSM machine", Label("userplane"), func() {
	var m *gsm.Machine
	BeforeEach(func() { m = gsm.NewMachine(gsm.Policy{}) })

	// Reference: STYLE.md "transition tables as data": every (state, event)
	// pair is handled, rejected or ignored.
	It("has a rule for every (state, event) pair", func() {
		for s := range gsm.NumStates {
			for k := range gsm.NumEventKinds {
				Expect(m.Rule(s, k)).NotTo(BeZero(), "%v x %v", s, k)
			}
		}
		for _, k := range allSBI {
			Expect(m.Rule(gsm.Released, k)).To(Equal(gsm.Rejected), "%v", k)
		}
		for _, k := range results {
			Expect(m.Rule(gsm.Released, k)).To(Equal(gsm.Ignored), "%v", k)
		}
	})

	// Reference: TS 29.502 §5.2.2.4 (an SM context that is gone answers 404).
	It("answers every SBI event of a released context with 404 CONTEXT_NOT_FOUND and no action with side effects", func() {
		for _, k := range allSBI {
			c := &gsm.Context{State: gsm.Released, PDUSessionID: 5}
			var ev gsm.Event
			switch k {
			case gsm.EvEstablishmentRequest:
				ev = create(5, n1Request(5, 1, 1, 1))
			case gsm.EvN2SetupResponse:
				ev = gsm.N2SetupResponse{}
			case gsm.EvN2SetupFailure:
				ev = gsm.N2SetupFailure{}
			case gsm.EvUPDeactivate:
				ev = gsm.UPDeactivate{}
			case gsm.EvUPActivate:
				ev = gsm.UPActivate{}
			case gsm.EvReleaseRequest:
				ev = gsm.ReleaseRequest{}
			case gsm.EvReleaseComplete:
				ev = gsm.ReleaseComplete{}
			case gsm.EvStatus:
				ev = gsm.Status{}
			case gsm.EvUnexpectedN1:
				ev = gsm.UnexpectedN1{}
			case gsm.EvNetworkRelease:
				ev = gsm.NetworkRelease{}
			case gsm.EvReleaseContext:
				ev = gsm.ReleaseContext{}
			case gsm.EvN2ReleaseResponse:
				ev = gsm.N2ReleaseResponse{}
			}
			o := m.Handle(c, ev)
			r := one[gsm.Reply](o)
			Expect(r.Status).To(Equal(http.StatusNotFound), "%v", k)
			Expect(r.Cause).To(Equal(gsm.CauseContextNotFound))
			Expect(o.Actions).To(HaveLen(1))
		}
	})

	// Reference: TS 23.502 §4.3.2.2.1 steps 3-16; TS 24.501 §6.4.1.3.
	It("establishes a PDU session: subscription, 201, PFCP, N1 accept and N2 setup, DL activation", func() {
		c := &gsm.Context{}
		o := m.Handle(c, create(5, n1Request(5, 7, nasx.PDUSessionIPv4, nasx.SSCMode1)))
		Expect(o.Rule).To(Equal(gsm.Handled))
		q := one[gsm.QuerySubscription](o)
		Expect(q.DNN).To(Equal("internet"))
		Expect(c.State).To(Equal(gsm.Authorizing))
		Expect(o.Trace).To(ContainElement(HaveField("Name", "PDU SESSION ESTABLISHMENT REQUEST")))

		o = m.Handle(c, gsm.Authorization{Result: gsm.AuthOK, UEAddr: ueAddr, QoS: gsm.QoS{FiveQI: 8}})
		Expect(o.Actions).To(HaveLen(2))
		Expect(o.Actions[0]).To(Equal(gsm.Reply{Status: http.StatusCreated}))
		est := o.Actions[1].(gsm.EstablishPFCP)
		Expect(est.UEAddr).To(Equal(ueAddr))
		Expect(est.QFI).To(Equal(uint8(1)))
		Expect(c.State).To(Equal(gsm.EstablishmentPending))

		o = m.Handle(c, gsm.PFCPEstablished{OK: true, UPSEID: 77, ULTunnel: ngapx.GTPTunnel{Addr: upfN3, TEID: 0x100}})
		tr := one[gsm.TransferToAMF](o)
		Expect(c.State).To(Equal(gsm.WaitN2Response))
		acc, ok := tr.N1.(*nasx.PDUSessionEstablishmentAccept)
		Expect(ok).To(BeTrue())
		b, err := acc.Build()
		Expect(err).NotTo(HaveOccurred())
		parsed, err := nasx.ParseGSM(b)
		Expect(err).NotTo(HaveOccurred())
		pa := parsed.(*nasx.PDUSessionEstablishmentAccept)
		Expect(pa.PDUAddress).To(Equal(ueAddr))
		Expect(pa.PTI).To(Equal(uint8(7)))
		Expect(pa.PDUSessionID).To(Equal(uint8(5)))
		Expect(pa.DNN).To(Equal("internet"))
		Expect(*pa.SNSSAI).To(Equal(slice1))
		Expect(pa.QoSFlowDescriptions).To(Equal(nasx.DefaultQoSFlowDescriptions(1, 8)))
		Expect(pa.Cause).To(BeNil())
		n2, err := tr.N2.Build()
		Expect(err).NotTo(HaveOccurred())
		st, err := ngapx.ParsePDUSessionSetupRequestTransfer(n2)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.ULTunnel).To(Equal(ngapx.GTPTunnel{Addr: upfN3, TEID: 0x100}))
		Expect(st.QoSFlows).To(Equal([]ngapx.QoSFlowSetup{{QFI: 1, FiveQI: 8, ARP: ngapx.ARP{Priority: 8}}}))

		Expect(m.Handle(c, gsm.TransferResult{OK: true}).Actions).To(BeEmpty())

		o = m.Handle(c, gsm.N2SetupResponse{Transfer: &ngapx.PDUSessionSetupResponseTransfer{DLTunnel: ngapx.GTPTunnel{Addr: gnbN3, TEID: 0x200}, QFIs: []uint8{1}}})
		mod := one[gsm.ModifyPFCP](o)
		Expect(mod.UPSEID).To(Equal(uint64(77)))
		Expect(mod.Mod).To(Equal(pfcpx.ActivateDownlink(0x200, gnbN3, "internet")))
		Expect(c.State).To(Equal(gsm.Activating))

		o = m.Handle(c, gsm.PFCPModified{OK: true})
		Expect(one[gsm.Reply](o)).To(Equal(gsm.Reply{Status: http.StatusOK, UpCnxState: gsm.UpActivated}))
		Expect(c.State).To(Equal(gsm.Active))
		Expect(o.Trace).To(ContainElement(And(HaveField("Kind", trace.KindState), HaveField("Name", "Active"))))
	})

	// Reference: TS 24.501 §6.4.1.3 (IPv4v6 requested, IPv4 only: accept with #50).
	It("accepts an IPv4v6 request as IPv4 with 5GSM cause #50", func() {
		c := &gsm.Context{}
		m.Handle(c, create(1, n1Request(1, 1, nasx.PDUSessionIPv4v6, 0)))
		m.Handle(c, gsm.Authorization{Result: gsm.AuthOK, UEAddr: ueAddr})
		o := m.Handle(c, gsm.PFCPEstablished{OK: true, UPSEID: 1, ULTunnel: ngapx.GTPTunnel{Addr: upfN3, TEID: 9}})
		acc := one[gsm.TransferToAMF](o).N1.(*nasx.PDUSessionEstablishmentAccept)
		Expect(acc.Cause).NotTo(BeNil())
		Expect(*acc.Cause).To(Equal(nasx.GSMCauseIPv4OnlyAllowed))
		Expect(acc.PDUSessionType).To(Equal(nasx.PDUSessionIPv4))
	})

	type rejectCase struct {
		psi, pti, typ, ssc  uint8
		dnnServed, snServed bool
		auth                *gsm.Authorization
		cause               uint8
		status              int
		problem             string
	}
	// Reference: TS 24.501 §6.4.1.4.1, §7.3.1, §7.3.2, Annex B; TS 29.502 §6.1.3.2.3.1.
	DescribeTable("rejects a PDU session establishment with the 5GSM cause and no PFCP session",
		func(rc rejectCase) {
			c := &gsm.Context{}
			ev := gsm.NewEstablishmentRequest(5, "internet", slice1, rc.dnnServed, rc.snServed, n1Request(rc.psi, rc.pti, rc.typ, rc.ssc))
			o := m.Handle(c, ev)
			if rc.auth != nil {
				Expect(c.State).To(Equal(gsm.Authorizing))
				o = m.Handle(c, *rc.auth)
			}
			r := one[gsm.Reply](o)
			Expect(r.Status).To(Equal(rc.status))
			Expect(r.Cause).To(Equal(rc.problem))
			rej, ok := r.N1.(*nasx.PDUSessionEstablishmentReject)
			Expect(ok).To(BeTrue())
			Expect(rej.Cause).To(Equal(rc.cause))
			Expect(rej.PTI).To(Equal(rc.pti))
			Expect(actionsOf[gsm.EstablishPFCP](o)).To(BeEmpty())
			Expect(c.State).To(Equal(gsm.Released))
			Expect(o.Rule).To(Equal(gsm.Handled))
			Expect(o.Trace).To(ContainElement(And(HaveField("Kind", trace.KindReject),
				HaveField("Name", "PDU SESSION ESTABLISHMENT REJECT"), HaveField("Cause", fmt.Sprintf("5GSM#%d", rc.cause)))))
		},
		Entry("PTI 0: #81", rejectCase{psi: 5, pti: 0, typ: 1, ssc: 1, dnnServed: true, snServed: true, cause: nasx.GSMCauseInvalidPTIValue, status: 403, problem: gsm.CauseN1SMError}),
		Entry("PTI 255: #81", rejectCase{psi: 5, pti: 255, typ: 1, ssc: 1, dnnServed: true, snServed: true, cause: nasx.GSMCauseInvalidPTIValue, status: 403, problem: gsm.CauseN1SMError}),
		Entry("N1 PSI differs from pduSessionId: #43", rejectCase{psi: 6, pti: 1, typ: 1, ssc: 1, dnnServed: true, snServed: true, cause: nasx.GSMCauseInvalidPDUSessionIdentity, status: 403, problem: gsm.CauseN1SMError}),
		Entry("DNN not served: #27", rejectCase{psi: 5, pti: 1, typ: 1, ssc: 1, snServed: true, cause: nasx.GSMCauseMissingOrUnknownDNN, status: 403, problem: gsm.CauseDNNNotSupported}),
		Entry("S-NSSAI not served: #32", rejectCase{psi: 5, pti: 1, typ: 1, ssc: 1, dnnServed: true, cause: nasx.GSMCauseServiceOptionNotSupported, status: 403, problem: gsm.CauseSNSSAIDenied}),
		Entry("IPv6 only: #50", rejectCase{psi: 5, pti: 1, typ: nasx.PDUSessionIPv6, ssc: 1, dnnServed: true, snServed: true, cause: nasx.GSMCauseIPv4OnlyAllowed, status: 403, problem: gsm.CausePDUTypeDenied}),
		Entry("Ethernet: #50", rejectCase{psi: 5, pti: 1, typ: nasx.PDUSessionEthernet, ssc: 1, dnnServed: true, snServed: true, cause: nasx.GSMCauseIPv4OnlyAllowed, status: 403, problem: gsm.CausePDUTypeDenied}),
		Entry("reserved PDU session type: #28", rejectCase{psi: 5, pti: 1, typ: 7, ssc: 1, dnnServed: true, snServed: true, cause: nasx.GSMCauseUnknownPDUSessionType, status: 403, problem: gsm.CausePDUTypeDenied}),
		Entry("SSC mode 2: #68", rejectCase{psi: 5, pti: 1, typ: 1, ssc: 2, dnnServed: true, snServed: true, cause: nasx.GSMCauseNotSupportedSSCMode, status: 403, problem: gsm.CauseSSCDenied}),
		Entry("DNN not subscribed: #27", rejectCase{psi: 5, pti: 1, typ: 1, ssc: 1, dnnServed: true, snServed: true, auth: &gsm.Authorization{Result: gsm.AuthDNNNotSubscribed}, cause: nasx.GSMCauseMissingOrUnknownDNN, status: 403, problem: gsm.CauseDNNDenied}),
		Entry("S-NSSAI not subscribed: #33", rejectCase{psi: 5, pti: 1, typ: 1, ssc: 1, dnnServed: true, snServed: true, auth: &gsm.Authorization{Result: gsm.AuthSNSSAINotSubscribed}, cause: nasx.GSMCauseServiceOptionNotSubscribed, status: 403, problem: gsm.CauseSNSSAIDenied}),
		Entry("unknown subscriber: #29", rejectCase{psi: 5, pti: 1, typ: 1, ssc: 1, dnnServed: true, snServed: true, auth: &gsm.Authorization{Result: gsm.AuthUserUnknown}, cause: nasx.GSMCauseUserAuthenticationFailed, status: 403, problem: gsm.CauseSubscriptionDenied}),
		Entry("pool exhausted: #26", rejectCase{psi: 5, pti: 1, typ: 1, ssc: 1, dnnServed: true, snServed: true, auth: &gsm.Authorization{Result: gsm.AuthNoAddress}, cause: nasx.GSMCauseInsufficientResources, status: 500, problem: gsm.CauseInsufficientResources}),
		Entry("UDM unreachable: #38", rejectCase{psi: 5, pti: 1, typ: 1, ssc: 1, dnnServed: true, snServed: true, auth: &gsm.Authorization{Result: gsm.AuthFailure}, cause: nasx.GSMCauseNetworkFailure, status: 504, problem: gsm.CauseNetworkFailure}),
	)

	// Reference: TS 24.501 Annex B (#33 is the configurable alternative for an unsubscribed DNN).
	It("uses the configured cause for an unsubscribed DNN", func() {
		m = gsm.NewMachine(gsm.Policy{DNNNotSubscribedCause: nasx.GSMCauseServiceOptionNotSubscribed})
		c := &gsm.Context{}
		m.Handle(c, create(5, n1Request(5, 1, 1, 1)))
		o := m.Handle(c, gsm.Authorization{Result: gsm.AuthDNNNotSubscribed})
		Expect(one[gsm.Reply](o).N1.(*nasx.PDUSessionEstablishmentReject).Cause).To(Equal(nasx.GSMCauseServiceOptionNotSubscribed))
	})

	// Reference: TS 24.501 §7.5 (a message that does not decode: #96).
	It("rejects an undecodable establishment request with #96 when the PTI is readable", func() {
		c := &gsm.Context{}
		o := m.Handle(c, create(5, []byte{nasx.EPD5GSM, 5, 9, byte(nasx.MsgPDUSessionEstablishmentRequest)}))
		r := one[gsm.Reply](o)
		Expect(r.Status).To(Equal(http.StatusForbidden))
		Expect(r.N1.(*nasx.PDUSessionEstablishmentReject).Cause).To(Equal(nasx.GSMCauseInvalidMandatoryInformation))
		Expect(r.N1.GSM().PTI).To(Equal(uint8(9)))
		c = &gsm.Context{}
		o = m.Handle(c, create(5, []byte{1, 2}))
		r = one[gsm.Reply](o)
		Expect(r.N1).To(BeNil())
		Expect(r.Cause).To(Equal(gsm.CauseN1SMError))
		Expect(c.State).To(Equal(gsm.Released))
	})

	// Reference: TS 23.502 §4.3.2.2.1 (failure after step 5): reject through N1N2MessageTransfer.
	It("sends the reject through the AMF and frees the address when PFCP establishment fails", func() {
		c := &gsm.Context{}
		m.Handle(c, create(5, n1Request(5, 3, 1, 1)))
		m.Handle(c, gsm.Authorization{Result: gsm.AuthOK, UEAddr: ueAddr})
		o := m.Handle(c, gsm.PFCPEstablished{OK: false, Cause: pfcpx.CauseNoResourcesAvailable})
		tr := one[gsm.TransferToAMF](o)
		Expect(tr.N1.(*nasx.PDUSessionEstablishmentReject).Cause).To(Equal(nasx.GSMCauseInsufficientResources))
		Expect(tr.N2).To(BeNil())
		Expect(one[gsm.FreeAddress](o).Addr).To(Equal(ueAddr))
		one[gsm.NotifyReleased](o)
		Expect(c.State).To(Equal(gsm.Released))
	})

	// Reference: TS 29.502 §5.2.2.4 (Release SM Context): PFCP deletion, then 204.
	It("releases an SM context at the AMF's request: PFCP deletion, address freed, 204, no N1/N2", func() {
		c := establishActive(m)
		o := m.Handle(c, gsm.ReleaseContext{})
		Expect(one[gsm.DeletePFCP](o).UPSEID).To(Equal(uint64(77)))
		Expect(c.State).To(Equal(gsm.Releasing))
		o = m.Handle(c, gsm.PFCPDeleted{OK: true})
		Expect(one[gsm.FreeAddress](o).Addr).To(Equal(ueAddr))
		Expect(one[gsm.Reply](o)).To(Equal(gsm.Reply{Status: http.StatusNoContent}))
		Expect(actionsOf[gsm.TransferToAMF](o)).To(BeEmpty())
		Expect(actionsOf[gsm.NotifyReleased](o)).To(BeEmpty())
		Expect(c.State).To(Equal(gsm.Released))
		Expect(c.HasPFCPSession()).To(BeFalse())
	})

	// Reference: TS 23.502 §4.3.4.2 (UE-requested release); TS 24.501 §6.4.3.
	It("releases at the UE's request: RELEASE COMMAND and N2 release command, then waits for both answers", func() {
		c := establishActive(m)
		rr, err := (&nasx.PDUSessionReleaseRequest{GSMHeader: nasx.GSMHeader{PDUSessionID: 5, PTI: 4}}).Build()
		Expect(err).NotTo(HaveOccurred())
		o := m.Handle(c, gsm.ClassifyN1(rr))
		one[gsm.DeletePFCP](o)
		o = m.Handle(c, gsm.PFCPDeleted{OK: true})
		r := one[gsm.Reply](o)
		Expect(r.Status).To(Equal(http.StatusOK))
		cmd := r.N1.(*nasx.PDUSessionReleaseCommand)
		Expect(cmd.PTI).To(Equal(uint8(4)))
		Expect(cmd.Cause).To(Equal(nasx.GSMCauseRegularDeactivation))
		Expect(r.N2.Kind).To(Equal(gsm.N2ReleaseCommand))
		b, err := r.N2.Build()
		Expect(err).NotTo(HaveOccurred())
		rc, err := ngapx.ParsePDUSessionReleaseCommandTransfer(b)
		Expect(err).NotTo(HaveOccurred())
		Expect(rc.Cause).To(Equal(ngapx.CauseNASNormalRelease))
		Expect(c.State).To(Equal(gsm.ReleasePending))

		o = m.Handle(c, gsm.N2ReleaseResponse{})
		Expect(one[gsm.Reply](o).Status).To(Equal(http.StatusNoContent))
		Expect(c.State).To(Equal(gsm.ReleasePending))
		done, err := (&nasx.PDUSessionReleaseComplete{GSMHeader: nasx.GSMHeader{PDUSessionID: 5, PTI: 4}}).Build()
		Expect(err).NotTo(HaveOccurred())
		o = m.Handle(c, gsm.ClassifyN1(done))
		one[gsm.NotifyReleased](o)
		Expect(c.State).To(Equal(gsm.Released))
	})

	// Reference: TS 23.502 §4.3.4.2 (network-requested release through N1N2MessageTransfer).
	It("releases on the network's decision through N1N2MessageTransfer", func() {
		c := establishActive(m)
		m.Handle(c, gsm.NetworkRelease{Transfer: true, Cause: nasx.GSMCauseOperatorDeterminedBarring})
		o := m.Handle(c, gsm.PFCPDeleted{OK: true})
		Expect(actionsOf[gsm.Reply](o)).To(BeEmpty())
		tr := one[gsm.TransferToAMF](o)
		Expect(tr.N1.(*nasx.PDUSessionReleaseCommand).Cause).To(Equal(nasx.GSMCauseOperatorDeterminedBarring))
		Expect(tr.N1.GSM().PTI).To(BeZero())
		Expect(tr.N2).NotTo(BeNil())
	})

	// Reference: TS 24.501 §7.4 (message not compatible with the protocol state: #98), §7.3.2 (#43).
	It("answers N1 messages the state cannot take with 5GSM STATUS", func() {
		c := establishActive(m)
		done, _ := (&nasx.PDUSessionReleaseComplete{GSMHeader: nasx.GSMHeader{PDUSessionID: 5, PTI: 4}}).Build()
		o := m.Handle(c, gsm.ClassifyN1(done))
		Expect(o.Rule).To(Equal(gsm.Rejected))
		st := one[gsm.Reply](o).N1.(*nasx.Status5GSM)
		Expect(st.Cause).To(Equal(nasx.GSMCauseMessageTypeNotCompatibleWithProtocolState))
		Expect(c.State).To(Equal(gsm.Active))

		other, _ := (&nasx.PDUSessionReleaseRequest{GSMHeader: nasx.GSMHeader{PDUSessionID: 6, PTI: 4}}).Build()
		o = m.Handle(c, gsm.ClassifyN1(other))
		Expect(one[gsm.Reply](o).N1.(*nasx.Status5GSM).Cause).To(Equal(nasx.GSMCauseInvalidPDUSessionIdentity))
		Expect(c.State).To(Equal(gsm.Active))

		o = m.Handle(c, gsm.ClassifyN1([]byte{nasx.EPD5GSM, 5, 2, byte(nasx.MsgPDUSessionModificationRequest)}))
		Expect(one[gsm.Reply](o).N1.(*nasx.Status5GSM).Cause).To(Equal(nasx.GSMCauseMessageTypeNonExistent))
	})

	// Reference: TS 23.502 §4.2.6 (AN release) and §4.2.3.2 (service request).
	It("deactivates and re-activates the user plane", func() {
		c := establishActive(m)
		o := m.Handle(c, gsm.UPDeactivate{})
		Expect(one[gsm.ModifyPFCP](o).Mod).To(Equal(pfcpx.DeactivateDownlink()))
		o = m.Handle(c, gsm.PFCPModified{OK: true})
		Expect(one[gsm.Reply](o).UpCnxState).To(Equal(gsm.UpDeactivated))
		Expect(c.State).To(Equal(gsm.Idle))
		o = m.Handle(c, gsm.UPActivate{})
		r := one[gsm.Reply](o)
		Expect(r.UpCnxState).To(Equal(gsm.UpActivating))
		Expect(r.N2.Setup.ULTunnel.TEID).To(Equal(uint32(0x100)))
		Expect(c.State).To(Equal(gsm.WaitN2Response))
	})

	It("rejects N2 information out of place and keeps the state", func() {
		c := establishActive(m)
		o := m.Handle(c, gsm.N2ReleaseResponse{})
		Expect(o.Rule).To(Equal(gsm.Rejected))
		Expect(one[gsm.Reply](o).Status).To(Equal(http.StatusForbidden))
		Expect(c.State).To(Equal(gsm.Active))
	})

	// Reference: TS 29.244 §7.5.6 (a session the CP function no longer wants is deleted).
	It("deletes a PFCP session whose SM context went away meanwhile, and frees late addresses", func() {
		c := &gsm.Context{}
		m.Handle(c, create(5, n1Request(5, 1, 1, 1)))
		o := m.Handle(c, gsm.ReleaseContext{})
		Expect(one[gsm.Reply](o).Status).To(Equal(http.StatusNoContent))
		Expect(c.State).To(Equal(gsm.Released))
		o = m.Handle(c, gsm.Authorization{Result: gsm.AuthOK, UEAddr: ueAddr})
		Expect(o.Rule).To(Equal(gsm.Ignored))
		Expect(one[gsm.FreeAddress](o).Addr).To(Equal(ueAddr))
		o = m.Handle(c, gsm.PFCPEstablished{OK: true, UPSEID: 9})
		Expect(one[gsm.DeletePFCP](o)).To(Equal(gsm.DeletePFCP{UPSEID: 9, Orphan: true}))
	})

	It("defers a release that arrives during the PFCP establishment", func() {
		c := &gsm.Context{}
		m.Handle(c, create(5, n1Request(5, 1, 1, 1)))
		m.Handle(c, gsm.Authorization{Result: gsm.AuthOK, UEAddr: ueAddr})
		o := m.Handle(c, gsm.ReleaseContext{})
		Expect(one[gsm.Reply](o).Status).To(Equal(http.StatusNoContent))
		o = m.Handle(c, gsm.PFCPEstablished{OK: true, UPSEID: 3})
		Expect(one[gsm.DeletePFCP](o).UPSEID).To(Equal(uint64(3)))
		Expect(actionsOf[gsm.TransferToAMF](o)).To(BeEmpty())
		o = m.Handle(c, gsm.PFCPDeleted{OK: true})
		Expect(actionsOf[gsm.Reply](o)).To(BeEmpty())
		Expect(one[gsm.FreeAddress](o).Addr).To(Equal(ueAddr))
		Expect(c.State).To(Equal(gsm.Released))
	})

	// Reference: TS 23.502 §4.3.2.2.1 (the gNB cannot set up the session).
	It("releases after PDU_RES_SETUP_FAIL with a reject #26 in the reply", func() {
		c := &gsm.Context{}
		m.Handle(c, create(5, n1Request(5, 2, 1, 1)))
		m.Handle(c, gsm.Authorization{Result: gsm.AuthOK, UEAddr: ueAddr})
		m.Handle(c, gsm.PFCPEstablished{OK: true, UPSEID: 3})
		o := m.Handle(c, gsm.N2SetupFailure{Cause: ngapx.CauseRadioNetworkUnspecified})
		one[gsm.DeletePFCP](o)
		o = m.Handle(c, gsm.PFCPDeleted{OK: true})
		r := one[gsm.Reply](o)
		Expect(r.N1.(*nasx.PDUSessionEstablishmentReject).Cause).To(Equal(nasx.GSMCauseInsufficientResources))
		one[gsm.NotifyReleased](o)
		Expect(c.State).To(Equal(gsm.Released))
	})
})

// Reference: TS 24.501 §9.11.4.14 (session-AMBR units).
func TestNASSessionAMBR(t *testing.T) {
	for _, tc := range []struct {
		bps  uint64
		want nasx.SessionAMBR
	}{
		{1_000_000_000, nasx.SessionAMBR{DLUnit: nasx.AMBRUnit1Mbps, DL: 1000, ULUnit: nasx.AMBRUnit1Mbps, UL: 1000}},
		{64_000, nasx.SessionAMBR{DLUnit: nasx.AMBRUnit1Kbps, DL: 64, ULUnit: nasx.AMBRUnit1Kbps, UL: 64}},
		{65_535_000, nasx.SessionAMBR{DLUnit: nasx.AMBRUnit1Kbps, DL: 65535, ULUnit: nasx.AMBRUnit1Kbps, UL: 65535}},
		{65_536_000, nasx.SessionAMBR{DLUnit: nasx.AMBRUnit1Mbps, DL: 66, ULUnit: nasx.AMBRUnit1Mbps, UL: 66}},
		{100_000_000_000, nasx.SessionAMBR{DLUnit: nasx.AMBRUnit1Gbps, DL: 100, ULUnit: nasx.AMBRUnit1Gbps, UL: 100}},
		{1, nasx.SessionAMBR{DLUnit: nasx.AMBRUnit1Kbps, DL: 1, ULUnit: nasx.AMBRUnit1Kbps, UL: 1}},
	} {
		if got := gsm.NASSessionAMBR(gsm.AMBR{UL: tc.bps, DL: tc.bps}); got != tc.want {
			t.Errorf("%d bit/s: got %+v, want %+v", tc.bps, got, tc.want)
		}
	}
}
