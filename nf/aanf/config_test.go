package aanf_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/credbed/credbed/nf/aanf"
)

func TestConfigValidate(t *testing.T) {
	c := aanf.Config{}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if *c.UaProtocolID != aanf.DefaultUaProtocolID || c.KAFLifetime != aanf.DefaultKAFLifetime {
		t.Errorf("defaults not filled: %+v", c)
	}
	for _, bad := range []aanf.Config{
		{Addr: netip.MustParseAddrPort("192.0.2.1:80")},
		{AllowedAFs: []string{"a b"}},
	} {
		if err := bad.Validate(); !errors.Is(err, aanf.ErrConfig) {
			t.Errorf("%+v: err %v, want ErrConfig", bad, err)
		}
	}
}
