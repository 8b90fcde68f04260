package smf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/netip"
	"net/textproto"
	"sync"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi"
	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/smf/PDUSession"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/smf"
	"github.com/credbed/credbed/nf/smf/gsm"
	"github.com/credbed/credbed/nf/upf"
)

func TestSMF(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "nf/smf")
}

func createError(err error) (int, *models.PostSmContextsError) {
	var oe openapi.GenericOpenAPIError
	if !errors.As(err, &oe) {
		return 0, nil
	}
	if m, ok := oe.ErrorModel.(PDUSession.PostSmContextsError); ok {
		return oe.ErrorStatus, &m.PostSmContextsError
	}
	return oe.ErrorStatus, nil
}

var _ = Describe("SMF", Label("userplane"), func() {
	var b *bed

	BeforeEach(func() {
		var err error
		b, err = newBed(bedOptions{cfg: smf.Config{DNNs: []smf.DNN{
			{Name: "internet", Pool: netip.MustParsePrefix("10.60.0.0/16")},
			{Name: "ims", Pool: netip.MustParsePrefix("10.61.0.0/24")},
		}}})
		DeferCleanup(func() { b.close() })
		Expect(err).NotTo(HaveOccurred())
	})

	// Reference: TS 29.510 §5.2.2.2 (registration), §5.3.2.2 (the UDM is discovered).
	It("registers at the NRF with its smfInfo and finds the UDM there", func() {
		Expect(b.rec.Count(trace.Match(trace.Event{Actor: "smf", Kind: trace.KindResponse, Name: "Nnrf_NFManagement_NFRegister", Status: http.StatusCreated}))).To(Equal(1))
		supi := supiN(11)
		Expect(b.subscribe(supi)).To(Succeed())
		_, err := b.establish(supi, 1)
		Expect(err).NotTo(HaveOccurred())
		Expect(b.rec.Count(trace.Match(trace.Event{Actor: "udm", Kind: trace.KindResponse, SUPI: supi, Status: http.StatusOK}))).To(BeNumerically(">=", 1))
	})

	// Reference: TS 29.244 §6.2.6 (the CP function sets up the PFCP association first).
	It("associates with the UPF at start", func() {
		Expect(b.upf.Stats().Associations).To(Equal(1))
		Expect(b.rec.Count(trace.Match(trace.Event{Actor: "smf", Kind: trace.KindState, Name: "PFCP associated"}))).To(Equal(1))
	})

	// Reference: TS 23.502 §4.3.2.2.1 steps 3-16; TS 29.502 §5.2.2.2.1, §5.2.2.3.1;
	// TS 29.518 §5.2.2.3.1; TS 24.501 §8.3.2; TS 38.413 §9.3.4.1; TS 29.244 §7.5.2, §7.5.4.
	It("establishes a PDU session: 201, N1 accept and N2 setup request to the AMF, UPF rules, DL activation", func() {
		supi := supiN(1)
		Expect(b.subscribe(supi)).To(Succeed())
		rsp, err := b.create(supi, 5, "internet", estRequest(5, 7))
		Expect(err).NotTo(HaveOccurred())
		Expect(rsp.Location).To(HavePrefix(b.smf.APIRoot() + "/nsmf-pdusession/v1/sm-contexts/"))
		Expect(rsp.PostSmContextsResponse201.JsonData).NotTo(BeNil())
		Expect(rsp.PostSmContextsResponse201.JsonData.PduSessionId).To(Equal(int32(5)))

		t, err := b.amf.next(supi)
		Expect(err).NotTo(HaveOccurred())
		j := t.req.JsonData
		Expect(j.PduSessionId).To(Equal(int32(5)))
		Expect(j.N1MessageContainer.N1MessageClass).To(Equal(models.N1MessageClass_SM))
		Expect(j.N2InfoContainer.N2InformationClass).To(Equal(models.N2InformationClass_SM))
		Expect(j.N2InfoContainer.SmInfo.PduSessionId).To(Equal(int32(5)))
		Expect(j.N2InfoContainer.SmInfo.N2InfoContent.NgapIeType).To(Equal(models.AmfCommunicationNgapIeType_PDU_RES_SETUP_REQ))

		m, err := nasx.ParseGSM(t.req.BinaryDataN1Message)
		Expect(err).NotTo(HaveOccurred())
		acc := m.(*nasx.PDUSessionEstablishmentAccept)
		Expect(acc.PDUSessionID).To(Equal(uint8(5)))
		Expect(acc.PTI).To(Equal(uint8(7)))
		Expect(acc.PDUSessionType).To(Equal(nasx.PDUSessionIPv4))
		Expect(netip.MustParsePrefix("10.60.0.0/16").Contains(acc.PDUAddress)).To(BeTrue())
		Expect(acc.DNN).To(Equal("internet"))
		Expect(*acc.SNSSAI).To(Equal(nasx.SNSSAI{SST: 1, SD: 0x010203, HasSD: true}))
		rules, err := nasx.ParseQoSRules(acc.QoSRules)
		Expect(err).NotTo(HaveOccurred())
		Expect(rules).To(HaveLen(1))
		Expect(rules[0].QFI).To(Equal(uint8(1)))
		Expect(rules[0].DQR).To(BeTrue())
		Expect(acc.SessionAMBR).To(Equal(nasx.SessionAMBR{DLUnit: nasx.AMBRUnit1Mbps, DL: 1000, ULUnit: nasx.AMBRUnit1Mbps, UL: 1000}))

		st, err := ngapx.ParsePDUSessionSetupRequestTransfer(t.req.BinaryDataN2Information)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.ULTunnel.Addr).To(Equal(upfIP))
		Expect(st.PDUSessionType).To(Equal(ngapx.PDUSessionTypeIPv4))
		Expect(st.QoSFlows).To(Equal([]ngapx.QoSFlowSetup{{QFI: 1, FiveQI: 9, ARP: ngapx.ARP{Priority: 8}}}))
		Expect(*st.SessionAMBR).To(Equal(ngapx.AMBR{DL: 1_000_000_000, UL: 1_000_000_000}))

		// The UPF holds the session: UL PDR on the F-TEID it chose, DL PDR on the UE address.
		seid, ok := b.upf.SessionByTEID(st.ULTunnel.TEID)
		Expect(ok).To(BeTrue())
		byUE, ok := b.upf.SessionByUEIP(acc.PDUAddress)
		Expect(ok).To(BeTrue())
		Expect(byUE).To(Equal(seid))
		v, ok := b.upf.Session(seid)
		Expect(ok).To(BeTrue())
		info, ok := b.smf.Session(supi, 5)
		Expect(ok).To(BeTrue())
		Expect(info.State).To(Equal(gsm.WaitN2Response))
		Expect(v.CPSEID).To(Equal(info.CPSEID))
		Expect(v.PDRs).To(HaveLen(2))
		ul, dl := v.PDRs[0], v.PDRs[1]
		if ul.ID != pfcpx.PDRUplink {
			ul, dl = dl, ul
		}
		Expect(ul.PDI.Source).To(Equal(pfcpx.Access))
		Expect(ul.PDI.LocalFTEID.TEID).To(Equal(st.ULTunnel.TEID))
		Expect(ul.OuterHeaderRemoval).To(BeTrue())
		Expect(dl.PDI.Source).To(Equal(pfcpx.Core))
		Expect(dl.PDI.UEIP).To(Equal(acc.PDUAddress))
		Expect(v.QERs).To(HaveLen(1))
		Expect(v.QERs[0].QFI).To(Equal(uint8(1)))
		Expect(farOf(v, pfcpx.FARDownlink).Action).To(Equal(pfcpx.ActBuffer))

		// The gNB's answer completes the user plane (TS 23.502 §4.3.2.2.1 steps 15-16).
		up, err := b.activate(refOf(rsp.Location), 0x5001)
		Expect(err).NotTo(HaveOccurred())
		Expect(up.UpdateSmContextResponse200.JsonData.UpCnxState).To(Equal(models.UpCnxState_ACTIVATED))
		v, _ = b.upf.Session(seid)
		f := farOf(v, pfcpx.FARDownlink)
		Expect(f.Action).To(Equal(pfcpx.ActForward))
		Expect(f.Forwarding.OuterHeader.TEID).To(Equal(uint32(0x5001)))
		Expect(f.Forwarding.OuterHeader.IPv4).To(Equal(gnbIP))
		info, _ = b.smf.Session(supi, 5)
		Expect(info.State).To(Equal(gsm.Active))
		Expect(info.DLTunnel).To(Equal(ngapx.GTPTunnel{Addr: gnbIP, TEID: 0x5001}))

		// Packets pass both ways through the UPF.
		before := b.upf.Stats()
		b.upf.HandleN3(netip.AddrPortFrom(gnbIP, 2152), gpdu(st.ULTunnel.TEID, ipv4(acc.PDUAddress, netip.MustParseAddr("10.100.0.1"))))
		b.upf.HandleN6(netip.AddrPortFrom(dnIP, upf.DefaultN6Port), ipv4(netip.MustParseAddr("10.100.0.1"), acc.PDUAddress))
		after := b.upf.Stats()
		Expect(after.UplinkForwarded - before.UplinkForwarded).To(Equal(uint64(1)))
		Expect(after.DownlinkForwarded - before.DownlinkForwarded).To(Equal(uint64(1)))

		for _, name := range []string{"PDU SESSION ESTABLISHMENT REQUEST", "PDU SESSION ESTABLISHMENT ACCEPT"} {
			Expect(b.rec.Count(trace.Match(trace.Event{Actor: "smf", Iface: trace.IfaceN1, Name: name, SUPI: supi}))).To(Equal(1), name)
		}
		for _, name := range []string{"PFCP Session Establishment Response", "PFCP Session Modification Response"} {
			Expect(b.rec.Count(trace.Match(trace.Event{Actor: "smf", Iface: trace.IfaceN4, Kind: trace.KindMessage, Name: name}))).To(Equal(1), name)
		}
		Expect(b.rec.Count(trace.Match(trace.Event{Actor: "smf", Kind: trace.KindResponse, Name: smf.OpN1N2Transfer, Status: 200}))).To(Equal(1))
		Expect(b.rec.Count(trace.Match(trace.Event{Actor: "smf", Kind: trace.KindResponse, Name: smf.OpSDMGetSmData, Status: 200}))).To(Equal(1))
	})

	// Reference: TS 24.501 §6.4.1.4.1 and Annex B (#27); TS 29.502 §6.1.3.2.3.1 (DNN_DENIED).
	It("rejects a DNN the subscription does not allow with 5GSM #27 and creates no PFCP session", func() {
		supi := supiN(2)
		Expect(b.subscribe(supi)).To(Succeed()) // internet only
		sessions := b.upf.Stats().Sessions
		_, err := b.create(supi, 1, "ims", estRequest(1, 3))
		status, pe := createError(err)
		Expect(status).To(Equal(http.StatusForbidden))
		Expect(pe).NotTo(BeNil())
		Expect(pe.JsonData.Error.Cause).To(Equal(gsm.CauseDNNDenied))
		m, err := nasx.ParseGSM(pe.BinaryDataN1SmMessage)
		Expect(err).NotTo(HaveOccurred())
		rej := m.(*nasx.PDUSessionEstablishmentReject)
		Expect(rej.Cause).To(Equal(nasx.GSMCauseMissingOrUnknownDNN))
		Expect(rej.PTI).To(Equal(uint8(3)))
		Expect(b.upf.Stats().Sessions).To(Equal(sessions))
		Expect(b.smf.AddressesInUse("ims")).To(BeZero())
		_, ok := b.smf.Session(supi, 1)
		Expect(ok).To(BeFalse())
		Expect(b.rec.Count(trace.Match(trace.Event{Actor: "smf", Kind: trace.KindReject, Cause: "5GSM#27", SUPI: supi}))).To(Equal(1))
		Expect(b.rec.Count(trace.Match(trace.Event{Actor: "smf", Name: "PFCP Session Establishment Request"}))).To(BeZero())
	})

	// Reference: TS 29.502 §5.2.2.4; TS 23.502 §4.3.4.2 (AMF-initiated release after
	// deregistration); TS 29.244 §7.5.6; TS 29.281 §7.3.1 (unknown TEID).
	It("releases the SM context at the AMF's request: PFCP session deleted, old TEID dropped, address freed", func() {
		supi := supiN(4)
		Expect(b.subscribe(supi)).To(Succeed())
		e, err := b.establish(supi, 1)
		Expect(err).NotTo(HaveOccurred())
		_, err = b.activate(e.ref, 0x77)
		Expect(err).NotTo(HaveOccurred())
		Expect(b.smf.AddressesInUse("internet")).To(Equal(1))
		teid := e.setup.ULTunnel.TEID

		Expect(b.release(e.ref)).To(Succeed())
		_, ok := b.upf.SessionByTEID(teid)
		Expect(ok).To(BeFalse())
		Expect(b.upf.Stats().Sessions).To(BeZero())
		_, ok = b.smf.Session(supi, 1)
		Expect(ok).To(BeFalse())
		Expect(b.smf.AddressesInUse("internet")).To(BeZero())

		drops := b.upf.Stats().Dropped(upf.DropUnknownTEID)
		b.upf.HandleN3(netip.AddrPortFrom(gnbIP, 2152), gpdu(teid, ipv4(e.accept.PDUAddress, netip.MustParseAddr("10.100.0.1"))))
		Expect(b.upf.Stats().Dropped(upf.DropUnknownTEID)).To(Equal(drops + 1))

		// A second release finds nothing.
		err = b.release(e.ref)
		var oe openapi.GenericOpenAPIError
		Expect(errors.As(err, &oe)).To(BeTrue())
		Expect(oe.ErrorStatus).To(Equal(http.StatusNotFound))
		Expect(b.rec.Count(trace.Match(trace.Event{Actor: "smf", Kind: trace.KindMessage, Name: "PFCP Session Deletion Response"}))).To(Equal(1))
	})

	// Reference: TS 23.502 §4.3.4.2 (UE-requested release); TS 24.501 §6.4.3; TS 38.413 §9.3.4.12.
	It("releases at the UE's request: RELEASE COMMAND and N2 release command, then completion and status notification", func() {
		supi := supiN(5)
		Expect(b.subscribe(supi)).To(Succeed())
		e, err := b.establish(supi, 2)
		Expect(err).NotTo(HaveOccurred())
		_, err = b.activate(e.ref, 0x88)
		Expect(err).NotTo(HaveOccurred())

		rr, _ := (&nasx.PDUSessionReleaseRequest{GSMHeader: nasx.GSMHeader{PDUSessionID: 2, PTI: 9}}).Build()
		rsp, err := b.update(e.ref, models.SmfPduSessionSmContextUpdateData{N1SmMsg: &models.RefToBinaryData{ContentId: "n1"}}, rr, nil)
		Expect(err).NotTo(HaveOccurred())
		r := rsp.UpdateSmContextResponse200
		Expect(r.JsonData.N2SmInfoType).To(Equal(models.N2SmInfoType_PDU_RES_REL_CMD))
		m, err := nasx.ParseGSM(r.BinaryDataN1SmMessage)
		Expect(err).NotTo(HaveOccurred())
		cmd := m.(*nasx.PDUSessionReleaseCommand)
		Expect(cmd.PTI).To(Equal(uint8(9)))
		Expect(cmd.Cause).To(Equal(nasx.GSMCauseRegularDeactivation))
		rc, err := ngapx.ParsePDUSessionReleaseCommandTransfer(r.BinaryDataN2SmInformation)
		Expect(err).NotTo(HaveOccurred())
		Expect(rc.Cause).To(Equal(ngapx.CauseNASNormalRelease))
		Expect(b.upf.Stats().Sessions).To(BeZero())

		relRsp, _ := ngapx.BuildPDUSessionReleaseResponseTransfer()
		_, err = b.update(e.ref, models.SmfPduSessionSmContextUpdateData{N2SmInfo: &models.RefToBinaryData{ContentId: "n2"}, N2SmInfoType: models.N2SmInfoType_PDU_RES_REL_RSP}, nil, relRsp)
		Expect(err).NotTo(HaveOccurred())
		info, ok := b.smf.Session(supi, 2)
		Expect(ok).To(BeTrue())
		Expect(info.State).To(Equal(gsm.ReleasePending))

		done, _ := (&nasx.PDUSessionReleaseComplete{GSMHeader: nasx.GSMHeader{PDUSessionID: 2, PTI: 9}}).Build()
		_, err = b.update(e.ref, models.SmfPduSessionSmContextUpdateData{N1SmMsg: &models.RefToBinaryData{ContentId: "n1"}}, done, nil)
		Expect(err).NotTo(HaveOccurred())
		n, err := b.amf.nextNotify(supi)
		Expect(err).NotTo(HaveOccurred())
		Expect(n.StatusInfo.ResourceStatus).To(Equal(models.ResourceStatus_RELEASED))
		_, ok = b.smf.Session(supi, 2)
		Expect(ok).To(BeFalse())
	})

	// Reference: TS 23.502 §4.3.4.2 (network-requested release through N1N2MessageTransfer).
	It("releases on its own decision through N1N2MessageTransfer", func() {
		supi := supiN(6)
		Expect(b.subscribe(supi)).To(Succeed())
		e, err := b.establish(supi, 3)
		Expect(err).NotTo(HaveOccurred())
		_, err = b.activate(e.ref, 0x99)
		Expect(err).NotTo(HaveOccurred())
		Expect(b.smf.Release(context.Background(), supi, 3, 0)).To(Succeed())
		Expect(b.upf.Stats().Sessions).To(BeZero())
		t, err := b.amf.next(supi)
		Expect(err).NotTo(HaveOccurred())
		m, err := nasx.ParseGSM(t.req.BinaryDataN1Message)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.MessageType()).To(Equal(nasx.MsgPDUSessionReleaseCommand))
		Expect(t.req.JsonData.N2InfoContainer.SmInfo.N2InfoContent.NgapIeType).To(Equal(models.AmfCommunicationNgapIeType_PDU_RES_REL_CMD))
		Expect(errors.Is(b.smf.Release(context.Background(), supi, 9, 0), smf.ErrNoSession)).To(BeTrue())
	})

	// Reference: TS 23.502 §4.3.2.2.1 step 3 (an existing PDU session id is replaced).
	It("replaces an SM context on a second create with the same PDU session id", func() {
		supi := supiN(7)
		Expect(b.subscribe(supi)).To(Succeed())
		first, err := b.establish(supi, 1)
		Expect(err).NotTo(HaveOccurred())
		second, err := b.establish(supi, 1)
		Expect(err).NotTo(HaveOccurred())
		Expect(second.ref).NotTo(Equal(first.ref))
		_, ok := b.upf.SessionByTEID(first.setup.ULTunnel.TEID)
		Expect(ok).To(BeFalse())
		Expect(b.upf.Stats().Sessions).To(Equal(1))
		Expect(b.smf.Count()).To(Equal(1))
	})

	// Reference: TS 29.518 §5.2.2.3.1 (the AMF refuses the transfer): the SMF releases locally.
	It("deletes the PFCP session when the AMF refuses the accept", func() {
		supi := supiN(8)
		Expect(b.subscribe(supi)).To(Succeed())
		b.amf.mu.Lock()
		b.amf.failWith = http.StatusNotFound
		b.amf.mu.Unlock()
		_, err := b.create(supi, 1, "internet", estRequest(1, 1))
		Expect(err).NotTo(HaveOccurred())
		Expect(b.smf.ReleaseAll(context.Background(), "imsi-none")).To(BeZero())
		Expect(b.await(trace.Event{Actor: "smf", Kind: trace.KindMessage, Name: "PFCP Session Deletion Response", SUPI: supi})).To(Succeed())
		_, ok := b.smf.Session(supi, 1)
		Expect(ok).To(BeFalse())
		Expect(b.upf.Stats().Sessions).To(BeZero())
		Expect(b.smf.AddressesInUse("internet")).To(BeZero())
	})

	// Reference: TS 24.501 §7.4 (5GSM STATUS #98) and TS 29.502 §6.1.3.3.4.2.2.
	It("answers out-of-state N1 and N2 information without changing the session", func() {
		supi := supiN(9)
		Expect(b.subscribe(supi)).To(Succeed())
		e, err := b.establish(supi, 1)
		Expect(err).NotTo(HaveOccurred())
		done, _ := (&nasx.PDUSessionReleaseComplete{GSMHeader: nasx.GSMHeader{PDUSessionID: 1, PTI: 9}}).Build()
		rsp, err := b.update(e.ref, models.SmfPduSessionSmContextUpdateData{N1SmMsg: &models.RefToBinaryData{ContentId: "n1"}}, done, nil)
		Expect(err).NotTo(HaveOccurred())
		m, err := nasx.ParseGSM(rsp.UpdateSmContextResponse200.BinaryDataN1SmMessage)
		Expect(err).NotTo(HaveOccurred())
		Expect(m.(*nasx.Status5GSM).Cause).To(Equal(nasx.GSMCauseMessageTypeNotCompatibleWithProtocolState))
		relRsp, _ := ngapx.BuildPDUSessionReleaseResponseTransfer()
		_, err = b.update(e.ref, models.SmfPduSessionSmContextUpdateData{N2SmInfo: &models.RefToBinaryData{ContentId: "n2"}, N2SmInfoType: models.N2SmInfoType_PDU_RES_REL_RSP}, nil, relRsp)
		var oe openapi.GenericOpenAPIError
		Expect(errors.As(err, &oe)).To(BeTrue())
		Expect(oe.ErrorStatus).To(Equal(http.StatusForbidden))
		info, _ := b.smf.Session(supi, 1)
		Expect(info.State).To(Equal(gsm.WaitN2Response))
	})

	// Reference: TS 23.502 §4.3.2.2.1 (1,000 sessions, each with its PFCP session and address).
	It("establishes and releases 1,000 sessions", func() {
		const n = 1000
		for i := range n {
			Expect(b.subscribe(supiN(1000 + i))).To(Succeed())
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		refs := make([]string, n)
		sem := make(chan struct{}, 16)
		for i := range n {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				e, err := b.establish(supiN(1000+i), 1)
				if err == nil {
					refs[i] = e.ref
					_, err = b.activate(e.ref, uint32(0x10000+i))
				}
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		Expect(errs).To(BeEmpty())
		Expect(b.upf.Stats().Sessions).To(Equal(n))
		Expect(b.smf.Count()).To(Equal(n))
		Expect(b.smf.AddressesInUse("internet")).To(Equal(n))
		for _, r := range refs {
			Expect(b.release(r)).To(Succeed())
		}
		Expect(b.upf.Stats().Sessions).To(BeZero())
		Expect(b.smf.Count()).To(BeZero())
		Expect(b.smf.AddressesInUse("internet")).To(BeZero())
	})

	// Reference: TS 29.500 §5.2.7 (ProblemDetails); TS 29.502 §6.1.3.2.3.1.
	DescribeTable("answers unusable requests with ProblemDetails",
		func(method, path, ct string, body func(*bed) []byte, status int, cause string) {
			req, err := http.NewRequest(method, b.smf.APIRoot()+path, bytes.NewReader(body(b)))
			Expect(err).NotTo(HaveOccurred())
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			rsp, err := b.net.SBIClient(netip.AddrPortFrom(amfIP, 0)).Do(req)
			Expect(err).NotTo(HaveOccurred())
			defer rsp.Body.Close()
			Expect(rsp.StatusCode).To(Equal(status))
			Expect(rsp.Header.Get("Content-Type")).To(Equal("application/problem+json"))
			var pd models.ProblemDetails
			raw, _ := io.ReadAll(rsp.Body)
			Expect(json.Unmarshal(raw, &pd)).To(Succeed())
			Expect(pd.Status).To(Equal(int32(status)))
			Expect(pd.Cause).To(Equal(cause))
			Expect(b.smf.Count()).To(BeZero())
		},
		Entry("no content type", "POST", "/nsmf-pdusession/v1/sm-contexts", "", raw(""), 415, "UNSUPPORTED_MEDIA_TYPE"),
		Entry("text/plain", "POST", "/nsmf-pdusession/v1/sm-contexts", "text/plain", raw("hi"), 415, "UNSUPPORTED_MEDIA_TYPE"),
		Entry("broken JSON", "POST", "/nsmf-pdusession/v1/sm-contexts", "application/json", raw("{"), 400, "INVALID_MSG_FORMAT"),
		Entry("multipart without boundary", "POST", "/nsmf-pdusession/v1/sm-contexts", "multipart/related", raw("x"), 400, "INVALID_MSG_FORMAT"),
		Entry("truncated multipart", "POST", "/nsmf-pdusession/v1/sm-contexts", "multipart/related; boundary=zz", raw("--zz\r\nContent-Type: application/json\r\n\r\n{}"), 400, "INVALID_MSG_FORMAT"),
		Entry("JSON without N1", "POST", "/nsmf-pdusession/v1/sm-contexts", "application/json", func(b *bed) []byte {
			js, _ := json.Marshal(b.createData(supiN(1), 1, "internet"))
			return js
		}, 400, smf.CauseMandatoryIEMissing),
		Entry("no supi", "POST", "/nsmf-pdusession/v1/sm-contexts", mpCT, func(b *bed) []byte {
			d := b.createData(supiN(1), 1, "internet")
			d.Supi = ""
			return mp(d, estRequest(1, 1))
		}, 400, smf.CauseMandatoryIEMissing),
		Entry("bad supi", "POST", "/nsmf-pdusession/v1/sm-contexts", mpCT, func(b *bed) []byte {
			d := b.createData("imsi-12", 1, "internet")
			return mp(d, estRequest(1, 1))
		}, 400, "MANDATORY_IE_INCORRECT"),
		Entry("bad S-NSSAI", "POST", "/nsmf-pdusession/v1/sm-contexts", mpCT, func(b *bed) []byte {
			d := b.createData(supiN(1), 1, "internet")
			d.SNssai.Sd = "xyz"
			return mp(d, estRequest(1, 1))
		}, 400, "MANDATORY_IE_INCORRECT"),
		Entry("N1 that is not NAS", "POST", "/nsmf-pdusession/v1/sm-contexts", mpCT, func(b *bed) []byte {
			return mp(b.createData(supiN(1), 1, "internet"), []byte{1, 2})
		}, 403, gsm.CauseN1SMError),
		Entry("modify of an unknown context", "POST", "/nsmf-pdusession/v1/sm-contexts/abc/modify", "application/json", raw("{}"), 404, gsm.CauseContextNotFound),
		Entry("release of a malformed reference", "POST", "/nsmf-pdusession/v1/sm-contexts/zz!/release", "", raw(""), 404, gsm.CauseContextNotFound),
		Entry("GET on the collection", "GET", "/nsmf-pdusession/v1/sm-contexts", "", raw(""), 405, "METHOD_NOT_ALLOWED"),
		Entry("unknown resource", "POST", "/nsmf-pdusession/v1/pdu-sessions", "application/json", raw("{}"), 404, smf.CauseResourceNotFound),
	)
})

