package ausf_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/credbed/credbed/nf/ausf"
)

func TestConfigValidate(t *testing.T) {
	c := ausf.Config{ServingNetworks: []string{snn}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Name != ausf.DefaultName || c.ContextTTL != ausf.DefaultContextTTL || c.MNCLength != 2 || c.MaxResync != ausf.DefaultMaxResync {
		t.Errorf("defaults not filled: %+v", c)
	}
	for _, bad := range []ausf.Config{
		{},
		{ServingNetworks: []string{"WLAN"}},
		{ServingNetworks: []string{snn}, Addr: netip.MustParseAddrPort("192.0.2.1:80")},
		{ServingNetworks: []string{snn}, MNCLength: 4},
		{ServingNetworks: []string{snn}, UDMAPIRoot: "udm"},
	} {
		if err := bad.Validate(); !errors.Is(err, ausf.ErrConfig) {
			t.Errorf("%+v: err %v, want ErrConfig", bad, err)
		}
	}
}
