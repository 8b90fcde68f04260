package testbed_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/nf/udm"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/nf/upf"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/scenarios/profile/secure"
	"github.com/credbed/credbed/testbed"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/dlink"
	"github.com/credbed/credbed/ue/gmm"
	"github.com/credbed/credbed/ue/roles"
)

// prof returns a built-in profile of the bed.
func (e *env) prof(name string) profile.Profile {
	GinkgoHelper()
	p, err := e.Profiles.Get(name)
	Expect(err).NotTo(HaveOccurred())
	return p
}

// removedAt returns the sequence number of the UDR's removal of supi.
func (e *env) removedAt(after uint64, supi string) uint64 {
	GinkgoHelper()
	return e.await(after, match(trace.Event{Actor: "udr", Kind: trace.KindState, Name: "removed", SUPI: supi})).Seq
}

// expectRejectedWithoutContext checks step 9 in the trace: after the
// removal at seq, the AMF rejected supi with cause, the UDM had no
// subscription to build a vector from, and no key, SQN advance, AUSF
// context or NAS security context appeared (3gpp.md §6 rejection rule).
func (e *env) expectRejectedWithoutContext(removal uint64, supi string, cause uint8) {
	GinkgoHelper()
	e.await(removal, match(trace.Event{Actor: "amf", Kind: trace.KindReject, Name: "REGISTRATION REJECT", Cause: fmt.Sprintf("5GMM#%d", cause)}))
	e.await(removal, match(trace.Event{Actor: "udm", Kind: trace.KindReject, Name: udm.OpUEAUGet, Status: 404}))
	e.noSecurityMaterial(removal, supi)
	_, ok := e.AMF.UE(supi)
	Expect(ok).To(BeFalse(), "the AMF keeps no context for %s", supi)
}

// provisionAndAttach runs steps 3-7 by hand (the profile's device half and
// the roles' API) and returns the target's SUPI and PDU session.
func (e *env) provisionAndAttach(p profile.Profile, pd profile.PD, td *roles.TargetDevice) (profile.Provisioned, ue.Session) {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), lifecycleGuard)
	defer cancel()
	Expect(p.PrepareTarget(ctx, td)).To(Succeed())
	got, err := p.ProvisionTarget(ctx, pd, td)
	Expect(err).NotTo(HaveOccurred())
	return got, e.connect(td).Session
}

// echoAddr is the data network's UDP echo service.
func (e *env) echoAddr() netip.AddrPort {
	return netip.AddrPortFrom(e.DN.Addr(), e.DN.Config().UDPEchoPort)
}

