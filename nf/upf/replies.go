package upf

import (
	"hash/fnv"
	"net/netip"
)

// replyCache remembers the last responses sent, so a retransmitted request
// (same peer, sequence number and bytes) gets the same response without
// being executed twice (TS 29.244 §6.4). Bounded FIFO; N4 side only (u.mu).
type replyCache struct {
	m    map[replyKey]reply
	ring []replyKey
	next int
}

type replyKey struct {
	peer netip.AddrPort
	seq  uint32
	typ  uint8
}

type reply struct {
	reqHash uint64
	resp    []byte
}

func newReplyCache(n int) replyCache {
	return replyCache{m: make(map[replyKey]reply, n), ring: make([]replyKey, n)}
}

func hashBytes(b []byte) uint64 {
	h := fnv.New64a()
	_, _ = h.Write(b)
	return h.Sum64()
}

func (c *replyCache) lookup(k replyKey, req []byte) ([]byte, bool) {
	r, ok := c.m[k]
	if !ok || r.reqHash != hashBytes(req) {
		return nil, false
	}
	return r.resp, true
}

func (c *replyCache) store(k replyKey, req, resp []byte) {
	if _, ok := c.m[k]; !ok {
		old := c.ring[c.next]
		delete(c.m, old)
		c.ring[c.next] = k
		c.next = (c.next + 1) % len(c.ring)
	}
	c.m[k] = reply{reqHash: hashBytes(req), resp: resp}
}
