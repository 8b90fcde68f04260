package tsharktest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ErrNotInstalled is returned by New when tshark is not in PATH. Specs skip
// on it: Skip("tshark not installed: apt-get install -y tshark").
var ErrNotInstalled = errors.New("tsharktest: tshark not found in PATH")

// Severity is a Wireshark expert-info severity.
type Severity int

// Expert severities, in Wireshark's order (values of _ws.expert.severity).
const (
	Comment Severity = 0x00100000
	Chat    Severity = 0x00200000
	Note    Severity = 0x00400000
	Warn    Severity = 0x00600000
	Error   Severity = 0x00800000
)

func (s Severity) String() string {
	switch s {
	case Comment:
		return "comment"
	case Chat:
		return "chat"
	case Note:
		return "note"
	case Warn:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%#x)", int(s))
}

// Expert is one expert info of a frame.
type Expert struct {
	Severity Severity
	Message  string
}

// Frame is what tshark made of one frame.
type Frame struct {
	Number    int
	Protocols []string // frame.protocols, outermost first: eth, ethertype, ip, sctp, ngap, ...
	Malformed bool
	Experts   []Expert
	// Fields holds the values of the fields asked of Decode, several
	// occurrences joined by "," ("" when absent).
	Fields map[string]string
}

// Has reports whether the frame contains proto.
func (f Frame) Has(proto string) bool { return slices.Contains(f.Protocols, proto) }

// Decoded is the result of one tshark pass over a capture.
type Decoded struct {
	Frames []Frame
}

// Count returns how many frames contain proto (a frame.protocols name such
// as "ngap", "nas-5gs", "http2", "json", "gtp", "pfcp").
func (d *Decoded) Count(proto string) int {
	return len(d.Select(proto))
}

// Select returns the frames that contain proto.
func (d *Decoded) Select(proto string) []Frame {
	var out []Frame
	for _, f := range d.Frames {
		if f.Has(proto) {
			out = append(out, f)
		}
	}
	return out
}

// Values returns field of every frame containing proto, in frame order.
func (d *Decoded) Values(proto, field string) []string {
	var out []string
	for _, f := range d.Select(proto) {
		out = append(out, f.Fields[field])
	}
	return out
}

// Check fails when a protocol of want is in no frame, a frame is
// malformed, or an expert info of severity Warn or higher appears. The error
// lists every problem.
func (d *Decoded) Check(want ...string) error {
	var problems []string
	for _, p := range want {
		if d.Count(p) == 0 {
			problems = append(problems, "no frame decodes as "+p)
		}
	}
	problems = append(problems, d.Problems(Warn)...)
	if len(problems) > 0 {
		return fmt.Errorf("tsharktest: %d problem(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

// Problems lists malformed frames and expert infos of severity min or
// higher, one line each ("frame 19: malformed", "frame 7: error: ...").
func (d *Decoded) Problems(min Severity) []string {
	var out []string
	for _, f := range d.Frames {
		if f.Malformed {
			out = append(out, fmt.Sprintf("frame %d: malformed (%s)", f.Number, strings.Join(f.Protocols, ":")))
		}
		for _, e := range f.Experts {
			if e.Severity >= min {
				out = append(out, fmt.Sprintf("frame %d: %s: %s", f.Number, e.Severity, e.Message))
			}
		}
	}
	return out
}

// Runner runs tshark with the flags credbed captures need.
type Runner struct {
	bin      string
	decodeAs []string
	lua      []string
}

// Option adjusts a Runner.
type Option func(*Runner)

// DecodeAs adds tshark -d rules such as "tcp.port==29510,http2" (e.g. from
// capture.Writer.DecodeAs, which net-mode captures need).
func DecodeAs(rules ...string) Option {
	return func(r *Runner) { r.decodeAs = append(r.decodeAs, rules...) }
}

// LuaScript loads a Wireshark Lua dissector (tshark -X lua_script:path),
// e.g. docs/credbed-dl.lua for the direct-link frames on UDP 47800.
func LuaScript(path string) Option {
	return func(r *Runner) { r.lua = append(r.lua, path) }
}

// New finds tshark in PATH and returns a Runner with opts applied.
func New(opts ...Option) (*Runner, error) {
	bin, err := exec.LookPath("tshark")
	if err != nil {
		return nil, ErrNotInstalled
	}
	r := &Runner{bin: bin}
	for _, o := range opts {
		o(r)
	}
	return r, nil
}

// Args returns the flags every run passes before its own:
//
//	-n                                                  no name resolution
//	-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE
//	-o udp.check_checksum:TRUE -o sctp.checksum:crc-32c  validate every checksum (bad ones are expert errors)
//	-d media_type==application/3gpphal+json,json
//	-d media_type==application/problem+json,json         decode SBI bodies of these types as JSON
//	-d <each DecodeAs rule>
//	-X lua_script:<each LuaScript path>
//
// NGAP (SCTP PPID 60 / port 38412), HTTP/2 on TCP port 80 (found from the
// connection preface), GTP-U (UDP 2152) and PFCP (UDP 8805) need no flag.
func (r *Runner) Args() []string {
	args := []string{
		"-n",
		"-o", "ip.check_checksum:TRUE",
		"-o", "tcp.check_checksum:TRUE",
		"-o", "udp.check_checksum:TRUE",
		"-o", "sctp.checksum:crc-32c",
		"-d", "media_type==application/3gpphal+json,json",
		"-d", "media_type==application/problem+json,json",
	}
	for _, d := range r.decodeAs {
		args = append(args, "-d", d)
	}
	for _, l := range r.lua {
		args = append(args, "-X", "lua_script:"+l)
	}
	return args
}

var versionRE = regexp.MustCompile(`TShark \(Wireshark\) (\S+)`)

// Version returns tshark's version, e.g. "4.0.17".
func (r *Runner) Version(ctx context.Context) (string, error) {
	out, err := r.run(ctx, "--version")
	if err != nil {
		return "", err
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("tsharktest: no version in %q", firstLine(out))
	}
	return string(m[1]), nil
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

// run executes tshark with args and returns its standard output.
func (r *Runner) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, r.bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("tsharktest: tshark %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

const aggregator = "\x1f" // joins several occurrences of one field

// Decode runs tshark once over the capture at path and returns every
// frame's protocols, malformed flag, expert infos and the values of fields
// (tshark field names such as "ngap.procedureCode").
func (r *Runner) Decode(ctx context.Context, path string, fields ...string) (*Decoded, error) {
	args := append([]string{"-r", path}, r.Args()...)
	args = append(args, "-T", "fields",
		"-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator="+aggregator, "-E", "quote=n",
		"-e", "frame.number", "-e", "frame.protocols", "-e", "_ws.malformed",
		"-e", "_ws.expert.severity", "-e", "_ws.expert.message")
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	out, err := r.run(ctx, args...)
	if err != nil {
		return nil, err
	}
	d := &Decoded{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		for len(cols) < 5+len(fields) {
			cols = append(cols, "")
		}
		n, err := strconv.Atoi(cols[0])
		if err != nil {
			return nil, fmt.Errorf("tsharktest: bad tshark line %q: %w", line, err)
		}
		f := Frame{Number: n, Protocols: strings.Split(cols[1], ":"), Malformed: cols[2] != ""}
		sevs, msgs := splitAgg(cols[3]), splitAgg(cols[4])
		for i, s := range sevs {
			v, err := strconv.Atoi(s)
			if err != nil {
				return nil, fmt.Errorf("tsharktest: bad expert severity %q in frame %d: %w", s, n, err)
			}
			e := Expert{Severity: Severity(v)}
			if i < len(msgs) {
				e.Message = msgs[i]
			}
			f.Experts = append(f.Experts, e)
		}
		if len(fields) > 0 {
			f.Fields = make(map[string]string, len(fields))
			for i, name := range fields {
				f.Fields[name] = strings.ReplaceAll(cols[5+i], aggregator, ",")
			}
		}
		d.Frames = append(d.Frames, f)
	}
	return d, sc.Err()
}

func splitAgg(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, aggregator)
}

// Check decodes the capture at path and applies Decoded.Check: every
// protocol of want appears, no frame is malformed, no expert info of
// severity Warn or higher.
func (r *Runner) Check(ctx context.Context, path string, want ...string) error {
	d, err := r.Decode(ctx, path)
	if err != nil {
		return err
	}
	if err := d.Check(want...); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Verbose returns tshark -V output (full packet details) for the frames
// matching the display filter (all frames when filter is empty).
func (r *Runner) Verbose(ctx context.Context, path, filter string) (string, error) {
	args := append([]string{"-r", path}, r.Args()...)
	args = append(args, "-V")
	if filter != "" {
		args = append(args, "-Y", filter)
	}
	out, err := r.run(ctx, args...)
	return string(out), err
}

// Fields returns, for each frame matching the display filter, the values of
// fields (several occurrences of one field joined by ",").
func (r *Runner) Fields(ctx context.Context, path, filter string, fields ...string) ([][]string, error) {
	args := append([]string{"-r", path}, r.Args()...)
	args = append(args, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,", "-E", "quote=n")
	if filter != "" {
		args = append(args, "-Y", filter)
	}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	out, err := r.run(ctx, args...)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		row := strings.Split(line, "\t")
		for len(row) < len(fields) {
			row = append(row, "")
		}
		rows = append(rows, row)
	}
	return rows, nil
}
