package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/testbed"
	"github.com/credbed/credbed/ue"
)

// ErrRejected reports a registration the network rejected.
var ErrRejected = errors.New("bench: registration not accepted")

// registerTimeout bounds one registration, so a lost message cannot hang a
// worker (the UE's own T3510 is 15 s).
const registerTimeout = 30 * time.Second

// TestbedTargets returns the registration and lifecycle systems built on
// the testbed (package testbed).
func TestbedTargets() Targets {
	return Targets{Registrar: TestbedRegistrar, Lifecycler: TestbedLifecycler}
}

// TestbedRegistrar starts a testbed in opts.Mode (no trace kept) whose UEs
// register with SUCI Profile A. The returned Registrar is an io.Closer that
// closes the bed.
func TestbedRegistrar(ctx context.Context, opts Options) (Registrar, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	bed, err := testbed.New(ctx, testbed.Topology{Name: "bench", Mode: opts.Mode, Seed: opts.Seed, NoTrace: true})
	if err != nil {
		return nil, fmt.Errorf("bench: testbed: %w", err)
	}
	return &bedRegistrar{bed: bed, seed: opts.Seed}, nil
}

// bedRegistrar registers testbed UEs.
type bedRegistrar struct {
	bed  *testbed.Bed
	seed int64
	ues  []*ue.UE
}

// Prepare generates n subscribers from the seed, provisions them in the
// UDR and creates their UEs, spread over the bed's gNBs.
func (r *bedRegistrar) Prepare(ctx context.Context, n int) error {
	subs, err := subscriber.Generate(n, r.seed, subscriber.GenOptions{PLMN: r.bed.Topo.PLMNString()})
	if err != nil {
		return err
	}
	r.ues = make([]*ue.UE, n)
	for i, s := range subs {
		if err := r.bed.UDR.Provision(ctx, s); err != nil {
			return fmt.Errorf("provision %s: %w", s.SUPI, err)
		}
		if r.ues[i], err = r.bed.NewUE(s); err != nil {
			return err
		}
	}
	return nil
}

// Register runs UE i's initial registration; a rejection is ErrRejected.
func (r *bedRegistrar) Register(ctx context.Context, i int) error {
	ctx, cancel := context.WithTimeout(ctx, registerTimeout)
	defer cancel()
	res, err := r.ues[i].Register(ctx)
	if err != nil {
		return err
	}
	if !res.Accepted {
		return fmt.Errorf("%w: %s %s", ErrRejected, res.Reason, res.CauseString())
	}
	return nil
}

// Close closes the bed.
func (r *bedRegistrar) Close() error {
	r.ues = nil
	return r.bed.Close()
}
