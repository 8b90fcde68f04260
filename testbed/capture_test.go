package testbed_test

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/capture/tsharktest"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/testbed"
	"github.com/credbed/credbed/ue"
)

var _ = Describe("Bed capture read by tshark", Label("conformance", "tshark"), func() {
	// Reference: TS 38.412 §7 (NGAP over SCTP, PPID 60), TS 38.413 §9 (NGAP PDUs)
	// Reference: TS 24.501 §8, §9 (NAS-5GS messages), TS 29.500 §5.2 (SBI over HTTP/2)
	DescribeTable("decodes NGAP, NAS-5GS and HTTP/2 of a whole run without malformed frames or expert errors",
		func(mode string) {
			r, err := tsharktest.New()
			if errors.Is(err, tsharktest.ErrNotInstalled) {
				Skip("tshark not installed (apt-get install -y tshark)")
			}
			Expect(err).NotTo(HaveOccurred())
			path := filepath.Join(GinkgoT().TempDir(), "bed-"+mode+".pcap")
			e := newEnv(mode, func(t *testbed.Topology) { t.Capture = path })

			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var ues []*ue.UE
			for i, s := range []ident.ProtectionScheme{ident.SchemeNull, ident.SchemeProfileA, ident.SchemeProfileB} {
				u := e.newUE(i, scheme(s))
				e.expectRegistered(0, u, e.supi(i), register(u))
				ues = append(ues, u)
			}
			stranger := e.newUE(provisioned)
			res := register(stranger)
			Expect(res.Accepted).To(BeFalse())
			Expect(res.Cause).To(Equal(nasx.CauseIllegalUE))
			for i, u := range ues {
				Expect(u.Deregister(ctx, i == 2)).To(Succeed())
				e.awaitAMF(0, e.supi(i), "CONTEXT-DELETED")
			}
			Expect(e.Capture.Stats().Packets).To(BeNumerically(">", 0))
			Expect(e.Capture.Stats().Failed).To(BeZero())
			Expect(e.Close()).To(Succeed())
			Expect(e.Capture.Err()).NotTo(HaveOccurred())

			r, err = tsharktest.New(tsharktest.DecodeAs(e.Capture.DecodeAs()...))
			Expect(err).NotTo(HaveOccurred())
			d, err := r.Decode(ctx, path)
			Expect(err).NotTo(HaveOccurred())
			Expect(d.Check("ngap", "nas-5gs", "http2", "json")).To(Succeed())
			Expect(d.Problems(tsharktest.Error)).To(BeEmpty())
			GinkgoWriter.Printf("%s: %d frames, %d NGAP, %d NAS-5GS, %d HTTP/2\n", mode, len(d.Frames),
				d.Count("ngap"), d.Count("nas-5gs"), d.Count("http2"))
		},
		Entry("mem", "mem"),
		Entry("net", netMode, "net"),
	)
})
