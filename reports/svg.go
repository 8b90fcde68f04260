package reports

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/credbed/credbed/internal/trace"
)

// MaxChartEvents is the default bound on the events one sequence chart draws.
const MaxChartEvents = 400

// maxLanes bounds the lanes of a chart; further actors share the last lane.
const maxLanes = 20

// Chart geometry (pixels) and text metrics.
const (
	chartGutter  = 96  // left column: relative time and sequence number
	chartLaneW   = 140 // width of one lane
	chartHeadH   = 46  // lane header boxes
	chartRowH    = 22  // one event
	chartBandN   = 30  // rows between repeated lane labels
	chartBandH   = 18  // a band of repeated lane labels
	chartFootH   = 30  // bottom margin and the "omitted" line
	chartFont    = 11  // px, lane headers
	labelFont    = 10  // px, arrow labels and notes
	chartCharW   = 6.0 // approximate advance of one character at labelFont
	chartNoteMax = chartLaneW - 12
	// Labels may spill over the neighbouring lanes (a white halo keeps
	// them readable over the lifelines) up to this width.
	labelMax = 2*chartLaneW - 24
	// chartRightPad leaves room for labels right of the last lane.
	chartRightPad = 140
)

// Colours of the chart, by role.
const (
	colMessage  = "#1f4e79"
	colRequest  = "#2e75b6"
	colResponse = "#38761d"
	colError    = "#c00000"
	colAttack   = "#b4009e"
	colDrop     = "#7f7f7f"
	colLifeline = "#a6a6a6"
	colText     = "#222222"
)

// laneName maps an actor kind (the part of an actor before "/", lower
// case, without an instance number) to its readable lane label.
func laneName(kind string) (string, bool) {
	switch kind {
	case "ue", "td", "pd", "amf", "ausf", "udm", "udr", "nrf", "smf", "upf", "cpf", "dn", "af":
		return strings.ToUpper(kind), true
	case "gnb":
		return "gNB", true
	case "aanf":
		return "AAnF", true
	case "attacker", "fault":
		return kind, true
	case "uplane":
		return "UE user plane", true
	case "link", "dlink":
		return "direct link", true
	}
	return "", false
}

// LaneLabel turns a trace actor into a lane label: a kind ("AMF", "UE",
// "gNB", ...) and an optional identity line ("imsi-001010000000001").
// Actors look like "amf", "amf-2", "ue/imsi-001010000000001", "td/td-0001"
// or an address such as "127.0.0.1:2152"; unknown kinds are kept as written.
func LaneLabel(actor string) (kind, id string) {
	if actor == "" {
		return "(unknown)", ""
	}
	head, rest, _ := strings.Cut(actor, "/")
	base := strings.TrimRight(strings.ToLower(head), "0123456789")
	inst := strings.ToLower(head)[len(base):]
	if trimmed := strings.TrimRight(base, "-_"); trimmed != base && inst != "" {
		base = trimmed
	}
	name, ok := laneName(base)
	if !ok {
		return head, rest
	}
	switch {
	case inst == "":
		return name, rest
	case rest == "":
		return name + " " + inst, ""
	default:
		return name + " " + inst, rest
	}
}

// ChartOptions adjust SequenceSVG.
type ChartOptions struct {
	// MaxEvents bounds the events drawn (MaxChartEvents when <= 0).
	MaxEvents int
	// Aliases maps addresses used as Actor or Peer ("127.0.0.1:47800", or an
	// address without port) to actor names, so that one actor gets one lane.
	Aliases map[string]string
}

