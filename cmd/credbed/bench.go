package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/credbed/credbed/internal/bench"
)

// benchGCPercent is the GC percent of a bench run when GOGC is not set:
// fewer collection cycles on the allocation-heavy registration path
// (docs/performance.md). The memory per idle UE is measured after a
// forced GC, so it does not change.
const benchGCPercent = 200

// newBenchCmd builds `credbed bench`: the performance measurements of
// DESIGN.md "Performance targets" in one process and one run.
func newBenchCmd() *cobra.Command {
	var (
		o          bench.Options
		phases     string
		asJSON     bool
		quiet      bool
		cpuProfile string
	)
	cmd := &cobra.Command{
		Use:   "bench [--mode mem|net] [--ues N] [--concurrency C] [--rate R] [--duration D] [--profile P] [--json]",
		Short: "Measure the crypto floor, registrations, lifecycles, UPF packets and memory per UE",
		Long: "Runs, in one process, the per-registration cryptography alone on every core (the crypto\n" +
			"floor: SUCI Profile A both ways, MILENAGE, AUTN check, the 5G key chain, NAS protection of\n" +
			"six messages), N initial registrations through the testbed (SUCI Profile A, 5G-AKA, security\n" +
			"mode, accept), N more on a fresh testbed at half the rate the first N achieved (the latency\n" +
			"target), full provisioning lifecycles (reference flow steps 1-9), and uplink G-PDUs through\n" +
			"a UPF. Prints a table, or one JSON object with --json. Registrations and lifecycles\n" +
			"run on a fixed pool of --concurrency workers paced by a token bucket (--rate, --ramp); the\n" +
			"achieved rates are reported. Memory per idle registered UE is the live heap after GC with the\n" +
			"N UEs registered minus the heap before they were created, divided by N.\n" +
			"The garbage collector runs with GOGC=" + strconv.Itoa(benchGCPercent) + " during the bench (fewer cycles, same live\n" +
			"heap) unless GOGC is set in the environment, which is then used as is.\n" +
			"Exits 1 when a phase could not run or a registration or lifecycle failed.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.UEs < 1 {
				return badInput("--ues %d: want at least 1", o.UEs)
			}
			if o.Concurrency < 1 {
				return badInput("--concurrency %d: want at least 1", o.Concurrency)
			}
			if cmd.Flags().Changed("lifecycles") && o.Lifecycles < 1 {
				return badInput("--lifecycles %d: want at least 1", o.Lifecycles)
			}
			if o.Duration <= 0 {
				return badInput("--duration %v: want a positive duration", o.Duration)
			}
			ps, err := bench.ParsePhases(phases)
			if err != nil {
				return asBadInput(err)
			}
			o.Phases = ps
			if err := o.Validate(); err != nil {
				return asBadInput(err)
			}
			if _, set := os.LookupEnv("GOGC"); !set {
				defer debug.SetGCPercent(debug.SetGCPercent(benchGCPercent))
			}
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return badInput("--cpuprofile: %w", err)
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			var bar *benchProgress
			if !quiet {
				bar = newBenchProgress(cmd.ErrOrStderr())
				o.Progress = bar
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			res, err := bench.Run(ctx, o, bench.TestbedTargets())
			if bar != nil {
				bar.finish()
			}
			if err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else if err := res.WriteTable(out); err != nil {
				return err
			}
			switch {
			case err != nil:
				return fmt.Errorf("interrupted: %w", err)
			case res.Failed():
				return fmt.Errorf("bench: %d registration and %d lifecycle failures, %d errors (see the output)",
					res.RegistrationErrors, res.LifecycleErrors, len(res.Errors))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Mode, "mode", "mem", "testbed transport: mem (in-process) or net (loopback sockets)")
	f.IntVar(&o.UEs, "ues", bench.DefaultUEs, "UEs to register")
	f.IntVar(&o.Lifecycles, "lifecycles", 0, fmt.Sprintf("provisioning lifecycles to run (default min(ues, %d))", bench.DefaultLifecycles))
	f.IntVar(&o.Concurrency, "concurrency", bench.DefaultConcurrency, "load workers (registrations or lifecycles in flight)")
	f.Float64Var(&o.Rate, "rate", 0, "target arrival rate per second (0: as fast as the workers go)")
	f.DurationVar(&o.Ramp, "ramp", 0, "raise the arrival rate linearly from 0 to --rate over this time")
	f.DurationVar(&o.Duration, "duration", bench.DefaultDuration, "how long the crypto floor and UPF phases measure")
	f.StringVar(&o.Profile, "profile", bench.DefaultProfile, "solution profile of the lifecycles (secure or baseline)")
	f.Int64Var(&o.Seed, "seed", 1, "seed of keys and subscribers")
	f.StringVar(&phases, "phases", "all", "phases to run, comma-separated: crypto-floor, registrations, half-rate, lifecycles, upf")
	f.BoolVar(&asJSON, "json", false, "print one JSON object instead of the table")
	f.BoolVarP(&quiet, "quiet", "q", false, "no progress bar")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a pprof CPU profile of the run to this file")
	return cmd
}

// benchProgress draws one progress bar per phase on stderr. Add is an
// atomic increment; a ticker moves the bar so workers never wait on it.
type benchProgress struct {
	w    io.Writer
	done atomic.Int64

	mu   sync.Mutex
	bar  *progressbar.ProgressBar
	stop chan struct{}
	wg   sync.WaitGroup
}

func newBenchProgress(w io.Writer) *benchProgress {
	p := &benchProgress{w: w, stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.sync()
			}
		}
	}()
	return p
}

func (p *benchProgress) sync() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Set64(p.done.Load())
	}
}

// Phase implements bench.Progress.
func (p *benchProgress) Phase(ph bench.Phase, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closeBar()
	p.done.Store(0)
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(fmt.Sprintf("%-14s", ph)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
	)
}

// Add implements bench.Progress.
func (p *benchProgress) Add(n int64) { p.done.Add(n) }

func (p *benchProgress) closeBar() {
	if p.bar == nil {
		return
	}
	_ = p.bar.Set64(p.done.Load())
	if !p.bar.IsFinished() {
		_ = p.bar.Finish()
	}
	p.bar = nil
}

func (p *benchProgress) finish() {
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closeBar()
}
