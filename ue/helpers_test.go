package ue_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/internal/netsim"
	"github.com/credbed/credbed/ue/uplane"
	"github.com/credbed/credbed/ue/usim"
)

func TestUE(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "ue")
}

var errNoUP = errors.New("scripted radio: no user plane")

// scriptRadio is a serving cell backed by the scripted network: each uplink
// PDU is answered synchronously (the UE must cope with re-entrant delivery).
// Hook, when set, sees every uplink first; handled=true skips the network.
type scriptRadio struct {
	mu       sync.Mutex
	net      *netsim.Network
	u        *ue.UE
	hook     func(ul []byte) (dl [][]byte, handled bool)
	sent     [][]byte
	errs     []error
	released int
	addrs    map[uint8]netip.Addr
}

func (r *scriptRadio) SendNAS(_ context.Context, pdu []byte) error {
	r.mu.Lock()
	r.sent = append(r.sent, pdu)
	hook := r.hook
	r.mu.Unlock()
	var dls [][]byte
	handled := false
	if hook != nil {
		dls, handled = hook(pdu)
	}
	if !handled {
		var err error
		r.mu.Lock()
		dls, err = r.net.Serve(pdu)
		if err != nil {
			r.errs = append(r.errs, err)
		}
		r.mu.Unlock()
	}
	for _, d := range dls {
		r.u.ReceiveNAS(d)
	}
	return nil
}

func (r *scriptRadio) SessionAddress(psi uint8, ip netip.Addr) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.addrs == nil {
		r.addrs = map[uint8]netip.Addr{}
	}
	r.addrs[psi] = ip
	return false, errNoUP
}

func (r *scriptRadio) Plane() *uplane.Plane { return nil }

func (r *scriptRadio) Release() {
	r.mu.Lock()
	r.released++
	r.mu.Unlock()
}

func (r *scriptRadio) Detach() {}

type fixture struct {
	u     *ue.UE
	radio *scriptRadio
	net   *netsim.Network
	rec   *trace.Recorder
	clk   *clock.Fake
	cred  usim.Credential
}

func seeded() *rand.ChaCha8 {
	seed := uint64(GinkgoRandomSeed())
	GinkgoWriter.Printf("random seed %d\n", seed)
	var s [32]byte
	for i := range s {
		s[i] = byte(seed >> (8 * (i % 8)))
	}
	return rand.NewChaCha8(s)
}

func newFixture(scheme ident.ProtectionScheme, mod func(*usim.Credential)) *fixture {
	r := seeded()
	c, ring, err := netsim.NewCredential(r, scheme, "")
	Expect(err).NotTo(HaveOccurred())
	if mod != nil {
		mod(&c)
	}
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	rec := trace.NewRecorder(clk)
	u, err := ue.New(ue.Config{Credential: &c, GMM: gmmConfig()}, ue.Deps{Clock: clk, Rand: r, Trace: rec})
	Expect(err).NotTo(HaveOccurred())
	n := netsim.New(c, ring, r)
	radio := &scriptRadio{net: n, u: u}
	u.AttachRadio(radio)
	return &fixture{u: u, radio: radio, net: n, rec: rec, clk: clk, cred: c}
}

func (f *fixture) register() ue.RegResult {
	res, err := f.u.Register(context.Background())
	Expect(err).NotTo(HaveOccurred())
	Expect(f.radio.errs).To(BeEmpty())
	return res
}

func (f *fixture) events(want trace.Event) []trace.Event { return f.rec.Filter(trace.Match(want)) }

func names(ms []gmmMessage) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.String())
	}
	return out
}
