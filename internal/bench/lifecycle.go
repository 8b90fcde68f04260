package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/testbed"
	"github.com/credbed/credbed/ue/roles"
)

// TestbedLifecycler starts a testbed in opts.Mode (no trace kept, the
// CPF's per-PD rate limit lifted) that runs opts.Profile lifecycles: steps
// 1-9 of the reference flow for one target each, the provisioning devices
// registered and connected beforehand (DESIGN performance targets: full
// lifecycle, PD already registered). The returned Lifecycler is an
// io.Closer that closes the bed.
func TestbedLifecycler(ctx context.Context, opts Options) (Lifecycler, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	bed, err := testbed.New(ctx, testbed.Topology{Name: "bench-lifecycles", Mode: opts.Mode, Seed: opts.Seed,
		NoTrace: true, CPF: testbed.UnlimitedCPF})
	if err != nil {
		return nil, fmt.Errorf("bench: testbed: %w", err)
	}
	if _, err := bed.Profiles.Get(opts.Profile); err != nil {
		_ = bed.Close()
		return nil, fmt.Errorf("bench: %w", err)
	}
	return &bedLifecycler{bed: bed, profile: opts.Profile, pds: opts.Concurrency}, nil
}

// bedLifecycler runs lifecycles on a testbed. Every call to Lifecycle
// borrows a provisioning device from a pool of Concurrency devices (a PD
// sends its CPF requests one at a time: its counter must reach the CPF in
// order) and uses target i, made in Prepare.
type bedLifecycler struct {
	bed     *testbed.Bed
	profile string
	pds     int

	pool chan *roles.ProvisioningDevice
	all  []*roles.ProvisioningDevice

	mu  sync.Mutex
	tds []*roles.TargetDevice
}

// Prepare registers and connects min(Concurrency, n) provisioning devices
// and makes n targets (bootstrap identity, empty UE, direct-link address;
// no endpoint until a lifecycle arms it).
func (l *bedLifecycler) Prepare(ctx context.Context, n int) error {
	k := min(max(l.pds, 1), max(n, 1))
	l.pool = make(chan *roles.ProvisioningDevice, k)
	for range k {
		pd, err := l.bed.NewProvisioningDeviceWith(ctx, subscriber.Subscription{}, testbed.PDOptions{})
		if err != nil {
			return err
		}
		l.all = append(l.all, pd)
		if _, err := l.bed.ConnectDevice(ctx, pd); err != nil {
			return fmt.Errorf("provisioning device %s: %w", pd.SUPI(), err)
		}
		l.pool <- pd
	}
	l.tds = make([]*roles.TargetDevice, n)
	for i := range l.tds {
		td, err := l.bed.NewTarget("")
		if err != nil {
			return err
		}
		l.tds[i] = td
	}
	return nil
}

// Lifecycle runs steps 1-9 (step 1 is skipped: the PD is connected) for
// target i and releases the target.
func (l *bedLifecycler) Lifecycle(ctx context.Context, i int) error {
	l.mu.Lock()
	if i < 0 || i >= len(l.tds) || l.tds[i] == nil {
		l.mu.Unlock()
		return fmt.Errorf("bench: no target %d", i)
	}
	td := l.tds[i]
	l.tds[i] = nil
	l.mu.Unlock()
	defer td.Close()
	var pd *roles.ProvisioningDevice
	select {
	case pd = <-l.pool:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { l.pool <- pd }()
	_, err := l.bed.Lifecycle(ctx, l.profile, pd, td, testbed.LifecycleOptions{})
	return err
}

// Close releases the devices and closes the bed.
func (l *bedLifecycler) Close() error {
	var errs []error
	l.mu.Lock()
	for _, td := range l.tds {
		if td != nil {
			errs = append(errs, td.Close())
		}
	}
	l.tds = nil
	l.mu.Unlock()
	for _, pd := range l.all {
		errs = append(errs, pd.Close())
	}
	errs = append(errs, l.bed.Close())
	return errors.Join(errs...)
}
