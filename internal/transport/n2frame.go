package transport

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The tcp-framed N2 carrier stands in for SCTP (TS 38.412 §7) where the
// kernel has none: one TCP connection per association, and each NGAP message
// is one frame
//
//	+----------------+-----------+------------------+
//	| length (4, BE) | stream (2)| payload (length) |
//	+----------------+-----------+------------------+
//
// where length counts the payload only. As with an SCTP DATA chunk, an empty
// payload is invalid (RFC 9260 §3.3.1, "No User Data").
const (
	N2FrameHeaderLen = 6
	// MaxN2Payload bounds one framed NGAP message; larger lengths are a
	// framing error and end the association.
	MaxN2Payload = 1 << 20
)

// N2Frame is one NGAP message on the tcp-framed carrier.
type N2Frame struct {
	Stream  uint16
	Payload []byte
}

// AppendN2Frame appends the frame for payload on stream to dst.
func AppendN2Frame(dst []byte, stream uint16, payload []byte) ([]byte, error) {
	if len(payload) == 0 {
		return dst, fmt.Errorf("%w: empty payload", ErrBadFrame)
	}
	if len(payload) > MaxN2Payload {
		return dst, fmt.Errorf("%w: %d bytes > %d", ErrTooLarge, len(payload), MaxN2Payload)
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	dst = binary.BigEndian.AppendUint16(dst, stream)
	return append(dst, payload...), nil
}

// N2FrameReader reads frames from a byte stream.
type N2FrameReader struct {
	r   io.Reader
	max int
	hdr [N2FrameHeaderLen]byte
}

// NewN2FrameReader reads frames of at most max payload bytes (MaxN2Payload
// when max <= 0 or larger) from r; wrap r in a bufio.Reader for sockets.
func NewN2FrameReader(r io.Reader, max int) *N2FrameReader {
	if max <= 0 || max > MaxN2Payload {
		max = MaxN2Payload
	}
	return &N2FrameReader{r: r, max: max}
}

// Next returns the next frame; its Payload is freshly allocated and owned by
// the caller. It returns io.EOF at a clean end of stream,
// io.ErrUnexpectedEOF for a truncated frame, and an error wrapping
// ErrBadFrame or ErrTooLarge for a bad length (the stream cannot be resynced
// after that).
func (fr *N2FrameReader) Next() (N2Frame, error) {
	if _, err := io.ReadFull(fr.r, fr.hdr[:]); err != nil {
		return N2Frame{}, err
	}
	n := binary.BigEndian.Uint32(fr.hdr[:4])
	stream := binary.BigEndian.Uint16(fr.hdr[4:])
	if n == 0 {
		return N2Frame{}, fmt.Errorf("%w: zero length", ErrBadFrame)
	}
	if uint64(n) > uint64(fr.max) {
		return N2Frame{}, fmt.Errorf("%w: frame of %d bytes > %d", ErrTooLarge, n, fr.max)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(fr.r, p); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return N2Frame{}, err
	}
	return N2Frame{Stream: stream, Payload: p}, nil
}
