package amf

// This file is the AMF's N11 side: its own SessionManagement, the default
// when Deps.SM is nil, as an Nsmf_PDUSession consumer (TS 29.502 §5.2.2;
// TS 23.502 §4.3.2.2.1, §4.3.4.2, §4.2.2.3), and the SMF's SM context status
// notifications at the smContextStatusUri the AMF hands out. The N11
// contract with nf/smf:
//
//   - UL NAS TRANSPORT with PDU SESSION ESTABLISHMENT REQUEST: POST
//     {smf}/nsmf-pdusession/v1/sm-contexts (multipart: SmContextCreateData,
//     then the 5GSM message) to an SMF found at the NRF (cached for the
//     NRF's validity period) or Config.SMF. 201: the SM context reference
//     is the last segment of Location; the N1 accept and N2 setup request
//     follow in N1N2MessageTransfer (PDU SESSION RESOURCE SETUP REQUEST to
//     the gNB, the accept with it; with Config.DeferSessionAccept the accept
//     goes in DL NAS TRANSPORT once the user plane is active). An error
//     with an N1 part (the reject) goes to the UE in DL NAS TRANSPORT;
//     problem+json, or no SMF at all, gives 5GMM #90.
//   - Any other 5GSM message for a session the AMF knows (release request,
//     release complete, status): POST .../sm-contexts/{ref}/modify with the
//     N1 part; a 200 with N1 (and N2 PDU_RES_REL_CMD) goes to the UE (in
//     PDU SESSION RESOURCE RELEASE COMMAND). No session: 5GMM #90.
//   - The gNB's PDU SESSION RESOURCE SETUP RESPONSE (or the lists of INITIAL
//     CONTEXT SETUP RESPONSE) and PDU SESSION RESOURCE RELEASE RESPONSE:
//     modify with N2 PDU_RES_SETUP_RSP, PDU_RES_SETUP_FAIL or
//     PDU_RES_REL_RSP; an N1 in the answer (the reject after a failed setup)
//     goes to the UE.
//   - De-registration of any kind, and a context that goes: POST
//     .../sm-contexts/{ref}/release for every session (204 once the UPF
//     removed the session's rules).
//   - POST {amf}/namf-callback/v1/smContextStatus/{supi}/{psi} with
//     resourceStatus RELEASED: 204, and the session is forgotten once the
//     AMF has seen its release (a RELEASE COMMAND, a reject or an N2 release
//     went through); a notification for an active session (a late one for
//     an earlier session of the same id) is traced and ignored.
//
// Sessions live in the UE's context (ueEntry.sm, keyed by PDU session id
// under the SUPI of the context), touched only on the UE's worker: no lock
// of their own, no goroutine per session. A context taken over by a new
// connection hands its sessions on.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

// Nsmf_PDUSession operation names in trace events (TS 29.502 §5.2.2).
const (
	OpSMFCreate       = "Nsmf_PDUSession_CreateSMContext"
	OpSMFUpdate       = "Nsmf_PDUSession_UpdateSMContext"
	OpSMFRelease      = "Nsmf_PDUSession_ReleaseSMContext"
	OpSMStatusNotify  = "Nsmf_PDUSession_SMContextStatusNotify"
	smfPrefix         = "/nsmf-pdusession/v1"
	pathSMStatus      = "/smContextStatus"
	peerSMF           = "smf"
	releaseCauseDereg = models.SmfPduSessionCause_REL_DUE_TO_UNSPECIFIED_REASON
)

// Errors of the AMF's N11 client; UplinkSM's caller answers the UE with
// 5GMM #90 for any of them.
var (
	ErrNoSMF     = errors.New("amf: no SMF answered")
	ErrSMF       = errors.New("amf: the SMF refused")
	ErrNoSession = errors.New("amf: no PDU session with this id")
	ErrSMPayload = errors.New("amf: 5GSM payload not usable")
)

// smSession is one PDU session of a UE as the AMF knows it: its SM
// context at an SMF.
type smSession struct {
	psi    uint8
	ref    string // smContextRef
	root   string // apiRoot of the SMF holding it
	dnn    string
	snssai nasx.SNSSAI
	// releasing: the AMF relayed the session's release (RELEASE COMMAND,
	// ESTABLISHMENT REJECT or N2 release); the SMF's RELEASED notification
	// ends it.
	releasing bool
	// held is the ESTABLISHMENT ACCEPT kept until the user plane is active
	// (Config.DeferSessionAccept).
	held []byte
}

