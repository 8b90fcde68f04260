package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"sync/atomic"
	"time"

	gtpmsg "github.com/wmnsk/go-gtp/gtpv1/message"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/pfcpx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/nf/upf"
)

// UPFStats is what the user-plane phase measured.
type UPFStats struct {
	Sent, Delivered, Dropped uint64
	Sessions                 int
	Elapsed                  time.Duration
}

// PerSecond is G-PDUs delivered to the data network per second.
func (s UPFStats) PerSecond() float64 { return perSecond(int64(s.Delivered), s.Elapsed) }

// Addresses of the UPF phase. Net mode binds them on loopback; the /24 is
// credbed bench's own so the phase does not collide with a testbed.
var (
	upfBenchUPF = netip.MustParseAddr("127.0.91.8")
	upfBenchDN  = netip.MustParseAddr("127.0.91.9")
	upfBenchGNB = netip.MustParseAddr("127.0.91.20")
	upfBenchSMF = netip.MustParseAddr("127.0.91.7")
	upfBenchSrv = netip.MustParseAddr("10.100.0.1")
)

const (
	upfSessions  = 64   // sessions the packets rotate over
	upfWindow    = 1024 // G-PDUs in flight at most (mem)
	upfWindowNet = 128  // G-PDUs in flight at most over loopback UDP
	upfInnerLen  = 100  // inner IPv4 packet length
	upfQFI       = 9
	upfStall     = 10 * time.Millisecond // net mode: no progress for this long counts the window as lost
	upfProgressN = 1024
)

// ErrUPFSetup reports a UPF phase that could not start.
var ErrUPFSetup = errors.New("bench: UPF set-up failed")

// UPFPackets drives uplink G-PDUs (100-byte inner IPv4/UDP packets with a
// PDU Session Container) from a gNB-side endpoint into a real nf/upf with
// upfSessions PFCP sessions, over the mem transport (or loopback UDP in net
// mode), and counts the packets delivered on the N6 side. It sends for
// opts.Duration (or exactly opts.UPFPackets) with a bounded window of
// packets in flight (1024 in mem mode, 128 over UDP, where a window that
// stops moving is counted as lost).
func UPFPackets(ctx context.Context, opts Options) (UPFStats, error) {
	if err := opts.Validate(); err != nil {
		return UPFStats{}, err
	}
	var nw transport.Network
	if opts.Mode == "net" {
		nw = transport.NewNet(transport.NetOptions{})
	} else {
		nw = transport.NewMem(transport.MemOptions{})
	}
	defer nw.Close()

	u, err := upf.New(upf.Config{
		N3Addr: netip.AddrPortFrom(upfBenchUPF, transport.PortGTPU),
		N4Addr: netip.AddrPortFrom(upfBenchUPF, transport.PortPFCP),
		N6Addr: netip.AddrPortFrom(upfBenchUPF, upf.DefaultN6Port),
		DN:     netip.AddrPortFrom(upfBenchDN, upf.DefaultN6Port),
	}, upf.Deps{Net: nw, Clock: clock.Real{}, Rand: newSeeder(opts.Seed, "upf").stream(0), Trace: trace.Discard})
	if err != nil {
		return UPFStats{}, fmt.Errorf("%w: %w", ErrUPFSetup, err)
	}
	if err := u.Start(ctx); err != nil {
		return UPFStats{}, fmt.Errorf("%w: %w", ErrUPFSetup, err)
	}
	defer u.Close()

	var delivered atomic.Uint64
	kick := make(chan struct{}, 1)
	if _, err := nw.Listen(transport.N6, u.Config().DN, func(netip.AddrPort, []byte) {
		delivered.Add(1)
		select {
		case kick <- struct{}{}:
		default:
		}
	}); err != nil {
		return UPFStats{}, fmt.Errorf("%w: N6 sink: %w", ErrUPFSetup, err)
	}
	gnb, err := nw.Listen(transport.N3, netip.AddrPortFrom(upfBenchGNB, transport.PortGTPU), func(netip.AddrPort, []byte) {})
	if err != nil {
		return UPFStats{}, fmt.Errorf("%w: gNB endpoint: %w", ErrUPFSetup, err)
	}
	pkts, err := upfSessionsSetup(u)
	if err != nil {
		return UPFStats{}, err
	}

	total := int64(-1)
	if opts.UPFPackets > 0 {
		total = int64(opts.UPFPackets)
	}
	opts.phase(PhaseUPF, total)
	clk := opts.Clock
	to := u.Config().N3Addr
	// Loopback UDP may lose datagrams (socket buffers): in net mode a window
	// that makes no progress for upfStall is counted as lost. The mem
	// transport loses nothing silently, so there the sender just waits.
	lossy := opts.Mode == "net"
	window := uint64(upfWindow)
	if lossy {
		window = upfWindowNet
	}
	var lost, drops uint64 // packets given up on after a stall; UPF drops (refreshed while waiting)
	inFlight := func(sent uint64) uint64 {
		done := delivered.Load() + drops + lost
		if done >= sent {
			return 0
		}
		return sent - done
	}
	// waitBelow waits until at most limit packets are in flight; after a
	// stall it counts the rest as lost (UDP loss in net mode).
	waitBelow := func(sent, limit uint64) {
		last, since := inFlight(sent), clk.Now()
		for spin := 0; ; spin++ {
			if spin%64 == 0 {
				drops = u.Stats().DroppedTotal()
			}
			n := inFlight(sent)
			if n <= limit || ctx.Err() != nil {
				return
			}
			if n != last {
				last, since = n, clk.Now()
			} else if lossy && clk.Now().Sub(since) > upfStall {
				lost += n - limit
				return
			}
			select {
			case <-kick:
			default:
				runtime.Gosched()
			}
		}
	}

	start := clk.Now()
	deadline := start.Add(opts.Duration)
	var sent uint64
	for ctx.Err() == nil {
		if total > 0 {
			if sent >= uint64(total) {
				break
			}
		} else if sent%64 == 0 && !clk.Now().Before(deadline) {
			break
		}
		if inFlight(sent) >= window {
			waitBelow(sent, window/2)
		}
		err := gnb.Send(ctx, to, pkts[sent%uint64(len(pkts))])
		switch {
		case err == nil:
			sent++
			if sent%upfProgressN == 0 {
				opts.add(upfProgressN)
			}
		case errors.Is(err, transport.ErrQueueFull):
			runtime.Gosched()
		default:
			return UPFStats{}, fmt.Errorf("bench: send G-PDU: %w", err)
		}
	}
	waitBelow(sent, 0)
	st := UPFStats{
		Sent:      sent,
		Delivered: delivered.Load(),
		Dropped:   u.Stats().DroppedTotal(),
		Sessions:  len(pkts),
		Elapsed:   clk.Now().Sub(start),
	}
	if lossy && st.Sent > st.Delivered {
		st.Dropped = st.Sent - st.Delivered // UPF drops and datagrams lost on the way
	}
	opts.add(int64(sent % upfProgressN))
	return st, ctx.Err()
}

