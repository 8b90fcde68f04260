package upf_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/dn"
	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/upf"
	"github.com/credbed/credbed/ue/uplane"
)

// plan is one address plan; net-mode specs use addresses no other package uses.
type plan struct {
	smf, upf, dn, gnb, probe netip.Addr
}

var (
	memPlan = plan{smf: ip("127.0.0.7"), upf: ip("127.0.0.8"), dn: ip("127.0.0.9"), gnb: ip("127.0.0.20"), probe: ip("127.0.0.21")}
	netPlan = plan{smf: ip("127.0.83.7"), upf: ip("127.0.83.8"), dn: ip("127.0.83.9"), gnb: ip("127.0.83.20"), probe: ip("127.0.83.21")}
	dnAddr  = ip("10.100.0.1")
	epoch   = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
)

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func ap(a netip.Addr, port uint16) netip.AddrPort { return netip.AddrPortFrom(a, port) }

// ueIP returns the i-th UE address of the 10.60.0.0/16 pool.
func ueIP(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, 60, byte((i + 1) >> 8), byte(i + 1)})
}

// seededRand returns a deterministic io.Reader from the spec's seed.
func seededRand() *rand.ChaCha8 {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], uint64(GinkgoRandomSeed()))
	return rand.NewChaCha8(seed)
}

// bed is one UPF with an SMF-side PFCP client, the data network and a
// RAN-side user plane, on one network.
type bed struct {
	p      plan
	net    transport.Network
	rec    *trace.Recorder
	upf    *upf.UPF
	dn     *dn.DN
	ran    *uplane.Plane
	smf    *pfcpx.Client
	nextDL atomic.Uint32
}

func newBed(mode string) (*bed, error) {
	p := memPlan
	var nw transport.Network = transport.NewMem(transport.MemOptions{})
	if mode == "net" {
		p = netPlan
		nw = transport.NewNet(transport.NetOptions{})
	}
	b := &bed{p: p, net: nw, rec: trace.NewRecorder(clock.NewFake(epoch))}
	var err error
	b.upf, err = upf.New(upf.Config{
		N3Addr: ap(p.upf, transport.PortGTPU), N4Addr: ap(p.upf, transport.PortPFCP),
		N6Addr: ap(p.upf, upf.DefaultN6Port), DN: ap(p.dn, upf.DefaultN6Port),
	}, upf.Deps{Net: nw, Clock: clock.NewFake(epoch), Rand: seededRand(), Trace: b.rec})
	if err != nil {
		return nil, err
	}
	if err := b.upf.Start(context.Background()); err != nil {
		return nil, err
	}
	b.dn, err = dn.New(dn.Config{Addr: dnAddr, N6Addr: ap(p.dn, dn.DefaultN6Port), UPF: ap(p.upf, upf.DefaultN6Port)},
		dn.Deps{Net: nw, Trace: b.rec})
	if err != nil {
		return nil, err
	}
	if err := b.dn.Start(context.Background()); err != nil {
		return nil, err
	}
	b.ran, err = uplane.New(uplane.Config{Name: "gnb", N3Addr: ap(p.gnb, transport.PortGTPU)}, uplane.Deps{Net: nw, Trace: b.rec})
	if err != nil {
		return nil, err
	}
	if err := b.ran.Start(context.Background()); err != nil {
		return nil, err
	}
	// The handler only runs once a request went out, after b.smf is set.
	smfEP, err := nw.Listen(transport.N4, ap(p.smf, transport.PortPFCP), func(from netip.AddrPort, pl []byte) {
		b.smf.Handle(from, pl)
	})
	if err != nil {
		return nil, err
	}
	b.smf = pfcpx.NewClient(smfEP, clock.Real{}, pfcpx.ClientConfig{T1: 2 * time.Second})
	b.nextDL.Store(0x1000)
	return b, nil
}