func (e *ueEntry) session(psi uint8) *smSession {
	for i := range e.sm {
		if e.sm[i].psi == psi {
			return &e.sm[i]
		}
	}
	return nil
}

func (e *ueEntry) forget(psi uint8) {
	for i := range e.sm {
		if e.sm[i].psi == psi {
			e.sm = append(e.sm[:i], e.sm[i+1:]...)
			if len(e.sm) == 0 {
				e.sm = nil
			}
			return
		}
	}
}

// SessionView is the AMF's view of one PDU session.
type SessionView struct {
	PDUSessionID uint8
	SMContextRef string
	SMF          string // the SMF's apiRoot
	DNN          string
	SNSSAI       nasx.SNSSAI
	Releasing    bool // a release went through; the SMF's RELEASED notification is due
}

// Sessions returns the PDU sessions the AMF holds for supi.
func (n *NF) Sessions(supi string) []SessionView {
	id, ok := n.ues.bySUPI.load(supi)
	if !ok {
		return nil
	}
	e, ok := n.ues.byID.load(id)
	if !ok {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gone {
		return nil
	}
	out := make([]SessionView, 0, len(e.sm))
	for _, s := range e.sm {
		out = append(out, SessionView{PDUSessionID: s.psi, SMContextRef: s.ref, SMF: s.root, DNN: s.dnn, SNSSAI: s.snssai, Releasing: s.releasing})
	}
	return out
}

// n11 is the AMF's own SessionManagement.
type n11 struct{ n *NF }

func (c n11) UplinkSM(ctx context.Context, ue SMUE, msg *nasx.ULNASTransport) error {
	if ue.e == nil {
		return ErrUnknownUE
	}
	return c.n.uplinkSM(ctx, ue.e, msg)
}

func (c n11) N2SM(ctx context.Context, ue SMUE, msg ngapx.Msg) {
	if ue.e != nil {
		c.n.n2SM(ctx, ue.e, msg)
	}
}

func (c n11) ReleaseAll(ctx context.Context, ue SMUE, reason string) {
	if ue.e != nil {
		c.n.releaseAll(ctx, ue.e, reason)
	}
}

// gsmType returns the message type of a 5GSM message (TS 24.501 §8.3: EPD,
// PDU session id, PTI, message type).
func gsmType(b []byte) (nasx.MessageType, bool) {
	if len(b) < 4 || b[0] != nasx.EPD5GSM {
		return 0, false
	}
	return nasx.MessageType(b[3]), true
}

// uplinkSM relays UL NAS TRANSPORT's 5GSM payload (TS 24.501 §5.4.5.2.2;
// e.mu held).
func (n *NF) uplinkSM(ctx context.Context, e *ueEntry, msg *nasx.ULNASTransport) error {
	if msg.PayloadContainerType != nasx.PayloadN1SM {
		return fmt.Errorf("%w: payload container type %d", ErrSMPayload, msg.PayloadContainerType)
	}
	psi := msg.PDUSessionID
	if psi < 1 || psi > 15 {
		return fmt.Errorf("%w: PDU session id %d", ErrSMPayload, psi)
	}
	mt, ok := gsmType(msg.Payload)
	if !ok {
		return fmt.Errorf("%w: not a 5GSM message", ErrSMPayload)
	}
	cur := e.session(psi)
	if mt == nasx.MsgPDUSessionEstablishmentRequest {
		return n.createSM(ctx, e, msg, cur)
	}
	if cur == nil {
		return fmt.Errorf("%w: %d (%s)", ErrNoSession, psi, mt)
	}
	r := n.updateSM(ctx, e, cur, models.SmfPduSessionSmContextUpdateData{N1SmMsg: &models.RefToBinaryData{ContentId: cidN1}},
		mt.String(), binaryPart{cid: cidN1, ctype: Content5GNAS, data: msg.Payload})
	return n.applyUpdate(e, psi, r)
}

func requestType(t uint8) models.RequestType {
	switch t {
	case nasx.RequestExistingPDUSession:
		return models.RequestType_EXISTING_PDU_SESSION
	case nasx.RequestInitialEmergency:
		return models.RequestType_INITIAL_EMERGENCY_REQUEST
	case nasx.RequestExistingEmergencySession:
		return models.RequestType_EXISTING_EMERGENCY_PDU_SESSION
	default:
		return models.RequestType_INITIAL_REQUEST
	}
}

// createSM is Nsmf_PDUSession_CreateSMContext (TS 29.502 §5.2.2.2.1; TS
// 23.502 §4.3.2.2.1 steps 2-3). A session the UE reuses the id of is
// released first (TS 24.501 §5.4.5.2.3: the UE released it locally).
func (n *NF) createSM(ctx context.Context, e *ueEntry, msg *nasx.ULNASTransport, cur *smSession) error {
	psi := msg.PDUSessionID
	if cur != nil {
		n.releaseOne(ctx, e, *cur, "PDU session id reused")
		n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceSBI, Name: NoteSessionsReleased, SUPI: e.supi,
			Detail: fmt.Sprintf("PDU session id %d reused: 1 released", psi)})
	}
	root, err := n.root(ctx, n.cfg.SMF, models.NrfNfManagementNfType_SMF, models.ServiceName_NSMF_PDUSESSION)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoSMF, err)
	}
	sn := n.defaultSlice(e)
	if msg.SNSSAI != nil {
		sn = *msg.SNSSAI
	}
	snm := snssaiToModel(sn)
	plmn, _, _, _ := n.m.GUAMI()
	d := models.SmfPduSessionSmContextCreateData{
		Supi: e.supi, PduSessionId: int32(psi), Dnn: msg.DNN, SNssai: &snm,
		ServingNfId: n.cfg.InstanceID, Guami: n.guami(), ServingNetwork: &models.PlmnIdNid{Mcc: plmn.MCC(), Mnc: plmn.MNC()},
		AnType: models.AccessType__3_GPP_ACCESS, RatType: models.RatType_NR, RequestType: requestType(msg.RequestType),
		N1SmMsg: &models.RefToBinaryData{ContentId: cidN1}, SmContextStatusUri: n.SMContextStatusURI(e.supi, psi),
	}
	r := n.smfCall(ctx, e.supi, OpSMFCreate, fmt.Sprintf("psi=%d dnn=%q", psi, msg.DNN), root+smfPrefix+"/sm-contexts", d,
		binaryPart{cid: cidN1, ctype: Content5GNAS, data: msg.Payload})
	switch {
	case r.status == 0:
		if n.cfg.SMF == "" && n.nrf != nil {
			n.nrf.Forget(models.NrfNfManagementNfType_SMF)
		}
		return fmt.Errorf("%w: %v", ErrNoSMF, r.err)
	case r.status == http.StatusCreated:
		ref := refOf(r.location)
		if ref == "" {
			return fmt.Errorf("%w: 201 without a usable Location %q", ErrSMF, r.location)
		}
		e.sm = append(e.sm, smSession{psi: psi, ref: ref, root: root, dnn: msg.DNN, snssai: sn})
		return nil
	case r.n1 != nil:
		// SmContextCreateError with the PDU SESSION ESTABLISHMENT REJECT.
		n.deliverSM(e, psi, r.n1, nil, "", nil)
		return nil
	default:
		return fmt.Errorf("%w: %d %s", ErrSMF, r.status, r.cause)
	}
}

