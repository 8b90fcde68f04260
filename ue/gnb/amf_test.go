package gnb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/suci"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/ue/gnb"
	"github.com/credbed/credbed/ue/internal/netsim"
	"github.com/credbed/credbed/ue/usim"
)

func TestGNB(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "ue/gnb")
}

var (
	amfAddr = netip.MustParseAddrPort("127.0.0.2:38412")
	upfAddr = netip.MustParseAddrPort("127.0.0.50:2152")
	plmn    = ident.PLMN{MCC: "001", MNC: "01"}
)

func seeded() *rand.ChaCha8 {
	seed := uint64(GinkgoRandomSeed())
	GinkgoWriter.Printf("random seed %d\n", seed)
	var s [32]byte
	for i := range s {
		s[i] = byte(seed >> (8 * (i % 8)))
	}
	return rand.NewChaCha8(s)
}

// got is one NGAP message the scripted AMF received.
type got struct {
	from netip.AddrPort
	msg  ngapx.Msg
	err  error
}

// scriptAMF is an AMF written for these tests: NG Setup, and NAS relayed to
// per-subscriber scripted networks (netsim), with REGISTRATION ACCEPT in
// INITIAL CONTEXT SETUP REQUEST and PDU SESSION ESTABLISHMENT ACCEPT in PDU
// SESSION RESOURCE SETUP REQUEST.
type scriptAMF struct {
	ep   transport.StreamEndpoint
	ring suci.KeyRing

	mu        sync.Mutex
	subs      map[ident.SUPI]*netsim.Network
	byAMF     map[uint64]*netsim.Network
	nextID    uint64
	failSetup bool
	dlSent    [][]byte // every DL NAS PDU sent, for replays
	errs      []error
	ch        chan got
}

func newAMF(n transport.Network, ring suci.KeyRing) *scriptAMF {
	a := &scriptAMF{ring: ring, subs: map[ident.SUPI]*netsim.Network{}, byAMF: map[uint64]*netsim.Network{},
		nextID: 100, ch: make(chan got, 4096)}
	ep, err := n.(transport.StreamListener).ListenStream(transport.N2, amfAddr, a.handle)
	Expect(err).NotTo(HaveOccurred())
	a.ep = ep
	DeferCleanup(ep.Close)
	return a
}

func (a *scriptAMF) add(nw *netsim.Network) {
	a.mu.Lock()
	a.subs[nw.SUPI] = nw
	a.mu.Unlock()
}

func (a *scriptAMF) fail(err error) {
	a.mu.Lock()
	a.errs = append(a.errs, err)
	a.mu.Unlock()
}

func (a *scriptAMF) send(to netip.AddrPort, stream uint16, m ngapx.Msg) {
	b, err := m.Build()
	if err != nil {
		a.fail(err)
		return
	}
	if err := a.ep.SendStream(context.Background(), to, stream, b); err != nil {
		a.fail(err)
	}
}

func (a *scriptAMF) handle(from netip.AddrPort, stream uint16, b []byte) {
	m, err := ngapx.Parse(b)
	a.ch <- got{from: from, msg: m, err: err}
	if err != nil {
		return
	}
	switch v := m.(type) {
	case *ngapx.NGSetupRequest:
		a.mu.Lock()
		failSetup := a.failSetup
		a.mu.Unlock()
		if failSetup {
			a.send(from, 0, &ngapx.NGSetupFailure{Cause: ngapx.CauseMiscUnknownPLMN})
			return
		}
		p, _ := nasx.NewPLMN("001", "01")
		a.send(from, 0, &ngapx.NGSetupResponse{AMFName: "amf", RelativeAMFCapacity: 255,
			ServedGUAMIs: []ngapx.GUAMI{{PLMN: p, AMFRegionID: 1, AMFSetID: 1, AMFPointer: 1}},
			PLMNSupport:  []ngapx.PLMNSupport{{PLMN: p, Slices: []nasx.SNSSAI{{SST: 1}}}}})
	case *ngapx.InitialUEMessage:
		a.mu.Lock()
		a.nextID++
		id := a.nextID
		a.mu.Unlock()
		a.nas(from, stream, id, v.RANUENGAPID, v.NASPDU)
	case *ngapx.UplinkNASTransport:
		a.nas(from, stream, v.AMFUENGAPID, v.RANUENGAPID, v.NASPDU)
	}
}

