package amf

// This file is the AMF's session-management boundary, the extension point
// the SMF work completes.
//
// What it does today:
//
//   - Uplink: a 5GSM payload in UL NAS TRANSPORT from a registered UE goes to
//     Deps.SM.UplinkSM. With no SessionManagement wired, the AMF answers the
//     UE with DL NAS TRANSPORT carrying the payload back and 5GMM cause #90
//     "payload was not forwarded" (TS 24.501 §5.4.5.2.5).
//   - N2 answers for PDU sessions (PDU SESSION RESOURCE SETUP/RELEASE
//     RESPONSE, the PDU session lists of INITIAL CONTEXT SETUP RESPONSE) go
//     to Deps.SM.N2SM, and are only traced without one.
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
//     §8.2.2). A UE without context gets 404 CONTEXT_NOT_FOUND; an idle or
//     not yet registered UE 409 UE_NOT_REACHABLE (the AMF does not page);
//     a body it cannot use 400, an unsupported media type 415.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

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
}

// forwardSM relays a 5GSM payload to session management, or tells the UE it
// was not forwarded.
func (n *NF) forwardSM(e *ueEntry, a gmm.ForwardSM) {
	if n.deps.SM != nil {
		ctx, cancel := n.sbiCtx()
		err := n.deps.SM.UplinkSM(ctx, SMUE{SUPI: e.supi, AMFUENGAPID: e.id}, a.Msg)
		cancel()
		if err == nil {
			return
		}
		n.emit(trace.Event{Kind: trace.KindNote, Name: "5GSM payload not forwarded", SUPI: e.supi, Detail: err.Error()})
	}
	cause := nasx.CausePayloadNotForwarded
	dl := &nasx.DLNASTransport{PayloadContainerType: a.Msg.PayloadContainerType, Payload: a.Msg.Payload,
		PDUSessionID: a.Msg.PDUSessionID, Cause: &cause}
	acts, err := n.m.Downlink(&e.u, dl)
	if err != nil {
		n.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN1, Name: "DL NAS TRANSPORT", SUPI: e.supi, Detail: err.Error()})
	}
	n.exec(e, acts, nil)
}

// smN2 relays a gNB's PDU session answer.
func (n *NF) smN2(e *ueEntry, msg ngapx.Msg) {
	if n.deps.SM == nil {
		return
	}
	ctx, cancel := n.sbiCtx()
	defer cancel()
	n.deps.SM.N2SM(ctx, SMUE{SUPI: e.supi, AMFUENGAPID: e.id}, msg)
}

// n1n2Body is a decoded N1N2MessageTransfer request.
type n1n2Body struct {
	data   models.N1N2MessageTransferReqData
	binary map[string][]byte // by Content-ID, angle brackets removed
}

func (b *n1n2Body) part(ref *models.RefToBinaryData) ([]byte, bool) {
	if ref == nil || ref.ContentId == "" {
		return nil, false
	}
	p, ok := b.binary[strings.Trim(ref.ContentId, "<>")]
	return p, ok
}

const maxN1N2Parts = 8

// decodeN1N2 reads an application/json or multipart/related body.
func decodeN1N2(r *http.Request) (*n1n2Body, *models.ProblemDetails) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, sbi.Problem(http.StatusUnsupportedMediaType, sbi.CauseUnsupportedMedia, "bad Content-Type")
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, sbi.MaxBody+1))
	if err != nil || len(raw) > sbi.MaxBody {
		return nil, sbi.Problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "body unreadable or too large")
	}
	b := &n1n2Body{binary: map[string][]byte{}}
	bad := func(d string) (*n1n2Body, *models.ProblemDetails) {
		return nil, sbi.Problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, d)
	}
	switch mt {
	case sbi.ContentJSON:
		if err := json.Unmarshal(raw, &b.data); err != nil {
			return bad("N1N2MessageTransferReqData: " + err.Error())
		}
		return b, nil
	case "multipart/related":
	default:
		return nil, sbi.Problem(http.StatusUnsupportedMediaType, sbi.CauseUnsupportedMedia, mt)
	}
	if params["boundary"] == "" {
		return bad("multipart/related without boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
	gotJSON := false
	for i := 0; ; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil || i >= maxN1N2Parts {
			return bad("multipart body: too many or malformed parts")
		}
		data, err := io.ReadAll(io.LimitReader(p, sbi.MaxBody))
		if err != nil {
			return bad("multipart part unreadable")
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if ct == sbi.ContentJSON && !gotJSON {
			if err := json.Unmarshal(data, &b.data); err != nil {
				return bad("N1N2MessageTransferReqData: " + err.Error())
			}
			gotJSON = true
			continue
		}
		if id := strings.Trim(p.Header.Get("Content-Id"), "<> "); id != "" {
			b.binary[id] = data
		}
	}
	if !gotJSON {
		return bad("multipart body without a JSON part")
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
	n.postAsync(id, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.gone || e.supi != supi {
			return
		}
		n.deliverSM(e, uint8(psi), n1, n2, sm)
	})
	n.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Peer: "smf", Name: OpN1N2Transfer, SUPI: supi, Status: http.StatusOK})
	sbi.WriteJSON(w, http.StatusOK, models.N1N2MessageTransferRspData{Cause: models.N1N2MessageTransferCause_N1_N2_TRANSFER_INITIATED})
}

// deliverSM sends N1 (in protected DL NAS TRANSPORT) and N2 SM information
// to the UE's gNB; e.mu is held.
func (n *NF) deliverSM(e *ueEntry, psi uint8, n1, n2 []byte, sm *models.N2SmInformation) {
	var nas []byte
	if n1 != nil {
		acts, err := n.m.Downlink(&e.u, &nasx.DLNASTransport{PayloadContainerType: nasx.PayloadN1SM, Payload: n1, PDUSessionID: psi})
		if err != nil {
			n.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN1, Name: "DL NAS TRANSPORT", SUPI: e.supi, Detail: err.Error()})
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
		n.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN2, Name: "N1N2 transfer", SUPI: e.supi, Detail: "UE not connected"})
		return
	}
	if sm == nil {
		n.sendDLNAS(e, nas)
		return
	}
	switch sm.N2InfoContent.NgapIeType {
	case models.AmfCommunicationNgapIeType_PDU_RES_SETUP_REQ:
		item := ngapx.PDUSessionSetupItem{ID: psi, NASPDU: nas, Transfer: n2, SNSSAI: n.cfg.Slices[0]}
		if sm.SNssai != nil {
			if s, ok := snssaiFromModel(*sm.SNssai); ok {
				item.SNSSAI = s
			}
		}
		n.sendN2(e.gnb, e.stream, &ngapx.PDUSessionResourceSetupRequest{AMFUENGAPID: e.id, RANUENGAPID: e.ranID,
			PDUSessions: []ngapx.PDUSessionSetupItem{item}}, e.supi)
	case models.AmfCommunicationNgapIeType_PDU_RES_REL_CMD:
		n.sendN2(e.gnb, e.stream, &ngapx.PDUSessionResourceReleaseCommand{AMFUENGAPID: e.id, RANUENGAPID: e.ranID,
			NASPDU: nas, PDUSessions: []ngapx.PDUSessionItem{{ID: psi, Transfer: n2}}}, e.supi)
	}
}