var _ = Describe("Provisioning lifecycle", Label("provisioning"), func() {
	// Reference: DESIGN reference flow steps 1-9; TR 33.899 KI #12.2 R1 (the TD gets its
	// credential from the PD), R2 (the network gets it), R3 (the PD deprovisions it)
	// Reference: TS 33.535 §6.1 (AKMA); TS 33.501 §6.1.3.2 (5G AKA with the new credential);
	// TS 23.502 §4.2.2.3.3, TS 24.501 §5.5.2.3 (network-initiated de-registration), §5.5.1.2.5 (#3)
	DescribeTable("runs the whole lifecycle",
		func(mode, name string) {
			e := newEnv(mode)
			pd, td := e.newPD(), e.newTD()
			res := e.lifecycle(name, pd, td, testbed.LifecycleOptions{})
			supi := res.SUPI
			Expect(supi).To(HavePrefix("imsi-"))

			// Steps 3-6 (R1): the TD's responder accepted the delivery and the USIM holds it.
			e.await(0, match(trace.Event{Actor: td.Name(), Kind: trace.KindKey, Name: roles.EvInstalled, SUPI: supi}))
			plain := e.since(0, match(trace.Event{Actor: pd.Name(), Kind: trace.KindMessage, Name: dlink.TypePlainCredential.String()}))
			if name == "baseline" {
				Expect(plain).NotTo(BeEmpty(), "the baseline sends the credential in clear")
			} else {
				Expect(plain).To(BeEmpty())
				Expect(res.Provisioned.Confirmed).To(BeTrue(), "the CPF checked the proof of possession")
			}
			// Step 5 (R2): the subscription was written pending, owned by the PD, and
			// became active at the TD's first authentication (step 7).
			e.await(0, match(trace.Event{Actor: "udr", Kind: trace.KindState, Name: string(udr.StateActive), SUPI: supi}))
			e.expectFullAuth(0, supi)
			Expect(res.Attach.Registration.Accepted).To(BeTrue())
			Expect(res.Attach.Session.UserPlane).To(BeTrue())

			// Step 8 (R3): the protected DEREGISTRATION REQUEST reached the TD.
			removal := e.removedAt(0, supi)
			dereg := e.await(removal, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindMessage, Name: msgDeregReqUET}))
			Expect(dereg.Detail).To(Equal("dl sht=2"))
			Expect(res.Deregistration.Protected).To(BeTrue())
			Expect(res.Deregistration.Cause).To(Equal(nasx.CauseIllegalUE))
			e.awaitAMF(removal, supi, "CONTEXT-DELETED")
			Expect(e.SMF.Sessions(supi)).To(BeEmpty())

			// Step 9: rejected with #3, no vector, no KAUSF, no context.
			Expect(res.Rejection.Accepted).To(BeFalse())
			Expect(res.Rejection.Cause).To(Equal(nasx.CauseIllegalUE))
			e.expectRejectedWithoutContext(removal, supi, nasx.CauseIllegalUE)
		},
		Entry("secure, mem", "mem", "secure"),
		Entry("baseline, mem", "mem", "baseline"),
		Entry("secure, net", netMode, "net", "secure"),
	)

	// Reference: TR 33.899 KI #12.2 R1, R3; TS 23.502 §4.3.2.2.1 (user plane), §4.2.2.3.3;
	// TS 29.244 §5.2 (the UPF drops packets no PDR matches once the session is deleted)
	It("carries the target's data to the data network after attach and no longer after deprovisioning", func() {
		e := newEnv("mem")
		pd, td := e.newPD(), e.newTD()
		e.connect(pd)
		p := e.prof("secure")
		got, sess := e.provisionAndAttach(p, pd, td)
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()

		before := e.DN.Stats()
		Expect(roles.Echo(ctx, td.UE(), e.echoAddr(), []byte("uplink and back"))).To(Succeed())
		after := e.DN.Stats()
		Expect(after).NotTo(Equal(before), "the probe crossed N6")
		info := e.SMF.Sessions(got.SUPI)
		Expect(info).To(HaveLen(1))
		ulTEID := info[0].ULTunnel.TEID
		_, ok := e.UPF.SessionByTEID(ulTEID)
		Expect(ok).To(BeTrue())

		m := e.mark()
		_, err := p.Deprovision(ctx, pd, got.SUPI)
		Expect(err).NotTo(HaveOccurred())
		e.await(m, match(trace.Event{Actor: ueActor(got.SUPI), Kind: trace.KindMessage, Name: msgDeregReqUET}))
		Eventually(func() bool {
			_, byIP := e.UPF.SessionByUEIP(sess.Addr)
			_, byTEID := e.UPF.SessionByTEID(ulTEID)
			return byIP || byTEID || len(e.SMF.Sessions(got.SUPI)) > 0
		}, guard).Should(BeFalse(), "the SMF and the UPF release the target's session")

		// From the UE: no session to send from.
		Expect(roles.Echo(ctx, td.UE(), e.echoAddr(), []byte("after"))).To(MatchError(ue.ErrNoSession))
		// From the data network: the UPF has no rule for the old address any more.
		drops := e.UPF.Stats().Dropped(upf.DropNoSession)
		conn, err := e.DN.DialUDP(netip.AddrPortFrom(sess.Addr, 9))
		Expect(err).NotTo(HaveOccurred())
		defer conn.Close()
		_, err = conn.Write([]byte("downlink to a deprovisioned target"))
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() uint64 { return e.UPF.Stats().Dropped(upf.DropNoSession) }, guard).Should(BeNumerically(">", drops))
	})

	// Reference: TS 24.501 §5.5.1.2.5 (REGISTRATION REJECT #3, or the configured cause, 3gpp.md §2.3);
	// TS 33.501 §6.1.3.2 step 1 (no vector without a subscription); 3gpp.md §6.3 X7; TR 33.899 KI #12.2 R3
	DescribeTable("rejects the target's next registrations without creating a vector or a context",
		func(cause uint8) {
			e := newEnv("mem", func(t *testbed.Topology) { t.RejectCause, t.DeregCause = cause, cause })
			pd, td := e.newPD(), e.newTD()
			res := e.lifecycle("secure", pd, td, testbed.LifecycleOptions{})
			Expect(res.Rejection.Cause).To(Equal(cause))
			Expect(res.Deregistration.Cause).To(Equal(cause))
			removal := e.removedAt(0, res.SUPI)
			e.expectRejectedWithoutContext(removal, res.SUPI, cause)
			// Retrying, even with a fresh SUCI after a power cycle, changes nothing.
			for range 2 {
				td.UE().PowerCycle()
				r := register(td.UE(), ue.RegisterOptions{ForceSUCI: true})
				Expect(r.Accepted).To(BeFalse())
				Expect(r.Cause).To(Equal(cause))
			}
			e.noSecurityMaterial(removal, res.SUPI)
		},
		Entry("#3 (default)", nasx.CauseIllegalUE),
		Entry("#7 (configured)", nasx.Cause5GSServicesNotAllowed),
	)

	// Reference: 3gpp.md §6.3 X6 (deprovisioning while the TD is idle or switched off);
	// TS 23.502 §4.2.6 (AN release), §4.2.2.3.3; TS 24.501 §5.5.1.2.5; TR 33.899 KI #12.2 R3
	DescribeTable("deprovisions a target that is not connected",
		func(at testbed.TargetState) {
			e := newEnv("mem")
			pd, td := e.newPD(), e.newTD()
			res := e.lifecycle("secure", pd, td, testbed.LifecycleOptions{TargetAt: at})
			supi := res.SUPI
			removal := e.removedAt(0, supi)
			// The AMF could not reach the TD: no DEREGISTRATION REQUEST went out.
			Expect(e.since(removal, match(trace.Event{Actor: ueActor(supi), Kind: trace.KindMessage, Name: msgDeregReqUET}))).To(BeEmpty())
			Expect(e.SMF.Sessions(supi)).To(BeEmpty())
			Expect(res.Rejection.Cause).To(Equal(nasx.CauseIllegalUE))
			e.expectRejectedWithoutContext(removal, supi, nasx.CauseIllegalUE)
		},
		Entry("idle (N2 connection released)", testbed.TargetIdle),
		Entry("de-registered", testbed.TargetDeregistered),
	)

	// Reference: 3gpp.md §6.2 N5 (no half-provisioned state); DESIGN (the CPF's state is in its store)
	It("survives a CPF restart between the provisioning answer and the confirmation", func() {
		e := newEnv("mem")
		pd, td := e.newPD(), e.newTD()
		e.connect(pd)
		ctx, cancel := context.WithTimeout(context.Background(), lifecycleGuard)
		defer cancel()
		restarting := &restartingPD{ProvisioningDevice: pd, restart: func() {
			defer GinkgoRecover()
			Expect(e.RestartCPF(ctx)).To(Succeed())
		}}
		p := e.prof("secure")
		old := e.CPF
		got, _ := e.provisionAndAttach(p, restarting, td)
		Expect(e.CPF).NotTo(BeIdenticalTo(old), "a new CPF answered the confirmation")
		Expect(got.Confirmed).To(BeTrue())
		Expect(roles.Echo(ctx, td.UE(), e.echoAddr(), []byte("after the restart"))).To(Succeed())
		st, err := p.Status(ctx, pd, got.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.State).To(Equal(provproto.StateActive))
		m := e.mark()
		_, err = p.Deprovision(ctx, pd, got.SUPI)
		Expect(err).NotTo(HaveOccurred())
		e.await(m, match(trace.Event{Actor: ueActor(got.SUPI), Kind: trace.KindMessage, Name: msgDeregReqUET}))
	})

	// Reference: DESIGN step 8 ("the counter is persisted before acting"); 3gpp.md §6.3 X2, X5;
	// nf/cpf: an interrupted deprovisioning is completed by Start
	It("completes a deprovisioning the CPF could not finish before its restart, and refuses its replay", func() {
		e := newEnv("mem")
		pd, td := e.newPD(), e.newTD()
		e.connect(pd)
		p := e.prof("secure")
		got, _ := e.provisionAndAttach(p, pd, td)
		ctx, cancel := context.WithTimeout(context.Background(), lifecycleGuard)
		defer cancel()

		// The UDR cannot be reached for the deletion (the CPF crashes after persisting).
		remove := e.Net.Chain().Add("test/drop-udr-delete", func(pk transport.Packet) []transport.Packet {
			if pk.Kind == transport.SBI && !pk.Response && pk.Method == http.MethodDelete &&
				strings.Contains(pk.Path, "/subscription-data/"+got.SUPI) {
				return nil
			}
			return []transport.Packet{pk}
		})
		_, err := p.Deprovision(ctx, pd, got.SUPI)
		var refused *profile.RefusedError
		Expect(errors.As(err, &refused)).To(BeTrue(), "%v", err)
		Expect(refused.Problem.Status).To(BeNumerically(">=", 500))
		Expect(refused.Authentic).To(BeTrue())
		remove()
		// Consistent meanwhile: the subscription and the TD's registration stand.
		_, err = e.UDR.Get(ctx, got.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(td.UE().Registered()).To(BeTrue())

		m := e.mark()
		Expect(e.RestartCPF(ctx)).To(Succeed())
		e.removedAt(m, got.SUPI)
		e.await(m, match(trace.Event{Actor: ueActor(got.SUPI), Kind: trace.KindMessage, Name: msgDeregReqUET}))
		Eventually(td.UE().State, guard).Should(Equal(gmm.StateDeregistered))

		// A replay of the captured deprovisioning (same counter) is refused.
		_, err = p.Deprovision(ctx, secureReplay{pd}, got.SUPI)
		Expect(err).To(MatchError(profile.ErrRefused))
		Expect(errors.As(err, &refused)).To(BeTrue())
		Expect(refused.Problem.Status).To(Equal(http.StatusConflict))
		Expect(refused.Problem.Cause).To(Equal(cpf.CauseReplay))
		// The PD's next, fresh request works: the target is gone.
		_, err = p.Status(ctx, pd, got.SUPI)
		Expect(errors.As(err, &refused)).To(BeTrue())
		Expect(refused.Problem.Status).To(Equal(http.StatusNotFound))
	})
})

