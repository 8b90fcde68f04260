package intercept

import (
	"context"
	"time"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/transport"
)

// Injector sends a packet through a network's chain (transport.Network
// satisfies it).
type Injector interface {
	Inject(ctx context.Context, p transport.Packet) error
}

// Observe calls fn with every packet and passes it unchanged. fn must not
// modify the packet or keep its Payload or Header without cloning them.
func Observe(fn func(p transport.Packet)) transport.Interceptor {
	return func(p transport.Packet) []transport.Packet {
		fn(p)
		return []transport.Packet{p}
	}
}

// Drop discards the packets m selects. A dropped SBI request or response
// fails the client's call like a reset stream.
func Drop(m Match) transport.Interceptor {
	return func(p transport.Packet) []transport.Packet {
		if m.ok(p) {
			return nil
		}
		return []transport.Packet{p}
	}
}

// Duplicate delivers the packets m selects twice: the original, then a
// copy marked Injected. For an SBI request the server handles both and the
// client gets the response to the original.
func Duplicate(m Match) transport.Interceptor {
	return func(p transport.Packet) []transport.Packet {
		if !m.ok(p) {
			return []transport.Packet{p}
		}
		d := p.Clone()
		d.Injected = true
		return []transport.Packet{p, d}
	}
}

// Modify passes the packets m selects through fn, which edits a deep copy
// (payload, header, addresses, stream, status).
func Modify(m Match, fn func(p *transport.Packet)) transport.Interceptor {
	return func(p transport.Packet) []transport.Packet {
		if !m.ok(p) {
			return []transport.Packet{p}
		}
		q := p.Clone()
		fn(&q)
		return []transport.Packet{q}
	}
}

// Delay holds the packets m selects for d on clk, then injects them through
// inj (a Network), which runs the chain again; packets already marked
// Injected pass undelayed, so a delayed packet is delayed once. A delayed
// SBI request fails the client's call at once and reaches the server later
// (its response is discarded): the shape of a late retransmission. A
// delayed packet whose destination is gone by then is lost, as on a real
// link.
func Delay(inj Injector, clk clock.Clock, d time.Duration, m Match) transport.Interceptor {
	return func(p transport.Packet) []transport.Packet {
		if p.Injected || !m.ok(p) {
			return []transport.Packet{p}
		}
		q := p.Clone()
		clk.AfterFunc(d, func() { _ = inj.Inject(context.Background(), q) })
		return nil
	}
}
