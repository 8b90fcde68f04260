package ausf

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/ausf/eapaka"
)

// EapSession is the EAP exchange of Nausf_UEAuthentication (TS 29.509
// §5.2.2.2.3, TS 33.501 §6.1.3.1 steps 6-11). It accepts the peer's
// EAP-Response/AKA'-Challenge (AT_RES and AT_MAC verified; on success
// EAP-Success with KSEAF from KAUSF = EMSK[0:32]),
// AKA'-Synchronization-Failure (re-synchronisation at the UDM and a new
// challenge), and Authentication-Reject or Client-Error (EAP-Failure).
// A packet that does not decode, or answers another EAP identifier, gets
// 400 and leaves the context as it was.
func (a *NF) EapSession(ctx context.Context, authCtxID string, s models.EapSession) (*models.EapSession, *models.ProblemDetails) {
	raw, err := base64.StdEncoding.DecodeString(s.EapPayload)
	if err != nil || len(raw) == 0 {
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "eapPayload is not a base64 EAP packet")
	}
	p, err := eapaka.Decode(raw)
	if err != nil {
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "eapPayload: %v", err)
	}
	now := a.deps.Clock.Now()
	c := a.ctxs.take(authCtxID, now)
	if c == nil {
		return nil, problem(http.StatusNotFound, sbi.CauseContextNotFound, "no authentication context %s", authCtxID)
	}
	if c.authType != models.AusfUeAuthenticationAuthType_EAP_AKA_PRIME {
		a.ctxs.restore(c)
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "context %s is not an EAP-AKA' context", authCtxID)
	}
	if p.Code != eapaka.CodeResponse || p.Identifier != c.eapID {
		// RFC 3748 §4.1: a Response whose Identifier does not match is discarded.
		a.ctxs.restore(c)
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "not the EAP-Response to the pending request")
	}
	if p.Type != eapaka.TypeAKAPrime {
		return a.eapFail(ctx, c, "peer answered with EAP type %d (Nak)", p.Type), nil
	}
	switch p.Subtype {
	case eapaka.SubtypeChallenge:
		if err := eapaka.VerifyMAC(raw, c.kaut[:]); err != nil {
			return a.eapFail(ctx, c, "AT_MAC does not verify"), nil
		}
		res, err := p.RES()
		if err != nil || len(res) != len(c.xres) || subtle.ConstantTimeCompare(res, c.xres) != 1 {
			return a.eapFail(ctx, c, "AT_RES does not match XRES"), nil
		}
		if kdfs := p.KDFs(); len(kdfs) > 0 && kdfs[0] != eapaka.KDFAKAPrime {
			return a.eapFail(ctx, c, "peer chose an unknown KDF"), nil
		}
		defer c.wipe()
		kseaf, refused, pd := a.succeed(ctx, c)
		if pd != nil {
			return nil, pd
		}
		if refused {
			return &models.EapSession{
				EapPayload: base64.StdEncoding.EncodeToString(eapaka.BuildFailure(p.Identifier)),
				AuthResult: models.AusfUeAuthenticationAuthResult_FAILURE,
			}, nil
		}
		defer clear(kseaf[:])
		return &models.EapSession{
			EapPayload: base64.StdEncoding.EncodeToString(eapaka.BuildSuccess(p.Identifier)),
			KSeaf:      hex.EncodeToString(kseaf[:]),
			AuthResult: models.AusfUeAuthenticationAuthResult_SUCCESS,
			Supi:       c.supi,
		}, nil
	case eapaka.SubtypeSyncFailure:
		auts, err := p.AUTS()
		if err != nil {
			return a.eapFail(ctx, c, "Synchronization-Failure without a valid AT_AUTS"), nil
		}
		if c.resync >= a.cfg.MaxResync {
			return a.eapFail(ctx, c, "too many re-synchronisations"), nil
		}
		return a.eapResync(ctx, c, auts)
	case eapaka.SubtypeAuthReject:
		return a.eapFail(ctx, c, "peer rejected the network (AUTN)"), nil
	case eapaka.SubtypeClientError:
		return a.eapFail(ctx, c, "peer reported a client error"), nil
	default:
		return a.eapFail(ctx, c, "unexpected EAP-AKA' subtype %d", p.Subtype), nil
	}
}

// eapFail ends the exchange with EAP-Failure and AUTHENTICATION_FAILURE
// and reports the failure to the UDM.
func (a *NF) eapFail(ctx context.Context, c *authCtx, format string, args ...any) *models.EapSession {
	defer c.wipe()
	a.emit(trace.Event{Kind: trace.KindReject, Name: OpEapSession, SUPI: c.supi, Cause: CauseAuthFailure, Detail: fmt.Sprintf(format, args...)})
	a.authEvent(ctx, c, false)
	return &models.EapSession{
		EapPayload: base64.StdEncoding.EncodeToString(eapaka.BuildFailure(c.eapID)),
		AuthResult: models.AusfUeAuthenticationAuthResult_FAILURE,
	}
}

// eapResync asks the UDM for a new vector with the peer's AUTS and the
// RAND of the challenge it refused (TS 33.501 §6.1.3.3.2), and sends a new
// challenge in the same context.
func (a *NF) eapResync(ctx context.Context, c *authCtx, auts [eapaka.AUTSLen]byte) (*models.EapSession, *models.ProblemDetails) {
	ri := &models.ResynchronizationInfo{Rand: hex.EncodeToString(c.rand[:]), Auts: hex.EncodeToString(auts[:])}
	res, pd := a.fetchAV(ctx, c.supi, c.snn, ri)
	if pd != nil {
		c.wipe()
		return nil, pd
	}
	if res.AuthType != models.UdmUeauAuthType_EAP_AKA_PRIME || res.AuthenticationVector.AvType != models.AvType_EAP_AKA_PRIME || res.Supi != c.supi {
		c.wipe()
		return nil, problem(http.StatusInternalServerError, CauseUpstreamServerError, "UDM answered the re-synchronisation with another method")
	}
	old := c.eapID
	clear(c.kaut[:])
	clear(c.kausf[:])
	payload, pd := a.loadEAP(c, res.AuthenticationVector)
	if pd != nil {
		return nil, pd
	}
	if c.eapID == old {
		c.eapID++ // a new request gets a new identifier (RFC 3748 §4.1)
		var autn [aka.AUTNLen]byte
		hexInto(autn[:], res.AuthenticationVector.Autn)
		var err error
		if payload, err = eapaka.BuildChallenge(c.eapID, c.rand, autn, c.snn, c.kaut[:]); err != nil {
			c.wipe()
			return nil, problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "building the EAP-AKA' challenge failed")
		}
	}
	c.resync++
	a.ctxs.put(c, a.deps.Clock.Now())
	a.emit(trace.Event{Kind: trace.KindState, Name: "eap-resync", SUPI: c.supi})
	return &models.EapSession{
		EapPayload: base64.StdEncoding.EncodeToString(payload),
		AuthResult: models.AusfUeAuthenticationAuthResult_ONGOING,
		Links:      map[string][]models.Link{LinkEapSession: {{Href: a.selfRoot() + PathUEAuthentications + "/" + c.id + "/eap-session"}}},
	}, nil
}
