package ident

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// Reference: TS 24.008 §10.5.1.13 (PLMN identity coding, MNC digit 3 = 0xF for a 2-digit MNC)
func TestPLMNBCD(t *testing.T) {
	tests := []struct {
		plmn PLMN
		bcd  string
	}{
		{PLMN{"208", "93"}, "02f839"},  // free5gc nasConvert test vector
		{PLMN{"208", "935"}, "025839"}, // free5gc nasConvert test vector
		{PLMN{"001", "01"}, "00f110"},  // 3gpp.md §2.2 worked example
		{PLMN{"274", "012"}, "722410"}, // TS 33.501 C.4 home network
		{PLMN{"999", "999"}, "999999"},
	}
	for _, tt := range tests {
		t.Run(tt.plmn.String(), func(t *testing.T) {
			got, err := tt.plmn.BCD()
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(got[:]) != tt.bcd {
				t.Fatalf("BCD = %x, want %s", got, tt.bcd)
			}
			back, err := PLMNFromBCD(mustHex(t, tt.bcd))
			if err != nil {
				t.Fatal(err)
			}
			if back != tt.plmn {
				t.Fatalf("PLMNFromBCD = %+v, want %+v", back, tt.plmn)
			}
		})
	}
}

func TestPLMNFromBCDRejects(t *testing.T) {
	for _, h := range []string{"", "02f8", "02f83900", "0af839", "f2f839", "02f8f9", "02a839", "02f83a"} {
		if _, err := PLMNFromBCD(mustHex(t, h)); !errors.Is(err, ErrInvalidPLMN) {
			t.Errorf("PLMNFromBCD(%s) err = %v, want ErrInvalidPLMN", h, err)
		}
	}
}

func TestParsePLMN(t *testing.T) {
	tests := []struct {
		in   string
		want PLMN
		ok   bool
	}{
		{"20893", PLMN{"208", "93"}, true},
		{"274012", PLMN{"274", "012"}, true},
		{"208-93", PLMN{"208", "93"}, true},
		{"274-012", PLMN{"274", "012"}, true},
		{"2089", PLMN{}, false},
		{"2089301", PLMN{}, false},
		{"20a93", PLMN{}, false},
		{"20-893", PLMN{}, false},
		{"208-9", PLMN{}, false},
		{"208-9301", PLMN{}, false},
		{"", PLMN{}, false},
	}
	for _, tt := range tests {
		got, err := ParsePLMN(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("ParsePLMN(%q) = %+v, %v", tt.in, got, err)
		}
		if !tt.ok && !errors.Is(err, ErrInvalidPLMN) {
			t.Errorf("ParsePLMN(%q) err = %v, want ErrInvalidPLMN", tt.in, err)
		}
	}
	if _, err := (PLMN{"208", "93"}).BCD(); err != nil {
		t.Fatal(err)
	}
	if _, err := (PLMN{"20", "93"}).BCD(); !errors.Is(err, ErrInvalidPLMN) {
		t.Fatalf("BCD of a bad PLMN: %v", err)
	}
}

// Reference: TS 24.501 §9.12.1 and TS 33.501 §6.1.1.4: the serving network name
// always carries a 3-digit MNC.
func TestServingNetworkName(t *testing.T) {
	tests := []struct {
		plmn PLMN
		snn  string
	}{
		{PLMN{"208", "93"}, "5G:mnc093.mcc208.3gppnetwork.org"},
		{PLMN{"001", "01"}, "5G:mnc001.mcc001.3gppnetwork.org"},
		{PLMN{"274", "012"}, "5G:mnc012.mcc274.3gppnetwork.org"},
		{PLMN{"310", "410"}, "5G:mnc410.mcc310.3gppnetwork.org"},
	}
	for _, tt := range tests {
		if got := tt.plmn.ServingNetworkName(); got != tt.snn {
			t.Errorf("%v.ServingNetworkName() = %q, want %q", tt.plmn, got, tt.snn)
		}
		p, err := ParseServingNetworkName(tt.snn)
		if err != nil {
			t.Fatal(err)
		}
		if p.ServingNetworkName() != tt.snn || len(p.MNC) != 3 || p.MCC != tt.plmn.MCC {
			t.Errorf("ParseServingNetworkName(%q) = %+v", tt.snn, p)
		}
	}
	for _, bad := range []string{
		"5G:mnc93.mcc208.3gppnetwork.org", // 2-digit MNC: the known pitfall
		"5G:mnc093.mcc20.3gppnetwork.org",
		"5g:mnc093.mcc208.3gppnetwork.org",
		"5G:mnc093.mcc208.3gppnetwork.com",
		"5G:mcc208.mnc093.3gppnetwork.org",
		"5G:mnc0a3.mcc208.3gppnetwork.org",
		"",
	} {
		if _, err := ParseServingNetworkName(bad); !errors.Is(err, ErrInvalidServingNetworkName) {
			t.Errorf("ParseServingNetworkName(%q) err = %v", bad, err)
		}
	}
}

func TestBCDHelpers(t *testing.T) {
	b, ok := EncodeMSINBCD("001002086")
	if !ok || !bytes.Equal(b, mustHex(t, "00012080f6")) { // TS 33.501 C.4.2.1
		t.Fatalf("EncodeMSINBCD = %x, %v", b, ok)
	}
	if s, ok := DecodeMSINBCD(b); !ok || s != "001002086" {
		t.Fatalf("DecodeMSINBCD = %q, %v", s, ok)
	}
	for _, h := range []string{"", "0f", "f000", "0fa0", "a0", "ff", "1a"} {
		if _, ok := DecodeMSINBCD(mustHex(t, h)); ok {
			t.Errorf("DecodeMSINBCD(%s) accepted", h)
		}
	}
	if _, ok := EncodeMSINBCD("12a"); ok {
		t.Error("EncodeMSINBCD accepted a non-digit")
	}
}
