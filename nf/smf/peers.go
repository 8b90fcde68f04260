package smf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/smf/gsm"
)

// SBI operation names in trace events.
const (
	OpCreateSMContext  = "Nsmf_PDUSession_CreateSMContext"
	OpUpdateSMContext  = "Nsmf_PDUSession_UpdateSMContext"
	OpReleaseSMContext = "Nsmf_PDUSession_ReleaseSMContext"
	OpSDMGetSmData     = "Nudm_SDM_Get"
	OpN1N2Transfer     = "Namf_Communication_N1N2MessageTransfer"
	OpStatusNotify     = "Nsmf_PDUSession_SMContextStatusNotify"
)

// Errors of outbound calls.
var (
	ErrNoUDM = errors.New("smf: no UDM (set UDMAPIRoot or an NRF)")
	ErrNoAMF = errors.New("smf: no AMF apiRoot for the UE")
)

// --- Nudm_SDM ---

// querySmData reads the subscriber's sm-data for the S-NSSAI (TS 29.503
// §5.2.2.2.5, GET {udm}/nudm-sdm/v2/{supi}/sm-data?single-nssai=) and
// checks the DNN. The UDM may answer with the array the specification
// defines or with the ExtendedSmSubsData object; both are accepted.
func (s *SMF) querySmData(ctx context.Context, supi, dnn string, sn nasx.SNSSAI) gsm.Authorization {
	if s.http == nil {
		return gsm.Authorization{Result: gsm.AuthFailure, Detail: ErrNotStarted.Error()}
	}
	root, err := s.udmRoot(ctx)
	if err != nil {
		return gsm.Authorization{Result: gsm.AuthFailure, Detail: err.Error()}
	}
	snj, _ := json.Marshal(toModelSnssai(sn))
	u := root + "/nudm-sdm/v2/" + url.PathEscape(supi) + "/sm-data?single-nssai=" + url.QueryEscape(string(snj))
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SBITimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return gsm.Authorization{Result: gsm.AuthFailure, Detail: err.Error()}
	}
	req.Header.Set("Accept", sbi.ContentJSON+", "+sbi.ContentProblem)
	req.Header.Set("User-Agent", s.userAgent)
	s.emit(trace.Event{Kind: trace.KindRequest, Iface: trace.IfaceSBI, Name: OpSDMGetSmData, SUPI: supi, Peer: "udm"})
	rsp, err := s.http.Do(req)
	if err != nil {
		s.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: OpSDMGetSmData, SUPI: supi, Peer: "udm", Detail: err.Error()})
		s.nrfForget(models.NrfNfManagementNfType_UDM)
		return gsm.Authorization{Result: gsm.AuthFailure, Detail: "UDM: " + err.Error()}
	}
	body, err := io.ReadAll(io.LimitReader(rsp.Body, sbi.MaxBody))
	_ = rsp.Body.Close()
	s.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: OpSDMGetSmData, SUPI: supi, Peer: "udm", Status: rsp.StatusCode})
	switch {
	case err != nil:
		return gsm.Authorization{Result: gsm.AuthFailure, Detail: "UDM body: " + err.Error()}
	case rsp.StatusCode == http.StatusNotFound:
		return gsm.Authorization{Result: gsm.AuthUserUnknown, Detail: "UDM: " + problemCause(body, "404")}
	case rsp.StatusCode != http.StatusOK:
		return gsm.Authorization{Result: gsm.AuthFailure, Detail: "UDM: " + problemCause(body, strconv.Itoa(rsp.StatusCode))}
	}
	data, err := decodeSmData(body)
	if err != nil {
		return gsm.Authorization{Result: gsm.AuthFailure, Detail: "UDM: " + err.Error()}
	}
	return checkSmData(data, dnn, sn)
}

