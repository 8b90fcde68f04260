package smf

import (
	"context"
	"fmt"
	"net/http"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/nf/smf/gsm"
)

// Application error causes the SBI layer uses besides gsm's.
const (
	CauseMandatoryIEMissing = "MANDATORY_IE_MISSING"
)

// Result is the outcome of one Nsmf_PDUSession operation: the machine's
// reply (or a ProblemDetails for a request that never reached it), the
// SM context concerned and the work to run after answering.
type Result struct {
	Reply   gsm.Reply
	Problem *models.ProblemDetails
	Ref     string
	SUPI    string
	PSI     uint8
	SNSSAI  *models.Snssai
	// Then runs the work left after the answer (nil when none); the HTTP
	// layer calls it after writing the response.
	Then func()
}

func bad(status int, cause, format string, a ...any) Result {
	return Result{Problem: sbi.Problem(status, cause, fmt.Sprintf(format, a...))}
}

// CreateSMContext is Nsmf_PDUSession_CreateSMContext (TS 29.502
// §5.2.2.2.1; TS 23.502 §4.3.2.2.1 steps 3-5): n1 is the PDU SESSION
// ESTABLISHMENT REQUEST the JSON's n1SmMsg refers to. A create for a
// (SUPI, PDU session id) that already has an SM context releases the old
// one first (its PFCP session is deleted).
func (s *SMF) CreateSMContext(ctx context.Context, d *models.SmfPduSessionSmContextCreateData, n1 []byte) Result {
	if s.closed.Load() {
		return bad(http.StatusServiceUnavailable, sbi.CauseSystemFailure, "SMF closed")
	}
	switch {
	case d == nil:
		return bad(http.StatusBadRequest, CauseMandatoryIEMissing, "no SmContextCreateData")
	case d.Supi == "":
		return bad(http.StatusBadRequest, CauseMandatoryIEMissing, "supi is required (unauthenticated or PEI-only sessions are not supported)")
	case d.PduSessionId < 0 || d.PduSessionId > 255:
		return bad(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "pduSessionId %d out of range", d.PduSessionId)
	case d.ServingNfId == "":
		return bad(http.StatusBadRequest, CauseMandatoryIEMissing, "servingNfId is required")
	case d.AnType != models.AccessType__3_GPP_ACCESS:
		return bad(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "anType %q: only 3GPP_ACCESS is supported", d.AnType)
	case d.SmContextStatusUri == "":
		return bad(http.StatusBadRequest, CauseMandatoryIEMissing, "smContextStatusUri is required")
	case d.SNssai == nil:
		return bad(http.StatusBadRequest, CauseMandatoryIEMissing, "sNssai is required")
	case d.N1SmMsg == nil || n1 == nil:
		return bad(http.StatusBadRequest, CauseMandatoryIEMissing, "n1SmMsg and its binary part are required")
	}
	if _, err := ident.ParseSUPI(d.Supi); err != nil {
		return bad(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "supi: %v", err)
	}
	sn, ok := fromModelSnssai(d.SNssai)
	if !ok {
		return bad(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "sNssai {sst %d, sd %q} is malformed", d.SNssai.Sst, d.SNssai.Sd)
	}
	psi := uint8(d.PduSessionId)
	sc := &smContext{supi: d.Supi, statusURI: d.SmContextStatusUri, servingNF: d.ServingNfId}
	sc.amfRoot = apiRootOf(d.SmContextStatusUri)
	if sc.amfRoot == "" {
		if root, err := s.amfAPIRoot(ctx, ""); err == nil {
			sc.amfRoot = root
		}
	}
	sc.c.PDUSessionID = psi
	for {
		sc.ref = s.newRef()
		if s.st.add(sc) {
			break
		}
	}
	if old := s.st.bindUE(sc); old != nil {
		// TS 23.502 §4.3.2.2.1 step 3: a new session with an existing PDU
		// session id replaces the old one.
		s.handleNow(ctx, old, gsm.ReleaseContext{})
	}
	ev := gsm.NewEstablishmentRequest(psi, d.Dnn, sn, s.pool(d.Dnn) != nil, s.servesSNSSAI(sn), n1)
	rep, then := s.handle(ctx, sc, ev)
	res := Result{Ref: sc.refString(), SUPI: sc.supi, PSI: psi, SNSSAI: d.SNssai, Then: then}
	if rep == nil {
		res.Problem = sbi.Problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "no reply")
		return res
	}
	res.Reply = *rep
	return res
}

// lookup finds the SM context of an smContextRef.
func (s *SMF) lookup(ref string) (*smContext, *models.ProblemDetails) {
	r, ok := parseRef(ref)
	if !ok {
		return nil, sbi.Problem(http.StatusNotFound, gsm.CauseContextNotFound, "no SM context "+ref)
	}
	sc := s.st.get(r)
	if sc == nil {
		return nil, sbi.Problem(http.StatusNotFound, gsm.CauseContextNotFound, "no SM context "+ref)
	}
	return sc, nil
}

