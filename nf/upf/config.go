package upf

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/credbed/credbed/internal/transport"
)

// DefaultN6Port is the port of N6 endpoints (the UPF's and the data
// network's) when a config leaves it out.
const DefaultN6Port = 46006

// Config configures one UPF.
type Config struct {
	// Name is the actor name in trace events (default "upf").
	Name string
	// NodeID is the PFCP Node ID (default: the N4 address).
	NodeID string
	// N3Addr is the GTP-U endpoint; its address is the UPF's N3 F-TEID
	// address (default 127.0.0.8:2152).
	N3Addr netip.AddrPort
	// N4Addr is the PFCP endpoint (default 127.0.0.8:8805).
	N4Addr netip.AddrPort
	// N6Addr is the endpoint exchanging raw IPv4 packets with the data
	// network (default 127.0.0.8:46006).
	N6Addr netip.AddrPort
	// DN is the data network's N6 endpoint, where uplink packets go
	// (default 127.0.0.9:46006).
	DN netip.AddrPort
	// DNs maps a FAR Network Instance (usually the DNN) to another data
	// network endpoint; instances not listed use DN.
	DNs map[string]netip.AddrPort
	// MaxSessions bounds the PFCP sessions (default 100,000); beyond it
	// establishment is rejected with "No resources available".
	MaxSessions int
	// AllowUnassociated accepts session establishment from a CP function
	// without a PFCP association (TS 29.244 §6.2.6 requires one; default false).
	AllowUnassociated bool
	// BufferPackets and BufferBytes bound the downlink packets kept per
	// session while its downlink FAR buffers (TS 29.244 §5.2.4; defaults 16
	// packets and 32 KiB); a BAR's Suggested Buffering Packets Count may
	// lower the packet bound, never raise it. Packets beyond are dropped
	// and counted (DropBufferFull).
	BufferPackets int
	BufferBytes   int
	// BufferTotalBytes bounds the bytes buffered by all sessions together
	// (default 64 MiB).
	BufferTotalBytes int
}

// ErrConfig reports an invalid configuration.
var ErrConfig = errors.New("upf: invalid config")

// Validate checks c and fills defaults.
func (c *Config) Validate() error {
	if c.Name == "" {
		c.Name = "upf"
	}
	def := netip.MustParseAddr("127.0.0.8")
	if !c.N3Addr.IsValid() {
		c.N3Addr = netip.AddrPortFrom(def, transport.PortGTPU)
	}
	if !c.N4Addr.IsValid() {
		c.N4Addr = netip.AddrPortFrom(def, transport.PortPFCP)
	}
	if !c.N6Addr.IsValid() {
		c.N6Addr = netip.AddrPortFrom(def, DefaultN6Port)
	}
	if !c.DN.IsValid() {
		c.DN = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.9"), DefaultN6Port)
	}
	if c.NodeID == "" {
		c.NodeID = c.N4Addr.Addr().String()
	}
	if c.MaxSessions == 0 {
		c.MaxSessions = 100_000
	}
	if c.BufferPackets == 0 {
		c.BufferPackets = 16
	}
	if c.BufferBytes == 0 {
		c.BufferBytes = 32 << 10
	}
	if c.BufferTotalBytes == 0 {
		c.BufferTotalBytes = 64 << 20
	}
	switch {
	case !c.N3Addr.Addr().Is4():
		return fmt.Errorf("%w: N3 address %v must be IPv4 (F-TEIDs are IPv4)", ErrConfig, c.N3Addr)
	case !c.N4Addr.Addr().Is4():
		return fmt.Errorf("%w: N4 address %v must be IPv4 (F-SEIDs are IPv4)", ErrConfig, c.N4Addr)
	case c.MaxSessions < 0:
		return fmt.Errorf("%w: MaxSessions %d", ErrConfig, c.MaxSessions)
	case c.BufferPackets < 0 || c.BufferPackets > 1<<16-1 || c.BufferBytes < 0 || c.BufferTotalBytes < 0:
		return fmt.Errorf("%w: buffer bounds %d packets, %d bytes, %d bytes in all", ErrConfig, c.BufferPackets, c.BufferBytes, c.BufferTotalBytes)
	}
	return nil
}
