package sbi

// The Calls of the operations on the registration path, each as its
// generated free5gc/openapi v1.2.4 client sends it (ops_test.go compares
// the two request by request and answer by answer).

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/free5gc/openapi/models"
)

// Service prefixes below the apiRoot (TS 29.504 §6.1.1, TS 29.503 §6.1.1,
// §6.2.1, §6.4.1, TS 29.509 §6.1.1).
const (
	PrefixUDR      = "/nudr-dr/v2"
	PrefixUDMUEAU  = "/nudm-ueau/v1"
	PrefixUDMSDM   = "/nudm-sdm/v2"
	PrefixUDMUECM  = "/nudm-uecm/v1"
	PrefixAUSFUEAU = "/nausf-auth/v1"
)

// UDRQueryAuthSubsData is Nudr_DataRepository QueryAuthSubsData (GET
// .../authentication-subscription, 200 AuthenticationSubscription).
func UDRQueryAuthSubsData(ueID string) Call {
	return Call{
		Method: http.MethodGet, Path: PrefixUDR + "/subscription-data/" + ueID + "/authentication-data/authentication-subscription",
		ContentType: ContentJSON, Accept: AcceptJSON, Decoded: []int{http.StatusOK},
	}
}

// UDRModifyAuthenticationSubscription is Nudr_DataRepository
// ModifyAuthenticationSubscription (PATCH .../authentication-subscription
// with a JSON Patch, 204, 200 PatchResult, 403 ProblemDetails).
func UDRModifyAuthenticationSubscription(ueID string, items []models.PatchItem) Call {
	return Call{
		Method: http.MethodPatch, Path: PrefixUDR + "/subscription-data/" + ueID + "/authentication-data/authentication-subscription",
		ContentType: ContentJSONPatch, Accept: AcceptProblemJSON, Body: items,
		Decoded: []int{http.StatusOK}, Empty: []int{http.StatusNoContent}, Problems: []int{http.StatusForbidden},
	}
}

// UDRCreateAuthenticationStatus is Nudr_DataRepository
// CreateAuthenticationStatus (PUT .../authentication-status with an
// AuthEvent, 204; no Accept header).
func UDRCreateAuthenticationStatus(ueID string, ev *models.AuthEvent) Call {
	return Call{
		Method: http.MethodPut, Path: PrefixUDR + "/subscription-data/" + ueID + "/authentication-data/authentication-status",
		ContentType: ContentJSON, Body: ev, Empty: []int{http.StatusNoContent},
	}
}

// UDRQueryAmfContext3gpp is Nudr_DataRepository QueryAmfContext3gpp (GET
// .../context-data/amf-3gpp-access, 200 Amf3GppAccessRegistration).
func UDRQueryAmfContext3gpp(ueID string) Call {
	return Call{
		Method: http.MethodGet, Path: PrefixUDR + "/subscription-data/" + ueID + "/context-data/amf-3gpp-access",
		ContentType: ContentJSON, Accept: AcceptJSON, Decoded: []int{http.StatusOK},
	}
}

// UDRCreateAmfContext3gpp is Nudr_DataRepository CreateAmfContext3gpp (PUT
// .../context-data/amf-3gpp-access, 204, or 201 Amf3GppAccessRegistration).
func UDRCreateAmfContext3gpp(ueID string, reg *models.Amf3GppAccessRegistration) Call {
	return Call{
		Method: http.MethodPut, Path: PrefixUDR + "/subscription-data/" + ueID + "/context-data/amf-3gpp-access",
		ContentType: ContentJSON, Accept: AcceptJSON, Body: reg,
		Decoded: []int{http.StatusCreated}, Empty: []int{http.StatusNoContent},
	}
}

// UDRQueryAmData is Nudr_DataRepository QueryAmData (GET
// .../{servingPlmnId}/provisioned-data/am-data, 200
// AccessAndMobilitySubscriptionData).
func UDRQueryAmData(ueID, servingPlmnID string) Call {
	return Call{
		Method: http.MethodGet, Path: PrefixUDR + "/subscription-data/" + ueID + "/" + servingPlmnID + "/provisioned-data/am-data",
		ContentType: ContentJSON, Accept: AcceptJSON, Decoded: []int{http.StatusOK},
	}
}

// The error statuses of Nudm_UEAU whose ProblemDetails the generated
// clients decode.
var (
	generateAuthDataProblems = []int{400, 403, 404, 500, 501, 503}
	confirmAuthProblems      = []int{400, 404, 500, 503}
)

