package amf

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"time"

	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/amf/gmm"
)

// Defaults.
const (
	DefaultName       = "amf"
	DefaultAMFName    = "credbed-amf"
	DefaultQueueLen   = 1024
	DefaultSBITimeout = 5 * time.Second
)

// Default addresses.
var (
	DefaultN2Addr  = netip.MustParseAddrPort("127.0.0.2:38412")
	DefaultSBIAddr = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.2"), transport.PortSBI)
)

// ErrConfig reports an invalid configuration.
var ErrConfig = errors.New("amf: invalid config")

// Config configures one AMF. The embedded gmm.Config holds the NAS side:
// PLMN (the serving network name derives from it, MNC padded to 3 digits),
// TACs, AMF region/set/pointer, served slices, NAS algorithm preferences, the
// reject-cause mapping, the network-initiated de-registration cause, T3512
// and the network timers.
type Config struct {
	gmm.Config

	// Name is the actor name in trace events (default "amf").
	Name string
	// InstanceID is the NF instance id (a UUID); default one from Deps.Rand.
	InstanceID string
	// AMFName is the NGAP AMF name (default "credbed-amf").
	AMFName string
	// RelativeCapacity is the NGAP relative AMF capacity (default 255).
	RelativeCapacity uint8
	// N2Addr is the NGAP endpoint (default 127.0.0.2:38412).
	N2Addr netip.AddrPort
	// SBIAddr is where the SBI server listens (default 127.0.0.2:80).
	SBIAddr netip.AddrPort
	// NRF is the NRF apiRoot ("http://127.0.0.10:80"); when set the AMF
	// registers there and discovers the AUSF and UDM it is not given.
	NRF string
	// AUSF, UDM and SMF are static apiRoots that skip discovery.
	AUSF string
	UDM  string
	SMF  string
	// DeferSessionAccept holds the PDU SESSION ESTABLISHMENT ACCEPT of a
	// session the AMF created until the SMF has activated its user plane
	// (UpdateSMContext answered the gNB's PDU SESSION RESOURCE SETUP
	// RESPONSE) and then sends it in DL NAS TRANSPORT, instead of inside
	// PDU SESSION RESOURCE SETUP REQUEST as TS 23.502 Figure 4.3.2.2.1-1
	// step 12 does (the default; the request's NAS-PDU IE is optional, TS
	// 38.413 §9.2.1.1). The UE then learns its address only once the UPF
	// knows the downlink tunnel: for a UPF that discards downlink packets
	// on a buffering FAR, whose first reply to the UE would be lost.
	DeferSessionAccept bool
	// Workers is the number of per-UE worker queues (default
	// 4*GOMAXPROCS: SBI calls block a worker, free5gc style).
	Workers int
	// QueueLen bounds each worker queue (default 1024).
	QueueLen int
	// SBITimeout bounds one SBI request (default 5 s).
	SBITimeout time.Duration
}

// Validate fills defaults and checks c.
func (c *Config) Validate() error {
	if err := c.Config.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if c.Name == "" {
		c.Name = DefaultName
	}
	if c.AMFName == "" {
		c.AMFName = DefaultAMFName
	}
	if c.RelativeCapacity == 0 {
		c.RelativeCapacity = 255
	}
	if !c.N2Addr.IsValid() {
		c.N2Addr = DefaultN2Addr
	}
	if !c.SBIAddr.IsValid() {
		c.SBIAddr = DefaultSBIAddr
	}
	if !c.N2Addr.Addr().IsLoopback() || !c.SBIAddr.Addr().IsLoopback() {
		return fmt.Errorf("%w: N2 %v and SBI %v must be loopback addresses", ErrConfig, c.N2Addr, c.SBIAddr)
	}
	for _, r := range []*string{&c.NRF, &c.AUSF, &c.UDM, &c.SMF} {
		*r = strings.TrimRight(*r, "/")
		if *r != "" && !strings.HasPrefix(*r, "http://") && !strings.HasPrefix(*r, "https://") {
			return fmt.Errorf("%w: apiRoot %q is not an http(s) URI", ErrConfig, *r)
		}
	}
	if c.NRF == "" && (c.AUSF == "" || c.UDM == "") {
		return fmt.Errorf("%w: without an NRF both the AUSF and the UDM apiRoots are needed", ErrConfig)
	}
	if c.Workers == 0 {
		c.Workers = 4 * runtime.GOMAXPROCS(0)
	}
	if c.QueueLen == 0 {
		c.QueueLen = DefaultQueueLen
	}
	if c.SBITimeout == 0 {
		c.SBITimeout = DefaultSBITimeout
	}
	if c.Workers < 1 || c.Workers > 4096 || c.QueueLen < 1 || c.SBITimeout < 0 {
		return fmt.Errorf("%w: workers %d, queue %d, SBI timeout %v", ErrConfig, c.Workers, c.QueueLen, c.SBITimeout)
	}
	return nil
}
