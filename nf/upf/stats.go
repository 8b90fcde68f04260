package upf

import (
	"fmt"
	"sync/atomic"
)

// DropReason says why the UPF discarded a packet or message.
type DropReason uint8

// Drop reasons.
const (
	DropMalformedGTPU   DropReason = iota // GTP-U bytes that do not decode (TS 29.281 §5.1)
	DropUnsupportedGTPU                   // a GTP-U message type or required extension header the UPF does not handle
	DropUnknownTEID                       // no session has this TEID (TS 29.281 §7.3.1: Error Indication sent)
	DropNoPDR                             // the TEID is known but no PDR matches (QFI, UE source address)
	DropMalformedInner                    // the T-PDU or N6 packet is not a well-formed IPv4 packet
	DropFARDrop                           // the FAR says DROP
	DropFARBuffer                         // an uplink FAR says BUFF (only downlink is buffered)
	DropGateClosed                        // a QER gate is closed
	DropNoSession                         // N6: no session owns the destination UE address
	DropSendFailed                        // the outgoing endpoint refused the packet
	DropMalformedPFCP                     // N4 bytes that do not decode
	DropUnexpectedPFCP                    // N4 message the UPF does not answer (responses, unknown types)
	DropBufferFull                        // a downlink FAR buffers but the session's (or the UPF's) buffer bound is reached
	DropBufferDiscarded                   // buffered downlink packets of a session that was deleted
	NumDropReasons
)

var dropNames = [NumDropReasons]string{
	"malformed GTP-U", "unsupported GTP-U", "unknown TEID", "no matching PDR",
	"malformed inner packet", "FAR drop", "FAR buffer", "gate closed",
	"no session for UE address", "send failed", "malformed PFCP", "unexpected PFCP",
	"buffer full", "buffer discarded",
}

// String names the reason; trace drop events carry it as Cause.
func (r DropReason) String() string {
	if r < NumDropReasons {
		return dropNames[r]
	}
	return fmt.Sprintf("DropReason(%d)", uint8(r))
}

// padded keeps hot counters on their own cache lines.
type padded struct {
	atomic.Uint64
	_ [56]byte
}

type counters struct {
	n3In, n3Out, n6In, n6Out padded
	ulFwd, dlFwd             padded
	n4In, n4Out              atomic.Uint64
	echoIn, errIndOut        atomic.Uint64
	errIndIn, endMarkers     atomic.Uint64
	buffered, bufReleased    atomic.Uint64
	drops                    [NumDropReasons]padded
}

// Stats is a snapshot of the UPF's counters.
type Stats struct {
	N3In, N3Out uint64 // GTP-U messages received / sent on N3 (any type)
	N6In, N6Out uint64 // IPv4 packets received from / sent to the data network
	// UplinkForwarded and DownlinkForwarded count packets that passed the rules.
	UplinkForwarded, DownlinkForwarded uint64
	N4In, N4Out                        uint64 // PFCP messages received / sent
	EchoRequests                       uint64 // GTP-U Echo Requests answered
	ErrorIndicationsSent               uint64
	ErrorIndicationsReceived           uint64
	EndMarkers                         uint64
	// DownlinkBuffered counts downlink packets queued while their FAR
	// buffered; BufferReleased those a modification released from a queue
	// (then forwarded, or dropped by the new rules). BufferedNow and
	// BufferedBytes are what the queues hold now.
	DownlinkBuffered, BufferReleased uint64
	BufferedNow, BufferedBytes       int
	Drops                            map[DropReason]uint64 // non-zero reasons only
	Sessions                         int
	Associations                     int
}

// Dropped returns the drops for r.
func (s Stats) Dropped(r DropReason) uint64 { return s.Drops[r] }

// DroppedTotal returns all drops.
func (s Stats) DroppedTotal() uint64 {
	var n uint64
	for _, v := range s.Drops {
		n += v
	}
	return n
}

func (c *counters) snapshot() Stats {
	s := Stats{
		N3In: c.n3In.Load(), N3Out: c.n3Out.Load(), N6In: c.n6In.Load(), N6Out: c.n6Out.Load(),
		UplinkForwarded: c.ulFwd.Load(), DownlinkForwarded: c.dlFwd.Load(),
		N4In: c.n4In.Load(), N4Out: c.n4Out.Load(),
		EchoRequests: c.echoIn.Load(), ErrorIndicationsSent: c.errIndOut.Load(),
		ErrorIndicationsReceived: c.errIndIn.Load(), EndMarkers: c.endMarkers.Load(),
		DownlinkBuffered: c.buffered.Load(), BufferReleased: c.bufReleased.Load(),
		Drops: map[DropReason]uint64{},
	}
	for i := range c.drops {
		if v := c.drops[i].Load(); v != 0 {
			s.Drops[DropReason(i)] = v
		}
	}
	return s
}
