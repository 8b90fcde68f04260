package transport

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
)

// space is the port space a link kind binds in: N2 and SBI share the TCP
// ports of an address, GTP-U, PFCP, N6 and the direct link the UDP ports.
type space uint8

const (
	spaceTCP space = iota + 1
	spaceUDP
)

func spaceOf(k Kind) (space, error) {
	switch k {
	case N2, SBI:
		return spaceTCP, nil
	case N3, N4, N6, DL:
		return spaceUDP, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrBadKind, k)
}

type addrKey struct {
	sp space
	ap netip.AddrPort
}

// checkLoopback accepts 127.0.0.0/8 and ::1 (IPv4-mapped forms are unmapped).
func checkLoopback(a netip.AddrPort) error {
	ad := a.Addr().Unmap()
	if !ad.IsValid() || !ad.IsLoopback() {
		return fmt.Errorf("%w: %s", ErrNotLoopback, a)
	}
	return nil
}

// unmap normalises an IPv4-mapped IPv6 address to IPv4.
func unmap(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}

// hostAddrPort resolves the authority of an SBI URL to an address. Only IP
// literals are accepted: the testbed has no name service (an apiRoot always
// carries the NF's address).
func hostAddrPort(u *url.URL) (netip.AddrPort, error) {
	if u == nil {
		return netip.AddrPort{}, fmt.Errorf("%w: no URL", ErrNoRoute)
	}
	host := u.Host
	if ap, err := netip.ParseAddrPort(host); err == nil {
		return unmap(ap), nil
	}
	h, p := host, ""
	if sh, sp, err := net.SplitHostPort(host); err == nil {
		h, p = sh, sp
	}
	if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
		h = h[1 : len(h)-1]
	}
	ad, err := netip.ParseAddr(h)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%w: host %q is not an IP address", ErrNoRoute, host)
	}
	port := uint64(PortSBI)
	if u.Scheme == "https" {
		port = 443
	}
	if p != "" {
		port, err = strconv.ParseUint(p, 10, 16)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("%w: bad port in %q", ErrNoRoute, host)
		}
	}
	return netip.AddrPortFrom(ad.Unmap(), uint16(port)), nil
}

func tcpAddr(a netip.AddrPort) *net.TCPAddr { return net.TCPAddrFromAddrPort(a) }

func netAddrPort(a net.Addr) netip.AddrPort {
	switch v := a.(type) {
	case *net.TCPAddr:
		return unmap(v.AddrPort())
	case *net.UDPAddr:
		return unmap(v.AddrPort())
	}
	if a == nil {
		return netip.AddrPort{}
	}
	ap, _ := netip.ParseAddrPort(a.String())
	return unmap(ap)
}