// SequenceSVG draws events as a message sequence chart in inline SVG: one
// lane per actor (in order of first appearance of Actor or Peer, after
// Aliases), messages, SBI requests and responses as arrows labelled with
// their names (and HTTP status), attacker actions and faults in magenta,
// drops as a cross, rejections in red with their cause, state changes, key
// derivations (by name only), checks and notes as small boxes on the
// actor's lane.
//
// Arrow direction: Detail "tx" means Actor sent to Peer, "rx" that Actor
// received from Peer (an "rx" that matches an earlier drawn "tx" of the same
// message is folded into it); otherwise messages, responses, rejections and
// attacks go from Actor to Peer and requests from Peer to Actor (the server
// records them). At most opt.MaxEvents events are drawn and the chart says
// how many more were omitted. Every text is XML-escaped: trace content can
// come from attackers.
func SequenceSVG(events []trace.Event, opt ChartOptions) string {
	maxEvents := opt.MaxEvents
	if maxEvents <= 0 {
		maxEvents = MaxChartEvents
	}
	c := newChart(opt.Aliases)
	omitted := 0
	for i, e := range events {
		if len(c.rows) >= maxEvents {
			omitted = len(events) - i
			break
		}
		c.add(c.resolve(e))
	}
	return c.render(omitted)
}

// chart is a laid-out sequence chart.
type chart struct {
	aliases map[string]string
	lanes   []string       // raw actor strings, in order
	laneIdx map[string]int // actor -> lane
	rows    []chartRow
	pending map[flowKey]int // drawn "tx" messages not yet matched by an "rx"
	t0      time.Time
}

type flowKey struct{ from, to, name string }

// rowKind is how one event is drawn.
type rowKind int

const (
	rowArrow rowKind = iota
	rowNote
	rowCross
)

type chartRow struct {
	ev       trace.Event
	kind     rowKind
	from, to int
	label    string
	color    string
	dashed   bool
	bold     bool
	fill     string // note background
	tooltip  string
	attacker bool
}

func newChart(aliases map[string]string) *chart {
	return &chart{aliases: aliases, laneIdx: map[string]int{}, pending: map[flowKey]int{}}
}

// resolve replaces addresses in Actor and Peer by their aliases.
func (c *chart) resolve(e trace.Event) trace.Event {
	if len(c.aliases) == 0 {
		return e
	}
	e.Actor, e.Peer = c.alias(e.Actor), c.alias(e.Peer)
	return e
}

func (c *chart) alias(s string) string {
	if s == "" {
		return s
	}
	if a, ok := c.aliases[s]; ok {
		return a
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if a, ok := c.aliases[ap.Addr().String()]; ok {
			return a
		}
	}
	return s
}

// lane returns the lane of actor, adding it when new.
func (c *chart) lane(actor string) int {
	if i, ok := c.laneIdx[actor]; ok {
		return i
	}
	if len(c.lanes) >= maxLanes {
		// Share the last lane among the overflow actors.
		i := maxLanes - 1
		c.lanes[i] = "(other actors)"
		c.laneIdx[actor] = i
		return i
	}
	c.lanes = append(c.lanes, actor)
	c.laneIdx[actor] = len(c.lanes) - 1
	return len(c.lanes) - 1
}

// direction returns the sender and receiver of an arrow event.
func direction(e trace.Event) (from, to string) {
	switch strings.ToLower(e.Detail) {
	case "tx":
		return e.Actor, e.Peer
	case "rx":
		return e.Peer, e.Actor
	}
	if e.Kind == trace.KindRequest {
		return e.Peer, e.Actor
	}
	return e.Actor, e.Peer
}

