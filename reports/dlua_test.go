package reports_test

import (
	"context"
	"errors"
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
	"github.com/credbed/credbed/ue/dlink"
)

var _ = Describe("The direct-link Lua dissector (docs/credbed-dl.lua)", Label("tshark"), func() {
	var (
		ctx    context.Context
		dir    string
		script string
		pd, td netip.AddrPort
	)
	BeforeEach(func() {
		if _, err := tsharktest.New(); errors.Is(err, tsharktest.ErrNotInstalled) {
			Skip("tshark not installed (apt-get install -y tshark): skipping the direct-link dissector checks")
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
		DeferCleanup(cancel)
		dir = GinkgoT().TempDir()
		var err error
		script, err = filepath.Abs(filepath.Join("..", "docs", "credbed-dl.lua"))
		Expect(err).NotTo(HaveOccurred())
		pd = netip.MustParseAddrPort("127.0.0.101:47800")
		td = netip.MustParseAddrPort("127.0.0.102:47800")
	})

	// write records one DL packet per payload, from the given sender, and
	// returns the capture's path.
	type dgram struct {
		from, to netip.AddrPort
		payload  []byte
	}
	write := func(name string, ds ...dgram) string {
		path := filepath.Join(dir, name)
		clk := clock.NewFake(time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC))
		w, err := capture.Create(path, capture.Config{}, capture.Deps{Clock: clk})
		Expect(err).NotTo(HaveOccurred())
		for _, d := range ds {
			clk.Advance(time.Millisecond)
			Expect(w.Write(transport.Packet{Kind: transport.DL, From: d.from, To: d.to, Payload: d.payload})).To(Succeed())
		}
		Expect(w.Close()).To(Succeed())
		if k := os.Getenv("CREDBED_DL_KEEP"); k != "" {
			b, err := os.ReadFile(path)
			Expect(err).NotTo(HaveOccurred())
			Expect(os.WriteFile(filepath.Join(k, name), b, 0o644)).To(Succeed())
		}
		return path
	}
	// frags marshals f and cuts it into fragments of at most mtu bytes.
	frags := func(f dlink.Frame, mtu int, seq uint8) [][]byte {
		b, err := dlink.Marshal(f)
		Expect(err).NotTo(HaveOccurred())
		out, err := dlink.Fragment(b, mtu, seq)
		Expect(err).NotTo(HaveOccurred())
		return out
	}
	filled := func(n int, v byte) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = v + byte(i)
		}
		return b
	}

	// Reference: ue/dlink frame.go (header: version, type, transaction id, length; attributes
	// id|length|value) and fragment.go (0xD1, sequence, index, count); DPP status codes
	// (Wi-Fi Easy Connect §8.3.4).
	It("names the protocol and every frame type, and reassembles fragmented frames", func() {
		const tx = 0x5eed0001
		caps := dlink.DefaultCapabilities(dlink.RoleConfigurator)
		var ds []dgram
		add := func(from, to netip.AddrPort, fs [][]byte) {
			for _, b := range fs {
				ds = append(ds, dgram{from, to, b})
			}
		}
		add(pd, td, frags(dlink.AuthRequest{TxID: tx, RHash: [32]byte(filled(32, 1)), IProtoKey: append([]byte{4}, filled(64, 2)...),
			ICaps: caps, Wrapped: filled(32, 3)}, 1500, 0))
		add(td, pd, frags(dlink.AuthResponse{TxID: tx, Status: dlink.StatusOK, RHash: [32]byte(filled(32, 1)),
			RProtoKey: append([]byte{4}, filled(64, 5)...), RCaps: dlink.DefaultCapabilities(dlink.RoleEnrollee), Wrapped: filled(80, 6)}, 1500, 0))
		add(pd, td, frags(dlink.AuthConfirm{TxID: tx, Status: dlink.StatusOK, RHash: [32]byte(filled(32, 1)), Wrapped: filled(48, 7)}, 1500, 1))
		add(td, pd, frags(dlink.ConfigRequest{TxID: tx, Wrapped: filled(40, 8)}, 1500, 1))
		delivery := frags(dlink.CredentialDelivery{TxID: tx, Wrapped: filled(300, 9)}, 128, 2) // NFC MTU: 3 fragments
		Expect(delivery).To(HaveLen(3))
		add(pd, td, delivery)
		add(td, pd, frags(dlink.ProofOfPossession{TxID: tx, Status: dlink.StatusOK, Wrapped: filled(96, 10)}, 1500, 2))
		add(td, pd, frags(dlink.StatusFrame{TxID: tx + 1, Status: dlink.StatusRateLimited, Reason: "too many attempts"}, 1500, 3))
		add(pd, td, frags(dlink.PlainCredential{TxID: tx + 2, Package: filled(120, 11)}, 1500, 3))
		path := write("dl.pcap", ds...)

		r, err := tsharktest.New(tsharktest.LuaScript(script))
		Expect(err).NotTo(HaveOccurred())
		d, err := r.Decode(ctx, path, "_ws.col.Info", "credbed-dl.type", "credbed-dl.txid", "credbed-dl.status",
			"credbed-dl.fragments", "credbed-dl.caps.cipher", "credbed-dl.reason", "credbed-dl.plaintext_credential")
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Check("udp", "credbed-dl")).To(Succeed())
		Expect(d.Frames).To(HaveLen(10))
		Expect(d.Count("credbed-dl")).To(Equal(10), "every datagram on UDP 47800 is credbed-dl")

		var infos []string
		for _, f := range d.Frames {
			infos = append(infos, f.Fields["_ws.col.Info"])
		}
		Expect(infos).To(Equal([]string{
			"AuthRequest", "AuthResponse", "AuthConfirm", "ConfigRequest",
			"CredentialDelivery fragment 1/3", "Fragment 2/3 of message 2", "CredentialDelivery (reassembled from 3 fragments)",
			"ProofOfPossession", "Status", "PlainCredential",
		}))
		types := d.Values("credbed-dl", "credbed-dl.type")
		Expect(types[0]).To(Equal("0x01"))
		Expect(types[6]).To(Equal("0x05"))
		Expect(types[9]).To(Equal("0x20"))
		Expect(d.Frames[0].Fields["credbed-dl.txid"]).To(Equal("0x5eed0001"))
		Expect(d.Frames[0].Fields["credbed-dl.caps.cipher"]).To(Equal("2,1"), "the PD's cipher preferences: AES-256-GCM, AES-128-GCM")
		Expect(d.Frames[8].Fields["credbed-dl.status"]).To(Equal("132"), "RATE_LIMITED (0x84)")
		Expect(d.Frames[8].Fields["credbed-dl.reason"]).To(Equal("too many attempts"))
		// tshark's single pass cannot point back from a fragment to the frame
		// that completes it (Wireshark's second pass does); the completing
		// frame lists its fragments.
		Expect(d.Frames[6].Fields["credbed-dl.fragments"]).To(Equal("5,6,7"))
		Expect(d.Frames[9].Fields["credbed-dl.plaintext_credential"]).To(BeElementOf("1", "True", "true"))
	})

	It("flags malformed datagrams without a Lua error", func() {
		bad := uint16(999)
		b, err := dlink.MarshalWith(dlink.StatusFrame{TxID: 7, Status: dlink.StatusAuthFailure}, dlink.EncodeOptions{Length: &bad})
		Expect(err).NotTo(HaveOccurred())
		wrongLen, err := dlink.Fragment(b, 1500, 0)
		Expect(err).NotTo(HaveOccurred())
		unknown := dlink.FrameType(0x7f)
		b, err = dlink.MarshalWith(dlink.StatusFrame{TxID: 8, Status: dlink.StatusOK}, dlink.EncodeOptions{Type: &unknown})
		Expect(err).NotTo(HaveOccurred())
		unknownType, err := dlink.Fragment(b, 1500, 1)
		Expect(err).NotTo(HaveOccurred())
		path := write("bad.pcap",
			dgram{pd, td, wrongLen[0]},
			dgram{pd, td, unknownType[0]},
			dgram{pd, td, []byte{0x42, 0, 0, 1, 1, 2, 3}},             // bad magic
			dgram{pd, td, []byte{0xD1, 0, 3, 2, 1}},                   // index beyond count
			dgram{pd, td, []byte{0xD1, 0, 0, 1, 1, 7, 0, 0, 0, 9, 0}}, // truncated frame
		)
		r, err := tsharktest.New(tsharktest.LuaScript(script))
		Expect(err).NotTo(HaveOccurred())
		d, err := r.Decode(ctx, path, "_ws.col.Info")
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Frames).To(HaveLen(5))
		for _, f := range d.Frames {
			Expect(f.Has("credbed-dl")).To(BeTrue())
			var msgs []string
			for _, x := range f.Experts {
				Expect(x.Message).NotTo(ContainSubstring("Lua Error"))
				if x.Severity >= tsharktest.Warn {
					msgs = append(msgs, x.Message)
				}
			}
			Expect(msgs).NotTo(BeEmpty(), "frame %d (%s) is flagged", f.Number, strings.Join(f.Protocols, ":"))
		}
		Expect(d.Frames[0].Experts[0].Message).To(ContainSubstring("Header says 999"))
		Expect(d.Frames[1].Fields["_ws.col.Info"]).To(Equal("Frame-0x7f"))
	})
})
