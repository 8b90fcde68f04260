package secure_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/internal/transport/intercept"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/scenarios/profile/profiletest"
	"github.com/credbed/credbed/scenarios/profile/secure"
)

var (
	ctx  context.Context
	core *profiletest.Core
)

func newCore(o profiletest.Options) {
	GinkgoHelper()
	o.Seed = GinkgoRandomSeed()
	var err error
	core, err = profiletest.NewCore(ctx, o)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(core.Close)
}

func newPD(o profiletest.PDOptions) *profiletest.PD {
	GinkgoHelper()
	pd, err := core.NewPD(ctx, o)
	Expect(err).NotTo(HaveOccurred())
	return pd
}

func entitled(n int) profiletest.PDOptions {
	return profiletest.PDOptions{Entitlement: profiletest.DefaultEntitlement(n)}
}

func newTD() *profiletest.TD {
	GinkgoHelper()
	td, err := core.NewTD()
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(td.Close)
	return td
}

func provisionBody(td *profiletest.TD, supi string) []byte {
	GinkgoHelper()
	b, err := provproto.Encode(&provproto.SecureProvisionRequest{BootstrapURI: td.Bootstrap().URI(), SUPI: supi})
	Expect(err).NotTo(HaveOccurred())
	return b
}

// provision plays the PD's provisioning request and checks the answer.
func provision(pd *profiletest.PD, td *profiletest.TD) provproto.ProvisionResponse {
	GinkgoHelper()
	ans, auth, err := pd.Secure(ctx, http.MethodPost, provproto.PathTargets, provisionBody(td, ""), 0, provproto.EncodeOptions{})
	Expect(err).NotTo(HaveOccurred())
	Expect(ans.Status).To(Equal(http.StatusCreated), "body %s", ans.Body)
	kaf, err := pd.KAF()
	Expect(err).NotTo(HaveOccurred())
	Expect(provproto.VerifyResponse(kaf, auth, ans.Status, ans.Body, ans.Header.Get(provproto.HeaderAuthInfo))).To(Succeed())
	var rsp provproto.ProvisionResponse
	Expect(provproto.Decode(ans.Body, &rsp)).To(Succeed())
	return rsp
}

func confirmBody(rsp provproto.ProvisionResponse, proof []byte) []byte {
	GinkgoHelper()
	b, err := provproto.Encode(&provproto.ConfirmRequest{OperationID: rsp.OperationID, Proof: proof})
	Expect(err).NotTo(HaveOccurred())
	return b
}

func proofOf(td *profiletest.TD, rsp provproto.ProvisionResponse) []byte {
	GinkgoHelper()
	pkg, err := td.Open(rsp.Sealed)
	Expect(err).NotTo(HaveOccurred())
	p, err := pkg.Proof()
	Expect(err).NotTo(HaveOccurred())
	return p[:]
}

func secureReq(pd *profiletest.PD, method, path string, body []byte) profile.Answer {
	GinkgoHelper()
	ans, _, err := pd.Secure(ctx, method, path, body, 0, provproto.EncodeOptions{})
	Expect(err).NotTo(HaveOccurred())
	return ans
}

func problemOf(ans profile.Answer) provproto.Problem {
	GinkgoHelper()
	Expect(ans.Header.Get("Content-Type")).To(Equal(provproto.ContentProblem))
	p, err := provproto.DecodeProblem(ans.Body)
	Expect(err).NotTo(HaveOccurred(), "body %s", ans.Body)
	Expect(p.Status).To(Equal(ans.Status))
	return p
}

type snaps struct{ udr, cpf profiletest.Snapshot }

func snapshot() snaps {
	GinkgoHelper()
	u, c, err := core.Snapshots()
	Expect(err).NotTo(HaveOccurred())
	return snaps{u, c}
}

func expectUnchanged(before snaps) {
	GinkgoHelper()
	after := snapshot()
	Expect(before.udr.Equal(after.udr)).To(BeTrue(), "UDR store changed: %v", before.udr.Diff(after.udr))
	Expect(before.cpf.Equal(after.cpf)).To(BeTrue(), "CPF store changed: %v", before.cpf.Diff(after.cpf))
}