// decodeSmData accepts []SessionManagementSubscriptionData (TS 29.503
// SmSubsData, array form) or {"individualSmSubsData": [...]}.
func decodeSmData(b []byte) ([]models.SessionManagementSubscriptionData, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var l []models.SessionManagementSubscriptionData
		if err := json.Unmarshal(b, &l); err != nil {
			return nil, fmt.Errorf("sm-data: %v", err)
		}
		return l, nil
	}
	var o models.SmSubsData
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("sm-data: %v", err)
	}
	return o.IndividualSmSubsData, nil
}

// checkSmData finds the S-NSSAI's DNN configuration (DNNs compare without
// case, TS 23.003 §9.1).
func checkSmData(data []models.SessionManagementSubscriptionData, dnn string, sn nasx.SNSSAI) gsm.Authorization {
	want := toModelSnssai(sn)
	found := false
	for _, d := range data {
		if d.SingleNssai == nil || d.SingleNssai.Sst != want.Sst || !strings.EqualFold(d.SingleNssai.Sd, want.Sd) {
			continue
		}
		found = true
		for name, cfg := range d.DnnConfigurations {
			if !strings.EqualFold(name, dnn) {
				continue
			}
			return gsm.Authorization{Result: gsm.AuthOK, QoS: subscribedQoS(cfg)}
		}
	}
	if !found {
		return gsm.Authorization{Result: gsm.AuthSNSSAINotSubscribed}
	}
	return gsm.Authorization{Result: gsm.AuthDNNNotSubscribed}
}

func subscribedQoS(cfg models.DnnConfiguration) gsm.QoS {
	var q gsm.QoS
	if p := cfg.Var5gQosProfile; p != nil {
		if p.Var5qi > 0 && p.Var5qi <= 255 {
			q.FiveQI = uint8(p.Var5qi)
		}
		if p.Arp != nil && p.Arp.PriorityLevel >= 1 && p.Arp.PriorityLevel <= 15 {
			q.ARPPriority = uint8(p.Arp.PriorityLevel)
		}
	}
	if a := cfg.SessionAmbr; a != nil {
		q.AMBR.UL, _ = ParseBitRate(a.Uplink)
		q.AMBR.DL, _ = ParseBitRate(a.Downlink)
	}
	return q
}

// ParseBitRate parses a TS 29.571 BitRate ("1 Gbps", "100.5 Mbps") into bit/s.
func ParseBitRate(s string) (uint64, error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return 0, fmt.Errorf("bit rate %q: no unit", s)
	}
	var mult float64
	switch unit {
	case "bps":
		mult = 1
	case "Kbps":
		mult = 1e3
	case "Mbps":
		mult = 1e6
	case "Gbps":
		mult = 1e9
	case "Tbps":
		mult = 1e12
	default:
		return 0, fmt.Errorf("bit rate %q: unit %q", s, unit)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || v*mult > 1.8e19 {
		return 0, fmt.Errorf("bit rate %q: value", s)
	}
	return uint64(v * mult), nil
}

func problemCause(body []byte, def string) string {
	var pd models.ProblemDetails
	if json.Unmarshal(body, &pd) == nil && pd.Cause != "" {
		return pd.Cause
	}
	return def
}

func (s *SMF) udmRoot(ctx context.Context) (string, error) {
	if s.cfg.UDMAPIRoot != "" {
		return s.cfg.UDMAPIRoot, nil
	}
	if s.nrf == nil {
		return "", ErrNoUDM
	}
	return s.nrf.Discover(ctx, models.NrfNfManagementNfType_UDM, models.NrfNfManagementNfType_SMF, models.ServiceName_NUDM_SDM)
}

func (s *SMF) nrfForget(t models.NrfNfManagementNfType) {
	if s.nrf != nil && ((t == models.NrfNfManagementNfType_UDM && s.cfg.UDMAPIRoot == "") || t == models.NrfNfManagementNfType_AMF) {
		s.nrf.Forget(t)
	}
}

// --- Namf_Communication ---

