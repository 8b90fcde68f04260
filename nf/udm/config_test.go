package udm_test

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/nf/udm"
)

func TestConfigValidate(t *testing.T) {
	key := strings.Repeat("ab", 32)
	c := udm.Config{HomeNetworkKeys: []udm.HomeNetworkKey{{Scheme: ident.SchemeProfileA, ID: 1, PrivateKey: key}}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Name != udm.DefaultName || c.Addr != udm.DefaultAddr || c.SBITimeout != udm.DefaultSBITimeout {
		t.Errorf("defaults not filled: %+v", c)
	}
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c.HomeNetworkKeys)} {
		if strings.Contains(s, key) {
			t.Errorf("private key printed: %s", s)
		}
	}
	for _, bad := range []udm.Config{
		{Addr: netip.MustParseAddrPort("10.0.0.1:80")},
		{HomeNetworkKeys: []udm.HomeNetworkKey{{Scheme: ident.SchemeProfileA, ID: 1, PrivateKey: "zz"}}},
		{HomeNetworkKeys: []udm.HomeNetworkKey{{Scheme: ident.SchemeProfileA, ID: 1, PrivateKey: "00"}}},
		{HomeNetworkKeys: []udm.HomeNetworkKey{{Scheme: ident.SchemeProfileA, ID: 1, PrivateKey: key}, {Scheme: ident.SchemeProfileA, ID: 1, PrivateKey: key}}},
		{HomeNetworkKeys: []udm.HomeNetworkKey{{Scheme: ident.SchemeNull, ID: 1, PrivateKey: key}}},
		{UDRAPIRoot: "udr:80"},
		{HomePLMN: "1"},
	} {
		err := bad.Validate()
		if !errors.Is(err, udm.ErrConfig) {
			t.Errorf("%v: err %v, want ErrConfig", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), key) {
			t.Errorf("error leaks the key: %v", err)
		}
	}
}
