package dlink_test

import (
	"bytes"
	"testing"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/ue/dlink"
)

// plainSetup builds a PD and a TD without Gomega (for fuzz seeds and benchmarks).
type plainSetup struct {
	rnd    interface{ Read([]byte) (int, error) }
	clk    *clock.Fake
	td     credential.Identity
	pkg    credential.Package
	sealed []byte
}

func newPlainSetup(tb testing.TB, seed int64) *plainSetup {
	tb.Helper()
	s := &plainSetup{rnd: newRand(seed, 1), clk: clock.NewFake(epoch)}
	var err error
	if s.td, err = credential.NewIdentity(s.rnd, "td-0001"); err != nil {
		tb.Fatal(err)
	}
	s.pkg = makePackage("td-0001", 7, 0x42)
	b := s.td.Bootstrap()
	if s.sealed, err = credential.Seal(s.rnd, b.Key, credential.SealAAD(b.DeviceID, b.Hash()), s.pkg); err != nil {
		tb.Fatal(err)
	}
	return s
}

func (s *plainSetup) pair(tb testing.TB, v dlink.Variant) (*dlink.Initiator, *dlink.Responder) {
	tb.Helper()
	icfg := dlink.InitiatorConfig{Variant: v, Target: s.td.Bootstrap(), Sealed: s.sealed, Binding: s.pkg.Binding}
	if v == dlink.Baseline {
		p := s.pkg
		icfg = dlink.InitiatorConfig{Variant: v, Package: &p}
	}
	pd, err := dlink.NewInitiator(icfg, dlink.Deps{Rand: s.rnd})
	if err != nil {
		tb.Fatal(err)
	}
	td, err := dlink.NewResponder(dlink.ResponderConfig{Variant: v, Identity: s.td}, dlink.Deps{Rand: s.rnd, Clock: s.clk})
	if err != nil {
		tb.Fatal(err)
	}
	return pd, td
}

// exchange runs one handshake, returning every frame in order and the PD result.
func exchange(pd *dlink.Initiator, td *dlink.Responder, keep bool) ([][]byte, *dlink.Result) {
	var all [][]byte
	type msg struct {
		toTD bool
		b    []byte
	}
	out := pd.Start()
	q := make([]msg, 0, 8)
	for _, b := range out.Frames {
		q = append(q, msg{true, b})
	}
	res := out.Result
	for len(q) > 0 {
		m := q[0]
		q = q[1:]
		if keep {
			all = append(all, m.b)
		}
		if m.toTD {
			for _, b := range td.Receive(m.b).Frames {
				q = append(q, msg{false, b})
			}
		} else {
			o := pd.Receive(m.b)
			if o.Result != nil {
				res = o.Result
			}
			for _, b := range o.Frames {
				q = append(q, msg{true, b})
			}
		}
	}
	return all, res
}

func seedFrames(f *testing.F) [][]byte {
	s := newPlainSetup(f, 1)
	pd, td := s.pair(f, dlink.Secure)
	frames, res := exchange(pd, td, true)
	if res == nil || !res.OK() {
		f.Fatal("seed handshake failed")
	}
	pdB, tdB := s.pair(f, dlink.Baseline)
	more, _ := exchange(pdB, tdB, true)
	return append(frames, more...)
}

// FuzzDecode: no panic, never a nil frame without an error, and an accepted
// input re-encodes to the same bytes (the encoding is canonical).
func FuzzDecode(f *testing.F) {
	for _, b := range seedFrames(f) {
		f.Add(b)
	}
	f.Add([]byte{1, 7, 0, 0, 0, 1, 0, 5, 0x10, 0, 0, 1, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := dlink.Decode(b)
		if err != nil {
			if fr != nil {
				t.Fatal("frame and error")
			}
			return
		}
		if fr == nil {
			t.Fatal("nil frame without error")
		}
		again, err := dlink.Marshal(fr)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("not canonical: %v\n in %x\nout %x", err, b, again)
		}
		if _, err := dlink.ParseRaw(b); err != nil {
			t.Fatalf("ParseRaw rejects a valid frame: %v", err)
		}
	})
}

// FuzzReassembler: arbitrary fragment streams never panic and never exceed
// the frame limit.
func FuzzReassembler(f *testing.F) {
	frags, _ := dlink.Fragment(make([]byte, 300), 64, 1)
	f.Add(bytes.Join(frags, nil), uint8(64))
	f.Add([]byte{0xD1, 0, 0, 1, 9}, uint8(5))
	f.Fuzz(func(t *testing.T, stream []byte, size uint8) {
		r := dlink.Reassembler{MaxFrame: 512}
		n := max(int(size), dlink.FragmentHeaderSize)
		for len(stream) > 0 {
			k := min(n, len(stream))
			out, err := r.Push(stream[:k])
			if err == nil && len(out) > 512 {
				t.Fatalf("frame of %d bytes over the limit", len(out))
			}
			stream = stream[k:]
		}
	})
}

// FuzzResponder: a TD in any state survives arbitrary frames and never
// installs a credential from them.
func FuzzResponder(f *testing.F) {
	for _, b := range seedFrames(f) {
		f.Add(b)
	}
	s := newPlainSetup(f, 2)
	f.Fuzz(func(t *testing.T, b []byte) {
		pd, td := s.pair(t, dlink.Secure)
		td.Receive(b)
		// Also in the middle of a session.
		req := pd.Start().Frames[0]
		td.Receive(req)
		out := td.Receive(b)
		if td.Provisioned() || (out.Result != nil && out.Result.OK()) {
			t.Fatal("credential installed from a fuzzed frame")
		}
		pd.Receive(b)
	})
}

// FuzzParseCapabilities: no panic; accepted values re-encode identically.
func FuzzParseCapabilities(f *testing.F) {
	b, _ := dlink.DefaultCapabilities(dlink.RoleEnrollee).MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := dlink.ParseCapabilities(b)
		if err != nil {
			return
		}
		again, err := c.MarshalBinary()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("not canonical: %x -> %x", b, again)
		}
	})
}

// BenchmarkHandshake measures one full secure provisioning (PD and TD side,
// including opening the sealed credential).
func BenchmarkHandshake(b *testing.B) {
	s := newPlainSetup(b, 3)
	b.ReportAllocs()
	for b.Loop() {
		pd, td := s.pair(b, dlink.Secure)
		if _, res := exchange(pd, td, false); res == nil || !res.OK() {
			b.Fatal("handshake failed")
		}
	}
}

// BenchmarkHandshakeBaseline measures the naive one-frame protocol.
func BenchmarkHandshakeBaseline(b *testing.B) {
	s := newPlainSetup(b, 4)
	b.ReportAllocs()
	for b.Loop() {
		pd, td := s.pair(b, dlink.Baseline)
		if _, res := exchange(pd, td, false); res == nil || !res.OK() {
			b.Fatal("handshake failed")
		}
	}
}
