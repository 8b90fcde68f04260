package testbed_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/testbed"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/gnb"
)

func TestTestbed(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "testbed")
}

// guard bounds every wait on an asynchronous step of a bed (the mem network
// delivers on goroutines, the net one on sockets); it catches hangs and is
// never a timing assertion.
const guard = 20 * time.Second

// netMode decorates the net-mode entries: beds of one process get distinct
// loopback addresses, but parallel Ginkgo processes (ginkgo -p) would bind
// the same ones, so net-mode specs run serially.
const netMode = Serial

// Subscribers of every bed: the first provisioned ones are loaded into the
// UDR, the rest exist only as USIMs (unknown to the network).
const (
	provisioned = 8
	unknown     = 2
)

// env is one bed under test plus the helpers specs use.
type env struct {
	*testbed.Bed
	subs []subscriber.Subscription // provisioned first, then the unknown ones

	wmu     sync.Mutex
	waiters []*waiter
}

type waiter struct {
	pred func(trace.Event) bool
	ch   chan trace.Event
}

// topoOpt adjusts a spec's topology.
type topoOpt func(*testbed.Topology)

// newEnv starts a bed in mode with provisioned+unknown generated
// subscribers (seeded by the Ginkgo seed). On cleanup it first checks the
// bed's invariants (every conformance spec ends with them), then closes the
// bed; a failed spec gets the trace attached.
func newEnv(mode string, opts ...topoOpt) *env {
	GinkgoHelper()
	return newEnvN(mode, provisioned, opts...)
}

// newEnvN is newEnv with n provisioned subscribers.
func newEnvN(mode string, n int, opts ...topoOpt) *env {
	GinkgoHelper()
	seed := GinkgoRandomSeed()
	subs, err := subscriber.Generate(n+unknown, seed, subscriber.GenOptions{})
	Expect(err).NotTo(HaveOccurred())
	topo := testbed.Topology{Name: "conformance", Mode: mode, Seed: seed, Subscribers: subs[:n]}
	for _, o := range opts {
		o(&topo)
	}
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	b, err := testbed.New(ctx, topo)
	Expect(err).NotTo(HaveOccurred())
	e := &env{Bed: b, subs: subs}
	b.Trace.Subscribe(e.notify)
	DeferCleanup(func() {
		Expect(b.Close()).To(Succeed())
	})
	DeferCleanup(func() {
		switch {
		case CurrentSpecReport().Failed():
			AddReportEntry("trace", e.dump())
		case os.Getenv("CREDBED_TRACE") != "":
			// CREDBED_TRACE=1 go test ./testbed -ginkgo.v shows every trace.
			GinkgoWriter.Println(e.dump())
		}
	})
	DeferCleanup(func() {
		v := b.CheckInvariants()
		Expect(v).To(BeEmpty(), "testbed invariants violated:\n%s", violations(v))
	})
	return e
}

func violations(v []testbed.Violation) string {
	var sb strings.Builder
	for _, x := range v {
		sb.WriteString("  " + x.String() + "\n")
	}
	return sb.String()
}

// dumpLimit bounds the events a report entry shows (the scale spec records
// about a hundred thousand).
const dumpLimit = 5000

func (e *env) dump() string {
	var sb strings.Builder
	evs := e.Trace.Events()
	if len(evs) > dumpLimit {
		fmt.Fprintf(&sb, "(%d earlier events omitted)\n", len(evs)-dumpLimit)
		evs = evs[len(evs)-dumpLimit:]
	}
	for _, ev := range evs {
		sb.WriteString(format(ev))
		sb.WriteByte('\n')
	}
	return sb.String()
}

func format(e trace.Event) string {
	return fmt.Sprintf("%5d %-8s %-26s %-4s %-44s %-22s %-22s %3d %s",
		e.Seq, e.Kind, e.Actor, e.Iface, e.Name, e.SUPI, e.Cause, e.Status, e.Detail)
}

func (e *env) notify(ev trace.Event) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	kept := e.waiters[:0]
	for _, w := range e.waiters {
		if w.pred(ev) {
			w.ch <- ev
			continue
		}
		kept = append(kept, w)
	}
	e.waiters = kept
}