// refOf returns the smContextRef of a Location: its last path segment.
func refOf(location string) string {
	u, err := url.Parse(location)
	if err != nil || !strings.Contains(u.Path, "/sm-contexts/") {
		return ""
	}
	ref := path.Base(u.Path)
	if ref == "." || ref == "/" || ref == "sm-contexts" {
		return ""
	}
	return ref
}

// SMContextStatusURI is the smContextStatusUri the AMF gives the SMF for
// PDU session psi of supi.
func (n *NF) SMContextStatusURI(supi string, psi uint8) string {
	return n.apiRoot + PathCallback + pathSMStatus + "/" + url.PathEscape(supi) + "/" + strconv.Itoa(int(psi))
}

// updateSM is Nsmf_PDUSession_UpdateSMContext (TS 29.502 §5.2.2.3).
func (n *NF) updateSM(ctx context.Context, e *ueEntry, s *smSession, d models.SmfPduSessionSmContextUpdateData, what string, p binaryPart) smfReply {
	return n.smfCall(ctx, e.supi, OpSMFUpdate, fmt.Sprintf("psi=%d %s", s.psi, what),
		s.root+smfPrefix+"/sm-contexts/"+url.PathEscape(s.ref)+"/modify", d, p)
}

// applyUpdate carries out an UpdateSMContext answer: N1 (and N2) to the UE
// and gNB; a context the SMF no longer knows is forgotten.
func (n *NF) applyUpdate(e *ueEntry, psi uint8, r smfReply) error {
	switch {
	case r.status == 0:
		return fmt.Errorf("%w: %v", ErrNoSMF, r.err)
	case r.n1 != nil || r.n2 != nil:
		n.deliverSM(e, psi, r.n1, r.n2, r.n2Type, nil)
		return nil
	case r.status == http.StatusNotFound:
		e.forget(psi)
		n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceSBI, Name: NoteSessionGone, SUPI: e.supi,
			Detail: fmt.Sprintf("psi=%d unknown at the SMF", psi)})
		return fmt.Errorf("%w: %d (unknown at the SMF)", ErrNoSession, psi)
	case r.status >= 300:
		return fmt.Errorf("%w: %d %s", ErrSMF, r.status, r.cause)
	}
	return nil
}

