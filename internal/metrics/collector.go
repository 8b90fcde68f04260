package metrics

import (
	"math"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/trace"
)

// Collector is a trace.Sink that derives Prometheus metrics from events, and
// a prometheus.Collector registered on its own registry. Emit is safe for
// concurrent use, takes no global lock and does not allocate once the label
// combinations it meets have been seen.
type Collector struct {
	clk       clock.Clock
	t         *table
	ctx       *contexts
	pend      *pending
	procs     []procedure
	endStates map[string]map[string]bool
	bounds    []int64 // histogram bounds in ns
	boundsSec []float64
	reg       *prometheus.Registry
	regErr    error
	descs     [numFamilies]*prometheus.Desc
	descUnpd  *prometheus.Desc
	descOvfl  *prometheus.Desc
}

type procedure struct {
	Procedure
	id int32
}

var _ trace.Sink = (*Collector)(nil)
var _ prometheus.Collector = (*Collector)(nil)

// New returns a Collector configured by opts. It never fails: zero fields
// take their defaults and invalid ones are repaired (see Options.Validate).
func New(opts Options) *Collector {
	opts.fill()
	c := &Collector{clk: opts.Clock, ctx: newContexts(),
		pend: newPending(opts.MaxPending, int64(opts.PendingTimeout)), boundsSec: opts.Buckets}
	for _, b := range opts.Buckets {
		c.bounds = append(c.bounds, int64(math.Round(b*1e9)))
	}
	for i, p := range opts.Procedures {
		c.procs = append(c.procs, procedure{Procedure: p, id: int32(i + 1)})
	}
	c.endStates = map[string]map[string]bool{}
	for nf, names := range opts.EndStates {
		m := map[string]bool{}
		for _, n := range names {
			m[strings.ToLower(n)] = true
		}
		c.endStates[nf] = m
	}
	c.t = newTable(opts.MaxSeries, c.newSeries)
	for f, fi := range families {
		c.descs[f] = prometheus.NewDesc(opts.Namespace+"_"+fi.name, fi.help, fi.labels, nil)
	}
	c.descUnpd = prometheus.NewDesc(opts.Namespace+"_metrics_unpaired_total",
		"Latency samples lost: an end without a start (no-start), starts forgotten (evicted), starts not kept (untracked).",
		[]string{"reason"}, nil)
	c.descOvfl = prometheus.NewDesc(opts.Namespace+"_metrics_series_overflow_total",
		"Events counted in a family's _other series because the family reached MaxSeries.",
		[]string{"family"}, nil)
	c.reg = prometheus.NewRegistry()
	c.regErr = c.reg.Register(c)
	if opts.Runtime && c.regErr == nil {
		if err := c.reg.Register(collectors.NewGoCollector()); err != nil {
			c.regErr = err
		} else if err := c.reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
			c.regErr = err
		}
	}
	return c
}

func (c *Collector) newSeries(k seriesKey) *series {
	s := &series{fam: k.fam}
	vals := [maxLabels]string{k.a, k.b, k.c, k.d}
	for i := range families[k.fam].labels {
		s.labels[i] = labelValue(vals[i])
	}
	switch k.fam {
	case famSBILatency, famProcLatency:
		s.h = newHistogram(c.bounds)
	case famContexts:
		s.end = c.isEnd(k.a, k.b)
	}
	return s
}

// isEnd reports whether state ends a context of nf.
func (c *Collector) isEnd(nf, state string) bool {
	for _, suf := range endSuffixes {
		if hasSuffixFold(state, suf) {
			return true
		}
	}
	return c.endStates[nf][strings.ToLower(state)]
}

// Registry returns the Collector's own registry, for callers that add
// metrics of their own to the same exposition.
func (c *Collector) Registry() *prometheus.Registry { return c.reg }

// now returns the event's time in ns, stamping it from the clock if unset.
func (c *Collector) now(e *trace.Event) int64 {
	if e.At.IsZero() {
		return c.clk.Now().UnixNano()
	}
	return e.At.UnixNano()
}

func (c *Collector) inc(fam family, a, b, cc, d string) {
	c.t.get(seriesKey{fam: fam, a: a, b: b, c: cc, d: d}).n.Add(1)
}

