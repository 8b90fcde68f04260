package amf

// This file is the AMF's session-management boundary.
//
//   - Uplink: a 5GSM payload in UL NAS TRANSPORT from a registered UE goes to
//     the SessionManagement in use: Deps.SM, or by default the AMF's own
//     N11 client (n11.go), which calls the SMF it finds at the NRF (or
//     Config.SMF). When it cannot forward the payload, the AMF answers the
//     UE with DL NAS TRANSPORT carrying the payload back and 5GMM cause #90
//     "payload was not forwarded" (TS 24.501 §5.4.5.2.5).
//   - N2 answers for PDU sessions (PDU SESSION RESOURCE SETUP/RELEASE
//     RESPONSE, the PDU session lists of INITIAL CONTEXT SETUP RESPONSE) go
//     to SessionManagement.N2SM.
//   - De-registration of any kind, and a context that goes, release every
//     PDU session of the UE (SessionManagement.ReleaseAll).
//   - Downlink: POST /namf-comm/v1/ue-contexts/{supi}/n1-n2-messages
//     (Namf_Communication_N1N2MessageTransfer, TS 29.518 §5.2.2.3.1) takes
//     N1N2MessageTransferReqData as application/json or multipart/related
//     with the binary parts named by n1MessageContent / ngapData content
//     ids (TS 29.518 §6.1.2.4). For a registered, connected UE it answers
//     200 N1_N2_TRANSFER_INITIATED and sends the N1 SM message in DL NAS
//     TRANSPORT (protected, with the request's PDU session id); when N2 SM
//     information of type PDU_RES_SETUP_REQ or PDU_RES_REL_CMD comes with
//     it, the NAS PDU travels inside PDU SESSION RESOURCE SETUP REQUEST or
//     PDU SESSION RESOURCE RELEASE COMMAND instead (TS 38.413 §8.2.1,
//     §8.2.2); with Config.DeferSessionAccept, the ESTABLISHMENT ACCEPT of
//     a session the AMF's own N11 client created waits for the user
//     plane's activation and goes in DL NAS TRANSPORT. A UE without context gets 404 CONTEXT_NOT_FOUND; an idle or
//     not yet registered UE 409 UE_NOT_REACHABLE (the AMF does not page);
//     a body it cannot use 400, an unsupported media type 415.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/amf/gmm"
)

// SMUE names the UE in calls to SessionManagement.
type SMUE struct {
	SUPI        string
	AMFUENGAPID uint64

	e *ueEntry // the locked context (the AMF's own N11 client)
}

// SessionManagement receives what the AMF relays for session management.
// Calls are made on the UE's worker with its context locked: an
// implementation must not wait for the AMF to process another event of
// the same UE (N1N2MessageTransfer is queued, so calling it is fine).
type SessionManagement interface {
	// UplinkSM gets the 5GSM payload of UL NAS TRANSPORT (TS 24.501
	// §5.4.5.2.2) of a registered UE, e.g. to call
	// Nsmf_PDUSession_CreateSMContext. A non-nil error makes the AMF answer
	// the UE with 5GMM cause #90.
	UplinkSM(ctx context.Context, ue SMUE, msg *nasx.ULNASTransport) error
	// N2SM gets a gNB's PDU session answer.
	N2SM(ctx context.Context, ue SMUE, msg ngapx.Msg)
	// ReleaseAll releases every PDU session of the UE (de-registration of
	// any kind, or a context that goes; TS 23.502 §4.2.2.3.2 step 2,
	// §4.2.2.3.3 step 2). reason is for the trace.
	ReleaseAll(ctx context.Context, ue SMUE, reason string)
}

func (e *ueEntry) smUE() SMUE { return SMUE{SUPI: e.supi, AMFUENGAPID: e.id, e: e} }

// forwardSM relays a 5GSM payload to session management, or tells the UE it
// was not forwarded.
func (n *NF) forwardSM(e *ueEntry, a gmm.ForwardSM) {
	ctx, cancel := n.sbiCtx()
	err := n.sm.UplinkSM(ctx, e.smUE(), a.Msg)
	cancel()
	if err == nil {
		return
	}
	n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN1, Name: NotePayloadNotForwarded, SUPI: e.supi,
		Cause: gmm.CauseString(nasx.CausePayloadNotForwarded), Detail: err.Error()})
	cause := nasx.CausePayloadNotForwarded
	dl := &nasx.DLNASTransport{PayloadContainerType: a.Msg.PayloadContainerType, Payload: a.Msg.Payload,
		PDUSessionID: a.Msg.PDUSessionID, Cause: &cause}
	acts, err := n.m.Downlink(&e.u, dl)
	if err != nil {
		n.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN1, Name: "DL NAS TRANSPORT", SUPI: e.supi, Cause: DropNotConnected, Detail: err.Error()})
	}
	n.exec(e, acts, nil)
}

