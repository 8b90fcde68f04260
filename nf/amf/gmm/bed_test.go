package gmm_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/amf/gmm"
	"github.com/credbed/credbed/nf/amf/internal/scripted"
)

var plmn = ident.PLMN{MCC: "001", MNC: "01"}

// seeded is an io.Reader of deterministic bytes from the Ginkgo seed.
type seeded struct{ r *rand.ChaCha8 }

func newSeeded() *seeded {
	var s [32]byte
	seed := GinkgoRandomSeed()
	for i := range s {
		s[i] = byte(seed >> (8 * (i % 8)))
	}
	return &seeded{r: rand.NewChaCha8(s)}
}

func (s *seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

func subscriber(i int) scripted.Subscriber {
	supi, err := ident.NewIMSI(plmn, fmt.Sprintf("%010d", i))
	Expect(err).NotTo(HaveOccurred())
	s := scripted.Subscriber{SUPI: supi}
	for j := range s.K {
		s.K[j] = byte(i + j)
		s.OPc[j] = byte(3*i + 7*j)
	}
	return s
}

// bed is a minimal driver: it runs the machine's actions against the
// scripted home network and UE, synchronously.
type bed struct {
	m    *gmm.Machine
	home *scripted.Home
	rec  *trace.Recorder
	u    gmm.UE
	ue   *scripted.UE

	dl       [][]byte
	ul       [][]byte // every uplink PDU handed to the machine
	timers   map[gmm.TimerID]uint32
	ics      []gmm.SendInitialContextSetup
	released int
	deleted  bool
	adopted  []uint64
	deregs   int
	forwards int
	releases []string // ReleaseSessions reasons
	tmsi     uint32
	manual   bool // do not let the UE answer automatically
}

func newBed(cfg gmm.Config) *bed {
	b := &bed{rec: trace.NewRecorder(nil), timers: map[gmm.TimerID]uint32{}}
	cfg.PLMN = plmn
	var err error
	b.m, err = gmm.NewMachine(cfg, func() uint32 { b.tmsi++; return 0x1000 + b.tmsi })
	Expect(err).NotTo(HaveOccurred())
	b.home = scripted.NewHome(newSeeded(), plmn.ServingNetworkName())
	sub := subscriber(1)
	b.home.Add(sub)
	b.ue = scripted.NewUE(sub, plmn)
	return b
}

func (b *bed) run(acts []gmm.Action) {
	for _, a := range acts {
		switch a := a.(type) {
		case gmm.SendNAS:
			b.dl = append(b.dl, a.PDU)
		case gmm.SendInitialContextSetup:
			b.ics = append(b.ics, a)
			b.dl = append(b.dl, a.NASPDU)
		case gmm.ReleaseN2:
			b.released++
		case gmm.AUSFAuthenticate:
			var rr, auts []byte
			if a.Resync != nil {
				rr, auts = a.Resync.RAND[:], a.Resync.AUTS[:]
			}
			av, p := b.home.Authenticate(a.SUPIOrSUCI, a.SNN, rr, auts)
			ev := gmm.AUSFAuthResult{Seq: a.Seq, Outcome: outcome(p), RAND: av.RAND, AUTN: av.AUTN,
				HXRESStar: av.HXRESStar, ConfirmURI: av.CtxID}
			b.run(b.m.Handle(&b.u, ev))
		case gmm.AUSFConfirm:
			ok, supi, kseaf, p := b.home.Confirm(a.ConfirmURI, a.RESStar[:])
			b.run(b.m.Handle(&b.u, gmm.AUSFConfirmResult{Seq: a.Seq, Outcome: outcome(p), Success: ok, SUPI: supi, KSEAF: kseaf}))
		case gmm.UECMRegister:
			p := b.home.RegisterAMF(a.SUPI, "cb")
			b.run(b.m.Handle(&b.u, gmm.UECMRegistrationResult{Seq: a.Seq, Outcome: outcome(p)}))
		case gmm.SDMGetAMData:
			_, ok := b.home.NSSAI(a.SUPI)
			o := gmm.Outcome{Status: 200}
			if !ok {
				o = gmm.Outcome{Status: 404, Cause: "USER_NOT_FOUND"}
			}
			b.run(b.m.Handle(&b.u, gmm.SDMResult{Seq: a.Seq, Outcome: o}))
		case gmm.UECMDeregister:
			b.deregs++
			b.home.DeregisterAMF(a.SUPI)
		case gmm.StartTimer:
			b.timers[a.Timer] = a.Gen
		case gmm.StopTimer:
			delete(b.timers, a.Timer)
		case gmm.Trace:
			b.rec.Emit(a.Event)
		case gmm.DeleteContext:
			b.deleted = true
			b.timers = map[gmm.TimerID]uint32{}
		case gmm.AdoptPrior:
			b.adopted = append(b.adopted, a.Handle)
		case gmm.ForwardSM:
			b.forwards++
		case gmm.ReleaseSessions:
			b.releases = append(b.releases, a.Reason)
		case gmm.AssignGUTI, gmm.BindSUPI:
		default:
			Fail(fmt.Sprintf("unknown action %T", a))
		}
	}
	if !b.manual {
		b.pump()
	}
}

func outcome(p *scripted.Problem) gmm.Outcome {
	if p == nil {
		return gmm.Outcome{Status: 200}
	}
	return gmm.Outcome{Status: p.Status, Cause: p.Cause}
}

// pump lets the UE answer every pending downlink message.
func (b *bed) pump() {
	for len(b.dl) > 0 {
		pdu := b.dl[0]
		b.dl = b.dl[1:]
		ul, _, err := b.ue.Respond(pdu)
		Expect(err).NotTo(HaveOccurred())
		if ul != nil {
			b.nas(ul)
		}
	}
}

func (b *bed) nas(ul []byte) {
	b.ul = append(b.ul, ul)
	b.run(b.m.HandleNAS(&b.u, ul))
}

func (b *bed) initial(pdu []byte, prior *gmm.Prior) {
	b.ul = append(b.ul, pdu)
	b.run(b.m.HandleInitialNAS(&b.u, pdu, prior))
}

func (b *bed) register() {
	GinkgoHelper()
	pdu, err := b.ue.InitialRegistration()
	Expect(err).NotTo(HaveOccurred())
	b.initial(pdu, nil)
	Expect(b.u.State()).To(Equal(gmm.Registered), b.events())
	Expect(b.ue.Registered).To(BeTrue())
}

// fire expires the running timer t.
func (b *bed) fire(t gmm.TimerID) {
	gen, ok := b.timers[t]
	Expect(ok).To(BeTrue(), "timer %s not running", t)
	b.run(b.m.Handle(&b.u, gmm.TimerExpired{Timer: t, Gen: gen}))
}

func (b *bed) count(want trace.Event) int { return b.rec.Count(trace.Match(want)) }

func (b *bed) countDetail(k trace.Kind, detail string) int {
	return b.rec.Count(func(e trace.Event) bool { return e.Kind == k && e.Detail == detail })
}

func (b *bed) events() string {
	var sb strings.Builder
	for _, e := range b.rec.Events() {
		fmt.Fprintf(&sb, "%s %s %s %s\n", e.Kind, e.Name, e.Cause, e.Detail)
	}
	return sb.String()
}