// UDMGenerateAuthData is Nudm_UEAuthentication_Get (POST
// /nudm-ueau/v1/{supiOrSuci}/security-information/generate-auth-data, 200
// UdmUeauAuthenticationInfoResult).
func UDMGenerateAuthData(supiOrSuci string, req *models.UdmUeauAuthenticationInfoRequest) Call {
	return Call{
		Method: http.MethodPost, Path: PrefixUDMUEAU + "/" + supiOrSuci + "/security-information/generate-auth-data",
		ContentType: ContentJSON, Accept: AcceptJSONProblem, Body: req,
		Decoded: []int{http.StatusOK}, Problems: generateAuthDataProblems,
	}
}

// UDMConfirmAuth is Nudm_UEAuthentication_ResultConfirmation (POST
// /nudm-ueau/v1/{supi}/auth-events, 201 AuthEvent).
func UDMConfirmAuth(supi string, ev *models.AuthEvent) Call {
	return Call{
		Method: http.MethodPost, Path: PrefixUDMUEAU + "/" + supi + "/auth-events",
		ContentType: ContentJSON, Accept: AcceptJSONProblem, Body: ev,
		Decoded: []int{http.StatusCreated}, Problems: confirmAuthProblems,
	}
}

// The AMF's calls on the registration path.

// AcceptHALJSONProblem is the Accept header of Nausf_UEAuthentication
// Authenticate.
const AcceptHALJSONProblem = "application/3gppHal+json, application/json, application/problem+json"

var (
	redirects                = []int{307, 308}
	authenticateProblems     = []int{400, 403, 404, 500, 501}
	akaConfirmationProblems  = []int{400, 500}
	uecmRegistrationProblems = []int{400, 403, 404, 500, 503}
	sdmGetProblems           = []int{400, 404, 500, 503}
)

// AUSFAuthenticate is Nausf_UEAuthentication_Authenticate (POST
// /nausf-auth/v1/ue-authentications, 201 UeAuthenticationCtx and Location).
func AUSFAuthenticate(info *models.AuthenticationInfo) Call {
	return Call{
		Method: http.MethodPost, Path: PrefixAUSFUEAU + "/ue-authentications",
		ContentType: ContentJSON, Accept: AcceptHALJSONProblem, Body: info,
		Decoded: []int{http.StatusCreated}, Redirects: redirects, Problems: authenticateProblems,
		Op: "UeAuthenticationsPost",
	}
}

// AUSF5gAkaConfirmation is the 5G AKA confirmation of
// Nausf_UEAuthentication_Authenticate (PUT
// /nausf-auth/v1/ue-authentications/{authCtxId}/5g-aka-confirmation, 200
// ConfirmationDataResponse); a nil cd sends no body.
func AUSF5gAkaConfirmation(authCtxID string, cd *models.ConfirmationData) Call {
	c := Call{
		Method: http.MethodPut, Path: PrefixAUSFUEAU + "/ue-authentications/" + authCtxID + "/5g-aka-confirmation",
		ContentType: ContentJSON, Accept: AcceptJSONProblem,
		Decoded: []int{http.StatusOK}, Redirects: redirects, Problems: akaConfirmationProblems,
		Op: "UeAuthenticationsAuthCtxId5gAkaConfirmationPut",
	}
	if cd != nil {
		c.Body = cd
	}
	return c
}

// UDMRegisterAMF3GPP is Nudm_UECM_Registration of the AMF for 3GPP access
// (PUT /nudm-uecm/v1/{ueId}/registrations/amf-3gpp-access, 201 with
// Location or 200 Amf3GppAccessRegistration, 204).
func UDMRegisterAMF3GPP(ueID string, reg *models.Amf3GppAccessRegistration) Call {
	return Call{
		Method: http.MethodPut, Path: PrefixUDMUECM + "/" + ueID + "/registrations/amf-3gpp-access",
		ContentType: ContentJSON, Accept: AcceptJSONProblem, Body: reg,
		Decoded: []int{http.StatusCreated, http.StatusOK}, Empty: []int{http.StatusNoContent}, Problems: uecmRegistrationProblems,
	}
}

// UDMGetAmData is Nudm_SDM_Get of the access and mobility subscription
// data (GET /nudm-sdm/v2/{supi}/am-data[?plmn-id=<JSON PlmnIdNid>], 200
// AccessAndMobilitySubscriptionData).
func UDMGetAmData(supi string, plmn *models.PlmnIdNid) (Call, error) {
	c := Call{
		Method: http.MethodGet, Path: PrefixUDMSDM + "/" + supi + "/am-data",
		ContentType: ContentJSON, Accept: AcceptJSONProblem,
		Decoded: []int{http.StatusOK}, Problems: sdmGetProblems,
	}
	if plmn != nil {
		b, err := json.Marshal(*plmn)
		if err != nil {
			return c, err
		}
		c.Query = url.Values{"plmn-id": {string(b)}}
	}
	return c, nil
}
