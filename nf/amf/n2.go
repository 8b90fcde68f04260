package amf

import (
	"errors"
	"fmt"
	"net/netip"
	"sync/atomic"

	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/amf/gmm"
)

// gnbAssoc is one gNB's N2 association.
type gnbAssoc struct {
	addr  netip.AddrPort
	setup atomic.Bool
	id    ngapx.GlobalGNBID
	name  string
}

// stream 0 carries non-UE-associated signalling (TS 38.412 §7); UE
// associated messages go on the stream the UE's first message came on,
// or stream 1.
const ueStream = 1

func ngapName(m ngapx.Msg) string {
	switch m.(type) {
	case *ngapx.NGSetupRequest:
		return "NGSetupRequest"
	case *ngapx.NGSetupResponse:
		return "NGSetupResponse"
	case *ngapx.NGSetupFailure:
		return "NGSetupFailure"
	case *ngapx.InitialUEMessage:
		return "InitialUEMessage"
	case *ngapx.UplinkNASTransport:
		return "UplinkNASTransport"
	case *ngapx.DownlinkNASTransport:
		return "DownlinkNASTransport"
	case *ngapx.InitialContextSetupRequest:
		return "InitialContextSetupRequest"
	case *ngapx.InitialContextSetupResponse:
		return "InitialContextSetupResponse"
	case *ngapx.UEContextReleaseCommand:
		return "UEContextReleaseCommand"
	case *ngapx.UEContextReleaseComplete:
		return "UEContextReleaseComplete"
	case *ngapx.ErrorIndication:
		return "ErrorIndication"
	case *ngapx.PDUSessionResourceSetupRequest:
		return "PDUSessionResourceSetupRequest"
	case *ngapx.PDUSessionResourceSetupResponse:
		return "PDUSessionResourceSetupResponse"
	case *ngapx.PDUSessionResourceReleaseCommand:
		return "PDUSessionResourceReleaseCommand"
	case *ngapx.PDUSessionResourceReleaseResponse:
		return "PDUSessionResourceReleaseResponse"
	}
	return m.Procedure().String() + "/" + m.Kind().String()
}

// HandleN2 is the N2 entry point: one NGAP PDU from the gNB at from. It
// never panics on bad bytes: an undecodable PDU gets ERROR INDICATION (TS
// 38.413 §10.2, §10.3).
func (n *NF) HandleN2(from netip.AddrPort, stream uint16, payload []byte) {
	msg, err := ngapx.Parse(payload)
	if err != nil {
		cause := ngapx.CauseProtocolTransferSyntaxError
		switch {
		case errors.Is(err, ngapx.ErrUnsupported):
			cause = ngapx.CauseProtocolAbstractSyntaxErrorReject
		case errors.Is(err, ngapx.ErrMissingIE):
			cause = ngapx.CauseProtocolFalselyConstructedMessage
		}
		n.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN2, Peer: from.String(), Name: "NGAP",
			Cause: DropUndecodable, Detail: err.Error()})
		n.sendN2(from, 0, &ngapx.ErrorIndication{Cause: &cause}, "")
		return
	}
	n.emit(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN2, Peer: from.String(), Name: ngapName(msg), Detail: "in"})
	switch m := msg.(type) {
	case *ngapx.NGSetupRequest:
		n.ngSetup(from, m)
		return
	case *ngapx.ErrorIndication:
		return
	}
	g, ok := n.gnbs.Load(from)
	if !ok || !g.(*gnbAssoc).setup.Load() {
		// TS 38.413 §8.7.1.1: no UE-associated signalling before NG Setup.
		cause := ngapx.CauseProtocolMessageNotCompatibleWithState
		n.sendN2(from, 0, &ngapx.ErrorIndication{Cause: &cause}, "")
		return
	}
	switch m := msg.(type) {
	case *ngapx.InitialUEMessage:
		n.initialUE(from, stream, m)
	case *ngapx.UplinkNASTransport:
		n.ueMessage(from, m.AMFUENGAPID, m.RANUENGAPID, func(e *ueEntry) {
			n.exec(e, n.m.HandleNAS(&e.u, m.NASPDU), nil)
		})
	case *ngapx.InitialContextSetupResponse:
		n.ueMessage(from, m.AMFUENGAPID, m.RANUENGAPID, func(e *ueEntry) {
			if len(m.PDUSessions) > 0 || len(m.Failed) > 0 {
				n.smN2(e, msg)
			}
		})
	case *ngapx.UEContextReleaseComplete:
		n.releaseComplete(from, m)
	case *ngapx.PDUSessionResourceSetupResponse:
		n.ueMessage(from, m.AMFUENGAPID, m.RANUENGAPID, func(e *ueEntry) { n.smN2(e, msg) })
	case *ngapx.PDUSessionResourceReleaseResponse:
		n.ueMessage(from, m.AMFUENGAPID, m.RANUENGAPID, func(e *ueEntry) { n.smN2(e, msg) })
	default:
		// A message the AMF never receives (TS 38.413 §10.4).
		cause := ngapx.CauseProtocolMessageNotCompatibleWithState
		ei := &ngapx.ErrorIndication{Cause: &cause}
		if ua, ok := msg.(ngapx.UEAssociated); ok {
			ids := ua.UEIDs()
			if ids.HasAMF {
				ei.AMFUENGAPID = &ids.AMF
			}
			if ids.HasRAN {
				ei.RANUENGAPID = &ids.RAN
			}
		}
		n.sendN2(from, 0, ei, "")
	}
}

