package transport

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzN2FrameReader checks the tcp-framed N2 reader on arbitrary streams:
// no panic, no frame without payload, every payload within the bound, and
// the frames read re-encode to the prefix of the input they consumed.
func FuzzN2FrameReader(f *testing.F) {
	f.Add([]byte{0, 0, 0, 3, 0, 0, 'a', 'b', 'c'})
	f.Add([]byte{0, 0, 0, 1, 0, 1, 'x', 0, 0, 0, 2, 0x12, 0x34, 'y', 'z'})
	f.Add([]byte{0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 1})
	f.Add([]byte{0, 0, 0, 4, 0, 0, 'a'})
	f.Add([]byte{})
	const max = 512
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := NewN2FrameReader(bytes.NewReader(data), max)
		var re []byte
		for {
			fm, err := fr.Next()
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) &&
					!errors.Is(err, ErrBadFrame) && !errors.Is(err, ErrTooLarge) {
					t.Fatalf("unexpected error kind: %v", err)
				}
				break
			}
			if len(fm.Payload) == 0 || len(fm.Payload) > max {
				t.Fatalf("frame with %d payload bytes", len(fm.Payload))
			}
			re, err = AppendN2Frame(re, fm.Stream, fm.Payload)
			if err != nil {
				t.Fatalf("re-encode: %v", err)
			}
		}
		if !bytes.HasPrefix(data, re) {
			t.Fatalf("re-encoded frames are not a prefix of the input")
		}
	})
}
