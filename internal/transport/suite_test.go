package transport_test

import (
	"net/netip"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/transport"
)

func TestTransport(t *testing.T) {
	RegisterFailHandler(Fail)
	SetDefaultEventuallyPollingInterval(time.Millisecond)
	RunSpecs(t, "transport")
}

// msg is one delivered message.
type msg struct {
	from    netip.AddrPort
	stream  uint16
	payload []byte
}

// collector returns a handler that forwards every message to a channel.
func collector() (transport.StreamHandler, chan msg) {
	ch := make(chan msg, 4096)
	return func(from netip.AddrPort, stream uint16, payload []byte) {
		ch <- msg{from, stream, payload}
	}, ch
}

// mode builds one kind of network for the shared specs.
type mode struct {
	name string
	make func() transport.Network
}

var modes = []mode{
	{"mem", func() transport.Network { return transport.NewMem(transport.MemOptions{}) }},
	{"net", func() transport.Network { return transport.NewNet(transport.NetOptions{}) }},
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// listen binds a stream endpoint and registers its Close.
func listen(nw transport.Network, k transport.Kind, addr string, h transport.StreamHandler) transport.StreamEndpoint {
	GinkgoHelper()
	e, err := nw.(transport.StreamListener).ListenStream(k, ap(addr), h)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(e.Close)
	return e
}
