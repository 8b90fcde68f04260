package testbed_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/nf/ausf"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/testbed"
	"github.com/credbed/credbed/ue/roles"
)

// lifecycleGuard bounds a whole lifecycle (a hang guard).
const lifecycleGuard = time.Minute

// newPD makes a provisioning device with a generated subscription.
func (e *env) newPD(o ...testbed.PDOptions) *roles.ProvisioningDevice {
	GinkgoHelper()
	var opts testbed.PDOptions
	if len(o) > 0 {
		opts = o[0]
	}
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	pd, err := e.NewProvisioningDeviceWith(ctx, subscriber.Subscription{}, opts)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(pd.Close)
	return pd
}

// newTD makes a target device.
func (e *env) newTD() *roles.TargetDevice {
	GinkgoHelper()
	td, err := e.NewTarget("")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(td.Close)
	return td
}

// connect runs step 1 for d (a PD, or a provisioned TD).
func (e *env) connect(d testbed.Device) roles.Connection {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	c, err := e.ConnectDevice(ctx, d)
	Expect(err).NotTo(HaveOccurred(), "%+v", c)
	return c
}

// lifecycle runs the whole lifecycle and expects every step to pass.
func (e *env) lifecycle(name string, pd *roles.ProvisioningDevice, td *roles.TargetDevice, o testbed.LifecycleOptions) testbed.LifecycleResult {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), lifecycleGuard)
	defer cancel()
	res, err := e.Lifecycle(ctx, name, pd, td, o)
	Expect(err).NotTo(HaveOccurred(), "%s", steps(res))
	Expect(res.OK()).To(BeTrue(), "%s", steps(res))
	return res
}

func steps(r testbed.LifecycleResult) string {
	s := ""
	for _, x := range r.Steps {
		s += fmt.Sprintf("\n  %d %-18s skipped=%-5v %10v err=%v %s", x.Step, x.Step, x.Skipped, x.Took, x.Err, x.Detail)
	}
	return s
}