// await returns the first event after seq matching pred, waiting for it if
// it has not happened yet.
func (e *env) await(after uint64, pred func(trace.Event) bool) trace.Event {
	GinkgoHelper()
	w := &waiter{pred: func(ev trace.Event) bool { return ev.Seq > after && pred(ev) }, ch: make(chan trace.Event, 1)}
	e.wmu.Lock()
	e.waiters = append(e.waiters, w)
	e.wmu.Unlock()
	if got := e.Trace.Filter(w.pred); len(got) > 0 {
		return got[0]
	}
	select {
	case ev := <-w.ch:
		return ev
	case <-time.After(guard):
		Fail("no trace event matched before the guard expired")
	}
	return trace.Event{}
}

// mark returns the highest sequence number recorded so far.
func (e *env) mark() uint64 {
	evs := e.Trace.Events()
	var m uint64
	for _, ev := range evs {
		m = max(m, ev.Seq)
	}
	return m
}

// since returns the events after seq matching pred.
func (e *env) since(after uint64, pred func(trace.Event) bool) []trace.Event {
	return e.Trace.Filter(func(ev trace.Event) bool { return ev.Seq > after && pred(ev) })
}

func match(want trace.Event) func(trace.Event) bool { return trace.Match(want) }

// and combines predicates.
func and(ps ...func(trace.Event) bool) func(trace.Event) bool {
	return func(ev trace.Event) bool {
		for _, p := range ps {
			if !p(ev) {
				return false
			}
		}
		return true
	}
}

func detailHas(s string) func(trace.Event) bool {
	return func(ev trace.Event) bool { return strings.Contains(ev.Detail, s) }
}

func scheme(s ident.ProtectionScheme) testbed.UEOptions {
	return testbed.UEOptions{Scheme: s, SchemeSet: true}
}

// newUE builds a UE for subscriber i (provisioned or not).
func (e *env) newUE(i int, opts ...testbed.UEOptions) *ue.UE {
	GinkgoHelper()
	u, err := e.NewUE(e.subs[i], opts...)
	Expect(err).NotTo(HaveOccurred())
	return u
}

func (e *env) supi(i int) string { return e.subs[i].SUPI }

func ueActor(supi string) string { return "ue/" + supi }

// register runs a registration and returns its result.
func register(u *ue.UE, o ...ue.RegisterOptions) ue.RegResult {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	var ro ue.RegisterOptions
	if len(o) > 0 {
		ro = o[0]
	}
	res, err := u.RegisterWith(ctx, ro)
	Expect(err).NotTo(HaveOccurred())
	return res
}

func registered(u *ue.UE) ue.RegResult {
	GinkgoHelper()
	res := register(u)
	Expect(res.Accepted).To(BeTrue(), "registration of %s: %+v", u.Name(), res)
	return res
}

// awaitAMF waits for the AMF state name of supi after seq.
func (e *env) awaitAMF(after uint64, supi, state string) trace.Event {
	GinkgoHelper()
	return e.await(after, match(trace.Event{Actor: "amf", Kind: trace.KindState, SUPI: supi, Name: state}))
}

// link returns the UE's gNB link.
func link(u *ue.UE) *gnb.Link {
	GinkgoHelper()
	l, ok := u.Radio().(*gnb.Link)
	Expect(ok).To(BeTrue(), "the UE is not camped on a gNB")
	return l
}

// ---- N2 taps and rewriters (the interception point of the transport) ----

// n2NAS is a NAS PDU seen on N2.
type n2NAS struct {
	up  bool // gNB -> AMF
	pdu []byte
}

// tap records every NAS PDU carried on N2 (in both directions).
type tap struct {
	mu   sync.Mutex
	msgs []n2NAS
}

