package testbed

// The device roles (ue/roles) on a bed: provisioning and target devices
// built on the bed's UEs, network and address plan; the CPF the data
// network serves, which fault specs restart.

import (
	"context"
	"crypto/ecdh"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/nf/cpf"
	"github.com/credbed/credbed/nf/udr"
	"github.com/credbed/credbed/scenarios/profile"
	"github.com/credbed/credbed/ue/dlink"
	"github.com/credbed/credbed/ue/dlink/link"
	"github.com/credbed/credbed/ue/roles"
)

// ---- bookkeeping ----

// maxDevices is the number of direct-link addresses Plan.Device offers
// (third octets 3..255, 250 hosts each).
const maxDevices = 253 * 250

// roleState is the bed's bookkeeping for device roles.
type roleState struct {
	mu   sync.Mutex
	next int   // next never-used device index
	free []int // released device indices

	pds atomic.Int64 // provisioning devices made (entitlement ranges, generated SUPIs)
	tds atomic.Int64 // generated target device ids

	cpfConfig cpf.Config
	cpf       atomic.Pointer[cpf.NF] // the CPF the data network serves
	cpfMu     sync.Mutex             // serialises restarts
}

// ErrDevices reports that no direct-link address is left.
var ErrDevices = errors.New("testbed: no direct-link address left")

// allocDevice reserves a direct-link address of the plan.
func (b *Bed) allocDevice() (int, netip.AddrPort, error) {
	r := &b.roles
	r.mu.Lock()
	defer r.mu.Unlock()
	var i int
	switch {
	case len(r.free) > 0:
		i = r.free[len(r.free)-1]
		r.free = r.free[:len(r.free)-1]
	case r.next < maxDevices:
		i = r.next
		r.next++
	default:
		return 0, netip.AddrPort{}, ErrDevices
	}
	return i, b.Plan.Device(i), nil
}

func (b *Bed) releaseDevice(i int) {
	r := &b.roles
	r.mu.Lock()
	r.free = append(r.free, i)
	r.mu.Unlock()
}

// ---- the CPF front ----

