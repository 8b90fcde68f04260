package ausf

import (
	"net/http"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
)

func (a *NF) routes() http.Handler {
	return sbi.NewMux([]sbi.Route{
		{Method: "POST", Path: PathUEAuthentications, Op: OpAuthenticate, Handle: a.httpAuthenticate},
		{Method: "PUT", Path: PathUEAuthentications + "/{authCtxId}/5g-aka-confirmation", Op: OpConfirm5gAka, Handle: a.httpConfirm},
		{Method: "POST", Path: PathUEAuthentications + "/{authCtxId}/eap-session", Op: OpEapSession, Handle: a.httpEapSession},
	}, sbi.Traced(a.emit, nil))
}

func (a *NF) httpAuthenticate(r *http.Request) sbi.Reply {
	var info models.AuthenticationInfo
	if pd := sbi.DecodeJSON(r, &info); pd != nil {
		return sbi.Fail(pd)
	}
	out, id, pd := a.Authenticate(r.Context(), info)
	if pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusCreated, Body: out, Location: a.selfRoot() + PathUEAuthentications + "/" + id}
}

func (a *NF) httpConfirm(r *http.Request) sbi.Reply {
	var cd models.ConfirmationData
	if pd := sbi.DecodeJSON(r, &cd); pd != nil {
		return sbi.Fail(pd)
	}
	out, pd := a.Confirm5gAka(r.Context(), r.PathValue("authCtxId"), cd)
	if pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusOK, Body: out, SUPI: out.Supi}
}

func (a *NF) httpEapSession(r *http.Request) sbi.Reply {
	var s models.EapSession
	if pd := sbi.DecodeJSON(r, &s); pd != nil {
		return sbi.Fail(pd)
	}
	out, pd := a.EapSession(r.Context(), r.PathValue("authCtxId"), s)
	if pd != nil {
		return sbi.Fail(pd)
	}
	return sbi.Reply{Status: http.StatusOK, Body: out, SUPI: out.Supi}
}
