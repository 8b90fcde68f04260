package smf

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

// APIPrefix is the Nsmf_PDUSession prefix (TS 29.502 §6.1.1).
const APIPrefix = "/nsmf-pdusession/v1"

// CauseResourceNotFound answers unknown resources (TS 29.500 Table 5.2.7.2-1).
const CauseResourceNotFound = "RESOURCE_URI_STRUCTURE_NOT_FOUND"

func (s *SMF) routes() http.Handler {
	mux := http.NewServeMux()
	sm := APIPrefix + "/sm-contexts"
	notAllowed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sbi.WriteProblem(w, sbi.Problem(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", r.Method+" not allowed here"))
	})
	mux.HandleFunc("POST "+sm, s.httpCreate)
	mux.HandleFunc("POST "+sm+"/{ref}/modify", s.httpUpdate)
	mux.HandleFunc("POST "+sm+"/{ref}/release", s.httpRelease)
	mux.Handle(sm, notAllowed)
	mux.Handle(sm+"/{ref}/modify", notAllowed)
	mux.Handle(sm+"/{ref}/release", notAllowed)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		sbi.WriteProblem(w, sbi.Problem(http.StatusNotFound, CauseResourceNotFound, "no resource at this path"))
	})
	return mux
}

// readBody reads and decodes a request body (multipart/related or JSON).
// An empty body with no content type is allowed when optional.
func readBody(r *http.Request, optional bool) (*Body, *models.ProblemDetails) {
	b, err := io.ReadAll(io.LimitReader(r.Body, sbi.MaxBody+1))
	if err != nil {
		return nil, sbi.Problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, "body unreadable")
	}
	if len(b) > sbi.MaxBody {
		return nil, sbi.Problem(http.StatusRequestEntityTooLarge, sbi.CauseMalformedSyntax, "body too large")
	}
	ct := r.Header.Get("Content-Type")
	if optional && len(b) == 0 {
		return nil, nil
	}
	if ct == "" {
		return nil, sbi.Problem(http.StatusUnsupportedMediaType, sbi.CauseUnsupportedMedia, "no content type")
	}
	body, err := DecodeBody(ct, b)
	if err != nil {
		status := http.StatusBadRequest
		if isMediaTypeError(ct) {
			status = http.StatusUnsupportedMediaType
		}
		cause := sbi.CauseMalformedSyntax
		if status == http.StatusUnsupportedMediaType {
			cause = sbi.CauseUnsupportedMedia
		}
		return nil, sbi.Problem(status, cause, err.Error())
	}
	return body, nil
}

func isMediaTypeError(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt != ContentMultipart && mt != sbi.ContentJSON
}

func (s *SMF) httpCreate(w http.ResponseWriter, r *http.Request) {
	s.emit(trace.Event{Kind: trace.KindRequest, Iface: trace.IfaceSBI, Name: OpCreateSMContext, Detail: r.Method})
	body, pd := readBody(r, false)
	if pd != nil {
		s.writeResult(w, OpCreateSMContext, Result{Problem: pd}, nil)
		return
	}
	var d models.SmfPduSessionSmContextCreateData
	if err := decodeJSON(body, &d); err != nil {
		s.writeResult(w, OpCreateSMContext, Result{Problem: sbi.Problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, err.Error())}, nil)
		return
	}
	var n1 []byte
	if d.N1SmMsg != nil {
		n1, _ = body.Part(d.N1SmMsg.ContentId)
	}
	res := s.CreateSMContext(r.Context(), &d, n1)
	s.writeResult(w, OpCreateSMContext, res, func(h http.Header) {
		if res.Reply.Status == http.StatusCreated {
			h.Set("Location", s.location(r, res.Ref))
		}
	})
}

func (s *SMF) httpUpdate(w http.ResponseWriter, r *http.Request) {
	s.emit(trace.Event{Kind: trace.KindRequest, Iface: trace.IfaceSBI, Name: OpUpdateSMContext, Detail: r.PathValue("ref")})
	body, pd := readBody(r, false)
	if pd != nil {
		s.writeResult(w, OpUpdateSMContext, Result{Problem: pd}, nil)
		return
	}
	var d models.SmfPduSessionSmContextUpdateData
	if err := decodeJSON(body, &d); err != nil {
		s.writeResult(w, OpUpdateSMContext, Result{Problem: sbi.Problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, err.Error())}, nil)
		return
	}
	var n1, n2 []byte
	if d.N1SmMsg != nil {
		n1, _ = body.Part(d.N1SmMsg.ContentId)
	}
	if d.N2SmInfo != nil {
		n2, _ = body.Part(d.N2SmInfo.ContentId)
	}
	s.writeResult(w, OpUpdateSMContext, s.UpdateSMContext(r.Context(), r.PathValue("ref"), &d, n1, n2), nil)
}

