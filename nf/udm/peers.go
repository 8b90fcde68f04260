package udm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/free5gc/openapi"
	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/udr/DataRepository"

	"github.com/credbed/credbed/internal/sbi"
)

// Causes the UDM uses besides those of internal/sbi (TS 29.500 Table
// 5.2.7.2-1, TS 29.503 §6.x.7.3).
const (
	CauseUpstreamServerError   = "UPSTREAM_SERVER_ERROR"
	CauseMandatoryIEMissing    = "MANDATORY_IE_MISSING"
	CauseInvalidGUAMI          = "INVALID_GUAMI"
	CauseMethodNotAllowed      = "METHOD_NOT_ALLOWED"
	CauseResourceNotFound      = "RESOURCE_URI_STRUCTURE_NOT_FOUND"
	CauseServiceUnavailable    = "NF_SERVICE_UNAVAILABLE"
	CauseInvalidQueryParameter = "INVALID_QUERY_PARAM"
)

// links are what Start sets up: the served apiRoot, the outbound client and
// the NRF client.
type links struct {
	apiRoot string
	client  *http.Client
	nrf     *sbi.NRFClient
}

// udrPeer is the UDR client for one apiRoot.
type udrPeer struct {
	root string
	c    *DataRepository.APIClient
}

func problem(status int, cause, format string, a ...any) *models.ProblemDetails {
	return sbi.Problem(status, cause, fmt.Sprintf(format, a...))
}

func notStarted() *models.ProblemDetails {
	return problem(http.StatusServiceUnavailable, CauseServiceUnavailable, "UDM not started")
}

// udrClient returns the Nudr_DataRepository client, discovering the UDR at
// the NRF (cached by the NRF client for the validity period) unless
// Config.UDRAPIRoot is set.
func (u *NF) udrClient(ctx context.Context) (*udrPeer, *models.ProblemDetails) {
	l := u.links.Load()
	if l == nil {
		return nil, notStarted()
	}
	root := u.cfg.UDRAPIRoot
	if root == "" {
		var err error
		root, err = l.nrf.Discover(ctx, models.NrfNfManagementNfType_UDR, models.NrfNfManagementNfType_UDM, models.ServiceName_NUDR_DR)
		if err != nil {
			u.deps.Logger.Warn("UDR discovery failed", "err", err)
			return nil, problem(http.StatusInternalServerError, CauseUpstreamServerError, "UDR discovery failed")
		}
	}
	if p := u.udr.Load(); p != nil && p.root == root {
		return p, nil
	}
	c, err := sbi.NewUDRDataRepositoryClient(sbi.Peer{APIRoot: root, HTTP: l.client, UserAgent: "UDM-" + u.cfg.InstanceID})
	if err != nil {
		return nil, problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "UDR client: %v", err)
	}
	p := &udrPeer{root: root, c: c}
	u.udr.Store(p)
	return p, nil
}

// upstream turns an error of an openapi client call into the
// ProblemDetails to answer with: the peer's own ProblemDetails when it
// sent one (relayed as is, TS 29.500 §5.2.7.2), otherwise a 5xx. A
// transport failure also drops the cached discovery of target.
func (u *NF) upstream(err error, target models.NrfNfManagementNfType, allowed ...int) *models.ProblemDetails {
	var oe openapi.GenericOpenAPIError
	if errors.As(err, &oe) {
		var pd models.ProblemDetails
		if json.Unmarshal(oe.RawBody, &pd) == nil && (pd.Cause != "" || pd.Status != 0) {
			if pd.Status == 0 {
				pd.Status = int32(oe.ErrorStatus)
			}
			return relayable(&pd, allowed)
		}
		return problem(http.StatusInternalServerError, CauseUpstreamServerError, "%s answered %d", target, oe.ErrorStatus)
	}
	if l := u.links.Load(); l != nil && target != "" {
		l.nrf.Forget(target)
	}
	u.deps.Logger.Warn("SBI request failed", "target", target, "err", err)
	return problem(http.StatusInternalServerError, CauseUpstreamServerError, "%s not reachable", target)
}

// defaultRelayable are the error statuses the openapi v1.2.4 clients of
// the services decode; a relayed ProblemDetails with another status is
// answered as 500 with its cause kept.
var defaultRelayable = []int{400, 403, 404, 500, 501, 503}

func relayable(pd *models.ProblemDetails, allowed []int) *models.ProblemDetails {
	if len(allowed) == 0 {
		allowed = defaultRelayable
	}
	for _, s := range allowed {
		if int(pd.Status) == s {
			return pd
		}
	}
	pd.Status = http.StatusInternalServerError
	pd.Title = http.StatusText(http.StatusInternalServerError)
	return pd
}