// ngSetup accepts a gNB that serves at least one of the AMF's TACs in the
// AMF's PLMN (TS 38.413 §8.7.1.2), else NG SETUP FAILURE (§8.7.1.3).
func (n *NF) ngSetup(from netip.AddrPort, m *ngapx.NGSetupRequest) {
	plmn, region, set, pointer := n.m.GUAMI()
	plmnOK, tacOK := false, false
	for _, ta := range m.SupportedTAs {
		for _, bp := range ta.PLMNs {
			if bp.PLMN != plmn {
				continue
			}
			plmnOK = true
			for _, t := range n.cfg.TACs {
				if t == ta.TAC {
					tacOK = true
				}
			}
		}
	}
	if !plmnOK || !tacOK {
		cause := ngapx.CauseMiscUnknownPLMN
		if plmnOK {
			cause = ngapx.CauseMiscUnspecified
		}
		wait := ngapx.TimeToWait10s
		n.emit(trace.Event{Kind: trace.KindReject, Iface: trace.IfaceN2, Peer: from.String(), Name: "NGSetupFailure",
			Cause: cause.String(), Detail: fmt.Sprintf("gNB %s: PLMN served %t, TAC served %t", m.GlobalGNBID, plmnOK, tacOK)})
		n.sendN2(from, 0, &ngapx.NGSetupFailure{Cause: cause, TimeToWait: &wait}, "")
		return
	}
	g := &gnbAssoc{addr: from, id: m.GlobalGNBID, name: m.RANNodeName}
	g.setup.Store(true)
	n.gnbs.Store(from, g)
	rsp := &ngapx.NGSetupResponse{AMFName: n.cfg.AMFName, RelativeAMFCapacity: n.cfg.RelativeCapacity,
		ServedGUAMIs: []ngapx.GUAMI{{PLMN: plmn, AMFRegionID: region, AMFSetID: set, AMFPointer: pointer}},
		PLMNSupport:  []ngapx.PLMNSupport{{PLMN: plmn, Slices: n.cfg.Slices}}}
	n.sendN2(from, 0, rsp, "")
	n.emit(trace.Event{Kind: trace.KindState, Iface: trace.IfaceN2, Peer: from.String(), Name: "gnb-associated",
		Detail: fmt.Sprintf("%s %q", m.GlobalGNBID, m.RANNodeName)})
}