// amfAPIRoot picks the AMF to call: the scheme and authority of the
// create request's smContextStatusUri (the serving AMF's own callback),
// else Config.AMFAPIRoot, else an AMF with Namf_Communication found at the NRF.
func (s *SMF) amfAPIRoot(ctx context.Context, statusURI string) (string, error) {
	if root := apiRootOf(statusURI); root != "" {
		return root, nil
	}
	if s.cfg.AMFAPIRoot != "" {
		return s.cfg.AMFAPIRoot, nil
	}
	if s.nrf != nil {
		return s.nrf.Discover(ctx, models.NrfNfManagementNfType_AMF, models.NrfNfManagementNfType_SMF, models.ServiceName_NAMF_COMM)
	}
	return "", ErrNoAMF
}

// apiRootOf returns "scheme://authority" of an http(s) URI, or "".
func apiRootOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// transfer sends N1 and/or N2 SM information to the UE's AMF with
// N1N2MessageTransfer (TS 29.518 §5.2.2.3.1): POST
// {amf}/namf-comm/v1/ue-contexts/{supi}/n1-n2-messages, multipart/related
// with the N1N2MessageTransferReqData JSON part first, then the N1 part
// (Content-ID "n1SmMsg", application/vnd.3gpp.5gnas) and the N2 part
// ("n2SmInfo", application/vnd.3gpp.ngap). The body is the one the
// free5gc/openapi Namf_Communication client builds, encoded without its
// per-message reflection.
func (s *SMF) transfer(ctx context.Context, sc *smContext, psi uint8, snssai nasx.SNSSAI, n1 nasx.GSMMsg, n2 *gsm.N2Info) gsm.TransferResult {
	if s.http == nil {
		return gsm.TransferResult{Detail: ErrNotStarted.Error()}
	}
	root := sc.amfRoot
	if root == "" {
		var err error
		if root, err = s.amfAPIRoot(ctx, sc.statusURI); err != nil {
			return gsm.TransferResult{Detail: err.Error()}
		}
	}
	data := models.N1N2MessageTransferReqData{PduSessionId: int32(psi)}
	var parts []encodedPart
	if n1 != nil {
		b, err := n1.Build()
		if err != nil {
			return gsm.TransferResult{Detail: "N1: " + err.Error()}
		}
		data.N1MessageContainer = &models.N1MessageContainer{
			N1MessageClass: models.N1MessageClass_SM, N1MessageContent: &models.RefToBinaryData{ContentId: contentIDN1}}
		parts = append(parts, encodedPart{ContentID: contentIDN1, ContentType: Content5GNAS, Data: b})
	}
	if n2 != nil {
		b, err := n2.Build()
		if err != nil {
			return gsm.TransferResult{Detail: "N2: " + err.Error()}
		}
		sn := toModelSnssai(snssai)
		data.N2InfoContainer = &models.N2InfoContainer{
			N2InformationClass: models.N2InformationClass_SM,
			SmInfo: &models.N2SmInformation{PduSessionId: int32(psi), SNssai: &sn, N2InfoContent: &models.N2InfoContent{
				NgapIeType: models.AmfCommunicationNgapIeType(n2.Kind.String()),
				NgapData:   &models.RefToBinaryData{ContentId: contentIDN2}}},
		}
		parts = append(parts, encodedPart{ContentID: contentIDN2, ContentType: ContentNGAP, Data: b})
	}
	ct, body, err := encodeMultipart(data, parts...)
	if err != nil {
		return gsm.TransferResult{Detail: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SBITimeout)
	defer cancel()
	supi := sc.supi
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		root+"/namf-comm/v1/ue-contexts/"+url.PathEscape(supi)+"/n1-n2-messages", bytes.NewReader(body))
	if err != nil {
		return gsm.TransferResult{Detail: err.Error()}
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept", sbi.ContentJSON+", "+sbi.ContentProblem)
	req.Header.Set("User-Agent", s.userAgent)
	s.emit(trace.Event{Kind: trace.KindRequest, Iface: trace.IfaceSBI, Name: OpN1N2Transfer, SUPI: supi, Peer: "amf",
		Detail: transferDetail(n1, n2)})
	rsp, err := s.http.Do(req)
	if err != nil {
		s.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: OpN1N2Transfer, SUPI: supi, Peer: "amf", Detail: err.Error()})
		s.nrfForget(models.NrfNfManagementNfType_AMF)
		return gsm.TransferResult{Detail: err.Error()}
	}
	rb, _ := io.ReadAll(io.LimitReader(rsp.Body, sbi.MaxBody))
	_ = rsp.Body.Close()
	if rsp.StatusCode != http.StatusOK && rsp.StatusCode != http.StatusAccepted {
		cause := problemCause(rb, "")
		s.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: OpN1N2Transfer, SUPI: supi, Peer: "amf", Status: rsp.StatusCode, Cause: cause})
		return gsm.TransferResult{Status: rsp.StatusCode, Detail: "AMF answered " + strconv.Itoa(rsp.StatusCode) + " " + cause}
	}
	var rd models.N1N2MessageTransferRspData
	_ = json.Unmarshal(rb, &rd)
	s.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: OpN1N2Transfer, SUPI: supi, Peer: "amf",
		Status: rsp.StatusCode, Detail: string(rd.Cause)})
	if n1 != nil {
		s.traceN1Out(supi, n1, "via "+OpN1N2Transfer)
	}
	if n2 != nil {
		s.emit(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN2, Name: n2.Kind.String(), SUPI: supi, Detail: "sent via " + OpN1N2Transfer})
	}
	return gsm.TransferResult{OK: true, Status: rsp.StatusCode}
}

