package tsharktest_test

import (
	"strings"
	"testing"

	"github.com/credbed/credbed/internal/capture/tsharktest"
)

func TestDecodedCheck(t *testing.T) {
	d := &tsharktest.Decoded{Frames: []tsharktest.Frame{
		{Number: 1, Protocols: []string{"eth", "ip", "sctp", "ngap"}, Experts: []tsharktest.Expert{{Severity: tsharktest.Chat, Message: "hello"}}},
		{Number: 2, Protocols: []string{"eth", "ip", "udp", "pfcp"}, Fields: map[string]string{"pfcp.msg_type": "1"}},
	}}
	if err := d.Check("ngap", "pfcp"); err != nil {
		t.Fatalf("clean capture: %v", err)
	}
	if got := d.Values("pfcp", "pfcp.msg_type"); len(got) != 1 || got[0] != "1" {
		t.Fatalf("Values = %v", got)
	}
	d.Frames[1].Malformed = true
	d.Frames[0].Experts = append(d.Frames[0].Experts, tsharktest.Expert{Severity: tsharktest.Warn, Message: "odd"})
	err := d.Check("ngap", "http2")
	if err == nil {
		t.Fatal("Check passed a malformed frame, a warning and a missing protocol")
	}
	for _, want := range []string{"no frame decodes as http2", "frame 2: malformed", "frame 1: warning: odd"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if got := d.Problems(tsharktest.Error); len(got) != 1 {
		t.Errorf("Problems(Error) = %v, want only the malformed frame", got)
	}
	for s, want := range map[tsharktest.Severity]string{tsharktest.Comment: "comment", tsharktest.Note: "note", tsharktest.Error: "error", 7: "severity(0x7)"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(s), s, want)
		}
	}
}
