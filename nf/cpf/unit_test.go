package cpf

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/provproto"
	"github.com/credbed/credbed/internal/trace"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Reference: 3gpp.md §6.6 S1 (per-PD rate limits on an injected clock).
func TestLimiter(t *testing.T) {
	l := newLimiter(3, 1, 64)
	for i := range 3 {
		if ok, _ := l.take("a", t0, false); !ok {
			t.Fatalf("token %d refused", i)
		}
	}
	ok, wait := l.take("a", t0, false)
	if ok || wait != time.Second {
		t.Fatalf("4th token: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := l.take("b", t0, false); !ok {
		t.Fatal("another key shares the bucket")
	}
	if ok, _ := l.take("a", t0.Add(500*time.Millisecond), false); ok {
		t.Fatal("half a token was enough")
	}
	if ok, _ := l.take("a", t0.Add(1500*time.Millisecond), false); !ok {
		t.Fatal("refill did not happen")
	}
	if ok, _ := l.peek("never-seen", t0); !ok {
		t.Fatal("a new key has no token")
	}
	l.take("c", t0, true)
	l.take("c", t0, true)
	l.take("c", t0, true)
	l.take("c", t0, true) // forced below zero stays at zero
	if ok, w := l.peek("c", t0); ok || w != time.Second {
		t.Fatalf("peek after charges: %v %v", ok, w)
	}
	// Bounded memory: a key-rotating flood never grows a shard past its bound.
	small := newLimiter(1, 1, 0)
	for i := range 10000 {
		small.take(strings.Repeat("k", i%50)+string(rune('a'+i%26))+string(rune(i)), t0, false)
	}
	for i := range small.shards {
		if n := len(small.shards[i].m); n > small.max {
			t.Fatalf("shard %d holds %d keys, bound %d", i, n, small.max)
		}
	}
}

func TestKAFCache(t *testing.T) {
	c := newKAFCache(time.Minute, 0)
	k := akmaKey{supi: "imsi-001010000000001", expiry: t0.Add(30 * time.Second)}
	c.put("a@b", k, t0)
	if got, ok := c.get("a@b", t0.Add(29*time.Second)); !ok || got.supi != k.supi {
		t.Fatal("cached key not found")
	}
	if _, ok := c.get("a@b", t0.Add(30*time.Second)); ok {
		t.Fatal("key used past the AAnF's expiry")
	}
	c.put("c@d", akmaKey{supi: "x"}, t0)
	if _, ok := c.get("c@d", t0.Add(time.Minute)); ok {
		t.Fatal("key used past the cache TTL")
	}
	off := newKAFCache(-1, 0)
	off.put("a@b", k, t0)
	if _, ok := off.get("a@b", t0); ok {
		t.Fatal("disabled cache returned a key")
	}
}

func TestDecodeKey256(t *testing.T) {
	var want aka.Key256
	for i := range want {
		want[i] = byte(i)
	}
	for _, s := range []string{hex.EncodeToString(want[:]), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"} {
		if got, ok := decodeKey256(s); !ok || got != want {
			t.Errorf("decodeKey256(%q) = %v", s, ok)
		}
	}
	for _, s := range []string{"", "zz", strings.Repeat("0", 62)} {
		if _, ok := decodeKey256(s); ok {
			t.Errorf("decodeKey256(%q) accepted", s)
		}
	}
}

// Reference: TS 29.510 SupiRange (start/end); 3gpp.md §5.4 item 4 (allowed SUPI range).
func TestRanges(t *testing.T) {
	plmn := ident.PLMN{MCC: "001", MNC: "01"}
	rs := usableRanges([]SupiRange{
		{Start: "001010000000010", End: "001010000000012"},
		{Start: "001020000000000", End: "001020000000009"}, // another PLMN: dropped
		{Start: "00101000000009", End: "001010000000099"},  // lengths differ: dropped
		{Start: "001010000000020", End: "001010000000019"}, // reversed: dropped
		{Start: "001010000000099", End: "001010000000099"},
	}, plmn)
	if len(rs) != 2 {
		t.Fatalf("%d usable ranges, want 2", len(rs))
	}
	want := []string{"imsi-001010000000010", "imsi-001010000000011", "imsi-001010000000012", "imsi-001010000000099"}
	for i, w := range want {
		if got := nthSUPI(rs, uint64(i)); got != w {
			t.Errorf("nthSUPI(%d) = %s, want %s", i, got, w)
		}
		if !inRanges(rs, w) {
			t.Errorf("%s not in ranges", w)
		}
	}
	for _, s := range []string{"imsi-001010000000013", "imsi-00101000000001", "nai-x@y", "imsi-001020000000001"} {
		if inRanges(rs, s) {
			t.Errorf("%s in ranges", s)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	var c Config
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.PathRoot != "/cpf" || c.AFID != DefaultAFID || c.PLMN.MCC != "001" || c.ProvisionTTL != DefaultProvisionTTL ||
		c.Store != StoreBolt || len(c.TargetDNNs) != 1 || c.SBIAddr != DefaultSBIAddr {
		t.Fatalf("defaults: %+v", c)
	}
	for name, bad := range map[string]Config{
		"root":    {PathRoot: "/"},
		"ri":      {RoutingIndicator: "12345"},
		"hnkey":   {HNKeys: []credential.HNKey{{Scheme: credential.SchemeProfileA, Public: []byte{1}}}},
		"ttl":     {ProvisionTTL: time.Millisecond},
		"sbi":     {SBIAddr: netipMust("10.0.0.1:80")},
		"udr":     {UDRAPIRoot: "udr:80"},
		"store":   {Store: "redis"},
		"plmnbad": {PLMN: ident.PLMN{MCC: "1", MNC: "1"}},
	} {
		if err := bad.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := New(Config{}, Deps{}); !errors.Is(err, ErrNoPeers) {
		t.Errorf("New without peers: %v", err)
	}
	if _, err := New(Config{}, Deps{HTTP: http.DefaultClient}); !errors.Is(err, ErrConfig) {
		t.Errorf("New bolt without path: %v", err)
	}
}

func TestRefusalReply(t *testing.T) {
	r := &Refusal{Status: http.StatusTooManyRequests, Cause: CauseRateLimited, Detail: "slow down", RetryAfter: 1500 * time.Millisecond}
	rep := r.Reply()
	if rep.Status != 429 || rep.Header.Get("Retry-After") != "2" || rep.ContentType != provproto.ContentProblem || rep.Refusal != r {
		t.Fatalf("reply %+v", rep)
	}
	p, err := provproto.DecodeProblem(rep.Body)
	if err != nil || p.Cause != CauseRateLimited || p.Status != 429 || p.Title != "Too Many Requests" {
		t.Fatalf("problem %+v %v", p, err)
	}
	if (&Refusal{Status: 503, RetryAfter: time.Millisecond}).Reply().Header.Get("Retry-After") != "1" {
		t.Fatal("Retry-After below one second")
	}
	j := JSONReply(200, map[string]int{"a": 1}).With("X-A", "1")
	if string(j.Body) != `{"a":1}` || j.Header.Get("X-A") != "1" {
		t.Fatalf("%+v", j)
	}
	if JSONReply(200, func() {}).Status != 500 {
		t.Fatal("an unencodable reply is not a 500")
	}
}

func TestServe(t *testing.T) {
	rec := trace.NewRecorder(nil)
	c, err := New(Config{Store: StoreMem}, Deps{HTTP: http.DefaultClient, Trace: rec})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mount("Bad", nil); !errors.Is(err, ErrMount) {
		t.Fatalf("bad mount: %v", err)
	}
	called := 0
	err = c.Mount("echo", func(b *Backend, prefix string) (http.Handler, error) {
		if prefix != "/cpf/echo" {
			t.Errorf("prefix %q", prefix)
		}
		return b.Serve("Echo", func(call *Call) Reply {
			called++
			call.PD, call.Target = "imsi-001010000000001", "imsi-001010000000002"
			if call.Source() != "10.45.0.9" || call.RequestTarget() != "/cpf/echo/x?y=1" {
				t.Errorf("source %q target %q", call.Source(), call.RequestTarget())
			}
			return Refuse(http.StatusForbidden, CauseNotEntitled, "no").Reply()
		}), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Mount("echo", func(*Backend, string) (http.Handler, error) { return http.NotFoundHandler(), nil }); !errors.Is(err, ErrMount) {
		t.Fatalf("duplicate mount: %v", err)
	}
	req := httptest.NewRequest("POST", "/cpf/echo/x?y=1", bytes.NewReader([]byte("{}")))
	req.RemoteAddr = "10.45.0.9:1234"
	w := httptest.NewRecorder()
	c.Handler().ServeHTTP(w, req)
	if w.Code != 403 || called != 1 {
		t.Fatalf("status %d called %d", w.Code, called)
	}
	rej := rec.Filter(trace.Match(trace.Event{Kind: trace.KindReject, Name: "Echo", Cause: CauseNotEntitled, SUPI: "imsi-001010000000002"}))
	if len(rej) != 1 || rej[0].Iface != trace.IfaceAPI || rej[0].Peer != "10.45.0.9" || !strings.Contains(rej[0].Detail, "pd=imsi-001010000000001") {
		t.Fatalf("reject events %+v", rej)
	}
	// An oversize body is refused before the profile sees it.
	req = httptest.NewRequest("POST", "/cpf/echo/x", bytes.NewReader(make([]byte, provproto.MaxBody+1)))
	w = httptest.NewRecorder()
	c.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusRequestEntityTooLarge || called != 1 {
		t.Fatalf("oversize: %d, called %d", w.Code, called)
	}
	// Elsewhere: 404 ProblemDetails.
	w = httptest.NewRecorder()
	c.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/other", nil))
	if w.Code != 404 || !strings.Contains(w.Body.String(), CauseNoResource) {
		t.Fatalf("elsewhere: %d %s", w.Code, w.Body.String())
	}
	if got := c.Profiles(); len(got) != 1 || got[0] != "echo" {
		t.Fatalf("profiles %v", got)
	}
}

func TestPrincipalString(t *testing.T) {
	var k aka.Key256
	k[0] = 0xAB
	s := Principal{SUPI: "imsi-1", KAF: k}.String()
	if strings.Contains(strings.ToLower(s), "ab") {
		t.Fatalf("principal prints K_AF: %s", s)
	}
}

func netipMust(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