func transferDetail(n1 nasx.GSMMsg, n2 *gsm.N2Info) string {
	var p []string
	if n1 != nil {
		p = append(p, n1.MessageType().String())
	}
	if n2 != nil {
		p = append(p, n2.Kind.String())
	}
	return strings.Join(p, " + ")
}

// notifyReleased posts SmContextStatusNotification{RELEASED} to the AMF's
// smContextStatusUri (TS 29.502 §5.2.2.5). Failures are traced only.
func (s *SMF) notifyReleased(ctx context.Context, sc *smContext) {
	if apiRootOf(sc.statusURI) == "" || s.http == nil {
		return
	}
	b, _ := json.Marshal(models.SmfPduSessionSmContextStatusNotification{StatusInfo: &models.StatusInfo{
		ResourceStatus: models.ResourceStatus_RELEASED, AnType: models.AccessType__3_GPP_ACCESS}})
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SBITimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sc.statusURI, bytes.NewReader(b))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", sbi.ContentJSON)
	req.Header.Set("User-Agent", s.userAgent)
	s.emit(trace.Event{Kind: trace.KindRequest, Iface: trace.IfaceSBI, Name: OpStatusNotify, SUPI: sc.supi, Peer: "amf", Detail: "RELEASED"})
	rsp, err := s.http.Do(req)
	if err != nil {
		s.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: OpStatusNotify, SUPI: sc.supi, Peer: "amf", Detail: err.Error()})
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(rsp.Body, sbi.MaxBody))
	_ = rsp.Body.Close()
	s.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: OpStatusNotify, SUPI: sc.supi, Peer: "amf", Status: rsp.StatusCode})
}

// --- PFCP (N4) ---

// n4 is the SMF's PFCP side: one endpoint, one request correlator, the
// association state with the UPF, and the TEID counter used when the SMF
// allocates UL TEIDs.
type n4 struct {
	client   *pfcpx.Client
	assoc    atomic.Bool
	ftup     atomic.Bool
	nextTEID atomic.Uint32
}

func (s *SMF) handleN4(from netip.AddrPort, b []byte) {
	if c := s.n4.client; c != nil && c.Handle(from, b) {
		return
	}
	h, err := pfcpx.ParseHeader(b)
	if err == nil && h.Type == pfcpHeartbeatRequest && from == s.cfg.UPFN4Addr {
		// TS 29.244 §6.2.2: answer the UPF's heartbeat.
		if r, err := pfcpx.BuildHeartbeatResponse(h.Seq, s.recovery); err == nil {
			_ = s.n4ep.Send(s.ctx, from, r)
		}
		return
	}
	s.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN4, Peer: from.String(), Name: "PFCP", Cause: "unexpected"})
}