func (s *SMF) httpRelease(w http.ResponseWriter, r *http.Request) {
	s.emit(trace.Event{Kind: trace.KindRequest, Iface: trace.IfaceSBI, Name: OpReleaseSMContext, Detail: r.PathValue("ref")})
	body, pd := readBody(r, true)
	if pd != nil {
		s.writeResult(w, OpReleaseSMContext, Result{Problem: pd}, nil)
		return
	}
	if body != nil {
		var d models.SmfPduSessionSmContextReleaseData
		if err := decodeJSON(body, &d); err != nil {
			s.writeResult(w, OpReleaseSMContext, Result{Problem: sbi.Problem(http.StatusBadRequest, sbi.CauseMalformedSyntax, err.Error())}, nil)
			return
		}
	}
	s.writeResult(w, OpReleaseSMContext, s.ReleaseSMContext(r.Context(), r.PathValue("ref")), nil)
}

func (s *SMF) location(r *http.Request, ref string) string {
	root := s.APIRoot()
	if root == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		root = scheme + "://" + r.Host
	}
	return root + APIPrefix + "/sm-contexts/" + ref
}

// writeResult encodes res for op (TS 29.502 §6.1.3.2.3.1, §6.1.3.3.4.2.2,
// §6.1.3.4.4.2.2): 201/200 as multipart/related (a JSON part, then the N1
// and N2 parts it refers to); 204 without a body; errors carrying an N1
// SM message as multipart/related SmContextCreateError /
// SmContextUpdateError; other errors as application/problem+json. Then
// runs after the response is written.
func (s *SMF) writeResult(w http.ResponseWriter, op string, res Result, header func(http.Header)) {
	defer func() {
		if res.Then != nil {
			go res.Then()
		}
	}()
	if res.Problem != nil {
		sbi.WriteProblem(w, res.Problem)
		s.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: op, SUPI: res.SUPI, Status: int(res.Problem.Status), Cause: res.Problem.Cause, Detail: res.Problem.Detail})
		return
	}
	rep := res.Reply
	var parts []encodedPart
	var n1Ref, n2Ref *models.RefToBinaryData
	var n2Type models.N2SmInfoType
	if rep.N1 != nil {
		b, err := rep.N1.Build()
		if err != nil {
			s.writeResult(w, op, Result{SUPI: res.SUPI, Problem: sbi.Problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "N1 encoding: "+err.Error())}, nil)
			return
		}
		parts = append(parts, encodedPart{ContentID: contentIDN1, ContentType: Content5GNAS, Data: b})
		n1Ref = &models.RefToBinaryData{ContentId: contentIDN1}
	}
	if rep.N2 != nil {
		b, err := rep.N2.Build()
		if err != nil {
			s.writeResult(w, op, Result{SUPI: res.SUPI, Problem: sbi.Problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "N2 encoding: "+err.Error())}, nil)
			return
		}
		parts = append(parts, encodedPart{ContentID: contentIDN2, ContentType: ContentNGAP, Data: b})
		n2Ref = &models.RefToBinaryData{ContentId: contentIDN2}
		n2Type = models.N2SmInfoType(rep.N2.Kind.String())
	}
	if header != nil {
		header(w.Header())
	}
	if rep.Status >= 400 && rep.N1 == nil {
		pd := sbi.Problem(rep.Status, rep.Cause, rep.Detail)
		sbi.WriteProblem(w, pd)
		s.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: op, SUPI: res.SUPI, Status: rep.Status, Cause: rep.Cause, Detail: rep.Detail})
		return
	}
	if rep.Status == http.StatusNoContent {
		w.WriteHeader(http.StatusNoContent)
		s.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: op, SUPI: res.SUPI, Status: rep.Status})
		return
	}
	var v any
	switch {
	case rep.Status >= 400:
		ext := &models.SmfPduSessionExtProblemDetails{Title: http.StatusText(rep.Status), Status: int32(rep.Status), Cause: rep.Cause, Detail: rep.Detail}
		if op == OpCreateSMContext {
			v = models.SmContextCreateError{Error: ext, N1SmMsg: n1Ref, N2SmInfo: n2Ref, N2SmInfoType: n2Type}
		} else {
			v = models.SmContextUpdateError{Error: ext, N1SmMsg: n1Ref, N2SmInfo: n2Ref, N2SmInfoType: n2Type, UpCnxState: models.UpCnxState(rep.UpCnxState)}
		}
	case op == OpCreateSMContext:
		v = models.SmfPduSessionSmContextCreatedData{PduSessionId: int32(res.PSI), SNssai: res.SNSSAI,
			UpCnxState: models.UpCnxState_ACTIVATING, N2SmInfo: n2Ref, N2SmInfoType: n2Type}
	default:
		v = models.SmContextUpdatedData{UpCnxState: models.UpCnxState(rep.UpCnxState), N1SmMsg: n1Ref, N2SmInfo: n2Ref, N2SmInfoType: n2Type}
	}
	ct, b, err := encodeMultipart(v, parts...)
	if err != nil {
		sbi.WriteProblem(w, sbi.Problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "response encoding failed"))
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(rep.Status)
	_, _ = w.Write(b)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	if rep.N1 != nil {
		s.traceN1Out(res.SUPI, rep.N1, "in "+op+" response")
	}
	if rep.N2 != nil {
		s.emit(trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN2, Name: rep.N2.Kind.String(), SUPI: res.SUPI, Detail: "sent in " + op + " response"})
	}
	s.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Name: op, SUPI: res.SUPI, Status: rep.Status, Cause: rep.Cause})
}
