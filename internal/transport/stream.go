package transport

import (
	"context"
	"net/netip"
)

// StreamHandler receives messages like Handler and also the SCTP stream id
// they came on (N2; 0 on other kinds). TS 38.412 §7: one stream pair is
// reserved for non-UE-associated signalling, UE-associated signalling uses
// the others.
type StreamHandler func(from netip.AddrPort, stream uint16, payload []byte)

// StreamEndpoint is an Endpoint that can also choose the stream a message
// goes on. Send is SendStream on stream 0.
type StreamEndpoint interface {
	Endpoint
	SendStream(ctx context.Context, to netip.AddrPort, stream uint16, payload []byte) error
}

// StreamListener is implemented by networks whose endpoints carry stream ids
// (both MemNetwork and NetNetwork): use it for N2.
type StreamListener interface {
	ListenStream(k Kind, addr netip.AddrPort, h StreamHandler) (StreamEndpoint, error)
}

// SBIInjector is implemented by networks that can exchange an
// attacker-made SBI request and hand back the response (both MemNetwork and
// NetNetwork). Inject does the same exchange and discards the response.
type SBIInjector interface {
	InjectSBI(ctx context.Context, p Packet) (Packet, error)
}

// handlerOf adapts a Handler to a StreamHandler.
func handlerOf(h Handler) StreamHandler {
	if h == nil {
		return nil
	}
	return func(from netip.AddrPort, _ uint16, payload []byte) { h(from, payload) }
}

// empty reports whether no interceptor is installed, so the hot paths can
// skip Apply and its one-packet slice.
func (c *Chain) empty() bool {
	lp := c.list.Load()
	return lp == nil || len(*lp) == 0
}