// smN2 relays a gNB's PDU session answer.
func (n *NF) smN2(e *ueEntry, msg ngapx.Msg) {
	ctx, cancel := n.sbiCtx()
	defer cancel()
	n.sm.N2SM(ctx, e.smUE(), msg)
}

// releaseSessions releases every PDU session of e (e.mu held).
func (n *NF) releaseSessions(e *ueEntry, reason string) {
	if e.supi == "" {
		return
	}
	ctx, cancel := n.sbiCtx()
	defer cancel()
	n.sm.ReleaseAll(ctx, e.smUE(), reason)
}

// n1n2Body is a decoded N1N2MessageTransfer request.
type n1n2Body struct {
	data models.N1N2MessageTransferReqData
	body *sbiBody
}

func (b *n1n2Body) part(ref *models.RefToBinaryData) ([]byte, bool) {
	if ref == nil {
		return nil, false
	}
	return b.body.part(ref.ContentId)
}

// decodeN1N2 reads an application/json or multipart/related body.
func decodeN1N2(r *http.Request) (*n1n2Body, *models.ProblemDetails) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != sbi.ContentJSON && mt != ContentMultipart) {
		return nil, sbi.Problem(http.StatusUnsupportedMediaType, sbi.CauseUnsupportedMedia, "Content-Type "+r.Header.Get("Content-Type"))
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, sbi.MaxBody+1))
	if err != nil || len(raw) > sbi.MaxBody {
		return nil, sbi.Problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "body unreadable or too large")
	}
	body, err := decodeBody(r.Header.Get("Content-Type"), raw)
	if err != nil {
		return nil, sbi.Problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, err.Error())
	}
	b := &n1n2Body{body: body}
	if err := json.Unmarshal(body.json, &b.data); err != nil {
		return nil, sbi.Problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "N1N2MessageTransferReqData: "+err.Error())
	}
	return b, nil
}

// handleN1N2 is Namf_Communication_N1N2MessageTransfer (see the file comment).
func (n *NF) handleN1N2(w http.ResponseWriter, r *http.Request) {
	supi := r.PathValue("ueContextId")
	n.emit(trace.Event{Kind: trace.KindRequest, Iface: trace.IfaceSBI, Peer: "smf", Name: OpN1N2Transfer, SUPI: supi})
	fail := func(pd *models.ProblemDetails) {
		n.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Peer: "smf", Name: OpN1N2Transfer, SUPI: supi,
			Status: int(pd.Status), Cause: pd.Cause})
		sbi.WriteProblem(w, pd)
	}
	body, pd := decodeN1N2(r)
	if pd != nil {
		fail(pd)
		return
	}
	d := body.data
	var n1, n2 []byte
	if c := d.N1MessageContainer; c != nil {
		if c.N1MessageClass != models.N1MessageClass_SM {
			fail(sbi.Problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "only SM N1 messages are relayed"))
			return
		}
		var ok bool
		if n1, ok = body.part(c.N1MessageContent); !ok || len(n1) == 0 {
			fail(sbi.Problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "n1MessageContent names no binary part"))
			return
		}
	}
	var sm *models.N2SmInformation
	if c := d.N2InfoContainer; c != nil {
		if c.N2InformationClass != models.N2InformationClass_SM || c.SmInfo == nil || c.SmInfo.N2InfoContent == nil {
			fail(sbi.Problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "only SM N2 information is relayed"))
			return
		}
		sm = c.SmInfo
		var ok bool
		if n2, ok = body.part(sm.N2InfoContent.NgapData); !ok || len(n2) == 0 {
			fail(sbi.Problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "ngapData names no binary part"))
			return
		}
		switch sm.N2InfoContent.NgapIeType {
		case models.AmfCommunicationNgapIeType_PDU_RES_SETUP_REQ, models.AmfCommunicationNgapIeType_PDU_RES_REL_CMD:
		default:
			fail(sbi.Problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, fmt.Sprintf("ngapIeType %q not supported", sm.N2InfoContent.NgapIeType)))
			return
		}
	}
	psi := d.PduSessionId
	if sm != nil && psi == 0 {
		psi = sm.PduSessionId
	}
	if n1 == nil && n2 == nil {
		fail(sbi.Problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "neither N1 nor N2 information"))
		return
	}
	if psi < 1 || psi > 15 {
		fail(sbi.Problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "pduSessionId must be 1..15"))
		return
	}
	id, ok := n.ues.bySUPI.load(supi)
	if !ok {
		fail(sbi.Problem(http.StatusNotFound, sbi.CauseContextNotFound, "no UE context for "+supi))
		return
	}
	e, ok := n.ues.byID.load(id)
	if !ok || !e.reachable.Load() {
		fail(sbi.Problem(http.StatusConflict, "UE_NOT_REACHABLE", "the UE is not registered and connected (no paging)"))
		return
	}
	var (
		n2Type string
		snssai *models.Snssai
	)
	if sm != nil {
		n2Type, snssai = string(sm.N2InfoContent.NgapIeType), sm.SNssai
	}
	n.postAsync(id, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.gone || e.supi != supi {
			return
		}
		n.deliverSM(e, uint8(psi), n1, n2, n2Type, snssai)
	})
	n.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Peer: "smf", Name: OpN1N2Transfer, SUPI: supi, Status: http.StatusOK})
	sbi.WriteJSON(w, http.StatusOK, models.N1N2MessageTransferRspData{Cause: models.N1N2MessageTransferCause_N1_N2_TRANSFER_INITIATED})
}