var _ = Describe("SMF with a configured UDM", Label("userplane"), func() {
	var b *bed
	BeforeEach(func() {
		var err error
		b, err = newBed(bedOptions{fakeUDM: true})
		DeferCleanup(func() { b.close() })
		Expect(err).NotTo(HaveOccurred())
	})

	// Reference: TS 24.501 Annex B (#27 for a DNN the SMF does not know, #29 unknown user, #38 network failure).
	DescribeTable("rejects establishments it cannot authorize",
		func(dnn string, known, udmFails bool, status int, cause uint8) {
			supi := supiN(3)
			if known {
				Expect(b.subscribe(supi)).To(Succeed())
			}
			b.udm.mu.Lock()
			b.udm.fail = udmFails
			b.udm.mu.Unlock()
			_, err := b.create(supi, 1, dnn, estRequest(1, 1))
			st, pe := createError(err)
			Expect(st).To(Equal(status))
			m, err := nasx.ParseGSM(pe.BinaryDataN1SmMessage)
			Expect(err).NotTo(HaveOccurred())
			Expect(m.(*nasx.PDUSessionEstablishmentReject).Cause).To(Equal(cause))
			Expect(b.upf.Stats().Sessions).To(BeZero())
		},
		Entry("unknown DNN: #27", "enterprise", true, false, http.StatusForbidden, nasx.GSMCauseMissingOrUnknownDNN),
		Entry("unknown subscriber: #29", "internet", false, false, http.StatusForbidden, nasx.GSMCauseUserAuthenticationFailed),
		Entry("UDM failure: #38", "internet", true, true, http.StatusGatewayTimeout, nasx.GSMCauseNetworkFailure),
	)

})

