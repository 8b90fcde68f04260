package capture_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/net/http2"

	"github.com/credbed/credbed/internal/capture"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/transport"
)

// sctpChunks returns the SCTP chunk layers of a frame, in order.
func sctpChunks(p gopacket.Packet) []gopacket.Layer {
	var out []gopacket.Layer
	for _, l := range p.Layers() {
		switch l.(type) {
		case *layers.SCTPInit, *layers.SCTPCookieEcho, *layers.SCTPEmptyLayer, *layers.SCTPData:
			out = append(out, l)
		}
	}
	return out
}

// userData returns a DATA chunk's user data (gopacket's Payload keeps the padding).
func userData(d *layers.SCTPData) []byte { return d.Payload[:d.Length-16] }

type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

var _ = Describe("Writer", func() {
	var (
		clk *clock.Fake
		rng *rand.Rand
	)
	BeforeEach(func() {
		clk = clock.NewFake(t0)
		seed := uint64(GinkgoRandomSeed())
		GinkgoWriter.Printf("random seed %d\n", seed)
		rng = rand.New(rand.NewPCG(seed, 0x63617074))
	})

	Describe("N2", func() {
		// Reference: RFC 9260 §5.1 (association set-up), §3.3.1 (DATA chunk), §6.8 (CRC32c)
		// Reference: TS 38.412 §7 (SCTP port 38412 at the AMF, PPID 60)
		It("opens the association with a four-way handshake and numbers DATA chunks per direction and stream", func() {
			setup, err := ngSetupRequest(1, 1)
			Expect(err).NotTo(HaveOccurred())
			nasPDU, err := registrationRequest()
			Expect(err).NotTo(HaveOccurred())
			ium, err := initialUEMessage(1, nasPDU)
			Expect(err).NotTo(HaveOccurred())
			rsp := []byte{0x20, 0x15, 0x00, 0x00} // opaque bytes from the AMF

			pcap, w, err := record(capture.Config{}, clk, time.Millisecond,
				transport.Packet{Kind: transport.N2, From: gnbN2, To: amfN2, Payload: setup},
				transport.Packet{Kind: transport.N2, From: amfN2, To: gnbN2, Payload: rsp},
				transport.Packet{Kind: transport.N2, From: gnbN2, To: amfN2, Stream: 1, Payload: ium},
				transport.Packet{Kind: transport.N2, From: gnbN2, To: amfN2, Stream: 1, Payload: ium},
				transport.Packet{Kind: transport.N2, From: gnbN2, To: amfN2, Payload: setup},
			)
			Expect(err).NotTo(HaveOccurred())
			Expect(w.Stats()).To(Equal(capture.Stats{Packets: 5, Frames: 9}))
			frames, err := readFrames(pcap)
			Expect(err).NotTo(HaveOccurred())
			Expect(frames).To(HaveLen(9))

			for i, f := range frames {
				Expect(ipv4ChecksumOK(f)).To(BeTrue(), "frame %d IPv4 checksum", i+1)
				Expect(sctpChecksumOK(f)).To(BeTrue(), "frame %d CRC32c", i+1)
				Expect(sctpChunks(f)).To(HaveLen(1), "frame %d: one chunk", i+1)
			}
			hdr := func(i int) *layers.SCTP { return frames[i].Layer(layers.LayerTypeSCTP).(*layers.SCTP) }
			chunk := func(i int) gopacket.Layer { return sctpChunks(frames[i])[0] }

			// Handshake: INIT (vtag 0), INIT-ACK, COOKIE-ECHO, COOKIE-ACK.
			initC := chunk(0).(*layers.SCTPInit)
			Expect(initC.Type).To(Equal(layers.SCTPChunkTypeInit))
			Expect(hdr(0).VerificationTag).To(BeZero())
			ack := chunk(1).(*layers.SCTPInit)
			Expect(ack.Type).To(Equal(layers.SCTPChunkTypeInitAck))
			Expect(hdr(1).VerificationTag).To(Equal(initC.InitiateTag))
			Expect(ack.Parameters).To(HaveLen(1))
			Expect(ack.Parameters[0].Type).To(Equal(uint16(7)), "State Cookie")
			echo := chunk(2).(*layers.SCTPCookieEcho)
			Expect(echo.Cookie).To(Equal(ack.Parameters[0].Value))
			Expect(hdr(2).VerificationTag).To(Equal(ack.InitiateTag))
			Expect(chunk(3).(*layers.SCTPEmptyLayer).Type).To(Equal(layers.SCTPChunkTypeCookieAck))
			Expect(hdr(3).VerificationTag).To(Equal(initC.InitiateTag))

			// The gNB (port 0 in the packet) gets an ephemeral port; the AMF keeps 38412.
			src, dst := endpoints(frames[0])
			Expect(src.Addr()).To(Equal(gnbN2.Addr()))
			Expect(src.Port()).To(BeNumerically(">=", 49152))
			Expect(dst).To(Equal(amfN2))

			type want struct {
				fromGNB  bool
				tsn      uint32
				stream   uint16
				ssn      uint16
				payload  []byte
				vtag     uint32
				tsnFirst uint32
			}
			wants := []want{
				{true, 0, 0, 0, setup, ack.InitiateTag, initC.InitialTSN},
				{false, 0, 0, 0, rsp, initC.InitiateTag, ack.InitialTSN},
				{true, 1, 1, 0, ium, ack.InitiateTag, initC.InitialTSN},
				{true, 2, 1, 1, ium, ack.InitiateTag, initC.InitialTSN},
				{true, 3, 0, 1, setup, ack.InitiateTag, initC.InitialTSN},
			}
			for i, wnt := range wants {
				f := frames[4+i]
				d := chunk(4 + i).(*layers.SCTPData)
				Expect(d.TSN).To(Equal(wnt.tsnFirst+wnt.tsn), "DATA %d TSN", i)
				Expect(d.StreamId).To(Equal(wnt.stream), "DATA %d stream", i)
				Expect(d.StreamSequence).To(Equal(wnt.ssn), "DATA %d SSN", i)
				Expect(d.PayloadProtocol).To(Equal(layers.SCTPPayloadProtocol(60)))
				Expect(d.BeginFragment && d.EndFragment && !d.Unordered).To(BeTrue())
				Expect(userData(d)).To(Equal(wnt.payload))
				Expect(hdr(4 + i).VerificationTag).To(Equal(wnt.vtag))
				s, _ := endpoints(f)
				Expect(s.Addr() == gnbN2.Addr()).To(Equal(wnt.fromGNB))
			}
			Expect(frames[5].Metadata().Timestamp).To(Equal(t0.Add(2 * time.Millisecond)))
		})

		// Reference: RFC 9260 §6.9 (fragmentation: B/E bits, one TSN per fragment, one SSN per message)
		It("fragments an NGAP message bigger than one IP packet", func() {
			big, err := ngSetupRequest(256, 64)
			Expect(err).NotTo(HaveOccurred())
			Expect(len(big)).To(BeNumerically(">", 65535))
			pcap, _, err := record(capture.Config{}, clk, 0, transport.Packet{Kind: transport.N2, From: gnbN2, To: amfN2, Payload: big})
			Expect(err).NotTo(HaveOccurred())
			frames, err := readFrames(pcap)
			Expect(err).NotTo(HaveOccurred())
			var got []byte
			var datas []*layers.SCTPData
			for _, f := range frames[4:] {
				ip := f.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
				Expect(int(ip.Length)).To(BeNumerically("<=", 65535))
				Expect(sctpChecksumOK(f)).To(BeTrue())
				d := sctpChunks(f)[0].(*layers.SCTPData)
				datas = append(datas, d)
				got = append(got, userData(d)...)
			}
			Expect(len(datas)).To(BeNumerically(">=", 2))
			for i, d := range datas {
				Expect(d.BeginFragment).To(Equal(i == 0))
				Expect(d.EndFragment).To(Equal(i == len(datas)-1))
				Expect(d.TSN).To(Equal(datas[0].TSN + uint32(i)))
				Expect(d.StreamSequence).To(BeZero())
			}
			Expect(got).To(Equal(big))
		})
	})

	Describe("SBI", func() {
		// Reference: RFC 9293 §3.5 (three-way handshake), RFC 9113 §3.4 (preface), §6.5 (SETTINGS),
		// §8.3 (pseudo-header fields), RFC 7541 (HPACK); TS 29.500 §5.2 (SBI over HTTP/2, "http" scheme)
		It("carries a request and its response as HTTP/2 over a synthesized TCP connection", func() {
			req, rsp, err := sbiPair("x")
			Expect(err).NotTo(HaveOccurred())
			pcap, w, err := record(capture.Config{}, clk, time.Millisecond, req, rsp)
			Expect(err).NotTo(HaveOccurred())
			Expect(w.DecodeAs()).To(BeEmpty())
			frames, err := readFrames(pcap)
			Expect(err).NotTo(HaveOccurred())
			for i, f := range frames {
				Expect(ipv4ChecksumOK(f)).To(BeTrue(), "frame %d", i+1)
				ok, err := transportChecksumOK(f)
				Expect(err).NotTo(HaveOccurred())
				Expect(ok).To(BeTrue(), "frame %d TCP checksum", i+1)
			}
			syn := frames[0].Layer(layers.LayerTypeTCP).(*layers.TCP)
			synAck := frames[1].Layer(layers.LayerTypeTCP).(*layers.TCP)
			Expect(syn.SYN && !syn.ACK).To(BeTrue())
			Expect(synAck.SYN && synAck.ACK).To(BeTrue())
			Expect(synAck.Ack).To(Equal(syn.Seq + 1))
			client, server := endpoints(frames[0])
			Expect(server).To(Equal(ausf))
			Expect(client.Addr()).To(Equal(amfSBI.Addr()))
			Expect(client.Port()).NotTo(Equal(uint16(80)), "the client side gets an ephemeral port")

			up, err := tcpStream(frames, client)
			Expect(err).NotTo(HaveOccurred())
			down, err := tcpStream(frames, server)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(up)).To(HavePrefix(http2.ClientPreface))
			n, reqs, err := readH2(up[len(http2.ClientPreface):], 16384)
			Expect(err).NotTo(HaveOccurred())
			Expect(n).To(Equal(2), "SETTINGS and SETTINGS ACK")
			Expect(reqs).To(HaveLen(1))
			Expect(reqs[0].Stream).To(Equal(uint32(1)))
			Expect(reqs[0].header(":method")).To(Equal("POST"))
			Expect(reqs[0].header(":scheme")).To(Equal("http"))
			Expect(reqs[0].header(":authority")).To(Equal("127.0.0.6:80"))
			Expect(reqs[0].header(":path")).To(Equal("/nausf-auth/v1/ue-authentications"))
			Expect(reqs[0].header("content-type")).To(Equal("application/json"))
			Expect(reqs[0].header("accept")).To(Equal("application/3gppHal+json, application/problem+json"))
			Expect(reqs[0].Body).To(Equal(req.Payload))

			n, rsps, err := readH2(down, 16384)
			Expect(err).NotTo(HaveOccurred())
			Expect(n).To(Equal(2))
			Expect(rsps).To(HaveLen(1))
			Expect(rsps[0].Stream).To(Equal(uint32(1)))
			Expect(rsps[0].header(":status")).To(Equal("201"))
			Expect(rsps[0].header("location")).To(Equal("http://127.0.0.6/nausf-auth/v1/ue-authentications/1"))
			Expect(rsps[0].Body).To(Equal(rsp.Payload))

			last := frames[len(frames)-1].Layer(layers.LayerTypeTCP).(*layers.TCP)
			Expect(last.Ack).To(Equal(syn.Seq+1+uint32(len(up))), "the server acknowledges all client data")
		})

		// Reference: RFC 9113 §5.1.1 (client streams are odd and increasing)
		It("gives each request a new odd stream and pairs interleaved responses in order", func() {
			req, rsp, err := sbiPair("x")
			Expect(err).NotTo(HaveOccurred())
			req2 := req.Clone()
			req2.Method, req2.Path, req2.Payload = http.MethodGet, "/nudm-sdm/v2/imsi-208930000000001/am-data", nil
			rsp2 := rsp.Clone()
			rsp2.Status, rsp2.Payload = http.StatusNotFound, []byte(`{"status":404,"cause":"DATA_NOT_FOUND"}`)
			rsp2.Header = http.Header{"Content-Type": {"application/problem+json"}}
			pcap, _, err := record(capture.Config{}, clk, time.Millisecond, req, req2, rsp, rsp2)
			Expect(err).NotTo(HaveOccurred())
			frames, err := readFrames(pcap)
			Expect(err).NotTo(HaveOccurred())
			client, server := endpoints(frames[0])
			up, err := tcpStream(frames, client)
			Expect(err).NotTo(HaveOccurred())
			down, err := tcpStream(frames, server)
			Expect(err).NotTo(HaveOccurred())
			_, reqs, err := readH2(up[len(http2.ClientPreface):], 16384)
			Expect(err).NotTo(HaveOccurred())
			_, rsps, err := readH2(down, 16384)
			Expect(err).NotTo(HaveOccurred())
			Expect(reqs).To(HaveLen(2))
			Expect(rsps).To(HaveLen(2))
			Expect([]uint32{reqs[0].Stream, reqs[1].Stream}).To(Equal([]uint32{1, 3}))
			Expect(reqs[1].header(":method")).To(Equal("GET"))
			Expect(reqs[1].Body).To(BeEmpty())
			Expect([]uint32{rsps[0].Stream, rsps[1].Stream}).To(Equal([]uint32{1, 3}))
			Expect(rsps[1].header(":status")).To(Equal("404"))
			Expect(rsps[1].header("content-type")).To(Equal("application/problem+json"))
		})

		It("pairs a response naming its request's method and path with that request, whatever the order", func() {
			req, rsp, err := sbiPair("x")
			Expect(err).NotTo(HaveOccurred())
			req2 := req.Clone()
			req2.Method, req2.Path, req2.Payload = http.MethodGet, "/nudm-sdm/v2/imsi-208930000000001/am-data", nil
			rsp.Method, rsp.Path = req.Method, req.Path
			rsp2 := rsp.Clone()
			rsp2.Method, rsp2.Path, rsp2.Status = req2.Method, req2.Path, http.StatusOK
			orphan := rsp.Clone() // its request was dropped before the capture point
			pcap, _, err := record(capture.Config{}, clk, 0, req, req2, rsp2, rsp, orphan)
			Expect(err).NotTo(HaveOccurred())
			frames, err := readFrames(pcap)
			Expect(err).NotTo(HaveOccurred())
			_, server := endpoints(frames[0])
			down, err := tcpStream(frames, server)
			Expect(err).NotTo(HaveOccurred())
			_, rsps, err := readH2(down, 16384)
			Expect(err).NotTo(HaveOccurred())
			Expect(rsps).To(HaveLen(3))
			Expect([]uint32{rsps[0].Stream, rsps[1].Stream, rsps[2].Stream}).To(Equal([]uint32{3, 1, 5}))
			Expect(rsps[0].header(":status")).To(Equal("200"))
		})

		It("opens one connection per client and server pair, in both directions", func() {
			req, rsp, err := sbiPair("x")
			Expect(err).NotTo(HaveOccurred())
			back := transport.Packet{Kind: transport.SBI, From: ausf, To: amfSBI, Method: http.MethodPost, Path: "/notify", Payload: []byte(`{}`)}
			backRsp := transport.Packet{Kind: transport.SBI, From: amfSBI, To: ausf, Status: http.StatusNoContent, Response: true}
			pcap, _, err := record(capture.Config{}, clk, 0, req, back, rsp, backRsp, req)
			Expect(err).NotTo(HaveOccurred())
			frames, err := readFrames(pcap)
			Expect(err).NotTo(HaveOccurred())
			syns := map[netip.AddrPort]netip.AddrPort{}
			for _, f := range frames {
				if t := f.Layer(layers.LayerTypeTCP).(*layers.TCP); t.SYN && !t.ACK {
					s, d := endpoints(f)
					syns[s] = d
				}
			}
			Expect(syns).To(HaveLen(2))
			for c, s := range syns {
				Expect(c.Port()).To(BeNumerically(">=", 49152))
				Expect(s.Port()).To(Equal(uint16(80)))
			}
		})

		// Reference: RFC 9113 §4.2 (frame size), §6.10 (CONTINUATION); RFC 9293 §3.7.1 (MSS)
		It("splits big bodies into DATA frames, big header blocks into CONTINUATION and big segments by the MTU", func() {
			body := make([]byte, 200<<10)
			for i := range body {
				body[i] = 'a' + byte(rng.IntN(26))
			}
			req, rsp, err := sbiPair(string(body))
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("X-Big", strings.Repeat("h", 40000))
			for _, mtu := range []int{0, 1500} {
				pcap, _, err := record(capture.Config{MTU: mtu}, clk, 0, req, rsp)
				Expect(err).NotTo(HaveOccurred())
				frames, err := readFrames(pcap)
				Expect(err).NotTo(HaveOccurred())
				limit := 65535
				if mtu != 0 {
					limit = mtu
				}
				for _, f := range frames {
					Expect(int(f.Layer(layers.LayerTypeIPv4).(*layers.IPv4).Length)).To(BeNumerically("<=", limit))
				}
				client, _ := endpoints(frames[0])
				up, err := tcpStream(frames, client)
				Expect(err).NotTo(HaveOccurred())
				_, reqs, err := readH2(up[len(http2.ClientPreface):], 16384)
				Expect(err).NotTo(HaveOccurred())
				Expect(reqs).To(HaveLen(1))
				Expect(reqs[0].Body).To(Equal(req.Payload))
				Expect(reqs[0].header("x-big")).To(HaveLen(40000))
			}
		})

		It("uses the packets' ports and addresses, IPv6 included, and says which decode-as rules tshark needs", func() {
			cli := netip.MustParseAddrPort("[::1]:41000")
			srv := netip.MustParseAddrPort("[::1]:29509")
			pcap, w, err := record(capture.Config{}, clk, 0,
				transport.Packet{Kind: transport.SBI, From: cli, To: srv, Method: "GET", Path: "/x"},
				transport.Packet{Kind: transport.SBI, From: srv, To: cli, Status: 200, Response: true, Payload: []byte(`{}`)},
				transport.Packet{Kind: transport.N3, From: netip.MustParseAddrPort("127.0.0.1:40001"), To: netip.MustParseAddrPort("127.0.0.2:40002"), Payload: []byte{0x30, 0xff, 0, 0, 0, 0, 0, 1}},
				transport.Packet{Kind: transport.N4, From: netip.MustParseAddrPort("127.0.0.1:40003"), To: netip.MustParseAddrPort("127.0.0.2:40004"), Payload: []byte{0x20, 1, 0, 4, 0, 0, 1, 0}},
			)
			Expect(err).NotTo(HaveOccurred())
			Expect(w.DecodeAs()).To(Equal([]string{"tcp.port==29509,http2", "udp.port==40002,gtp", "udp.port==40004,pfcp"}))
			frames, err := readFrames(pcap)
			Expect(err).NotTo(HaveOccurred())
			s, d := endpoints(frames[0])
			Expect(s).To(Equal(cli))
			Expect(d).To(Equal(srv))
			for _, f := range frames[:len(frames)-2] {
				Expect(f.Layer(layers.LayerTypeIPv6)).NotTo(BeNil())
				ok, err := transportChecksumOK(f)
				Expect(err).NotTo(HaveOccurred())
				Expect(ok).To(BeTrue())
			}
		})
	})

	Describe("UDP links and N6", func() {
		// Reference: TS 29.281 §4.4.2 (GTP-U port 2152), TS 29.244 §4.2.2 (PFCP port 8805)
		It("writes GTP-U, PFCP and direct-link payloads as UDP datagrams on their well-known ports", func() {
			inner, err := innerIPv4("10.60.0.1", "10.61.0.1", []byte("hello"))
			Expect(err).NotTo(HaveOccurred())
			tpdu, err := gtpuTPDU(0x10, inner)
			Expect(err).NotTo(HaveOccurred())
			hb, err := pfcpHeartbeat(1, t0)
			Expect(err).NotTo(HaveOccurred())
			noPort := func(a netip.AddrPort) netip.AddrPort { return netip.AddrPortFrom(a.Addr(), 0) }
			pkts := []transport.Packet{
				{Kind: transport.N3, From: gnbN3, To: upfN3, Payload: tpdu},
				{Kind: transport.N4, From: noPort(smfN4), To: noPort(upfN4), Payload: hb},
				{Kind: transport.DL, From: noPort(pdDL), To: tdDL, Payload: []byte{1, 2, 3}},
				{Kind: transport.DL, From: pdDL, To: tdDL, Payload: nil},
			}
			pcap, _, err := record(capture.Config{}, clk, time.Second, pkts...)
			Expect(err).NotTo(HaveOccurred())
			frames, err := readFrames(pcap)
			Expect(err).NotTo(HaveOccurred())
			Expect(frames).To(HaveLen(4))
			ports := []uint16{2152, 8805, 47800, 47800}
			for i, f := range frames {
				u := f.Layer(layers.LayerTypeUDP).(*layers.UDP)
				Expect(uint16(u.SrcPort)).To(Equal(ports[i]))
				Expect(uint16(u.DstPort)).To(Equal(ports[i]))
				Expect(int(u.Length)).To(Equal(8 + len(pkts[i].Payload)))
				Expect(bytes.Equal(u.Payload, pkts[i].Payload)).To(BeTrue(), "frame %d payload", i+1)
				ok, err := transportChecksumOK(f)
				Expect(err).NotTo(HaveOccurred())
				Expect(ok).To(BeTrue())
				Expect(ipv4ChecksumOK(f)).To(BeTrue())
				Expect(f.Metadata().Timestamp).To(Equal(t0.Add(time.Duration(i+1) * time.Second)))
			}
		})

		// Reference: RFC 791 §2.3 (fragmentation: offsets in 8-octet units, MF flag, one identification)
		It("fragments IPv4 datagrams bigger than the MTU and rejects what no IP packet can carry", func() {
			inner, err := innerIPv4("10.60.0.1", "10.61.0.1", make([]byte, 3000))
			Expect(err).NotTo(HaveOccurred())
			tpdu, err := gtpuTPDU(7, inner)
			Expect(err).NotTo(HaveOccurred())
			pcap, _, err := record(capture.Config{MTU: 1500}, clk, 0, transport.Packet{Kind: transport.N3, From: gnbN3, To: upfN3, Payload: tpdu})
			Expect(err).NotTo(HaveOccurred())
			frames, err := readFrames(pcap)
			Expect(err).NotTo(HaveOccurred())
			Expect(frames).To(HaveLen(3))
			var dgram []byte
			for i, f := range frames {
				ip := f.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
				Expect(ipv4ChecksumOK(f)).To(BeTrue())
				Expect(int(ip.Length)).To(BeNumerically("<=", 1500))
				Expect(ip.Id).To(Equal(frames[0].Layer(layers.LayerTypeIPv4).(*layers.IPv4).Id))
				Expect(int(ip.FragOffset) * 8).To(Equal(len(dgram)))
				Expect(ip.Flags&layers.IPv4MoreFragments != 0).To(Equal(i < 2))
				dgram = append(dgram, ip.Payload...)
			}
			Expect(dgram[8:]).To(Equal(tpdu))

			_, w, err := record(capture.Config{}, clk, 0, transport.Packet{Kind: transport.DL, From: pdDL, To: tdDL, Payload: make([]byte, 65508)})
			Expect(err).To(MatchError(capture.ErrTooLarge))
			Expect(w.Stats().Failed).To(Equal(uint64(1)))
		})

		It("writes N6 IP packets behind an Ethernet header only", func() {
			inner, err := innerIPv4("10.60.0.1", "10.61.0.1", []byte("ping"))
			Expect(err).NotTo(HaveOccurred())
			pcap, _, err := record(capture.Config{}, clk, 0, transport.Packet{Kind: transport.N6, From: upfN6, To: dnN6, Payload: inner})
			Expect(err).NotTo(HaveOccurred())
			frames, err := readFrames(pcap)
			Expect(err).NotTo(HaveOccurred())
			Expect(frames).To(HaveLen(1))
			eth := frames[0].Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
			Expect(eth.EthernetType).To(Equal(layers.EthernetTypeIPv4))
			Expect(eth.Payload[:len(inner)]).To(Equal(inner))
		})
	})

	Describe("as an observer", func() {
		It("passes every packet on unchanged and is removed by the function Install returns", func() {
			var buf bytes.Buffer
			w, err := capture.New(&buf, capture.Config{}, capture.Deps{Clock: clk})
			Expect(err).NotTo(HaveOccurred())
			var chain transport.Chain
			remove := w.Install(&chain)
			Expect(chain.Names()).To(Equal([]string{capture.InterceptorName}))
			req, _, err := sbiPair("x")
			Expect(err).NotTo(HaveOccurred())
			out := chain.Apply(req)
			Expect(out).To(HaveLen(1))
			Expect(out[0]).To(Equal(req))
			bad := transport.Packet{Kind: "bogus"}
			Expect(chain.Apply(bad)).To(Equal([]transport.Packet{bad}), "a packet the writer cannot record still passes")
			remove()
			Expect(chain.Names()).To(BeEmpty())
			Expect(w.Stats().Packets).To(Equal(uint64(1)))
			Expect(w.Stats().Failed).To(Equal(uint64(1)))
			Expect(w.Close()).To(Succeed())
		})

		It("is safe for concurrent writers and counts every packet", func() {
			var buf bytes.Buffer
			w, err := capture.New(&buf, capture.Config{BufferSize: 512}, capture.Deps{Clock: clk})
			Expect(err).NotTo(HaveOccurred())
			req, rsp, err := sbiPair("x")
			Expect(err).NotTo(HaveOccurred())
			setup, err := ngSetupRequest(1, 1)
			Expect(err).NotTo(HaveOccurred())
			const workers, each = 8, 50
			var wg sync.WaitGroup
			for g := range workers {
				gnb := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 1, byte(g + 1)}), 0)
				size := rng.IntN(200)
				wg.Go(func() {
					for range each {
						_ = w.Write(transport.Packet{Kind: transport.N2, From: gnb, To: amfN2, Stream: uint16(g), Payload: setup})
						_ = w.Write(req)
						_ = w.Write(rsp)
						_ = w.Write(transport.Packet{Kind: transport.DL, From: pdDL, To: tdDL, Payload: make([]byte, size)})
					}
				})
			}
			wg.Wait()
			Expect(w.Close()).To(Succeed())
			st := w.Stats()
			Expect(st.Packets).To(Equal(uint64(workers * each * 4)))
			Expect(st.Failed).To(BeZero())
			frames, err := readFrames(buf.Bytes())
			Expect(err).NotTo(HaveOccurred())
			Expect(uint64(len(frames))).To(Equal(st.Frames))
		})
	})

	It("writes byte-identical captures for the same packets and clock", func() {
		req, rsp, err := sbiPair("x")
		Expect(err).NotTo(HaveOccurred())
		req.Header.Add("X-A", "1")
		req.Header.Add("X-B", "2")
		req.Header.Add("X-C", "3")
		setup, err := ngSetupRequest(1, 1)
		Expect(err).NotTo(HaveOccurred())
		run := func() []byte {
			pcap, _, err := record(capture.Config{}, clock.NewFake(t0), time.Microsecond, req, rsp,
				transport.Packet{Kind: transport.N2, From: gnbN2, To: amfN2, Payload: setup})
			Expect(err).NotTo(HaveOccurred())
			return pcap
		}
		first := run()
		for range 5 {
			Expect(run()).To(Equal(first))
		}
	})

	DescribeTable("counts, never panics on, packets it cannot write",
		func(p transport.Packet, want error) {
			pcap, w, err := record(capture.Config{}, clk, 0, p)
			Expect(err).To(MatchError(want))
			Expect(pcap).To(BeNil())
			Expect(w.Stats()).To(Equal(capture.Stats{Failed: 1}))
		},
		Entry("unknown kind", transport.Packet{Kind: "x2", From: gnbN2, To: amfN2}, capture.ErrUnknownKind),
		Entry("N6 without payload", transport.Packet{Kind: transport.N6, From: upfN6, To: dnN6}, capture.ErrNotIP),
		Entry("N6 payload that is not IP", transport.Packet{Kind: transport.N6, From: upfN6, To: dnN6, Payload: []byte{0x12, 0}}, capture.ErrNotIP),
		Entry("UDP payload over 65507 bytes", transport.Packet{Kind: transport.N4, From: smfN4, To: upfN4, Payload: make([]byte, 65508)}, capture.ErrTooLarge),
		Entry("IPv6 UDP payload over the MTU", transport.Packet{Kind: transport.N3, From: netip.MustParseAddrPort("[::1]:2152"), To: netip.MustParseAddrPort("[::2]:2152"), Payload: make([]byte, 65488)}, capture.ErrTooLarge),
	)

	It("records packets with missing addresses against the unspecified address", func() {
		pcap, w, err := record(capture.Config{}, clk, 0,
			transport.Packet{Kind: transport.N2, Payload: []byte{1}},
			transport.Packet{Kind: transport.SBI, Method: "GET"},
			transport.Packet{Kind: transport.SBI, Response: true},
			transport.Packet{Kind: transport.DL, From: netip.MustParseAddrPort("[::1]:1")},
		)
		Expect(err).NotTo(HaveOccurred())
		Expect(w.Stats().Packets).To(Equal(uint64(4)))
		_, err = readFrames(pcap)
		Expect(err).NotTo(HaveOccurred())
	})

	It("fails every write after Close or after an I/O error, and Close reports the error", func() {
		w, err := capture.New(&failingWriter{n: 1}, capture.Config{BufferSize: 16}, capture.Deps{Clock: clk})
		Expect(err).NotTo(HaveOccurred())
		big := transport.Packet{Kind: transport.DL, From: pdDL, To: tdDL, Payload: make([]byte, 64)}
		Expect(w.Write(big)).To(MatchError(ContainSubstring("disk full")))
		Expect(w.Write(big)).To(MatchError(ContainSubstring("disk full")))
		Expect(w.Err()).To(HaveOccurred())
		Expect(w.Close()).To(MatchError(ContainSubstring("disk full")))
		Expect(w.Stats().Failed).To(Equal(uint64(2)))

		var buf bytes.Buffer
		w, err = capture.New(&buf, capture.Config{}, capture.Deps{Clock: clk})
		Expect(err).NotTo(HaveOccurred())
		Expect(w.Close()).To(Succeed())
		Expect(w.Close()).To(Succeed())
		Expect(w.Write(big)).To(MatchError(capture.ErrClosed))
		Expect(w.Stats()).To(Equal(capture.Stats{Failed: 1}))
		frames, err := readFrames(buf.Bytes())
		Expect(err).NotTo(HaveOccurred())
		Expect(frames).To(BeEmpty(), "an empty capture is still a valid pcap file")
	})

	It("creates and owns a file", func() {
		path := GinkgoT().TempDir() + "/c.pcap"
		w, err := capture.Create(path, capture.Config{}, capture.Deps{Clock: clk})
		Expect(err).NotTo(HaveOccurred())
		Expect(w.Write(transport.Packet{Kind: transport.DL, From: pdDL, To: tdDL, Payload: []byte("x")})).To(Succeed())
		Expect(w.Close()).To(Succeed())
		_, err = capture.Create(GinkgoT().TempDir()+"/missing/c.pcap", capture.Config{}, capture.Deps{Clock: clk})
		Expect(err).To(HaveOccurred())
	})

	It("marks a capture that carries plaintext secrets on purpose", func() {
		w, err := capture.New(&bytes.Buffer{}, capture.Config{}, capture.Deps{Clock: clk})
		Expect(err).NotTo(HaveOccurred())
		Expect(w.Marked()).To(BeFalse())
		w.Mark("baseline direct link: credential in plaintext")
		w.Mark("baseline direct link: credential in plaintext")
		w.Mark("PD-generated K")
		Expect(w.Close()).To(Succeed())
		Expect(w.Marked()).To(BeTrue())
		Expect(w.MarkReasons()).To(Equal([]string{"baseline direct link: credential in plaintext", "PD-generated K"}))
	})

	DescribeTable("rejects bad configuration and missing dependencies",
		func(cfg capture.Config, deps capture.Deps, want error) {
			_, err := capture.New(&bytes.Buffer{}, cfg, deps)
			Expect(err).To(MatchError(want))
		},
		Entry("no clock", capture.Config{}, capture.Deps{}, capture.ErrNoClock),
		Entry("MTU too small", capture.Config{MTU: 1000}, capture.Deps{Clock: clock.Real{}}, capture.ErrBadConfig),
		Entry("MTU too big", capture.Config{MTU: 70000}, capture.Deps{Clock: clock.Real{}}, capture.ErrBadConfig),
		Entry("negative buffer", capture.Config{BufferSize: -1}, capture.Deps{Clock: clock.Real{}}, capture.ErrBadConfig),
	)
})
