package amf_test

import (
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/nf/amf/internal/scripted"
)

// homeHandler serves the in-test AUSF and UDM: the SBI contract of
// libraries.md §5.1 (Nausf_UEAuthentication 5G AKA, Nudm_UECM AMF
// registration and purge, Nudm_SDM am-data) over scripted.Home. nf/udm and
// nf/ausf are written in parallel; the lead's full-stack suite in testbed/
// runs the real ones.
type homeHandler struct {
	h    *scripted.Home
	root func() string
}

func (hh *homeHandler) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /nausf-auth/v1/ue-authentications", hh.authenticate)
	mux.HandleFunc("PUT /nausf-auth/v1/ue-authentications/{id}/5g-aka-confirmation", hh.confirm)
	mux.HandleFunc("PUT /nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access", hh.register)
	mux.HandleFunc("PATCH /nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access", hh.purge)
	mux.HandleFunc("GET /nudm-sdm/v2/{supi}/am-data", hh.amData)
	return mux
}

func problem(w http.ResponseWriter, p *scripted.Problem) {
	sbi.WriteProblem(w, sbi.Problem(p.Status, p.Cause, ""))
}

func (hh *homeHandler) authenticate(w http.ResponseWriter, r *http.Request) {
	var info models.AuthenticationInfo
	if pd := sbi.DecodeJSON(r, &info); pd != nil {
		sbi.WriteProblem(w, pd)
		return
	}
	var rr, auts []byte
	if ri := info.ResynchronizationInfo; ri != nil {
		rr, _ = hex.DecodeString(ri.Rand)
		auts, _ = hex.DecodeString(ri.Auts)
	}
	av, p := hh.h.Authenticate(info.SupiOrSuci, info.ServingNetworkName, rr, auts)
	if p != nil {
		problem(w, p)
		return
	}
	loc := hh.root() + "/nausf-auth/v1/ue-authentications/" + av.CtxID
	w.Header().Set("Location", loc)
	sbi.WriteJSON(w, http.StatusCreated, models.UeAuthenticationCtx{
		AuthType: models.AusfUeAuthenticationAuthType__5_G_AKA,
		Var5gAuthData: models.Av5gAka{Rand: hex.EncodeToString(av.RAND[:]), Autn: hex.EncodeToString(av.AUTN[:]),
			HxresStar: hex.EncodeToString(av.HXRESStar[:])},
		Links:              map[string][]models.Link{"5g-aka": {{Href: loc + "/5g-aka-confirmation"}}},
		ServingNetworkName: info.ServingNetworkName,
	})
}

func (hh *homeHandler) confirm(w http.ResponseWriter, r *http.Request) {
	var cd models.ConfirmationData
	if pd := sbi.DecodeJSON(r, &cd); pd != nil {
		sbi.WriteProblem(w, pd)
		return
	}
	res, _ := hex.DecodeString(cd.ResStar)
	ok, supi, kseaf, p := hh.h.Confirm(r.PathValue("id"), res)
	if p != nil {
		problem(w, p)
		return
	}
	if !ok {
		sbi.WriteJSON(w, http.StatusOK, models.ConfirmationDataResponse{AuthResult: models.AusfUeAuthenticationAuthResult_FAILURE})
		return
	}
	sbi.WriteJSON(w, http.StatusOK, models.ConfirmationDataResponse{AuthResult: models.AusfUeAuthenticationAuthResult_SUCCESS,
		Supi: supi, Kseaf: hex.EncodeToString(kseaf[:])})
}

func (hh *homeHandler) register(w http.ResponseWriter, r *http.Request) {
	var reg models.Amf3GppAccessRegistration
	if pd := sbi.DecodeJSON(r, &reg); pd != nil {
		sbi.WriteProblem(w, pd)
		return
	}
	if reg.DeregCallbackUri == "" || reg.Guami == nil {
		sbi.WriteProblem(w, sbi.Problem(http.StatusBadRequest, "MANDATORY_IE_MISSING", ""))
		return
	}
	if p := hh.h.RegisterAMF(r.PathValue("ueId"), reg.DeregCallbackUri); p != nil {
		problem(w, p)
		return
	}
	sbi.WriteJSON(w, http.StatusCreated, reg)
}

func (hh *homeHandler) purge(w http.ResponseWriter, r *http.Request) {
	var mod models.Amf3GppAccessRegistrationModification
	if pd := sbi.DecodeJSON(r, &mod, sbi.ContentJSON, "application/merge-patch+json"); pd != nil {
		sbi.WriteProblem(w, pd)
		return
	}
	if mod.PurgeFlag {
		hh.h.DeregisterAMF(r.PathValue("ueId"))
	}
	sbi.WriteNoContent(w)
}

func (hh *homeHandler) amData(w http.ResponseWriter, r *http.Request) {
	nssai, ok := hh.h.NSSAI(r.PathValue("supi"))
	if !ok {
		sbi.WriteProblem(w, sbi.Problem(http.StatusNotFound, "USER_NOT_FOUND", ""))
		return
	}
	am := models.AccessAndMobilitySubscriptionData{Nssai: &models.Nssai{}}
	for _, s := range nssai {
		sst, sd, _ := strings.Cut(s, "-")
		x := models.Snssai{Sd: sd}
		for _, c := range sst {
			x.Sst = x.Sst*10 + int32(c-'0')
		}
		am.Nssai.DefaultSingleNssais = append(am.Nssai.DefaultSingleNssais, x)
	}
	sbi.WriteJSON(w, http.StatusOK, am)
}
