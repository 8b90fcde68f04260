package reports_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/net/html"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/reports"
)

// evil is attacker-controlled text that must never become markup.
const evil = `<script>alert(1)</script>`

var _ = Describe("HTML report", func() {
	var run *reports.Run
	BeforeEach(func() { run = sampleRun() })

	render := func(r *reports.Run) string {
		var buf bytes.Buffer
		Expect(reports.WriteHTML(&buf, r)).To(Succeed())
		return buf.String()
	}

	It("is one HTML document with a single inline script and no external resource", func() {
		out := render(run)
		doc, err := html.Parse(strings.NewReader(out))
		Expect(err).NotTo(HaveOccurred())

		Expect(elements(doc, "script")).To(HaveLen(1), "only the page's own inline script")
		for _, tag := range []string{"link", "img", "iframe", "object", "embed", "audio", "video", "source", "base", "form"} {
			Expect(elements(doc, tag)).To(BeEmpty(), "no <%s>", tag)
		}
		Expect(elements(doc, "style")).To(HaveLen(1))
		Expect(textOf(elements(doc, "style")[0])).NotTo(ContainSubstring("url("))
		Expect(textOf(elements(doc, "style")[0])).NotTo(ContainSubstring("@import"))

		csp := ""
		for _, m := range elements(doc, "meta") {
			if attr(m, "http-equiv") == "Content-Security-Policy" {
				csp = attr(m, "content")
			}
		}
		Expect(csp).To(ContainSubstring("default-src 'none'"))
		Expect(csp).To(MatchRegexp(`script-src 'sha256-[A-Za-z0-9+/=]{44}'`))

		// Every src/href: in-page anchors, or captures' relative links.
		captures := map[string]bool{}
		for _, s := range run.Scenarios {
			captures[s.Capture] = true
		}
		walk(doc, func(n *html.Node) {
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				v := strings.TrimSpace(a.Val)
				if key == "src" || key == "srcset" || key == "poster" || key == "data" || key == "action" {
					Fail(fmt.Sprintf("<%s %s=%q>: no resource attributes expected", n.Data, a.Key, a.Val))
				}
				if key == "href" || strings.HasSuffix(key, ":href") {
					low := strings.ToLower(v)
					Expect(low).NotTo(HavePrefix("http://"))
					Expect(low).NotTo(HavePrefix("https://"))
					Expect(low).NotTo(HavePrefix("//"))
					if !strings.HasPrefix(v, "#") {
						Expect(captures).To(HaveKey(v), "non-anchor link %q is a capture", v)
						Expect(v).To(HavePrefix("captures/"))
					}
				}
				if key == "style" {
					Expect(strings.ToLower(v)).NotTo(ContainSubstring("url("))
				}
			}
		})
		// Every in-page anchor has its target.
		ids := map[string]bool{}
		walk(doc, func(n *html.Node) {
			if id := attr(n, "id"); id != "" {
				Expect(ids).NotTo(HaveKey(id), "duplicate id %q", id)
				ids[id] = true
			}
		})
		walk(doc, func(n *html.Node) {
			if h := attr(n, "href"); strings.HasPrefix(h, "#") {
				Expect(ids).To(HaveKey(h[1:]), "anchor %q has a target", h)
			}
		})
	})

	It("shows the run's settings, totals, every scenario result and a capture badge", func() {
		out := render(run)
		doc, err := html.Parse(strings.NewReader(out))
		Expect(err).NotTo(HaveOccurred())
		header := textOf(elements(doc, "header")[0])
		Expect(header).To(ContainSubstring("FAIL"))
		Expect(header).To(ContainSubstring(fmt.Sprint(run.Seed)))
		Expect(header).To(ContainSubstring("mem"))
		Expect(header).To(ContainSubstring("tcp-framed"))
		Expect(header).To(ContainSubstring("baseline, secure"))

		rows := withClass(doc, "tr", "passed")
		failed := withClass(doc, "tr", "failed")
		Expect(rows).To(HaveLen(run.Totals.Passed))
		Expect(failed).To(HaveLen(run.Totals.Failed))
		Expect(textOf(failed[0])).To(ContainSubstring("T3-01"))
		Expect(textOf(failed[0])).To(ContainSubstring("FAIL"))

		details := withClass(doc, "details", "scenario")
		Expect(details).To(HaveLen(len(run.Scenarios)))
		for _, d := range details {
			if hasClass(d, "failed") {
				Expect(hasAttr(d, "open")).To(BeTrue(), "failed results start open")
				Expect(textOf(d)).To(ContainSubstring("expected blocked, got succeeded"))
			}
		}
		secretRows := 0
		for _, tr := range append(rows, failed...) {
			if len(withClass(tr, "span", "secrets")) > 0 {
				secretRows++
				Expect(textOf(tr)).To(ContainSubstring("baseline"))
			}
		}
		Expect(secretRows).To(Equal(2), "both baseline results carry plaintext secrets on purpose")
		Expect(elements(doc, "svg")).To(HaveLen(len(run.Scenarios)), "one sequence chart per result")
	})

	It("colours the threats x profiles matrix and covers R1-R3", func() {
		doc, err := html.Parse(strings.NewReader(render(run)))
		Expect(err).NotTo(HaveOccurred())
		tables := withClass(doc, "table", "matrix")
		Expect(tables).To(HaveLen(2))
		cells := func(t *html.Node) map[string][]string { // row id -> classes of its cells (baseline, secure)
			out := map[string][]string{}
			for _, tr := range elements(t, "tr") {
				th := elements(tr, "th")
				if len(th) == 0 || !hasClass(th[0], "row") || len(elements(tr, "td")) == 0 {
					continue
				}
				id := strings.TrimSpace(th[0].FirstChild.Data)
				for _, td := range withClass(tr, "td", "cell") {
					out[id] = append(out[id], strings.TrimSpace(strings.TrimPrefix(attr(td, "class"), "cell")))
				}
			}
			return out
		}
		threats := cells(tables[0])
		Expect(threats).To(Equal(map[string][]string{
			"T1": {"residual", "pass"},
			"T2": {"attack", "pass"},
			"T3": {"attack", "fail"},
		}))
		reqs := cells(tables[1])
		Expect(reqs).To(HaveKey("R1"))
		Expect(reqs).To(HaveKey("R2"))
		Expect(reqs).To(HaveKey("R3"))
		Expect(reqs["R3"]).To(Equal([]string{"attack", "fail"}))
		Expect(textOf(tables[0])).To(ContainSubstring("T3-01"), "cells name their scenario ids")
	})

	It("escapes attacker-controlled text everywhere", func() {
		out := render(run)
		Expect(out).NotTo(ContainSubstring(evil))
		doc, err := html.Parse(strings.NewReader(out))
		Expect(err).NotTo(HaveOccurred())
		Expect(elements(doc, "script")).To(HaveLen(1))
		Expect(textOf(doc)).To(ContainSubstring(evil), "shown as text")
		for _, svg := range elements(doc, "svg") {
			Expect(elements(svg, "script")).To(BeEmpty())
			Expect(elements(svg, "foreignobject")).To(BeEmpty())
		}
		walk(doc, func(n *html.Node) {
			for _, a := range n.Attr {
				Expect(strings.ToLower(a.Key)).NotTo(HavePrefix("on"), "no event handler attributes")
			}
		})
	})

	It("draws every chart as well-formed XML", func() {
		out := render(run)
		charts := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(out, -1)
		Expect(charts).To(HaveLen(len(run.Scenarios)))
		for _, c := range charts {
			Expect(wellFormed(c)).To(Succeed())
		}
	})

	It("links a capture only by a plain relative path", func() {
		r := &reports.Run{Seed: 1, Mode: "mem"}
		for i, c := range []string{"http://evil.example/x.pcap", "https://x/y.pcap", "//host/x.pcap", "/etc/passwd",
			"../outside.pcap", "javascript:alert(1)", `captures\x.pcap`, "captures/ok-secure.pcap"} {
			r.Scenarios = append(r.Scenarios, reports.ScenarioResult{ID: fmt.Sprintf("X-%02d", i), Profile: "secure", Passed: true, Capture: c})
		}
		r.Finish()
		doc, err := html.Parse(strings.NewReader(render(r)))
		Expect(err).NotTo(HaveOccurred())
		var links []string
		for _, a := range withClass(doc, "a", "capture") {
			links = append(links, attr(a, "href"))
		}
		Expect(links).To(ConsistOf("captures/ok-secure.pcap", "captures/ok-secure.pcap"))
		Expect(textOf(doc)).To(ContainSubstring("http://evil.example/x.pcap"), "unsafe captures are named, not linked")
	})

	It("renders an empty run", func() {
		out := render(&reports.Run{})
		Expect(out).To(ContainSubstring("No scenario results."))
		_, err := html.Parse(strings.NewReader(out))
		Expect(err).NotTo(HaveOccurred())
		Expect(reports.WriteHTML(io.Discard, nil)).NotTo(Succeed())
	})
})

