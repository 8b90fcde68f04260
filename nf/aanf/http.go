package aanf

import (
	"net/http"

	"github.com/credbed/credbed/internal/sbi"
)

// API root and resources (TS 29.535 §6.1.1).
const (
	PathRoot           = "/naanf-akma/v1"
	PathRegister       = PathRoot + "/register-anchorkey"
	PathRetrieveAppKey = PathRoot + "/retrieve-applicationkey"
	PathRemoveContext  = PathRoot + "/remove-context"
)

// routes serves the three operations (all POST); bodies (K_AKMA, K_AF)
// are never traced.
func (n *NF) routes() http.Handler {
	return sbi.NewMux([]sbi.Route{
		{Method: "POST", Path: PathRegister, Op: OpRegister, Handle: n.httpRegister},
		{Method: "POST", Path: PathRetrieveAppKey, Op: OpGetAppKey, Handle: n.httpGetAppKey},
		{Method: "POST", Path: PathRemoveContext, Op: OpRemoveContext, Handle: n.httpRemove},
	}, sbi.Traced(n.emit, nil))
}

func (n *NF) httpRegister(r *http.Request) sbi.Reply {
	var in AkmaKeyInfo
	if pd := sbi.DecodeJSON(r, &in); pd != nil {
		return sbi.Fail(pd)
	}
	out, pd := n.RegisterAnchorKey(r.Context(), in)
	in.KAkma = ""
	if pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusOK, Body: out, SUPI: out.Supi}
}

func (n *NF) httpGetAppKey(r *http.Request) sbi.Reply {
	var in AkmaAfKeyRequest
	if pd := sbi.DecodeJSON(r, &in); pd != nil {
		return sbi.Fail(pd)
	}
	out, pd := n.GetApplicationKey(r.Context(), in)
	if pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusOK, Body: out, SUPI: out.Supi}
}

func (n *NF) httpRemove(r *http.Request) sbi.Reply {
	var in CtxRemove
	if pd := sbi.DecodeJSON(r, &in); pd != nil {
		return sbi.Fail(pd)
	}
	if pd := n.RemoveContext(r.Context(), in); pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusNoContent, SUPI: in.Supi}
}
