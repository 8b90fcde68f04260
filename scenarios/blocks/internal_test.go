package blocks

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/ue/dlink"
)

// Reference: reference/3gpp.md §5.4 — direct-link frames travel as
// fragments; a frame-type selector must follow every fragment of a frame.
func TestDLFrameMatchFollowsFragments(t *testing.T) {
	frame, err := dlink.Marshal(dlink.StatusFrame{TxID: 7, Status: 1, Reason: strings.Repeat("r", 100)})
	if err != nil {
		t.Fatal(err)
	}
	frags, err := dlink.Fragment(frame, 40, 9)
	if err != nil {
		t.Fatal(err)
	}
	if len(frags) < 3 {
		t.Fatalf("want several fragments, got %d", len(frags))
	}
	from := netip.MustParseAddrPort("127.0.3.1:47800")
	pk := func(b []byte) transport.Packet { return transport.Packet{Kind: transport.DL, From: from, Payload: b} }
	status := dlFrameMatch(dlink.TypeStatus)
	auth := dlFrameMatch(dlink.TypeAuthRequest)
	for i, f := range frags {
		if !status(pk(f)) {
			t.Errorf("fragment %d of a Status frame not selected", i)
		}
		if auth(pk(f)) {
			t.Errorf("fragment %d of a Status frame selected as AuthRequest", i)
		}
	}
	// A new message with the same sequence number but another type resets it.
	other, _ := dlink.Marshal(dlink.AuthConfirm{TxID: 1})
	otherFrags, _ := dlink.Fragment(other, 1500, 9)
	if status(pk(otherFrags[0])) {
		t.Error("an AuthConfirm selected as Status")
	}
	if status(pk(frags[1])) {
		t.Error("a stale later fragment still selected after the sequence was reused")
	}
	if status(transport.Packet{Kind: transport.N2, Payload: frags[0]}) || status(pk([]byte{1, 2})) {
		t.Error("non-DL or short packets selected")
	}
}

func TestParseBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []byte
		err  bool
	}{
		{"abc", []byte("abc"), false},
		{"hex: 7e 00:41", []byte{0x7e, 0x00, 0x41}, false},
		{"hex:", []byte{}, false},
		{"hex: 7", nil, true},
		{"hex: zz", nil, true},
	} {
		got, err := ParseBytes(c.in)
		if (err != nil) != c.err || !c.err && !bytes.Equal(got, c.want) {
			t.Errorf("ParseBytes(%q) = %x, %v", c.in, got, err)
		}
	}
}

func TestDescribeHasNoPayload(t *testing.T) {
	p := transport.Packet{Kind: transport.SBI, Method: "POST", Path: "/nausf-auth/v1/x?secret=1", Payload: []byte("K=00112233"),
		From: netip.MustParseAddrPort("127.0.0.18:80"), To: netip.MustParseAddrPort("127.0.0.9:80"), Injected: true}
	d := Describe(p)
	if strings.Contains(d, "K=") || strings.Contains(d, "secret") {
		t.Errorf("Describe leaks payload or query: %q", d)
	}
	if !strings.Contains(d, "SBI POST /nausf-auth/v1/x") || !strings.Contains(d, "injected") {
		t.Errorf("Describe = %q", d)
	}
}

func TestEditJSON(t *testing.T) {
	out, err := editJSON([]byte(`{"a":{"b":[1,2,3]},"c":1}`), []string{"c", "a.b.1"}, map[string][]byte{"a.d": []byte(`"x"`), "e.f": []byte(`true`)})
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"a":{"b":[1,3],"d":"x"},"e":{"f":true}}` {
		t.Errorf("got %s", out)
	}
	if _, err := editJSON([]byte("not json"), nil, nil); err == nil {
		t.Error("want an error for a non-JSON body")
	}
}

func TestDLFramesReassemblesPerSender(t *testing.T) {
	a := netip.MustParseAddrPort("127.0.3.1:47800")
	b := netip.MustParseAddrPort("127.0.3.2:47800")
	plain, _ := dlink.Marshal(dlink.PlainCredential{TxID: 1, Package: bytes.Repeat([]byte{0xAB}, 300)})
	status, _ := dlink.Marshal(dlink.StatusFrame{TxID: 1, Status: 0})
	fa, _ := dlink.Fragment(plain, 64, 1)
	fb, _ := dlink.Fragment(status, 64, 1)
	var pkts []transport.Packet
	for i := range fa { // interleave the two senders
		pkts = append(pkts, transport.Packet{Kind: transport.DL, From: a, Payload: fa[i]})
		if i < len(fb) {
			pkts = append(pkts, transport.Packet{Kind: transport.DL, From: b, Payload: fb[i]})
		}
	}
	pkts = append(pkts, transport.Packet{Kind: transport.N2, Payload: []byte{1}})
	frames, names := dlFrames(pkts)
	if len(frames) != 2 || strings.Join(names, ",") != "Status,PlainCredential" {
		t.Fatalf("got %d frames %v", len(frames), names)
	}
	if pc, ok := frames[1].(dlink.PlainCredential); !ok || len(pc.Package) != 300 {
		t.Errorf("plain credential not rebuilt: %#v", frames[1])
	}
}

// Reference: TS 24.501 §9.1.1, §9.3 — a forged message is a plain 5GMM
// message, or one behind an integrity header whose MAC the forger made up.
func TestForgedNAS(t *testing.T) {
	for _, c := range []struct {
		f    ForgedNAS
		want string
	}{
		{ForgedNAS{Message: "registration_reject", Cause: 3}, "7e004403"},
		{ForgedNAS{Message: "raw", Raw: Bytes{0x7e, 0x00, 0x54}}, "7e0054"},
		{ForgedNAS{Message: "registration_reject", Cause: 7, FakeMAC: true}, "7e01deadbeef2a7e004407"},
	} {
		b, err := c.f.Build()
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%x", b); got != c.want {
			t.Errorf("%+v: got %s, want %s", c.f, got, c.want)
		}
	}
	if (&ForgedNAS{Message: "hello"}).Validate() == nil || (&ForgedNAS{Message: "raw"}).Validate() == nil {
		t.Error("bad forged messages accepted")
	}
}

// Reference: TS 38.413 §9.2.5.2 — DOWNLINK NAS TRANSPORT carries both UE
// NGAP IDs and the NAS-PDU.
func TestViewN2(t *testing.T) {
	nas, _ := (&ForgedNAS{Message: "registration_reject", Cause: 3}).Build()
	b, err := (&ngapx.DownlinkNASTransport{AMFUENGAPID: 7, RANUENGAPID: 9, NASPDU: nas}).Build()
	if err != nil {
		t.Fatal(err)
	}
	v, ok := ViewN2(transport.Packet{Kind: transport.N2, Payload: b})
	if !ok || v.NGAP != "DownlinkNASTransport" || v.IDs.AMF != 7 || v.IDs.RAN != 9 || v.NASName() != "REGISTRATION REJECT" {
		t.Errorf("got %+v %v", v, ok)
	}
	if _, ok := ViewN2(transport.Packet{Kind: transport.N2, Payload: []byte{1, 2, 3}}); ok {
		t.Error("garbage parsed")
	}
	sel := Selector{Iface: Kinds{"n2"}, NAS: "registration reject"}
	if err := sel.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (&Selector{NAS: "HELLO"}).Validate(); err == nil {
		t.Error("unknown NAS name accepted")
	}
}
