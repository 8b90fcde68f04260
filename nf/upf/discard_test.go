package upf_test

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"sync/atomic"

	"github.com/credbed/credbed/internal/transport"
)

// discardNet is a transport.Network whose endpoints drop what they send
// (and count it): benchmarks and fuzz targets drive the UPF's handlers
// directly and measure the UPF alone.
type discardNet struct {
	chain transport.Chain
	sent  atomic.Uint64
}

type discardEP struct {
	n    *discardNet
	addr netip.AddrPort
}

var errNoSBI = errors.New("discardNet: no SBI")

func (n *discardNet) Mode() string { return "discard" }
func (n *discardNet) Listen(_ transport.Kind, addr netip.AddrPort, _ transport.Handler) (transport.Endpoint, error) {
	return &discardEP{n: n, addr: addr}, nil
}
func (n *discardNet) ServeSBI(netip.AddrPort, http.Handler) (string, func() error, error) {
	return "", nil, errNoSBI
}
func (n *discardNet) SBIClient(netip.AddrPort) *http.Client             { return &http.Client{} }
func (n *discardNet) Inject(context.Context, transport.Packet) error    { return errNoSBI }
func (n *discardNet) Chain() *transport.Chain                           { return &n.chain }
func (n *discardNet) N2Carrier() string                                 { return "none" }
func (n *discardNet) Close() error                                      { return nil }
func (e *discardEP) LocalAddr() netip.AddrPort                          { return e.addr }
func (e *discardEP) Close() error                                       { return nil }
func (e *discardEP) Send(context.Context, netip.AddrPort, []byte) error { e.n.sent.Add(1); return nil }
