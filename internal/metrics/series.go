package metrics

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// family identifies one exported metric.
type family uint8

const (
	famEvents family = iota
	famMessages
	famRequests
	famResponses
	famRejects
	famDrops
	famTransitions
	famContexts
	famKeys
	famAttacks
	famFaults
	famChecks
	famSBILatency
	famProcLatency
	numFamilies
)

type metricType uint8

const (
	typeCounter metricType = iota
	typeGauge
	typeHistogram
)

// familyInfo describes a family: its name (after the namespace), help and
// variable labels, in order.
type familyInfo struct {
	name   string
	help   string
	typ    metricType
	labels []string
}

var families = [numFamilies]familyInfo{
	famEvents:      {"trace_events_total", "Trace events seen, by nf and kind.", typeCounter, []string{"nf", "kind"}},
	famMessages:    {"messages_total", "Protocol messages (NAS, NGAP, PFCP, GTP-U, direct link) sent or received, by nf, interface and message.", typeCounter, []string{"nf", "iface", "message"}},
	famRequests:    {"sbi_requests_total", "SBI requests sent or served, by nf and operation.", typeCounter, []string{"nf", "operation"}},
	famResponses:   {"sbi_responses_total", "SBI responses, by nf, operation and HTTP status class.", typeCounter, []string{"nf", "operation", "status_class"}},
	famRejects:     {"rejections_total", "Protocol rejections, by nf, interface, message or operation, and cause.", typeCounter, []string{"nf", "iface", "message", "cause"}},
	famDrops:       {"drops_total", "Messages discarded, by nf, interface, message and reason.", typeCounter, []string{"nf", "iface", "message", "reason"}},
	famTransitions: {"state_transitions_total", "State changes, by nf and new state.", typeCounter, []string{"nf", "state"}},
	famContexts:    {"contexts", "Contexts held, by nf and current state.", typeGauge, []string{"nf", "state"}},
	famKeys:        {"keys_total", "Keys derived or stored (by name only), by nf and key.", typeCounter, []string{"nf", "key"}},
	famAttacks:     {"attacks_total", "Attacker capability actions, by actor and capability.", typeCounter, []string{"nf", "name"}},
	famFaults:      {"faults_total", "Injected faults, by actor and fault.", typeCounter, []string{"nf", "name"}},
	famChecks:      {"checks_total", "Scenario checks and invariants, by actor, check and result.", typeCounter, []string{"nf", "name", "result"}},
	famSBILatency:  {"sbi_request_duration_seconds", "SBI request to response time, by nf and operation (request/response pairs in order, see package docs).", typeHistogram, []string{"nf", "operation"}},
	famProcLatency: {"procedure_duration_seconds", "Procedure time from its first message to its answer, by nf, procedure and result.", typeHistogram, []string{"nf", "procedure", "result"}},
}

const maxLabels = 4

// seriesKey names one series: its family and up to four label values.
type seriesKey struct {
	fam        family
	a, b, c, d string
}

// series is one labelled metric. Counters use n, gauges g (and free, the
// part of g held by contexts without a key), histograms h.
type series struct {
	key    seriesKey // raw label values, for lookups
	next   *series   // next series with the same key hash
	fam    family
	labels [maxLabels]string
	end    bool // contexts: this state ends a context (not exported)
	other  bool // the overflow series of its family
	n      atomic.Uint64
	g      atomic.Int64
	free   atomic.Int64
	h      *histogram
}

func (s *series) labelValues() []string {
	return s.labels[:len(families[s.fam].labels)]
}

// takeFree moves one key-less context out of s, if s holds any.
func (s *series) takeFree() bool {
	for {
		v := s.free.Load()
		if v <= 0 {
			return false
		}
		if s.free.CompareAndSwap(v, v-1) {
			s.g.Add(-1)
			return true
		}
	}
}

const tableShards = 64

// prime is the 64-bit golden-ratio multiplier used to combine field hashes.
const prime = 0x9E3779B97F4A7C15

// table maps label combinations to series. Reads are lock-free: each shard
// publishes an immutable map from a 64-bit hash of the key to the series
// (chained on collision, compared by key); writers copy it under the
// shard's lock, and new series are rare once a run is warm.
type table struct {
	seed     maphash.Seed
	max      int64
	count    [numFamilies]atomic.Int64
	overflow [numFamilies]atomic.Uint64
	other    [numFamilies]*series
	shards   [tableShards]tableShard
	newSer   func(k seriesKey) *series
}

type tableShard struct {
	mu sync.Mutex
	m  atomic.Pointer[map[uint64]*series]
	_  [48]byte // keep shards on separate cache lines
}

func newTable(max int, newSer func(k seriesKey) *series) *table {
	t := &table{seed: maphash.MakeSeed(), max: int64(max), newSer: newSer}
	for i := range t.shards {
		m := map[uint64]*series{}
		t.shards[i].m.Store(&m)
	}
	for f := range numFamilies {
		k := seriesKey{fam: f, a: otherLabel, b: otherLabel, c: otherLabel, d: otherLabel}
		s := newSer(k)
		s.other = true
		t.other[f] = s
	}
	return t
}

func (t *table) hash(k *seriesKey) uint64 {
	h := maphash.String(t.seed, k.a) + uint64(k.fam)
	h = h*prime ^ maphash.String(t.seed, k.b)
	if k.c != "" {
		h = h*prime ^ maphash.String(t.seed, k.c)
	}
	if k.d != "" {
		h = h*prime ^ maphash.String(t.seed, k.d)
	}
	return h
}

func lookup(m map[uint64]*series, h uint64, k *seriesKey) *series {
	for s := m[h]; s != nil; s = s.next {
		if s.key == *k {
			return s
		}
	}
	return nil
}

// find returns the series of k, or nil if it does not exist.
func (t *table) find(k seriesKey) *series {
	h := t.hash(&k)
	return lookup(*t.shards[h>>58].m.Load(), h, &k)
}

// get returns the series of k, creating it (or returning its family's
// overflow series once the family holds MaxSeries series).
func (t *table) get(k seriesKey) *series {
	h := t.hash(&k)
	sh := &t.shards[h>>58]
	if s := lookup(*sh.m.Load(), h, &k); s != nil {
		return s
	}
	return t.create(sh, h, k)
}

func (t *table) create(sh *tableShard, h uint64, k seriesKey) *series {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old := *sh.m.Load()
	if s := lookup(old, h, &k); s != nil {
		return s
	}
	if t.count[k.fam].Load() >= t.max {
		t.overflow[k.fam].Add(1)
		return t.other[k.fam]
	}
	k = seriesKey{fam: k.fam, a: strings.Clone(k.a), b: strings.Clone(k.b), c: strings.Clone(k.c), d: strings.Clone(k.d)}
	s := t.newSer(k)
	s.key, s.next = k, old[h]
	m := make(map[uint64]*series, len(old)+1)
	for kk, v := range old {
		m[kk] = v
	}
	m[h] = s
	sh.m.Store(&m)
	t.count[k.fam].Add(1)
	return s
}

// each calls f for every series, overflow series included.
func (t *table) each(f func(*series)) {
	for i := range t.shards {
		for _, s := range *t.shards[i].m.Load() {
			for ; s != nil; s = s.next {
				f(s)
			}
		}
	}
	for _, s := range t.other {
		f(s)
	}
}

// labelValue makes v a valid, bounded label value.
func labelValue(v string) string {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "\uFFFD")
	}
	if len(v) > maxLabelLen {
		cut := maxLabelLen
		for cut > 0 && !utf8.RuneStart(v[cut]) {
			cut--
		}
		v = v[:cut]
	}
	return v
}
