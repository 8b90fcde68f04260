package udm

import (
	"context"
	"fmt"
	"net/http"

	"github.com/free5gc/openapi/models"
	"github.com/free5gc/openapi/udr/DataRepository"

	"github.com/credbed/credbed/internal/sbi"
)

// Causes the UDM uses besides those of internal/sbi (TS 29.500 Table
// 5.2.7.2-1, TS 29.503 §6.x.7.3).
const (
	CauseUpstreamServerError   = sbi.CauseUpstreamServerError
	CauseMandatoryIEMissing    = "MANDATORY_IE_MISSING"
	CauseInvalidGUAMI          = "INVALID_GUAMI"
	CauseMethodNotAllowed      = sbi.CauseMethodNotAllowed
	CauseResourceNotFound      = sbi.CauseResourceNotFound
	CauseServiceUnavailable    = "NF_SERVICE_UNAVAILABLE"
	CauseInvalidQueryParameter = "INVALID_QUERY_PARAM"
)

// udrPeer is the UDR client for one apiRoot.
type udrPeer = sbi.PeerClient[*DataRepository.APIClient]

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
	l := u.srv.Load()
	if l == nil {
		return nil, notStarted()
	}
	root := u.cfg.UDRAPIRoot
	if root == "" {
		var err error
		root, err = l.NRF.Discover(ctx, models.NrfNfManagementNfType_UDR, models.NrfNfManagementNfType_UDM, models.ServiceName_NUDR_DR)
		if err != nil {
			u.deps.Logger.Warn("UDR discovery failed", "err", err)
			return nil, problem(http.StatusInternalServerError, CauseUpstreamServerError, "UDR discovery failed")
		}
	}
	p, err := u.udr.Get(sbi.Peer{APIRoot: root, HTTP: l.Client, UserAgent: "UDM-" + u.cfg.InstanceID}, sbi.NewUDRDataRepositoryClient)
	if err != nil {
		return nil, problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "UDR client: %v", err)
	}
	return p, nil
}

// upstream turns an error of an openapi client call into the
// ProblemDetails to answer with (sbi.UpstreamProblem: the peer's own
// ProblemDetails when it sent one, relayed as is, TS 29.500 §5.2.7.2,
// otherwise a 5xx). A transport failure also drops the cached discovery
// of target.
func (u *NF) upstream(err error, target models.NrfNfManagementNfType, allowed ...int) *models.ProblemDetails {
	pd, unreachable := sbi.UpstreamProblem(err, target, allowed...)
	if unreachable {
		if l := u.srv.Load(); l != nil && target != "" {
			l.NRF.Forget(target)
		}
		u.deps.Logger.Warn("SBI request failed", "target", target, "err", err)
	}
	return pd
}