const pfcpHeartbeatRequest = 1

func (s *SMF) pfcpDo(ctx context.Context, name string, supi string, build func(seq uint32) ([]byte, error)) (*pfcpx.Response, error) {
	if s.n4.client == nil {
		return nil, ErrNotStarted
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.PFCPTimeout)
	defer cancel()
	s.emit(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN4, Peer: s.cfg.UPFN4Addr.String(), SUPI: supi, Name: name + " Request", Detail: "sent"})
	r, err := s.n4.client.Do(ctx, s.cfg.UPFN4Addr, build)
	if err != nil {
		s.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN4, Peer: s.cfg.UPFN4Addr.String(), SUPI: supi, Name: name + " Response", Cause: "no response", Detail: err.Error()})
		return nil, err
	}
	e := trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN4, Peer: s.cfg.UPFN4Addr.String(), SUPI: supi, Name: name + " Response", Detail: "received"}
	if r.Cause != 0 && !r.Cause.Accepted() {
		e.Kind, e.Cause = trace.KindReject, r.Cause.TraceCause()
	}
	s.emit(e)
	return r, nil
}

// associate sets up the PFCP association with the UPF (TS 29.244 §6.2.6).
func (s *SMF) associate(ctx context.Context) error {
	r, err := s.pfcpDo(ctx, "PFCP Association Setup", "", func(seq uint32) ([]byte, error) {
		return pfcpx.BuildAssociationSetupRequest(seq, s.cfg.NodeID, s.recovery)
	})
	if err != nil {
		return fmt.Errorf("smf: PFCP association with %v: %w", s.cfg.UPFN4Addr, err)
	}
	if !r.Cause.Accepted() {
		return fmt.Errorf("smf: PFCP association with %v rejected: %v", s.cfg.UPFN4Addr, r.Cause)
	}
	s.n4.ftup.Store(r.UPFeatures&pfcpx.UPFeatureFTUP != 0)
	s.n4.assoc.Store(true)
	s.emit(trace.Event{Kind: trace.KindState, Iface: trace.IfaceN4, Name: "PFCP associated", Peer: s.cfg.UPFN4Addr.String(),
		Detail: fmt.Sprintf("node %s FTUP=%v", r.NodeID, r.UPFeatures&pfcpx.UPFeatureFTUP != 0)})
	return nil
}

func (s *SMF) associated() (assoc, ftup bool) {
	return s.n4.assoc.Load(), s.n4.ftup.Load()
}

func (s *SMF) allocTEID() uint32 {
	for {
		if t := s.n4.nextTEID.Add(1); t != 0 {
			return t
		}
	}
}

