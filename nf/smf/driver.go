package smf

import (
	"context"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/smf/gsm"
)

// run is one step of one SM context: the machine's actions performed in
// order under the context's lock, outcomes fed back to the machine.
type run struct {
	s     *SMF
	sc    *smContext
	queue []gsm.Action
	reply *gsm.Reply
	post  []gsm.Action // performed after the lock is released
	async bool
}

// handle locks sc, applies ev and performs the resulting actions. It
// returns the reply for the request that carried ev (nil when the step
// produced none) and, when work remains after the reply (the PFCP
// establishment after 201, calls to the AMF), a continuation the caller
// runs once it has answered. Calls to the AMF happen without the lock, so
// an AMF that calls back synchronously cannot deadlock.
func (s *SMF) handle(ctx context.Context, sc *smContext, ev gsm.Event) (*gsm.Reply, func()) {
	sc.mu.Lock()
	r := &run{s: s, sc: sc}
	r.apply(ev)
	if r.drain(ctx) {
		s.inflight.Add(1)
		return r.reply, func() {
			defer s.inflight.Done()
			r.drain(s.ctx)
			r.finish(s.ctx, r.unlock())
		}
	}
	post := r.unlock()
	if len(post) == 0 {
		return r.reply, nil
	}
	s.inflight.Add(1)
	return r.reply, func() {
		defer s.inflight.Done()
		r.finish(s.ctx, post)
	}
}

// handleNow is handle with the continuation run before returning.
func (s *SMF) handleNow(ctx context.Context, sc *smContext, ev gsm.Event) *gsm.Reply {
	rep, cont := s.handle(ctx, sc, ev)
	if cont != nil {
		cont()
	}
	return rep
}

func (r *run) apply(ev gsm.Event) {
	out := r.s.m.Handle(&r.sc.c, ev)
	for _, e := range out.Trace {
		e.Actor = r.s.cfg.Name
		e.SUPI = r.sc.supi
		r.s.tr.Emit(e)
	}
	r.queue = append(r.queue, out.Actions...)
}

// drain performs the queued actions. It returns true when it stopped
// right after the first reply because blocking work remains (the caller
// answers, then calls drain again).
func (r *run) drain(ctx context.Context) bool {
	for len(r.queue) > 0 {
		a := r.queue[0]
		r.queue = r.queue[1:]
		switch a := a.(type) {
		case gsm.Reply:
			if r.reply == nil && !r.async {
				rep := a
				r.reply = &rep
				if r.blockingQueued() {
					r.async = true
					return true
				}
			} else {
				r.s.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceSBI, SUPI: r.sc.supi, Name: "reply dropped",
					Detail: "a second reply in one step"})
			}
		case gsm.QuerySubscription:
			r.apply(r.s.authorize(ctx, r.sc, a))
		case gsm.EstablishPFCP:
			r.apply(r.s.establish(ctx, r.sc, a))
		case gsm.ModifyPFCP:
			r.apply(r.s.modify(ctx, r.sc, a))
		case gsm.DeletePFCP:
			d := r.s.deleteSession(ctx, r.sc.supi, a.UPSEID)
			if !a.Orphan {
				r.apply(d)
			}
		case gsm.FreeAddress:
			if p := r.s.pool(a.DNN); p != nil {
				p.free(a.Addr)
			}
		case gsm.TransferToAMF, gsm.NotifyReleased:
			r.post = append(r.post, a)
		}
	}
	return false
}

func (r *run) blockingQueued() bool {
	for _, a := range r.queue {
		switch a.(type) {
		case gsm.QuerySubscription, gsm.EstablishPFCP, gsm.ModifyPFCP, gsm.DeletePFCP:
			return true
		}
	}
	return false
}

// postAction is an action to perform without the lock, with the context
// values it needs copied while the lock was held.
type postAction struct {
	a      gsm.Action
	psi    uint8
	snssai nasx.SNSSAI
}

// unlock forgets a released context, releases the lock and returns the
// actions left for after it.
func (r *run) unlock() []postAction {
	sc := r.sc
	post := make([]postAction, 0, len(r.post))
	for _, a := range r.post {
		post = append(post, postAction{a: a, psi: sc.c.PDUSessionID, snssai: sc.c.SNSSAI})
	}
	r.post = nil
	if !sc.c.State.Live() {
		r.s.st.remove(sc, sc.c.PDUSessionID)
	}
	sc.mu.Unlock()
	return post
}

// finish performs the calls to the AMF; a transfer's outcome is a new
// event of the context.
func (r *run) finish(ctx context.Context, post []postAction) {
	for _, p := range post {
		switch a := p.a.(type) {
		case gsm.TransferToAMF:
			res := r.s.transfer(ctx, r.sc, p.psi, p.snssai, a.N1, a.N2)
			r.s.handleNow(ctx, r.sc, res)
		case gsm.NotifyReleased:
			r.s.notifyReleased(ctx, r.sc)
		}
	}
}

// authorize performs QuerySubscription: the UDM's sm-data, then a UE
// address from the DNN's pool.
func (s *SMF) authorize(ctx context.Context, sc *smContext, q gsm.QuerySubscription) gsm.Authorization {
	if s.st.len() > s.cfg.MaxSessions {
		return gsm.Authorization{Result: gsm.AuthNoAddress, Detail: "maximum number of SM contexts reached"}
	}
	a := s.querySmData(ctx, sc.supi, q.DNN, q.SNSSAI)
	if a.Result != gsm.AuthOK {
		return a
	}
	p := s.pool(q.DNN)
	if p == nil {
		return gsm.Authorization{Result: gsm.AuthFailure, Detail: "no pool for DNN " + q.DNN}
	}
	addr, ok := p.alloc()
	if !ok {
		return gsm.Authorization{Result: gsm.AuthNoAddress, Detail: "address pool of " + q.DNN + " exhausted"}
	}
	a.UEAddr = addr
	return a
}

func (s *SMF) traceN1Out(supi string, m nasx.GSMMsg, how string) {
	e := trace.Event{Kind: trace.KindMessage, Iface: trace.IfaceN1, Name: m.MessageType().String(), SUPI: supi, Detail: "sent " + how}
	s.emit(e)
}
