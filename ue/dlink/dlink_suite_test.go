package dlink_test

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/ue/dlink"
)

func TestDlink(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "dlink")
}

var epoch = time.Date(2029, 6, 1, 12, 0, 0, 0, time.UTC)

func newRand(seed int64, salt uint64) *rand.ChaCha8 {
	var s [32]byte
	binary.BigEndian.PutUint64(s[:], uint64(seed))
	binary.BigEndian.PutUint64(s[8:], salt)
	return rand.NewChaCha8(s)
}

// fixture is one TD with its identity and a network-issued sealed package.
type fixture struct {
	rnd    *rand.ChaCha8
	clk    *clock.Fake
	rec    *trace.Recorder
	td     credential.Identity
	pkg    credential.Package
	sealed []byte
}

func newFixture(seed int64) *fixture {
	f := &fixture{rnd: newRand(seed, 1), clk: clock.NewFake(epoch)}
	f.rec = trace.NewRecorder(f.clk)
	var err error
	f.td, err = credential.NewIdentity(f.rnd, "td-0001")
	Expect(err).NotTo(HaveOccurred())
	f.pkg = makePackage(f.td.DeviceID, 7, 0x42)
	f.sealed = f.seal(f.pkg)
	return f
}

func makePackage(target string, counter uint64, kseed byte) credential.Package {
	p := credential.Package{
		SUPI:             ident.SUPI{Type: ident.SUPITypeIMSI, Value: "001010000000042"},
		AMF:              credential.DefaultAMF(),
		SQN:              32,
		HNKeys:           []credential.HNKey{{Scheme: credential.SchemeNull}},
		RoutingIndicator: "0000",
		PLMN:             ident.PLMN{MCC: "001", MNC: "01"},
		Binding: credential.Binding{TargetID: target, PDID: "imsi-001010000000001", Counter: counter,
			Expiry: epoch.Add(time.Hour)},
	}
	for i := range p.K {
		p.K[i] = kseed + byte(i)
		p.OPc[i] = kseed ^ 0xA5 + byte(3*i)
	}
	return p
}

// seal plays the CPF: it seals pkg to the fixture's TD.
func (f *fixture) seal(pkg credential.Package) []byte {
	b := f.td.Bootstrap()
	blob, err := credential.Seal(f.rnd, b.Key, credential.SealAAD(b.DeviceID, b.Hash()), pkg)
	Expect(err).NotTo(HaveOccurred())
	return blob
}

func (f *fixture) initiator(mod ...func(*dlink.InitiatorConfig)) *dlink.Initiator {
	b, err := credential.ParseURI(f.td.Bootstrap().URI()) // the PD scans the QR code
	Expect(err).NotTo(HaveOccurred())
	cfg := dlink.InitiatorConfig{Target: b, Sealed: f.sealed, Binding: f.pkg.Binding}
	for _, m := range mod {
		m(&cfg)
	}
	i, err := dlink.NewInitiator(cfg, dlink.Deps{Rand: f.rnd})
	Expect(err).NotTo(HaveOccurred())
	return i
}

func (f *fixture) baselineInitiator(pkg credential.Package) *dlink.Initiator {
	i, err := dlink.NewInitiator(dlink.InitiatorConfig{Variant: dlink.Baseline, Package: &pkg}, dlink.Deps{Rand: f.rnd})
	Expect(err).NotTo(HaveOccurred())
	return i
}

func (f *fixture) responder(mod ...func(*dlink.ResponderConfig)) *dlink.Responder {
	cfg := dlink.ResponderConfig{Identity: f.td}
	for _, m := range mod {
		m(&cfg)
	}
	r, err := dlink.NewResponder(cfg, dlink.Deps{Rand: f.rnd, Clock: f.clk})
	Expect(err).NotTo(HaveOccurred())
	return r
}

// dir is the direction of a frame on the link.
type dir int

const (
	toTD dir = iota
	toPD
)

func (d dir) String() string { return [...]string{"PD->TD", "TD->PD"}[d] }

// captured is one frame as the link saw it.
type captured struct {
	dir   dir
	n     int // index among all frames the endpoints sent
	frame []byte
}

// hook is the interceptor of the in-test link (tailscale natlab style):
// return the frame to pass it, nil to drop it, other or several frames to
// replace or add.
type hook func(c captured) [][]byte

// link passes frames between one PD and one TD through a hook, in FIFO
// order, with no goroutines. Timeouts fire only when fireTimeouts is set
// and the link is quiet.
type link struct {
	pd           *dlink.Initiator
	td           *dlink.Responder
	rec          *trace.Recorder
	hook         hook
	fireTimeouts bool

	queue    []captured
	sent     int
	Tap      []captured // every frame an endpoint sent (what a passive eavesdropper sees)
	pdTimer  bool
	tdTimer  bool
	PDResult *dlink.Result
	TDResult []dlink.Result
}

func newLink(pd *dlink.Initiator, td *dlink.Responder, rec *trace.Recorder) *link {
	return &link{pd: pd, td: td, rec: rec}
}

func (l *link) absorb(d dir, out dlink.Output) {
	for _, e := range out.Events {
		l.rec.Emit(e)
	}
	timer := &l.pdTimer
	if d == toPD {
		timer = &l.tdTimer
	}
	switch out.Timer {
	case dlink.TimerSet:
		*timer = true
	case dlink.TimerStop:
		*timer = false
	}
	if out.Result != nil {
		if d == toTD {
			l.PDResult = out.Result
		} else {
			l.TDResult = append(l.TDResult, *out.Result)
		}
	}
	for _, f := range out.Frames {
		c := captured{dir: d, n: l.sent, frame: f}
		l.sent++
		l.Tap = append(l.Tap, c)
		if l.hook == nil {
			l.queue = append(l.queue, c)
			continue
		}
		for _, g := range l.hook(c) {
			l.queue = append(l.queue, captured{dir: d, n: c.n, frame: g})
		}
	}
}

// run starts the PD (if start) and delivers until quiet.
func (l *link) run(start bool) {
	if start {
		l.absorb(toTD, l.pd.Start())
	}
	for steps := 0; steps < 1000; steps++ {
		if len(l.queue) > 0 {
			c := l.queue[0]
			l.queue = l.queue[1:]
			if c.dir == toTD {
				l.absorb(toPD, l.td.Receive(c.frame))
			} else {
				l.absorb(toTD, l.pd.Receive(c.frame))
			}
			continue
		}
		if !l.fireTimeouts {
			return
		}
		switch {
		case l.pdTimer:
			l.pdTimer = false
			l.absorb(toTD, l.pd.Timeout())
		case l.tdTimer:
			l.tdTimer = false
			l.absorb(toPD, l.td.Timeout())
		default:
			return
		}
	}
	Fail("link did not settle")
}

// inject delivers frames to the TD as if sent on the link, bypassing the hook.
func (l *link) inject(frames ...[]byte) {
	for _, f := range frames {
		l.queue = append(l.queue, captured{dir: toTD, n: -1, frame: f})
	}
	l.run(false)
}

func frameTypes(cs []captured) []dlink.FrameType {
	var out []dlink.FrameType
	for _, c := range cs {
		h, err := dlink.ParseHeader(c.frame)
		Expect(err).NotTo(HaveOccurred())
		out = append(out, h.Type)
	}
	return out
}

func countEvents(rec *trace.Recorder, want trace.Event) int { return rec.Count(trace.Match(want)) }