var _ = Describe("SMF start", Label("userplane"), func() {
	// Reference: TS 29.244 §6.2.6 (no association, no sessions).
	It("fails to start without a UPF", func() {
		nw := transport.NewMem(transport.MemOptions{})
		DeferCleanup(nw.Close)
		s, err := smf.New(smf.Config{PFCPT1: 1, PFCPN1: 1}, smf.Deps{Net: nw, Clock: clock.Real{}, Rand: seeded(3)})
		Expect(err).NotTo(HaveOccurred())
		err = s.Start(context.Background())
		Expect(err).To(HaveOccurred())
		Expect(s.Close()).To(Succeed())
	})

	It("rejects invalid configurations", func() {
		for _, c := range []smf.Config{
			{Addr: netip.MustParseAddrPort("10.0.0.1:80")},
			{DNNs: []smf.DNN{{Name: "x", Pool: netip.MustParsePrefix("10.0.0.0/31")}}},
			{DNNs: []smf.DNN{{Name: "x", Pool: netip.MustParsePrefix("10.0.0.0/24")}, {Name: "X", Pool: netip.MustParsePrefix("10.1.0.0/24")}}},
			{SNSSAIs: []smf.SNSSAI{{SST: 1, SD: "12"}}},
			{UDMAPIRoot: "udm:80"},
		} {
			_, err := smf.New(c, smf.Deps{})
			Expect(errors.Is(err, smf.ErrConfig)).To(BeTrue(), "%+v: %v", c, err)
		}
	})
})

func farOf(v upf.SessionView, id uint32) pfcpx.FAR {
	for _, f := range v.FARs {
		if f.ID == id {
			return f
		}
	}
	return pfcpx.FAR{}
}

func raw(s string) func(*bed) []byte { return func(*bed) []byte { return []byte(s) } }

const mpBoundary = "testboundary"

var mpCT = `multipart/related; boundary="` + mpBoundary + `"`

// mp builds a create body by hand (JSON part, then the N1 part).
func mp(d *models.SmfPduSessionSmContextCreateData, n1 []byte) []byte {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.SetBoundary(mpBoundary)
	js, _ := json.Marshal(d)
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", "application/json")
	p, _ := w.CreatePart(h)
	_, _ = p.Write(js)
	h = textproto.MIMEHeader{}
	h.Set("Content-Type", "application/vnd.3gpp.5gnas")
	h.Set("Content-Id", "<"+d.N1SmMsg.ContentId+">")
	p, _ = w.CreatePart(h)
	_, _ = p.Write(n1)
	_ = w.Close()
	return buf.Bytes()
}
