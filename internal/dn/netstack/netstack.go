package netstack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/channel"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
)

const nicID tcpip.NICID = 1

// Options configures a Stack. The zero value is usable.
type Options struct {
	// MTU of the link (default 1400: room for GTP-U/UDP/IPv4 under 1500).
	MTU uint32
	// QueueLen bounds the outbound packets waiting for Run (default 1024);
	// beyond it the stack drops (TCP retransmits).
	QueueLen int
}

// Errors.
var (
	ErrAddr   = errors.New("netstack: address must be IPv4")
	ErrPacket = errors.New("netstack: not an IPv4 packet")
	ErrClosed = errors.New("netstack: closed")
)

// Stack is one userspace IPv4 stack with a single channel link.
type Stack struct {
	s      *stack.Stack
	ep     *channel.Endpoint
	closed atomic.Bool
	once   sync.Once

	in, out, dropped atomic.Uint64
}

// New creates a stack with no addresses and a default route over its link.
func New(opts Options) (*Stack, error) {
	if opts.MTU == 0 {
		opts.MTU = 1400
	}
	if opts.QueueLen <= 0 {
		opts.QueueLen = 1024
	}
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol, udp.NewProtocol},
		// Traffic between two addresses of this stack must leave through the
		// link (two UEs talk through the UPF, not inside the gNB).
		HandleLocal: false,
	})
	ep := channel.New(opts.QueueLen, opts.MTU, "")
	if err := s.CreateNIC(nicID, ep); err != nil {
		s.Close()
		return nil, fmt.Errorf("netstack: create NIC: %s", err)
	}
	s.SetRouteTable([]tcpip.Route{{Destination: header.IPv4EmptySubnet, NIC: nicID}})
	sack := tcpip.TCPSACKEnabled(true)
	_ = s.SetTransportProtocolOption(tcp.ProtocolNumber, &sack)
	return &Stack{s: s, ep: ep}, nil
}

func tcpipAddr(a netip.Addr) (tcpip.Address, error) {
	if !a.Is4() {
		return tcpip.Address{}, fmt.Errorf("%w: %v", ErrAddr, a)
	}
	return tcpip.AddrFrom4(a.As4()), nil
}

func full(a netip.AddrPort) (tcpip.FullAddress, error) {
	ad, err := tcpipAddr(a.Addr())
	if err != nil {
		return tcpip.FullAddress{}, err
	}
	return tcpip.FullAddress{NIC: nicID, Addr: ad, Port: a.Port()}, nil
}

// AddAddress assigns a (an IPv4 host address) to the stack.
func (s *Stack) AddAddress(a netip.Addr) error {
	ad, err := tcpipAddr(a)
	if err != nil {
		return err
	}
	pa := tcpip.ProtocolAddress{Protocol: ipv4.ProtocolNumber, AddressWithPrefix: ad.WithPrefix()}
	if e := s.s.AddProtocolAddress(nicID, pa, stack.AddressProperties{}); e != nil {
		return fmt.Errorf("netstack: add %v: %s", a, e)
	}
	return nil
}

// RemoveAddress removes a from the stack; its connections stop receiving.
func (s *Stack) RemoveAddress(a netip.Addr) error {
	ad, err := tcpipAddr(a)
	if err != nil {
		return err
	}
	if e := s.s.RemoveAddress(nicID, ad); e != nil {
		return fmt.Errorf("netstack: remove %v: %s", a, e)
	}
	return nil
}

// HasAddress reports whether a is assigned.
func (s *Stack) HasAddress(a netip.Addr) bool {
	ad, err := tcpipAddr(a)
	if err != nil {
		return false
	}
	return s.s.CheckLocalAddress(0, ipv4.ProtocolNumber, ad) != 0
}

// Inject hands one received IPv4 packet to the stack. pkt is copied.
func (s *Stack) Inject(pkt []byte) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if len(pkt) < header.IPv4MinimumSize || pkt[0]>>4 != 4 {
		s.dropped.Add(1)
		return ErrPacket
	}
	s.in.Add(1)
	pb := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: buffer.MakeWithData(pkt)})
	s.ep.InjectInbound(ipv4.ProtocolNumber, pb)
	pb.DecRef()
	return nil
}

// Run calls out with every packet the stack sends, in order, until ctx is
// done or the stack is closed. pkt is valid only during the call. Run is
// meant to be called once, from its own goroutine.
func (s *Stack) Run(ctx context.Context, out func(pkt []byte)) {
	for {
		pb := s.ep.ReadContext(ctx)
		if pb == nil {
			return
		}
		v := pb.ToView()
		pb.DecRef()
		s.out.Add(1)
		out(v.AsSlice())
		v.Release()
	}
}

// Close stops the stack; Run returns and connections fail.
func (s *Stack) Close() {
	s.once.Do(func() {
		s.closed.Store(true)
		s.ep.Close()
		s.s.Close()
	})
}

// Counters returns packets injected, packets sent out, and injected
// packets refused as not IPv4.
func (s *Stack) Counters() (in, out, dropped uint64) {
	return s.in.Load(), s.out.Load(), s.dropped.Load()
}

// DialTCP opens a TCP connection from local (port chosen by the stack) to remote.
func (s *Stack) DialTCP(ctx context.Context, local netip.Addr, remote netip.AddrPort) (net.Conn, error) {
	l, err := full(netip.AddrPortFrom(local, 0))
	if err != nil {
		return nil, err
	}
	r, err := full(remote)
	if err != nil {
		return nil, err
	}
	return gonet.DialTCPWithBind(ctx, s.s, l, r, ipv4.ProtocolNumber)
}

// DialUDP opens a connected UDP socket from local (port 0: chosen) to remote.
func (s *Stack) DialUDP(local, remote netip.AddrPort) (*gonet.UDPConn, error) {
	l, err := full(local)
	if err != nil {
		return nil, err
	}
	r, err := full(remote)
	if err != nil {
		return nil, err
	}
	return gonet.DialUDP(s.s, &l, &r, ipv4.ProtocolNumber)
}

// ListenTCP listens for TCP connections at local.
func (s *Stack) ListenTCP(local netip.AddrPort) (net.Listener, error) {
	l, err := full(local)
	if err != nil {
		return nil, err
	}
	return gonet.ListenTCP(s.s, l, ipv4.ProtocolNumber)
}

// ListenUDP binds an unconnected UDP socket at local.
func (s *Stack) ListenUDP(local netip.AddrPort) (*gonet.UDPConn, error) {
	l, err := full(local)
	if err != nil {
		return nil, err
	}
	return gonet.DialUDP(s.s, &l, nil, ipv4.ProtocolNumber)
}