// initialUE creates a context for INITIAL UE MESSAGE (TS 38.413 §8.6.1)
// with a new AMF UE NGAP ID, and hands the NAS PDU to its worker.
func (n *NF) initialUE(from netip.AddrPort, stream uint16, m *ngapx.InitialUEMessage) {
	id := n.ids.Add(1)
	if stream == 0 {
		stream = ueStream
	}
	e := &ueEntry{id: id, gnb: from, ranID: m.RANUENGAPID, stream: stream, hasRAN: true}
	n.ues.byID.store(id, e)
	if old, ok := n.ues.byRAN.swap(e.ranKey(), id); ok && old != id {
		// The gNB reused a RAN UE NGAP ID: the old association is gone.
		n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN2, Peer: from.String(), Name: "RAN UE NGAP ID reused",
			Detail: fmt.Sprintf("ran=%d old amf=%d new amf=%d", m.RANUENGAPID, old, id)})
		n.postAsync(old, func() { n.ranGone(old, e.ranKey()) })
	}
	pdu := m.NASPDU
	if !n.post(id, func() { n.runInitial(e, pdu) }) {
		n.remove(e)
	}
}

// runInitial runs the initial NAS message, with the prior context that owns
// the 5G-GUTI the UE presented, locked for the duration (it is a registered
// context, which never locks another one, so there is no lock cycle).
func (n *NF) runInitial(e *ueEntry, pdu []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gone {
		return
	}
	var (
		prior *gmm.Prior
		pe    *ueEntry
	)
	if tmsi, ok := n.m.PriorTMSI(pdu); ok {
		if pid, ok := n.ues.byTMSI.load(tmsi); ok && pid != e.id {
			if p, ok := n.ues.byID.load(pid); ok {
				p.mu.Lock()
				if x, ok := p.u.Export(pid, tmsi); ok && !p.gone {
					prior, pe = &x, p
				} else {
					p.mu.Unlock()
				}
			}
		}
	}
	n.exec(e, n.m.HandleInitialNAS(&e.u, pdu, prior), pe)
	if pe != nil {
		pe.mu.Unlock()
	}
}

// ueMessage routes a UE-associated message to its context's worker after
// checking both UE NGAP IDs (TS 38.413 §10.6: unknown or inconsistent IDs
// get ERROR INDICATION).
func (n *NF) ueMessage(from netip.AddrPort, amfID uint64, ranID uint32, f func(e *ueEntry)) {
	e, ok := n.ues.byID.load(amfID)
	if !ok {
		n.unknownUE(from, amfID, ranID, ngapx.CauseRadioNetworkUnknownLocalUENGAPID)
		return
	}
	n.post(e.id, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		switch {
		case e.gone:
			n.unknownUE(from, amfID, ranID, ngapx.CauseRadioNetworkUnknownLocalUENGAPID)
		case !e.hasRAN || e.gnb != from || e.ranID != ranID:
			n.unknownUE(from, amfID, ranID, ngapx.CauseRadioNetworkInconsistentRemoteID)
		default:
			f(e)
		}
	})
}

func (n *NF) unknownUE(from netip.AddrPort, amfID uint64, ranID uint32, cause ngapx.Cause) {
	n.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN2, Peer: from.String(), Name: "UE-associated NGAP",
		Cause: cause.String(), Detail: fmt.Sprintf("amf=%d ran=%d", amfID, ranID)})
	n.sendN2(from, 0, &ngapx.ErrorIndication{AMFUENGAPID: &amfID, RANUENGAPID: &ranID, Cause: &cause}, "")
}