var _ = Describe("Sequence chart", func() {
	It("bounds the chart and says how many events were omitted", func() {
		var evs []trace.Event
		for i := range 450 {
			evs = append(evs, trace.Event{Seq: uint64(i + 1), Kind: trace.KindMessage, Actor: "gnb", Peer: "amf", Iface: "N2", Name: "UplinkNASTransport"})
		}
		svg := reports.SequenceSVG(evs, reports.ChartOptions{})
		Expect(wellFormed(svg)).To(Succeed())
		Expect(strings.Count(svg, `<g class="ev `)).To(Equal(reports.MaxChartEvents))
		Expect(svg).To(ContainSubstring("50 more events omitted"))

		small := reports.SequenceSVG(evs[:10], reports.ChartOptions{MaxEvents: 4})
		Expect(strings.Count(small, `<g class="ev `)).To(Equal(4))
		Expect(small).To(ContainSubstring("6 more events omitted"))
	})

	It("derives lanes in order of first appearance and draws each kind of event", func() {
		evs := []trace.Event{
			{Seq: 1, Kind: trace.KindMessage, Actor: "ue/imsi-001010000000001", Peer: "gnb", Iface: "N1", Name: "RegistrationRequest"},
			{Seq: 2, Kind: trace.KindRequest, Actor: "ausf", Peer: "amf", Name: "Nausf_UEAuthentication_Authenticate"},
			{Seq: 3, Kind: trace.KindResponse, Actor: "ausf", Peer: "amf", Name: "Nausf_UEAuthentication_Authenticate", Status: 201},
			{Seq: 4, Kind: trace.KindKey, Actor: "ausf", Name: "KAUSF", Detail: "derived-from-CK-IK"},
			{Seq: 5, Kind: trace.KindState, Actor: "amf", Name: "5GMM-REGISTERED", SUPI: "imsi-001010000000001"},
			{Seq: 6, Kind: trace.KindAttack, Actor: "attacker", Peer: "cpf", Name: "replay DeprovisionRequest"},
			{Seq: 7, Kind: trace.KindDrop, Actor: "td/td-0001", Peer: "attacker", Name: "CredentialDelivery", Cause: "duplicate"},
			{Seq: 8, Kind: trace.KindReject, Actor: "amf", Peer: "ue/imsi-001010000000001", Name: "RegistrationReject", Cause: "5GMM#3"},
			{Seq: 9, Kind: trace.KindFault, Actor: "fault", Name: "restart udm"},
			{Seq: 10, Kind: trace.KindMessage, Actor: "pd", Peer: "td/td-0001", Iface: "DL", Name: "AuthRequest", Detail: "tx"},
			{Seq: 11, Kind: trace.KindMessage, Actor: "td/td-0001", Peer: "pd", Iface: "DL", Name: "AuthRequest", Detail: "rx"},
			{Seq: 12, Kind: trace.KindMessage, Actor: "td/td-0001", Iface: "DL", Name: "AuthResponse", Detail: "tx"},
		}
		svg := reports.SequenceSVG(evs, reports.ChartOptions{})
		Expect(wellFormed(svg)).To(Succeed())
		var lanes []string
		for _, m := range regexp.MustCompile(`<g class="lane"><title>([^<]*)</title>`).FindAllStringSubmatch(svg, -1) {
			lanes = append(lanes, m[1])
		}
		Expect(lanes).To(Equal([]string{"ue/imsi-001010000000001", "gnb", "ausf", "amf", "attacker", "cpf", "td/td-0001", "fault", "pd"}))
		Expect(strings.Count(svg, `<g class="ev `)).To(Equal(len(evs)-1), "the rx of a drawn tx is folded into its arrow")
		Expect(svg).To(ContainSubstring("201 Nausf_UEAuthentication_Authenticate"))
		Expect(svg).To(ContainSubstring("key KAUSF"))
		Expect(svg).NotTo(ContainSubstring("derived-from-CK-IK"), "key events show names only")
		Expect(svg).To(ContainSubstring("RegistrationReject cause 5GMM#3"))
		Expect(svg).To(ContainSubstring("drop CredentialDelivery (duplicate)"))
		Expect(svg).To(ContainSubstring("#b4009e"), "attacker actions in their own colour")
		Expect(svg).To(ContainSubstring("fault: restart udm"))
		Expect(svg).To(ContainSubstring("\u2192 AuthResponse"), "a message without peer is a note")
	})

	It("maps addresses to actors with aliases, so one device has one lane", func() {
		evs := []trace.Event{
			{Seq: 1, Kind: trace.KindMessage, Actor: "pd", Peer: "127.0.0.2:47800", Iface: "DL", Name: "AuthRequest", Detail: "tx"},
			{Seq: 2, Kind: trace.KindMessage, Actor: "td/td-0001", Peer: "127.0.0.1:47800", Iface: "DL", Name: "AuthRequest", Detail: "rx"},
			{Seq: 3, Kind: trace.KindDrop, Actor: "upf", Peer: "127.0.0.9:2152", Iface: "N3", Name: "G-PDU", Cause: "unknown-teid"},
		}
		svg := reports.SequenceSVG(evs, reports.ChartOptions{Aliases: map[string]string{
			"127.0.0.2": "td/td-0001", "127.0.0.1:47800": "pd", "127.0.0.9": "gnb"}})
		Expect(wellFormed(svg)).To(Succeed())
		lanes := regexp.MustCompile(`<g class="lane"><title>([^<]*)</title>`).FindAllStringSubmatch(svg, -1)
		Expect(lanes).To(HaveLen(4))
		Expect([]string{lanes[0][1], lanes[1][1], lanes[2][1], lanes[3][1]}).To(Equal([]string{"pd", "td/td-0001", "upf", "gnb"}))
		Expect(strings.Count(svg, `<g class="ev `)).To(Equal(2), "the rx is folded into the tx arrow")
	})

	It("escapes text and replaces characters XML forbids", func() {
		svg := reports.SequenceSVG([]trace.Event{
			{Seq: 1, Kind: trace.KindAttack, Actor: "attacker\x00", Peer: evil, Name: evil + "\x01\xff&'\""},
			{Seq: 2, Kind: trace.KindNote, Actor: "amf", Name: "]]><x/>", Detail: evil},
		}, reports.ChartOptions{})
		Expect(wellFormed(svg)).To(Succeed())
		Expect(svg).NotTo(ContainSubstring("<script"))
		Expect(svg).NotTo(ContainSubstring("<x/>"))
	})

	It("draws an empty trace", func() {
		svg := reports.SequenceSVG(nil, reports.ChartOptions{})
		Expect(wellFormed(svg)).To(Succeed())
		Expect(svg).To(ContainSubstring("no trace events"))
	})

	DescribeTable("lane labels",
		func(actor, kind, id string) {
			k, i := reports.LaneLabel(actor)
			Expect(k).To(Equal(kind))
			Expect(i).To(Equal(id))
		},
		Entry("NF", "amf", "AMF", ""),
		Entry("AAnF", "aanf", "AAnF", ""),
		Entry("gNB", "gnb", "gNB", ""),
		Entry("UE by SUPI", "ue/imsi-001010000000001", "UE", "imsi-001010000000001"),
		Entry("TD", "td/td-0001", "TD", "td-0001"),
		Entry("PD", "pd", "PD", ""),
		Entry("numbered instance", "amf-2", "AMF 2", ""),
		Entry("numbered gNB with id", "gnb1/cell-7", "gNB 1", "cell-7"),
		Entry("attacker", "attacker", "attacker", ""),
		Entry("address", "127.0.0.1:2152", "127.0.0.1:2152", ""),
		Entry("unknown kind", "widget/7", "widget", "7"),
		Entry("empty", "", "(unknown)", ""),
	)
})

