package intercept

import (
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/credbed/credbed/internal/transport"
)

// Match selects packets. A nil Match selects every packet.
type Match func(p transport.Packet) bool

func (m Match) ok(p transport.Packet) bool { return m == nil || m(p) }

// All selects every packet.
func All() Match { return func(transport.Packet) bool { return true } }

// Kind selects packets of the given link kinds.
func Kind(kinds ...transport.Kind) Match {
	ks := slices.Clone(kinds)
	return func(p transport.Packet) bool { return slices.Contains(ks, p.Kind) }
}

// From selects packets sent from a (address and port).
func From(a netip.AddrPort) Match {
	return func(p transport.Packet) bool { return p.From == a }
}

// FromAddr selects packets sent from ip, any port (use it in net mode, where
// SBI clients use ephemeral ports).
func FromAddr(ip netip.Addr) Match {
	return func(p transport.Packet) bool { return p.From.Addr() == ip }
}

// To selects packets sent to a (address and port).
func To(a netip.AddrPort) Match {
	return func(p transport.Packet) bool { return p.To == a }
}

// ToAddr selects packets sent to ip, any port.
func ToAddr(ip netip.Addr) Match {
	return func(p transport.Packet) bool { return p.To.Addr() == ip }
}

// Requests selects SBI requests.
func Requests() Match {
	return func(p transport.Packet) bool { return p.Kind == transport.SBI && !p.Response }
}

// Responses selects SBI responses.
func Responses() Match {
	return func(p transport.Packet) bool { return p.Kind == transport.SBI && p.Response }
}

// Method selects SBI requests and responses of an HTTP method.
func Method(m string) Match {
	return func(p transport.Packet) bool { return p.Kind == transport.SBI && p.Method == m }
}

// Path selects SBI requests and responses whose path (without the query)
// equals path.
func Path(path string) Match {
	return func(p transport.Packet) bool {
		if p.Kind != transport.SBI {
			return false
		}
		q, _, _ := strings.Cut(p.Path, "?")
		return q == path
	}
}

// PathPrefix selects SBI requests and responses whose path starts with prefix
// (an API prefix such as "/nausf-auth/v1/").
func PathPrefix(prefix string) Match {
	return func(p transport.Packet) bool {
		return p.Kind == transport.SBI && strings.HasPrefix(p.Path, prefix)
	}
}

// Status selects SBI responses with the given status.
func Status(code int) Match {
	return func(p transport.Packet) bool { return p.Kind == transport.SBI && p.Response && p.Status == code }
}

// Stream selects N2 packets on an SCTP stream id.
func Stream(id uint16) Match {
	return func(p transport.Packet) bool { return p.Kind == transport.N2 && p.Stream == id }
}

// Injected selects packets made by an attacker or fault (or re-sent by Delay).
func Injected() Match { return func(p transport.Packet) bool { return p.Injected } }

// Payload selects packets whose payload satisfies f.
func Payload(f func([]byte) bool) Match {
	return func(p transport.Packet) bool { return f(p.Payload) }
}

// And selects packets every m selects.
func And(ms ...Match) Match {
	ms = slices.Clone(ms)
	return func(p transport.Packet) bool {
		for _, m := range ms {
			if !m.ok(p) {
				return false
			}
		}
		return true
	}
}

// Or selects packets some m selects.
func Or(ms ...Match) Match {
	ms = slices.Clone(ms)
	return func(p transport.Packet) bool {
		for _, m := range ms {
			if m.ok(p) {
				return true
			}
		}
		return false
	}
}

// Not selects packets m does not select.
func Not(m Match) Match { return func(p transport.Packet) bool { return !m.ok(p) } }

// First selects only the first n packets m selects (safe for concurrent use).
func First(n int, m Match) Match {
	var seen atomic.Int64
	return func(p transport.Packet) bool {
		if !m.ok(p) {
			return false
		}
		return seen.Add(1) <= int64(n)
	}
}
