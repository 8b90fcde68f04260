package netstack

import (
	"errors"
	"net/netip"
	"testing"
)

func TestStackAddressesAndInput(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := netip.MustParseAddr("10.60.0.1")
	if err := s.AddAddress(netip.MustParseAddr("2001:db8::1")); !errors.Is(err, ErrAddr) {
		t.Errorf("IPv6 address: %v", err)
	}
	if err := s.AddAddress(a); err != nil || !s.HasAddress(a) {
		t.Fatalf("add: %v", err)
	}
	if err := s.RemoveAddress(a); err != nil || s.HasAddress(a) {
		t.Fatalf("remove: %v", err)
	}
	for _, b := range [][]byte{nil, []byte("short"), make([]byte, 40)} {
		if err := s.Inject(b); !errors.Is(err, ErrPacket) {
			t.Errorf("Inject(%x) = %v", b, err)
		}
	}
	if _, _, dropped := s.Counters(); dropped != 3 {
		t.Errorf("dropped %d", dropped)
	}
	s.Close()
	if err := s.Inject(make([]byte, 20)); !errors.Is(err, ErrClosed) {
		t.Errorf("after close: %v", err)
	}
}
