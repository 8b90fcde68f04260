package transport

import (
	"sync"
	"sync/atomic"
)

// Interceptor looks at one packet and decides its fate: return it unchanged
// to pass it, nil (or empty) to drop it, a modified copy to replace it, or
// several packets to duplicate or add. An interceptor that delays a packet
// drops it here and injects it later through Network.Inject.
type Interceptor func(p Packet) []Packet

// Chain is an ordered list of interceptors. Reading it on the hot path takes
// no lock: the list is copied on write.
type Chain struct {
	mu   sync.Mutex
	list atomic.Pointer[[]entry]
	next uint64
}

type entry struct {
	id   uint64
	name string
	f    Interceptor
}

// Add appends an interceptor and returns a function that removes it.
func (c *Chain) Add(name string, f Interceptor) (remove func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next++
	id := c.next
	var cur []entry
	if p := c.list.Load(); p != nil {
		cur = *p
	}
	nl := make([]entry, 0, len(cur)+1)
	nl = append(nl, cur...)
	nl = append(nl, entry{id: id, name: name, f: f})
	c.list.Store(&nl)
	return func() { c.remove(id) }
}

func (c *Chain) remove(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.list.Load()
	if p == nil {
		return
	}
	nl := make([]entry, 0, len(*p))
	for _, e := range *p {
		if e.id != id {
			nl = append(nl, e)
		}
	}
	c.list.Store(&nl)
}

// Names lists the installed interceptors in order.
func (c *Chain) Names() []string {
	p := c.list.Load()
	if p == nil {
		return nil
	}
	out := make([]string, 0, len(*p))
	for _, e := range *p {
		out = append(out, e.name)
	}
	return out
}

// Apply runs p through every interceptor in order and returns what to deliver.
// With no interceptors installed it returns p without allocating.
func (c *Chain) Apply(p Packet) []Packet {
	lp := c.list.Load()
	if lp == nil || len(*lp) == 0 {
		return []Packet{p}
	}
	cur := []Packet{p}
	for _, e := range *lp {
		var next []Packet
		for _, q := range cur {
			next = append(next, e.f(q)...)
		}
		cur = next
		if len(cur) == 0 {
			return nil
		}
	}
	return cur
}