var _ = Describe("Lifecycle driver", Label("provisioning"), func() {
	// Reference: DESIGN reference flow steps 1-9; TR 33.899 KI #12.2 R1-R3
	It("reports every step in order with its timing, and skips step 1 for a connected PD", func() {
		e := newEnv("mem")
		pd, td := e.newPD(), e.newTD()
		res := e.lifecycle("secure", pd, td, testbed.LifecycleOptions{})
		Expect(res.Steps).To(HaveLen(testbed.NumSteps))
		for i, s := range res.Steps {
			Expect(s.Step).To(Equal(testbed.Step(i + 1)))
			Expect(s.Err).NotTo(HaveOccurred())
			Expect(s.Step.String()).NotTo(HavePrefix("step-"))
		}
		first, _ := res.Step(testbed.StepPDAttach)
		Expect(first.Skipped).To(BeFalse(), "the PD registered in step 1")
		Expect(res.Profile).To(Equal("secure"))
		Expect(res.PD).To(Equal(pd.SUPI()))
		Expect(res.Device).To(Equal(td.DeviceID()))
		Expect(res.SUPI).To(Equal(res.Provisioned.SUPI))
		Expect(res.Took).To(BeNumerically(">", 0))

		// A second lifecycle with the same PD skips step 1 and uses a new counter.
		ctr := pd.Counter()
		res = e.lifecycle("secure", pd, e.newTD(), testbed.LifecycleOptions{})
		first, _ = res.Step(testbed.StepPDAttach)
		Expect(first.Skipped).To(BeTrue())
		Expect(pd.Counter()).To(BeNumerically(">", ctr))
	})

	It("stops at the first failed step with a typed error", func() {
		e := newEnv("mem")
		pd := e.newPD(testbed.PDOptions{NoEntitlement: true})
		ctx, cancel := context.WithTimeout(context.Background(), lifecycleGuard)
		defer cancel()
		res, err := e.Lifecycle(ctx, "secure", pd, e.newTD(), testbed.LifecycleOptions{})
		Expect(err).To(MatchError(testbed.ErrLifecycle))
		var se *testbed.StepError
		Expect(errors.As(err, &se)).To(BeTrue())
		Expect(se.Step).To(Equal(testbed.StepProvisionRequest))
		Expect(err).To(MatchError(profile.ErrRefused))
		Expect(res.Steps).To(HaveLen(int(testbed.StepProvisionRequest)))
		Expect(res.OK()).To(BeFalse())

		_, err = e.Lifecycle(ctx, "no-such-profile", pd, e.newTD(), testbed.LifecycleOptions{})
		Expect(err).To(MatchError(profile.ErrUnknown))
	})

	// Reference: TS 33.535 §6.1, A.2-A.4 (the PD derives the AUSF's A-KID and K_AF)
	It("derives the same A-KID the AUSF registered at the AAnF", func() {
		e := newEnv("mem")
		pd := e.newPD()
		registered(pd.UE())
		creds, err := pd.AKMA(e.CPFService().AFID)
		Expect(err).NotTo(HaveOccurred())
		Expect(creds.AKID).To(HaveSuffix("@" + ausf.HomeNetworkRealm(e.PLMN())))
		reg := e.since(0, match(trace.Event{Actor: "ausf", Kind: trace.KindKey, Name: ausf.KeyKAKMA, SUPI: pd.SUPI()}))
		Expect(reg).To(HaveLen(1))
		Expect(reg[0].Detail).To(Equal("A-KID " + creds.AKID))
	})

	It("gives devices distinct direct-link addresses and reuses freed ones", func() {
		e := newEnv("mem")
		a, err := e.NewTarget("")
		Expect(err).NotTo(HaveOccurred())
		b, err := e.NewTarget("")
		Expect(err).NotTo(HaveOccurred())
		Expect(a.DirectLinkAddr()).NotTo(Equal(b.DirectLinkAddr()))
		Expect(a.DeviceID()).NotTo(Equal(b.DeviceID()))
		addr := a.DirectLinkAddr()
		Expect(a.Close()).To(Succeed())
		c, err := e.NewTarget("td-custom")
		Expect(err).NotTo(HaveOccurred())
		Expect(c.DirectLinkAddr()).To(Equal(addr))
		Expect(c.DeviceID()).To(Equal("td-custom"))
		Expect(b.Close()).To(Succeed())
		Expect(c.Close()).To(Succeed())
	})

	It("gives every PD its own entitlement range", func() {
		e := newEnv("mem")
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		p1, p2 := e.newPD(), e.newPD()
		e1, err := e.UDR.Entitlement(ctx, p1.SUPI())
		Expect(err).NotTo(HaveOccurred())
		e2, err := e.UDR.Entitlement(ctx, p2.SUPI())
		Expect(err).NotTo(HaveOccurred())
		Expect(e1.SupiRanges).To(HaveLen(1))
		Expect(e2.SupiRanges).To(HaveLen(1))
		Expect(e1.SupiRanges[0].End < e2.SupiRanges[0].Start || e2.SupiRanges[0].End < e1.SupiRanges[0].Start).To(BeTrue())
		Expect(e1.SupiRanges[0].Contains(p1.SUPI())).To(BeFalse())
		d, err := e.UDR.Get(ctx, p1.SUPI())
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Provisioning.State).To(Equal(udr.StateActive))
	})
})

// Reference: TR 33.899 KI #12.2 R1-R3 at scale; DESIGN performance targets (lifecycles)
var _ = Describe("Lifecycles at scale (mem)", Label("provisioning", "scale"), func() {
	const n = 1000
	It(fmt.Sprintf("provisions and deprovisions %d targets concurrently", n), func() {
		e := newEnvN("mem", 0, func(t *testbed.Topology) { t.Name, t.GNBs, t.CPF = "lifecycles", 2, testbed.UnlimitedCPF })
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		res, err := e.Lifecycles(ctx, "secure", n, 32)
		Expect(err).NotTo(HaveOccurred())
		AddReportEntry(fmt.Sprintf("%d lifecycles", n), fmt.Sprintf("%v, %.0f/s", res.Took, res.PerSecond()))
		GinkgoWriter.Printf("%d lifecycles in %v (%.0f/s) with %d PDs\n", n, res.Took, res.PerSecond(), res.PDs)
		Expect(res.Errors).To(BeEmpty())
		Expect(res.OK).To(Equal(n))
		Expect(res.PDs).To(Equal(32))
		for i, s := range res.Steps {
			Expect(s.Runs).To(Equal(n), "step %v", testbed.Step(i+1))
			Expect(s.Failed).To(BeZero())
		}
		Expect(res.Steps[testbed.StepPDAttach-1].Skipped).To(Equal(n), "the PDs were connected before")
		// Every target is gone from the network; only the PDs remain.
		c := e.AMF.Counts()
		Expect(c.SUPIs).To(Equal(res.PDs))
		Expect(e.SMF.Count()).To(Equal(res.PDs))
		Expect(e.since(0, match(trace.Event{Actor: "udr", Kind: trace.KindState, Name: "removed"}))).To(HaveLen(n))
	})
})