var _ = Describe("Direct link in the bed", Label("provisioning"), func() {
	// Reference: DESIGN step 6 over a medium preset (NFC: LLCP MIU 128); 3gpp.md §5.4
	It("provisions over the NFC preset, every fragment within its MTU", func() {
		e := newEnv("mem")
		nfc, ok := dlink.LookupPreset(dlink.PresetNFC)
		Expect(ok).To(BeTrue())
		var mu sync.Mutex
		var sizes []int
		remove := e.Net.Chain().Add("test/dl-tap", func(pk transport.Packet) []transport.Packet {
			if pk.Kind == transport.DL {
				mu.Lock()
				sizes = append(sizes, len(pk.Payload))
				mu.Unlock()
			}
			return []transport.Packet{pk}
		})
		DeferCleanup(remove)
		pd := e.newPD(testbed.PDOptions{Medium: nfc})
		td, err := e.NewTargetWith("", testbed.TDOptions{Medium: nfc})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(td.Close)
		e.lifecycle("secure", pd, td, testbed.LifecycleOptions{})
		mu.Lock()
		defer mu.Unlock()
		Expect(len(sizes)).To(BeNumerically(">", 6), "the frames were fragmented")
		Expect(slices.Max(sizes)).To(BeNumerically("<=", nfc.MTU))
	})

	// Reference: 3gpp.md §6.1 D7 (tampering on the direct link: nothing half-installed),
	// §6.2 N5 (the network's entry stays pending and expires); TR 33.899 KI #12.2 R1
	It("lets an attacker on the direct link tamper with the delivery, and nothing is installed", func() {
		e := newEnv("mem")
		pd, td := e.newPD(), e.newTD()
		// Flip the last bit (in the GCM tag) of the CredentialDelivery the
		// PD sends: fragment layout [magic seq index count] + frame bytes.
		var mu sync.Mutex
		tamper, flipped := -1, false
		remove := e.Net.Chain().Add("test/dl-bitflip", func(pk transport.Packet) []transport.Packet {
			p := pk.Payload
			if pk.Kind != transport.DL || pk.From != pd.DirectLinkAddr() || len(p) < dlink.FragmentHeaderSize+dlink.HeaderSize {
				return []transport.Packet{pk}
			}
			mu.Lock()
			defer mu.Unlock()
			if p[2] == 0 {
				if h, err := dlink.ParseHeader(p[dlink.FragmentHeaderSize:]); err == nil && h.Type == dlink.TypeCredentialDelivery {
					tamper = int(p[1])
				}
			}
			if int(p[1]) != tamper || p[2] != p[3]-1 {
				return []transport.Packet{pk}
			}
			q := pk.Clone()
			q.Payload[len(q.Payload)-1] ^= 0x01
			flipped = true
			return []transport.Packet{q}
		})
		DeferCleanup(remove)
		ctx, cancel := context.WithTimeout(context.Background(), lifecycleGuard)
		defer cancel()
		res, err := e.Lifecycle(ctx, "secure", pd, td, testbed.LifecycleOptions{})
		Expect(err).To(MatchError(profile.ErrDirectLink))
		var se *testbed.StepError
		Expect(errors.As(err, &se)).To(BeTrue())
		Expect(se.Step).To(Equal(testbed.StepDirectLink))
		Expect(td.UE().HasCredential()).To(BeFalse())
		_, ok := td.Credential()
		Expect(ok).To(BeFalse())
		Expect(e.since(0, match(trace.Event{Actor: td.Name(), Name: roles.EvInstalled}))).To(BeEmpty())
		mu.Lock()
		Expect(flipped).To(BeTrue())
		mu.Unlock()
		Expect(td.Results()).To(ContainElement(HaveField("Status", dlink.StatusUnwrapFailure)))
		// The network holds a pending, unconfirmed entry that will expire.
		Expect(res.Steps).To(HaveLen(int(testbed.StepDirectLink)))
		pend := e.since(0, match(trace.Event{Actor: "cpf", Kind: trace.KindState, Name: provproto.StatePending}))
		Expect(pend).To(HaveLen(1))
		Expect(e.since(0, match(trace.Event{Actor: "cpf", Kind: trace.KindState, Name: provproto.StateConfirmed}))).To(BeEmpty())
	})
})

