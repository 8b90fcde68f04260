package bench

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credbed/credbed/internal/clock"
)

// Load describes one load phase: N items run by a fixed pool of Concurrency
// workers, paced by a token bucket when Rate > 0.
type Load struct {
	N           int
	Concurrency int
	Rate        float64       // arrivals per second; 0 = as fast as the workers go
	Ramp        time.Duration // linear ramp of the rate from 0
	Burst       int           // token bucket depth (default Concurrency)
	Clock       clock.Clock   // default: wall clock
	// Done, when set, is called after every item (from the worker).
	Done func(err error)
}

// LoadResult is what a load phase measured.
type LoadResult struct {
	Started int64 // items that passed the limiter
	OK      int64
	Failed  int64
	// Elapsed runs from the start to the end of the last item; Arrivals
	// from the start to the start of the last item.
	Elapsed, Arrivals time.Duration
	// Latency holds the duration of every successful item.
	Latency *Histogram
	// Errors holds up to maxErrorSamples distinct error messages.
	Errors []string
}

// PerSecond is the achieved completion rate of successful items.
func (r LoadResult) PerSecond() float64 { return perSecond(r.OK, r.Elapsed) }

// OfferedPerSecond is the achieved arrival rate.
func (r LoadResult) OfferedPerSecond() float64 {
	if r.Started <= 1 || r.Arrivals <= 0 {
		return perSecond(r.Started, r.Elapsed)
	}
	// Started arrivals span Started-1 inter-arrival gaps.
	return perSecond(r.Started-1, r.Arrivals)
}

func perSecond(n int64, d time.Duration) float64 {
	if n <= 0 || d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

const maxErrorSamples = 5

// errorSamples keeps the first few distinct error messages.
type errorSamples struct {
	mu   sync.Mutex
	msgs []string
}

func (s *errorSamples) add(err error) {
	msg := err.Error()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.msgs) >= maxErrorSamples {
		return
	}
	for _, m := range s.msgs {
		if m == msg {
			return
		}
	}
	s.msgs = append(s.msgs, msg)
}

func (s *errorSamples) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

// histShard is one lock-protected histogram; workers share a few of them.
type histShard struct {
	mu sync.Mutex
	h  *Histogram
	_  [40]byte // keep shards off each other's cache lines
}

// loadGen is one load phase, allocated before it runs so that the memory a
// phase measures does not include the generator.
type loadGen struct {
	spec   Load
	shards []histShard
	errs   errorSamples
}

func newLoadGen(spec Load) *loadGen {
	if spec.Concurrency <= 0 {
		spec.Concurrency = 1
	}
	if spec.Burst <= 0 {
		spec.Burst = spec.Concurrency
	}
	if spec.Clock == nil {
		spec.Clock = clock.Real{}
	}
	n := min(spec.Concurrency, 2*runtime.GOMAXPROCS(0))
	g := &loadGen{spec: spec, shards: make([]histShard, n)}
	for i := range g.shards {
		g.shards[i].h = NewHistogram()
	}
	return g
}

// RunLoad runs fn for i = 0..N-1 on a fixed pool of workers, paced by the
// limiter, and measures completions and latencies. fn's errors are counted,
// not returned; RunLoad returns early when ctx ends (the result then covers
// what ran).
func RunLoad(ctx context.Context, spec Load, fn func(ctx context.Context, i int) error) LoadResult {
	return newLoadGen(spec).run(ctx, fn)
}

func (g *loadGen) run(ctx context.Context, fn func(ctx context.Context, i int) error) LoadResult {
	spec := g.spec
	clk := spec.Clock
	var lim *Limiter
	if spec.Rate > 0 {
		lim = NewLimiter(clk, spec.Rate, spec.Burst, spec.Ramp)
	}
	var (
		next                atomic.Int64
		started, ok, failed atomic.Int64
		lastStart, lastEnd  atomic.Int64 // nanoseconds since start
		wg                  sync.WaitGroup
		start               = clk.Now()
		workers             = min(spec.Concurrency, max(spec.N, 1))
	)
	worker := func(w int) {
		defer wg.Done()
		shard := &g.shards[w%len(g.shards)]
		for ctx.Err() == nil {
			i := next.Add(1) - 1
			if i >= int64(spec.N) {
				return
			}
			if lim != nil {
				if lim.Wait(ctx) != nil {
					return
				}
			}
			t0 := clk.Now()
			started.Add(1)
			storeMax(&lastStart, int64(t0.Sub(start)))
			err := fn(ctx, int(i))
			t1 := clk.Now()
			storeMax(&lastEnd, int64(t1.Sub(start)))
			if err != nil {
				if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
					// Cut short by the caller: neither a success nor a failure.
					started.Add(-1)
					return
				}
				failed.Add(1)
				g.errs.add(err)
			} else {
				ok.Add(1)
				shard.mu.Lock()
				shard.h.Record(t1.Sub(t0))
				shard.mu.Unlock()
			}
			if spec.Done != nil {
				spec.Done(err)
			}
		}
	}
	wg.Add(workers)
	for w := range workers {
		go worker(w)
	}
	wg.Wait()
	res := LoadResult{
		Started:  started.Load(),
		OK:       ok.Load(),
		Failed:   failed.Load(),
		Elapsed:  time.Duration(lastEnd.Load()),
		Arrivals: time.Duration(lastStart.Load()),
		Latency:  g.shards[0].h,
		Errors:   g.errs.list(),
	}
	for i := 1; i < len(g.shards); i++ {
		res.Latency.Merge(g.shards[i].h)
	}
	return res
}

func storeMax(a *atomic.Int64, v int64) {
	for {
		cur := a.Load()
		if v <= cur || a.CompareAndSwap(cur, v) {
			return
		}
	}
}
