package bench

import (
	"context"
	"runtime"
)

// Targets build the systems under test of the registration and lifecycle
// phases. Each is called when its phase starts, so systems never overlap; a
// nil factory skips its phase. A returned value that is an io.Closer is
// closed when its phase ends.
type Targets struct {
	Registrar  func(ctx context.Context, o Options) (Registrar, error)
	Lifecycler func(ctx context.Context, o Options) (Lifecycler, error)
}

// Run runs the selected phases in order (crypto floor, registrations,
// lifecycles, UPF) and returns every measurement. A phase that fails to set
// up is recorded in Result.Errors and the run goes on; the error is for bad
// options or ctx.
func Run(ctx context.Context, opts Options, t Targets) (Result, error) {
	if err := opts.Validate(); err != nil {
		return Result{}, err
	}
	r := Result{
		Mode: opts.Mode, Profile: opts.Profile, Cores: runtime.GOMAXPROCS(0), NumCPU: runtime.NumCPU(),
		GoVersion: runtime.Version(), Seed: opts.Seed, UEs: opts.UEs, Concurrency: opts.Concurrency,
		TargetRatePerS: opts.Rate, RampS: opts.Ramp.Seconds(),
		Phases: []string{}, Errors: []string{}, Skipped: []string{},
	}
	for _, p := range opts.Phases {
		r.Phases = append(r.Phases, string(p))
	}
	skip := func(p Phase, why string) { r.Skipped = append(r.Skipped, string(p)+": "+why) }

	if opts.runs(PhaseCryptoFloor) {
		st, err := MeasureCryptoFloor(ctx, opts)
		r.CryptoFloorPerS, r.CryptoFloorSets = finite(st.PerSecond()), st.Sets
		if err != nil {
			r.addErrors(PhaseCryptoFloor, err.Error())
		}
	} else {
		skip(PhaseCryptoFloor, "not selected")
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}

	switch {
	case !opts.runs(PhaseRegistrations):
		skip(PhaseRegistrations, "not selected")
	case t.Registrar == nil:
		skip(PhaseRegistrations, "no system under test")
	default:
		runRegistrations(ctx, opts, t, &r)
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}

	switch {
	case !opts.runs(PhaseHalfRate):
		skip(PhaseHalfRate, "not selected")
	case t.Registrar == nil:
		skip(PhaseHalfRate, "no system under test")
	case r.RegistrationsPerS == 0:
		skip(PhaseHalfRate, "no peak registration rate measured")
	default:
		runHalfRate(ctx, opts, t, &r)
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}

	switch {
	case !opts.runs(PhaseLifecycles):
		skip(PhaseLifecycles, "not selected")
	case t.Lifecycler == nil:
		skip(PhaseLifecycles, "no system under test")
	default:
		runLifecycles(ctx, opts, t, &r)
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}

	if opts.runs(PhaseUPF) {
		st, err := UPFPackets(ctx, opts)
		r.UPFPacketsPerS = finite(st.PerSecond())
		r.UPFPacketsSent, r.UPFPacketsDelivered, r.UPFPacketsDropped = st.Sent, st.Delivered, st.Dropped
		if err != nil {
			r.addErrors(PhaseUPF, err.Error())
		}
	} else {
		skip(PhaseUPF, "not selected")
	}
	return r, ctx.Err()
}

func runRegistrations(ctx context.Context, opts Options, t Targets, r *Result) {
	reg, err := t.Registrar(ctx, opts)
	if err != nil {
		r.addErrors(PhaseRegistrations, err.Error())
		return
	}
	st, err := Registrations(ctx, opts, reg)
	if cerr := closeTarget(reg); cerr != nil {
		r.addErrors(PhaseRegistrations, "close: "+cerr.Error())
	}
	if err != nil {
		r.addErrors(PhaseRegistrations, err.Error())
	}
	r.addErrors(PhaseRegistrations, st.Errors...)
	r.RegistrationsPerS = finite(st.PerSecond())
	r.RegistrationArrivalsPerS = finite(st.OfferedPerSecond())
	r.RegistrationsOK, r.RegistrationErrors = st.OK, st.Failed
	r.RegistrationSeconds = st.Elapsed.Seconds()
	if st.Latency != nil {
		r.RegistrationP50Ms = ms(st.Latency.Quantile(0.50))
		r.RegistrationP90Ms = ms(st.Latency.Quantile(0.90))
		r.RegistrationP99Ms = ms(st.Latency.Quantile(0.99))
		r.RegistrationMaxMs = ms(st.Latency.Max())
	}
	r.BytesPerRegisteredUE = finite(st.BytesPerUE())
	if r.CryptoFloorPerS > 0 {
		r.RegistrationRatioToFloor = finite(r.RegistrationsPerS / r.CryptoFloorPerS)
	}
}

// runHalfRate registers opts.UEs UEs on a fresh system at half the peak
// rate (no ramp) and records their latency.
func runHalfRate(ctx context.Context, opts Options, t Targets, r *Result) {
	opts.Rate, opts.Ramp = r.RegistrationsPerS/2, 0
	r.HalfRateTargetPerS = opts.Rate
	reg, err := t.Registrar(ctx, opts)
	if err != nil {
		r.addErrors(PhaseHalfRate, err.Error())
		return
	}
	opts.Progress = renamed{opts.Progress, PhaseHalfRate}
	st, err := Registrations(ctx, opts, reg)
	if cerr := closeTarget(reg); cerr != nil {
		r.addErrors(PhaseHalfRate, "close: "+cerr.Error())
	}
	if err != nil {
		r.addErrors(PhaseHalfRate, err.Error())
	}
	r.addErrors(PhaseHalfRate, st.Errors...)
	r.HalfRateArrivalsPerS = finite(st.OfferedPerSecond())
	r.HalfRateOK, r.HalfRateErrors = st.OK, st.Failed
	if st.Latency != nil {
		r.HalfRateP50Ms = ms(st.Latency.Quantile(0.50))
		r.HalfRateP99Ms = ms(st.Latency.Quantile(0.99))
	}
}

// renamed reports a phase under another name.
type renamed struct {
	p    Progress
	name Phase
}

func (r renamed) Phase(_ Phase, total int64) {
	if r.p != nil {
		r.p.Phase(r.name, total)
	}
}

func (r renamed) Add(n int64) {
	if r.p != nil {
		r.p.Add(n)
	}
}

func runLifecycles(ctx context.Context, opts Options, t Targets, r *Result) {
	r.Lifecycles = opts.Lifecycles
	lc, err := t.Lifecycler(ctx, opts)
	if err != nil {
		r.addErrors(PhaseLifecycles, err.Error())
		return
	}
	st, err := Lifecycles(ctx, opts, lc)
	if cerr := closeTarget(lc); cerr != nil {
		r.addErrors(PhaseLifecycles, "close: "+cerr.Error())
	}
	if err != nil {
		r.addErrors(PhaseLifecycles, err.Error())
	}
	r.addErrors(PhaseLifecycles, st.Errors...)
	r.LifecyclesPerS = finite(st.PerSecond())
	r.LifecycleArrivalsPerS = finite(st.OfferedPerSecond())
	r.LifecyclesOK, r.LifecycleErrors = st.OK, st.Failed
	if st.Latency != nil {
		r.LifecycleP50Ms = ms(st.Latency.Quantile(0.50))
		r.LifecycleP99Ms = ms(st.Latency.Quantile(0.99))
	}
}
