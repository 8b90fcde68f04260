package capture_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/capture"
	"github.com/credbed/credbed/internal/capture/tsharktest"
	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/transport"
)

var _ = Describe("Redaction of key material", func() {
	// secretValue is a distinct 64-hex-digit value per member.
	secretValue := func(i int) string { return strings.Repeat(fmt.Sprintf("%02x", 0xa0+i), 32) }

	sbiWith := func(member, value string) transport.Packet {
		return transport.Packet{
			Kind: transport.SBI, From: ausf, To: amfSBI, Response: true, Status: http.StatusOK,
			Header:  http.Header{"Content-Type": {"application/json"}},
			Payload: []byte(fmt.Sprintf(`{"authType":"5G_AKA","nested":[{"%s":"%s","n":1}]}`, member, value)),
		}
	}
	icsWith := func(key ngapx.KgNB) transport.Packet {
		m := &ngapx.InitialContextSetupRequest{
			AMFUENGAPID: 1, RANUENGAPID: 2,
			GUAMI:                  ngapx.GUAMI{PLMN: ngapx.PLMN{0x00, 0xf1, 0x10}, AMFRegionID: 1, AMFSetID: 1, AMFPointer: 1},
			AllowedNSSAI:           []ngapx.SNSSAI{{SST: 1}},
			UESecurityCapabilities: ngapx.UESecurityCapabilities{NREncryption: 0xe000, NRIntegrity: 0xe000},
			SecurityKey:            key,
		}
		b, err := m.Build()
		Expect(err).NotTo(HaveOccurred())
		return transport.Packet{Kind: transport.N2, From: amfN2, To: gnbN2, Payload: b}
	}

	// Reference: TS 33.501 §5.2.4, §6.1.3 (keys never leave their entity), §13.1 (SBI in TLS), §9.2 (N2 in IPsec)
	It("writes every secret member and the KgNB redacted, leaves the packets passed on unchanged, and keeps them with KeepSecrets", func() {
		var pkts, originals []transport.Packet
		var secrets [][]byte
		for i, m := range capture.SecretMembers() {
			v := secretValue(i)
			p := sbiWith(m, v)
			pkts = append(pkts, p)
			originals = append(originals, p.Clone())
			secrets = append(secrets, []byte(v))
		}
		var kgnb ngapx.KgNB
		for i := range kgnb {
			kgnb[i] = byte(0x5a ^ i)
		}
		ics := icsWith(kgnb)
		pkts = append(pkts, ics)
		originals = append(originals, ics.Clone())
		secrets = append(secrets, kgnb[:])

		pcap, _, err := record(capture.Config{}, clock.NewFake(t0), 0, pkts...)
		Expect(err).NotTo(HaveOccurred())
		for _, s := range secrets {
			Expect(bytes.Contains(pcap, s)).To(BeFalse(), "secret %x left in the capture", s[:4])
		}
		Expect(bytes.Contains(pcap, []byte(strings.Repeat("x", 64)))).To(BeTrue())
		for i := range pkts {
			Expect(pkts[i].Payload).To(Equal(originals[i].Payload), "packet %d changed", i)
		}

		var sink bytes.Buffer
		w, err := capture.New(&sink, capture.Config{}, capture.Deps{Clock: clock.NewFake(t0)})
		Expect(err).NotTo(HaveOccurred())
		out := w.Interceptor()(ics)
		Expect(out).To(HaveLen(1))
		Expect(&out[0].Payload[0]).To(BeIdenticalTo(&ics.Payload[0]), "the interceptor passes the original packet on")
		Expect(out[0].Payload).To(Equal(originals[len(originals)-1].Payload))

		kept, _, err := record(capture.Config{KeepSecrets: true}, clock.NewFake(t0), 0, pkts...)
		Expect(err).NotTo(HaveOccurred())
		for _, s := range secrets {
			Expect(bytes.Contains(kept, s)).To(BeTrue())
		}
	})

	// Reference: TS 29.500 §5.2 (SBI bodies), TS 38.413 §9.2.2.1 (INITIAL CONTEXT SETUP REQUEST)
	It("writes non-JSON and unparsable bodies as is", func() {
		v := secretValue(1)
		bad := sbiWith("kausf", v)
		bad.Payload = append(bad.Payload, '}')
		text := sbiWith("kausf", v)
		text.Header = http.Header{"Content-Type": {"text/plain"}}
		pcap, _, err := record(capture.Config{}, clock.NewFake(t0), 0, bad, text)
		Expect(err).NotTo(HaveOccurred())
		Expect(bytes.Count(pcap, []byte(v))).To(Equal(2))
	})

	// Reference: TS 29.500 §5.2, TS 38.412 §7 (the redacted capture still decodes)
	It("keeps redacted captures decodable by tshark", Label("tshark"), func() {
		r, err := tsharktest.New()
		if errors.Is(err, tsharktest.ErrNotInstalled) {
			Skip("tshark not installed")
		}
		Expect(err).NotTo(HaveOccurred())
		var key ngapx.KgNB
		key[0] = 1
		path := filepath.Join(GinkgoT().TempDir(), "redacted.pcap")
		w, err := capture.Create(path, capture.Config{}, capture.Deps{Clock: clock.NewFake(t0)})
		Expect(err).NotTo(HaveOccurred())
		Expect(w.Write(sbiWith("kseaf", secretValue(2)))).To(Succeed())
		Expect(w.Write(icsWith(key))).To(Succeed())
		Expect(w.Close()).To(Succeed())
		d, err := r.Decode(GinkgoT().Context(), path, "json.value.string", "ngap.procedureCode")
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Check("http2", "json", "ngap")).To(Succeed())
		Expect(d.Values("json", "json.value.string")).To(ContainElement(ContainSubstring(strings.Repeat("x", 64))))
		Expect(d.Values("ngap", "ngap.procedureCode")).To(Equal([]string{"14"}))
	})
})
