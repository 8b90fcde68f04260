package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/credbed/credbed/internal/metrics"
)

func TestMetrics(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "metrics")
}

// exposition is one parsed scrape.
type exposition map[string]*dto.MetricFamily

// scrape reads c's handler and parses the text exposition.
func scrape(c *metrics.Collector) exposition {
	GinkgoHelper()
	rec := httptest.NewRecorder()
	c.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, metrics.MetricsPath, nil))
	Expect(rec.Code).To(Equal(http.StatusOK), rec.Body.String())
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	Expect(err).NotTo(HaveOccurred())
	return fams
}

// metric returns the series of family name whose labels are exactly kv
// (name, value pairs), or nil.
func (x exposition) metric(name string, kv ...string) *dto.Metric {
	GinkgoHelper()
	Expect(len(kv) % 2).To(BeZero())
	f := x[name]
	if f == nil {
		return nil
	}
	for _, m := range f.GetMetric() {
		if len(m.GetLabel())*2 != len(kv) {
			continue
		}
		ok := true
		for i := 0; i < len(kv); i += 2 {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == kv[i] && l.GetValue() == kv[i+1] {
					found = true
				}
			}
			ok = ok && found
		}
		if ok {
			return m
		}
	}
	return nil
}

// counter returns a counter's value (0 if absent).
func (x exposition) counter(name string, kv ...string) float64 {
	GinkgoHelper()
	if m := x.metric(name, kv...); m != nil {
		return m.GetCounter().GetValue()
	}
	return 0
}

// gauge returns a gauge's value and whether the series exists.
func (x exposition) gauge(name string, kv ...string) (float64, bool) {
	GinkgoHelper()
	if m := x.metric(name, kv...); m != nil {
		return m.GetGauge().GetValue(), true
	}
	return 0, false
}

// hist returns a histogram (nil if absent).
func (x exposition) hist(name string, kv ...string) *dto.Histogram {
	GinkgoHelper()
	if m := x.metric(name, kv...); m != nil {
		return m.GetHistogram()
	}
	return nil
}

// bucket returns the cumulative count of h at upper bound ub.
func bucket(h *dto.Histogram, ub float64) uint64 {
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == ub {
			return b.GetCumulativeCount()
		}
	}
	return 1<<64 - 1
}