var _ = Describe("HTML report in headless Chromium", Label("browser"), func() {
	var (
		bin string
		dir string
	)
	BeforeEach(func() {
		bin = chromiumBinary()
		if bin == "" {
			Skip("Chromium not installed (apt-get install -y chromium): skipping the browser checks of report.html")
		}
		dir = GinkgoT().TempDir()
	})

	It("renders the page without console errors, runs its script and paints the matrix", func() {
		run := sampleRun()
		page := filepath.Join(dir, "report.html")
		var buf bytes.Buffer
		Expect(reports.WriteHTML(&buf, run)).To(Succeed())
		Expect(os.WriteFile(page, buf.Bytes(), 0o644)).To(Succeed())

		shot := filepath.Join(dir, "report.png")
		stderr, err := chromium(bin, dir, "shot", "--enable-logging=stderr", "--v=0", "--screenshot="+shot, "file://"+page)
		Expect(err).NotTo(HaveOccurred(), "chromium: %s", stderr)
		Expect(consoleErrors(stderr)).To(BeEmpty())

		dom, err := chromium(bin, dir, "dom", "--dump-dom", "file://"+page)
		Expect(err).NotTo(HaveOccurred())
		Expect(dom).To(ContainSubstring(`data-report-script="ok"`), "the inline script ran to its end (CSP hash accepted)")
		Expect(dom).To(ContainSubstring(fmt.Sprintf(`data-report-charts="%d"`, len(run.Scenarios))))

		info, err := os.Stat(shot)
		Expect(err).NotTo(HaveOccurred())
		Expect(info.Size()).To(BeNumerically(">", 30<<10), "a non-trivial screenshot")
		f, err := os.Open(shot)
		Expect(err).NotTo(HaveOccurred())
		defer f.Close()
		img, err := png.Decode(f)
		Expect(err).NotTo(HaveOccurred())
		Expect(img.Bounds().Dx()).To(Equal(1400))
		Expect(img.Bounds().Dy()).To(Equal(2000))
		colours := countColours(img)
		Expect(len(colours)).To(BeNumerically(">=", 16), "not a single colour")
		// The matrix cells are painted with their verdict colours.
		for name, c := range map[string]color.RGBA{
			"pass": {0xc6, 0xef, 0xce, 0xff}, "fail": {0xff, 0xc7, 0xce, 0xff},
			"attack": {0xe4, 0xc1, 0xf9, 0xff}, "residual": {0xff, 0xeb, 0x9c, 0xff},
		} {
			Expect(colours[c]).To(BeNumerically(">", 500), "%s cells visible", name)
		}
		keep(page, shot)
	})

	It("has a console-error detector that catches an uncaught error (control)", func() {
		page := filepath.Join(dir, "broken.html")
		Expect(os.WriteFile(page, []byte(`<!DOCTYPE html><html><body><p>x</p><script>undefinedFunction()</script></body></html>`), 0o644)).To(Succeed())
		stderr, err := chromium(bin, dir, "control", "--enable-logging=stderr", "--v=0", "--screenshot="+filepath.Join(dir, "broken.png"), "file://"+page)
		Expect(err).NotTo(HaveOccurred(), "chromium: %s", stderr)
		Expect(consoleErrors(stderr)).NotTo(BeEmpty())
	})
})

