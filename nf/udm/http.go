package udm

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
)

// API roots (TS 29.503 §6.x.1).
const (
	PathUEAU = "/nudm-ueau/v1"
	PathUECM = "/nudm-uecm/v1"
	PathSDM  = "/nudm-sdm/v2"
)

// ContentMergePatch is the content type of the UECM PATCH (RFC 7396).
const ContentMergePatch = "application/merge-patch+json"

func (u *NF) routes() http.Handler {
	amf := PathUECM + "/{ueId}/registrations/amf-3gpp-access"
	return sbi.NewMux([]sbi.Route{
		{Method: "POST", Path: PathUEAU + "/{supiOrSuci}/security-information/generate-auth-data", Op: OpUEAUGet, Handle: u.httpGenerateAuthData},
		{Method: "POST", Path: PathUEAU + "/{supi}/auth-events", Op: OpUEAUResultConfirmation, Handle: u.httpAuthEvents},
		{Method: "PUT", Path: amf, Op: OpUECMRegistration, Handle: u.httpRegister},
		{Method: "GET", Path: amf, Op: OpUECMGet, Handle: u.httpGetRegistration},
		{Method: "PATCH", Path: amf, Op: OpUECMUpdate, Handle: u.httpUpdateRegistration},
		{Method: "GET", Path: PathSDM + "/{supi}/am-data", Op: OpSDMGet, Handle: u.httpAmData},
		{Method: "GET", Path: PathSDM + "/{supi}/smf-select-data", Op: OpSDMGet, Handle: u.httpSmfSelectData},
		{Method: "GET", Path: PathSDM + "/{supi}/sm-data", Op: OpSDMGet, Handle: u.httpSmData},
		{Method: "POST", Path: PathDataChange + "/{token}", Op: OpDataChangeNotify, Handle: u.httpDataChange},
	}, sbi.Traced(u.emit, pathSUPI))
}

// pathSUPI returns the SUPI named in the path, if any (never a SUCI).
func pathSUPI(r *http.Request) string {
	for _, k := range [...]string{"supi", "ueId", "supiOrSuci"} {
		if v := r.PathValue(k); strings.HasPrefix(v, "imsi-") || strings.HasPrefix(v, "nai-") {
			return v
		}
	}
	return ""
}

func (u *NF) selfRoot(r *http.Request) string {
	if root := u.APIRoot(); root != "" {
		return root
	}
	return "http://" + r.Host
}

func (u *NF) httpGenerateAuthData(r *http.Request) sbi.Reply {
	var req models.UdmUeauAuthenticationInfoRequest
	if pd := sbi.DecodeJSON(r, &req); pd != nil {
		return sbi.Fail(pd)
	}
	res, pd := u.GenerateAuthData(r.Context(), r.PathValue("supiOrSuci"), req)
	if pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusOK, Body: res, SUPI: res.Supi}
}

func (u *NF) httpAuthEvents(r *http.Request) sbi.Reply {
	var ev models.AuthEvent
	if pd := sbi.DecodeJSON(r, &ev); pd != nil {
		return sbi.Fail(pd)
	}
	out, id, pd := u.ConfirmAuth(r.Context(), r.PathValue("supi"), ev)
	if pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusCreated, Body: out,
		Location: u.selfRoot(r) + PathUEAU + "/" + r.PathValue("supi") + "/auth-events/" + id}
}

func (u *NF) httpRegister(r *http.Request) sbi.Reply {
	var reg models.Amf3GppAccessRegistration
	if pd := sbi.DecodeJSON(r, &reg); pd != nil {
		return sbi.Fail(pd)
	}
	out, created, pd := u.RegisterAMF3GPP(r.Context(), r.PathValue("ueId"), reg)
	if pd != nil {
		return sbi.Fail(pd)
	}
	if created {
		return sbi.Reply{Status: http.StatusCreated, Body: out, Location: u.selfRoot(r) + r.URL.EscapedPath()}
	}
	return sbi.Reply{Status: http.StatusOK, Body: out}
}

func (u *NF) httpGetRegistration(r *http.Request) sbi.Reply {
	reg, pd := u.GetAMF3GPP(r.Context(), r.PathValue("ueId"))
	if pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusOK, Body: reg}
}

func (u *NF) httpUpdateRegistration(r *http.Request) sbi.Reply {
	var mod models.Amf3GppAccessRegistrationModification
	if pd := sbi.DecodeJSON(r, &mod, ContentMergePatch, sbi.ContentJSON); pd != nil {
		return sbi.Fail(pd)
	}
	if pd := u.UpdateAMF3GPP(r.Context(), r.PathValue("ueId"), mod); pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusNoContent}
}

// jsonQuery decodes a JSON-valued query parameter (TS 29.500 §5.2.3.2).
func jsonQuery[T any](r *http.Request, name string) (*T, *models.ProblemDetails) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return nil, nil
	}
	v := new(T)
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return nil, problem(http.StatusBadRequest, CauseInvalidQueryParameter, "%s is not valid JSON", name)
	}
	return v, nil
}

func (u *NF) httpAmData(r *http.Request) sbi.Reply {
	plmn, pd := jsonQuery[models.PlmnId](r, "plmn-id")
	if pd != nil {
		return sbi.Fail(pd)
	}
	d, pd := u.GetAmData(r.Context(), r.PathValue("supi"), plmn)
	if pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusOK, Body: d}
}

func (u *NF) httpSmfSelectData(r *http.Request) sbi.Reply {
	plmn, pd := jsonQuery[models.PlmnId](r, "plmn-id")
	if pd != nil {
		return sbi.Fail(pd)
	}
	d, pd := u.GetSmfSelectData(r.Context(), r.PathValue("supi"), plmn)
	if pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusOK, Body: d}
}

func (u *NF) httpSmData(r *http.Request) sbi.Reply {
	plmn, pd := jsonQuery[models.PlmnId](r, "plmn-id")
	if pd != nil {
		return sbi.Fail(pd)
	}
	snssai, pd := jsonQuery[models.Snssai](r, "single-nssai")
	if pd != nil {
		return sbi.Fail(pd)
	}
	d, pd := u.GetSmData(r.Context(), r.PathValue("supi"), plmn, snssai, r.URL.Query().Get("dnn"))
	if pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusOK, Body: d}
}

func (u *NF) httpDataChange(r *http.Request) sbi.Reply {
	var n models.DataChangeNotify
	if pd := sbi.DecodeJSON(r, &n); pd != nil {
		return sbi.Fail(pd)
	}
	if pd := u.HandleDataChange(r.Context(), r.PathValue("token"), n); pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusNoContent}
}
