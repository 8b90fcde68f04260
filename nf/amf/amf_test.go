package amf_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"net/netip"
	"net/textproto"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/nassec"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/amf"
	"github.com/credbed/credbed/nf/amf/gmm"
	"github.com/credbed/credbed/nf/amf/internal/scripted"
)

var _ = Describe("config", func() {
	It("needs an NRF or both the AUSF and UDM apiRoots", func() {
		c := amf.Config{}
		Expect(errors.Is(c.Validate(), amf.ErrConfig)).To(BeTrue())
		c = amf.Config{AUSF: "http://127.0.0.9:80", UDM: "http://127.0.0.3:80"}
		Expect(c.Validate()).To(Succeed())
		Expect(c.Workers).To(BeNumerically(">=", 4))
		Expect(c.PLMN.ServingNetworkName()).To(Equal("5G:mnc001.mcc001.3gppnetwork.org"))
	})
	It("refuses non-loopback addresses", func() {
		c := amf.Config{NRF: "http://127.0.0.10:80"}
		c.N2Addr = mustAddrPort("10.0.0.1:38412")
		Expect(errors.Is(c.Validate(), amf.ErrConfig)).To(BeTrue())
	})
})

var _ = Describe("AMF", Label("conformance"), func() {
	var (
		b *bed
		g *gnb
	)
	BeforeEach(func() {
		b = newBed()
		g = b.gnb("127.0.0.50:38412")
	})

	Describe("NG Setup", func() {
		// Reference: TS 38.413 §8.7.1.2.
		It("accepts a gNB serving the AMF's PLMN and TAC", func() {
			g.setup()
			Expect(b.amf.Counts().GNBs).To(Equal(1))
			Expect(b.count(trace.Event{Kind: trace.KindMessage, Name: "NGSetupResponse"})).To(Equal(1))
		})
		// Reference: TS 38.413 §8.7.1.3.
		DescribeTable("refuses a gNB with NG SETUP FAILURE",
			func(mcc, mnc string, tac uint32, cause ngapx.Cause) {
				p, _ := nasx.NewPLMN(mcc, mnc)
				g.send(&ngapx.NGSetupRequest{GlobalGNBID: ngapx.GlobalGNBID{PLMN: p, GNBID: 7, BitLen: 22},
					SupportedTAs: []ngapx.SupportedTA{{TAC: tac, PLMNs: []ngapx.BroadcastPLMN{{PLMN: p, Slices: []ngapx.SNSSAI{{SST: 1}}}}}}})
				f, ok := recv(g.rx).(*ngapx.NGSetupFailure)
				Expect(ok).To(BeTrue())
				Expect(f.Cause).To(Equal(cause))
				Expect(b.amf.Counts().GNBs).To(BeZero())
			},
			Entry("unknown PLMN", "208", "93", uint32(1), ngapx.CauseMiscUnknownPLMN),
			Entry("unknown TAC", "001", "01", uint32(99), ngapx.CauseMiscUnspecified),
		)
		// Reference: TS 38.413 §8.7.1.1 — no UE-associated signalling before NG Setup.
		It("answers UE signalling before NG Setup with ERROR INDICATION", func() {
			c := g.connect(b.addUE(1))
			pdu, _ := c.ue.InitialRegistration()
			c.initial(pdu)
			ei, ok := recv(g.rx).(*ngapx.ErrorIndication)
			Expect(ok).To(BeTrue())
			Expect(*ei.Cause).To(Equal(ngapx.CauseProtocolMessageNotCompatibleWithState))
		})
	})

	Context("after NG Setup", func() {
		BeforeEach(func() { g.setup() })

		// Reference: TS 23.502 §4.2.2.2.2; TS 33.501 §6.1.3.2, §6.7.2, §6.8.1.2; TS 38.413 §8.3.1.
		It("registers a UE with a SUCI: 5G AKA, security mode, UDM, INITIAL CONTEXT SETUP with KgNB", func() {
			ue := b.addUE(1)
			c := g.connect(ue)
			pdu, err := ue.InitialRegistration()
			Expect(err).NotTo(HaveOccurred())
			c.register(pdu)
			supi := ue.Sub.SUPI.String()
			v := b.registered(supi)
			Expect(v.HasSecurityContext).To(BeTrue())
			Expect(v.TMSI).To(Equal(ue.GUTI.TMSI))
			Expect(v.Connected).To(BeTrue())
			Expect(ue.Seen).To(Equal([]string{"AUTHENTICATION REQUEST", "SECURITY MODE COMMAND", "REGISTRATION ACCEPT"}))
			Expect(c.ics).NotTo(BeNil())
			Expect(c.ics.SecurityKey.IsZero()).To(BeFalse())
			Expect(c.ics.UESecurityCapabilities.NRIntegrity).To(Equal(uint16(0xe000)))
			// Reference: TS 33.501 A.9 — KgNB from KAMF and the uplink NAS COUNT (0: SECURITY MODE COMPLETE).
			kgnb, err := aka.KgNB(ue.KAMF, 0, aka.Access3GPP)
			Expect(err).NotTo(HaveOccurred())
			Expect([32]byte(c.ics.SecurityKey)).To(Equal([32]byte(kgnb)))
			cb, ok := b.home.Callback(supi)
			Expect(ok).To(BeTrue())
			Expect(cb).To(Equal(b.amf.CallbackURI(supi)))
			Expect(cb).To(HaveSuffix("/namf-callback/v1/" + supi + "/dereg-notify"))
			for _, op := range []string{amf.OpAUSFAuthenticate, amf.OpAUSFConfirm, amf.OpUECMRegistration, amf.OpSDMGet} {
				Expect(b.count(trace.Event{Actor: "amf", Kind: trace.KindResponse, Name: op})).To(Equal(1), op)
			}
			for _, k := range []string{"KSEAF", "KAMF", "KNASenc", "KNASint", "KgNB"} {
				Expect(b.count(trace.Event{Actor: "amf", Kind: trace.KindKey, Name: k, SUPI: supi})).To(Equal(1), k)
			}
			Expect(b.count(trace.Event{Actor: "amf", Kind: trace.KindMessage, Iface: trace.IfaceN1, Name: "REGISTRATION ACCEPT"})).To(Equal(1))
			Expect(b.count(trace.Event{Actor: "amf", Kind: trace.KindMessage, Iface: trace.IfaceN2, Name: "InitialContextSetupRequest"})).To(Equal(1))
			Expect(b.amf.Counts()).To(Equal(amf.Counts{Contexts: 1, Registered: 1, SUPIs: 1, GNBs: 1}))
		})

		// Reference: TS 24.501 §5.5.1.3.2, §4.4.4.3; TS 33.501 §6.12.3 — new 5G-GUTI, no new authentication.
		It("re-registers with the 5G-GUTI on a new connection, taking the old context over", func() {
			ue := b.addUE(1)
			c1 := g.connect(ue)
			pdu, _ := ue.InitialRegistration()
			c1.register(pdu)
			supi := ue.Sub.SUPI.String()
			old := b.registered(supi)
			c2 := g.connect(ue)
			pdu, err := ue.GUTIRegistration()
			Expect(err).NotTo(HaveOccurred())
			c2.register(pdu)
			Expect(ue.Seen).To(Equal([]string{"REGISTRATION ACCEPT"}))
			Expect(ue.GUTI.TMSI).NotTo(Equal(old.TMSI))
			// The stale connection is released.
			Expect(c1.step()).To(BeFalse())
			Expect(c1.released).To(BeTrue())
			b.await(trace.Match(trace.Event{Actor: "amf", Name: "context taken over", SUPI: supi}))
			b.await(func(e trace.Event) bool {
				return e.Actor == "amf" && e.Kind == trace.KindState && e.Name == "REGISTERED" && e.Detail == "WAIT-REGISTRATION-COMPLETE" && e.Seq > 30
			})
			v, _ := b.amf.UE(supi)
			Expect(v.TMSI).To(Equal(ue.GUTI.TMSI))
			Expect(b.home.Vectors()).To(Equal(1))
			Expect(b.amf.Counts().Contexts).To(Equal(1))
		})

		// Reference: TS 24.501 §5.5.1.3.2, §4.4.6; TS 38.413 §8.3.3 — from CM-IDLE with the 5G-GUTI.
		It("keeps a released UE registered and takes it back with an integrity-protected 5G-GUTI registration", func() {
			ue := b.addUE(1)
			c1 := g.connect(ue)
			pdu, _ := ue.InitialRegistration()
			c1.register(pdu)
			supi := ue.Sub.SUPI.String()
			b.registered(supi)
			ok, err := b.amf.ReleaseConnection(context.Background(), supi)
			Expect(err).NotTo(HaveOccurred())
			Expect(ok).To(BeTrue())
			Expect(c1.step()).To(BeFalse())
			b.await(trace.Match(trace.Event{Actor: "amf", Name: "N2 connection released", SUPI: supi}))
			v, _ := b.amf.UE(supi)
			Expect(v.Connected).To(BeFalse())
			Expect(v.State).To(Equal(gmm.Registered))
			c2 := g.connect(ue)
			pdu, _ = ue.GUTIRegistration()
			c2.register(pdu)
			Expect(ue.Seen).To(Equal([]string{"REGISTRATION ACCEPT"}))
			Expect(c2.ics).NotTo(BeNil())
			b.await(trace.Match(trace.Event{Actor: "amf", Name: "context taken over", SUPI: supi}))
			Expect(b.home.Vectors()).To(Equal(1))
		})

		// Reference: TS 24.501 §5.4.3, §5.5.1.2.2 — unknown 5G-GUTI: IDENTITY REQUEST for the SUCI.
		It("identifies a UE presenting an unknown 5G-GUTI", func() {
			ue := b.addUE(1)
			p, _ := nasx.NewPLMN(plmn.MCC, plmn.MNC)
			ue.GUTI, ue.HasGUTI = nasx.GUTI{PLMN: p, AMFRegionID: 0xCA, AMFSetID: 0x3F8, TMSI: 0xdeadbeef}, true
			c := g.connect(ue)
			pdu, _ := ue.GUTIRegistration()
			c.register(pdu)
			Expect(ue.Seen).To(Equal([]string{"IDENTITY REQUEST", "AUTHENTICATION REQUEST", "SECURITY MODE COMMAND", "REGISTRATION ACCEPT"}))
			b.registered(ue.Sub.SUPI.String())
		})

		// Reference: TS 33.501 §6.1.3.2.2 — RES* mismatch with a SUCI: AUTHENTICATION REJECT, no KSEAF.
		It("rejects a wrong RES* with AUTHENTICATION REJECT and keeps no context", func() {
			ue := b.addUE(1)
			ue.WrongRES = true
			c := g.connect(ue)
			pdu, _ := ue.InitialRegistration()
			c.register(pdu)
			Expect(c.released).To(BeTrue())
			Expect(ue.AuthRejected).To(BeTrue())
			b.awaitDeleted(1)
			Expect(b.home.KSEAFs()).To(BeZero())
			Expect(b.count(trace.Event{Actor: "amf", Kind: trace.KindResponse, Name: amf.OpAUSFConfirm})).To(BeZero())
			Expect(b.amf.Counts().Contexts).To(BeZero())
			_, ok := b.amf.UE(ue.Sub.SUPI.String())
			Expect(ok).To(BeFalse())
		})

		// Reference: TS 33.501 §6.1.3.3.2; TS 33.102 §6.3.5.
		It("resynchronises after a synch failure and registers", func() {
			ue := b.addUE(1)
			for i := uint8(0); i < aka.ArraySize; i++ {
				ue.SQN.Accept(aka.NewSQN(7000, i))
			}
			c := g.connect(ue)
			pdu, _ := ue.InitialRegistration()
			c.register(pdu)
			Expect(ue.Seen).To(Equal([]string{"AUTHENTICATION REQUEST", "AUTHENTICATION REQUEST", "SECURITY MODE COMMAND", "REGISTRATION ACCEPT"}))
			b.registered(ue.Sub.SUPI.String())
			Expect(b.count(trace.Event{Actor: "amf", Kind: trace.KindResponse, Name: amf.OpAUSFAuthenticate})).To(Equal(2))
		})

		// Reference: TS 33.501 §5.5.2 — NIA0 refused outside emergency services.
		It("rejects a UE that supports only NIA0", func() {
			ue := b.addUE(1)
			ue.Cap = nasx.NewUESecurityCapability(0xf0, 0x80)
			c := g.connect(ue)
			pdu, _ := ue.InitialRegistration()
			c.register(pdu)
			Expect(ue.Rejected).To(Equal(nasx.CauseUESecurityCapabilitiesMismatch))
			Expect(c.released).To(BeTrue())
			b.awaitDeleted(1)
			Expect(b.amf.Counts().Contexts).To(BeZero())
		})

		// Reference: TS 33.501 §6.4.3.2 — each NAS COUNT accepted once.
		It("drops a replayed uplink NAS message", func() {
			ue := b.addUE(1)
			c := g.connect(ue)
			pdu, _ := ue.InitialRegistration()
			c.register(pdu)
			supi := ue.Sub.SUPI.String()
			b.registered(supi)
			c.uplink(c.lastUL) // REGISTRATION COMPLETE again
			b.await(func(e trace.Event) bool { return e.Kind == trace.KindDrop && e.Detail == "replayed NAS COUNT" })
			v, _ := b.amf.UE(supi)
			Expect(v.State).To(Equal(gmm.Registered))
		})

		// Reference: 3gpp.md §2.8; DESIGN.md step 9 — REGISTRATION REJECT #3, no vector, no context.
		It("rejects an unknown subscriber with #3 and leaves nothing behind", func() {
			ue := b.addUE(1)
			b.home.Remove(ue.Sub.SUPI.String())
			c := g.connect(ue)
			pdu, _ := ue.InitialRegistration()
			c.register(pdu)
			Expect(ue.Rejected).To(Equal(nasx.CauseIllegalUE))
			Expect(c.released).To(BeTrue())
			b.awaitDeleted(1)
			Expect(b.home.Vectors()).To(BeZero())
			Expect(b.amf.Counts().Contexts).To(BeZero())
			Expect(b.count(trace.Event{Actor: "amf", Kind: trace.KindReject, Name: "REGISTRATION REJECT", Cause: "5GMM#3"})).To(Equal(1))
			Expect(b.count(trace.Event{Actor: "amf", Kind: trace.KindKey})).To(BeZero())
			Expect(b.count(trace.Event{Actor: "amf", Kind: trace.KindResponse, Name: amf.OpAUSFAuthenticate, Status: 404, Cause: "USER_NOT_FOUND"})).To(Equal(1))
		})

		// Reference: TS 24.501 §5.5.2.2.
		It("de-registers a UE on its request (not switch-off)", func() {
			ue := b.addUE(1)
			c := g.connect(ue)
			pdu, _ := ue.InitialRegistration()
			c.register(pdu)
			supi := ue.Sub.SUPI.String()
			b.registered(supi)
			ue.Seen = nil
			pdu, _ = ue.Deregistration(false, false)
			c.uplink(pdu)
			c.until(func() bool { return false })
			Expect(ue.Seen).To(Equal([]string{"DEREGISTRATION ACCEPT (UE ORIGINATING)"}))
			Expect(c.released).To(BeTrue())
			b.awaitState(supi, "CONTEXT-DELETED")
			b.await(func(e trace.Event) bool { return e.Kind == trace.KindResponse && e.Name == amf.OpUECMDeregistration })
			_, ok := b.home.Callback(supi)
			Expect(ok).To(BeFalse())
			Expect(b.amf.Counts().Contexts).To(BeZero())
		})

		Context("network-initiated de-registration", func() {
			var (
				supi string
				c    *conn
			)
			BeforeEach(func() {
				u := b.addUE(1)
				c = g.connect(u)
				pdu, _ := u.InitialRegistration()
				c.register(pdu)
				supi = u.Sub.SUPI.String()
				b.registered(supi)
				u.Seen = nil
			})

			// Reference: TS 23.502 §4.2.2.3.3; TS 29.503 §5.3.2.3.2; TS 24.501 §5.5.2.3.
			It("deregisters the UE when the UDM notifies SUBSCRIPTION_WITHDRAWN, then rejects it with #3", func() {
				b.home.Remove(supi)
				cb, _ := b.home.Callback(supi)
				status := notify(b, cb, models.DeregistrationReason_SUBSCRIPTION_WITHDRAWN)
				Expect(status).To(Equal(http.StatusNoContent))
				c.until(func() bool { return false })
				Expect(c.ue.Seen).To(Equal([]string{"DEREGISTRATION REQUEST (UE TERMINATED)"}))
				Expect(c.ue.DeregCause).To(Equal(nasx.CauseIllegalUE))
				Expect(c.released).To(BeTrue())
				b.awaitState(supi, "CONTEXT-DELETED")
				Expect(b.amf.Counts().Contexts).To(BeZero())
				// The DEREGISTRATION REQUEST was integrity protected and ciphered.
				Expect(b.count(trace.Event{Actor: "amf", Kind: trace.KindReject, Name: "DEREGISTRATION REQUEST (UE terminated)", Cause: "5GMM#3"})).To(Equal(1))
				Expect(b.rec.Count(func(e trace.Event) bool {
					return e.Iface == trace.IfaceN1 && e.Name == "DEREGISTRATION REQUEST (UE TERMINATED)" && e.Detail == "dl sht=2"
				})).To(Equal(1))
				// The old credential no longer registers.
				c2 := g.connect(c.ue)
				pdu, _ := c.ue.InitialRegistration()
				c2.register(pdu)
				Expect(c.ue.Rejected).To(Equal(nasx.CauseIllegalUE))
				b.awaitDeleted(2)
				Expect(b.amf.Counts().Contexts).To(BeZero())
				Expect(b.home.Vectors()).To(Equal(1))
			})

			// Reference: TS 24.501 §5.5.2.3.1 — cause set by the network (e.g. #7).
			It("deregisters through the Go API with a chosen cause", func() {
				Expect(b.amf.Deregister(context.Background(), supi, nasx.Cause5GSServicesNotAllowed)).To(Succeed())
				c.until(func() bool { return false })
				Expect(c.ue.DeregCause).To(Equal(nasx.Cause5GSServicesNotAllowed))
				b.awaitState(supi, "CONTEXT-DELETED")
				Expect(errors.Is(b.amf.Deregister(context.Background(), supi, 0), amf.ErrUnknownUE)).To(BeTrue())
			})

			// Reference: TS 24.501 §5.5.2.3.5 a — T3522 expires five times: the context goes.
			It("deletes the context after the fifth T3522 expiry", func() {
				Expect(b.amf.Deregister(context.Background(), supi, 0)).To(Succeed())
				n := 0
				for i := 0; i < 5; i++ {
					_, ok := recv(c.rx).(*ngapx.DownlinkNASTransport)
					Expect(ok).To(BeTrue())
					n++
					b.clk.Advance(gmm.DefaultNetworkTimer)
				}
				Expect(n).To(Equal(5))
				rel, ok := recv(c.rx).(*ngapx.UEContextReleaseCommand)
				Expect(ok).To(BeTrue())
				Expect(rel.Cause).To(Equal(ngapx.CauseNASDeregister))
				b.awaitState(supi, "CONTEXT-DELETED")
			})

			It("answers 404 for an unknown SUPI and 400 for a bad body", func() {
				cb := b.amf.CallbackURI("imsi-001019999999999")
				Expect(notify(b, cb, models.DeregistrationReason_SUBSCRIPTION_WITHDRAWN)).To(Equal(http.StatusNotFound))
				rsp := post(b, b.amf.CallbackURI(supi), "application/json", []byte("{not json"))
				Expect(rsp.StatusCode).To(Equal(http.StatusBadRequest))
				Expect(rsp.Header.Get("Content-Type")).To(Equal(sbi.ContentProblem))
			})
		})

		// Reference: TS 38.413 §10.2, §10.3 — ERROR INDICATION for undecodable NGAP; the AMF carries on.
		It("answers bad NGAP bytes with ERROR INDICATION and still serves", func() {
			for _, p := range [][]byte{{0xff, 0x00, 0x13}, {0x00}, bytes.Repeat([]byte{0x40}, 40)} {
				g.sendRaw(p)
				_, ok := recv(g.rx).(*ngapx.ErrorIndication)
				Expect(ok).To(BeTrue())
			}
			ue := b.addUE(2)
			c := g.connect(ue)
			pdu, _ := ue.InitialRegistration()
			c.register(pdu)
			b.registered(ue.Sub.SUPI.String())
		})

		// Reference: TS 38.413 §10.6 — unknown AMF UE NGAP ID.
		It("answers an unknown AMF UE NGAP ID with ERROR INDICATION", func() {
			g.send(&ngapx.UplinkNASTransport{AMFUENGAPID: 4242, RANUENGAPID: 9, NASPDU: []byte{0x7e, 0, 0x43}, Location: g.location()})
			ei, ok := recv(g.rx).(*ngapx.ErrorIndication)
			Expect(ok).To(BeTrue())
			Expect(*ei.Cause).To(Equal(ngapx.CauseRadioNetworkUnknownLocalUENGAPID))
			Expect(*ei.AMFUENGAPID).To(Equal(uint64(4242)))
		})

		// Reference: TS 24.501 §7.2-§7.5 — 5GMM STATUS for NAS the AMF cannot decode.
		It("answers undecodable NAS with 5GMM STATUS", func() {
			ue := b.addUE(1)
			c := g.connect(ue)
			c.initial([]byte{0x7e, 0x00, 0x99})
			dl, ok := recv(c.rx).(*ngapx.DownlinkNASTransport)
			Expect(ok).To(BeTrue())
			Expect(dl.NASPDU).To(Equal([]byte{0x7e, 0x00, byte(nasx.MsgStatus5GMM), nasx.CauseMessageTypeNonExistent}))
			_, ok = recv(c.rx).(*ngapx.UEContextReleaseCommand)
			Expect(ok).To(BeTrue())
		})

		Context("session management boundary", func() {
			var (
				ue *scripted.UE
				c  *conn
			)
			BeforeEach(func() {
				ue = b.addUE(1)
				c = g.connect(ue)
				pdu, _ := ue.InitialRegistration()
				c.register(pdu)
				b.registered(ue.Sub.SUPI.String())
			})

			// Reference: TS 24.501 §5.4.5.2.5 — payload not forwarded: #90.
			It("returns a 5GSM payload it cannot forward with 5GMM cause #90", func() {
				m, _ := (&nasx.ULNASTransport{PayloadContainerType: nasx.PayloadN1SM, Payload: []byte{0x2e, 1, 1, 0xc1, 0xff, 0xff}, PDUSessionID: 1, RequestType: nasx.RequestInitial}).Build()
				pdu, _ := ue.Protect(m)
				c.uplink(pdu)
				dl, ok := recv(c.rx).(*ngapx.DownlinkNASTransport)
				Expect(ok).To(BeTrue())
				plain, _, err := ue.Sec.Unprotect(dl.NASPDU)
				Expect(err).NotTo(HaveOccurred())
				msg, err := nasx.Parse(plain)
				Expect(err).NotTo(HaveOccurred())
				t := msg.(*nasx.DLNASTransport)
				Expect(*t.Cause).To(Equal(nasx.CausePayloadNotForwarded))
				Expect(t.PDUSessionID).To(Equal(uint8(1)))
			})

			// Reference: TS 29.518 §5.2.2.3.1; TS 24.501 §8.2.11.
			It("relays N1N2MessageTransfer N1 SM messages in DL NAS TRANSPORT", func() {
				n1 := []byte{0x2e, 1, 1, 0xc3, 0x1b} // PDU SESSION ESTABLISHMENT REJECT #27
				rsp := n1n2(b, ue.Sub.SUPI.String(), n1)
				Expect(rsp.StatusCode).To(Equal(http.StatusOK))
				dl, ok := recv(c.rx).(*ngapx.DownlinkNASTransport)
				Expect(ok).To(BeTrue())
				plain, hdr, err := ue.Sec.Unprotect(dl.NASPDU)
				Expect(err).NotTo(HaveOccurred())
				Expect(hdr).To(Equal(nassec.HdrIntegrityCiphered))
				msg, _ := nasx.Parse(plain)
				Expect(msg.(*nasx.DLNASTransport).Payload).To(Equal(n1))
				Expect(n1n2(b, "imsi-001019999999999", n1).StatusCode).To(Equal(http.StatusNotFound))
			})

			// Reference: TS 29.518 §5.2.2.3.1; TS 38.413 §8.2.1 — N2 SM information
			// travels in PDU SESSION RESOURCE SETUP REQUEST with the NAS PDU.
			It("relays N1 and N2 SM information in PDU SESSION RESOURCE SETUP REQUEST", func() {
				tr, err := (&ngapx.PDUSessionSetupRequestTransfer{ULTunnel: ngapx.GTPTunnel{Addr: netip.MustParseAddr("127.0.0.8"), TEID: 7},
					PDUSessionType: ngapx.PDUSessionTypeIPv4, QoSFlows: []ngapx.QoSFlowSetup{{QFI: 1, FiveQI: 9, ARP: ngapx.ARP{Priority: 8}}}}).Build()
				Expect(err).NotTo(HaveOccurred())
				n1 := []byte{0x2e, 1, 1, 0xc2}
				rsp := n1n2With(b, ue.Sub.SUPI.String(), n1, tr)
				Expect(rsp.StatusCode).To(Equal(http.StatusOK))
				req, ok := recv(c.rx).(*ngapx.PDUSessionResourceSetupRequest)
				Expect(ok).To(BeTrue())
				Expect(req.PDUSessions).To(HaveLen(1))
				Expect(req.PDUSessions[0].ID).To(Equal(uint8(1)))
				Expect(req.PDUSessions[0].Transfer).To(Equal(tr))
				plain, _, err := ue.Sec.Unprotect(req.PDUSessions[0].NASPDU)
				Expect(err).NotTo(HaveOccurred())
				msg, _ := nasx.Parse(plain)
				Expect(msg.(*nasx.DLNASTransport).Payload).To(Equal(n1))
			})

			It("answers 409 for a UE that is not connected", func() {
				_, err := b.amf.ReleaseConnection(context.Background(), ue.Sub.SUPI.String())
				Expect(err).NotTo(HaveOccurred())
				Expect(c.step()).To(BeFalse())
				b.await(trace.Match(trace.Event{Actor: "amf", Name: "N2 connection released", SUPI: ue.Sub.SUPI.String()}))
				Expect(n1n2(b, ue.Sub.SUPI.String(), []byte{0x2e, 1, 1, 0xc2}).StatusCode).To(Equal(http.StatusConflict))
			})
		})
	})

	// Reference: TS 29.510 §5.2.2.2 — the AMF registers its profile at the NRF.
	It("registers at the NRF with Namf_Communication", func() {
		root, err := sbi.Discover(context.Background(), b.net.SBIClient(homeAddr), b.nrf, models.NrfNfManagementNfType_AMF,
			models.NrfNfManagementNfType_SMF, models.ServiceName_NAMF_COMM)
		Expect(err).NotTo(HaveOccurred())
		Expect(root).To(Equal(b.amf.APIRoot()))
	})
})