// chromiumBinary returns the Chromium to use, or "" when none is installed.
func chromiumBinary() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

// chromium runs headless Chromium with a fresh profile under dir and
// returns its standard output (--dump-dom) or standard error (otherwise).
func chromium(bin, dir, profile string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile-"+profile), "--window-size=1400,2000", "--hide-scrollbars"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	// Chromium starts helper processes: run it in its own process group and
	// end the whole group on timeout.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return stderr.String(), fmt.Errorf("chromium timed out: %w", ctx.Err())
	}
	if err != nil {
		return stderr.String(), err
	}
	for _, a := range args {
		if a == "--dump-dom" {
			return stdout.String(), nil
		}
	}
	return stderr.String(), nil
}

// consoleErrors returns Chromium's log lines about the page's console
// (every console message is logged as ":CONSOLE"; the page logs none) and
// uncaught exceptions.
func consoleErrors(stderr string) []string {
	var out []string
	for _, line := range strings.Split(stderr, "\n") {
		if strings.Contains(line, ":CONSOLE") || strings.Contains(line, "Uncaught") {
			out = append(out, line)
		}
	}
	return out
}

// countColours counts the pixels of each colour of img.
func countColours(img image.Image) map[color.RGBA]int {
	out := map[color.RGBA]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			out[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}]++
		}
	}
	return out
}