// subscriber finds the scripted network of the UE sending pdu.
func (a *scriptAMF) subscriber(amfID uint64, pdu []byte) *netsim.Network {
	a.mu.Lock()
	defer a.mu.Unlock()
	if nw := a.byAMF[amfID]; nw != nil {
		return nw
	}
	m, err := nasx.Parse(pdu)
	if err == nil {
		if r, ok := m.(*nasx.RegistrationRequest); ok {
			if supi, err := suci.DeconcealNAS(r.MobileIdentity, a.ring); err == nil {
				a.byAMF[amfID] = a.subs[supi]
				return a.subs[supi]
			}
		}
	}
	// A 5G-GUTI registration or a de-registration: the only subscriber whose
	// GUTI matches.
	for _, nw := range a.subs {
		if g, err := nw.GUTI.MarshalNAS(); err == nil && containsBytes(pdu, g[1:]) {
			a.byAMF[amfID] = nw
			return nw
		}
	}
	return nil
}

func containsBytes(b, sub []byte) bool {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == string(sub) {
			return true
		}
	}
	return false
}

func (a *scriptAMF) nas(to netip.AddrPort, stream uint16, amfID uint64, ran uint32, pdu []byte) {
	nw := a.subscriber(amfID, pdu)
	if nw == nil {
		a.fail(fmt.Errorf("no subscriber for NAS from RAN UE %d", ran))
		return
	}
	a.mu.Lock()
	dls, err := nw.Serve(pdu)
	last := nw.Seen[len(nw.Seen)-1]
	a.dlSent = append(a.dlSent, dls...)
	a.mu.Unlock()
	if err != nil {
		a.fail(err)
		return
	}
	for _, dl := range dls {
		switch {
		case last == nasx.MsgSecurityModeComplete:
			ues := ngapx.UESecurityCapabilities{NREncryption: 0xe000, NRIntegrity: 0xe000}
			a.send(to, stream, &ngapx.InitialContextSetupRequest{AMFUENGAPID: amfID, RANUENGAPID: ran,
				GUAMI:                  ngapx.GUAMI{PLMN: mustPLMN(), AMFRegionID: 1, AMFSetID: 1, AMFPointer: 1},
				AllowedNSSAI:           []nasx.SNSSAI{{SST: 1}},
				UESecurityCapabilities: ues, NASPDU: dl})
		case last == nasx.MsgULNASTransport && nw.LastSM.Accepted:
			tr, err := (&ngapx.PDUSessionSetupRequestTransfer{
				ULTunnel:       ngapx.GTPTunnel{Addr: upfAddr.Addr(), TEID: 0x1000 + uint32(nw.LastSM.PSI)},
				PDUSessionType: ngapx.PDUSessionTypeIPv4,
				QoSFlows:       []ngapx.QoSFlowSetup{{QFI: 1, FiveQI: 9, ARP: ngapx.ARP{Priority: 8}}},
			}).Build()
			if err != nil {
				a.fail(err)
				return
			}
			a.send(to, stream, &ngapx.PDUSessionResourceSetupRequest{AMFUENGAPID: amfID, RANUENGAPID: ran,
				PDUSessions: []ngapx.PDUSessionSetupItem{{ID: nw.LastSM.PSI, NASPDU: dl, SNSSAI: nasx.SNSSAI{SST: 1}, Transfer: tr}}})
		default:
			a.send(to, stream, &ngapx.DownlinkNASTransport{AMFUENGAPID: amfID, RANUENGAPID: ran, NASPDU: dl})
		}
	}
}

func mustPLMN() nasx.PLMN {
	p, err := nasx.NewPLMN("001", "01")
	Expect(err).NotTo(HaveOccurred())
	return p
}

// expect reads received messages until one named name arrives.
func (a *scriptAMF) expect(name string) got {
	deadline := time.After(10 * time.Second)
	for {
		select {
		case g := <-a.ch:
			if g.err == nil && gnb.MessageName(g.msg) == name {
				return g
			}
		case <-deadline:
			Fail("scripted AMF never received " + name)
			return got{}
		}
	}
}

// drain forgets what was received so far.
func (a *scriptAMF) drain() {
	for {
		select {
		case <-a.ch:
		default:
			return
		}
	}
}

// subscribers draws n credentials sharing one Profile A home network key.
func subscribers(r *rand.ChaCha8, n int) ([]usim.Credential, suci.KeyRing) {
	first, ring, err := netsim.NewCredential(r, ident.SchemeProfileA, "0000000001")
	Expect(err).NotTo(HaveOccurred())
	out := []usim.Credential{first}
	for i := 1; i < n; i++ {
		c, _, err := netsim.NewCredential(r, ident.SchemeNull, fmt.Sprintf("%010d", i+1))
		Expect(err).NotTo(HaveOccurred())
		c.Scheme, c.HNKey, c.HNKeyID = first.Scheme, first.HNKey, first.HNKeyID
		out = append(out, c)
	}
	return out, ring
}