func udrState(supi string) (udr.SubscriptionData, error) { return core.UDR.Get(ctx, supi) }

func rejects(cause string) int {
	return core.Trace.Count(trace.Match(trace.Event{Kind: trace.KindReject, Actor: cpf.DefaultName, Iface: trace.IfaceAPI, Cause: cause}))
}

var _ = Describe("secure profile: the CPF network half", Label("provisioning", scenarios.ProfileLabel(secure.Name)), func() {
	var (
		pd *profiletest.PD
		td *profiletest.TD
	)

	BeforeEach(func() {
		ctx = context.Background()
		By(fmt.Sprintf("seed %d", GinkgoRandomSeed()))
		newCore(profiletest.Options{})
		pd = newPD(entitled(1))
		td = newTD()
	})

	// Reference: DESIGN step 5; 3gpp.md §5.4 item 4; TR 33.899 KI #12.2 R2.
	It("provisions a pending subscription owned by the PD, sealed so that only the TD opens it", Label(scenarios.RequirementLabel("R1"), scenarios.RequirementLabel("R2")), func() {
		rsp := provision(pd, td)
		Expect(rsp.State).To(Equal(provproto.StatePending))
		Expect(profiletest.DefaultEntitlement(1).SupiRanges[0].Contains(rsp.SUPI)).To(BeTrue())

		d, err := udrState(rsp.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Provisioning.State).To(Equal(udr.StatePending))
		Expect(d.Provisioning.Owner).To(Equal(pd.SUPI()))
		Expect(d.Provisioning.ExpiresAt).To(Equal(profiletest.Start.Add(cpf.DefaultProvisionTTL)))

		pkg, err := td.Open(rsp.Sealed)
		Expect(err).NotTo(HaveOccurred())
		Expect(pkg.SUPI.String()).To(Equal(rsp.SUPI))
		Expect(hex.EncodeToString(pkg.K[:])).To(Equal(d.AuthenticationSubscription.EncPermanentKey))
		Expect(hex.EncodeToString(pkg.OPc[:])).To(Equal(d.AuthenticationSubscription.EncOpcKey))
		Expect(pkg.HNKeys).To(HaveLen(1))
		Expect(pkg.HNKeys[0].Public).To(Equal(core.HNKey.Public().Bytes()))
		Expect(pkg.RoutingIndicator).To(Equal("0"))
		Expect(pkg.PLMN.MCC + pkg.PLMN.MNC).To(Equal("00101"))
		Expect(pkg.Binding.Equal(rsp.Binding.Credential())).To(BeTrue())
		Expect(pkg.Binding.TargetID).To(Equal(td.Bootstrap().DeviceID))
		Expect(pkg.Binding.Counter).To(Equal(uint64(1)))

		By("another device's key does not open it")
		other := newTD()
		_, err = other.Open(rsp.Sealed)
		Expect(err).To(MatchError(credential.ErrWrongKey))

		By("the trace names keys, never their values")
		Expect(core.Trace.Count(trace.Match(trace.Event{Kind: trace.KindKey, Actor: "cpf", Name: "K", SUPI: rsp.SUPI}))).To(Equal(1))
		Expect(core.Trace.Count(trace.Match(trace.Event{Kind: trace.KindState, Actor: "cpf", Name: "pending", SUPI: rsp.SUPI}))).To(Equal(1))
		for _, e := range core.Trace.Events() {
			Expect(e.Detail).NotTo(ContainSubstring(d.AuthenticationSubscription.EncPermanentKey))
			Expect(e.Detail).NotTo(ContainSubstring(d.AuthenticationSubscription.EncOpcKey))
		}
	})

	// Reference: 3gpp.md §6.2 N4, N5 (a proof of possession at the PF).
	It("confirms with the TD's proof of possession and then waits for the first authentication", func() {
		rsp := provision(pd, td)
		ans := secureReq(pd, http.MethodPost, provproto.ConfirmPath(rsp.SUPI), confirmBody(rsp, proofOf(td, rsp)))
		Expect(ans.Status).To(Equal(http.StatusOK), "%s", ans.Body)
		var st provproto.TargetStatus
		Expect(provproto.Decode(ans.Body, &st)).To(Succeed())
		Expect(st.State).To(Equal(provproto.StateConfirmed))
		want := profiletest.Start.Add(cpf.DefaultActivationTTL)
		Expect(*st.ExpiresAt).To(BeTemporally("==", want))
		d, err := udrState(rsp.SUPI)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.Provisioning.ExpiresAt).To(BeTemporally("==", want))

		By("the target's first authentication makes it active")
		Expect(core.UDR.CreateAuthenticationStatus(ctx, rsp.SUPI, authEvent(true))).To(BeNil())
		ans = secureReq(pd, http.MethodGet, provproto.TargetPath(rsp.SUPI), nil)
		Expect(ans.Status).To(Equal(http.StatusOK))
		Expect(provproto.Decode(ans.Body, &st)).To(Succeed())
		Expect(st.State).To(Equal(provproto.StateActive))
	})

	// Reference: DESIGN step 8; 3gpp.md §6.3 X5 (the UDR removes the subscription).
	It("deprovisions: the subscription is gone at the UDR and the PD's quota is free again", Label(scenarios.RequirementLabel("R3")), func() {
		rsp := provision(pd, td)
		ans := secureReq(pd, http.MethodDelete, provproto.TargetPath(rsp.SUPI), nil)
		Expect(ans.Status).To(Equal(http.StatusOK), "%s", ans.Body)
		var st provproto.TargetStatus
		Expect(provproto.Decode(ans.Body, &st)).To(Succeed())
		Expect(st).To(Equal(provproto.TargetStatus{SUPI: rsp.SUPI, DeviceID: td.Bootstrap().DeviceID, State: provproto.StateRemoved, OperationID: rsp.OperationID}))
		_, err := udrState(rsp.SUPI)
		Expect(err).To(MatchError(udr.ErrNotFound))
		Expect(core.Trace.Count(trace.Match(trace.Event{Kind: trace.KindState, Actor: "udr", Name: "removed", SUPI: rsp.SUPI}))).To(Equal(1))
		Expect(core.Trace.Count(trace.Match(trace.Event{Kind: trace.KindState, Actor: "cpf", Name: "removed", SUPI: rsp.SUPI}))).To(Equal(1))

		By("the counter was persisted before the UDR acted")
		ctr := core.Trace.Filter(trace.Match(trace.Event{Kind: trace.KindState, Actor: "cpf", Name: "counter", SUPI: pd.SUPI()}))
		removed := core.Trace.Filter(trace.Match(trace.Event{Kind: trace.KindState, Actor: "udr", Name: "removed", SUPI: rsp.SUPI}))
		Expect(ctr).To(HaveLen(2))
		Expect(ctr[1].Detail).To(Equal("accepted 2"))
		Expect(ctr[1].Seq).To(BeNumerically("<", removed[0].Seq))

		By("the same device is provisioned again with a higher binding counter")
		again := provision(pd, td)
		Expect(again.SUPI).NotTo(Equal(rsp.SUPI))
		Expect(again.Binding.Counter).To(Equal(uint64(2)))
	})

	Describe("every bad request is refused and changes nothing", func() {
		// Each entry: setup (outside the before/after comparison), then the
		// request under test.
		DescribeTable("refusals",
			func(setup func() func() profile.Answer, status int, cause string) {
				attack := setup()
				before := snapshot()
				n := rejects(cause)
				ans := attack()
				Expect(ans.Status).To(Equal(status), "body %s", ans.Body)
				Expect(problemOf(ans).Cause).To(Equal(cause))
				if status == http.StatusTooManyRequests {
					Expect(strconv.Atoi(ans.Header.Get("Retry-After"))).To(BeNumerically(">=", 1))
				}
				expectUnchanged(before)
				Expect(rejects(cause)).To(Equal(n + 1))
			},
			// Reference: 3gpp.md §6.2 N1; TS 33.535 §6.1 (the AF needs a valid A-KID).
			Entry("N1: no Authorization header", Label(scenarios.ThreatLabel("T2")), func() func() profile.Answer {
				return func() profile.Answer {
					ans, err := pd.Raw(ctx, secure.Name, http.MethodPost, provproto.PathTargets, provisionBody(td, ""), nil)
					Expect(err).NotTo(HaveOccurred())
					return ans
				}
			}, http.StatusUnauthorized, cpf.CauseUnauthenticated),
			Entry("N1: an A-KID the AAnF does not know", Label(scenarios.ThreatLabel("T2")), func() func() profile.Answer {
				forged := "0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA@5gc.mnc001.mcc001.3gppnetwork.org"
				return lie(pd, http.MethodPost, provproto.PathTargets, provisionBody(td, ""), provproto.EncodeOptions{AKID: &forged})
			}, http.StatusUnauthorized, cpf.CauseUnauthenticated),
			Entry("N1: a PD without an AKMA context", func() func() profile.Answer {
				bare := newPD(profiletest.PDOptions{NoAKMA: true, Entitlement: profiletest.DefaultEntitlement(9)})
				return func() profile.Answer {
					ans, err := bare.Raw(ctx, secure.Name, http.MethodPost, provproto.PathTargets, provisionBody(td, ""),
						map[string]string{provproto.HeaderAuthorization: `AKMA akid="0.x@y", ctr="1", mac="` + strings.Repeat("A", 43) + `"`})
					Expect(err).NotTo(HaveOccurred())
					return ans
				}
			}, http.StatusUnauthorized, cpf.CauseUnauthenticated),
			Entry("a wrong MAC", func() func() profile.Answer {
				return lie(pd, http.MethodPost, provproto.PathTargets, provisionBody(td, ""), provproto.EncodeOptions{FlipMAC: true})
			}, http.StatusUnauthorized, cpf.CauseMACFailure),
			Entry("a counter other than the signed one", func() func() profile.Answer {
				c := uint64(1 << 40)
				return lie(pd, http.MethodPost, provproto.PathTargets, provisionBody(td, ""), provproto.EncodeOptions{Counter: &c})
			}, http.StatusUnauthorized, cpf.CauseMACFailure),
			// Reference: 3gpp.md §6.1 D2 on the PD-CPF leg: a relay swaps the target's bootstrap key.
			Entry("a body changed in transit (target key swapped)", Label(scenarios.ThreatLabel("T2")), func() func() profile.Answer {
				rogue := newTD()
				swapped := provisionBody(rogue, "")
				remove := core.Net.Chain().Add("swap-target", intercept.Modify(
					intercept.And(intercept.Requests(), intercept.Path("/cpf/secure"+provproto.PathTargets)),
					func(p *transport.Packet) { p.Payload = swapped }))
				DeferCleanup(remove)
				return honest(pd, http.MethodPost, provproto.PathTargets, provisionBody(td, ""))
			}, http.StatusUnauthorized, cpf.CauseMACFailure),
			Entry("no entitlement", func() func() profile.Answer {
				other := newPD(profiletest.PDOptions{})
				return honest(other, http.MethodPost, provproto.PathTargets, provisionBody(td, ""))
			}, http.StatusForbidden, cpf.CauseNotEntitled),
			Entry("a device the entitlement does not list", func() func() profile.Answer {
				e := profiletest.DefaultEntitlement(3)
				e.Devices = []string{"td-somebody-else"}
				other := newPD(profiletest.PDOptions{Entitlement: e})
				return honest(other, http.MethodPost, provproto.PathTargets, provisionBody(td, ""))
			}, http.StatusForbidden, cpf.CauseNotEntitled),
			// Reference: 3gpp.md §6.2 N2 (a SUPI outside the PD's allowance).
			Entry("N2: a SUPI outside the entitlement's range", Label(scenarios.ThreatLabel("T2")), func() func() profile.Answer {
				return honest(pd, http.MethodPost, provproto.PathTargets, provisionBody(td, "imsi-001019999999999"))
			}, http.StatusForbidden, cpf.CauseForeignTarget),
			// Reference: 3gpp.md §6.2 N2 (hijack an existing subscriber: its AuthenticationSubscription is unchanged).
			Entry("N2: an existing subscriber's SUPI inside the range", Label(scenarios.ThreatLabel("T2")), func() func() profile.Answer {
				victim := profiletest.DefaultEntitlement(1).SupiRanges[0].Start
				_, err := core.Subscribe(ctx, "imsi-"+victim)
				Expect(err).NotTo(HaveOccurred())
				return honest(pd, http.MethodPost, provproto.PathTargets, provisionBody(td, "imsi-"+victim))
			}, http.StatusForbidden, cpf.CauseForeignTarget),
			Entry("over quota", func() func() profile.Answer {
				e := profiletest.DefaultEntitlement(4)
				e.MaxTargets = 1
				small := newPD(profiletest.PDOptions{Entitlement: e})
				provision(small, newTD())
				return honest(small, http.MethodPost, provproto.PathTargets, provisionBody(td, ""))
			}, http.StatusForbidden, cpf.CauseQuotaExceeded),
			Entry("a device another PD provisioned", func() func() profile.Answer {
				provision(pd, td)
				other := newPD(entitled(5))
				return honest(other, http.MethodPost, provproto.PathTargets, provisionBody(td, ""))
			}, http.StatusForbidden, cpf.CauseForeignTarget),
			Entry("a device the PD already provisioned", func() func() profile.Answer {
				provision(pd, td)
				return honest(pd, http.MethodPost, provproto.PathTargets, provisionBody(td, ""))
			}, http.StatusConflict, cpf.CauseAlreadyProvisioned),
			// Reference: 3gpp.md §6.2 N3 (a captured request replayed: no duplicate).
			Entry("N3: a captured provisioning request replayed", Label(scenarios.ThreatLabel("T2")), func() func() profile.Answer {
				return capturedReplay(func() {
					provision(pd, td)
				})
			}, http.StatusConflict, cpf.CauseReplay),
			Entry("a counter below the last accepted one, honestly MACed", func() func() profile.Answer {
				provision(pd, td)
				return func() profile.Answer {
					ans, _, err := pd.Secure(ctx, http.MethodPost, provproto.PathTargets, provisionBody(newTD(), ""), 1, provproto.EncodeOptions{})
					Expect(err).NotTo(HaveOccurred())
					return ans
				}
			}, http.StatusConflict, cpf.CauseReplay),
			Entry("a malformed body", func() func() profile.Answer {
				return honest(pd, http.MethodPost, provproto.PathTargets, []byte(`{"bootstrapUri": 5}`))
			}, http.StatusBadRequest, cpf.CauseMalformed),
			Entry("a body with members of the baseline form", func() func() profile.Answer {
				return honest(pd, http.MethodPost, provproto.PathTargets,
					[]byte(`{"bootstrapUri":"`+td.Bootstrap().URI()+`","k":"000102030405060708090a0b0c0d0e0f"}`))
			}, http.StatusBadRequest, cpf.CauseMalformed),
			Entry("an unknown target", func() func() profile.Answer {
				return honest(pd, http.MethodDelete, provproto.TargetPath("imsi-001010000999999"), nil)
			}, http.StatusNotFound, cpf.CauseUnknownTarget),
			// Reference: 3gpp.md §6.3 X1 (another PD asks to delete T: 403, no false rejection of T).
			Entry("X1: deprovisioning another PD's target", Label(scenarios.ThreatLabel("T3")), func() func() profile.Answer {
				rsp := provision(pd, td)
				other := newPD(entitled(6))
				return honest(other, http.MethodDelete, provproto.TargetPath(rsp.SUPI), nil)
			}, http.StatusForbidden, cpf.CauseForeignTarget),
			// Reference: 3gpp.md §6.3 X2 (a replayed delete after re-provisioning: counter not greater).
			Entry("X2: a captured deprovisioning replayed after re-provisioning", Label(scenarios.ThreatLabel("T3")), func() func() profile.Answer {
				return capturedReplay(func() {
					rsp := provision(pd, td)
					Expect(secureReq(pd, http.MethodDelete, provproto.TargetPath(rsp.SUPI), nil).Status).To(Equal(http.StatusOK))
				}, func() {
					provision(pd, td)
				})
			}, http.StatusConflict, cpf.CauseReplay),
			// Reference: 3gpp.md §6.2 N4 (a credential mismatch caught by the proof of possession).
			Entry("N4: a proof of possession of another credential", Label(scenarios.ThreatLabel("T2")), func() func() profile.Answer {
				rsp := provision(pd, td)
				wrong := proofOf(td, rsp)
				wrong[0] ^= 1
				return honest(pd, http.MethodPost, provproto.ConfirmPath(rsp.SUPI), confirmBody(rsp, wrong))
			}, http.StatusForbidden, cpf.CauseProofFailed),
			Entry("a confirmation of a stale operation", func() func() profile.Answer {
				rsp := provision(pd, td)
				proof := proofOf(td, rsp)
				rsp.OperationID = "stale-operation"
				return honest(pd, http.MethodPost, provproto.ConfirmPath(rsp.SUPI), confirmBody(rsp, proof))
			}, http.StatusConflict, cpf.CauseStaleOperation),
			Entry("a confirmation by another PD", func() func() profile.Answer {
				rsp := provision(pd, td)
				other := newPD(entitled(7))
				return honest(other, http.MethodPost, provproto.ConfirmPath(rsp.SUPI), confirmBody(rsp, proofOf(td, rsp)))
			}, http.StatusForbidden, cpf.CauseForeignTarget),
			// Reference: 3gpp.md §6.6 S1 (per-PD rate limit, 429 + Retry-After).
			Entry("S1: a flood from one PD", func() func() profile.Answer {
				rsp := provision(pd, td)
				for range cpf.DefaultRateBurst - 1 {
					Expect(secureReq(pd, http.MethodGet, provproto.TargetPath(rsp.SUPI), nil).Status).To(Equal(http.StatusOK))
				}
				return honest(pd, http.MethodGet, provproto.TargetPath(rsp.SUPI), nil)
			}, http.StatusTooManyRequests, cpf.CauseRateLimited),
		)
	})

	// Reference: 3gpp.md §6.6 S1 (legitimate PD still served; cheap checks first).
	It("throttles a source that keeps failing authentication, not the legitimate PD", func() {
		attacker := newPD(profiletest.PDOptions{NoAKMA: true})
		for range cpf.DefaultAuthFailBurst {
			ans, err := attacker.Raw(ctx, secure.Name, http.MethodPost, provproto.PathTargets, provisionBody(td, ""), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ans.Status).To(Equal(http.StatusUnauthorized))
		}
		ans, err := attacker.Raw(ctx, secure.Name, http.MethodPost, provproto.PathTargets, provisionBody(td, ""), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ans.Status).To(Equal(http.StatusTooManyRequests))
		Expect(ans.Header.Get("Retry-After")).NotTo(BeEmpty())
		provision(pd, td)
		By("the bucket refills on the clock")
		core.Clock.Advance(2 * time.Second)
		ans, err = attacker.Raw(ctx, secure.Name, http.MethodPost, provproto.PathTargets, provisionBody(td, ""), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ans.Status).To(Equal(http.StatusUnauthorized))
	})

	It("serves a flooding PD again once its bucket refilled", func() {
		rsp := provision(pd, td)
		for range cpf.DefaultRateBurst - 1 {
			secureReq(pd, http.MethodGet, provproto.TargetPath(rsp.SUPI), nil)
		}
		ans := secureReq(pd, http.MethodGet, provproto.TargetPath(rsp.SUPI), nil)
		Expect(ans.Status).To(Equal(http.StatusTooManyRequests))
		wait, err := strconv.Atoi(ans.Header.Get("Retry-After"))
		Expect(err).NotTo(HaveOccurred())
		core.Clock.Advance(time.Duration(wait) * time.Second)
		Expect(secureReq(pd, http.MethodGet, provproto.TargetPath(rsp.SUPI), nil).Status).To(Equal(http.StatusOK))
	})

	// Reference: the response MAC of internal/provproto (the PD knows the answer is the CPF's).
	It("MACs refusals to authenticated requests, and a forged answer fails the PD's check", func() {
		ans, auth, err := pd.Secure(ctx, http.MethodDelete, provproto.TargetPath("imsi-001010000999999"), nil, 0, provproto.EncodeOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(ans.Status).To(Equal(http.StatusNotFound))
		kaf, err := pd.KAF()
		Expect(err).NotTo(HaveOccurred())
		Expect(provproto.VerifyResponse(kaf, auth, ans.Status, ans.Body, ans.Header.Get(provproto.HeaderAuthInfo))).To(Succeed())
		By("an attacker turning the refusal into a success is caught")
		Expect(provproto.VerifyResponse(kaf, auth, http.StatusOK, ans.Body, ans.Header.Get(provproto.HeaderAuthInfo))).To(MatchError(provproto.ErrResponseMAC))
	})

	It("refuses unknown paths and methods with a ProblemDetails", func() {
		for _, c := range []struct{ method, path string }{
			{http.MethodPut, provproto.PathTargets}, {http.MethodGet, "/v2/x"}, {http.MethodPatch, provproto.TargetPath("imsi-001010000000001")},
		} {
			ans, err := pd.Raw(ctx, secure.Name, c.method, c.path, nil, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(ans.Status).To(Equal(http.StatusNotFound))
			Expect(problemOf(ans).Cause).To(Equal(cpf.CauseNoResource))
		}
		ans, err := profile.Send(ctx, pd.HTTPClient(), http.MethodGet, "http://"+profiletest.CPFAddr.String()+"/elsewhere", nil, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(ans.Status).To(Equal(http.StatusNotFound))
	})

	It("traces every request and response on the CPF interface", func() {
		provision(pd, td)
		Expect(core.Trace.Count(trace.Match(trace.Event{Kind: trace.KindRequest, Actor: "cpf", Iface: trace.IfaceAPI, Name: cpf.OpProvision}))).To(Equal(1))
		Expect(core.Trace.Count(trace.Match(trace.Event{Kind: trace.KindResponse, Actor: "cpf", Iface: trace.IfaceAPI, Name: cpf.OpProvision, Status: http.StatusCreated, SUPI: ""}))).To(Equal(1))
	})
})

// honest returns an attack that is an honestly MACed request with the next counter.
func honest(pd *profiletest.PD, method, path string, body []byte) func() profile.Answer {
	return lie(pd, method, path, body, provproto.EncodeOptions{})
}

func lie(pd *profiletest.PD, method, path string, body []byte, o provproto.EncodeOptions) func() profile.Answer {
	return func() profile.Answer {
		GinkgoHelper()
		ans, _, err := pd.Secure(ctx, method, path, body, 0, o)
		Expect(err).NotTo(HaveOccurred())
		return ans
	}
}

// capturedReplay records the PD->CPF requests made by record (the last one
// is replayed), runs after, and returns the replay of that captured request.
func capturedReplay(record func(), after ...func()) func() profile.Answer {
	GinkgoHelper()
	rec := intercept.NewRecorder(intercept.And(intercept.Requests(), intercept.PathPrefix("/cpf/")), 0)
	remove := core.Net.Chain().Add("capture", rec.Interceptor())
	record()
	remove()
	for _, f := range after {
		f()
	}
	pkts := rec.Packets()
	Expect(pkts).NotTo(BeEmpty())
	last := pkts[len(pkts)-1]
	return func() profile.Answer {
		GinkgoHelper()
		rp, err := core.Net.InjectSBI(ctx, last)
		Expect(err).NotTo(HaveOccurred())
		return profile.Answer{Status: rp.Status, Header: rp.Header, Body: rp.Payload}
	}
}

func authEvent(success bool) models.AuthEvent {
	now := core.Clock.Now()
	return models.AuthEvent{NfInstanceId: "ausf-0001", Success: success, TimeStamp: &now,
		AuthType: models.UdmUeauAuthType__5_G_AKA, ServingNetworkName: "5G:mnc001.mcc001.3gppnetwork.org"}
}
