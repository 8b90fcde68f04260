package aanf

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
)

// Trace operation and key names.
const (
	OpRegister      = "Naanf_AKMA_AnchorKey_Register"
	OpGetAppKey     = "Naanf_AKMA_ApplicationKey_Get"
	OpRemoveContext = "Naanf_AKMA_Context_Remove"
	KeyKAKMA        = "K_AKMA"
	KeyKAF          = "K_AF"
)

// Causes (TS 29.535 §6.1.7.3, TS 29.500 Table 5.2.7.2-1).
const (
	CauseMandatoryIEMissing = "MANDATORY_IE_MISSING"
	CauseAFNotAuthorized    = "AF_NOT_AUTHORIZED"
	CauseMethodNotAllowed   = sbi.CauseMethodNotAllowed
	CauseResourceNotFound   = sbi.CauseResourceNotFound
)

func problem(status int, cause, format string, a ...any) *models.ProblemDetails {
	return sbi.Problem(status, cause, fmt.Sprintf(format, a...))
}

// validAFID accepts an FQDN-like AF identifier: 1 to 255 printable
// characters without spaces or '/'.
func validAFID(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, c := range s {
		if c <= ' ' || c >= 0x7f || c == '/' {
			return false
		}
	}
	return true
}

// RegisterAnchorKey is Naanf_AKMA_AnchorKey_Register (TS 33.535 §6.1 step
// 3, TS 29.535 §5.2.2.2): the AUSF's {SUPI, A-KID, K_AKMA} replaces any
// earlier AKMA context of the SUPI.
func (n *NF) RegisterAnchorKey(ctx context.Context, in AkmaKeyInfo) (*AkmaKeyInfo, *models.ProblemDetails) {
	switch {
	case in.Supi == "":
		return nil, problem(http.StatusBadRequest, CauseMandatoryIEMissing, "supi is required")
	case in.AKId == "":
		return nil, problem(http.StatusBadRequest, CauseMandatoryIEMissing, "aKId is required")
	case in.KAkma == "":
		return nil, problem(http.StatusBadRequest, CauseMandatoryIEMissing, "kAkma is required")
	}
	supi, err := ident.ParseSUPI(in.Supi)
	if err != nil {
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "supi is not a valid SUPI")
	}
	if _, _, _, err := aka.ParseAKID(in.AKId); err != nil {
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "aKId is not an A-KID")
	}
	raw, err := hex.DecodeString(in.KAkma)
	if err != nil || len(raw) != 32 {
		clear(raw)
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "kAkma must be 64 hex digits")
	}
	c := &akmaCtx{supi: supi.String(), akid: in.AKId, registered: n.deps.Clock.Now()}
	copy(c.kakma[:], raw)
	clear(raw)
	replaced := n.store.put(c)
	n.emit(trace.Event{Kind: trace.KindKey, Name: KeyKAKMA, SUPI: c.supi, Detail: "stored for A-KID " + c.akid})
	if replaced {
		n.emit(trace.Event{Kind: trace.KindState, Name: "akma-context-replaced", SUPI: c.supi})
	}
	return &AkmaKeyInfo{Supi: c.supi, AKId: c.akid}, nil
}

// GetApplicationKey is Naanf_AKMA_ApplicationKey_Get (TS 33.535 §6.2
// steps 4-5, TS 29.535 §5.2.2.3): K_AF = KDF(K_AKMA, AF_ID) for the
// requesting AF, its expiry and the SUPI; 404 CONTEXT_NOT_FOUND for an
// unknown A-KID.
func (n *NF) GetApplicationKey(ctx context.Context, in AkmaAfKeyRequest) (*AkmaAfKeyData, *models.ProblemDetails) {
	switch {
	case in.AfID == "":
		return nil, problem(http.StatusBadRequest, CauseMandatoryIEMissing, "afId is required")
	case in.AKId == "":
		return nil, problem(http.StatusBadRequest, CauseMandatoryIEMissing, "aKId is required")
	case !validAFID(in.AfID):
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "afId is not an AF identifier")
	}
	if n.cfg.allowed != nil && !n.cfg.allowed[strings.ToLower(in.AfID)] {
		return nil, problem(http.StatusForbidden, CauseAFNotAuthorized, "AF %q may not get AKMA keys", in.AfID)
	}
	c, ok := n.store.get(in.AKId)
	if !ok {
		return nil, problem(http.StatusNotFound, sbi.CauseContextNotFound, "no AKMA context for this A-KID")
	}
	defer clear(c.kakma[:])
	afID, err := aka.AFID(in.AfID, *n.cfg.UaProtocolID)
	if err != nil {
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "afId is not usable")
	}
	kaf, err := aka.KAF(c.kakma, afID)
	if err != nil {
		return nil, problem(http.StatusInternalServerError, sbi.CauseSystemFailure, "K_AF derivation failed")
	}
	defer clear(kaf[:])
	n.emit(trace.Event{Kind: trace.KindKey, Name: KeyKAF, SUPI: c.supi, Detail: "for AF " + in.AfID})
	return &AkmaAfKeyData{
		Kaf:    hex.EncodeToString(kaf[:]),
		Expiry: n.deps.Clock.Now().Add(n.cfg.KAFLifetime).UTC(),
		Supi:   c.supi,
	}, nil
}

// RemoveContext is Naanf_AKMA_Context_Remove (TS 33.535 §6.4, TS 29.535
// §5.2.2.4); 404 CONTEXT_NOT_FOUND when the SUPI has none.
func (n *NF) RemoveContext(ctx context.Context, in CtxRemove) *models.ProblemDetails {
	if in.Supi == "" {
		return problem(http.StatusBadRequest, CauseMandatoryIEMissing, "supi is required")
	}
	supi, err := ident.ParseSUPI(in.Supi)
	if err != nil {
		return problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "supi is not a valid SUPI")
	}
	if !n.store.remove(supi.String()) {
		return problem(http.StatusNotFound, sbi.CauseContextNotFound, "no AKMA context for %s", supi)
	}
	n.emit(trace.Event{Kind: trace.KindState, Name: "akma-context-removed", SUPI: supi.String()})
	return nil
}