// UpdateSMContext is Nsmf_PDUSession_UpdateSMContext (TS 29.502
// §5.2.2.3): N2 SM information (PDU_RES_SETUP_RSP, PDU_RES_SETUP_FAIL,
// PDU_RES_REL_RSP), an N1 SM message from the UE (RELEASE REQUEST, RELEASE
// COMPLETE, 5GSM STATUS), release=true, or an upCnxState change
// (DEACTIVATED, ACTIVATING). Several of them in one request are applied in
// that order; the first error ends the request.
func (s *SMF) UpdateSMContext(ctx context.Context, ref string, d *models.SmfPduSessionSmContextUpdateData, n1, n2 []byte) Result {
	sc, pd := s.lookup(ref)
	if pd != nil {
		return Result{Problem: pd, Ref: ref}
	}
	if d == nil {
		return Result{Problem: sbi.Problem(http.StatusBadRequest, CauseMandatoryIEMissing, "no SmContextUpdateData"), Ref: ref}
	}
	var evs []gsm.Event
	if d.N2SmInfo != nil || d.N2SmInfoType != "" {
		ev, pd := n2Event(d.N2SmInfoType, n2)
		if pd != nil {
			return Result{Problem: pd, Ref: ref, SUPI: sc.supi}
		}
		evs = append(evs, ev)
	}
	if d.N1SmMsg != nil {
		if n1 == nil {
			return Result{Problem: sbi.Problem(http.StatusBadRequest, CauseMandatoryIEMissing, "n1SmMsg refers to no binary part"), Ref: ref, SUPI: sc.supi}
		}
		evs = append(evs, gsm.ClassifyN1(n1))
	}
	if d.Release {
		evs = append(evs, gsm.NetworkRelease{}) // 5GSM #36 regular deactivation
	}
	switch d.UpCnxState {
	case models.UpCnxState_DEACTIVATED:
		evs = append(evs, gsm.UPDeactivate{})
	case models.UpCnxState_ACTIVATING:
		evs = append(evs, gsm.UPActivate{})
	case "", models.UpCnxState_ACTIVATED:
	default:
		return Result{Problem: sbi.Problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "upCnxState "+string(d.UpCnxState)), Ref: ref, SUPI: sc.supi}
	}
	res := Result{Ref: ref, SUPI: sc.supi, Reply: gsm.Reply{Status: http.StatusNoContent}}
	var thens []func()
	for i, ev := range evs {
		rep, then := s.handle(ctx, sc, ev)
		if then != nil {
			if i < len(evs)-1 {
				then()
			} else {
				thens = append(thens, then)
			}
		}
		if rep == nil {
			continue
		}
		if rep.Status >= 400 {
			res.Reply = *rep
			break
		}
		if rep.Status != http.StatusNoContent || res.Reply.Status == http.StatusNoContent {
			res.Reply = *rep
		}
	}
	if len(thens) > 0 {
		res.Then = thens[0]
	}
	return res
}

// n2Event decodes the N2 SM information of an update.
func n2Event(t models.N2SmInfoType, b []byte) (gsm.Event, *models.ProblemDetails) {
	if b == nil {
		return nil, sbi.Problem(http.StatusBadRequest, CauseMandatoryIEMissing, "n2SmInfo refers to no binary part")
	}
	switch t {
	case models.N2SmInfoType_PDU_RES_SETUP_RSP:
		tr, err := ngapx.ParsePDUSessionSetupResponseTransfer(b)
		if err != nil {
			return nil, sbi.Problem(http.StatusBadRequest, gsm.CauseN2SMError, "PDU Session Resource Setup Response Transfer: "+err.Error())
		}
		return gsm.N2SetupResponse{Transfer: tr}, nil
	case models.N2SmInfoType_PDU_RES_SETUP_FAIL:
		tr, err := ngapx.ParsePDUSessionSetupUnsuccessfulTransfer(b)
		if err != nil {
			return nil, sbi.Problem(http.StatusBadRequest, gsm.CauseN2SMError, "PDU Session Resource Setup Unsuccessful Transfer: "+err.Error())
		}
		return gsm.N2SetupFailure{Cause: tr.Cause}, nil
	case models.N2SmInfoType_PDU_RES_REL_RSP:
		if err := ngapx.ParsePDUSessionReleaseResponseTransfer(b); err != nil {
			return nil, sbi.Problem(http.StatusBadRequest, gsm.CauseN2SMError, "PDU Session Resource Release Response Transfer: "+err.Error())
		}
		return gsm.N2ReleaseResponse{}, nil
	case "":
		return nil, sbi.Problem(http.StatusBadRequest, CauseMandatoryIEMissing, "n2SmInfoType is required with n2SmInfo")
	}
	return nil, sbi.Problem(http.StatusForbidden, gsm.CauseN2SMError, "n2SmInfoType "+string(t)+" is not supported")
}

// ReleaseSMContext is Nsmf_PDUSession_ReleaseSMContext (TS 29.502
// §5.2.2.4; TS 23.502 §4.3.4.2 for AMF-initiated release, e.g. after the
// UE was deregistered): the PFCP session is deleted before the 204, so
// the UPF drops packets on the old TEID; no N1 or N2 message follows.
func (s *SMF) ReleaseSMContext(ctx context.Context, ref string) Result {
	sc, pd := s.lookup(ref)
	if pd != nil {
		return Result{Problem: pd, Ref: ref}
	}
	rep, then := s.handle(ctx, sc, gsm.ReleaseContext{})
	res := Result{Ref: ref, SUPI: sc.supi, Then: then, Reply: gsm.Reply{Status: http.StatusNoContent}}
	if rep != nil {
		res.Reply = *rep
	}
	return res
}

// ReleaseAll releases every SM context of supi locally, as
// ReleaseSMContext does for each (for an AMF that deregistered the UE
// without calling release per session, and for scenarios). It returns the
// number released.
func (s *SMF) ReleaseAll(ctx context.Context, supi string) int {
	n := 0
	for _, sc := range s.st.ofSUPI(supi) {
		if rep := s.handleNow(ctx, sc, gsm.ReleaseContext{}); rep != nil && rep.Status < 400 {
			n++
		}
	}
	return n
}
