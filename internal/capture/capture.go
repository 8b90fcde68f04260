package capture

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/net/http2"

	"github.com/credbed/credbed/internal/clock"
	"github.com/credbed/credbed/internal/transport"
)

// InterceptorName is the name Install gives the interceptor in the chain.
const InterceptorName = "capture"

// Snaplen is the snapshot length written in the pcap header: larger than the
// biggest frame the Writer emits (14 bytes of Ethernet + 65535 bytes of IP).
const Snaplen = 262144

// Errors. A packet that fails is counted in Stats.Failed; Write returns the
// error wrapped with the packet's kind and addresses.
var (
	ErrClosed      = errors.New("capture: writer closed")
	ErrNoClock     = errors.New("capture: Deps.Clock is required")
	ErrUnknownKind = errors.New("capture: unknown link kind")
	ErrNotIP       = errors.New("capture: N6 payload is not an IPv4 or IPv6 packet")
	ErrTooLarge    = errors.New("capture: payload does not fit in an IP packet")
	ErrBadConfig   = errors.New("capture: invalid config")
)

// Config configures a Writer. The zero value is valid.
type Config struct {
	// BufferSize is the size of the write buffer in bytes (default 64 KiB).
	BufferSize int
	// MTU bounds every synthesized IP packet, headers included (default and
	// maximum 65535, minimum 1280). Bigger TCP data is split into segments,
	// bigger NGAP messages into SCTP DATA fragments, bigger IPv4 UDP
	// datagrams into IPv4 fragments; N6 packets are written as given.
	MTU int
	// KeepSecrets writes key material as the packets carry it. By default
	// (false) the Writer redacts what it writes, never the packet passed on:
	// in SBI JSON bodies the string value of every SecretMembers member
	// becomes a same-length run of 'x' (the body is re-encoded, so its
	// length may change), and the Security Key IE (KgNB) of an NGAP INITIAL
	// CONTEXT SETUP REQUEST is zeroed. A real network carries them inside
	// TLS (SBI) and IPsec (N2), TS 33.501 §13.1, §9.2.
	KeepSecrets bool
}

// Validate checks c and fills defaults.
func (c *Config) Validate() error {
	if c.BufferSize < 0 {
		return fmt.Errorf("%w: BufferSize %d < 0", ErrBadConfig, c.BufferSize)
	}
	if c.BufferSize == 0 {
		c.BufferSize = 64 << 10
	}
	if c.MTU == 0 {
		c.MTU = 65535
	}
	if c.MTU < 1280 || c.MTU > 65535 {
		return fmt.Errorf("%w: MTU %d not in [1280, 65535]", ErrBadConfig, c.MTU)
	}
	return nil
}

// Deps are the Writer's injected dependencies.
type Deps struct {
	// Clock stamps every frame (required).
	Clock clock.Clock
}

// Stats counts what a Writer did.
type Stats struct {
	Packets uint64 // transport packets recorded
	Frames  uint64 // pcap records written, synthesized handshakes included
	Failed  uint64 // packets that could not be recorded
}

// Writer records transport packets into a pcap stream. It is safe for
// concurrent use; frames are written in the order Write calls take its lock.
type Writer struct {
	mu     sync.Mutex
	cfg    Config
	clk    clock.Clock
	bw     *bufio.Writer
	pw     *pcapgo.Writer
	file   io.Closer // closed by Close when the Writer owns it
	closed bool
	ioErr  error
	stats  Stats
	now    time.Time // timestamp of the packet being written
	ipID   uint16

	assocs map[pairKey]*assoc
	conns  map[connKey]*conn
	ephem  map[netip.Addr]uint16

	fbuf   bytes.Buffer // HTTP/2 frames of the current segment
	framer *http2.Framer

	marks    []string
	decodeAs map[string]struct{}
}

// New returns a Writer that writes a pcap stream to out, starting with the
// file header. Close flushes but does not close out.
func New(out io.Writer, cfg Config, deps Deps) (*Writer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Clock == nil {
		return nil, ErrNoClock
	}
	w := &Writer{
		cfg:    cfg,
		clk:    deps.Clock,
		bw:     bufio.NewWriterSize(out, cfg.BufferSize),
		assocs: make(map[pairKey]*assoc),
		conns:  make(map[connKey]*conn),
		ephem:  make(map[netip.Addr]uint16),

		decodeAs: make(map[string]struct{}),
	}
	w.framer = http2.NewFramer(&w.fbuf, nil)
	w.pw = pcapgo.NewWriterNanos(w.bw)
	if err := w.pw.WriteFileHeader(Snaplen, layers.LinkTypeEthernet); err != nil {
		return nil, fmt.Errorf("capture: write pcap header: %w", err)
	}
	return w, nil
}

