package upf_test

import (
	"net/netip"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/wmnsk/go-pfcp/ie"
	"github.com/wmnsk/go-pfcp/message"

	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/upf"
)

var _ = Describe("UPF N4 (PFCP)", Label("userplane", "n4"), func() {
	var b *bed
	smfPeer := netip.MustParseAddrPort("127.0.0.7:8805")

	BeforeEach(func() {
		var err error
		b, err = newBed("mem")
		DeferCleanup(func() {
			if b != nil {
				b.close()
			}
		})
		Expect(err).NotTo(HaveOccurred())
	})

	session := func(cpSEID uint64, ue netip.Addr) pfcpx.PDUSession {
		return pfcpx.PDUSession{NodeID: b.p.smf.String(), CPSEID: cpSEID, CPAddr: b.p.smf, UEIP: ue, QFI: 9, NetworkInstance: "internet"}
	}
	// process sends raw bytes to the UPF's N4 logic and parses its answer.
	process := func(req []byte) *pfcpx.Response {
		resp := b.upf.ProcessN4(smfPeer, req)
		Expect(resp).NotTo(BeNil())
		r, err := pfcpx.ParseResponse(resp)
		Expect(err).NotTo(HaveOccurred())
		return r
	}

	// Reference: TS 29.244 §6.2.6.2 (association setup), §7.4.4.2 (response: Node ID, Cause, Recovery Time Stamp, UP Function Features)
	It("accepts an association and announces F-TEID allocation (FTUP)", func() {
		r, err := b.associate()
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Cause).To(Equal(pfcpx.CauseRequestAccepted))
		Expect(r.NodeID).To(Equal(b.p.upf.String()))
		Expect(r.UPFeatures & pfcpx.UPFeatureFTUP).NotTo(BeZero())
		Expect(r.RecoveryTime.Equal(epoch)).To(BeTrue())
		Expect(b.upf.Stats().Associations).To(Equal(1))
		Expect(b.rec.Count(trace.Match(trace.Event{Kind: trace.KindState, Actor: "upf", Name: "pfcp-associated"}))).To(Equal(1))
	})

	// Reference: TS 29.244 §7.4.2 (Heartbeat Response carries the Recovery Time Stamp)
	It("answers heartbeats", func() {
		r, err := b.do(func(seq uint32) ([]byte, error) { return pfcpx.BuildHeartbeatRequest(seq, epoch) })
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Type).To(Equal(message.MsgTypeHeartbeatResponse))
		Expect(r.RecoveryTime.Equal(epoch)).To(BeTrue())
	})

	// Reference: TS 29.244 §7.5.2, §7.5.3 (Created PDR with the F-TEID the UP function chose), §5.2.1, §5.2.3, §5.2.5
	// Reference: TS 23.502 §4.3.2.2.1 steps 10a/10b and 16a/16b
	It("establishes, modifies and deletes a PDU session", func() {
		_, err := b.associate()
		Expect(err).NotTo(HaveOccurred())
		ue := ueIP(0)
		s := session(0x51, ue)
		r, err := b.do(func(seq uint32) ([]byte, error) {
			return pfcpx.BuildSessionEstablishmentRequest(seq, s.Establishment())
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Cause).To(Equal(pfcpx.CauseRequestAccepted))
		Expect(r.SEID).To(Equal(uint64(0x51)), "response header carries the CP SEID")
		Expect(r.UPSEID).NotTo(BeZero())
		Expect(r.UPAddr).To(Equal(b.p.upf))
		ul, ok := r.CreatedFTEID(pfcpx.PDRUplink)
		Expect(ok).To(BeTrue())
		Expect(ul.TEID).NotTo(BeZero())
		Expect(ul.IPv4).To(Equal(b.p.upf))

		v, ok := b.upf.Session(r.UPSEID)
		Expect(ok).To(BeTrue())
		Expect(v.CPSEID).To(Equal(uint64(0x51)))
		Expect(v.TEIDs).To(Equal([]uint32{ul.TEID}))
		Expect(v.UEIPs).To(Equal([]netip.Addr{ue}))
		Expect(v.FARs[1].Action).To(Equal(pfcpx.ActBuffer), "no gNB tunnel yet")
		seid, ok := b.upf.SessionByTEID(ul.TEID)
		Expect(ok).To(BeTrue())
		Expect(seid).To(Equal(r.UPSEID))

		r2, err := b.do(func(seq uint32) ([]byte, error) {
			return pfcpx.BuildSessionModificationRequest(seq, r.UPSEID, pfcpx.ActivateDownlink(0x4242, b.p.gnb, "internet"))
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(r2.Cause).To(Equal(pfcpx.CauseRequestAccepted))
		v, _ = b.upf.Session(r.UPSEID)
		Expect(v.FARs[1].Action).To(Equal(pfcpx.ActForward))
		Expect(v.FARs[1].Forwarding.OuterHeader.TEID).To(Equal(uint32(0x4242)))

		r3, err := b.do(func(seq uint32) ([]byte, error) { return pfcpx.BuildSessionDeletionRequest(seq, r.UPSEID) })
		Expect(err).NotTo(HaveOccurred())
		Expect(r3.Cause).To(Equal(pfcpx.CauseRequestAccepted))
		_, ok = b.upf.Session(r.UPSEID)
		Expect(ok).To(BeFalse())
		_, ok = b.upf.SessionByTEID(ul.TEID)
		Expect(ok).To(BeFalse())
		_, ok = b.upf.SessionByUEIP(ue)
		Expect(ok).To(BeFalse())
		for _, name := range []string{"pfcp-session-established", "pfcp-session-modified", "pfcp-session-deleted"} {
			Expect(b.rec.Count(trace.Match(trace.Event{Kind: trace.KindState, Actor: "upf", Name: name}))).To(Equal(1), name)
		}
	})

	// Reference: TS 29.244 §7.5.2.2: an F-TEID given by the CP function is used as is
	It("uses an uplink F-TEID the SMF chose", func() {
		_, err := b.associate()
		Expect(err).NotTo(HaveOccurred())
		s := session(1, ueIP(1))
		s.ULTEID, s.UPFN3Addr = 0x777, b.p.upf
		s.GNBTEID, s.GNBAddr = 0x888, b.p.gnb
		r := process(must(pfcpx.BuildSessionEstablishmentRequest(1, s.Establishment())))
		Expect(r.Cause).To(Equal(pfcpx.CauseRequestAccepted))
		Expect(r.CreatedPDRs).To(BeEmpty())
		seid, ok := b.upf.SessionByTEID(0x777)
		Expect(ok).To(BeTrue())
		Expect(seid).To(Equal(r.UPSEID))
	})

	// Reference: TS 29.244 §6.2.6.1: session establishment needs an association (Cause 72)
	It("rejects a session from a CP function without association", func() {
		r := process(must(pfcpx.BuildSessionEstablishmentRequest(1, session(7, ueIP(0)).Establishment())))
		Expect(r.Cause).To(Equal(pfcpx.CauseNoEstablishedPFCPAssociation))
		Expect(r.SEID).To(Equal(uint64(7)))
		Expect(b.upf.Stats().Sessions).To(BeZero())
		Expect(b.rec.Count(trace.Match(trace.Event{Kind: trace.KindReject, Cause: "PFCP#72"}))).To(Equal(1))
	})

	// Reference: TS 29.244 §7.2.2.4.2 and §7.5.5/§7.5.7: an unknown SEID gets Cause 65 and SEID 0 in the header
	DescribeTable("unknown sessions",
		func(build func() ([]byte, error)) {
			r := process(must(build()))
			Expect(r.Cause).To(Equal(pfcpx.CauseSessionContextNotFound))
			Expect(r.SEID).To(BeZero())
		},
		Entry("modification", func() ([]byte, error) {
			return pfcpx.BuildSessionModificationRequest(1, 0xdead, pfcpx.DeactivateDownlink())
		}),
		Entry("deletion", func() ([]byte, error) { return pfcpx.BuildSessionDeletionRequest(2, 0xdead) }),
	)

	Context("with an association", func() {
		BeforeEach(func() {
			Expect(process(must(pfcpx.BuildAssociationSetupRequest(1, b.p.smf.String(), epoch))).Cause).
				To(Equal(pfcpx.CauseRequestAccepted))
		})

		// Reference: TS 29.244 §7.6 (Cause 66 Mandatory IE missing / 67 Conditional IE missing with Offending IE), §8.2.1
		DescribeTable("rejects malformed establishment requests",
			func(ies func() []*ie.IE, cause pfcpx.Cause, offending uint16) {
				req, err := message.NewSessionEstablishmentRequest(0, 0, 0, 9, 0, ies()...).Marshal()
				Expect(err).NotTo(HaveOccurred())
				r := process(req)
				Expect(r.Cause).To(Equal(cause))
				Expect(r.OffendingIE).To(Equal(offending))
				Expect(b.upf.Stats().Sessions).To(BeZero())
			},
			Entry("no Node ID", func() []*ie.IE {
				return []*ie.IE{ie.NewFSEID(1, b.p.smf.AsSlice(), nil), ie.NewCreateFAR(ie.NewFARID(1), ie.NewApplyAction(1))}
			}, pfcpx.CauseMandatoryIEMissing, ie.NodeID),
			Entry("no Create PDR", func() []*ie.IE {
				return []*ie.IE{must(pfcpx.NodeIDIE(b.p.smf.String())), ie.NewFSEID(1, b.p.smf.AsSlice(), nil),
					ie.NewCreateFAR(ie.NewFARID(1), ie.NewApplyAction(1))}
			}, pfcpx.CauseMandatoryIEMissing, ie.CreatePDR),
			Entry("a PDR without FAR ID", func() []*ie.IE {
				return []*ie.IE{must(pfcpx.NodeIDIE(b.p.smf.String())), ie.NewFSEID(1, b.p.smf.AsSlice(), nil),
					ie.NewCreatePDR(ie.NewPDRID(1), ie.NewPrecedence(1), ie.NewPDI(ie.NewSourceInterface(1))),
					ie.NewCreateFAR(ie.NewFARID(1), ie.NewApplyAction(1))}
			}, pfcpx.CauseConditionalIEMissing, ie.FARID),
		)

		// Reference: TS 29.244 §5.2.1 / §7.5.3: rules that cannot be installed get Cause 73 Rule creation/modification Failure
		DescribeTable("rejects rules it cannot install",
			func(mutate func(e *pfcpx.Establishment)) {
				e := session(3, ueIP(0)).Establishment()
				mutate(&e)
				r := process(must(pfcpx.BuildSessionEstablishmentRequest(4, e)))
				Expect(r.Cause).To(Equal(pfcpx.CauseRuleCreationModificationFailure))
				Expect(b.upf.Stats().Sessions).To(BeZero())
			},
			Entry("a PDR naming a FAR that does not exist", func(e *pfcpx.Establishment) { e.PDRs[0].FARID = 99 }),
			Entry("a PDR naming a QER that does not exist", func(e *pfcpx.Establishment) { e.PDRs[0].QERIDs = []uint32{99} }),
			Entry("two PDRs with one ID", func(e *pfcpx.Establishment) { e.PDRs[1].ID = e.PDRs[0].ID }),
			Entry("an F-TEID on another address", func(e *pfcpx.Establishment) {
				e.PDRs[0].PDI.LocalFTEID = &pfcpx.FTEID{TEID: 5, IPv4: netip.MustParseAddr("127.0.0.99")}
			}),
			Entry("a downlink PDR without UE address", func(e *pfcpx.Establishment) { e.PDRs[1].PDI.UEIP = netip.Addr{} }),
		)

		// Reference: TS 29.244 §5.2.1: two sessions cannot own one UE address (downlink detection would be ambiguous)
		It("refuses a second session for the same UE address", func() {
			Expect(process(must(pfcpx.BuildSessionEstablishmentRequest(1, session(1, ueIP(0)).Establishment()))).Cause).
				To(Equal(pfcpx.CauseRequestAccepted))
			Expect(process(must(pfcpx.BuildSessionEstablishmentRequest(2, session(2, ueIP(0)).Establishment()))).Cause).
				To(Equal(pfcpx.CauseRuleCreationModificationFailure))
			Expect(b.upf.Stats().Sessions).To(Equal(1))
		})

		// Reference: TS 29.244 §6.4: a retransmitted request gets the same response and is not executed twice
		It("answers a retransmitted establishment from its cache", func() {
			req := must(pfcpx.BuildSessionEstablishmentRequest(77, session(5, ueIP(2)).Establishment()))
			first := b.upf.ProcessN4(smfPeer, req)
			second := b.upf.ProcessN4(smfPeer, req)
			Expect(second).To(Equal(first))
			Expect(b.upf.Stats().Sessions).To(Equal(1))
		})

		// Reference: TS 29.244 §5.2.5: a closed QER gate stops forwarding; opening it resumes
		It("applies gate changes", func() {
			r := process(must(pfcpx.BuildSessionEstablishmentRequest(1, session(1, ueIP(0)).Establishment())))
			r2 := process(must(pfcpx.BuildSessionModificationRequest(2, r.UPSEID, pfcpx.SetGates(pfcpx.GateClosed, pfcpx.GateOpen))))
			Expect(r2.Cause).To(Equal(pfcpx.CauseRequestAccepted))
			v, _ := b.upf.Session(r.UPSEID)
			Expect(v.QERs[0].Gate).To(Equal(pfcpx.Gates{UL: pfcpx.GateClosed, DL: pfcpx.GateOpen}))
		})

		// Reference: TS 29.244 §6.2.6.2.2: a new Recovery Time Stamp means the CP function restarted; its sessions are removed
		It("drops the sessions of a CP function that restarted", func() {
			Expect(process(must(pfcpx.BuildSessionEstablishmentRequest(1, session(1, ueIP(0)).Establishment()))).Cause).
				To(Equal(pfcpx.CauseRequestAccepted))
			Expect(process(must(pfcpx.BuildAssociationSetupRequest(2, b.p.smf.String(), epoch.Add(1e9)))).Cause).
				To(Equal(pfcpx.CauseRequestAccepted))
			Expect(b.upf.Stats().Sessions).To(BeZero())
		})
	})

	// Reference: TS 29.244 §7.2.2.1 (Version Not Supported), §7.6 (undecodable messages are discarded, malformed requests rejected)
	DescribeTable("bad PFCP bytes get a clear answer or none, never a crash",
		func(req []byte, wantType uint8, wantCause pfcpx.Cause) {
			resp := b.upf.ProcessN4(smfPeer, req)
			if wantType == 0 {
				Expect(resp).To(BeNil())
			} else {
				r, err := pfcpx.ParseResponse(resp)
				Expect(err).NotTo(HaveOccurred())
				Expect(r.Type).To(Equal(wantType))
				Expect(r.Cause).To(Equal(wantCause))
			}
			Expect(b.upf.Stats().Dropped(upf.DropMalformedPFCP) + b.upf.Stats().Dropped(upf.DropUnexpectedPFCP)).To(BeNumerically(">=", 1))
		},
		Entry("empty", []byte{}, uint8(0), pfcpx.Cause(0)),
		Entry("garbage of version 1", []byte("\x20garbage, not a pfcp message"), uint8(0), pfcpx.Cause(0)),
		Entry("garbage of another version", []byte("not a pfcp message"), message.MsgTypeVersionNotSupportedResponse, pfcpx.Cause(0)),
		Entry("association request with a wrong length field", []byte{0x20, 5, 0, 40, 0, 0, 1, 0},
			message.MsgTypeAssociationSetupResponse, pfcpx.CauseInvalidLength),
		Entry("version 2", []byte{0x40, 1, 0, 4, 0, 0, 1, 0}, message.MsgTypeVersionNotSupportedResponse, pfcpx.Cause(0)),
		Entry("unknown type", []byte{0x20, 200, 0, 4, 0, 0, 1, 0}, uint8(0), pfcpx.Cause(0)),
		Entry("a response", must(pfcpx.BuildHeartbeatResponse(1, epoch)), uint8(0), pfcpx.Cause(0)),
		Entry("establishment with a truncated IE", []byte{0x21, 50, 0, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 60, 0, 9, 0, 127},
			message.MsgTypeSessionEstablishmentResponse, pfcpx.CauseInvalidLength),
	)
})

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
