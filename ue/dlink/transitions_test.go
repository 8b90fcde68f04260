package dlink_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/ue/dlink"
)

// handledOrRejected reports whether a step left a trace beyond the bare
// receipt: a drop, a rejection, a state change, a key, a note or a reply.
func handledOrRejected(out dlink.Output) bool {
	for _, e := range out.Events {
		if e.Kind != trace.KindMessage || e.Detail == "tx" {
			return true
		}
	}
	return false
}

var _ = Describe("Transition coverage", func() {
	// Reference: STYLE (every (state, event) pair is handled or explicitly rejected).
	It("handles or explicitly rejects every frame type and timeout in every responder and initiator state", func() {
		f := newFixture(GinkgoRandomSeed())
		// A foreign session supplies one frame of every type.
		l := newLink(f.initiator(), f.responder(), f.rec)
		l.run(true)
		foreign := [][]byte{mustMarshal(dlink.StatusFrame{TxID: 1, Status: dlink.StatusAuthFailure}),
			mustMarshal(dlink.PlainCredential{TxID: 1, Package: []byte{1}}), {1, 2, 3}}
		for _, c := range l.Tap {
			foreign = append(foreign, c.frame)
		}

		// Responder states: reach each by driving a fresh session k frames far.
		for k := range 4 { // Unprovisioned, AwaitConfirm, AwaitDelivery, Provisioned
			for _, fr := range foreign {
				td := f.responder()
				pd := f.initiator()
				ls := newLink(pd, td, f.rec)
				ls.hook = func(c captured) [][]byte {
					if c.dir == toTD && c.n/2 >= k {
						return nil
					}
					return [][]byte{c.frame}
				}
				ls.run(true)
				state := td.State()
				Expect(handledOrRejected(td.Receive(fr))).To(BeTrue(), "responder %s, frame %x", state, fr[:min(2, len(fr))])
				td.Timeout() // must not panic in any state
			}
		}

		// Initiator states: Idle, AwaitAuthResponse, AwaitConfigRequest, AwaitProof, Done, Failed.
		for k := range 5 {
			for _, fr := range foreign {
				pd := f.initiator()
				td := f.responder()
				ls := newLink(pd, td, f.rec)
				ls.hook = func(c captured) [][]byte {
					if c.dir == toPD && c.n/2 >= k-1 {
						return nil
					}
					return [][]byte{c.frame}
				}
				ls.run(k > 0)
				state := pd.State()
				Expect(handledOrRejected(pd.Receive(fr))).To(BeTrue(), "initiator %s, frame %x", state, fr[:min(2, len(fr))])
				pd.Timeout()
			}
		}
		failed := f.initiator()
		failed.Start()
		for range 3 {
			failed.Timeout()
		}
		Expect(failed.State()).To(Equal(dlink.StateFailed))
		for _, fr := range foreign {
			Expect(handledOrRejected(failed.Receive(fr))).To(BeTrue())
		}
	})
})
