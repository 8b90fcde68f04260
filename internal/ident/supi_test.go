package ident

import (
	"errors"
	"strings"
	"testing"
)

// Reference: TS 23.003 §2.2A, TS 29.571 §5.3.2 (Supi pattern)
func TestParseSUPI(t *testing.T) {
	tests := []struct {
		in   string
		want SUPI
		ok   bool
	}{
		{"imsi-274012001002086", SUPI{SUPITypeIMSI, "274012001002086"}, true},
		{"imsi-2089300007487", SUPI{SUPITypeIMSI, "2089300007487"}, true},
		{"imsi-208931", SUPI{SUPITypeIMSI, "208931"}, true},
		{"nai-verylongusername1@3gpp.com", SUPI{SUPITypeNAI, "verylongusername1@3gpp.com"}, true},
		{"nai-td.0001@iot.example-operator.net", SUPI{SUPITypeNAI, "td.0001@iot.example-operator.net"}, true},
		{"imsi-20893", SUPI{}, false},
		{"imsi-2740120010020861", SUPI{}, false},
		{"imsi-27401200100208a", SUPI{}, false},
		{"IMSI-274012001002086", SUPI{}, false},
		{"274012001002086", SUPI{}, false},
		{"nai-user", SUPI{}, false},
		{"nai-@realm.org", SUPI{}, false},
		{"nai-user@", SUPI{}, false},
		{"nai-us er@realm.org", SUPI{}, false},
		{"nai-a@b@c.org", SUPI{}, false},
		{"nai-user@realm..org", SUPI{}, false},
		{"nai-user@realm_x.org", SUPI{}, false},
		{"nai-" + strings.Repeat("u", 250) + "@abc.org", SUPI{}, false},
		{"", SUPI{}, false},
	}
	for _, tt := range tests {
		got, err := ParseSUPI(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("ParseSUPI(%q) = %+v, %v", tt.in, got, err)
			continue
		}
		if !tt.ok {
			if !errors.Is(err, ErrInvalidSUPI) {
				t.Errorf("ParseSUPI(%q) err = %v, want ErrInvalidSUPI", tt.in, err)
			}
			continue
		}
		if got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
}

func TestSUPISplit(t *testing.T) {
	s, _ := ParseSUPI("imsi-274012001002086")
	p, msin, err := s.SplitIMSI(3)
	if err != nil || p != (PLMN{"274", "012"}) || msin != "001002086" {
		t.Fatalf("SplitIMSI(3) = %+v %q %v", p, msin, err)
	}
	p, msin, err = s.SplitIMSI(2)
	if err != nil || p != (PLMN{"274", "01"}) || msin != "2001002086" {
		t.Fatalf("SplitIMSI(2) = %+v %q %v", p, msin, err)
	}
	if _, _, err := s.SplitIMSI(4); !errors.Is(err, ErrInvalidSUPI) {
		t.Fatalf("SplitIMSI(4) err = %v", err)
	}
	short := SUPI{SUPITypeIMSI, "208930"}
	if _, _, err := short.SplitIMSI(3); !errors.Is(err, ErrInvalidSUPI) {
		t.Fatalf("SplitIMSI without MSIN err = %v", err)
	}
	nai, _ := ParseSUPI("nai-verylongusername1@3gpp.com")
	if _, _, err := nai.SplitIMSI(2); !errors.Is(err, ErrInvalidSUPI) {
		t.Fatalf("SplitIMSI of NAI err = %v", err)
	}
	u, r, err := nai.SplitNAI()
	if err != nil || u != "verylongusername1" || r != "3gpp.com" {
		t.Fatalf("SplitNAI = %q %q %v", u, r, err)
	}
	if _, _, err := s.SplitNAI(); !errors.Is(err, ErrInvalidSUPI) {
		t.Fatalf("SplitNAI of IMSI err = %v", err)
	}

	got, err := NewIMSI(PLMN{"208", "93"}, "00007487")
	if err != nil || got.String() != "imsi-2089300007487" {
		t.Fatalf("NewIMSI = %v, %v", got, err)
	}
	if _, err := NewIMSI(PLMN{"208", "93"}, "12345678901"); !errors.Is(err, ErrInvalidSUPI) {
		t.Fatalf("NewIMSI of 16 digits err = %v", err)
	}
	if _, err := NewIMSI(PLMN{"208", "9"}, "1"); !errors.Is(err, ErrInvalidSUPI) {
		t.Fatalf("NewIMSI bad PLMN err = %v", err)
	}
	if _, err := NewIMSI(PLMN{"208", "93"}, ""); !errors.Is(err, ErrInvalidSUPI) {
		t.Fatalf("NewIMSI empty MSIN err = %v", err)
	}
	n, err := NewNAI("user", "realm.org")
	if err != nil || n.String() != "nai-user@realm.org" {
		t.Fatalf("NewNAI = %v, %v", n, err)
	}
	if _, err := NewNAI("us@er", "realm.org"); !errors.Is(err, ErrInvalidSUPI) {
		t.Fatalf("NewNAI bad username err = %v", err)
	}
	if err := (SUPI{Type: 5, Value: "x"}).Validate(); !errors.Is(err, ErrInvalidSUPI) {
		t.Fatalf("Validate of type 5 err = %v", err)
	}
}
