package gmm_test

import (
	"math/rand/v2"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/suci"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/ue/gmm"
	"github.com/credbed/credbed/ue/internal/netsim"
	"github.com/credbed/credbed/ue/usim"
)

func TestGMM(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "ue/gmm")
}

// bed is one UE machine with its scripted network.
type bed struct {
	cfg *gmm.Config
	sim *usim.USIM
	m   *gmm.Machine
	net *netsim.Network
	ev  []trace.Event
	out []gmm.Output
}

func seededReader() *rand.ChaCha8 {
	seed := uint64(GinkgoRandomSeed())
	GinkgoWriter.Printf("random seed %d\n", seed)
	var s [32]byte
	for i := range s {
		s[i] = byte(seed >> (8 * (i % 8)))
	}
	return rand.NewChaCha8(s)
}

func testCredential(r *rand.ChaCha8, scheme ident.ProtectionScheme) (usim.Credential, suci.KeyRing) {
	c, ring, err := netsim.NewCredential(r, scheme, "")
	Expect(err).NotTo(HaveOccurred())
	return c, ring
}

func newBed(scheme ident.ProtectionScheme, mod func(*gmm.Config)) *bed {
	r := seededReader()
	c, ring := testCredential(r, scheme)
	sim, err := usim.New(c)
	Expect(err).NotTo(HaveOccurred())
	cfg := &gmm.Config{RequestedNSSAI: []nasx.SNSSAI{{SST: 1}}}
	if mod != nil {
		mod(cfg)
	}
	Expect(cfg.Validate()).To(Succeed())
	return &bed{cfg: cfg, sim: sim, m: gmm.New(cfg, sim, r), net: netsim.New(c, ring, r)}
}

// do handles ev and records the output.
func (b *bed) do(ev gmm.Event) gmm.Output {
	out, err := b.m.Handle(ev)
	Expect(err).NotTo(HaveOccurred())
	b.record(out)
	return out
}

func (b *bed) record(out gmm.Output) {
	b.out = append(b.out, out)
	b.ev = append(b.ev, out.Events...)
}

func (b *bed) dl(pdu []byte, err error) gmm.Output {
	Expect(err).NotTo(HaveOccurred())
	return b.do(gmm.Downlink{PDU: pdu})
}

// ul returns the single uplink PDU of out, parsed by the network.
func (b *bed) ul(out gmm.Output) (nasx.Msg, uint8) {
	Expect(out.Uplink).To(HaveLen(1))
	m, hdr, err := b.net.Open(out.Uplink[0].PDU)
	Expect(err).NotTo(HaveOccurred())
	return m, hdr
}

// serve feeds out's uplinks to the automatic network until nothing is left;
// it returns every Done.
func (b *bed) serve(out gmm.Output) []gmm.Outcome {
	var done []gmm.Outcome
	queue := [][]byte{}
	for {
		done = append(done, out.Done...)
		for _, u := range out.Uplink {
			dls, err := b.net.Serve(u.PDU)
			Expect(err).NotTo(HaveOccurred())
			queue = append(queue, dls...)
		}
		if len(queue) == 0 {
			return done
		}
		out = b.do(gmm.Downlink{PDU: queue[0]})
		queue = queue[1:]
	}
}

// register runs a whole registration against the automatic network.
func (b *bed) register() gmm.Outcome {
	done := b.serve(b.do(gmm.Register{}))
	Expect(done).NotTo(BeEmpty())
	return done[len(done)-1]
}

func (b *bed) events(want trace.Event) []trace.Event {
	var r []trace.Event
	for _, e := range b.ev {
		if trace.Match(want)(e) {
			r = append(r, e)
		}
	}
	return r
}

func timerOps(out gmm.Output, t gmm.Timer) []gmm.TimerOp {
	var r []gmm.TimerOp
	for _, op := range out.Timers {
		if op.Timer == t {
			r = append(r, op)
		}
	}
	return r
}
