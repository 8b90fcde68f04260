package dn_test

import (
	"net/netip"
	"testing"

	"github.com/credbed/credbed/internal/dn"
)

// FuzzDNN6 feeds arbitrary N6 messages into the data network's stack.
// Invariant: no panic.
func FuzzDNN6(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("junk"))
	// IPv4/UDP to the echo port, valid header checksum.
	f.Add([]byte{0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0x52, 0xc6, 10, 60, 0, 1, 10, 100, 0, 1, 0, 9, 0, 7, 0, 8, 0, 0})
	// IPv4/TCP SYN to port 80.
	f.Add([]byte{0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 60, 0, 1, 10, 100, 0, 1, 0x30, 0x39, 0, 80,
		0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0})
	d, err := dn.New(dn.Config{}, dn.Deps{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = d.Close() })
	from := netip.MustParseAddrPort("127.0.0.8:46006")
	f.Fuzz(func(t *testing.T, b []byte) {
		d.HandleN6(from, b)
	})
}