// deliverSM sends N1 (in protected DL NAS TRANSPORT) and N2 SM
// information of PDU session psi to the UE's gNB; e.mu is held. n2Type is
// the NGAP IE type of n2 (PDU_RES_SETUP_REQ or PDU_RES_REL_CMD); the NAS
// PDU then travels inside the NGAP message.
func (n *NF) deliverSM(e *ueEntry, psi uint8, n1, n2 []byte, n2Type string, snssai *models.Snssai) {
	n.noteSMDownlink(e, psi, n1, n2Type)
	if s := e.session(psi); s != nil && n.cfg.DeferSessionAccept && n1 != nil &&
		n2Type == string(models.N2SmInfoType_PDU_RES_SETUP_REQ) {
		if mt, _ := gsmType(n1); mt == nasx.MsgPDUSessionEstablishmentAccept {
			s.held, n1 = n1, nil
		}
	}
	var nas []byte
	if n1 != nil {
		acts, err := n.m.Downlink(&e.u, &nasx.DLNASTransport{PayloadContainerType: nasx.PayloadN1SM, Payload: n1, PDUSessionID: psi})
		if err != nil {
			n.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN1, Name: "DL NAS TRANSPORT", SUPI: e.supi, Cause: DropNotConnected, Detail: err.Error()})
			return
		}
		for _, a := range acts {
			if s, ok := a.(gmm.SendNAS); ok {
				nas = s.PDU
			} else {
				n.exec(e, []gmm.Action{a}, nil)
			}
		}
	}
	if !e.hasRAN {
		n.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN2, Name: "N1N2 transfer", SUPI: e.supi, Cause: DropNotConnected, Detail: "UE not connected"})
		return
	}
	switch {
	case n2 != nil && n2Type == string(models.N2SmInfoType_PDU_RES_SETUP_REQ):
		item := ngapx.PDUSessionSetupItem{ID: psi, NASPDU: nas, Transfer: n2, SNSSAI: n.defaultSlice(e)}
		if snssai != nil {
			if s, ok := snssaiFromModel(*snssai); ok {
				item.SNSSAI = s
			}
		} else if s := e.session(psi); s != nil {
			item.SNSSAI = s.snssai
		}
		n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN2, Name: NoteN2Setup, SUPI: e.supi, Detail: fmt.Sprintf("psi=%d requested", psi)})
		n.sendN2(e.gnb, e.stream, &ngapx.PDUSessionResourceSetupRequest{AMFUENGAPID: e.id, RANUENGAPID: e.ranID,
			PDUSessions: []ngapx.PDUSessionSetupItem{item}}, e.supi)
	case n2 != nil && n2Type == string(models.N2SmInfoType_PDU_RES_REL_CMD):
		n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN2, Name: NoteN2Release, SUPI: e.supi, Detail: fmt.Sprintf("psi=%d requested", psi)})
		n.sendN2(e.gnb, e.stream, &ngapx.PDUSessionResourceReleaseCommand{AMFUENGAPID: e.id, RANUENGAPID: e.ranID,
			NASPDU: nas, PDUSessions: []ngapx.PDUSessionItem{{ID: psi, Transfer: n2}}}, e.supi)
	case n2 != nil:
		n.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN2, Name: "N2 SM information", SUPI: e.supi, Cause: DropUnsupported,
			Detail: "ngapIeType " + n2Type})
		if nas != nil {
			n.sendDLNAS(e, nas)
		}
	case nas != nil:
		n.sendDLNAS(e, nas)
	}
}

// defaultSlice is the S-NSSAI of a session that names none: the first
// allowed one, else the first the AMF serves.
func (n *NF) defaultSlice(e *ueEntry) nasx.SNSSAI {
	if a := e.u.AllowedNSSAI(); len(a) > 0 {
		return a[0]
	}
	return n.cfg.Slices[0]
}
