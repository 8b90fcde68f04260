package bench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"
)

// Registrar is a system under test that registers UEs: the testbed, or a
// fake in tests. Register is called concurrently for distinct i; a
// registration the network rejects is an error.
type Registrar interface {
	// Prepare creates n UEs (and their subscriptions), not yet registered.
	Prepare(ctx context.Context, n int) error
	// Register runs the initial registration of UE i (0 <= i < n): SUCI,
	// 5G-AKA, security mode, accept.
	Register(ctx context.Context, i int) error
}

// Lifecycler is a system under test that runs provisioning lifecycles.
// Lifecycle is called concurrently for distinct i.
type Lifecycler interface {
	// Prepare readies n lifecycles: the provisioning device(s) registered,
	// n target devices with their bootstrap identities.
	Prepare(ctx context.Context, n int) error
	// Lifecycle runs steps 1-9 of the reference flow for target i:
	// provisioning, target registration and data, deprovisioning, and the
	// rejected re-registration. Any step that does not end as the profile
	// expects is an error.
	Lifecycle(ctx context.Context, i int) error
}

// Settler is an optional Registrar capability: wait until no message is in
// flight, so the heap measured after registration holds idle UEs only.
type Settler interface {
	Settle(ctx context.Context) error
}

// RegistrationStats is what the registration phase measured.
type RegistrationStats struct {
	LoadResult
	UEs int
	// HeapBefore is the live heap after GC with the system running and no
	// UE prepared; HeapAfter after every UE registered.
	HeapBefore, HeapAfter uint64
}

// BytesPerUE is the heap an idle registered UE costs, both sides
// (UE, subscription, network contexts), averaged over the UEs registered.
func (s RegistrationStats) BytesPerUE() float64 {
	if s.OK <= 0 || s.HeapAfter < s.HeapBefore {
		return 0
	}
	return float64(s.HeapAfter-s.HeapBefore) / float64(s.OK)
}

// LifecycleStats is what the lifecycle phase measured.
type LifecycleStats struct {
	LoadResult
	Lifecycles int
}

// heapAfterGC returns HeapAlloc after a full collection.
func heapAfterGC() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC() // the second cycle frees what finalizers released
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Registrations prepares opts.UEs UEs on reg, registers every one through
// the load generator (opts.Concurrency workers, opts.Rate, opts.Ramp), and
// measures throughput, latency and the heap per idle registered UE.
// Registration failures are counted; the error is for a failed Prepare or
// ctx.
func Registrations(ctx context.Context, opts Options, reg Registrar) (RegistrationStats, error) {
	if err := opts.Validate(); err != nil {
		return RegistrationStats{}, err
	}
	st := RegistrationStats{UEs: opts.UEs}
	gen := newLoadGen(loadSpec(opts, opts.UEs))
	st.HeapBefore = heapAfterGC()
	if err := reg.Prepare(ctx, opts.UEs); err != nil {
		return st, fmt.Errorf("bench: prepare %d UEs: %w", opts.UEs, err)
	}
	opts.phase(PhaseRegistrations, int64(opts.UEs))
	st.LoadResult = gen.run(ctx, reg.Register)
	if s, ok := reg.(Settler); ok {
		if err := s.Settle(ctx); err != nil {
			return st, fmt.Errorf("bench: settle: %w", err)
		}
	}
	st.HeapAfter = heapAfterGC()
	runtime.KeepAlive(reg)
	return st, ctx.Err()
}

// Lifecycles prepares opts.Lifecycles lifecycles on lc and runs them through
// the load generator.
func Lifecycles(ctx context.Context, opts Options, lc Lifecycler) (LifecycleStats, error) {
	if err := opts.Validate(); err != nil {
		return LifecycleStats{}, err
	}
	st := LifecycleStats{Lifecycles: opts.Lifecycles}
	if err := lc.Prepare(ctx, opts.Lifecycles); err != nil {
		return st, fmt.Errorf("bench: prepare %d lifecycles: %w", opts.Lifecycles, err)
	}
	opts.phase(PhaseLifecycles, int64(opts.Lifecycles))
	st.LoadResult = RunLoad(ctx, loadSpec(opts, opts.Lifecycles), lc.Lifecycle)
	return st, ctx.Err()
}

func loadSpec(opts Options, n int) Load {
	return Load{
		N: n, Concurrency: opts.Concurrency, Rate: opts.Rate, Ramp: opts.Ramp, Burst: opts.Burst,
		Clock: opts.Clock, Done: func(error) { opts.add(1) },
	}
}

// closeTarget closes a Registrar or Lifecycler that is an io.Closer.
func closeTarget(t any) error {
	if c, ok := t.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
