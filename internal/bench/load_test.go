package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// fakeSystem is a Registrar and Lifecycler that records what it is asked:
// every call must be for a distinct index below the prepared count, and the
// number of calls running at once must stay within the worker pool.
type fakeSystem struct {
	mu       sync.Mutex
	prepared int
	seen     map[int]int
	running  atomic.Int64
	peak     atomic.Int64
	failEach int // every failEach-th index fails (0: none)
	closed   bool
	// hold keeps each UE's state alive, as a real system does.
	hold [][]byte
}

var errFakeReject = errors.New("fake: registration rejected (5GMM#3)")

func (f *fakeSystem) Prepare(_ context.Context, n int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.prepared, f.seen = n, map[int]int{}
	f.hold = make([][]byte, n)
	return nil
}

func (f *fakeSystem) call(i int) error {
	n := f.running.Add(1)
	defer f.running.Add(-1)
	storeMax(&f.peak, n)
	f.mu.Lock()
	defer f.mu.Unlock()
	if i < 0 || i >= f.prepared {
		return fmt.Errorf("index %d out of range", i)
	}
	f.seen[i]++
	f.hold[i] = make([]byte, 1024)
	if f.failEach > 0 && i%f.failEach == 0 {
		return errFakeReject
	}
	return nil
}

func (f *fakeSystem) Register(_ context.Context, i int) error  { return f.call(i) }
func (f *fakeSystem) Lifecycle(_ context.Context, i int) error { return f.call(i) }
func (f *fakeSystem) Close() error                             { f.closed = true; return nil }

var _ = Describe("Load generator", func() {
	It("runs every item once on at most Concurrency workers and counts failures", func() {
		f := &fakeSystem{failEach: 10}
		Expect(f.Prepare(context.Background(), 1000)).To(Succeed())
		var done atomic.Int64
		res := RunLoad(context.Background(), Load{N: 1000, Concurrency: 8, Done: func(error) { done.Add(1) }}, f.Register)
		Expect(res.Started).To(BeEquivalentTo(1000))
		Expect(res.OK).To(BeEquivalentTo(900))
		Expect(res.Failed).To(BeEquivalentTo(100))
		Expect(res.Errors).To(Equal([]string{errFakeReject.Error()}))
		Expect(res.Latency.Count()).To(BeEquivalentTo(900))
		Expect(done.Load()).To(BeEquivalentTo(1000))
		Expect(f.seen).To(HaveLen(1000))
		for i, n := range f.seen {
			Expect(n).To(Equal(1), "index %d", i)
		}
		Expect(f.peak.Load()).To(BeNumerically("<=", 8))
	})

	It("paces arrivals with the token bucket and reports the achieved rates", func() {
		f := &fakeSystem{}
		Expect(f.Prepare(context.Background(), 50)).To(Succeed())
		res := RunLoad(context.Background(), Load{N: 50, Concurrency: 4, Rate: 20000}, f.Register)
		Expect(res.OK).To(BeEquivalentTo(50))
		Expect(res.PerSecond()).To(BeNumerically(">", 0))
		Expect(res.OfferedPerSecond()).To(BeNumerically(">", 0))
	})

	It("stops when the context ends", func() {
		f := &fakeSystem{}
		Expect(f.Prepare(context.Background(), 100)).To(Succeed())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res := RunLoad(ctx, Load{N: 100, Concurrency: 4}, f.Register)
		Expect(res.Started).To(BeZero())
	})

	It("measures registrations and the heap per registered UE", func() {
		f := &fakeSystem{}
		opts := Options{UEs: 2000, Concurrency: 4}
		st, err := Registrations(context.Background(), opts, f)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.OK).To(BeEquivalentTo(2000))
		Expect(st.Failed).To(BeZero())
		// Each fake UE holds 1 KiB (HeapAlloc is approximate: loose bounds).
		Expect(st.BytesPerUE()).To(BeNumerically(">=", 768))
		Expect(st.BytesPerUE()).To(BeNumerically("<", 4096))
	})

	It("measures lifecycles", func() {
		f := &fakeSystem{failEach: 2}
		st, err := Lifecycles(context.Background(), Options{UEs: 10, Concurrency: 2}, f)
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Lifecycles).To(Equal(10))
		Expect(st.OK).To(BeEquivalentTo(5))
		Expect(st.Failed).To(BeEquivalentTo(5))
	})
})