func (c *chart) add(e trace.Event) {
	if c.t0.IsZero() && !e.At.IsZero() {
		c.t0 = e.At
	}
	actor := c.lane(e.Actor)
	r := chartRow{ev: e, from: actor, to: actor, tooltip: FormatEvent(e), color: colText}
	withPeer := func() {
		from, to := direction(e)
		r.kind = rowArrow
		r.from, r.to = c.lane(from), c.lane(to)
	}
	switch e.Kind {
	case trace.KindMessage, trace.KindRequest, trace.KindResponse:
		r.label = e.Name
		if e.Kind == trace.KindResponse && e.Status != 0 {
			r.label = fmt.Sprintf("%d %s", e.Status, e.Name)
		}
		if e.Iface != "" && e.Kind == trace.KindMessage {
			r.label += " [" + e.Iface + "]"
		}
		switch {
		case e.Kind == trace.KindRequest:
			r.color = colRequest
		case e.Kind == trace.KindResponse && e.Status >= 400:
			r.color = colError
		case e.Kind == trace.KindResponse:
			r.color = colResponse
		default:
			r.color = colMessage
		}
		if e.Cause != "" {
			r.label += " (" + e.Cause + ")"
		}
		if e.Peer == "" {
			r.kind = rowNote
			r.fill = "#eef3fa"
			switch strings.ToLower(e.Detail) {
			case "tx":
				r.label = "\u2192 " + r.label
			case "rx":
				r.label = "\u2190 " + r.label
			}
			break
		}
		withPeer()
		from, to := direction(e)
		k := flowKey{from, to, e.Name}
		if strings.EqualFold(e.Detail, "rx") && c.pending[k] > 0 {
			c.pending[k]--
			return // the receipt of an arrow already drawn
		}
		if strings.EqualFold(e.Detail, "tx") {
			c.pending[k]++
		}
	case trace.KindAttack, trace.KindFault:
		r.color, r.bold, r.attacker = colAttack, true, true
		r.label = string(e.Kind) + ": " + e.Name
		if e.Detail != "" {
			r.label += " (" + e.Detail + ")"
		}
		if e.Peer == "" {
			r.kind, r.fill = rowNote, "#f9e1f5"
		} else {
			withPeer()
		}
	case trace.KindReject:
		r.color = colError
		r.label = e.Name
		if e.Cause != "" {
			r.label += " cause " + e.Cause
		}
		if e.Peer == "" {
			r.kind, r.fill = rowNote, "#fbe0e0"
			r.label = "reject: " + r.label
		} else {
			withPeer()
		}
	case trace.KindDrop:
		r.kind, r.color, r.dashed = rowCross, colDrop, true
		r.label = "drop " + e.Name
		if e.Cause != "" {
			r.label += " (" + e.Cause + ")"
		}
		if e.Peer != "" {
			r.from = c.lane(e.Peer)
		}
	case trace.KindState:
		r.kind, r.fill, r.color = rowNote, "#fff2cc", "#7f6000"
		r.label = e.Name
	case trace.KindKey:
		// Names only: Detail is left out even of the tooltip.
		r.kind, r.fill, r.color = rowNote, "#e2f0d9", "#385723"
		r.label = "key " + e.Name
		r.tooltip = fmt.Sprintf("#%d key %s %s", e.Seq, e.Actor, e.Name)
	case trace.KindCheck:
		r.kind, r.fill = rowNote, "#ededed"
		r.label = "check " + e.Name
		if e.Cause != "" {
			r.label += ": " + e.Cause
		}
	default: // KindNote and kinds added later
		r.kind, r.fill = rowNote, "#f2f2f2"
		r.label = e.Name
	}
	c.rows = append(c.rows, r)
}

func laneX(i int) float64 { return chartGutter + float64(i)*chartLaneW + chartLaneW/2 }

// rowTop is the top of row i: after the header, the rows before it and a
// band of repeated lane labels every chartBandN rows.
func rowTop(i int) float64 {
	return float64(chartHeadH + i*chartRowH + i/chartBandN*chartBandH)
}

