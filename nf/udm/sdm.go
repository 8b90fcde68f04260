package udm

import (
	"context"
	"net/http"

	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/udr/DataRepository"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/sbi"
)

// sdmTarget resolves the SUPI and the servingPlmnId the UDR is asked for:
// the request's plmn-id, else Config.HomePLMN, else the MCC and a 2-digit
// MNC of the IMSI.
func (u *NF) sdmTarget(supi string, plmn *models.PlmnId) (string, string, *models.ProblemDetails) {
	s, err := ident.ParseSUPI(supi)
	if err != nil {
		return "", "", problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "supi is not a valid SUPI")
	}
	switch {
	case plmn != nil:
		p, err := ident.NewPLMN(plmn.Mcc, plmn.Mnc)
		if err != nil {
			return "", "", problem(http.StatusBadRequest, CauseInvalidQueryParameter, "plmn-id is not a PLMN")
		}
		return s.String(), p.String(), nil
	case u.cfg.HomePLMN != "":
		p, _ := ident.ParsePLMN(u.cfg.HomePLMN)
		return s.String(), p.String(), nil
	case s.Type == ident.SUPITypeIMSI:
		return s.String(), s.Value[:5], nil
	}
	return "", "", problem(http.StatusBadRequest, CauseInvalidQueryParameter, "plmn-id is required for a non-IMSI SUPI")
}

// GetAmData is Nudm_SDM_Get of the access and mobility subscription data
// (TS 29.503 §5.2.2.2.3); an unknown SUPI gets 404 USER_NOT_FOUND.
func (u *NF) GetAmData(ctx context.Context, supi string, plmn *models.PlmnId) (*models.AccessAndMobilitySubscriptionData, *models.ProblemDetails) {
	ue, sp, pd := u.sdmTarget(supi, plmn)
	if pd != nil {
		return nil, pd
	}
	peer, pd := u.udrClient(ctx)
	if pd != nil {
		return nil, pd
	}
	octx, cancel := u.outbound(ctx)
	defer cancel()
	d := new(models.AccessAndMobilitySubscriptionData)
	if _, err := sbi.UDRQueryAmData(ue, sp).Do(octx, peer.Peer, d); err != nil {
		return nil, u.upstream(err, models.NrfNfManagementNfType_UDR)
	}
	return d, nil
}

// GetSmfSelectData is Nudm_SDM_Get of the SMF selection subscription data
// (TS 29.503 §5.2.2.2.5).
func (u *NF) GetSmfSelectData(ctx context.Context, supi string, plmn *models.PlmnId) (*models.SmfSelectionSubscriptionData, *models.ProblemDetails) {
	ue, sp, pd := u.sdmTarget(supi, plmn)
	if pd != nil {
		return nil, pd
	}
	peer, pd := u.udrClient(ctx)
	if pd != nil {
		return nil, pd
	}
	octx, cancel := u.outbound(ctx)
	defer cancel()
	rsp, err := peer.API.SMFSelectionSubscriptionDataDocumentApi.QuerySmfSelectData(octx, &DataRepository.QuerySmfSelectDataRequest{UeId: &ue, ServingPlmnId: &sp})
	if err != nil {
		return nil, u.upstream(err, models.NrfNfManagementNfType_UDR)
	}
	return &rsp.SmfSelectionSubscriptionData, nil
}

// GetSmData is Nudm_SDM_Get of the session management subscription data
// (TS 29.503 §5.2.2.2.6), optionally filtered by S-NSSAI and DNN, as the
// array form of SmSubsData that the openapi SDM client decodes.
func (u *NF) GetSmData(ctx context.Context, supi string, plmn *models.PlmnId, snssai *models.Snssai, dnn string) ([]models.SessionManagementSubscriptionData, *models.ProblemDetails) {
	ue, sp, pd := u.sdmTarget(supi, plmn)
	if pd != nil {
		return nil, pd
	}
	peer, pd := u.udrClient(ctx)
	if pd != nil {
		return nil, pd
	}
	octx, cancel := u.outbound(ctx)
	defer cancel()
	req := &DataRepository.QuerySmDataRequest{UeId: &ue, ServingPlmnId: &sp, SingleNssai: snssai}
	if dnn != "" {
		req.Dnn = &dnn
	}
	rsp, err := peer.API.SessionManagementSubscriptionDataApi.QuerySmData(octx, req)
	if err != nil {
		return nil, u.upstream(err, models.NrfNfManagementNfType_UDR)
	}
	out := rsp.SmSubsData.IndividualSmSubsData
	if out == nil {
		out = []models.SessionManagementSubscriptionData{}
	}
	return out, nil
}
