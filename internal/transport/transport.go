// Package transport carries every credbed link (SBI, N2, N3, N4 and the
// direct link) over one of two implementations: mem (in-process, no sockets,
// bytes copied on send, deterministic) and net (real sockets on loopback).
// Every packet on every link passes through one interceptor Chain, where
// observers (captures, traces), attackers and faults act.
//
// References: TS 29.500 §5 (SBI over HTTP/2), TS 38.412 §7 (NGAP over SCTP,
// PPID 60), TS 29.281 (GTP-U over UDP 2152), TS 29.244 §4.2 (PFCP over UDP 8805).
package transport

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
)

// Kind names a link kind.
type Kind string

// Link kinds.
const (
	SBI Kind = "sbi" // HTTP/2 with JSON bodies
	N2  Kind = "n2"  // NGAP: SCTP where available, length-framed TCP otherwise, or mem
	N3  Kind = "n3"  // GTP-U over UDP
	N4  Kind = "n4"  // PFCP over UDP
	N6  Kind = "n6"  // IP packets between the UPF and the data network
	DL  Kind = "dl"  // the direct link between provisioning and target device
)

// Well-known ports (used in mem mode too, so captures decode alike).
const (
	PortSBI  = 80
	PortNGAP = 38412
	PortGTPU = 2152
	PortPFCP = 8805
	PortDL   = 47800 // credbed's direct-link frames, dissected by docs/credbed-dl.lua
)

// Errors.
var (
	ErrClosed      = errors.New("transport: endpoint closed")
	ErrNoRoute     = errors.New("transport: no endpoint at destination")
	ErrAddrInUse   = errors.New("transport: address in use")
	ErrNotLoopback = errors.New("transport: address is not loopback")
	ErrTooLarge    = errors.New("transport: message exceeds link MTU")
)

// Packet is one message on one link as seen by the interceptor chain.
// For SBI, a request and its response are two packets; Payload is the JSON
// body and the HTTP fields describe the rest.
type Packet struct {
	Kind    Kind
	From    netip.AddrPort
	To      netip.AddrPort
	Payload []byte
	// Stream is the SCTP stream id for N2 (0 for non-UE-associated signalling).
	Stream uint16

	// SBI only.
	Method   string
	Path     string // path and query
	Status   int    // 0 on requests
	Header   http.Header
	Response bool // true for an SBI response
	// SBIStream pairs an SBI request with its response: both carry the same
	// id, unique per network (captures use it to rebuild HTTP/2 streams).
	SBIStream uint64
	// Injected marks packets created by an attacker or fault rather than an endpoint.
	Injected bool
}

// Clone returns a deep copy of p.
func (p Packet) Clone() Packet {
	q := p
	q.Payload = append([]byte(nil), p.Payload...)
	if p.Header != nil {
		q.Header = p.Header.Clone()
	}
	return q
}

// Handler receives messages delivered to an Endpoint. It is called from one
// goroutine per endpoint, in arrival order; it must not block for long.
type Handler func(from netip.AddrPort, payload []byte)

// Endpoint is a message-oriented endpoint of a non-SBI link (N2, N3, N4, DL).
type Endpoint interface {
	LocalAddr() netip.AddrPort
	// Send delivers payload to the endpoint bound at to. The payload is
	// copied before Send returns (or written to the socket).
	Send(ctx context.Context, to netip.AddrPort, payload []byte) error
	Close() error
}

// Network creates endpoints and SBI servers/clients of one mode.
type Network interface {
	// Mode is "mem" or "net".
	Mode() string
	// Listen binds a message endpoint of kind k at addr (port 0 picks one in net mode).
	Listen(k Kind, addr netip.AddrPort, h Handler) (Endpoint, error)
	// ServeSBI serves h as an HTTP/2 (h2c) server at addr and returns its
	// apiRoot, e.g. "http://127.0.0.10:80" in mem mode.
	ServeSBI(addr netip.AddrPort, h http.Handler) (apiRoot string, closer func() error, err error)
	// SBIClient returns an HTTP client whose requests come from the NF at
	// from and pass through the chain; it reaches servers of this network.
	SBIClient(from netip.AddrPort) *http.Client
	// Inject sends p as if it came from p.From, through the chain (attacks, replays).
	Inject(ctx context.Context, p Packet) error
	// Chain returns the interceptor chain every packet of this network passes.
	Chain() *Chain
	// N2Carrier says how N2 is carried: "mem", "sctp" or "tcp-framed".
	N2Carrier() string
	Close() error
}
