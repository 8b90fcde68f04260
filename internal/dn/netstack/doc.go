// Package netstack wraps one gVisor userspace TCP/IP stack (IPv4, TCP, UDP)
// whose only link is a channel: raw IPv4 packets go in with Inject and come
// out through the function given to Run. No kernel interface, TUN or root
// is involved. The data network and the RAN-side UE user plane each run
// one stack and hand its packets to N6 or GTP-U.
//
// References: RFC 791 (IPv4), RFC 9293 (TCP), RFC 768 (UDP); gvisor.dev
// tcpip/stack, link/channel and adapters/gonet.
package netstack
