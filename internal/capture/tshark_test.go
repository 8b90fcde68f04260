package capture_test

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/capture"
	"github.com/credbed/credbed/internal/capture/tsharktest"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/transport"
)

var _ = Describe("Captures read by tshark", Label("tshark"), func() {
	var (
		ctx context.Context
		clk *clock.Fake
		dir string
	)
	BeforeEach(func() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
		DeferCleanup(cancel)
		clk = clock.NewFake(t0)
		dir = GinkgoT().TempDir()
		if _, err := tsharktest.New(); errors.Is(err, tsharktest.ErrNotInstalled) {
			Skip("tshark not installed (apt-get install -y tshark): skipping decode checks")
		}
	})

	// save writes pkts to dir/name with the given config and returns the
	// path and the Writer's decode-as rules.
	save := func(name string, cfg capture.Config, pkts ...transport.Packet) (string, []string) {
		path := filepath.Join(dir, name)
		w, err := capture.Create(path, cfg, capture.Deps{Clock: clk})
		Expect(err).NotTo(HaveOccurred())
		for _, p := range pkts {
			clk.Advance(time.Millisecond)
			Expect(w.Write(p)).To(Succeed())
		}
		Expect(w.Close()).To(Succeed())
		return path, w.DecodeAs()
	}

	// Reference: TS 38.412 §7, TS 38.413 §9.2.6.1 (NGSetupRequest), §9.2.5.1 (InitialUEMessage)
	// Reference: TS 24.501 §8.2.6 (REGISTRATION REQUEST), TS 29.500 §5.2 (SBI over HTTP/2)
	// Reference: TS 29.281 §5 (GTP-U T-PDU), TS 29.244 §7.4.2.1 (PFCP Heartbeat Request)
	It("decodes NGAP, NAS-5GS, HTTP/2 with JSON, GTP-U, PFCP, N6 and direct-link frames cleanly", func() {
		r, err := tsharktest.New()
		Expect(err).NotTo(HaveOccurred())
		version, err := r.Version(ctx)
		Expect(err).NotTo(HaveOccurred())
		AddReportEntry("tshark version", version)

		setup, err := ngSetupRequest(2, 2)
		Expect(err).NotTo(HaveOccurred())
		nasPDU, err := registrationRequest()
		Expect(err).NotTo(HaveOccurred())
		ium, err := initialUEMessage(1, nasPDU)
		Expect(err).NotTo(HaveOccurred())
		req, rsp, err := sbiPair("x")
		Expect(err).NotTo(HaveOccurred())
		req2 := req.Clone()
		req2.Method, req2.Path, req2.Payload = http.MethodGet, "/nudm-sdm/v2/imsi-208930000000001/am-data", nil
		problem := transport.Packet{
			Kind: transport.SBI, From: ausf, To: amfSBI, Response: true, Status: http.StatusNotFound,
			Header:  http.Header{"Content-Type": {"application/problem+json"}},
			Payload: []byte(`{"status":404,"cause":"USER_NOT_FOUND"}`),
		}
		inner, err := innerIPv4("10.60.0.1", "10.61.0.1", []byte("hello"))
		Expect(err).NotTo(HaveOccurred())
		tpdu, err := gtpuTPDU(0x10, inner)
		Expect(err).NotTo(HaveOccurred())
		hb, err := pfcpHeartbeat(7, t0)
		Expect(err).NotTo(HaveOccurred())

		path, decodeAs := save("all.pcap", capture.Config{},
			transport.Packet{Kind: transport.N2, From: gnbN2, To: amfN2, Payload: setup},
			transport.Packet{Kind: transport.N2, From: gnbN2, To: amfN2, Stream: 1, Payload: ium},
			req, req2, rsp, problem,
			transport.Packet{Kind: transport.N3, From: gnbN3, To: upfN3, Payload: tpdu},
			transport.Packet{Kind: transport.N4, From: smfN4, To: upfN4, Payload: hb},
			transport.Packet{Kind: transport.N6, From: upfN6, To: dnN6, Payload: inner},
			transport.Packet{Kind: transport.DL, From: pdDL, To: tdDL, Payload: []byte{0xc0, 0xff, 0xee}},
		)
		Expect(decodeAs).To(BeEmpty(), "mem-mode ports need no decode-as rule")
		d, err := r.Decode(ctx, path,
			"ngap.procedureCode", "sctp.data_sid", "sctp.data_ssn", "sctp.data_payload_proto_id", "sctp.dstport",
			"nas_5gs.mm.message_type",
			"http2.streamid", "http2.headers.method", "http2.headers.path", "http2.headers.status", "http2.headers.authority",
			"json.value.string", "gtp.teid", "pfcp.msg_type", "udp.dstport", "data.data",
			"ip.checksum.status", "sctp.checksum.status", "tcp.checksum.status", "udp.checksum.status")
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Check("sctp", "ngap", "nas-5gs", "tcp", "http2", "json", "gtp", "pfcp")).To(Succeed())

		Expect(d.Values("ngap", "ngap.procedureCode")).To(Equal([]string{"21", "15"}))
		Expect(d.Values("ngap", "sctp.data_sid")).To(Equal([]string{"0x0000", "0x0001"}))
		Expect(d.Values("ngap", "sctp.data_ssn")).To(Equal([]string{"0", "0"}))
		Expect(d.Values("ngap", "sctp.data_payload_proto_id")).To(Equal([]string{"60", "60"}))
		Expect(d.Values("ngap", "sctp.dstport")).To(Equal([]string{"38412", "38412"}))
		Expect(d.Values("nas-5gs", "nas_5gs.mm.message_type")).To(Equal([]string{"0x41"}))

		var h2 [][]string
		for _, f := range d.Select("http2") {
			if f.Fields["http2.headers.method"]+f.Fields["http2.headers.status"] != "" {
				h2 = append(h2, []string{f.Fields["http2.streamid"], f.Fields["http2.headers.method"],
					f.Fields["http2.headers.path"], f.Fields["http2.headers.status"], f.Fields["http2.headers.authority"]})
			}
		}
		Expect(h2).To(Equal([][]string{
			{"1,1", "POST", "/nausf-auth/v1/ue-authentications", "", "127.0.0.6:80"},
			{"3", "GET", "/nudm-sdm/v2/imsi-208930000000001/am-data", "", "127.0.0.6:80"},
			{"1,1", "", "", "201", ""},
			{"3,3", "", "", "404", ""},
		}))
		Expect(d.Values("json", "json.value.string")).To(ConsistOf(
			ContainSubstring("suci-0-208-93-0-0-0-0000000001"),
			ContainSubstring("5G_AKA"),
			ContainSubstring("USER_NOT_FOUND"),
		))
		Expect(d.Values("gtp", "gtp.teid")).To(Equal([]string{"0x00000010"}))
		Expect(d.Values("pfcp", "pfcp.msg_type")).To(Equal([]string{"1"}))
		var dl []string
		for _, f := range d.Select("udp") {
			if f.Fields["udp.dstport"] == "47800" {
				dl = append(dl, f.Fields["data.data"])
			}
		}
		Expect(dl).To(Equal([]string{"c0ffee"}))

		// Every checksum was verified and good (1), none left unverified (2).
		for _, f := range d.Frames {
			for _, name := range []string{"ip.checksum.status", "sctp.checksum.status", "tcp.checksum.status", "udp.checksum.status"} {
				for _, v := range strings.Split(f.Fields[name], ",") {
					Expect(v).To(BeElementOf("", "1"), "frame %d %s", f.Number, name)
				}
			}
		}

		verbose, err := r.Verbose(ctx, path, "nas-5gs")
		Expect(err).NotTo(HaveOccurred())
		Expect(verbose).To(ContainSubstring("Registration request"))
		Expect(verbose).To(ContainSubstring("Protection scheme Id: NULL scheme"))
	})

	// Reference: RFC 9260 §6.9 (SCTP reassembly), RFC 791 §3.2 (IPv4 reassembly), RFC 9113 §6.1 (DATA)
	It("reassembles messages bigger than one IP packet", func() {
		r, err := tsharktest.New()
		Expect(err).NotTo(HaveOccurred())
		huge, err := ngSetupRequest(256, 64)
		Expect(err).NotTo(HaveOccurred())
		big, err := ngSetupRequest(100, 3)
		Expect(err).NotTo(HaveOccurred())
		Expect(len(big)).To(BeNumerically(">", 1500))
		req, rsp, err := sbiPair(strings.Repeat("0123456789abcdef", 200<<10/16))
		Expect(err).NotTo(HaveOccurred())
		inner, err := innerIPv4("10.60.0.1", "10.61.0.1", make([]byte, 3000))
		Expect(err).NotTo(HaveOccurred())
		tpdu, err := gtpuTPDU(7, inner)
		Expect(err).NotTo(HaveOccurred())
		pkts := func(setup []byte) []transport.Packet {
			return []transport.Packet{
				{Kind: transport.N2, From: gnbN2, To: amfN2, Payload: setup},
				req, rsp,
				{Kind: transport.N3, From: gnbN3, To: upfN3, Payload: tpdu},
			}
		}
		for _, c := range []struct {
			name  string
			cfg   capture.Config
			setup []byte
		}{{"huge.pcap", capture.Config{}, huge}, {"mtu1500.pcap", capture.Config{MTU: 1500}, big}} {
			path, _ := save(c.name, c.cfg, pkts(c.setup)...)
			d, err := r.Decode(ctx, path, "ngap.procedureCode")
			Expect(err).NotTo(HaveOccurred())
			Expect(d.Check("ngap", "http2", "json", "gtp")).To(Succeed(), c.name)
			Expect(d.Values("ngap", "ngap.procedureCode")).To(Equal([]string{"21"}), "%s: one reassembled NGAP message", c.name)
			Expect(d.Count("json")).To(Equal(2), "%s: request and response bodies", c.name)
			Expect(d.Count("gtp")).To(Equal(1), c.name)
		}
	})

	It("decodes net-mode captures (real ports, IPv6) with the Writer's decode-as rules", func() {
		gnb := netip.MustParseAddrPort("127.0.0.21:51000")
		amf := netip.MustParseAddrPort("127.0.0.22:36412")
		cli := netip.MustParseAddrPort("[::1]:52000")
		srv := netip.MustParseAddrPort("[::1]:29509")
		setup, err := ngSetupRequest(1, 1)
		Expect(err).NotTo(HaveOccurred())
		req, rsp, err := sbiPair("x")
		Expect(err).NotTo(HaveOccurred())
		req.From, req.To, rsp.From, rsp.To = cli, srv, srv, cli
		inner, err := innerIPv4("10.60.0.1", "10.61.0.1", []byte("hi"))
		Expect(err).NotTo(HaveOccurred())
		tpdu, err := gtpuTPDU(1, inner)
		Expect(err).NotTo(HaveOccurred())
		hb, err := pfcpHeartbeat(1, t0)
		Expect(err).NotTo(HaveOccurred())
		path, decodeAs := save("net.pcap", capture.Config{},
			transport.Packet{Kind: transport.N2, From: gnb, To: amf, Payload: setup},
			transport.Packet{Kind: transport.N2, From: netip.MustParseAddrPort("[::1]:51001"), To: netip.MustParseAddrPort("[::1]:38412"), Payload: setup},
			req, rsp,
			transport.Packet{Kind: transport.N3, From: netip.MustParseAddrPort("127.0.0.21:40001"), To: netip.MustParseAddrPort("127.0.0.23:40002"), Payload: tpdu},
			transport.Packet{Kind: transport.N4, From: netip.MustParseAddrPort("127.0.0.24:40003"), To: netip.MustParseAddrPort("127.0.0.23:40004"), Payload: hb},
		)
		Expect(decodeAs).To(HaveLen(3))
		r, err := tsharktest.New(tsharktest.DecodeAs(decodeAs...))
		Expect(err).NotTo(HaveOccurred())
		d, err := r.Decode(ctx, path)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Check("ngap", "ipv6", "http2", "json", "gtp", "pfcp")).To(Succeed())
		Expect(d.Count("ngap")).To(Equal(2))
		rows, err := r.Fields(ctx, path, "http2.headers.authority", "ipv6.src", "http2.headers.authority")
		Expect(err).NotTo(HaveOccurred())
		Expect(rows).To(Equal([][]string{{"::1", "[::1]:29509"}}))
	})

	It("reports malformed frames (the checker is not blind)", func() {
		r, err := tsharktest.New()
		Expect(err).NotTo(HaveOccurred())
		path, _ := save("bad.pcap", capture.Config{},
			transport.Packet{Kind: transport.N2, From: gnbN2, To: amfN2, Payload: []byte{0x00, 0x0f, 0x40, 0xff, 0x01, 0x02}})
		d, err := r.Decode(ctx, path)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Check("ngap")).To(MatchError(ContainSubstring("malformed")))
		Expect(d.Problems(tsharktest.Error)).NotTo(BeEmpty())
		Expect(r.Check(ctx, filepath.Join(dir, "missing.pcap"))).To(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(dir, "junk.pcap"), []byte("not a pcap"), 0o600)).To(Succeed())
		Expect(r.Check(ctx, filepath.Join(dir, "junk.pcap"))).To(HaveOccurred())
	})
})
