package capture_test

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"

	"github.com/credbed/credbed/internal/capture"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/transport"
)

var fuzzKinds = []transport.Kind{transport.SBI, transport.N2, transport.N3, transport.N4, transport.N6, transport.DL, "bogus"}

// FuzzWrite feeds arbitrary packets (the N6 payload is the only one the
// Writer looks into) to a Writer. Invariants: no panic; a Write either
// fails (and is counted) or adds frames; the output stays a readable pcap
// whose frames fit the snapshot length.
func FuzzWrite(f *testing.F) {
	f.Add(uint8(1), []byte{127, 0, 1, 1}, uint16(0), []byte{127, 0, 0, 5}, uint16(38412), uint16(1), false, 0, []byte{0, 21, 0, 1}, false)
	f.Add(uint8(0), []byte{127, 0, 0, 5}, uint16(80), []byte{127, 0, 0, 6}, uint16(80), uint16(0), false, 0, []byte(`{"a":1}`), false)
	f.Add(uint8(0), []byte{127, 0, 0, 6}, uint16(80), []byte{127, 0, 0, 5}, uint16(80), uint16(0), true, 201, []byte(`{}`), true)
	f.Add(uint8(4), []byte{127, 0, 0, 8}, uint16(0), []byte{127, 0, 2, 1}, uint16(0), uint16(0), false, 0, []byte{0x45, 0, 0, 20}, false)
	f.Add(uint8(4), []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, uint16(0), []byte{}, uint16(0), uint16(0), false, 0, []byte{0x60}, false)
	f.Add(uint8(2), []byte{}, uint16(0), []byte{1}, uint16(0), uint16(0), false, -1, bytes.Repeat([]byte{0x30}, 3000), true)
	f.Add(uint8(6), []byte{127, 0, 0, 1}, uint16(1), []byte{127, 0, 0, 1}, uint16(1), uint16(9), true, 999999, []byte(nil), false)
	f.Fuzz(func(t *testing.T, kind uint8, from []byte, fromPort uint16, to []byte, toPort uint16, stream uint16, response bool, status int, payload []byte, smallMTU bool) {
		addr := func(b []byte, port uint16) netip.AddrPort {
			a, _ := netip.AddrFromSlice(b)
			return netip.AddrPortFrom(a, port)
		}
		p := transport.Packet{
			Kind: fuzzKinds[int(kind)%len(fuzzKinds)], From: addr(from, fromPort), To: addr(to, toPort),
			Stream: stream, Response: response, Status: status, Payload: payload,
			Method: string(payload[:min(len(payload), 3)]), Path: string(payload[:min(len(payload), 9)]),
		}
		cfg := capture.Config{}
		if smallMTU {
			cfg.MTU = 1280
		}
		var buf bytes.Buffer
		w, err := capture.New(&buf, cfg, capture.Deps{Clock: clock.NewFake(t0)})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 { // twice: once opening associations/connections, once on them
			before := w.Stats()
			err := w.Write(p)
			after := w.Stats()
			switch {
			case err != nil && after.Failed != before.Failed+1:
				t.Fatalf("write %d failed (%v) but was not counted", i, err)
			case err == nil && (after.Frames <= before.Frames || after.Packets != before.Packets+1):
				t.Fatalf("write %d succeeded without frames: %+v -> %+v", i, before, after)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := pcapgo.NewReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		var n uint64
		for {
			data, ci, err := r.ReadPacketData()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(data) > capture.Snaplen || ci.CaptureLength != len(data) {
				t.Fatalf("frame %d: %d bytes", n+1, len(data))
			}
			n++
		}
		if n != w.Stats().Frames {
			t.Fatalf("read %d frames, wrote %d", n, w.Stats().Frames)
		}
	})
}