// noteSMDownlink marks a session whose release the AMF relays (e.mu held).
func (n *NF) noteSMDownlink(e *ueEntry, psi uint8, n1 []byte, n2Type string) {
	s := e.session(psi)
	if s == nil {
		return
	}
	mt, _ := gsmType(n1)
	if mt == nasx.MsgPDUSessionReleaseCommand || mt == nasx.MsgPDUSessionEstablishmentReject ||
		n2Type == string(models.N2SmInfoType_PDU_RES_REL_CMD) {
		s.releasing = true
	}
}

// n2SM relays the gNB's PDU session answers (TS 38.413 §8.2.1.2, §8.2.1.3,
// §8.2.2.2, §8.3.1.2) to the SMF (e.mu held).
func (n *NF) n2SM(ctx context.Context, e *ueEntry, msg ngapx.Msg) {
	switch m := msg.(type) {
	case *ngapx.PDUSessionResourceSetupResponse:
		n.n2Setup(ctx, e, m.Setup, m.Failed)
	case *ngapx.InitialContextSetupResponse:
		n.n2Setup(ctx, e, m.PDUSessions, m.Failed)
	case *ngapx.PDUSessionResourceReleaseResponse:
		for _, it := range m.PDUSessions {
			s := e.session(it.ID)
			if s == nil {
				n.unknownPSI(e, NoteN2Release, it.ID)
				continue
			}
			n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN2, Name: NoteN2Release, SUPI: e.supi, Detail: fmt.Sprintf("psi=%d ok", it.ID)})
			r := n.updateSM(ctx, e, s, models.SmfPduSessionSmContextUpdateData{N2SmInfo: &models.RefToBinaryData{ContentId: cidN2},
				N2SmInfoType: models.N2SmInfoType_PDU_RES_REL_RSP}, string(models.N2SmInfoType_PDU_RES_REL_RSP),
				binaryPart{cid: cidN2, ctype: ContentNGAP, data: it.Transfer})
			_ = n.applyUpdate(e, it.ID, r)
		}
	}
}

func (n *NF) unknownPSI(e *ueEntry, proc string, psi uint8) {
	n.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN2, Name: proc, SUPI: e.supi, Cause: DropUnknownSession,
		Detail: fmt.Sprintf("psi=%d: no PDU session", psi)})
}

func (n *NF) n2Setup(ctx context.Context, e *ueEntry, ok, failed []ngapx.PDUSessionItem) {
	for _, it := range ok {
		s := e.session(it.ID)
		if s == nil {
			n.unknownPSI(e, NoteN2Setup, it.ID)
			continue
		}
		n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN2, Name: NoteN2Setup, SUPI: e.supi, Detail: fmt.Sprintf("psi=%d ok", it.ID)})
		r := n.updateSM(ctx, e, s, models.SmfPduSessionSmContextUpdateData{N2SmInfo: &models.RefToBinaryData{ContentId: cidN2},
			N2SmInfoType: models.N2SmInfoType_PDU_RES_SETUP_RSP}, string(models.N2SmInfoType_PDU_RES_SETUP_RSP),
			binaryPart{cid: cidN2, ctype: ContentNGAP, data: it.Transfer})
		held := s.held
		s.held = nil
		_ = n.applyUpdate(e, it.ID, r)
		switch {
		case held == nil:
		case r.status >= 200 && r.status < 300 && r.n1 == nil:
			// The user plane is active: the accept goes now
			// (Config.DeferSessionAccept).
			n.deliverSM(e, it.ID, held, nil, "", nil)
		default:
			n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN1, Name: NoteSessionGone, SUPI: e.supi,
				Detail: fmt.Sprintf("psi=%d PDU SESSION ESTABLISHMENT ACCEPT withheld: the user plane was not activated (%d)", it.ID, r.status)})
		}
	}
	for _, it := range failed {
		s := e.session(it.ID)
		if s == nil {
			n.unknownPSI(e, NoteN2Setup, it.ID)
			continue
		}
		s.held = nil // the SMF answers with a reject
		cause := ""
		if t, err := ngapx.ParsePDUSessionSetupUnsuccessfulTransfer(it.Transfer); err == nil {
			cause = t.Cause.String()
		}
		n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN2, Name: NoteN2Setup, SUPI: e.supi, Cause: cause,
			Detail: fmt.Sprintf("psi=%d failed", it.ID)})
		r := n.updateSM(ctx, e, s, models.SmfPduSessionSmContextUpdateData{N2SmInfo: &models.RefToBinaryData{ContentId: cidN2},
			N2SmInfoType: models.N2SmInfoType_PDU_RES_SETUP_FAIL}, string(models.N2SmInfoType_PDU_RES_SETUP_FAIL),
			binaryPart{cid: cidN2, ctype: ContentNGAP, data: it.Transfer})
		_ = n.applyUpdate(e, it.ID, r)
	}
}