// keep copies files into $CREDBED_HTML_KEEP, when set, to look at them.
func keep(paths ...string) {
	dst := os.Getenv("CREDBED_HTML_KEEP")
	if dst == "" {
		return
	}
	Expect(os.MkdirAll(dst, 0o755)).To(Succeed())
	for _, p := range paths {
		b, err := os.ReadFile(p)
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(dst, filepath.Base(p)), b, 0o644)).To(Succeed())
	}
	AddReportEntry("kept", dst)
}

// wellFormed parses s as a strict XML document.
func wellFormed(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if depth != 0 {
				return fmt.Errorf("unbalanced elements: depth %d", depth)
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

// HTML tree helpers.

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func elements(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	walk(n, func(c *html.Node) {
		if c.Type == html.ElementNode && c.Data == tag {
			out = append(out, c)
		}
	})
	return out
}

func withClass(n *html.Node, tag, class string) []*html.Node {
	var out []*html.Node
	for _, e := range elements(n, tag) {
		if hasClass(e, class) {
			out = append(out, e)
		}
	}
	return out
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

// sampleRun is a realistic run: two profiles, the reference flow, a forged
// provisioning request, a replayed deprovisioning that the secure profile
// fails to block (a failing result) and a direct-link eavesdropper.
func sampleRun() *reports.Run {
	t0 := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	r := &reports.Run{Seed: 1741082400, Mode: "mem", N2Carrier: "tcp-framed", Started: t0, Duration: 1873.4}

	type spec struct {
		id, title, desc      string
		threats, reqs        []string
		expect               map[string]string // profile -> expected
		outcome              map[string]string // profile -> outcome
		attacks              []string
		residual             map[string]bool
		attack, deprov, fail bool
	}
	specs := []spec{
		{id: "S-01", title: "reference provisioning, attach and deprovisioning", desc: "Steps 1-9 of the reference flow without attacker.",
			threats: []string{"T1"}, reqs: []string{"R1", "R2", "R3"},
			expect: map[string]string{"secure": "completed", "baseline": "completed"}, outcome: map[string]string{"secure": "completed", "baseline": "completed"},
			deprov: true},
		{id: "T1-02", title: "eavesdropper on the direct link", threats: []string{"T1"}, reqs: []string{"R1"},
			expect: map[string]string{"secure": "blocked", "baseline": "residual-risk"}, outcome: map[string]string{"secure": "blocked", "baseline": "residual-risk"},
			residual: map[string]bool{"baseline": true}, attacks: []string{"dl-eavesdrop"}, attack: true},
		{id: "T2-01", title: "forged provisioning request with a spoofed PD identity", threats: []string{"T2"}, reqs: []string{"R2"},
			expect: map[string]string{"secure": "blocked", "baseline": "succeeded"}, outcome: map[string]string{"secure": "blocked", "baseline": "succeeded"},
			attacks: []string{"cpf-spoof-pd"}, attack: true},
		{id: "T3-01", title: "replayed deprovisioning request " + evil, threats: []string{"T3"}, reqs: []string{"R3"},
			expect: map[string]string{"secure": "blocked", "baseline": "succeeded"}, outcome: map[string]string{"secure": "succeeded", "baseline": "succeeded"},
			attacks: []string{"replay-deprovision"}, attack: true, deprov: true, fail: true},
	}
	for _, sp := range specs {
		for _, prof := range []string{"baseline", "secure"} {
			s := reports.ScenarioResult{
				ID: sp.id, Title: sp.title, Description: sp.desc, Profile: prof,
				Threats: sp.threats, Requirements: sp.reqs, Labels: append([]string{"profile:" + prof}, sp.threats...),
				Expected: sp.expect[prof], Outcome: sp.outcome[prof], Residual: sp.residual[prof],
				Capture:        fmt.Sprintf("captures/%s-%s.pcap", sp.id, prof),
				CaptureSecrets: prof == "baseline" && sp.id == "T1-02" || prof == "baseline" && sp.id == "S-01",
				Attacks:        sp.attacks,
			}
			s.Passed = s.Expected == s.Outcome
			tr := sampleTrace(t0, prof, sp.attack, sp.deprov, sp.id)
			s.Trace = tr
			s.Aliases = map[string]string{pdDLAddr: "pd", "127.0.0.102": "td/td-0001", attackerDLAddr: "attacker"}
			s.Messages = map[string]int{}
			for _, e := range tr {
				if e.Kind == trace.KindMessage || e.Kind == trace.KindRequest {
					s.Messages[e.Name]++
				}
				if e.Cause != "" {
					s.Causes = appendOnce(s.Causes, e.Cause)
				}
			}
			s.DurationMS = float64(tr[len(tr)-1].At.Sub(tr[0].At)) / float64(time.Millisecond)
			s.Steps = []reports.StepResult{
				{Index: 1, Action: "register", Actor: "pd", OK: true, DurationMS: 3.1},
				{Index: 2, Action: "provision", Actor: "pd", OK: true, DurationMS: 9.7},
				{Index: 3, Action: "register", Actor: "td", OK: true, DurationMS: 2.8},
			}
			if sp.deprov {
				s.Steps = append(s.Steps, reports.StepResult{Index: 4, Action: "deprovision", Actor: "pd", OK: true, DurationMS: 4.4})
			}
			if sp.attack {
				s.Steps = append(s.Steps, reports.StepResult{Index: len(s.Steps) + 1, Action: "attack " + sp.attacks[0], Actor: "attacker", OK: true, DurationMS: 1.2})
			}
			s.Checks = []reports.CheckResult{
				{Name: "td-registered", OK: true},
				{Name: "no-kausf-for-rejected-supi", OK: true},
			}
			s.Invariants = []reports.CheckResult{
				{Name: "nas-integrity-after-smc", OK: true},
				{Name: "kseaf-after-res-star", OK: true},
				{Name: "no-credential-after-deprovisioning", OK: true},
			}
			if sp.fail && !s.Passed {
				s.Reason = "expected blocked, got succeeded: the CPF accepted a replayed counter"
				s.Checks = append(s.Checks, reports.CheckResult{Name: "replay-rejected", OK: false, Detail: "CPF answered 204 to a replayed counter " + evil})
				s.Steps[len(s.Steps)-1].OK = false
				s.Steps[len(s.Steps)-1].Error = "attack was not blocked: " + evil
			}
			r.Scenarios = append(r.Scenarios, s)
		}
	}
	r.Finish()
	return r
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// Direct-link addresses of the sample (the TD's is aliased by host only).
const (
	pdDLAddr       = "127.0.0.101:47800"
	tdDLAddr       = "127.0.0.102:47800"
	attackerDLAddr = "127.0.0.66:47800"
)

// sampleTrace is the trace of one run of the reference flow, with an
// attacker's actions and a deprovisioning when asked.
func sampleTrace(t0 time.Time, profile string, attack, deprov bool, id string) []trace.Event {
	var out []trace.Event
	at := t0
	add := func(step time.Duration, e trace.Event) {
		at = at.Add(step)
		e.Seq, e.At = uint64(len(out)+1), at
		out = append(out, e)
	}
	const us = time.Microsecond
	pdSUPI, tdSUPI := "imsi-001010000000001", "imsi-001010000000077"
	msg := func(from, to, iface, name string) trace.Event {
		return trace.Event{Kind: trace.KindMessage, Actor: from, Peer: to, Iface: iface, Name: name}
	}
	sbi := func(client, server, op string, status int) {
		add(40*us, trace.Event{Kind: trace.KindRequest, Actor: server, Peer: client, Name: op, Detail: "POST"})
		add(90*us, trace.Event{Kind: trace.KindResponse, Actor: server, Peer: client, Name: op, Status: status})
	}
	register := func(ue, supi string) {
		add(0, msg(ue, "gnb", "N1", "RegistrationRequest"))
		add(20*us, msg("gnb", "amf", "N2", "InitialUEMessage"))
		add(30*us, trace.Event{Kind: trace.KindRequest, Actor: "ausf", Peer: "amf", Name: "Nausf_UEAuthentication_Authenticate", Detail: "POST"})
		sbi("ausf", "udm", "Nudm_UEAuthentication_GenerateAuthData", 200)
		add(10*us, trace.Event{Kind: trace.KindKey, Actor: "ausf", Name: "KAUSF", SUPI: supi})
		add(20*us, trace.Event{Kind: trace.KindResponse, Actor: "ausf", Peer: "amf", Name: "Nausf_UEAuthentication_Authenticate", Status: 201})
		add(30*us, msg("amf", "gnb", "N2", "DownlinkNASTransport"))
		add(10*us, msg("gnb", ue, "N1", "AuthenticationRequest"))
		add(80*us, trace.Event{Kind: trace.KindKey, Actor: ue, Name: "KAUSF"})
		add(20*us, msg(ue, "gnb", "N1", "AuthenticationResponse"))
		add(20*us, msg("gnb", "amf", "N2", "UplinkNASTransport"))
		sbi("amf", "ausf", "Nausf_UEAuthentication_5gAkaConfirmation", 200)
		add(10*us, trace.Event{Kind: trace.KindKey, Actor: "amf", Name: "KAMF", SUPI: supi})
		add(20*us, msg("amf", ue, "N1", "SecurityModeCommand"))
		add(60*us, msg(ue, "amf", "N1", "SecurityModeComplete"))
		sbi("amf", "udm", "Nudm_UECM_Registration", 201)
		add(20*us, msg("amf", ue, "N1", "RegistrationAccept"))
		add(10*us, trace.Event{Kind: trace.KindState, Actor: "amf", Name: "5GMM-REGISTERED", SUPI: supi, Detail: "5GMM-COMMON-PROCEDURE-INITIATED"})
	}
	register("pd", pdSUPI)
	add(30*us, trace.Event{Kind: trace.KindRequest, Actor: "aanf", Peer: "ausf", Name: "Naanf_AKMA_AnchorKey_Register", Detail: "POST"})
	add(10*us, trace.Event{Kind: trace.KindKey, Actor: "aanf", Name: "K_AKMA", SUPI: pdSUPI})
	add(20*us, trace.Event{Kind: trace.KindResponse, Actor: "aanf", Peer: "ausf", Name: "Naanf_AKMA_AnchorKey_Register", Status: 201})

	// Provisioning through the CPF.
	add(200*us, trace.Event{Kind: trace.KindRequest, Actor: "cpf", Peer: "pd", Iface: "CPF", Name: "ProvisionRequest", Detail: "POST"})
	sbi("cpf", "aanf", "Naanf_AKMA_ApplicationKey_Get", 200)
	sbi("cpf", "udr", "Nudr_DR_CreateProvisioning", 201)
	add(10*us, trace.Event{Kind: trace.KindState, Actor: "udr", Name: "pending", SUPI: tdSUPI})
	add(20*us, trace.Event{Kind: trace.KindResponse, Actor: "cpf", Peer: "pd", Iface: "CPF", Name: "ProvisionRequest", Status: 201})
	if attack && id == "T2-01" {
		add(50*us, trace.Event{Kind: trace.KindAttack, Actor: "attacker", Peer: "cpf", Name: "inject ProvisionRequest", Detail: "spoofed PD identity"})
		if profile == "secure" {
			add(30*us, trace.Event{Kind: trace.KindResponse, Actor: "cpf", Peer: "attacker", Iface: "CPF", Name: "ProvisionRequest", Status: 403, Cause: "MAC_FAILURE"})
		} else {
			add(30*us, trace.Event{Kind: trace.KindResponse, Actor: "cpf", Peer: "attacker", Iface: "CPF", Name: "ProvisionRequest", Status: 201})
		}
	}

	// The direct link.
	td := "td/td-0001"
	// The link driver names the peer by its address; the result's Aliases map it back.
	addr := map[string]string{"pd": pdDLAddr, td: tdDLAddr}
	dl := func(from, to, name string) {
		add(150*us, trace.Event{Kind: trace.KindMessage, Actor: from, Peer: addr[to], Iface: "DL", Name: name, Detail: "tx"})
		add(5*us, trace.Event{Kind: trace.KindMessage, Actor: to, Peer: addr[from], Iface: "DL", Name: name, Detail: "rx"})
	}
	if profile == "secure" {
		dl("pd", td, "AuthRequest")
		dl(td, "pd", "AuthResponse")
		add(10*us, trace.Event{Kind: trace.KindKey, Actor: "pd", Name: "dl-session-key"})
		dl("pd", td, "AuthConfirm")
		add(10*us, trace.Event{Kind: trace.KindKey, Actor: td, Name: "dl-session-key"})
		dl(td, "pd", "ConfigRequest")
		dl("pd", td, "CredentialDelivery")
		if attack && id == "T1-02" {
			add(10*us, trace.Event{Kind: trace.KindAttack, Actor: "attacker", Peer: td, Name: "replay CredentialDelivery"})
			add(10*us, trace.Event{Kind: trace.KindDrop, Actor: td, Peer: attackerDLAddr, Iface: "DL", Name: "CredentialDelivery", Cause: "duplicate"})
		}
		add(20*us, trace.Event{Kind: trace.KindKey, Actor: td, Name: "credential-install", SUPI: tdSUPI})
		dl(td, "pd", "ProofOfPossession")
	} else {
		dl("pd", td, "PlainCredential")
		if attack && id == "T1-02" {
			add(10*us, trace.Event{Kind: trace.KindAttack, Actor: "attacker", Name: "observe PlainCredential", Detail: "K read from the air"})
		}
		add(20*us, trace.Event{Kind: trace.KindKey, Actor: td, Name: "credential-install", SUPI: tdSUPI})
	}
	register(td, tdSUPI)
	add(10*us, trace.Event{Kind: trace.KindState, Actor: "udr", Name: "active", SUPI: tdSUPI, Detail: "pending"})

	if deprov {
		add(300*us, trace.Event{Kind: trace.KindRequest, Actor: "cpf", Peer: "pd", Iface: "CPF", Name: "DeprovisionRequest", Detail: "POST"})
		sbi("cpf", "udr", "Nudr_DR_DeleteProvisioning", 204)
		add(10*us, trace.Event{Kind: trace.KindState, Actor: "udr", Name: "removed", SUPI: tdSUPI})
		add(20*us, trace.Event{Kind: trace.KindResponse, Actor: "cpf", Peer: "pd", Iface: "CPF", Name: "DeprovisionRequest", Status: 204})
		sbi("udm", "amf", "Namf_Communication_DeregistrationNotification", 204)
		add(20*us, msg("amf", td, "N1", "DeregistrationRequest"))
		add(30*us, msg(td, "amf", "N1", "DeregistrationAccept"))
		if attack {
			add(200*us, trace.Event{Kind: trace.KindAttack, Actor: "attacker", Peer: "cpf", Iface: "CPF", Name: evil, Detail: "replay DeprovisionRequest"})
			add(30*us, trace.Event{Kind: trace.KindResponse, Actor: "cpf", Peer: "attacker", Iface: "CPF", Name: "DeprovisionRequest", Status: 204})
			add(5*us, trace.Event{Kind: trace.KindFault, Actor: "fault", Peer: "udm", Name: "restart", Detail: "udm restarted"})
		}
		add(100*us, msg(td, "gnb", "N1", "RegistrationRequest"))
		add(20*us, msg("gnb", "amf", "N2", "InitialUEMessage"))
		add(30*us, trace.Event{Kind: trace.KindReject, Actor: "amf", Peer: td, Iface: "N1", Name: "RegistrationReject", Cause: "5GMM#3", SUPI: tdSUPI})
	}
	return out
}

// FuzzSequenceSVG: whatever a trace holds (attackers write into it), the
// chart is well-formed XML and no text becomes markup.
func FuzzSequenceSVG(f *testing.F) {
	f.Add("message", "ue/imsi-001010000000001", "gnb", "N1", "RegistrationRequest", "5GMM#3", "tx", 200)
	f.Add("attack", "attacker", "cpf", "CPF", evil, "", "replay", 0)
	f.Add("drop", "td/td-0001", "127.0.0.1:47800", "DL", "]]>&amp;\x00\xff", "duplicate", "rx", 0)
	f.Add("request", "", "", "", "", "", "", 404)
	f.Fuzz(func(t *testing.T, kind, actor, peer, iface, name, cause, detail string, status int) {
		ev := trace.Event{Seq: 1, Kind: trace.Kind(kind), Actor: actor, Peer: peer, Iface: iface, Name: name, Cause: cause, Detail: detail, Status: status}
		svg := reports.SequenceSVG([]trace.Event{ev, ev, {Seq: 3, Kind: trace.KindKey, Actor: peer, Name: name}},
			reports.ChartOptions{Aliases: map[string]string{peer: actor}})
		if err := wellFormed(svg); err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		if strings.Contains(svg, "<script") || strings.Contains(svg, "<foreignObject") {
			t.Fatalf("markup from text: %s", svg)
		}
	})
}

// FuzzWriteHTML: whatever a result's texts hold, the page has exactly one
// script (its own) and shows the text as text.
func FuzzWriteHTML(f *testing.F) {
	f.Add("T3-01", "secure", evil, "captures/T3-01-secure.pcap", "5GMM#3")
	f.Add("x", "", "</style><script>x()</script>", "javascript:alert(1)", "\x00")
	f.Add("y", "baseline", "t", "c:x.pcap", "")
	f.Fuzz(func(t *testing.T, id, profile, title, capturePath, cause string) {
		r := &reports.Run{Mode: title, Scenarios: []reports.ScenarioResult{{
			ID: id, Profile: profile, Title: title, Capture: capturePath, Causes: []string{cause}, Threats: []string{id},
			Messages: map[string]int{title: 1}, Checks: []reports.CheckResult{{Name: title, Detail: cause}},
			Trace: []trace.Event{{Kind: trace.KindAttack, Actor: profile, Peer: id, Name: title, Cause: cause}},
		}}}
		var buf bytes.Buffer
		if err := reports.WriteHTML(&buf, r); err != nil {
			t.Fatal(err)
		}
		doc, err := html.Parse(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(elements(doc, "script")); n != 1 {
			t.Fatalf("%d script elements", n)
		}
		walk(doc, func(n *html.Node) {
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || k == "src" {
					t.Fatalf("attribute %q on <%s>", a.Key, n.Data)
				}
				if k == "href" {
					if u, err := url.Parse(a.Val); err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(a.Val, "/") {
						t.Fatalf("href %q", a.Val)
					}
				}
			}
		})
	})
}
