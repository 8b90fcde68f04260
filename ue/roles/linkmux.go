package roles

import (
	"context"
	"fmt"
	"net/netip"
	"sync"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/ue/dlink"
)

// linkMux shares one direct-link endpoint between the exchanges a PD runs
// at once, one per peer: a received fragment goes to the driver talking to
// its sender. Frames from a peer with no running exchange are dropped (and
// traced).
type linkMux struct {
	actor string
	sink  trace.Sink

	mu     sync.Mutex
	ep     transport.Endpoint
	peers  map[netip.AddrPort]transport.Handler
	closed bool
}

func newLinkMux(actor string, sink trace.Sink) *linkMux {
	return &linkMux{actor: actor, sink: sink, peers: map[netip.AddrPort]transport.Handler{}}
}

func (m *linkMux) attach(ep transport.Endpoint) {
	m.mu.Lock()
	m.ep = ep
	m.mu.Unlock()
}

func (m *linkMux) handle(from netip.AddrPort, payload []byte) {
	m.mu.Lock()
	h := m.peers[from]
	m.mu.Unlock()
	if h == nil {
		m.sink.Emit(trace.Event{Kind: trace.KindDrop, Actor: m.actor, Peer: from.String(), Iface: trace.IfaceDL,
			Name: "fragment", Cause: dlink.DropUnexpected, Detail: "no exchange with this peer"})
		return
	}
	h(from, payload)
}

// open registers h for frames from peer and returns the endpoint the
// exchange's driver sends with; closing it ends the registration only.
func (m *linkMux) open(peer netip.AddrPort, h transport.Handler) (transport.Endpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.closed:
		return nil, ErrClosed
	case m.ep == nil:
		return nil, ErrNotStarted
	}
	if _, busy := m.peers[peer]; busy {
		return nil, fmt.Errorf("%w: %v", ErrBusy, peer)
	}
	m.peers[peer] = h
	return &muxEndpoint{m: m, peer: peer, ep: m.ep}, nil
}

func (m *linkMux) release(peer netip.AddrPort) {
	m.mu.Lock()
	delete(m.peers, peer)
	m.mu.Unlock()
}

// close closes the shared endpoint.
func (m *linkMux) close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	ep := m.ep
	m.peers = map[netip.AddrPort]transport.Handler{}
	m.mu.Unlock()
	if ep == nil {
		return nil
	}
	return ep.Close()
}

// muxEndpoint is one exchange's view of the shared endpoint.
type muxEndpoint struct {
	m    *linkMux
	peer netip.AddrPort
	ep   transport.Endpoint
	once sync.Once
}

func (e *muxEndpoint) LocalAddr() netip.AddrPort { return e.ep.LocalAddr() }

func (e *muxEndpoint) Send(ctx context.Context, to netip.AddrPort, payload []byte) error {
	return e.ep.Send(ctx, to, payload)
}

func (e *muxEndpoint) Close() error {
	e.once.Do(func() { e.m.release(e.peer) })
	return nil
}