// releaseComplete ends the UE's N2 association (TS 38.413 §8.3.3.2).
func (n *NF) releaseComplete(from netip.AddrPort, m *ngapx.UEContextReleaseComplete) {
	n.ues.byRAN.deleteIf(ranKey{gnb: from, id: m.RANUENGAPID}, is(m.AMFUENGAPID))
	e, ok := n.ues.byID.load(m.AMFUENGAPID)
	if !ok {
		return // the context went with the release (reject, de-registration)
	}
	n.post(e.id, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.gone || !e.hasRAN || e.gnb != from || e.ranID != m.RANUENGAPID {
			return
		}
		e.hasRAN = false
		n.exec(e, n.m.Handle(&e.u, gmm.N2Released{}), nil)
	})
}

// ranGone: the RAN association of context id is no longer valid.
func (n *NF) ranGone(id uint64, k ranKey) {
	e, ok := n.ues.byID.load(id)
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gone || !e.hasRAN || e.ranKey() != k {
		return
	}
	e.hasRAN = false
	n.exec(e, n.m.Handle(&e.u, gmm.N2Released{}), nil)
}

// sendN2 encodes and sends msg to the gNB at to.
func (n *NF) sendN2(to netip.AddrPort, stream uint16, msg ngapx.Msg, supi string) {
	b, err := msg.Build()
	if err != nil {
		n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN2, Name: ngapName(msg), SUPI: supi, Detail: "encoding failed: " + err.Error()})
		return
	}
	// Traced before it leaves, so that the peer's "in" never precedes it.
	n.emit(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN2, Peer: to.String(), Name: ngapName(msg), SUPI: supi, Detail: "out"})
	if n.n2s != nil {
		err = n.n2s.SendStream(n.ctx, to, stream, b)
	} else {
		err = n.n2.Send(n.ctx, to, b)
	}
	if err != nil {
		n.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN2, Peer: to.String(), Name: ngapName(msg), SUPI: supi,
			Cause: DropSendFailed, Detail: "send: " + err.Error()})
	}
}

// sendDLNAS sends DOWNLINK NAS TRANSPORT (TS 38.413 §8.6.2).
func (n *NF) sendDLNAS(e *ueEntry, pdu []byte) {
	if !e.hasRAN {
		n.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN1, SUPI: e.supi, Name: "downlink NAS", Cause: DropNotConnected, Detail: "UE not connected"})
		return
	}
	n.sendN2(e.gnb, e.stream, &ngapx.DownlinkNASTransport{AMFUENGAPID: e.id, RANUENGAPID: e.ranID, NASPDU: pdu}, e.supi)
}

// sendICS sends INITIAL CONTEXT SETUP REQUEST (TS 38.413 §8.3.1) with KgNB.
func (n *NF) sendICS(e *ueEntry, a gmm.SendInitialContextSetup) {
	if !e.hasRAN {
		return
	}
	plmn, region, set, pointer := n.m.GUAMI()
	req := &ngapx.InitialContextSetupRequest{AMFUENGAPID: e.id, RANUENGAPID: e.ranID,
		GUAMI:                  ngapx.GUAMI{PLMN: plmn, AMFRegionID: region, AMFSetID: set, AMFPointer: pointer},
		AllowedNSSAI:           a.AllowedNSSAI,
		UESecurityCapabilities: ngapx.UESecurityCapabilitiesFromNAS(a.UESecurityCapability),
		SecurityKey:            ngapx.KgNB(a.KgNB),
		NASPDU:                 a.NASPDU}
	if len(req.AllowedNSSAI) == 0 {
		req.AllowedNSSAI = n.cfg.Slices
	}
	n.sendN2(e.gnb, e.stream, req, e.supi)
}

// sendRelease sends UE CONTEXT RELEASE COMMAND (TS 38.413 §8.3.3).
func (n *NF) sendRelease(e *ueEntry, cause ngapx.Cause) {
	if !e.hasRAN {
		return
	}
	ran := e.ranID
	n.sendN2(e.gnb, e.stream, &ngapx.UEContextReleaseCommand{AMFUENGAPID: e.id, RANUENGAPID: &ran, Cause: cause}, e.supi)
}
