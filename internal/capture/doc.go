// Package capture records every packet of a credbed transport.Chain into a
// pcap file (Ethernet link type) that Wireshark and tshark decode: N2 as NGAP
// over a synthesized SCTP association, SBI as HTTP/2 over a synthesized TCP
// connection, N3 as GTP-U, N4 as PFCP, N6 as raw IP and the direct link as
// UDP on port 47800.
//
// A Writer is an observer: it never changes or drops a packet it passes on.
// What it writes is redacted unless Config.KeepSecrets: key material in SBI
// JSON bodies (SecretMembers: K, OPc, KAUSF, CK'/IK', KSEAF, K_AKMA, K_AF)
// becomes same-length runs of 'x', and the KgNB of an NGAP INITIAL CONTEXT
// SETUP REQUEST is zeroed (TS 33.501 §5.2.4, §6.1.3: keys never leave their
// entity; a real network carries them inside TLS and IPsec). Secrets on
// other links are written as is: callers Mark a capture that carries
// plaintext secrets on purpose (the baseline direct link). Where it sits in the chain decides what it
// sees: installed last it records what is delivered (after attackers),
// installed first what was sent. Timestamps come from the injected clock, so
// a fake clock gives byte-identical captures run after run; mem and net
// mode are written alike, with the addresses and ports the packets carry
// (missing ports get the well-known ones, and a client side without its own
// port an ephemeral one from 49152).
//
// Usage:
//
//	w, err := capture.Create(filepath.Join(out, "scenario.pcap"), capture.Config{}, capture.Deps{Clock: clk})
//	remove := w.Install(network.Chain())
//	... run the scenario ...
//	remove()
//	err = w.Close()
//	// w.Marked(), w.MarkReasons(), w.Stats() and w.DecodeAs() feed the report.
//
// Direct-link frames carry credbed's own codec; docs/credbed-dl.lua (owned
// by the direct-link codec) registers a Lua dissector on udp.port 47800
// (transport.PortDL): tshark -X lua_script:docs/credbed-dl.lua -r file.pcap.
//
// References: RFC 9260 (SCTP: common header, CRC32c, DATA chunk, handshake),
// TS 38.412 §7 (NGAP over SCTP, port 38412, PPID 60), RFC 9293 (TCP),
// RFC 9113 (HTTP/2: preface, SETTINGS, HEADERS, DATA, CONTINUATION),
// RFC 7541 (HPACK), TS 29.500 §5 (SBI over HTTP/2), TS 29.281 (GTP-U, UDP
// 2152), TS 29.244 §4.2 (PFCP, UDP 8805), RFC 791 (IPv4 header, fragmentation),
// RFC 768 (UDP).
package capture