// establish performs a PFCP Session Establishment for sc (TS 29.244
// §7.5.2; TS 23.502 §4.3.2.2.1 step 10a). It re-associates once when the
// UPF says there is no association.
func (s *SMF) establish(ctx context.Context, sc *smContext, a gsm.EstablishPFCP) gsm.PFCPEstablished {
	assoc, ftup := s.associated()
	if !assoc {
		if err := s.associate(ctx); err != nil {
			return gsm.PFCPEstablished{Detail: err.Error()}
		}
		assoc, ftup = s.associated()
	}
	sess := pfcpx.PDUSession{
		NodeID: s.cfg.NodeID, CPSEID: sc.ref, CPAddr: s.cfg.N4Addr.Addr().Unmap(),
		UEIP: a.UEAddr, QFI: a.QFI, NetworkInstance: a.DNN,
		MBR: &pfcpx.MBR{UL: (a.AMBR.UL + 999) / 1000, DL: (a.AMBR.DL + 999) / 1000},
	}
	if s.cfg.SMFAllocatesTEID || !ftup {
		sess.ULTEID, sess.UPFN3Addr = s.allocTEID(), s.cfg.UPFN3Addr.Unmap()
	}
	est := sess.Establishment()
	for attempt := 0; ; attempt++ {
		r, err := s.pfcpDo(ctx, "PFCP Session Establishment", sc.supi, func(seq uint32) ([]byte, error) {
			return pfcpx.BuildSessionEstablishmentRequest(seq, est)
		})
		if err != nil {
			return gsm.PFCPEstablished{Detail: err.Error()}
		}
		if r.Cause == pfcpx.CauseNoEstablishedPFCPAssociation && attempt == 0 {
			s.n4.assoc.Store(false)
			if err := s.associate(ctx); err != nil {
				return gsm.PFCPEstablished{Cause: r.Cause, Detail: err.Error()}
			}
			continue
		}
		if !r.Cause.Accepted() {
			return gsm.PFCPEstablished{Cause: r.Cause, Detail: r.Cause.String()}
		}
		out := gsm.PFCPEstablished{OK: true, Cause: r.Cause, UPSEID: r.UPSEID}
		out.ULTunnel.Addr, out.ULTunnel.TEID = sess.UPFN3Addr, sess.ULTEID
		if sess.ULTEID == 0 {
			f, ok := r.CreatedFTEID(pfcpx.PDRUplink)
			if !ok || f.TEID == 0 || !f.IPv4.Is4() {
				// Delete what the UPF created: the SMF cannot use it.
				_ = s.deleteSession(ctx, sc.supi, r.UPSEID)
				return gsm.PFCPEstablished{Cause: pfcpx.CauseMandatoryIEMissing, Detail: "no UL F-TEID in the Created PDR"}
			}
			out.ULTunnel.Addr, out.ULTunnel.TEID = f.IPv4, f.TEID
		}
		return out
	}
}

func (s *SMF) modify(ctx context.Context, sc *smContext, a gsm.ModifyPFCP) gsm.PFCPModified {
	r, err := s.pfcpDo(ctx, "PFCP Session Modification", sc.supi, func(seq uint32) ([]byte, error) {
		return pfcpx.BuildSessionModificationRequest(seq, a.UPSEID, a.Mod)
	})
	if err != nil {
		return gsm.PFCPModified{Detail: err.Error()}
	}
	if !r.Cause.Accepted() {
		return gsm.PFCPModified{Cause: r.Cause, Detail: r.Cause.String()}
	}
	return gsm.PFCPModified{OK: true, Cause: r.Cause}
}

func (s *SMF) deleteSession(ctx context.Context, supi string, upSEID uint64) gsm.PFCPDeleted {
	r, err := s.pfcpDo(ctx, "PFCP Session Deletion", supi, func(seq uint32) ([]byte, error) {
		return pfcpx.BuildSessionDeletionRequest(seq, upSEID)
	})
	if err != nil {
		return gsm.PFCPDeleted{Detail: err.Error()}
	}
	return gsm.PFCPDeleted{OK: r.Cause.Accepted(), Cause: r.Cause, Detail: r.Cause.String()}
}

func toModelSnssai(n nasx.SNSSAI) models.Snssai {
	s := models.Snssai{Sst: int32(n.SST)}
	if n.HasSD {
		s.Sd = fmt.Sprintf("%06x", n.SD&0xffffff)
	}
	return s
}

func fromModelSnssai(m *models.Snssai) (nasx.SNSSAI, bool) {
	if m == nil || m.Sst < 0 || m.Sst > 255 {
		return nasx.SNSSAI{}, false
	}
	n := nasx.SNSSAI{SST: uint8(m.Sst)}
	if m.Sd != "" {
		v, err := strconv.ParseUint(m.Sd, 16, 32)
		if err != nil || len(m.Sd) != 6 {
			return n, false
		}
		n.SD, n.HasSD = uint32(v), true
	}
	return n, true
}
