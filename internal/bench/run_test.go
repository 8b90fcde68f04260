package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("UPF packets", func() {
	// Reference: TS 29.281 §5 (G-PDU), TS 29.244 §5.2 (uplink PDR/FAR to N6)
	It("delivers every G-PDU it sends through the mem transport", func() {
		st, err := UPFPackets(context.Background(), Options{UPFPackets: 5000, Seed: GinkgoRandomSeed()})
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Sent).To(BeEquivalentTo(5000))
		Expect(st.Delivered).To(BeEquivalentTo(5000))
		Expect(st.Dropped).To(BeZero())
		Expect(st.Sessions).To(Equal(upfSessions))
		Expect(st.PerSecond()).To(BeNumerically(">", 0))
	})

	It("builds inner IPv4 headers with a valid checksum", func() {
		p := ipv4UDP(upfBenchSrv, upfBenchSrv, 100)
		Expect(p).To(HaveLen(100))
		var sum uint32
		for i := 0; i < 20; i += 2 {
			sum += uint32(p[i])<<8 | uint32(p[i+1])
		}
		for sum > 0xffff {
			sum = sum&0xffff + sum>>16
		}
		Expect(sum).To(BeEquivalentTo(0xffff))
	})
})

// requiredKeys are the fields `credbed bench --json` promises.
var requiredKeys = []string{
	"crypto_floor_per_s", "registrations_per_s", "registration_ratio_to_floor", "lifecycles_per_s",
	"upf_packets_per_s", "registration_p50_ms", "registration_p99_ms", "bytes_per_registered_ue",
	"ues", "mode", "cores",
}

var _ = Describe("Run", func() {
	small := func() Options {
		return Options{UEs: 200, Concurrency: 4, CryptoSets: 4, UPFPackets: 500, Seed: GinkgoRandomSeed()}
	}

	It("runs every phase and prints one JSON object with the promised fields", func() {
		reg, lc := &fakeSystem{}, &fakeSystem{failEach: 50}
		r, err := Run(context.Background(), small(), Targets{
			Registrar:  func(context.Context, Options) (Registrar, error) { return reg, nil },
			Lifecycler: func(context.Context, Options) (Lifecycler, error) { return lc, nil },
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(reg.closed).To(BeTrue())
		Expect(lc.closed).To(BeTrue())

		b, err := json.Marshal(r)
		Expect(err).NotTo(HaveOccurred())
		var m map[string]any
		Expect(json.Unmarshal(b, &m)).To(Succeed())
		for _, k := range requiredKeys {
			Expect(m).To(HaveKey(k))
		}
		for _, k := range requiredKeys {
			if k != "mode" {
				Expect(m[k]).To(BeAssignableToTypeOf(float64(0)), k)
			}
		}
		Expect(m["mode"]).To(Equal("mem"))
		Expect(m["ues"]).To(BeEquivalentTo(200))
		Expect(m["cores"]).To(BeNumerically(">=", 1))
		Expect(m["skipped"]).To(BeEmpty())

		Expect(r.CryptoFloorSets).To(BeEquivalentTo(4))
		Expect(r.CryptoFloorPerS).To(BeNumerically(">", 0))
		Expect(r.RegistrationsOK).To(BeEquivalentTo(200))
		Expect(r.RegistrationsPerS).To(BeNumerically(">", 0))
		Expect(r.RegistrationRatioToFloor).To(BeNumerically("~", r.RegistrationsPerS/r.CryptoFloorPerS, 1e-9))
		Expect(r.HalfRateTargetPerS).To(BeNumerically("~", r.RegistrationsPerS/2, 1e-6))
		Expect(r.HalfRateOK).To(BeEquivalentTo(200))
		Expect(r.HalfRateArrivalsPerS).To(BeNumerically(">", 0))
		Expect(r.Lifecycles).To(Equal(200))
		Expect(r.LifecyclesOK).To(BeEquivalentTo(196))
		Expect(r.LifecycleErrors).To(BeEquivalentTo(4))
		Expect(r.Errors).To(ConsistOf("lifecycles: " + errFakeReject.Error()))
		Expect(r.Failed()).To(BeTrue())
		Expect(r.UPFPacketsDelivered).To(BeEquivalentTo(500))

		var out bytes.Buffer
		Expect(r.WriteTable(&out)).To(Succeed())
		Expect(out.String()).To(ContainSubstring("initial registrations"))
		Expect(out.String()).To(ContainSubstring("error lifecycles: " + errFakeReject.Error()))
	})

	It("skips what is not selected or has no system, and records set-up failures", func() {
		o := small()
		o.Phases = []Phase{PhaseRegistrations, PhaseLifecycles}
		r, err := Run(context.Background(), o, Targets{
			Registrar: func(context.Context, Options) (Registrar, error) { return nil, errors.New("no bed") },
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(r.Skipped).To(ConsistOf("crypto-floor: not selected", "half-rate: not selected",
			"lifecycles: no system under test", "upf: not selected"))
		Expect(r.Errors).To(ConsistOf("registrations: no bed"))
		b, err := json.Marshal(r)
		Expect(err).NotTo(HaveOccurred())
		var m map[string]any
		Expect(json.Unmarshal(b, &m)).To(Succeed())
		for _, k := range requiredKeys {
			Expect(m).To(HaveKey(k))
		}
	})

	DescribeTable("rejects bad options",
		func(o Options) {
			_, err := Run(context.Background(), o, Targets{})
			Expect(err).To(MatchError(ErrOptions))
		},
		Entry("mode", Options{Mode: "udp"}),
		Entry("negative UEs", Options{UEs: -1}),
		Entry("negative concurrency", Options{Concurrency: -2}),
		Entry("negative rate", Options{Rate: -1}),
		Entry("ramp without rate", Options{Ramp: 1}),
		Entry("negative duration", Options{Duration: -1}),
		Entry("unknown phase", Options{Phases: []Phase{"nope"}}),
	)

	It("parses phase lists", func() {
		Expect(ParsePhases("")).To(Equal(AllPhases()))
		Expect(ParsePhases("all")).To(Equal(AllPhases()))
		Expect(ParsePhases("upf, crypto-floor,upf")).To(Equal([]Phase{PhaseUPF, PhaseCryptoFloor}))
		_, err := ParsePhases("crypto")
		Expect(err).To(MatchError(ErrOptions))
	})
})