// restartingPD restarts the CPF before it starts the direct-link exchange
// (between the CPF's provisioning answer and the confirmation).
type restartingPD struct {
	*roles.ProvisioningDevice
	restart func()
}

func (p *restartingPD) RunInitiator(ctx context.Context, td profile.TD, cfg dlink.InitiatorConfig) (dlink.Result, error) {
	p.restart()
	return p.ProvisioningDevice.RunInitiator(ctx, td, cfg)
}

// secureReplay is the PD replaying its last counter (a captured request).
type secureReplay struct{ *roles.ProvisioningDevice }

func (p secureReplay) NextCounter() (uint64, error) { return p.Counter(), nil }

// ---- bad requests through the real PD over the user plane ----

// badCase sends one bad request; the PD-side outcome is an HTTP status and
// a ProblemDetails cause.
type badCase func(ctx context.Context, b *badEnv) (status int, cause string)

// badEnv is a bed with an owner PD that provisioned target (attached), a
// second entitled PD and an unentitled one, all connected.
type badEnv struct {
	*env
	owner, other, unentitled *roles.ProvisioningDevice
	target                   string
	fresh                    *roles.TargetDevice
}

func refusal(err error) (int, string) {
	GinkgoHelper()
	var r *profile.RefusedError
	Expect(errors.As(err, &r)).To(BeTrue(), "want a refusal, got %v", err)
	return r.Problem.Status, r.Problem.Cause
}