// Emit derives metrics from e (trace.Sink).
func (c *Collector) Emit(e trace.Event) {
	nf := nfLabel(e.Actor)
	c.inc(famEvents, nf, string(e.Kind), "", "")
	switch e.Kind {
	case trace.KindMessage:
		c.inc(famMessages, nf, e.Iface, e.Name, "")
		if len(c.procs) > 0 {
			c.procedure(nf, &e)
		}
	case trace.KindRequest:
		c.inc(famRequests, nf, e.Name, "", "")
		c.pend.push(pendKey{actor: e.Actor, peer: e.Peer, name: e.Name, supi: e.SUPI}, c.now(&e), false)
	case trace.KindResponse:
		c.inc(famResponses, nf, e.Name, statusClass(e.Status), "")
		if t0, ok := c.pend.pop(pendKey{actor: e.Actor, peer: e.Peer, name: e.Name, supi: e.SUPI}); ok {
			c.t.get(seriesKey{fam: famSBILatency, a: nf, b: e.Name}).h.observe(c.now(&e) - t0)
		}
	case trace.KindReject:
		c.inc(famRejects, nf, e.Iface, e.Name, orUnspecified(e.Cause))
	case trace.KindDrop:
		c.inc(famDrops, nf, e.Iface, e.Name, orUnspecified(e.Cause))
	case trace.KindState:
		c.inc(famTransitions, nf, e.Name, "", "")
		c.state(nf, &e)
	case trace.KindKey:
		c.inc(famKeys, nf, e.Name, "", "")
	case trace.KindAttack:
		c.inc(famAttacks, nf, e.Name, "", "")
	case trace.KindFault:
		c.inc(famFaults, nf, e.Name, "", "")
	case trace.KindCheck:
		c.inc(famChecks, nf, e.Name, orUnspecified(e.Cause), "")
	}
}

// procedure starts or ends the timed procedures that message e belongs to.
func (c *Collector) procedure(nf string, e *trace.Event) {
	keyed := perInstanceActor(e.Actor) || e.SUPI != ""
	for i := range c.procs {
		p := &c.procs[i]
		if p.NF != "" && p.NF != nf {
			continue
		}
		var result string
		switch {
		case e.Name == p.Start:
			if keyed {
				c.pend.push(pendKey{proc: p.id, actor: e.Actor, supi: e.SUPI}, c.now(e), true)
			}
			continue
		case slices.Contains(p.Success, e.Name):
			result = "success"
		case slices.Contains(p.Failure, e.Name):
			result = "failure"
		default:
			continue
		}
		if !keyed {
			continue
		}
		if t0, ok := c.pend.pop(pendKey{proc: p.id, actor: e.Actor, supi: e.SUPI}); ok {
			c.t.get(seriesKey{fam: famProcLatency, a: nf, b: p.Name, c: result}).h.observe(c.now(e) - t0)
		}
	}
}

// Describe sends the descriptors of every family (prometheus.Collector).
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
	ch <- c.descUnpd
	ch <- c.descOvfl
}

// Collect sends the current value of every series (prometheus.Collector).
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	c.t.each(func(s *series) {
		desc := c.descs[s.fam]
		var m prometheus.Metric
		var err error
		switch families[s.fam].typ {
		case typeCounter:
			v := s.n.Load()
			if s.other && v == 0 {
				return
			}
			m, err = prometheus.NewConstMetric(desc, prometheus.CounterValue, float64(v), s.labelValues()...)
		case typeGauge:
			if s.end || s.other && s.g.Load() == 0 {
				return
			}
			m, err = prometheus.NewConstMetric(desc, prometheus.GaugeValue, float64(s.g.Load()), s.labelValues()...)
		case typeHistogram:
			n, sum, b := s.h.snapshot(c.boundsSec)
			if s.other && n == 0 {
				return
			}
			m, err = prometheus.NewConstHistogram(desc, n, sum, b, s.labelValues()...)
		}
		if err != nil {
			m = prometheus.NewInvalidMetric(desc, err)
		}
		ch <- m
	})
	for _, r := range [...]struct {
		reason string
		v      uint64
	}{{"no-start", c.pend.noStart.Load()}, {"evicted", c.pend.evicted.Load()}, {"untracked", c.pend.untracked.Load()}} {
		ch <- constCounter(c.descUnpd, r.v, r.reason)
	}
	for f := range numFamilies {
		if v := c.t.overflow[f].Load(); v > 0 {
			ch <- constCounter(c.descOvfl, v, families[f].name)
		}
	}
}

func constCounter(desc *prometheus.Desc, v uint64, label string) prometheus.Metric {
	m, err := prometheus.NewConstMetric(desc, prometheus.CounterValue, float64(v), label)
	if err != nil {
		return prometheus.NewInvalidMetric(desc, err)
	}
	return m
}

// Stats is a cheap view of the Collector's own bookkeeping.
type Stats struct {
	Contexts int // keyed contexts tracked
	Pending  int // start times awaiting their end
}

// Stats returns the Collector's bookkeeping sizes.
func (c *Collector) Stats() Stats {
	return Stats{Contexts: c.ctx.len(), Pending: c.pend.size()}
}
