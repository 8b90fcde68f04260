package ausf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
)

// Causes the AUSF uses besides those of internal/sbi (TS 29.500 Table
// 5.2.7.2-1, TS 29.509 §6.1.7.3).
const (
	CauseUpstreamServerError = sbi.CauseUpstreamServerError
	CauseMandatoryIEMissing  = "MANDATORY_IE_MISSING"
	CauseMethodNotAllowed    = sbi.CauseMethodNotAllowed
	CauseResourceNotFound    = sbi.CauseResourceNotFound
	CauseServiceUnavailable  = "NF_SERVICE_UNAVAILABLE"
	CauseUDMDiscoveryFailed  = "UDM_DISCOVERY_FAILED"
)

func problem(status int, cause, format string, a ...any) *models.ProblemDetails {
	return sbi.Problem(status, cause, fmt.Sprintf(format, a...))
}

func notStarted() *models.ProblemDetails {
	return problem(http.StatusServiceUnavailable, CauseServiceUnavailable, "AUSF not started")
}

// udmClient returns the Nudm_UEAuthentication client, discovering the UDM
// at the NRF (cached for the validity period) unless Config.UDMAPIRoot is set.
func (a *NF) udmClient(ctx context.Context) (*udmPeer, *models.ProblemDetails) {
	l := a.srv.Load()
	if l == nil {
		return nil, notStarted()
	}
	root := a.cfg.UDMAPIRoot
	if root == "" {
		var err error
		root, err = l.NRF.Discover(ctx, models.NrfNfManagementNfType_UDM, models.NrfNfManagementNfType_AUSF, models.ServiceName_NUDM_UEAU)
		if err != nil {
			a.deps.Logger.Warn("UDM discovery failed", "err", err)
			return nil, problem(http.StatusInternalServerError, CauseUDMDiscoveryFailed, "UDM discovery failed")
		}
	}
	p, err := a.udm.Get(sbi.Peer{APIRoot: root, HTTP: l.Client, UserAgent: "AUSF-" + a.cfg.InstanceID}, sbi.NewUDMUEAuthenticationClient)
	if err != nil {
		return nil, problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "UDM client: %v", err)
	}
	return p, nil
}

// upstream turns an error of an outbound call into the ProblemDetails to
// answer with (sbi.UpstreamProblem: the peer's own ProblemDetails relayed
// as is, as free5gc's AUSF does, otherwise a 5xx). A transport failure
// drops the cached discovery of target.
func (a *NF) upstream(err error, target models.NrfNfManagementNfType, allowed ...int) *models.ProblemDetails {
	pd, unreachable := sbi.UpstreamProblem(err, target, allowed...)
	if unreachable {
		if l := a.srv.Load(); l != nil && target != "" {
			l.NRF.Forget(target)
		}
		a.deps.Logger.Warn("SBI request failed", "target", target, "err", err)
	}
	return pd
}

// postJSON POSTs v to uri with the outbound client and decodes a 2xx JSON
// answer into out (when not nil). Errors carry no body content.
func (a *NF) postJSON(ctx context.Context, uri string, v, out any) (int, error) {
	l := a.srv.Load()
	if l == nil {
		return 0, errors.New("not started")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	defer clear(b) // it may carry a key
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", sbi.ContentJSON)
	req.Header.Set("Accept", "application/json, application/problem+json")
	req.Header.Set("User-Agent", "AUSF-"+a.cfg.InstanceID)
	rsp, err := l.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer rsp.Body.Close()
	if rsp.StatusCode/100 != 2 {
		return rsp.StatusCode, fmt.Errorf("status %d", rsp.StatusCode)
	}
	if out != nil && rsp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(http.MaxBytesReader(nil, rsp.Body, sbi.MaxBody)).Decode(out); err != nil {
			return rsp.StatusCode, fmt.Errorf("decoding the answer: %w", err)
		}
	}
	return rsp.StatusCode, nil
}
