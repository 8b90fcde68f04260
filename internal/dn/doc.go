// Package dn is credbed's data network: a userspace IPv4 stack (gVisor
// netstack, no kernel interface, no root) reached from the UPF over N6, with
// built-in services (UDP echo, TCP echo, an HTTP server) and room for more:
// the lead mounts HTTP handlers or listens on its own ports and addresses
// (the CPF lives here).
//
// N6 is a transport endpoint of kind N6: each message is one raw IPv4
// packet, so N6 traffic passes the interceptor chain (captures, attacks)
// like every other link. Downlink packets go to the UPF whose route covers
// the destination UE address.
//
// References: TS 23.501 §5.6 (N6, data network access), TS 29.281 (the
// tunnel that carries these packets to the UE), RFC 862 (echo service),
// RFC 9110 (HTTP).
package dn
