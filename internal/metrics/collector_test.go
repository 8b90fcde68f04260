package metrics_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/metrics"
	"github.com/credbed/credbed/internal/trace"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

const ms = time.Millisecond

var _ = Describe("Collector", func() {
	var c *metrics.Collector
	BeforeEach(func() { c = metrics.New(metrics.Options{}) })

	Describe("counters", func() {
		It("counts messages, SBI requests and responses by status class, rejections and drops per nf", func() {
			for _, e := range []trace.Event{
				{Kind: trace.KindMessage, Actor: "amf", Iface: trace.IfaceN1, Name: "REGISTRATION REQUEST"},
				{Kind: trace.KindMessage, Actor: "amf", Iface: trace.IfaceN1, Name: "REGISTRATION REQUEST"},
				{Kind: trace.KindMessage, Actor: "ue/imsi-001010000000001", Iface: trace.IfaceN1, Name: "REGISTRATION REQUEST"},
				{Kind: trace.KindMessage, Actor: "ue/imsi-001010000000002", Iface: trace.IfaceN1, Name: "REGISTRATION REQUEST"},
				{Kind: trace.KindMessage, Actor: "upf", Iface: trace.IfaceN4, Name: "Session Establishment Request"},
				{Kind: trace.KindRequest, Actor: "udm", Iface: trace.IfaceSBI, Name: "Nudm_UEAU_Get", SUPI: "imsi-001010000000001"},
				{Kind: trace.KindResponse, Actor: "udm", Iface: trace.IfaceSBI, Name: "Nudm_UEAU_Get", SUPI: "imsi-001010000000001", Status: 200},
				{Kind: trace.KindRequest, Actor: "udm", Iface: trace.IfaceSBI, Name: "Nudm_UEAU_Get", SUPI: "imsi-001010000000009"},
				{Kind: trace.KindReject, Actor: "udm", Iface: trace.IfaceSBI, Name: "Nudm_UEAU_Get", Status: 404, Cause: "USER_NOT_FOUND"},
				{Kind: trace.KindResponse, Actor: "udm", Iface: trace.IfaceSBI, Name: "Nudm_UEAU_Get", SUPI: "imsi-001010000000009", Status: 404},
				{Kind: trace.KindResponse, Actor: "udm", Iface: trace.IfaceSBI, Name: "Nudr_DR_SubscribeDataChange", Peer: "udr"},
				{Kind: trace.KindReject, Actor: "amf", Iface: trace.IfaceN1, Name: "REGISTRATION REJECT", Cause: "5GMM#3"},
				{Kind: trace.KindReject, Actor: "amf", Iface: trace.IfaceN1, Name: "REGISTRATION REJECT"},
				{Kind: trace.KindDrop, Actor: "upf", Iface: trace.IfaceN3, Name: "G-PDU", Cause: "unknown-teid", Detail: "count=1"},
				{Kind: trace.KindDrop, Actor: "amf", Iface: trace.IfaceN1, Name: "REGISTRATION REQUEST", Detail: "not integrity protected"},
				{Kind: trace.KindKey, Actor: "ausf", Name: "KAUSF"},
				{Kind: trace.KindAttack, Actor: "attacker", Name: "replay"},
				{Kind: trace.KindFault, Actor: "testbed", Name: "restart"},
				{Kind: trace.KindCheck, Actor: "scenario", Name: "no-kseaf-before-res", Cause: "pass"},
				{Kind: trace.KindNote, Name: "orphan"},
			} {
				c.Emit(e)
			}
			x := scrape(c)
			Expect(x.counter("credbed_messages_total", "nf", "amf", "iface", "N1", "message", "REGISTRATION REQUEST")).To(Equal(2.0))
			Expect(x.counter("credbed_messages_total", "nf", "ue", "iface", "N1", "message", "REGISTRATION REQUEST")).To(Equal(2.0))
			Expect(x.counter("credbed_messages_total", "nf", "upf", "iface", "N4", "message", "Session Establishment Request")).To(Equal(1.0))
			Expect(x.counter("credbed_sbi_requests_total", "nf", "udm", "operation", "Nudm_UEAU_Get")).To(Equal(2.0))
			// Reference: TS 29.500 §5.2.7 (status codes by class)
			Expect(x.counter("credbed_sbi_responses_total", "nf", "udm", "operation", "Nudm_UEAU_Get", "status_class", "2xx")).To(Equal(1.0))
			Expect(x.counter("credbed_sbi_responses_total", "nf", "udm", "operation", "Nudm_UEAU_Get", "status_class", "4xx")).To(Equal(1.0))
			Expect(x.counter("credbed_sbi_responses_total", "nf", "udm", "operation", "Nudr_DR_SubscribeDataChange", "status_class", "none")).To(Equal(1.0))
			Expect(x.counter("credbed_rejections_total", "nf", "udm", "iface", "SBI", "message", "Nudm_UEAU_Get", "cause", "USER_NOT_FOUND")).To(Equal(1.0))
			// Reference: TS 24.501 §5.5.1.2.5 (REGISTRATION REJECT with a 5GMM cause)
			Expect(x.counter("credbed_rejections_total", "nf", "amf", "iface", "N1", "message", "REGISTRATION REJECT", "cause", "5GMM#3")).To(Equal(1.0))
			Expect(x.counter("credbed_rejections_total", "nf", "amf", "iface", "N1", "message", "REGISTRATION REJECT", "cause", "unspecified")).To(Equal(1.0))
			Expect(x.counter("credbed_drops_total", "nf", "upf", "iface", "N3", "message", "G-PDU", "reason", "unknown-teid")).To(Equal(1.0))
			Expect(x.counter("credbed_drops_total", "nf", "amf", "iface", "N1", "message", "REGISTRATION REQUEST", "reason", "unspecified")).To(Equal(1.0))
			Expect(x.counter("credbed_keys_total", "nf", "ausf", "key", "KAUSF")).To(Equal(1.0))
			Expect(x.counter("credbed_attacks_total", "nf", "attacker", "name", "replay")).To(Equal(1.0))
			Expect(x.counter("credbed_faults_total", "nf", "testbed", "name", "restart")).To(Equal(1.0))
			Expect(x.counter("credbed_checks_total", "nf", "scenario", "name", "no-kseaf-before-res", "result", "pass")).To(Equal(1.0))
			Expect(x.counter("credbed_trace_events_total", "nf", "unknown", "kind", "note")).To(Equal(1.0))
			Expect(x.counter("credbed_trace_events_total", "nf", "udm", "kind", "response")).To(Equal(3.0))
			Expect(x.counter("credbed_metrics_unpaired_total", "reason", "no-start")).To(Equal(1.0))
			for name, f := range x {
				for _, m := range f.GetMetric() {
					for _, l := range m.GetLabel() {
						Expect(l.GetValue()).NotTo(ContainSubstring("imsi"), name)
					}
				}
			}
		})

		It("caps each family's label combinations and counts the rest in _other", func() {
			c = metrics.New(metrics.Options{MaxSeries: 5})
			for i := range 20 {
				c.Emit(trace.Event{Kind: trace.KindReject, Actor: "amf", Iface: "N1", Name: "AUTHENTICATION REJECT",
					Cause: fmt.Sprintf("free text %d", i)})
			}
			x := scrape(c)
			Expect(x["credbed_rejections_total"].GetMetric()).To(HaveLen(6))
			Expect(x.counter("credbed_rejections_total", "nf", "_other", "iface", "_other", "message", "_other", "cause", "_other")).To(Equal(15.0))
			Expect(x.counter("credbed_metrics_series_overflow_total", "family", "rejections_total")).To(Equal(15.0))
		})

		It("makes label values valid UTF-8 of bounded length", func() {
			c.Emit(trace.Event{Kind: trace.KindDrop, Actor: "dn", Name: "packet\xff", Cause: strings.Repeat("é", 200)})
			x := scrape(c)
			m := x["credbed_drops_total"].GetMetric()
			Expect(m).To(HaveLen(1))
			for _, l := range m[0].GetLabel() {
				Expect(len(l.GetValue())).To(BeNumerically("<=", 128))
			}
			Expect(x.counter("credbed_drops_total", "nf", "dn", "iface", "", "message", "packet\uFFFD", "reason", strings.Repeat("é", 64))).To(Equal(1.0))
		})
	})

	Describe("SBI latency", func() {
		const hist = "credbed_sbi_request_duration_seconds"

		It("pairs each response with the request of the same Actor, Peer, Name and SUPI", func() {
			req := func(supi string, d time.Duration) trace.Event {
				return trace.Event{Kind: trace.KindRequest, Actor: "ausf", Peer: "udm", Name: "Nudm_UEAU_Get", SUPI: supi, At: at(d)}
			}
			rsp := func(supi string, d time.Duration) trace.Event {
				e := req(supi, d)
				e.Kind, e.Status = trace.KindResponse, 200
				return e
			}
			c.Emit(req("imsi-1", 0))
			c.Emit(req("imsi-2", 1*ms))
			c.Emit(rsp("imsi-2", 1*ms+300*time.Microsecond)) // 0.3 ms
			c.Emit(rsp("imsi-1", 40*ms))                     // 40 ms
			h := scrape(c).hist(hist, "nf", "ausf", "operation", "Nudm_UEAU_Get")
			Expect(h).NotTo(BeNil())
			Expect(h.GetSampleCount()).To(Equal(uint64(2)))
			Expect(h.GetSampleSum()).To(BeNumerically("~", 0.0403, 1e-9))
			Expect(bucket(h, 0.00025)).To(Equal(uint64(0)))
			Expect(bucket(h, 0.0005)).To(Equal(uint64(1)))
			Expect(bucket(h, 0.025)).To(Equal(uint64(1)))
			Expect(bucket(h, 0.05)).To(Equal(uint64(2)))
			Expect(c.Stats().Pending).To(BeZero())
		})

		It("pairs requests without SUPI first in, first out, keeping the sum exact", func() {
			for i := range 3 {
				c.Emit(trace.Event{Kind: trace.KindRequest, Actor: "nrf", Peer: "amf", Name: "NFDiscover", At: at(time.Duration(i) * ms)})
			}
			for _, d := range []time.Duration{10, 5, 30} { // answered out of order
				c.Emit(trace.Event{Kind: trace.KindResponse, Actor: "nrf", Peer: "amf", Name: "NFDiscover", Status: 200, At: at(d * ms)})
			}
			h := scrape(c).hist(hist, "nf", "nrf", "operation", "NFDiscover")
			Expect(h.GetSampleCount()).To(Equal(uint64(3)))
			Expect(h.GetSampleSum()).To(BeNumerically("~", (10+5+30-0-1-2)/1000.0, 1e-9))
		})

		It("stamps events that carry no time with the injected clock", func() {
			fake := clock.NewFake(t0)
			c = metrics.New(metrics.Options{Clock: fake})
			c.Emit(trace.Event{Kind: trace.KindRequest, Actor: "udr", Name: "QueryAuthSubsData", SUPI: "imsi-1"})
			fake.Advance(2 * ms)
			c.Emit(trace.Event{Kind: trace.KindResponse, Actor: "udr", Name: "QueryAuthSubsData", SUPI: "imsi-1", Status: 200})
			h := scrape(c).hist(hist, "nf", "udr", "operation", "QueryAuthSubsData")
			Expect(h.GetSampleSum()).To(BeNumerically("~", 0.002, 1e-12))
		})

		It("works behind a trace.Recorder subscription", func() {
			fake := clock.NewFake(t0)
			rec := trace.NewRecorder(fake)
			rec.Subscribe(c.Emit)
			rec.Emit(trace.Event{Kind: trace.KindRequest, Actor: "udm", Name: "Nudm_UECM_Registration", SUPI: "imsi-7"})
			fake.Advance(7 * ms)
			rec.Emit(trace.Event{Kind: trace.KindResponse, Actor: "udm", Name: "Nudm_UECM_Registration", SUPI: "imsi-7", Status: 201})
			h := scrape(c).hist(hist, "nf", "udm", "operation", "Nudm_UECM_Registration")
			Expect(h.GetSampleCount()).To(Equal(uint64(1)))
			Expect(h.GetSampleSum()).To(BeNumerically("~", 0.007, 1e-12))
		})

		It("bounds the unanswered requests it keeps and forgets stale ones", func() {
			c = metrics.New(metrics.Options{MaxPending: 64, PendingTimeout: time.Second})
			for i := range 500 { // 64 shards x 1 entry: most are not kept
				c.Emit(trace.Event{Kind: trace.KindRequest, Actor: "udm", Name: "Nudm_SDM_Get", SUPI: fmt.Sprintf("imsi-%d", i), At: at(0)})
			}
			Expect(c.Stats().Pending).To(BeNumerically("<=", 64))
			for i := range 500 { // two seconds later the old ones are swept to make room
				c.Emit(trace.Event{Kind: trace.KindRequest, Actor: "udm", Name: "Nudm_SDM_Get", SUPI: fmt.Sprintf("imsi-x%d", i), At: at(2 * time.Second)})
			}
			Expect(c.Stats().Pending).To(BeNumerically("<=", 64))
			x := scrape(c)
			Expect(x.counter("credbed_metrics_unpaired_total", "reason", "untracked")).To(BeNumerically(">", 0))
			Expect(x.counter("credbed_metrics_unpaired_total", "reason", "evicted")).To(BeNumerically(">", 0))
		})

		It("forgets the oldest request of one key beyond MaxPerKey", func() {
			for i := range metrics.MaxPerKey + 10 {
				c.Emit(trace.Event{Kind: trace.KindRequest, Actor: "nrf", Name: "NFDiscover", At: at(time.Duration(i) * ms)})
			}
			Expect(c.Stats().Pending).To(Equal(metrics.MaxPerKey))
			Expect(scrape(c).counter("credbed_metrics_unpaired_total", "reason", "evicted")).To(Equal(10.0))
		})
	})

	Describe("procedure latency", func() {
		const hist = "credbed_procedure_duration_seconds"
		msg := func(actor, supi, name string, d time.Duration) trace.Event {
			return trace.Event{Kind: trace.KindMessage, Actor: actor, Iface: trace.IfaceN1, Peer: "amf", Name: name, SUPI: supi, At: at(d)}
		}

		// Reference: TS 24.501 §5.5.1.2.2, §5.5.1.2.4, §5.5.1.2.5 (registration request, accept, reject)
		It("times registration per UE from its first REGISTRATION REQUEST to ACCEPT or REJECT", func() {
			c.Emit(msg("ue/imsi-1", "", "REGISTRATION REQUEST", 0))
			c.Emit(msg("ue/imsi-2", "", "REGISTRATION REQUEST", 1*ms))
			c.Emit(msg("ue/imsi-1", "", "REGISTRATION REQUEST", 3*ms)) // retransmission: the clock keeps running
			c.Emit(msg("ue/imsi-2", "", "REGISTRATION REJECT", 2*ms))
			c.Emit(msg("ue/imsi-1", "", "REGISTRATION ACCEPT", 4*ms))
			c.Emit(msg("ue/imsi-1", "", "REGISTRATION COMPLETE", 4*ms))
			x := scrape(c)
			ok := x.hist(hist, "nf", "ue", "procedure", "registration", "result", "success")
			Expect(ok.GetSampleCount()).To(Equal(uint64(1)))
			Expect(ok.GetSampleSum()).To(BeNumerically("~", 0.004, 1e-12))
			ko := x.hist(hist, "nf", "ue", "procedure", "registration", "result", "failure")
			Expect(ko.GetSampleCount()).To(Equal(uint64(1)))
			Expect(ko.GetSampleSum()).To(BeNumerically("~", 0.001, 1e-12))
		})

		// Reference: TS 33.501 §6.7.2 (NAS security mode command procedure)
		It("times an NF's procedures by SUPI and skips messages without a context key", func() {
			c.Emit(msg("amf", "", "REGISTRATION REQUEST", 0)) // SUCI only: not timed
			c.Emit(msg("amf", "imsi-1", "SECURITY MODE COMMAND", 1*ms))
			c.Emit(msg("amf", "imsi-1", "SECURITY MODE COMPLETE", 3*ms))
			c.Emit(msg("amf", "imsi-1", "REGISTRATION ACCEPT", 4*ms))
			x := scrape(c)
			Expect(x.hist(hist, "nf", "amf", "procedure", "security-mode", "result", "success").GetSampleSum()).To(BeNumerically("~", 0.002, 1e-12))
			Expect(x.hist(hist, "nf", "amf", "procedure", "registration", "result", "success")).To(BeNil())
			Expect(c.Stats().Pending).To(BeZero())
		})

		It("times only the configured procedures of the configured nf", func() {
			c = metrics.New(metrics.Options{Procedures: []metrics.Procedure{
				{Name: "dl-handshake", NF: "pd", Start: "AuthRequest", Success: []string{"AuthConfirm"}},
			}})
			c.Emit(trace.Event{Kind: trace.KindMessage, Actor: "pd/1", Name: "AuthRequest", At: at(0)})
			c.Emit(trace.Event{Kind: trace.KindMessage, Actor: "pd/1", Name: "AuthConfirm", At: at(5 * ms)})
			c.Emit(msg("ue/imsi-1", "", "REGISTRATION REQUEST", 0))
			c.Emit(msg("ue/imsi-1", "", "REGISTRATION ACCEPT", 1*ms))
			x := scrape(c)
			Expect(x.hist(hist, "nf", "pd", "procedure", "dl-handshake", "result", "success").GetSampleSum()).To(BeNumerically("~", 0.005, 1e-12))
			Expect(x["credbed_procedure_duration_seconds"].GetMetric()).To(HaveLen(1))
		})
	})

	Describe("context gauges", func() {
		const g = "credbed_contexts"
		state := func(actor, supi, peer, name, old string) trace.Event {
			return trace.Event{Kind: trace.KindState, Actor: actor, SUPI: supi, Peer: peer, Name: name, Detail: old}
		}
		gauge := func(x exposition, nf, st string) float64 {
			GinkgoHelper()
			v, ok := x.gauge(g, "nf", nf, "state", st)
			Expect(ok).To(BeTrue(), "%s/%s", nf, st)
			return v
		}

		It("tracks contexts keyed by SUPI exactly, whatever Detail says, and ends them", func() {
			for i := range 3 {
				supi := fmt.Sprintf("imsi-00101000000000%d", i)
				for _, s := range [][2]string{{"SECURITY-MODE", "WAIT-AUSF-CONFIRM"}, {"WAIT-UDM", "SECURITY-MODE"},
					{"WAIT-REGISTRATION-COMPLETE", "WAIT-UDM"}, {"REGISTERED", "WAIT-REGISTRATION-COMPLETE"}} {
					c.Emit(state("amf", supi, "", s[0], s[1]))
				}
			}
			c.Emit(state("amf", "imsi-001010000000000", "", "DEREGISTERED", "free text"))
			c.Emit(state("amf", "imsi-001010000000000", "", "CONTEXT-DELETED", "keys wiped"))
			c.Emit(state("amf", "imsi-001010000000001", "", "REGISTERED", "REGISTERED")) // repeated
			x := scrape(c)
			Expect(gauge(x, "amf", "REGISTERED")).To(Equal(2.0))
			Expect(gauge(x, "amf", "DEREGISTERED")).To(Equal(0.0))
			Expect(gauge(x, "amf", "WAIT-UDM")).To(Equal(0.0))
			_, ok := x.gauge(g, "nf", "amf", "state", "CONTEXT-DELETED")
			Expect(ok).To(BeFalse(), "end states are not gauges")
			Expect(x.counter("credbed_state_transitions_total", "nf", "amf", "state", "CONTEXT-DELETED")).To(Equal(1.0))
			Expect(x.counter("credbed_state_transitions_total", "nf", "amf", "state", "REGISTERED")).To(Equal(4.0))
			Expect(c.Stats().Contexts).To(Equal(2))
		})

		It("counts key-less contexts by Detail = old state and hands them over to their SUPI", func() {
			// two AMF contexts before the SUPI is known
			for range 2 {
				c.Emit(state("amf", "", "", "WAIT-AUSF-AUTH", "DEREGISTERED")) // implicit initial state
				c.Emit(state("amf", "", "", "AUTHENTICATING", "WAIT-AUSF-AUTH"))
			}
			c.Emit(state("amf", "", "", "WAIT-AUSF-CONFIRM", "AUTHENTICATING"))
			x := scrape(c)
			Expect(gauge(x, "amf", "AUTHENTICATING")).To(Equal(1.0))
			Expect(gauge(x, "amf", "WAIT-AUSF-CONFIRM")).To(Equal(1.0))
			Expect(gauge(x, "amf", "WAIT-AUSF-AUTH")).To(Equal(0.0))
			// the SUPI arrives with the 5G-AKA confirmation
			c.Emit(state("amf", "imsi-1", "", "SECURITY-MODE", "WAIT-AUSF-CONFIRM"))
			c.Emit(state("amf", "imsi-1", "", "REGISTERED", "SECURITY-MODE"))
			// the other one is rejected before its SUPI is known
			c.Emit(state("amf", "", "", "DEREGISTERED", "AUTHENTICATING"))
			c.Emit(state("amf", "", "", "CONTEXT-DELETED", "DEREGISTERED"))
			x = scrape(c)
			for _, s := range []string{"WAIT-AUSF-AUTH", "AUTHENTICATING", "WAIT-AUSF-CONFIRM", "SECURITY-MODE", "DEREGISTERED"} {
				Expect(gauge(x, "amf", s)).To(Equal(0.0), s)
			}
			Expect(gauge(x, "amf", "REGISTERED")).To(Equal(1.0))
		})

		It("never counts below zero when Detail names no known state", func() {
			c.Emit(state("upf", "", "", "started", "n3=127.0.0.1:2152"))
			c.Emit(state("upf", "", "", "pfcp-session-established", ""))
			c.Emit(state("upf", "", "", "pfcp-session-established", ""))
			c.Emit(state("upf", "", "", "pfcp-session-deleted", "pfcp-session-established up-seid=0x1 cp-seid=0x2"))
			c.Emit(state("upf", "", "", "pfcp-session-deleted", "up-seid=0x9"))
			c.Emit(state("upf", "", "", "REGISTERED", "NOT-A-STATE"))
			x := scrape(c)
			Expect(gauge(x, "upf", "started")).To(Equal(1.0))
			Expect(gauge(x, "upf", "pfcp-session-established")).To(Equal(1.0))
			Expect(gauge(x, "upf", "REGISTERED")).To(Equal(1.0))
			for _, m := range x[g].GetMetric() {
				Expect(m.GetGauge().GetValue()).To(BeNumerically(">=", 0))
			}
		})

		It("treats each per-UE actor as one context per interface, under nf ue", func() {
			for i := range 5 {
				ue := fmt.Sprintf("ue/imsi-00101000000000%d", i)
				c.Emit(state(ue, "", "", "REGISTERED-INITIATED", "DEREGISTERED"))
				c.Emit(trace.Event{Kind: trace.KindState, Actor: ue, Iface: trace.IfaceDL, Name: "AwaitAuthResponse", Detail: "Idle"})
			}
			for i := range 3 {
				c.Emit(state(fmt.Sprintf("ue/imsi-00101000000000%d", i), "imsi-x", "amf", "REGISTERED", "REGISTERED-INITIATED"))
			}
			x := scrape(c)
			Expect(gauge(x, "ue", "REGISTERED")).To(Equal(3.0))
			Expect(gauge(x, "ue", "REGISTERED-INITIATED")).To(Equal(2.0))
			Expect(gauge(x, "ue", "AwaitAuthResponse")).To(Equal(5.0))
			Expect(c.Stats().Contexts).To(Equal(10))
		})

		It("keys NRF profiles by Peer and ends them with DEREGISTERED", func() {
			c.Emit(state("nrf", "", "udm-1", "REGISTERED", "NF registered: UDM"))
			c.Emit(state("nrf", "", "ausf-1", "REGISTERED", "NF registered: AUSF"))
			c.Emit(state("nrf", "", "ausf-1", "SUSPENDED", "REGISTERED"))
			c.Emit(state("nrf", "", "udm-1", "DEREGISTERED", "NF deregistered: UDM"))
			x := scrape(c)
			Expect(gauge(x, "nrf", "REGISTERED")).To(Equal(0.0))
			Expect(gauge(x, "nrf", "SUSPENDED")).To(Equal(1.0))
			_, ok := x.gauge(g, "nf", "nrf", "state", "DEREGISTERED")
			Expect(ok).To(BeFalse())
			Expect(c.Stats().Contexts).To(Equal(1))
		})

		It("keeps 100,000 keyed contexts compact", func() {
			const n = 100_000
			supis := make([]string, n)
			for i := range supis {
				supis[i] = fmt.Sprintf("imsi-0010100%08d", i)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			for _, s := range supis {
				c.Emit(trace.Event{Kind: trace.KindState, Actor: "amf", SUPI: s, Name: "REGISTERED", Detail: "WAIT-REGISTRATION-COMPLETE"})
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			per := float64(after.HeapAlloc-before.HeapAlloc) / n
			AddReportEntry("bytes per tracked context", per)
			Expect(per).To(BeNumerically("<", 64))
			Expect(c.Stats().Contexts).To(Equal(n))
			v, _ := scrape(c).gauge(g, "nf", "amf", "state", "REGISTERED")
			Expect(v).To(Equal(float64(n)))
			runtime.KeepAlive(supis)
		})
	})

	Describe("concurrency", func() {
		It("gives exact totals under concurrent Emit", func() {
			seed := GinkgoRandomSeed()
			GinkgoWriter.Printf("seed %d\n", seed)
			const workers, per = 8, 500
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer GinkgoRecover()
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(seed), uint64(w)))
					for i := range per {
						supi := fmt.Sprintf("imsi-%d-%d", w, i)
						d := time.Duration(rng.IntN(1000)) * time.Microsecond
						c.Emit(trace.Event{Kind: trace.KindMessage, Actor: "ue/" + supi, Iface: "N1", Name: "REGISTRATION REQUEST", At: at(0)})
						c.Emit(trace.Event{Kind: trace.KindRequest, Actor: "udm", Name: "Nudm_UEAU_Get", SUPI: supi, At: at(0)})
						c.Emit(trace.Event{Kind: trace.KindState, Actor: "amf", SUPI: supi, Name: "SECURITY-MODE", Detail: "WAIT-AUSF-CONFIRM"})
						c.Emit(trace.Event{Kind: trace.KindResponse, Actor: "udm", Name: "Nudm_UEAU_Get", SUPI: supi, Status: 200, At: at(d)})
						c.Emit(trace.Event{Kind: trace.KindState, Actor: "amf", SUPI: supi, Name: "REGISTERED", Detail: "SECURITY-MODE"})
						c.Emit(trace.Event{Kind: trace.KindMessage, Actor: "ue/" + supi, Iface: "N1", Name: "REGISTRATION ACCEPT", At: at(d)})
						if i%50 == 0 {
							scrape(c) // scrapes race with emits
						}
					}
				}()
			}
			wg.Wait()
			x := scrape(c)
			Expect(x.counter("credbed_messages_total", "nf", "ue", "iface", "N1", "message", "REGISTRATION ACCEPT")).To(Equal(float64(workers * per)))
			Expect(x.hist("credbed_sbi_request_duration_seconds", "nf", "udm", "operation", "Nudm_UEAU_Get").GetSampleCount()).To(Equal(uint64(workers * per)))
			Expect(x.hist("credbed_procedure_duration_seconds", "nf", "ue", "procedure", "registration", "result", "success").GetSampleCount()).To(Equal(uint64(workers * per)))
			v, _ := x.gauge("credbed_contexts", "nf", "amf", "state", "REGISTERED")
			Expect(v).To(Equal(float64(workers * per)))
			v, _ = x.gauge("credbed_contexts", "nf", "amf", "state", "SECURITY-MODE")
			Expect(v).To(BeZero())
			Expect(c.Stats().Pending).To(BeZero())
		})

		It("does not allocate in steady state", func() {
			evs := []trace.Event{
				{Kind: trace.KindMessage, Actor: "ue/imsi-1", Iface: "N1", Name: "REGISTRATION REQUEST", At: at(0)},
				{Kind: trace.KindRequest, Actor: "udm", Name: "Nudm_UEAU_Get", SUPI: "imsi-1", At: at(0)},
				{Kind: trace.KindResponse, Actor: "udm", Name: "Nudm_UEAU_Get", SUPI: "imsi-1", Status: 200, At: at(ms)},
				{Kind: trace.KindState, Actor: "amf", SUPI: "imsi-1", Name: "SECURITY-MODE", Detail: "WAIT-AUSF-CONFIRM"},
				{Kind: trace.KindState, Actor: "amf", SUPI: "imsi-1", Name: "REGISTERED", Detail: "SECURITY-MODE"},
				{Kind: trace.KindReject, Actor: "amf", Iface: "N1", Name: "REGISTRATION REJECT", Cause: "5GMM#3"},
				{Kind: trace.KindMessage, Actor: "ue/imsi-1", Iface: "N1", Name: "REGISTRATION ACCEPT", At: at(ms)},
			}
			emitAll := func() {
				for _, e := range evs {
					c.Emit(e)
				}
			}
			emitAll()
			Expect(testing.AllocsPerRun(200, emitAll)).To(BeZero())
		})
	})

	Describe("exposition", func() {
		It("serves on loopback and returns the bound address", func() {
			ctx, cancel := context.WithCancel(context.Background())
			DeferCleanup(cancel)
			c.Emit(trace.Event{Kind: trace.KindKey, Actor: "ausf", Name: "KSEAF"})
			addr, err := c.Serve(ctx, "127.0.0.1:0")
			Expect(err).NotTo(HaveOccurred())
			Expect(addr).To(HavePrefix("127.0.0.1:"))
			rsp, err := http.Get("http://" + addr + metrics.MetricsPath)
			Expect(err).NotTo(HaveOccurred())
			defer rsp.Body.Close()
			body, err := io.ReadAll(rsp.Body)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(body)).To(ContainSubstring(`credbed_keys_total{key="KSEAF",nf="ausf"} 1`))
		})

		DescribeTable("refuses addresses outside loopback",
			func(addr string) {
				_, err := c.Serve(context.Background(), addr)
				Expect(err).To(MatchError(metrics.ErrNotLoopback))
			},
			Entry("all interfaces", ":9090"),
			Entry("IPv4 any", "0.0.0.0:0"),
			Entry("IPv6 any", "[::]:0"),
			Entry("documentation address", "192.0.2.1:9090"),
			Entry("private address", "10.0.0.1:0"),
			Entry("host name", "example.com:0"),
			Entry("no port", "127.0.0.1"),
		)

		It("uses its own registry and can add the runtime collectors", func() {
			a, b := metrics.New(metrics.Options{}), metrics.New(metrics.Options{Runtime: true, Namespace: "bed2"})
			a.Emit(trace.Event{Kind: trace.KindNote, Actor: "amf"})
			xa, xb := scrape(a), scrape(b)
			Expect(xa.counter("credbed_trace_events_total", "nf", "amf", "kind", "note")).To(Equal(1.0))
			Expect(xb).NotTo(HaveKey("credbed_trace_events_total"))
			Expect(xb).To(HaveKey("go_goroutines"))
			Expect(xa).NotTo(HaveKey("go_goroutines"))
			Expect(b.Registry()).NotTo(BeNil())
		})
	})

	Describe("Options", func() {
		It("fills defaults", func() {
			var o metrics.Options
			Expect(o.Validate()).To(Succeed())
			Expect(o.Namespace).To(Equal(metrics.DefaultNamespace))
			Expect(o.Buckets).To(Equal(metrics.DefaultBuckets()))
			Expect(o.Procedures).To(Equal(metrics.DefaultProcedures()))
			Expect(o.MaxSeries).To(Equal(metrics.DefaultMaxSeries))
			Expect(o.PendingTimeout).To(Equal(metrics.DefaultPendingTimeout))
		})

		DescribeTable("rejects invalid values",
			func(o metrics.Options) {
				Expect(o.Validate()).To(MatchError(metrics.ErrOptions))
			},
			Entry("negative series cap", metrics.Options{MaxSeries: -1}),
			Entry("negative pending cap", metrics.Options{MaxPending: -1}),
			Entry("negative timeout", metrics.Options{PendingTimeout: -time.Second}),
			Entry("bad namespace", metrics.Options{Namespace: "cred-bed"}),
			Entry("decreasing buckets", metrics.Options{Buckets: []float64{0.1, 0.01}}),
			Entry("zero bucket", metrics.Options{Buckets: []float64{0, 1}}),
			Entry("procedure without end", metrics.Options{Procedures: []metrics.Procedure{{Name: "x", Start: "A"}}}),
		)

		It("repairs invalid values in New", func() {
			c = metrics.New(metrics.Options{Buckets: []float64{1, 0.001, -3, 1}, Namespace: "bad-name",
				Procedures: []metrics.Procedure{{Name: "x"}}})
			c.Emit(trace.Event{Kind: trace.KindRequest, Actor: "udm", Name: "op", At: at(0)})
			c.Emit(trace.Event{Kind: trace.KindResponse, Actor: "udm", Name: "op", Status: 200, At: at(2 * ms)})
			h := scrape(c).hist("credbed_sbi_request_duration_seconds", "nf", "udm", "operation", "op")
			Expect(h.GetBucket()).To(HaveLen(3)) // 0.001, 1 and +Inf
			Expect(bucket(h, 0.001)).To(BeZero())
			Expect(bucket(h, 1)).To(Equal(uint64(1)))
		})
	})
})
