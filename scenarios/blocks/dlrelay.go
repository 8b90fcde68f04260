package blocks

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"net/netip"
	"sync"

	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue/dlink"
)

// Helpers of the direct-link capabilities (dl_mitm, dl_downgrade,
// dl_edit_credential, dl_replay, dl_flood, rogue_provision): a frame-level
// relay over the fragment format of ue/dlink, the medium of the run, and
// seeded randomness for attacker keys.

// dlEdit rewrites one complete direct-link frame sent by p.From. It returns
// the frame to deliver instead and true, or false to deliver the original
// fragments untouched. It runs under the relay's lock.
type dlEdit func(p transport.Packet, frame []byte) ([]byte, bool)

// dlRelay is a man in the middle of the direct link: it reassembles each
// sender's fragments (holding them until the frame is complete), hands the
// frame to edit, and sends an edited frame fragmented again to the medium's
// MTU under the original message sequence number. A retransmission (the
// same frame bytes again from the same sender) gets the same answer, so an
// edit that draws keys stays consistent across retries.
type dlRelay struct {
	mtu  int
	edit dlEdit

	mu    sync.Mutex
	peers map[netip.AddrPort]*dlHeld
}

// dlHeld is the state kept for one sender.
type dlHeld struct {
	r      dlink.Reassembler
	seq    byte
	count  byte
	seen   [dlink.MaxFragments]bool
	parts  []transport.Packet
	lastIn []byte
	last   []transport.Packet
}

// maxRelayPeers bounds the senders a relay keeps state for.
const maxRelayPeers = 64

func newDLRelay(mtu int, edit dlEdit) *dlRelay {
	return &dlRelay{mtu: mtu, edit: edit, peers: map[netip.AddrPort]*dlHeld{}}
}

// intercept is the relay's transport.Interceptor.
func (d *dlRelay) intercept(p transport.Packet) []transport.Packet {
	b := p.Payload
	if p.Kind != transport.DL || len(b) < dlink.FragmentHeaderSize || b[0] != dlink.FragmentMagic || b[3] == 0 {
		return []transport.Packet{p}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	h := d.peers[p.From]
	if h == nil {
		if len(d.peers) >= maxRelayPeers {
			clear(d.peers)
		}
		h = &dlHeld{}
		d.peers[p.From] = h
	}
	seq, idx, n := b[1], b[2], b[3]
	if h.parts == nil || seq != h.seq || n != h.count {
		h.parts, h.seq, h.count, h.seen = nil, seq, n, [dlink.MaxFragments]bool{}
	}
	if int(idx) < len(h.seen) && h.seen[idx] {
		return nil // a duplicate fragment of a held frame: the reassembler ignores it too
	}
	frame, err := h.r.Push(b)
	if err != nil {
		h.parts = nil
		return []transport.Packet{p} // let the receiver drop it
	}
	if int(idx) < len(h.seen) {
		h.seen[idx] = true
	}
	h.parts = append(h.parts, p.Clone())
	if frame == nil {
		return nil // held until the frame is complete
	}
	parts := h.parts
	h.parts = nil
	if h.lastIn != nil && bytes.Equal(frame, h.lastIn) {
		return clonePackets(h.last)
	}
	out := parts
	if edited, ok := d.edit(parts[0], frame); ok {
		frags, err := dlink.Fragment(edited, d.mtu, seq)
		if err == nil {
			out = make([]transport.Packet, 0, len(frags))
			for _, f := range frags {
				q := parts[0].Clone()
				q.Payload = f
				out = append(out, q)
			}
		}
	}
	h.lastIn, h.last = frame, clonePackets(out)
	return out
}

func clonePackets(ps []transport.Packet) []transport.Packet {
	out := make([]transport.Packet, len(ps))
	for i, p := range ps {
		out[i] = p.Clone()
	}
	return out
}

// dlMedium returns the direct-link preset of the running scenario's
// topology (BLE by default).
func dlMedium(st *scenarios.State) dlink.Preset {
	if p, ok := dlink.LookupPreset(st.Scenario().Topology.DirectLink); ok {
		return p
	}
	p, _ := dlink.LookupPreset(dlink.PresetBLE)
	return p
}

// dlFrameOf decodes a complete frame, or returns nil.
func dlFrameOf(frame []byte) dlink.Frame {
	f, err := dlink.Decode(frame)
	if err != nil {
		return nil
	}
	return f
}

// seededReader is an io.Reader of reproducible bytes drawn from the run's
// seed (attacker keys and nonces). It is safe for concurrent use.
type seededReader struct {
	mu sync.Mutex
	c  *rand.ChaCha8
}

func newSeededReader(st *scenarios.State) *seededReader {
	r := st.NewRand()
	var seed [32]byte
	for i := 0; i < len(seed); i += 8 {
		binary.LittleEndian.PutUint64(seed[i:], r.Uint64())
	}
	return &seededReader{c: rand.NewChaCha8(seed)}
}

func (s *seededReader) Read(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c.Read(b)
}

var _ io.Reader = (*seededReader)(nil)