// band repeats the lane labels at y, so that long charts stay readable.
func (c *chart) band(b *strings.Builder, y float64) {
	b.WriteString(`<g class="band">`)
	for i, actor := range c.lanes {
		kind, id := LaneLabel(actor)
		label := kind
		if id != "" {
			label += " " + id
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9" fill="#4472c4"%s>%s</text>`, laneX(i), y+12, halo, xmlText(fitTail(label, chartNoteMax)))
	}
	b.WriteString(`</g>`)
}

func (c *chart) render(omitted int) string {
	nl := max(len(c.lanes), 1)
	width := chartGutter + nl*chartLaneW + chartRightPad
	height := int(rowTop(len(c.rows))) + chartFootH
	var b strings.Builder
	b.Grow(512 + len(c.rows)*400)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="msc" width="%d" height="%d" viewBox="0 0 %d %d" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="%d" role="img">`,
		width, height, width, height, labelFont)
	fmt.Fprintf(&b, `<title>message sequence chart: %d events, %d lanes</title>`, len(c.rows), len(c.lanes))
	bottom := height - chartFootH + 6
	for i, actor := range c.lanes {
		x := laneX(i)
		kind, id := LaneLabel(actor)
		fmt.Fprintf(&b, `<g class="lane"><title>%s</title>`, xmlText(actor))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-dasharray="4 3"/>`, x, chartHeadH-6, x, bottom, colLifeline)
		fmt.Fprintf(&b, `<rect x="%.1f" y="4" width="%d" height="%d" rx="4" fill="#dde7f3" stroke="#4472c4"/>`, x-chartLaneW/2+6, chartLaneW-12, chartHeadH-12)
		if id == "" {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" font-weight="bold" font-size="%d">%s</text>`, x, 4+(chartHeadH-12)/2+4, chartFont, xmlText(fit(kind, chartNoteMax)))
		} else {
			fmt.Fprintf(&b, `<text x="%.1f" y="19" text-anchor="middle" font-weight="bold" font-size="%d">%s</text>`, x, chartFont, xmlText(fit(kind, chartNoteMax)))
			fmt.Fprintf(&b, `<text x="%.1f" y="32" text-anchor="middle" font-size="10">%s</text>`, x, xmlText(fitTail(id, chartNoteMax)))
		}
		b.WriteString(`</g>`)
	}
	for i, r := range c.rows {
		if i > 0 && i%chartBandN == 0 {
			c.band(&b, rowTop(i)-chartBandH)
		}
		y := rowTop(i) + chartRowH/2 + 4
		fmt.Fprintf(&b, `<g class="ev k-%s"><title>%s</title>`, xmlText(attrToken(string(r.ev.Kind))), xmlText(r.tooltip))
		fmt.Fprintf(&b, `<text x="4" y="%.1f" font-size="9" fill="#595959">%s</text>`, y+3, xmlText(c.stamp(r.ev)))
		switch r.kind {
		case rowArrow:
			c.arrow(&b, r, y)
		case rowNote:
			note(&b, r, y)
		case rowCross:
			c.cross(&b, r, y)
		}
		b.WriteString(`</g>`)
	}
	if omitted > 0 {
		fmt.Fprintf(&b, `<text class="omitted" x="4" y="%d" font-style="italic" fill="%s">%d more events omitted</text>`, height-8, colError, omitted)
	}
	if len(c.rows) == 0 {
		fmt.Fprintf(&b, `<text x="4" y="%d" font-style="italic" fill="#595959">no trace events</text>`, chartHeadH+14)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// stamp is the gutter text of an event: time since the first event and its sequence number.
func (c *chart) stamp(e trace.Event) string {
	seq := fmt.Sprintf("#%d", e.Seq)
	if e.At.IsZero() || c.t0.IsZero() {
		return seq
	}
	return fmt.Sprintf("%s %s", seq, relTime(e.At.Sub(c.t0)))
}

func relTime(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case d < 0:
		return fmt.Sprintf("%.1fms", ms)
	case d < time.Second:
		return fmt.Sprintf("+%.1fms", ms)
	default:
		return fmt.Sprintf("+%.3fs", ms/1000)
	}
}

