package blocks

import (
	"bytes"
	"crypto/elliptic"
	"net/netip"
	"strings"
	"testing"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/ue/dlink"
)

// Reference: reference/3gpp.md §5.4 — an active attacker on a fragmented
// direct link acts on whole frames: it holds fragments until the frame is
// complete and fragments its edit again under the original sequence number.
func TestDLRelayHoldsEditsAndRefragments(t *testing.T) {
	orig, err := dlink.Marshal(dlink.StatusFrame{TxID: 7, Status: dlink.StatusOK, Reason: strings.Repeat("a", 100)})
	if err != nil {
		t.Fatal(err)
	}
	edited, err := dlink.Marshal(dlink.StatusFrame{TxID: 7, Status: dlink.StatusAuthFailure, Reason: strings.Repeat("b", 120)})
	if err != nil {
		t.Fatal(err)
	}
	const mtu = 40
	frags, err := dlink.Fragment(orig, mtu, 9)
	if err != nil {
		t.Fatal(err)
	}
	from := netip.MustParseAddrPort("127.0.3.1:47800")
	to := netip.MustParseAddrPort("127.0.3.2:47800")
	pk := func(b []byte) transport.Packet {
		return transport.Packet{Kind: transport.DL, From: from, To: to, Payload: b}
	}
	calls := 0
	r := newDLRelay(mtu, func(p transport.Packet, frame []byte) ([]byte, bool) {
		calls++
		if !bytes.Equal(frame, orig) {
			t.Errorf("edit got %d bytes, not the reassembled frame", len(frame))
		}
		return edited, true
	})
	run := func() []transport.Packet {
		var out []transport.Packet
		for i, f := range frags {
			got := r.intercept(pk(f))
			if i < len(frags)-1 && got != nil {
				t.Fatalf("fragment %d delivered before the frame was complete", i)
			}
			if i == 1 {
				if dup := r.intercept(pk(f)); dup != nil {
					t.Fatalf("a duplicate held fragment was delivered")
				}
			}
			out = got
		}
		return out
	}
	out := run()
	var re dlink.Reassembler
	var frame []byte
	for _, p := range out {
		if p.Payload[1] != 9 {
			t.Errorf("sequence number %d, want the original 9", p.Payload[1])
		}
		if len(p.Payload) > mtu || p.To != to || p.From != from {
			t.Errorf("bad fragment %s", Describe(p))
		}
		if frame, err = re.Push(p.Payload); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(frame, edited) {
		t.Fatalf("delivered frame is not the edit")
	}
	// A retransmission of the same frame gets the same answer, edit not called again.
	again := run()
	if calls != 1 || len(again) != len(out) || !bytes.Equal(again[0].Payload, out[0].Payload) {
		t.Fatalf("retransmission: %d edit calls, %d fragments", calls, len(again))
	}
	// Other links and unedited frames pass untouched.
	n2 := transport.Packet{Kind: transport.N2, Payload: []byte{1, 2, 3}}
	if got := r.intercept(n2); len(got) != 1 || !bytes.Equal(got[0].Payload, n2.Payload) {
		t.Fatal("an N2 packet was not passed")
	}
	pass := newDLRelay(mtu, func(transport.Packet, []byte) ([]byte, bool) { return nil, false })
	var got []transport.Packet
	for _, f := range frags {
		got = append(got, pass.intercept(pk(f))...)
	}
	if len(got) != len(frags) {
		t.Fatalf("unedited frame: %d fragments delivered, want %d", len(got), len(frags))
	}
	for i := range got {
		if !bytes.Equal(got[i].Payload, frags[i]) {
			t.Errorf("unedited fragment %d changed", i)
		}
	}
	if bad := pass.intercept(pk([]byte{0xD1, 1, 5, 2})); len(bad) != 1 {
		t.Fatal("a malformed fragment must pass to the receiver")
	}
}

// Reference: TS 33.501 Annex C.3.4.2 (Profile B: compressed P-256 points);
// reference/3gpp.md §6.4 C4 (invalid-curve SUCI).
func TestOffCurveXHasNoPoint(t *testing.T) {
	x := offCurveX()
	for _, prefix := range []byte{0x02, 0x03} {
		if px, _ := elliptic.UnmarshalCompressed(elliptic.P256(), append([]byte{prefix}, x...)); px != nil {
			t.Fatalf("x %x decompresses to a point", x)
		}
	}
}

// Reference: TS 24.501 §9.11.3.4 (SUCI layout); reference/3gpp.md §6.4 C4.
func TestMalformSUCI(t *testing.T) {
	out := append(bytes.Repeat([]byte{0x11}, ident.ProfileAPublicKeyLen), bytes.Repeat([]byte{0x22}, 5+ident.ECIESMACLen)...)
	s := ident.SUCI{SUPIType: ident.SUPITypeIMSI, PLMN: ident.PLMN{MCC: "001", MNC: "01"}, RoutingIndicator: "0",
		Scheme: ident.SchemeProfileA, KeyID: 1, SchemeOutput: out}
	mi, err := s.MarshalNAS()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		mode   string
		scheme byte
		check  func(out []byte) bool
	}{
		{SUCIOffCurve, byte(ident.SchemeProfileB), func(o []byte) bool { return o[0] == 0x02 && bytes.Equal(o[1:33], offCurveX()) }},
		{SUCILowOrder, byte(ident.SchemeProfileA), func(o []byte) bool {
			return bytes.Equal(o[:32], make([]byte, 32)) && bytes.Equal(o[32:], out[32:])
		}},
		{SUCIBadMAC, byte(ident.SchemeProfileA), func(o []byte) bool {
			return bytes.Equal(o[:len(o)-1], out[:len(out)-1]) && o[len(o)-1] != out[len(out)-1]
		}},
		{SUCIOversize, byte(ident.SchemeProfileA), func(o []byte) bool { return len(o) == oversizeOutput && bytes.HasPrefix(o, out) }},
		{SUCIUnknownScheme, 0x0B, func(o []byte) bool { return bytes.Equal(o, out) }},
	}
	for _, tc := range tests {
		a := &RewriteSUCIArgs{Mode: tc.mode}
		if err := a.Validate(); err != nil {
			t.Fatal(err)
		}
		got, err := a.malform(mi)
		if err != nil {
			t.Fatalf("%s: %v", tc.mode, err)
		}
		if !bytes.Equal(got[:6], mi[:6]) || got[6] != tc.scheme || !tc.check(got[suciHeader:]) {
			t.Errorf("%s: malformed identity %x", tc.mode, got)
		}
	}
	if _, err := (&RewriteSUCIArgs{Mode: SUCIBadMAC}).malform([]byte{0x02, 1, 2, 3}); err == nil {
		t.Error("a GUTI was malformed as a SUCI")
	}
}
