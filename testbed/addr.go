package testbed

import (
	"fmt"
	"net/netip"
	"os"
	"sync"

	"github.com/credbed/credbed/internal/transport"
)

// Plan is the loopback address plan of one bed. NFs get stable addresses so
// captures read the same in mem and net mode; net-mode beds in one process
// each get their own second octet so their well-known ports never clash.
type Plan struct {
	octet byte
}

// Well-known last octets of the NF addresses.
const (
	hostSMF  = 2
	hostUDM  = 3
	hostUDR  = 4
	hostUPF  = 8
	hostAUSF = 9
	hostNRF  = 10
	hostAANF = 11
	hostAMF  = 18
	hostDN   = 20
	hostCPF  = 21
)

// SBI port in net mode (80 needs privileges on some machines).
const netSBIPort = 8000

var (
	netOctetsMu sync.Mutex
	netOctets   = map[byte]bool{}
)

// newPlan reserves an address plan. Net-mode plans start at an octet
// derived from the process id, so test binaries running side by side
// rarely collide; New retries with the next plan when a bind fails.
func newPlan(mode string, skip map[byte]bool) (Plan, func(), error) {
	if mode != "net" {
		return Plan{octet: 0}, func() {}, nil
	}
	netOctetsMu.Lock()
	defer netOctetsMu.Unlock()
	start := 100 + os.Getpid()%150
	for i := 0; i < 150; i++ {
		o := byte(100 + (start-100+i)%150)
		if !netOctets[o] && !skip[o] {
			netOctets[o] = true
			return Plan{octet: o}, func() {
				netOctetsMu.Lock()
				delete(netOctets, o)
				netOctetsMu.Unlock()
			}, nil
		}
	}
	return Plan{}, nil, fmt.Errorf("testbed: too many net-mode beds in this process")
}

func (p Plan) ip(third, host byte) netip.Addr {
	return netip.AddrFrom4([4]byte{127, p.octet, third, host})
}

// NF returns the address of the NF with the given last octet.
func (p Plan) NF(host byte) netip.Addr { return p.ip(0, host) }

// SBI returns the SBI address of an NF.
func (p Plan) SBI(host byte, mode string) netip.AddrPort {
	port := uint16(transport.PortSBI)
	if mode == "net" {
		port = netSBIPort
	}
	return netip.AddrPortFrom(p.NF(host), port)
}

// GNB returns the address of gNB i (0-based).
func (p Plan) GNB(i int) netip.Addr { return p.ip(1, byte(i+1)) }

// Attacker returns the address of attacker i.
func (p Plan) Attacker(i int) netip.Addr { return p.ip(2, byte(i+1)) }

// Device returns the direct-link address of device i.
func (p Plan) Device(i int) netip.AddrPort {
	return netip.AddrPortFrom(p.ip(3+byte(i/250), byte(i%250+1)), transport.PortDL)
}

// Node returns the address of a node by name: nrf, udr, udm, ausf, aanf,
// amf, smf, upf, dn, cpf, or gnb (the first gNB).
func (p Plan) Node(name string) (netip.Addr, bool) {
	switch name {
	case "smf":
		return p.NF(hostSMF), true
	case "udm":
		return p.NF(hostUDM), true
	case "udr":
		return p.NF(hostUDR), true
	case "upf":
		return p.NF(hostUPF), true
	case "ausf":
		return p.NF(hostAUSF), true
	case "nrf":
		return p.NF(hostNRF), true
	case "aanf":
		return p.NF(hostAANF), true
	case "amf":
		return p.NF(hostAMF), true
	case "dn":
		return p.NF(hostDN), true
	case "cpf":
		return p.NF(hostCPF), true
	case "gnb":
		return p.GNB(0), true
	}
	return netip.Addr{}, false
}