func notify(b *bed, cb string, reason models.DeregistrationReason) int {
	GinkgoHelper()
	body, _ := json.Marshal(models.DeregistrationData{DeregReason: reason, AccessType: models.AccessType__3_GPP_ACCESS})
	return post(b, cb, "application/json", body).StatusCode
}

func post(b *bed, url, ct string, body []byte) *http.Response {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", ct)
	rsp, err := b.net.SBIClient(udmAddr).Do(req)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(rsp.Body.Close)
	return rsp
}

// n1n2 posts an N1N2MessageTransfer with one N1 SM part, multipart/related
// as TS 29.518 §6.1.2.4 has it.
func n1n2(b *bed, supi string, n1 []byte) *http.Response { return n1n2With(b, supi, n1, nil) }

// n1n2With adds N2 SM information (PDU_RES_SETUP_REQ) when n2 is not nil.
func n1n2With(b *bed, supi string, n1, n2 []byte) *http.Response {
	GinkgoHelper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	d := models.N1N2MessageTransferReqData{PduSessionId: 1,
		N1MessageContainer: &models.N1MessageContainer{N1MessageClass: models.N1MessageClass_SM,
			N1MessageContent: &models.RefToBinaryData{ContentId: "n1msg"}}}
	if n2 != nil {
		d.N2InfoContainer = &models.N2InfoContainer{N2InformationClass: models.N2InformationClass_SM,
			SmInfo: &models.N2SmInformation{PduSessionId: 1, SNssai: &models.Snssai{Sst: 1},
				N2InfoContent: &models.N2InfoContent{NgapIeType: models.AmfCommunicationNgapIeType_PDU_RES_SETUP_REQ,
					NgapData: &models.RefToBinaryData{ContentId: "n2info"}}}}
	}
	js, _ := json.Marshal(d)
	p, _ := w.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/json"}})
	_, _ = p.Write(js)
	p, _ = w.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/vnd.3gpp.5gnas"}, "Content-Id": {"<n1msg>"}})
	_, _ = p.Write(n1)
	if n2 != nil {
		p, _ = w.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/vnd.3gpp.ngap"}, "Content-Id": {"<n2info>"}})
		_, _ = p.Write(n2)
	}
	Expect(w.Close()).To(Succeed())
	return post(b, b.amf.APIRoot()+"/namf-comm/v1/ue-contexts/"+supi+"/n1-n2-messages",
		"multipart/related; boundary="+w.Boundary(), buf.Bytes())
}

func mustAddrPort(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
