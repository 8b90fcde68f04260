package amf

import (
	"fmt"

	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/amf/gmm"
)

// exec carries out the machine's actions for e, in order; e.mu is held.
// SBI calls block this worker and their answers are handled at once (depth
// first), so the UE's events stay in order. prior is the locked context an
// initial message may take over.
func (n *NF) exec(e *ueEntry, acts []gmm.Action, prior *ueEntry) {
	defer func() {
		e.reachable.Store(!e.gone && e.u.State() == gmm.Registered && e.u.Connected() && e.u.Secured())
	}()
	for _, a := range acts {
		switch a := a.(type) {
		case gmm.Trace:
			ev := a.Event
			ev.Actor = n.cfg.Name
			if ev.SUPI == "" {
				ev.SUPI = e.supi
			}
			if ev.Iface == trace.IfaceN1 && ev.Peer == "" && ev.Kind != trace.KindState {
				ev.Peer = "ue" // never on state events: a shared Peer is no context key
			}
			n.deps.Trace.Emit(ev)
		case gmm.SendNAS:
			n.sendDLNAS(e, a.PDU)
		case gmm.SendInitialContextSetup:
			n.sendICS(e, a)
		case gmm.ReleaseN2:
			n.sendRelease(e, a.Cause)
		case gmm.AUSFAuthenticate:
			n.exec(e, n.m.Handle(&e.u, n.ausfAuthenticate(e, a)), prior)
		case gmm.AUSFConfirm:
			n.exec(e, n.m.Handle(&e.u, n.ausfConfirm(e, a)), prior)
		case gmm.UECMRegister:
			n.exec(e, n.m.Handle(&e.u, n.uecmRegister(e, a)), prior)
		case gmm.SDMGetAMData:
			n.exec(e, n.m.Handle(&e.u, n.sdmGet(e, a)), prior)
		case gmm.UECMDeregister:
			r := n.uecmDeregister(e, a)
			if !e.gone {
				n.exec(e, n.m.Handle(&e.u, r), prior)
			}
		case gmm.StartTimer:
			n.startTimer(e, a)
		case gmm.StopTimer:
			n.stopTimer(e, a.Timer)
		case gmm.AssignGUTI:
			n.ues.byTMSI.store(a.GUTI.TMSI, e.id)
			if a.HadOld && a.Old.TMSI != a.GUTI.TMSI {
				n.ues.byTMSI.deleteIf(a.Old.TMSI, is(e.id))
			}
			e.tmsi, e.hasTMSI = a.GUTI.TMSI, true
		case gmm.BindSUPI:
			n.bindSUPI(e, a.SUPI)
		case gmm.AdoptPrior:
			n.adopt(e, prior, a.Handle)
		case gmm.DeleteContext:
			n.remove(e)
		case gmm.ForwardSM:
			n.forwardSM(e, a)
		case gmm.ReleaseSessions:
			n.releaseSessions(e, a.Reason)
		default:
			n.emit(trace.Event{Kind: trace.KindNote, Name: "unknown 5GMM action", Detail: fmt.Sprintf("%T", a)})
		}
	}
}

// handle runs one event on e's 5GMM context; e.mu is taken here.
func (n *NF) handle(e *ueEntry, ev gmm.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gone {
		return
	}
	n.exec(e, n.m.Handle(&e.u, ev), nil)
}

func (n *NF) startTimer(e *ueEntry, a gmm.StartTimer) {
	if a.Timer >= gmm.NumTimers {
		return
	}
	n.stopTimer(e, a.Timer)
	id, t, gen := e.id, a.Timer, a.Gen
	e.timers[t] = n.deps.Clock.AfterFunc(a.After, func() {
		n.postAsync(id, func() { n.handle(e, gmm.TimerExpired{Timer: t, Gen: gen}) })
	})
}

func (n *NF) stopTimer(e *ueEntry, t gmm.TimerID) {
	if t >= gmm.NumTimers {
		return
	}
	if x := e.timers[t]; x != nil {
		x.Stop()
		e.timers[t] = nil
	}
}

func (n *NF) stopTimers(e *ueEntry) {
	for t := range e.timers {
		n.stopTimer(e, gmm.TimerID(t))
	}
}

// bindSUPI indexes e by its SUPI; an older context of the same SUPI is
// superseded and removed on its own worker.
func (n *NF) bindSUPI(e *ueEntry, supi string) {
	e.supi = supi
	prev, ok := n.ues.bySUPI.swap(supi, e.id)
	if !ok || prev == e.id {
		return
	}
	n.postAsync(prev, func() {
		pe, ok := n.ues.byID.load(prev)
		if !ok {
			return
		}
		pe.mu.Lock()
		defer pe.mu.Unlock()
		if pe.gone {
			return
		}
		if cur, ok := n.ues.bySUPI.load(supi); ok && cur == pe.id {
			return
		}
		n.releaseSessions(pe, "context superseded")
		// The state event's Detail starts with the old state (internal/metrics).
		n.emit(trace.Event{Kind: trace.KindState, Name: StateContextDeleted, SUPI: supi,
			Detail: fmt.Sprintf("%s %s %d", pe.u.State(), DetailSuperseded, e.id)})
		n.sendRelease(pe, ngapx.CauseRadioNetworkReleaseDueTo5GCReason)
		n.remove(pe)
	})
}

// adopt removes the prior context pe that e took over; its SUPI and 5G-TMSI
// now name e. pe.mu is held by the caller.
func (n *NF) adopt(e, pe *ueEntry, handle uint64) {
	if pe == nil || pe.id != handle || pe.gone {
		n.emit(trace.Event{Kind: trace.KindNote, Name: "prior context vanished", Detail: fmt.Sprintf("%d", handle)})
		return
	}
	n.stopTimers(pe)
	if pe.hasRAN {
		// The UE came back on a new connection: the old one is stale.
		n.sendRelease(pe, ngapx.CauseRadioNetworkReleaseDueTo5GCReason)
		n.ues.byRAN.deleteIf(pe.ranKey(), is(pe.id))
	}
	if pe.supi != "" {
		n.ues.bySUPI.replaceIf(pe.supi, e.id, is(pe.id))
		e.supi = pe.supi
	}
	if pe.hasTMSI {
		n.ues.byTMSI.replaceIf(pe.tmsi, e.id, is(pe.id))
		e.tmsi, e.hasTMSI = pe.tmsi, true
	}
	// The PDU sessions belong to the UE, not to the connection.
	e.sm, pe.sm = append(e.sm, pe.sm...), nil
	pe.gone = true
	pe.u = gmm.UE{}
	n.ues.byID.deleteIf(pe.id, func(x *ueEntry) bool { return x == pe })
	n.emit(trace.Event{Kind: trace.KindNote, Name: "context taken over", SUPI: e.supi,
		Detail: fmt.Sprintf("AMF UE NGAP ID %d -> %d", pe.id, e.id)})
}

// remove forgets e: timers, indexes, keys.
func (n *NF) remove(e *ueEntry) {
	e.gone = true
	n.stopTimers(e)
	n.ues.byID.deleteIf(e.id, func(x *ueEntry) bool { return x == e })
	if e.hasRAN {
		n.ues.byRAN.deleteIf(e.ranKey(), is(e.id))
	}
	if e.hasTMSI {
		n.ues.byTMSI.deleteIf(e.tmsi, is(e.id))
	}
	if e.supi != "" {
		n.ues.bySUPI.deleteIf(e.supi, is(e.id))
	}
	e.u = gmm.UE{}
	e.sm = nil
}