func (c *chart) arrow(b *strings.Builder, r chartRow, y float64) {
	x1, x2 := laneX(r.from), laneX(r.to)
	sw := 1.2
	if r.bold {
		sw = 2.2
	}
	dash := ""
	if r.dashed {
		dash = ` stroke-dasharray="5 3"`
	}
	if r.from == r.to { // a message to itself: a small loop on the right
		fmt.Fprintf(b, `<path d="M%.1f %.1f h24 v8 h-20" fill="none" stroke="%s" stroke-width="%.1f"%s/>`, x1, y-6, r.color, sw, dash)
		head(b, x1+4, y+2, -1, r.color)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="%s"%s%s>%s</text>`, x1+28, y, r.color, weight(r.bold), halo, xmlText(fit(r.label, chartLaneW-32)))
		return
	}
	dir := 1.0
	if x2 < x1 {
		dir = -1
	}
	end := x2 - dir*1
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%.1f"%s/>`, x1, y, end-dir*6, y, r.color, sw, dash)
	head(b, end, y, dir, r.color)
	if r.attacker { // a diamond where the attacker's arrow starts
		fmt.Fprintf(b, `<path d="M%.1f %.1f l5 -5 l5 5 l-5 5 z" fill="%s"/>`, x1-5, y, colAttack)
	}
	span := x2 - x1
	if span < 0 {
		span = -span
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="%s"%s%s>%s</text>`, (x1+x2)/2, y-4, r.color, weight(r.bold), halo, xmlText(fit(r.label, max(span-10, labelMax))))
}

// head draws an arrowhead whose tip is at (x, y), pointing right (dir 1) or left (-1).
func head(b *strings.Builder, x, y, dir float64, color string) {
	fmt.Fprintf(b, `<path d="M%.1f %.1f L%.1f %.1f L%.1f %.1f z" fill="%s"/>`, x, y, x-dir*8, y-4, x-dir*8, y+4, color)
}

func note(b *strings.Builder, r chartRow, y float64) {
	x := laneX(r.from)
	text := fit(r.label, labelMax-10)
	w := float64(utf8.RuneCountInString(text))*chartCharW + 10
	sw := 0.6
	if r.bold {
		sw = 1.8
	}
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="16" rx="3" fill="%s" stroke="%s" stroke-width="%.1f"/>`, x-w/2, y-12, w, r.fill, r.color, sw)
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="%s"%s>%s</text>`, x, y, r.color, weight(r.bold), xmlText(text))
}

func (c *chart) cross(b *strings.Builder, r chartRow, y float64) {
	x := laneX(r.to)
	fmt.Fprintf(b, `<path d="M%.1f %.1f l10 10 M%.1f %.1f l-10 10" stroke="%s" stroke-width="2.4"/>`, x-5, y-9, x+5, y-9, colError)
	if r.from != r.to { // a dashed arrow from the sender that stops short at the cross
		x1 := laneX(r.from)
		dir := 1.0
		if x < x1 {
			dir = -1
		}
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.2" stroke-dasharray="5 3"/>`, x1, y, x-dir*10, y, r.color)
		span := x - x1
		if span < 0 {
			span = -span
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="%s"%s>%s</text>`, (x+x1)/2, y-4, r.color, halo, xmlText(fit(r.label, max(span-10, labelMax))))
		return
	}
	if r.to == len(c.lanes)-1 && r.to > 0 { // the last lane: label on the left of the cross
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="%s"%s>%s</text>`, x-9, y, r.color, halo, xmlText(fit(r.label, labelMax-14)))
		return
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="%s"%s>%s</text>`, x+9, y, r.color, halo, xmlText(fit(r.label, labelMax-14)))
}

// halo paints a white outline under a label so that it stays readable over lifelines.
const halo = ` stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"`

func weight(bold bool) string {
	if bold {
		return ` font-weight="bold"`
	}
	return ""
}

// fit truncates s with an ellipsis so that it is at most px pixels wide.
func fit(s string, px float64) string {
	n := int(px / chartCharW)
	if n < 4 {
		n = 4
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return string(rs[:n-1]) + "\u2026"
}

// fitTail is fit keeping the end of s (identities differ in their last digits).
func fitTail(s string, px float64) string {
	n := int(px / chartCharW)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return "\u2026" + string(rs[len(rs)-(n-1):])
}

// attrToken keeps the letters, digits and dashes of s (for class names).
func attrToken(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return -1
	}, s)
}

// xmlText escapes s for XML text and attribute values, replacing invalid
// UTF-8 and characters XML 1.0 does not allow with U+FFFD.
func xmlText(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune('\uFFFD')
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\'':
			b.WriteString("&#39;")
		case r == '\t', r == '\n', r == '\r':
			b.WriteRune(' ')
		case r < 0x20, r >= 0x7f && r <= 0x9f, r == 0xFFFE, r == 0xFFFF:
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
