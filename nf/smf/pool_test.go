package smf

import (
	"net/netip"
	"testing"
)

func TestPool(t *testing.T) {
	p, err := newPool(netip.MustParsePrefix("10.60.0.0/29"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[netip.Addr]bool{}
	for range 6 {
		a, ok := p.alloc()
		if !ok {
			t.Fatal("pool of 6 hosts exhausted early")
		}
		if seen[a] || a == netip.MustParseAddr("10.60.0.0") || a == netip.MustParseAddr("10.60.0.7") {
			t.Fatalf("bad address %v", a)
		}
		seen[a] = true
	}
	if _, ok := p.alloc(); ok {
		t.Fatal("allocated beyond the pool")
	}
	if !p.free(netip.MustParseAddr("10.60.0.3")) || p.free(netip.MustParseAddr("10.60.0.3")) {
		t.Fatal("free twice")
	}
	if p.free(netip.MustParseAddr("10.61.0.3")) || p.free(netip.MustParseAddr("10.60.0.7")) {
		t.Fatal("freed a foreign address")
	}
	if a, ok := p.alloc(); !ok || a != netip.MustParseAddr("10.60.0.3") {
		t.Fatalf("realloc: %v %v", a, ok)
	}
	if p.inUse() != 6 {
		t.Fatalf("in use %d", p.inUse())
	}

	big, err := newPool(netip.MustParsePrefix("10.60.0.0/16"))
	if err != nil {
		t.Fatal(err)
	}
	all := map[netip.Addr]bool{}
	for range 65534 {
		a, ok := big.alloc()
		if !ok || all[a] || !big.prefix.Contains(a) {
			t.Fatalf("alloc %v %v", a, ok)
		}
		all[a] = true
	}
	if _, ok := big.alloc(); ok {
		t.Fatal("allocated beyond a /16")
	}
	for a := range all {
		if !big.free(a) {
			t.Fatalf("free %v", a)
		}
	}
	if big.inUse() != 0 {
		t.Fatal("leak")
	}
	for _, bad := range []string{"10.0.0.0/31", "10.0.0.0/7", "::/64"} {
		if _, err := newPool(netip.MustParsePrefix(bad)); err == nil {
			t.Fatalf("%s accepted", bad)
		}
	}
}

func TestParseBitRate(t *testing.T) {
	for s, want := range map[string]uint64{"1 Gbps": 1e9, "100.5 Mbps": 100_500_000, "64 Kbps": 64_000, "7 bps": 7} {
		if got, err := ParseBitRate(s); err != nil || got != want {
			t.Errorf("%q: %d %v", s, got, err)
		}
	}
	for _, s := range []string{"", "1Gbps", "x Mbps", "1 Xbps", "-1 bps"} {
		if _, err := ParseBitRate(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}