// newCPF builds a CPF on the bed's store with every profile mounted.
func (b *Bed) newCPF() (*cpf.NF, error) {
	c, err := cpf.New(b.roles.cpfConfig, cpf.Deps{Clock: b.Clock, Rand: b.Rand(), Logger: b.Log, Trace: b.Sink,
		Net: b.Net, NRF: b.nrfRoot, Store: b.Store})
	if err != nil {
		return nil, err
	}
	if err := b.Profiles.MountAll(c); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// serveCPF hands a data-network request to the current CPF.
func (b *Bed) serveCPF(w http.ResponseWriter, r *http.Request) {
	c := b.roles.cpf.Load()
	if c == nil {
		http.Error(w, "CPF not running", http.StatusServiceUnavailable)
		return
	}
	c.Handler().ServeHTTP(w, r)
}

func (b *Bed) closeCPF() error {
	if c := b.roles.cpf.Swap(nil); c != nil {
		return c.Close()
	}
	return nil
}

// RestartCPF stops the CPF and starts a new one on the same store, as a
// process restart would: only the store survives (PD counters, targets,
// pending operations, binding counters); the new CPF's Start completes
// deprovisionings the old one left half done. It must not run
// concurrently with readers of b.CPF.
func (b *Bed) RestartCPF(ctx context.Context) error {
	b.roles.cpfMu.Lock()
	defer b.roles.cpfMu.Unlock()
	if err := b.closeCPF(); err != nil {
		return err
	}
	c, err := b.newCPF()
	if err != nil {
		return err
	}
	if err := c.Start(ctx); err != nil {
		_ = c.Close()
		return err
	}
	b.CPF = c
	b.roles.cpf.Store(c)
	return nil
}

// CPFService says where devices find the CPF: its root URL in the data
// network (reached over a PDU session) and its AKMA AF_ID.
func (b *Bed) CPFService() profile.Service {
	cfg := b.roles.cpfConfig
	root := cfg.PathRoot
	if root == "" {
		root = cpf.DefaultPathRoot
	}
	afid := cfg.AFID
	if afid == "" {
		afid = cpf.DefaultAFID
	}
	return profile.Service{Root: b.DN.URL() + root, AFID: afid}
}

// UnlimitedCPF lifts the CPF's per-PD request rate limit (a Topology.CPF
// hook): a bed running many lifecycles per PD per second needs it, the
// default bucket (3gpp.md §6.6 S1) allows 5 requests per second.
func UnlimitedCPF(c *cpf.Config) {
	c.RateBurst = 1 << 30
	c.RatePerSecond = 1e9
}

// DirectLinkMedium applies a medium preset's loss and range to every
// direct-link packet of the bed (link.Medium, seeded from the bed's seed);
// distance, when set, places the devices. The returned func removes it.
func (b *Bed) DirectLinkMedium(p dlink.Preset, distance func(from, to netip.AddrPort) float64) func() {
	rnd := rand.New(rand.NewPCG(uint64(b.Topo.Seed), 0x646c))
	return b.Net.Chain().Add("medium/"+p.Name, link.Medium(p, rnd, distance))
}

// ---- device roles ----

// PDOptions tune NewProvisioningDeviceWith.
type PDOptions struct {
	// Entitlement is stored for the PD at the UDR; nil gives
	// DefaultEntitlement of the PD's own SUPI range.
	Entitlement *udr.Entitlement
	// NoEntitlement stores none (the CPF refuses the PD: NOT_ENTITLED).
	NoEntitlement bool
	// Counter persists the PD's counter (default a fresh roles.MemCounter).
	Counter roles.CounterStore
	// Medium of the direct link (default BLE); Identity, the PD's own
	// bootstrap identity for mutual authentication.
	Medium   dlink.Preset
	Identity *credential.Identity
	// UE tunes the PD's UE.
	UE UEOptions
}

// msinBase returns d * 10^(width-1), the first MSIN of a reserved block.
func (b *Bed) msinBase(d uint64) (uint64, int) {
	width := 15 - len(b.Topo.PLMNString())
	base := d
	for i := 1; i < width; i++ {
		base *= 10
	}
	return base, width
}

// TargetRange is the SUPI range the entitlement of the k-th PD of the bed
// allows: 100,000 IMSIs from MSIN 7·10^(w-1) + k·10^5 (w = MSIN width),
// away from generated subscribers (which start at MSIN 1) and from the
// generated PDs (6·10^(w-1) + k).
func (b *Bed) TargetRange(k int) udr.SupiRange {
	base, width := b.msinBase(7)
	start := base + uint64(k)*100_000
	f := func(v uint64) string { return b.Topo.PLMNString() + fmt.Sprintf("%0*d", width, v) }
	return udr.SupiRange{Start: f(start), End: f(start + 99_999)}
}

// DefaultEntitlement lets the k-th PD own up to 100,000 targets in
// TargetRange(k).
func (b *Bed) DefaultEntitlement(k int) udr.Entitlement {
	return udr.Entitlement{MaxTargets: 100_000, SupiRanges: []udr.SupiRange{b.TargetRange(k)}}
}

// NewProvisioningDevice makes a provisioning device of sub (see
// NewProvisioningDeviceWith); a zero sub gets a generated subscription.
func (b *Bed) NewProvisioningDevice(sub subscriber.Subscription) (*roles.ProvisioningDevice, error) {
	return b.NewProvisioningDeviceWith(context.Background(), sub, PDOptions{})
}

// NewProvisioningDeviceWith makes a provisioning device: sub (generated
// when its SUPI is empty) is (re)provisioned at the UDR with AKMA allowed,
// its entitlement stored, its UE built on the bed and attached to a gNB,
// and its direct-link endpoint bound at a Plan.Device address. The PD is
// neither registered nor connected yet (Connect, or Lifecycle step 1).
// Close frees its address.
func (b *Bed) NewProvisioningDeviceWith(ctx context.Context, sub subscriber.Subscription, o PDOptions) (*roles.ProvisioningDevice, error) {
	k := int(b.roles.pds.Add(1))
	if sub.SUPI == "" {
		base, _ := b.msinBase(6)
		subs, err := subscriber.Generate(1, b.Topo.Seed+int64(k), subscriber.GenOptions{PLMN: b.Topo.PLMNString(),
			StartMSIN: strconv.FormatUint(base+uint64(k), 10), DNNs: []string{b.Topo.DNN}})
		if err != nil {
			return nil, err
		}
		sub = subs[0]
	}
	sub.AKMA = true
	sub.ApplyDefaults(subscriber.Defaults{})
	if err := sub.Validate(); err != nil {
		return nil, fmt.Errorf("testbed: PD subscription: %w", err)
	}
	if err := b.UDR.Provision(ctx, sub); err != nil {
		return nil, fmt.Errorf("testbed: PD subscription %s: %w", sub.SUPI, err)
	}
	if !o.NoEntitlement {
		ent := b.DefaultEntitlement(k)
		if o.Entitlement != nil {
			ent = *o.Entitlement
		}
		if err := b.UDR.SetEntitlement(ctx, sub.SUPI, ent); err != nil {
			return nil, fmt.Errorf("testbed: PD entitlement %s: %w", sub.SUPI, err)
		}
	}
	u, err := b.NewUE(sub, o.UE)
	if err != nil {
		return nil, err
	}
	idx, addr, err := b.allocDevice()
	if err != nil {
		return nil, err
	}
	pd, err := roles.NewProvisioningDevice(roles.PDConfig{CPF: b.CPFService(), PLMN: b.PLMN(), DNN: b.Topo.DNN,
		DirectLink: addr, Medium: o.Medium, Identity: o.Identity},
		roles.Deps{UE: u, Net: b.Net, Clock: b.Clock, Rand: b.Rand(), Trace: b.Sink, Counter: o.Counter,
			OnClose: func() { b.releaseDevice(idx) }})
	if err != nil {
		b.releaseDevice(idx)
		return nil, err
	}
	if err := pd.Start(ctx); err != nil {
		_ = pd.Close()
		return nil, err
	}
	return pd, nil
}

// TDOptions tune NewTargetWith.
type TDOptions struct {
	// Medium of the direct link (default BLE).
	Medium dlink.Preset
	// Initiators, AllowReprovision, RateLimit: see roles.TDConfig.
	Initiators       []*ecdh.PublicKey
	AllowReprovision bool
	RateLimit        dlink.RateLimit
	// UE tunes the TD's UE.
	UE UEOptions
}

// NewTarget makes a target device with factory identity id (generated
// when empty: "td-000001", ...): a fresh P-256 bootstrap key pair from the
// bed's randomness, an empty UE attached to a gNB (NewUEWith(nil, ...)),
// and a Plan.Device address for its responder, which stays unbound until
// a profile arms it. Close frees the address.
func (b *Bed) NewTarget(id string) (*roles.TargetDevice, error) {
	return b.NewTargetWith(id, TDOptions{})
}

// NewTargetWith is NewTarget with options.
func (b *Bed) NewTargetWith(id string, o TDOptions) (*roles.TargetDevice, error) {
	if id == "" {
		id = fmt.Sprintf("td-%06d", b.roles.tds.Add(1))
	}
	ident, err := credential.NewIdentity(b.Rand(), id)
	if err != nil {
		return nil, fmt.Errorf("testbed: target identity: %w", err)
	}
	u, err := b.NewUEWith(nil, o.UE)
	if err != nil {
		return nil, err
	}
	idx, addr, err := b.allocDevice()
	if err != nil {
		return nil, err
	}
	td, err := roles.NewTargetDevice(roles.TDConfig{Identity: ident, DirectLink: addr, Medium: o.Medium,
		Initiators: o.Initiators, AllowReprovision: o.AllowReprovision, RateLimit: o.RateLimit, DNN: b.Topo.DNN},
		roles.Deps{UE: u, Net: b.Net, Clock: b.Clock, Rand: b.Rand(), Trace: b.Sink, OnClose: func() { b.releaseDevice(idx) }})
	if err != nil {
		b.releaseDevice(idx)
		return nil, err
	}
	return td, nil
}
