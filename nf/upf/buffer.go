package upf

import (
	"bytes"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/credbed/credbed/internal/trace"
)

// Downlink buffering (TS 29.244 §5.2.1, §5.2.3, §5.2.4): while a session's
// downlink FAR says BUFF (no gNB tunnel yet, or the AN is released), the
// packets N6 brings for it wait in a small per-session queue. A Session
// Modification after which the FAR no longer buffers releases them, in
// arrival order, through the session's new rules (forwarded with the outer
// header towards the gNB); a deletion discards them. A queue exists only
// while it holds packets; there is no goroutine or timer per session.

const numBufShards = 64

// bufQueue is one session's buffered downlink packets, oldest first.
type bufQueue struct {
	pkts  [][]byte
	bytes int
}

type bufShard struct {
	mu sync.Mutex
	m  map[uint64]*bufQueue // UP SEID -> queue; nil until first used
	_  [48]byte
}

// buffers holds every session's queue, sharded by UP SEID.
type buffers struct {
	shards [numBufShards]bufShard
	bytes  atomic.Int64 // bytes held by all queues
	pkts   atomic.Int64 // packets held by all queues
}

func (b *buffers) shard(seid uint64) *bufShard {
	return &b.shards[(seid*0x9E3779B97F4A7C15)>>58]
}

// take removes and returns seid's queue (nil when nothing is buffered).
func (b *buffers) take(seid uint64) *bufQueue {
	sh := b.shard(seid)
	sh.mu.Lock()
	q := sh.m[seid]
	if q != nil {
		delete(sh.m, seid)
	}
	sh.mu.Unlock()
	if q != nil {
		b.bytes.Add(-int64(q.bytes))
		b.pkts.Add(-int64(len(q.pkts)))
	}
	return q
}

// count returns the packets buffered for seid.
func (b *buffers) count(seid uint64) int {
	sh := b.shard(seid)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if q := sh.m[seid]; q != nil {
		return len(q.pkts)
	}
	return 0
}

type bufResult uint8

const (
	bufQueued bufResult = iota
	bufFirst            // queued, and the session's queue was empty
	bufFull             // a bound refused it
	bufStale            // the rules changed since rs was loaded: look again
)

// enqueue buffers a copy of pkt for rs's session, unless a bound refuses
// it. It re-checks, under the queue's lock, that rs is still the rule set
// for dst: a modification publishes its rules before it takes the queue,
// so a packet is either queued before the take or sees the new rules, and
// none is left behind.
func (u *UPF) enqueue(rs *ruleSet, dst uint32, p *fastPDR, pkt []byte) bufResult {
	sh := u.bufs.shard(rs.seid)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if u.dl.load(dst) != rs {
		return bufStale
	}
	q := sh.m[rs.seid]
	held, n := 0, len(pkt)
	if q != nil {
		held = q.bytes
		if len(q.pkts) >= int(p.bufPackets) {
			return bufFull
		}
	}
	if held+n > u.cfg.BufferBytes || u.bufs.bytes.Load()+int64(n) > int64(u.cfg.BufferTotalBytes) {
		return bufFull
	}
	r := bufQueued
	if q == nil {
		if sh.m == nil {
			sh.m = map[uint64]*bufQueue{}
		}
		q = &bufQueue{pkts: make([][]byte, 0, min(int(p.bufPackets), 4))}
		sh.m[rs.seid] = q
		r = bufFirst
	}
	q.pkts = append(q.pkts, bytes.Clone(pkt))
	q.bytes += n
	u.bufs.bytes.Add(int64(n))
	u.bufs.pkts.Add(1)
	return r
}

// buffering reports whether the downlink rules of s (u.mu held) buffer.
func (u *UPF) buffering(s *session) bool {
	for _, k := range s.ueIPs {
		if rs := u.dl.load(k); rs != nil && rs.pdrs[0].buffers() {
			return true
		}
	}
	return false
}

// release sends the packets of a queue taken from a session whose downlink
// FAR stopped buffering, oldest first, through the rules now installed.
func (u *UPF) release(seid uint64, q *bufQueue) {
	if q == nil {
		return
	}
	u.emit(trace.Event{Kind: trace.KindNote, Iface: trace.IfaceN6, Name: "buffered downlink released",
		Detail: fmt.Sprintf("up-seid=%#x packets=%d bytes=%d", seid, len(q.pkts), q.bytes)})
	for _, pkt := range q.pkts {
		u.c.bufReleased.Add(1)
		_, dst, err := ipv4Addrs(pkt)
		if err != nil { // checked when it was buffered
			continue
		}
		u.downlink(netip.AddrPort{}, dst, pkt)
	}
}

// discard drops a deleted session's buffered packets (u.mu held).
func (u *UPF) discard(s *session, why string) {
	q := u.bufs.take(s.upSEID)
	if q == nil {
		return
	}
	u.c.drops[DropBufferDiscarded].Add(uint64(len(q.pkts)))
	u.emit(trace.Event{Kind: trace.KindDrop, Iface: trace.IfaceN6, Name: "buffered downlink",
		Cause:  DropBufferDiscarded.String(),
		Detail: fmt.Sprintf("up-seid=%#x packets=%d bytes=%d (%s)", s.upSEID, len(q.pkts), q.bytes, why)})
}
