package capture_test

import (
	"io"
	"testing"

	"github.com/credbed/credbed/internal/capture"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/transport"
)

func benchWriter(b *testing.B) *capture.Writer {
	w, err := capture.New(io.Discard, capture.Config{}, capture.Deps{Clock: clock.NewFake(t0)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = w.Close() })
	return w
}

func BenchmarkWriteNGAP(b *testing.B) {
	nasPDU, err := registrationRequest()
	if err != nil {
		b.Fatal(err)
	}
	ium, err := initialUEMessage(1, nasPDU)
	if err != nil {
		b.Fatal(err)
	}
	w := benchWriter(b)
	p := transport.Packet{Kind: transport.N2, From: gnbN2, To: amfN2, Stream: 1, Payload: ium}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteSBIRoundTrip(b *testing.B) {
	req, rsp, err := sbiPair("x")
	if err != nil {
		b.Fatal(err)
	}
	w := benchWriter(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(req); err != nil {
			b.Fatal(err)
		}
		if err := w.Write(rsp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteGTPU(b *testing.B) {
	inner, err := innerIPv4("10.60.0.1", "10.61.0.1", make([]byte, 1200))
	if err != nil {
		b.Fatal(err)
	}
	tpdu, err := gtpuTPDU(1, inner)
	if err != nil {
		b.Fatal(err)
	}
	w := benchWriter(b)
	p := transport.Packet{Kind: transport.N3, From: gnbN3, To: upfN3, Payload: tpdu}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(p); err != nil {
			b.Fatal(err)
		}
	}
}