// upfSessionsSetup associates an SMF with u, establishes upfSessions PDU
// sessions (TS 29.244 §6.2.6, §6.3.2) and returns one G-PDU per session.
func upfSessionsSetup(u *upf.UPF) ([][]byte, error) {
	smf := netip.AddrPortFrom(upfBenchSMF, transport.PortPFCP)
	req, err := pfcpx.BuildAssociationSetupRequest(1, upfBenchSMF.String(), time.Unix(0, 0))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUPFSetup, err)
	}
	if r, err := pfcpx.ParseResponse(u.ProcessN4(smf, req)); err != nil || r.Cause != pfcpx.CauseRequestAccepted {
		return nil, fmt.Errorf("%w: PFCP association: %v %v", ErrUPFSetup, r, err)
	}
	pkts := make([][]byte, 0, upfSessions)
	for i := range upfSessions {
		ue := netip.AddrFrom4([4]byte{10, 60, byte((i + 1) >> 8), byte(i + 1)})
		s := pfcpx.PDUSession{NodeID: upfBenchSMF.String(), CPSEID: uint64(i + 1), CPAddr: upfBenchSMF, UEIP: ue,
			QFI: upfQFI, GNBTEID: uint32(0x1000 + i), GNBAddr: upfBenchGNB, NetworkInstance: "internet"}
		req, err := pfcpx.BuildSessionEstablishmentRequest(uint32(i+2), s.Establishment())
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUPFSetup, err)
		}
		r, err := pfcpx.ParseResponse(u.ProcessN4(smf, req))
		if err != nil || r.Cause != pfcpx.CauseRequestAccepted {
			return nil, fmt.Errorf("%w: PFCP session establishment: %v %v", ErrUPFSetup, r, err)
		}
		f, ok := r.CreatedFTEID(pfcpx.PDRUplink)
		if !ok {
			return nil, fmt.Errorf("%w: no uplink F-TEID", ErrUPFSetup)
		}
		// TS 38.415 §5.5.2.2: UL PDU SESSION INFORMATION (PDU type 1), QFI.
		b, err := gtpmsg.NewTPDUWithExtentionHeader(f.TEID, ipv4UDP(ue, upfBenchSrv, upfInnerLen),
			gtpmsg.NewExtensionHeader(gtpmsg.ExtHeaderTypePDUSessionContainer, []byte{0x10, upfQFI}, 0)).Marshal()
		if err != nil {
			return nil, fmt.Errorf("%w: G-PDU: %w", ErrUPFSetup, err)
		}
		pkts = append(pkts, b)
	}
	return pkts, nil
}

// ipv4UDP builds an IPv4/UDP packet of n octets (RFC 791, RFC 768) with a
// valid header checksum and a zero UDP checksum (none).
func ipv4UDP(src, dst netip.Addr, n int) []byte {
	p := make([]byte, n)
	p[0] = 0x45
	binary.BigEndian.PutUint16(p[2:], uint16(n))
	p[8], p[9] = 64, 17
	s, d := src.As4(), dst.As4()
	copy(p[12:16], s[:])
	copy(p[16:20], d[:])
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(p[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(p[10:], ^uint16(sum))
	binary.BigEndian.PutUint16(p[20:], 40000)
	binary.BigEndian.PutUint16(p[22:], 9) // discard (RFC 863)
	binary.BigEndian.PutUint16(p[24:], uint16(n-20))
	return p
}
