package amf

import (
	"net/http"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/amf/gmm"
)

// routes is the AMF's SBI route table.
func (n *NF) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathCallback+"/{supi}/dereg-notify", n.handleDeregNotify)
	mux.HandleFunc("POST "+PathComm+"/ue-contexts/{ueContextId}/n1-n2-messages", n.handleN1N2)
	mux.HandleFunc("POST "+PathCallback+pathSMStatus+"/{supi}/{psi}", n.handleSMStatus)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		sbi.WriteProblem(w, sbi.Problem(http.StatusNotFound, "RESOURCE_URI_STRUCTURE_NOT_FOUND", r.Method+" "+r.URL.Path))
	})
	return mux
}

// handleDeregNotify is the Nudm_UECM_DeregistrationNotification callback
// (TS 29.503 §5.3.2.3.2; TS 23.502 §4.2.2.3.3): 204, then, for
// SUBSCRIPTION_WITHDRAWN, network-initiated de-registration of the UE with
// the configured cause (re-registration not required); for
// REREGISTRATION_REQUIRED, de-registration asking for re-registration.
// Other reasons are recorded only.
func (n *NF) handleDeregNotify(w http.ResponseWriter, r *http.Request) {
	supi := r.PathValue("supi")
	n.emit(trace.Event{Kind: trace.KindRequest, Iface: trace.IfaceSBI, Peer: "udm", Name: OpDeregNotification, SUPI: supi})
	respond := func(pd *models.ProblemDetails) {
		if pd != nil {
			n.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Peer: "udm", Name: OpDeregNotification, SUPI: supi,
				Status: int(pd.Status), Cause: pd.Cause})
			sbi.WriteProblem(w, pd)
			return
		}
		n.emit(trace.Event{Kind: trace.KindResponse, Iface: trace.IfaceSBI, Peer: "udm", Name: OpDeregNotification, SUPI: supi,
			Status: http.StatusNoContent})
		sbi.WriteNoContent(w)
	}
	var dd models.DeregistrationData
	if pd := sbi.DecodeJSON(r, &dd); pd != nil {
		respond(pd)
		return
	}
	if dd.DeregReason == "" {
		respond(sbi.Problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "deregReason is required"))
		return
	}
	id, ok := n.ues.bySUPI.load(supi)
	if !ok {
		respond(sbi.Problem(http.StatusNotFound, sbi.CauseContextNotFound, "no UE context for "+supi))
		return
	}
	var ev gmm.NetworkDeregister
	switch dd.DeregReason {
	case models.DeregistrationReason_SUBSCRIPTION_WITHDRAWN:
		ev = gmm.NetworkDeregister{Reason: string(dd.DeregReason)}
	case models.DeregistrationReason_REREGISTRATION_REQUIRED:
		ev = gmm.NetworkDeregister{Reason: string(dd.DeregReason), NoCause: true, ReRegistration: true}
	default:
		n.emit(trace.Event{Kind: trace.KindNote, Name: "deregistration notification ignored", SUPI: supi, Detail: string(dd.DeregReason)})
		respond(nil)
		return
	}
	n.postAsync(id, func() { n.deregisterID(id, supi, ev, nil) })
	respond(nil)
}

// deregisterID runs a network-initiated de-registration on context id if
// it still belongs to supi; done (if any) is closed afterwards.
func (n *NF) deregisterID(id uint64, supi string, ev gmm.NetworkDeregister, done chan<- error) {
	e, ok := n.ues.byID.load(id)
	if ok {
		e.mu.Lock()
		if e.gone || e.supi != supi {
			ok = false
		} else {
			n.exec(e, n.m.Handle(&e.u, ev), nil)
		}
		e.mu.Unlock()
	}
	if done != nil {
		if !ok {
			done <- ErrUnknownUE
		}
		close(done)
	}
}