// releaseAll is Nsmf_PDUSession_ReleaseSMContext for every session of e
// (TS 29.502 §5.2.2.4; TS 23.502 §4.2.2.3.2 step 2, §4.2.2.3.3 step 2).
func (n *NF) releaseAll(ctx context.Context, e *ueEntry, reason string) {
	if len(e.sm) == 0 {
		return
	}
	all := append([]smSession(nil), e.sm...)
	for _, s := range all {
		n.releaseOne(ctx, e, s, reason)
	}
	n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceSBI, Name: NoteSessionsReleased, SUPI: e.supi,
		Detail: fmt.Sprintf("%s: %d released", reason, len(all))})
}

// releaseOne releases s at its SMF and forgets it. The SMF answers 204
// once the UPF deleted the session; 404 means it is gone already.
func (n *NF) releaseOne(ctx context.Context, e *ueEntry, s smSession, reason string) {
	e.forget(s.psi)
	r := n.smfCall(ctx, e.supi, OpSMFRelease, fmt.Sprintf("psi=%d %s", s.psi, reason),
		s.root+smfPrefix+"/sm-contexts/"+url.PathEscape(s.ref)+"/release",
		models.SmfPduSessionSmContextReleaseData{Cause: releaseCauseDereg})
	if r.status != http.StatusNoContent && r.status != http.StatusOK && r.status != http.StatusNotFound {
		n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceSBI, Name: NoteSessionGone, SUPI: e.supi,
			Detail: fmt.Sprintf("psi=%d forgotten although the release failed: %d %v", s.psi, r.status, r.err)})
	}
}

// smfReply is what the AMF uses of an Nsmf_PDUSession answer.
type smfReply struct {
	status   int // 0: no answer (err says why)
	err      error
	cause    string
	location string
	n1, n2   []byte
	n2Type   string
}

// smJSON is the union of the JSON parts the AMF reads: SmContextCreatedData,
// SmContextUpdatedData, SmContextCreateError, SmContextUpdateError and
// ProblemDetails.
type smJSON struct {
	N1SmMsg      *models.RefToBinaryData `json:"n1SmMsg"`
	N2SmInfo     *models.RefToBinaryData `json:"n2SmInfo"`
	N2SmInfoType string                  `json:"n2SmInfoType"`
	Error        *struct {
		Cause string `json:"cause"`
	} `json:"error"`
	Cause string `json:"cause"`
}