func (b *bed) close() {
	b.smf.Close()
	_ = b.ran.Close()
	_ = b.dn.Close()
	_ = b.upf.Close()
	_ = b.net.Close()
}

func (b *bed) n4() netip.AddrPort { return ap(b.p.upf, transport.PortPFCP) }

func (b *bed) do(build func(seq uint32) ([]byte, error)) (*pfcpx.Response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return b.smf.Do(ctx, b.n4(), build)
}

func (b *bed) associate() (*pfcpx.Response, error) {
	return b.do(func(seq uint32) ([]byte, error) {
		return pfcpx.BuildAssociationSetupRequest(seq, b.p.smf.String(), epoch)
	})
}

// ueSession is what a test knows of one established PDU session.
type ueSession struct {
	ue     netip.Addr
	upSEID uint64
	ulTEID uint32
	dlTEID uint32
}

// establish runs TS 23.502 §4.3.2.2.1 steps 10a (establishment, the UPF
// allocates the uplink F-TEID) and 16a (modification with the gNB's
// downlink F-TEID), then wires the RAN user plane.
func (b *bed) establish(ue netip.Addr, cpSEID uint64) (ueSession, error) {
	s := pfcpx.PDUSession{NodeID: b.p.smf.String(), CPSEID: cpSEID, CPAddr: b.p.smf, UEIP: ue, QFI: 9, NetworkInstance: "internet"}
	r, err := b.do(func(seq uint32) ([]byte, error) {
		return pfcpx.BuildSessionEstablishmentRequest(seq, s.Establishment())
	})
	if err != nil {
		return ueSession{}, err
	}
	if r.Cause != pfcpx.CauseRequestAccepted {
		return ueSession{}, fmt.Errorf("establishment rejected: %v", r.Cause)
	}
	ul, ok := r.CreatedFTEID(pfcpx.PDRUplink)
	if !ok {
		return ueSession{}, fmt.Errorf("no created F-TEID")
	}
	dl := b.nextDL.Add(1)
	r2, err := b.do(func(seq uint32) ([]byte, error) {
		return pfcpx.BuildSessionModificationRequest(seq, r.UPSEID, pfcpx.ActivateDownlink(dl, b.p.gnb, "internet"))
	})
	if err != nil {
		return ueSession{}, err
	}
	if r2.Cause != pfcpx.CauseRequestAccepted {
		return ueSession{}, fmt.Errorf("modification rejected: %v", r2.Cause)
	}
	if err := b.ran.AddSession(ue, ul.TEID, ap(ul.IPv4, transport.PortGTPU), dl, 9); err != nil {
		return ueSession{}, err
	}
	return ueSession{ue: ue, upSEID: r.UPSEID, ulTEID: ul.TEID, dlTEID: dl}, nil
}

// udpEcho sends msg from ue to the data network's UDP echo service and
// returns the reply. The deadline only guards against a hung spec.
func (b *bed) udpEcho(ue netip.Addr, msg string) (string, error) {
	c, err := b.ran.DialUDP(ue, ap(dnAddr, 7))
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		return "", err
	}
	buf := make([]byte, 2048)
	n, err := c.Read(buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// probe is a bare GTP-U endpoint a spec uses to talk to the UPF directly.
type probe struct {
	ep transport.Endpoint
	in chan []byte
}

func (b *bed) probe() (*probe, error) {
	p := &probe{in: make(chan []byte, 512)}
	var err error
	p.ep, err = b.net.Listen(transport.N3, ap(b.p.probe, transport.PortGTPU), func(_ netip.AddrPort, pl []byte) {
		select {
		case p.in <- append([]byte(nil), pl...):
		default:
		}
	})
	return p, err
}

func (p *probe) send(b *bed, msg []byte) error {
	return p.ep.Send(context.Background(), ap(b.p.upf, transport.PortGTPU), msg)
}

func countEvents(rec *trace.Recorder, e trace.Event) func() int {
	return func() int { return rec.Count(trace.Match(e)) }
}

var _ = Expect