func rawAnswer(a profile.Answer, err error) (int, string) {
	GinkgoHelper()
	Expect(err).NotTo(HaveOccurred())
	p, derr := provproto.DecodeProblem(a.Body)
	Expect(derr).NotTo(HaveOccurred(), "%d %s", a.Status, a.Body)
	return a.Status, p.Cause
}

func provisionBody(td *roles.TargetDevice, supi string) []byte {
	GinkgoHelper()
	b, err := provproto.Encode(&provproto.SecureProvisionRequest{BootstrapURI: td.BootstrapURI(), SUPI: supi})
	Expect(err).NotTo(HaveOccurred())
	return b
}

var _ = Describe("Provisioning requests the CPF refuses", Label("provisioning"), func() {
	var b *badEnv
	BeforeEach(func() {
		e := newEnv("mem")
		b = &badEnv{env: e, owner: e.newPD(), other: e.newPD(), unentitled: e.newPD(testbed.PDOptions{NoEntitlement: true})}
		for _, pd := range []*roles.ProvisioningDevice{b.owner, b.other, b.unentitled} {
			e.connect(pd)
		}
		got, _ := e.provisionAndAttach(e.prof("secure"), b.owner, e.newTD())
		b.target = got.SUPI
		b.fresh = e.newTD()
	})

	// Reference: 3gpp.md §6.2 N1-N3, §6.3 X1-X2 (refused with the right status; no UDR write);
	// TS 33.535 §6.3 (AF authentication of the UE with K_AF); TS 29.500 §5.2.7 (ProblemDetails)
	DescribeTable("refuses it and changes nothing",
		func(send badCase, wantStatus int, wantCause string) {
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			before, err := b.UDR.Get(ctx, b.target)
			Expect(err).NotTo(HaveOccurred())
			m := b.mark()
			status, cause := send(ctx, b)
			Expect(status).To(Equal(wantStatus))
			Expect(cause).To(Equal(wantCause))

			// Nothing changed: no state change at the CPF or the UDR, the
			// target's subscription as it was, and the target still served.
			changes := b.since(m, func(ev trace.Event) bool {
				return ev.Kind == trace.KindState && (ev.Actor == "cpf" || ev.Actor == "udr")
			})
			Expect(changes).To(BeEmpty())
			after, err := b.UDR.Get(ctx, b.target)
			Expect(err).NotTo(HaveOccurred())
			Expect(*after.Provisioning).To(Equal(*before.Provisioning))
			Expect(after.AuthenticationSubscription.SequenceNumber).To(Equal(before.AuthenticationSubscription.SequenceNumber))
			st, err := b.prof("secure").Status(ctx, b.owner, b.target)
			Expect(err).NotTo(HaveOccurred())
			Expect(st.State).To(Equal(provproto.StateActive))
		},
		Entry("unauthenticated: no Authorization header (N1)", badCase(func(ctx context.Context, b *badEnv) (int, string) {
			return rawAnswer(profile.Send(ctx, b.owner.HTTPClient(), http.MethodPost, b.owner.CPF().URL("secure")+provproto.PathTargets,
				provisionBody(b.fresh, ""), nil))
		}), http.StatusUnauthorized, cpf.CauseUnauthenticated),
		Entry("unauthenticated: a MAC that does not verify (N1)", badCase(func(ctx context.Context, b *badEnv) (int, string) {
			return refusal(secure.Client{PD: b.owner, Options: provproto.EncodeOptions{FlipMAC: true}}.Do(ctx, cpf.OpProvision,
				http.MethodPost, provproto.PathTargets, provisionBody(b.fresh, ""), http.StatusCreated, &provproto.ProvisionResponse{}))
		}), http.StatusUnauthorized, cpf.CauseMACFailure),
		Entry("not entitled to provision (N2)", badCase(func(ctx context.Context, b *badEnv) (int, string) {
			_, err := b.prof("secure").ProvisionTarget(ctx, b.unentitled, b.fresh)
			return refusal(err)
		}), http.StatusForbidden, cpf.CauseNotEntitled),
		Entry("a SUPI outside the entitlement, e.g. an existing subscriber's (N2)", badCase(func(ctx context.Context, b *badEnv) (int, string) {
			return refusal(secure.Client{PD: b.other}.Do(ctx, cpf.OpProvision, http.MethodPost, provproto.PathTargets,
				provisionBody(b.fresh, b.owner.SUPI()), http.StatusCreated, &provproto.ProvisionResponse{}))
		}), http.StatusForbidden, cpf.CauseForeignTarget),
		Entry("a replayed counter (N3, X2)", badCase(func(ctx context.Context, b *badEnv) (int, string) {
			return refusal(secure.Client{PD: b.owner, Counter: b.owner.Counter()}.Do(ctx, cpf.OpDeprovision,
				http.MethodDelete, provproto.TargetPath(b.target), nil, http.StatusOK, &provproto.TargetStatus{}))
		}), http.StatusConflict, cpf.CauseReplay),
		Entry("deprovisioning a foreign target (X1)", badCase(func(ctx context.Context, b *badEnv) (int, string) {
			_, err := b.prof("secure").Deprovision(ctx, b.other, b.target)
			return refusal(err)
		}), http.StatusForbidden, cpf.CauseForeignTarget),
		Entry("a malformed body", badCase(func(ctx context.Context, b *badEnv) (int, string) {
			return refusal(secure.Client{PD: b.owner}.Do(ctx, cpf.OpProvision, http.MethodPost, provproto.PathTargets,
				[]byte(`{"bootstrapUri": 7`), http.StatusCreated, &provproto.ProvisionResponse{}))
		}), http.StatusBadRequest, cpf.CauseMalformed),
	)
})
