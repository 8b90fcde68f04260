package ausf

import (
	"context"
	"encoding/hex"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/trace"
)

// PathAAnFRegister is the Naanf_AKMA_AnchorKey_Register resource (TS 29.535 §6.1).
const PathAAnFRegister = "/naanf-akma/v1/register-anchorkey"

// akmaKeyInfo is the body of Naanf_AKMA_AnchorKey_Register (TS 29.535
// AkmaKeyInfo: supi, aKId, kAkma), declared here because openapi v1.2.4
// has no AKMA models and nf/ausf does not import nf/aanf.
type akmaKeyInfo struct {
	Supi  string `json:"supi"`
	AKId  string `json:"aKId"`
	KAkma string `json:"kAkma"`
}

// registerAKMA derives K_AKMA and the A-KID from KAUSF (TS 33.535 §6.1,
// A.2, A.3) and registers them at the AAnF, when the subscription allows
// AKMA. A failure is traced and logged; the primary authentication stands
// (TS 33.535 §6.1: AKMA keys are an outcome of, not a condition for, it).
func (a *NF) registerAKMA(ctx context.Context, c *authCtx) {
	if !a.cfg.AKMA && !c.akma {
		return
	}
	fail := func(detail string, status int) {
		a.deps.Logger.Warn("AKMA anchor key registration failed", "supi", c.supi, "reason", detail)
		a.emit(trace.Event{Kind: trace.KindReject, Name: OpAKMARegister, Peer: "aanf", SUPI: c.supi, Status: status, Detail: detail})
	}
	if c.realm == "" {
		fail("no home network realm for the A-KID", 0)
		return
	}
	kakma, err := aka.KAKMA(c.kausf, c.supi)
	if err != nil {
		fail("K_AKMA derivation failed", 0)
		return
	}
	defer clear(kakma[:])
	atid, err := aka.ATID(c.kausf, c.supi)
	if err != nil {
		fail("A-TID derivation failed", 0)
		return
	}
	akid, err := aka.AKID(c.rid, atid, c.realm)
	if err != nil {
		fail("A-KID construction failed", 0)
		return
	}
	a.emit(trace.Event{Kind: trace.KindKey, Name: KeyKAKMA, SUPI: c.supi, Detail: "A-KID " + akid})
	root := a.cfg.AAnFAPIRoot
	if root == "" {
		l := a.srv.Load()
		if l == nil {
			return
		}
		root, err = l.NRF.Discover(ctx, models.NrfNfManagementNfType_AANF, models.NrfNfManagementNfType_AUSF, models.ServiceName_NAANF_AKMA)
		if err != nil {
			fail("AAnF discovery failed", 0)
			return
		}
	}
	body := akmaKeyInfo{Supi: c.supi, AKId: akid, KAkma: hex.EncodeToString(kakma[:])}
	octx, cancel := a.outbound(ctx)
	defer cancel()
	a.emit(trace.Event{Kind: trace.KindRequest, Name: OpAKMARegister, Peer: "aanf", SUPI: c.supi})
	status, err := a.postJSON(octx, root+PathAAnFRegister, body, nil)
	body.KAkma = ""
	if err != nil {
		if status == 0 {
			if l := a.srv.Load(); l != nil {
				l.NRF.Forget(models.NrfNfManagementNfType_AANF)
			}
		}
		fail("AAnF did not accept the anchor key", status)
		return
	}
	a.emit(trace.Event{Kind: trace.KindResponse, Name: OpAKMARegister, Peer: "aanf", SUPI: c.supi, Status: status})
}
