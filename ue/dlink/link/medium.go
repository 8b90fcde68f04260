package link

import (
	"math/rand/v2"
	"net/netip"
	"sync"

	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/ue/dlink"
)

// Medium returns an interceptor that applies a preset's loss and range to
// direct-link packets: each DL packet is dropped with probability p.Loss,
// and every DL packet between endpoints farther apart than p.Range (as
// distance reports, in metres; nil means in range) is dropped. Other kinds
// pass untouched. Latency is not applied here: a delaying interceptor needs
// Network.Inject and a clock (the testbed's fault capabilities).
func Medium(p dlink.Preset, rnd *rand.Rand, distance func(from, to netip.AddrPort) float64) transport.Interceptor {
	var mu sync.Mutex
	return func(pk transport.Packet) []transport.Packet {
		if pk.Kind != transport.DL {
			return []transport.Packet{pk}
		}
		if distance != nil && distance(pk.From, pk.To) > p.Range {
			return nil
		}
		if p.Loss > 0 {
			mu.Lock()
			lost := rnd.Float64() < p.Loss
			mu.Unlock()
			if lost {
				return nil
			}
		}
		return []transport.Packet{pk}
	}
}
