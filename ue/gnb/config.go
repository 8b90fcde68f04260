package gnb

import (
	"fmt"
	"io"
	"log/slog"
	"net/netip"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/ue/uplane"
)

// Defaults.
const (
	DefaultGNBIDBits = 24
	DefaultStreams   = 8
	DefaultName      = "gnb"
)

// DefaultN2Addr is where a gNB binds its N2 endpoint when Config.N2Addr is
// zero (port 0: the network picks one).
var DefaultN2Addr = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.30"), 0)

// Config configures a gNB.
type Config struct {
	// Name is the actor in trace events and the RAN node name (default "gnb").
	Name string
	// PLMN is the PLMN the cell broadcasts (required).
	PLMN ident.PLMN
	// GNBID and GNBIDBits form the global gNB ID (TS 38.413 §9.3.1.6;
	// default id 1 on 24 bits).
	GNBID     uint32
	GNBIDBits uint8
	// TAC is the tracking area code of the cell (default 1).
	TAC uint32
	// CellID is the 36-bit NR cell identity (default GNBID << (36-GNBIDBits) | 1).
	CellID uint64
	// Slices are the S-NSSAIs supported in the tracking area (default SST 1).
	Slices []nasx.SNSSAI
	// N2Addr is the local N2 address (default DefaultN2Addr).
	N2Addr netip.AddrPort
	// AMFAddr is the AMF's N2 address (required; port 0 means 38412).
	AMFAddr netip.AddrPort
	// Streams is the number of N2 streams: stream 0 carries non-UE-associated
	// signalling, 1..Streams-1 the UEs (TS 38.412 §7; default 8).
	Streams uint16
	// PagingDRX is the default paging DRX (ngapx.PagingDRX32...; default 128).
	PagingDRX uint8
	// N3Addr, when valid, makes the gNB build and run its own user plane
	// (ue/uplane) with this downlink GTP-U address. Ignored when Deps.Plane
	// is set. Zero: no user plane (PDU session resources fail).
	N3Addr netip.AddrPort
}

// Validate checks c and fills defaults.
func (c *Config) Validate() error {
	if c.Name == "" {
		c.Name = DefaultName
	}
	if err := c.PLMN.Validate(); err != nil {
		return fmt.Errorf("gnb: PLMN: %w", err)
	}
	if c.GNBIDBits == 0 {
		c.GNBIDBits = DefaultGNBIDBits
	}
	if c.GNBIDBits < 22 || c.GNBIDBits > 32 {
		return fmt.Errorf("gnb: gNB ID length %d bits, want 22..32", c.GNBIDBits)
	}
	if c.GNBID == 0 {
		c.GNBID = 1
	}
	if c.GNBIDBits < 32 && c.GNBID >= 1<<c.GNBIDBits {
		return fmt.Errorf("gnb: gNB ID %d does not fit %d bits", c.GNBID, c.GNBIDBits)
	}
	if c.TAC == 0 {
		c.TAC = 1
	}
	if c.TAC >= 1<<24 {
		return fmt.Errorf("gnb: TAC %d exceeds 24 bits", c.TAC)
	}
	if c.CellID == 0 {
		c.CellID = uint64(c.GNBID)<<(36-uint(c.GNBIDBits)) | 1
	}
	if c.CellID >= 1<<36 {
		return fmt.Errorf("gnb: cell id exceeds 36 bits")
	}
	if len(c.Slices) == 0 {
		c.Slices = []nasx.SNSSAI{{SST: 1}}
	}
	if !c.N2Addr.IsValid() {
		c.N2Addr = DefaultN2Addr
	}
	if !c.AMFAddr.IsValid() || !c.AMFAddr.Addr().IsValid() {
		return fmt.Errorf("gnb: AMFAddr is required")
	}
	if c.AMFAddr.Port() == 0 {
		c.AMFAddr = netip.AddrPortFrom(c.AMFAddr.Addr(), transport.PortNGAP)
	}
	if c.Streams == 0 {
		c.Streams = DefaultStreams
	}
	if c.Streams < 2 {
		return fmt.Errorf("gnb: at least 2 N2 streams are needed")
	}
	if c.PagingDRX == 0 {
		c.PagingDRX = 2 // v128
	}
	return nil
}

// Deps are the gNB's injected dependencies.
type Deps struct {
	Net transport.Network // required
	// Plane is a user plane built and started by the caller; when nil and
	// Config.N3Addr is valid the gNB builds, starts and closes its own.
	Plane  *uplane.Plane
	Rand   io.Reader    // seeds TEID allocation; default crypto/rand
	Logger *slog.Logger // default: discard
	Trace  trace.Sink   // default: trace.Discard
}