// Create creates (or truncates) the file at path and returns a Writer that
// owns it: Close flushes and closes the file.
func Create(path string, cfg Config, deps Deps) (*Writer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	w, err := New(f, cfg, deps)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	w.file = f
	return w, nil
}

// Interceptor returns an observer interceptor: it records p and passes it on
// unchanged. Recording errors are counted in Stats, never returned.
func (w *Writer) Interceptor() transport.Interceptor {
	return func(p transport.Packet) []transport.Packet {
		_ = w.Write(p)
		return []transport.Packet{p}
	}
}

// Install appends the Writer's interceptor to c under InterceptorName and
// returns the function that removes it.
func (w *Writer) Install(c *transport.Chain) (remove func()) {
	return c.Add(InterceptorName, w.Interceptor())
}

// Write records p as one or more frames stamped with the clock's current
// time. It does not retain p or its payload.
func (w *Writer) Write(p transport.Packet) error {
	if !w.cfg.KeepSecrets {
		p.Payload = redact(&p) // a copy when redacted: the caller's packet is untouched
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	err := w.write(&p)
	if err != nil {
		w.stats.Failed++
		return fmt.Errorf("capture: %s packet %v -> %v: %w", p.Kind, p.From, p.To, err)
	}
	w.stats.Packets++
	return nil
}

func (w *Writer) write(p *transport.Packet) error {
	if w.closed {
		return ErrClosed
	}
	if w.ioErr != nil {
		return w.ioErr
	}
	w.now = w.clk.Now()
	switch p.Kind {
	case transport.N2:
		return w.writeN2(p)
	case transport.SBI:
		return w.writeSBI(p)
	case transport.N3:
		return w.writeUDP(p, transport.PortGTPU)
	case transport.N4:
		return w.writeUDP(p, transport.PortPFCP)
	case transport.DL:
		return w.writeUDP(p, transport.PortDL)
	case transport.N6:
		return w.writeN6(p)
	default:
		return ErrUnknownKind
	}
}

// Stats returns the counters so far.
func (w *Writer) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}

// Err returns the first I/O error met while writing, if any. After such an
// error every later packet fails.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ioErr
}

// Flush writes buffered frames to the underlying writer.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flush()
}

func (w *Writer) flush() error {
	if w.closed || w.ioErr != nil {
		return w.ioErr
	}
	if err := w.bw.Flush(); err != nil {
		w.ioErr = fmt.Errorf("capture: flush: %w", err)
	}
	return w.ioErr
}

// Close flushes the buffer and, for a Writer made by Create, closes the
// file. Later writes fail with ErrClosed. Close is idempotent; marks and
// stats stay readable.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.ioErr
	}
	err := w.flush()
	w.closed = true
	if w.file != nil {
		if cerr := w.file.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("capture: close: %w", cerr)
			w.ioErr = err
		}
	}
	w.assocs, w.conns, w.ephem = nil, nil, nil // DecodeAs stays readable
	return err
}

// Mark flags the capture as carrying plaintext secrets on purpose (e.g. the
// baseline profile's direct link); reason is a short human-readable note for
// the report. The Writer never inspects payloads for secrets: only callers
// mark. Repeated reasons are kept once.
func (w *Writer) Mark(reason string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !slices.Contains(w.marks, reason) {
		w.marks = append(w.marks, reason)
	}
}

// Marked reports whether Mark was called.
func (w *Writer) Marked() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.marks) > 0
}

// MarkReasons returns the distinct reasons given to Mark, in call order.
func (w *Writer) MarkReasons() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.marks)
}

// DecodeAs returns the tshark/Wireshark "decode as" rules (values for
// tshark -d) this capture needs beyond the well-known ports: SBI servers not
// on TCP 80 ("tcp.port==29510,http2"), GTP-U not on UDP 2152 ("udp.port==P,gtp")
// and PFCP not on UDP 8805 ("udp.port==P,pfcp"). Net-mode captures need them;
// mem-mode captures use the well-known ports and return none.
func (w *Writer) DecodeAs() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.decodeAs))
	for k := range w.decodeAs {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// needDecodeAs records a decode-as rule for DecodeAs.
func (w *Writer) needDecodeAs(table string, port uint16, proto string) {
	if w.decodeAs != nil {
		w.decodeAs[fmt.Sprintf("%s==%d,%s", table, port, proto)] = struct{}{}
	}
}

// emit writes one frame. An I/O error is sticky.
func (w *Writer) emit(frame []byte) error {
	ci := gopacket.CaptureInfo{Timestamp: w.now, CaptureLength: len(frame), Length: len(frame)}
	if err := w.pw.WritePacket(ci, frame); err != nil {
		w.ioErr = fmt.Errorf("capture: write frame: %w", err)
		return w.ioErr
	}
	w.stats.Frames++
	return nil
}
