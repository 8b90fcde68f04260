package transport_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/netip"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/transport"
)

func frame(stream uint16, payload string) []byte {
	GinkgoHelper()
	b, err := transport.AppendN2Frame(nil, stream, []byte(payload))
	Expect(err).NotTo(HaveOccurred())
	return b
}

var _ = Describe("N2 tcp-framed carrier", func() {
	// Reference: TS 38.412 §7 — NGAP over one SCTP association per gNB-AMF
	// pair, stream 0 for non-UE-associated signalling; the carrier keeps the
	// association and the stream id over TCP.
	DescribeTable("frame codec",
		func(in []byte, want []transport.N2Frame, wantErr error) {
			fr := transport.NewN2FrameReader(bytes.NewReader(in), 64)
			var got []transport.N2Frame
			var err error
			for {
				var f transport.N2Frame
				if f, err = fr.Next(); err != nil {
					break
				}
				got = append(got, f)
			}
			Expect(got).To(Equal(want))
			Expect(errors.Is(err, wantErr)).To(BeTrue(), "error %v, want %v", err, wantErr)
		},
		Entry("one frame", []byte{0, 0, 0, 3, 0, 0, 'a', 'b', 'c'},
			[]transport.N2Frame{{Stream: 0, Payload: []byte("abc")}}, io.EOF),
		Entry("two frames, streams 1 and 0x1234", []byte{0, 0, 0, 1, 0, 1, 'x', 0, 0, 0, 2, 0x12, 0x34, 'y', 'z'},
			[]transport.N2Frame{{Stream: 1, Payload: []byte("x")}, {Stream: 0x1234, Payload: []byte("yz")}}, io.EOF),
		Entry("empty stream", []byte{}, nil, io.EOF),
		Entry("truncated header", []byte{0, 0, 0}, nil, io.ErrUnexpectedEOF),
		Entry("truncated payload", []byte{0, 0, 0, 4, 0, 0, 'a'}, nil, io.ErrUnexpectedEOF),
		// Reference: RFC 9260 §3.3.1 — a DATA chunk without user data is an error.
		Entry("zero length", []byte{0, 0, 0, 0, 0, 0}, nil, transport.ErrBadFrame),
		Entry("length over the bound", []byte{0, 0, 0, 65, 0, 0}, nil, transport.ErrTooLarge),
		Entry("length 2^32-1", []byte{0xff, 0xff, 0xff, 0xff, 0, 0}, nil, transport.ErrTooLarge),
	)

	It("encodes length, stream and payload big-endian", func() {
		Expect(frame(0x0102, "hi")).To(Equal([]byte{0, 0, 0, 2, 1, 2, 'h', 'i'}))
		_, err := transport.AppendN2Frame(nil, 0, nil)
		Expect(err).To(MatchError(transport.ErrBadFrame))
		_, err = transport.AppendN2Frame(nil, 0, make([]byte, transport.MaxN2Payload+1))
		Expect(err).To(MatchError(transport.ErrTooLarge))
	})

	Context("over real TCP", func() {
		var (
			nw  *transport.NetNetwork
			amf transport.StreamEndpoint
			got chan msg
			ctx = context.Background()
		)
		BeforeEach(func() {
			nw = transport.NewNet(transport.NetOptions{})
			DeferCleanup(nw.Close)
			var h transport.StreamHandler
			h, got = collector()
			amf = listen(nw, transport.N2, "127.0.0.81:0", h)
		})

		It("reassembles frames split across and packed into TCP writes", func() {
			c, err := net.Dial("tcp", amf.LocalAddr().String())
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(c.Close)
			var stream []byte
			stream = append(stream, frame(0, "NGSetupRequest")...)
			stream = append(stream, frame(1, "InitialUEMessage")...)
			stream = append(stream, frame(7, "UplinkNASTransport")...)
			// one byte at a time for the first frame, the rest in one write
			for _, b := range stream[:20] {
				_, err := c.Write([]byte{b})
				Expect(err).NotTo(HaveOccurred())
			}
			_, err = c.Write(stream[20:])
			Expect(err).NotTo(HaveOccurred())
			for _, w := range []msg{{stream: 0, payload: []byte("NGSetupRequest")}, {stream: 1, payload: []byte("InitialUEMessage")}, {stream: 7, payload: []byte("UplinkNASTransport")}} {
				var r msg
				Eventually(got).Should(Receive(&r))
				Expect(r.stream).To(Equal(w.stream))
				Expect(r.payload).To(Equal(w.payload))
				Expect(r.from).To(Equal(netip.MustParseAddrPort(c.LocalAddr().String())))
			}
			// the AMF answers over the accepted connection, keyed by the peer address
			Expect(amf.SendStream(ctx, netip.MustParseAddrPort(c.LocalAddr().String()), 1, []byte("DownlinkNASTransport"))).To(Succeed())
			f, err := transport.NewN2FrameReader(bufio.NewReader(c), 0).Next()
			Expect(err).NotTo(HaveOccurred())
			Expect(f).To(Equal(transport.N2Frame{Stream: 1, Payload: []byte("DownlinkNASTransport")}))
		})

		It("ends an association that sends a bad frame and keeps serving others", func() {
			bad, err := net.Dial("tcp", amf.LocalAddr().String())
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(bad.Close)
			_, err = bad.Write([]byte{0, 0, 0, 0, 0, 0})
			Expect(err).NotTo(HaveOccurred())
			_, err = bad.Read(make([]byte, 1))
			Expect(err).To(HaveOccurred()) // closed by the AMF side
			Eventually(func() uint64 { return nw.Stats().LinkErrors }).Should(BeNumerically(">=", 1))
			gnb := listen(nw, transport.N2, "127.0.0.82:0", nil)
			Expect(gnb.Send(ctx, amf.LocalAddr(), []byte("still here"))).To(Succeed())
			var r msg
			Eventually(got).Should(Receive(&r))
			Expect(string(r.payload)).To(Equal("still here"))
		})

		It("keeps one association per gNB and routes answers back by peer address", func() {
			type gnb struct {
				ep  transport.StreamEndpoint
				got chan msg
			}
			var gnbs []gnb
			for _, a := range []string{"127.0.0.83:0", "127.0.0.84:0", "127.0.0.85:0"} {
				h, ch := collector()
				gnbs = append(gnbs, gnb{listen(nw, transport.N2, a, h), ch})
			}
			for i, g := range gnbs {
				for s := range uint16(3) {
					Expect(g.ep.SendStream(ctx, amf.LocalAddr(), s, []byte{byte(i), byte(s)})).To(Succeed())
				}
			}
			seen := map[netip.AddrPort]int{}
			for range 9 {
				var r msg
				Eventually(got).Should(Receive(&r))
				seen[r.from]++
				Expect(amf.SendStream(ctx, r.from, r.stream, append([]byte("re:"), r.payload...))).To(Succeed())
			}
			Expect(seen).To(HaveLen(3))
			for i, g := range gnbs {
				Expect(seen).To(HaveKeyWithValue(g.ep.LocalAddr(), 3)) // the association comes from the bound address
				for s := range uint16(3) {
					var r msg
					Eventually(g.got).Should(Receive(&r))
					Expect(r.from).To(Equal(amf.LocalAddr()))
					Expect(r.stream).To(Equal(s))
					Expect(r.payload).To(Equal([]byte{'r', 'e', ':', byte(i), byte(s)}))
				}
			}
		})

		It("refuses empty NGAP messages and reports an absent AMF as ErrNoRoute", func() {
			gnb := listen(nw, transport.N2, "127.0.0.86:0", nil)
			Expect(gnb.Send(ctx, amf.LocalAddr(), nil)).To(MatchError(transport.ErrBadFrame))
			l, err := net.Listen("tcp", "127.0.0.87:0")
			Expect(err).NotTo(HaveOccurred())
			dead := netip.MustParseAddrPort(l.Addr().String())
			Expect(l.Close()).To(Succeed())
			Expect(gnb.Send(ctx, dead, []byte("x"))).To(MatchError(transport.ErrNoRoute))
		})
	})
})