// smfCall POSTs v (and the binary parts) to uri and decodes the answer,
// tracing the request and the response.
func (n *NF) smfCall(ctx context.Context, supi, op, detail, uri string, v any, parts ...binaryPart) (r smfReply) {
	n.emit(trace.Event{Kind: trace.KindRequest, Iface: trace.IfaceSBI, Peer: peerSMF, Name: op, SUPI: supi, Detail: detail})
	defer func() {
		ev := trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Peer: peerSMF, Name: op, SUPI: supi, Status: r.status, Cause: r.cause}
		switch {
		case r.err != nil:
			ev.Detail = r.err.Error()
		case r.n1 != nil && r.n2 != nil:
			ev.Detail = "n1 + " + r.n2Type
		case r.n1 != nil:
			ev.Detail = "n1"
		case r.n2 != nil:
			ev.Detail = r.n2Type
		}
		n.emit(ev)
	}()
	ct, body, err := encodeBody(v, parts...)
	if err != nil {
		return smfReply{err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, bytes.NewReader(body))
	if err != nil {
		return smfReply{err: err}
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", sbi.ContentJSON+", "+ContentMultipart+", "+sbi.ContentProblem)
	req.Header.Set("User-Agent", "AMF-"+n.cfg.InstanceID)
	rsp, err := n.client.Do(req)
	if err != nil {
		return smfReply{err: err}
	}
	raw, err := io.ReadAll(io.LimitReader(rsp.Body, sbi.MaxBody+1))
	_ = rsp.Body.Close()
	r = smfReply{status: rsp.StatusCode, location: rsp.Header.Get("Location")}
	if err != nil || len(raw) > sbi.MaxBody {
		r.err = fmt.Errorf("%w: body unreadable or too large", ErrBody)
		return r
	}
	if len(raw) == 0 {
		return r
	}
	b, err := decodeBody(rsp.Header.Get("Content-Type"), raw)
	if err != nil {
		r.err = err
		return r
	}
	var j smJSON
	if err := json.Unmarshal(b.json, &j); err != nil {
		r.err = fmt.Errorf("%w: JSON part: %v", ErrBody, err)
		return r
	}
	r.cause = j.Cause
	if j.Error != nil {
		r.cause = j.Error.Cause
	}
	if rsp.StatusCode < 300 {
		r.cause = ""
	}
	if j.N1SmMsg != nil {
		r.n1, _ = b.part(j.N1SmMsg.ContentId)
	}
	if j.N2SmInfo != nil {
		if r.n2, _ = b.part(j.N2SmInfo.ContentId); r.n2 != nil {
			r.n2Type = j.N2SmInfoType
		}
	}
	return r
}

// handleSMStatus is the SMF's Nsmf_PDUSession_SMContextStatusNotify at the
// smContextStatusUri (TS 29.502 §5.2.2.5): 204; RELEASED ends the AMF's
// PDU session once its release went through.
func (n *NF) handleSMStatus(w http.ResponseWriter, r *http.Request) {
	supi, psiText := r.PathValue("supi"), r.PathValue("psi")
	n.emit(trace.Event{Kind: trace.KindRequest, Iface: trace.IfaceSBI, Peer: peerSMF, Name: OpSMStatusNotify, SUPI: supi, Detail: "psi=" + psiText})
	respond := func(pd *models.ProblemDetails) {
		if pd != nil {
			n.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Peer: peerSMF, Name: OpSMStatusNotify, SUPI: supi,
				Status: int(pd.Status), Cause: pd.Cause})
			sbi.WriteProblem(w, pd)
			return
		}
		n.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Peer: peerSMF, Name: OpSMStatusNotify, SUPI: supi,
			Status: http.StatusNoContent})
		sbi.WriteNoContent(w)
	}
	psi, err := strconv.ParseUint(psiText, 10, 8)
	if err != nil || psi < 1 || psi > 15 {
		respond(sbi.Problem(http.StatusNotFound, sbi.CauseContextNotFound, "no PDU session "+psiText))
		return
	}
	var sn models.SmfPduSessionSmContextStatusNotification
	if pd := sbi.DecodeJSON(r, &sn); pd != nil {
		respond(pd)
		return
	}
	if sn.StatusInfo == nil || sn.StatusInfo.ResourceStatus == "" {
		respond(sbi.Problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "statusInfo.resourceStatus is required"))
		return
	}
	id, ok := n.ues.bySUPI.load(supi)
	if !ok {
		respond(sbi.Problem(http.StatusNotFound, sbi.CauseContextNotFound, "no UE context for "+supi))
		return
	}
	if sn.StatusInfo.ResourceStatus == models.ResourceStatus_RELEASED {
		n.postAsync(id, func() { n.smReleased(id, supi, uint8(psi)) })
	}
	respond(nil)
}

// smReleased forgets PDU session psi after the SMF's RELEASED notification.
func (n *NF) smReleased(id uint64, supi string, psi uint8) {
	e, ok := n.ues.byID.load(id)
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gone || e.supi != supi {
		return
	}
	s := e.session(psi)
	switch {
	case s == nil:
	case !s.releasing:
		n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceSBI, Name: NoteSessionGone, SUPI: supi,
			Detail: fmt.Sprintf("psi=%d RELEASED notification ignored: the session's release was not seen (a late one for an earlier session?)", psi)})
	default:
		e.forget(psi)
		n.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceSBI, Name: NoteSessionGone, SUPI: supi,
			Detail: fmt.Sprintf("psi=%d released by the SMF", psi)})
	}
}