func (e *env) tapN2() *tap {
	t := &tap{}
	remove := e.Net.Chain().Add("test/n2-nas-tap", func(p transport.Packet) []transport.Packet {
		if p.Kind != transport.N2 {
			return []transport.Packet{p}
		}
		if pdu, up, ok := nasOf(p.Payload); ok {
			t.mu.Lock()
			t.msgs = append(t.msgs, n2NAS{up: up, pdu: append([]byte(nil), pdu...)})
			t.mu.Unlock()
		}
		return []transport.Packet{p}
	})
	DeferCleanup(remove)
	return t
}

// last returns the last NAS PDU of the direction whose security header type is sht.
func (t *tap) last(up bool, sht uint8) []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := len(t.msgs) - 1; i >= 0; i-- {
		m := t.msgs[i]
		if m.up == up && len(m.pdu) > 2 && m.pdu[1]&0x0f == sht {
			return m.pdu
		}
	}
	return nil
}

// nasOf extracts the NAS PDU of an NGAP message.
func nasOf(payload []byte) (pdu []byte, up, ok bool) {
	m, err := ngapx.Parse(payload)
	if err != nil {
		return nil, false, false
	}
	switch v := m.(type) {
	case *ngapx.InitialUEMessage:
		return v.NASPDU, true, len(v.NASPDU) > 0
	case *ngapx.UplinkNASTransport:
		return v.NASPDU, true, len(v.NASPDU) > 0
	case *ngapx.DownlinkNASTransport:
		return v.NASPDU, false, len(v.NASPDU) > 0
	case *ngapx.InitialContextSetupRequest:
		return v.NASPDU, false, len(v.NASPDU) > 0
	}
	return nil, false, false
}

// rewriteUplinkNAS installs an N2 interceptor (an attacker on the gNB-AMF
// link) that passes every plain uplink 5GMM message through f; f returns
// the replacement, or nil to leave the message alone.
func (e *env) rewriteUplinkNAS(name string, f func(nasx.Msg) nasx.Msg) {
	remove := e.Net.Chain().Add(name, func(p transport.Packet) []transport.Packet {
		if p.Kind != transport.N2 {
			return []transport.Packet{p}
		}
		m, err := ngapx.Parse(p.Payload)
		if err != nil {
			return []transport.Packet{p}
		}
		var pdu *[]byte
		switch v := m.(type) {
		case *ngapx.InitialUEMessage:
			pdu = &v.NASPDU
		case *ngapx.UplinkNASTransport:
			pdu = &v.NASPDU
		default:
			return []transport.Packet{p}
		}
		if len(*pdu) < 3 || (*pdu)[1]&0x0f != 0 {
			return []transport.Packet{p}
		}
		msg, err := nasx.Parse(*pdu)
		if err != nil {
			return []transport.Packet{p}
		}
		repl := f(msg)
		if repl == nil {
			return []transport.Packet{p}
		}
		b, err := repl.Build()
		if err != nil {
			return []transport.Packet{p}
		}
		*pdu = b
		out, err := m.Build()
		if err != nil {
			return []transport.Packet{p}
		}
		q := p.Clone()
		q.Payload = out
		return []transport.Packet{q}
	})
	DeferCleanup(remove)
}

// recorder is a terminal behind a forged link: it keeps the downlink NAS.
type recorder struct {
	ch       chan []byte
	released chan struct{}
	once     sync.Once
}

func newRecorder() *recorder {
	return &recorder{ch: make(chan []byte, 16), released: make(chan struct{})}
}

func (r *recorder) ReceiveNAS(pdu []byte) {
	select {
	case r.ch <- pdu:
	default:
	}
}
func (r *recorder) ConnectionReleased() { r.once.Do(func() { close(r.released) }) }
func (r *recorder) SessionReady(uint8)  {}

// awaitReleased waits for the network to release the connection.
func (r *recorder) awaitReleased() {
	GinkgoHelper()
	select {
	case <-r.released:
	case <-time.After(guard):
		Fail("the network kept the connection")
	}
}

func (r *recorder) next() []byte {
	GinkgoHelper()
	select {
	case p := <-r.ch:
		return p
	case <-time.After(guard):
		Fail("no downlink NAS reached the terminal")
	}
	return nil
}
