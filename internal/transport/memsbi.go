package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"time"
)

// memServer is an SBI server of a MemNetwork.
type memServer struct{ h http.Handler }

// memRoundTripper carries SBI requests of one NF in-process (TS 29.500 §5:
// the HTTP/2 semantics, headers and JSON bodies are kept; the framing is not).
type memRoundTripper struct {
	n    *MemNetwork
	from netip.AddrPort
}

// origReq remembers the client request so an untouched packet reuses its
// parsed URL and authority.
type origReq struct {
	r    *http.Request
	path string
	to   netip.AddrPort
}

func (t *memRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req.Body, req.ContentLength, t.n.opts.MaxSBIBody)
	if err != nil {
		return nil, err
	}
	if t.n.closed.Load() {
		return nil, ErrClosed
	}
	if req.URL == nil || req.URL.Scheme != "http" {
		return nil, fmt.Errorf("%w: only http:// apiRoots are served", ErrNoRoute)
	}
	to, err := hostAddrPort(req.URL)
	if err != nil {
		return nil, err
	}
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	path := req.URL.RequestURI()
	// Interceptors may keep or change a packet's header: they get a copy.
	// Without any, the handler reads the client's header map as it is (a
	// handler does not write to its request's header).
	hdr := req.Header
	if !t.n.chain.empty() {
		hdr = hdr.Clone()
	}
	p := Packet{
		Kind:      SBI,
		From:      t.from,
		To:        to,
		Method:    method,
		Path:      path,
		Header:    hdr,
		Payload:   body,
		SBIStream: t.n.sbiSeq.Add(1),
	}
	rp, err := t.n.exchange(ctx, p, &origReq{r: req, path: path, to: to})
	if err != nil {
		return nil, err
	}
	return clientResponse(req, rp), nil
}

// clientResponse turns a response packet into what an HTTP/2 client returns.
func clientResponse(req *http.Request, rp Packet) *http.Response {
	h := rp.Header
	if h == nil {
		h = make(http.Header)
	}
	var body io.ReadCloser = http.NoBody
	if len(rp.Payload) > 0 {
		body = &memBody{b: rp.Payload}
	}
	return &http.Response{
		Status:        statusLine(rp.Status),
		StatusCode:    rp.Status,
		Proto:         "HTTP/2.0",
		ProtoMajor:    2,
		Header:        h,
		Body:          body,
		ContentLength: int64(len(rp.Payload)),
		Request:       req,
	}
}

// exchange runs an SBI request through the chain, serves each resulting
// request and returns the response to the first one.
func (n *MemNetwork) exchange(ctx context.Context, p Packet, orig *origReq) (Packet, error) {
	if n.chain.empty() {
		return n.serve(ctx, p, orig)
	}
	reqs := n.chain.Apply(p)
	if len(reqs) == 0 {
		return Packet{}, fmt.Errorf("%w: request %s %s", ErrDropped, p.Method, p.Path)
	}
	resp, err := n.serve(ctx, reqs[0], orig)
	for _, q := range reqs[1:] {
		_, _ = n.serve(ctx, q, orig)
	}
	return resp, err
}

// serve calls the handler at q.To with q and returns the response packet
// after the chain.
func (n *MemNetwork) serve(ctx context.Context, q Packet, orig *origReq) (Packet, error) {
	if q.Kind != SBI || q.Response {
		return Packet{}, fmt.Errorf("%w: interceptor turned an SBI request into %s", ErrBadKind, q.Kind)
	}
	v, ok := n.servers.Load(q.To)
	if !ok {
		n.st.noRoute.Add(1)
		return Packet{}, fmt.Errorf("%w: no SBI server at %s", ErrNoRoute, q.To)
	}
	sreq, err := serverRequest(ctx, q, orig)
	if err != nil {
		return Packet{}, err
	}
	w := &memResponseWriter{header: make(http.Header, 4), head: sreq.Method == http.MethodHead, max: n.opts.MaxSBIBody}
	if err := callHandler(v.(*memServer).h, w, sreq); err != nil {
		if errors.Is(err, ErrHandlerPanic) {
			n.st.panics.Add(1)
		}
		return Packet{}, err
	}
	if w.err != nil {
		return Packet{}, w.err
	}
	w.finish()
	rp := Packet{
		Kind:      SBI,
		From:      q.To,
		To:        q.From,
		Method:    q.Method,
		Path:      q.Path,
		Status:    w.status,
		Header:    w.header,
		Payload:   w.body,
		Response:  true,
		SBIStream: q.SBIStream,
	}
	if n.chain.empty() {
		return rp, nil
	}
	rs := n.chain.Apply(rp)
	if len(rs) == 0 {
		return Packet{}, fmt.Errorf("%w: response to %s %s", ErrDropped, q.Method, q.Path)
	}
	if !rs[0].Response || rs[0].Kind != SBI {
		return Packet{}, fmt.Errorf("%w: interceptor turned an SBI response into a request", ErrBadKind)
	}
	return rs[0], nil
}

// serverRequest builds the request a server handler sees: HTTP/2.0,
// RemoteAddr = the client's address.
func serverRequest(ctx context.Context, q Packet, orig *origReq) (*http.Request, error) {
	var u *url.URL
	host := ""
	if orig != nil && q.Path == orig.path {
		ou := orig.r.URL
		u = &url.URL{Path: ou.Path, RawPath: ou.RawPath, RawQuery: ou.RawQuery}
	} else {
		var err error
		if u, err = url.ParseRequestURI(q.Path); err != nil {
			return nil, fmt.Errorf("%w: malformed :path %q", ErrDropped, q.Path)
		}
	}
	if orig != nil && q.To == orig.to {
		host = orig.r.Host
		if host == "" {
			host = orig.r.URL.Host
		}
	} else {
		host = q.To.String()
	}
	var body io.ReadCloser = http.NoBody
	if len(q.Payload) > 0 {
		body = &memBody{b: q.Payload}
	}
	h := q.Header
	if h == nil {
		h = make(http.Header)
	}
	method := q.Method
	if method == "" {
		method = http.MethodGet
	}
	r := &http.Request{
		Method:        method,
		URL:           u,
		Proto:         "HTTP/2.0",
		ProtoMajor:    2,
		Header:        h,
		Body:          body,
		ContentLength: int64(len(q.Payload)),
		Host:          host,
		RemoteAddr:    q.From.String(),
		RequestURI:    q.Path,
	}
	return r.WithContext(serverContext{ctx}), nil
}

// serverContext is the context of a request as the handler sees it: the
// client's deadline and cancellation (a real server's stream is reset when
// the client goes away) but none of its values, as a net/http server starts
// each request from a fresh context. Client-side values (an
// httptrace.ClientTrace the openapi clients attach to every request) would
// otherwise reach the handler's own outbound requests and be composed again
// at every hop.
type serverContext struct{ parent context.Context }

func (c serverContext) Deadline() (time.Time, bool) { return c.parent.Deadline() }
func (c serverContext) Done() <-chan struct{}       { return c.parent.Done() }
func (c serverContext) Err() error                  { return c.parent.Err() }
func (c serverContext) Value(any) any               { return nil }

// AfterFunc lets contexts derived from this one (context.WithTimeout in a
// handler) register with the client's context instead of starting a
// goroutine each to watch it; they end, asynchronously, when it ends.
func (c serverContext) AfterFunc(f func()) (stop func() bool) {
	return context.AfterFunc(c.parent, f)
}

func (c serverContext) String() string { return "transport.serverContext" }

// callHandler calls h and turns a panic into an error, as net/http turns it
// into a reset stream.
func callHandler(h http.Handler, w http.ResponseWriter, r *http.Request) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				err = fmt.Errorf("%w: handler aborted the stream", ErrDropped)
				return
			}
			err = fmt.Errorf("%w: %v", ErrHandlerPanic, v)
		}
	}()
	h.ServeHTTP(w, r)
	return nil
}

// readBody reads and closes a request body into one fresh slice.
func readBody(b io.ReadCloser, n int64, max int) ([]byte, error) {
	if b == nil || b == http.NoBody {
		return nil, nil
	}
	defer b.Close()
	if n > int64(max) {
		return nil, fmt.Errorf("%w: SBI body of %d bytes", ErrTooLarge, n)
	}
	if n > 0 {
		buf := make([]byte, n)
		if _, err := io.ReadFull(b, buf); err != nil {
			return nil, fmt.Errorf("transport: reading request body: %w", err)
		}
		return buf, nil
	}
	buf, err := io.ReadAll(io.LimitReader(b, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("transport: reading request body: %w", err)
	}
	if len(buf) > max {
		return nil, fmt.Errorf("%w: SBI body over %d bytes", ErrTooLarge, max)
	}
	if len(buf) == 0 {
		return nil, nil
	}
	return buf, nil
}

// memBody is a read-once body over a byte slice.
type memBody struct {
	b   []byte
	off int
}

func (b *memBody) Read(p []byte) (int, error) {
	if b.off >= len(b.b) {
		return 0, io.EOF
	}
	n := copy(p, b.b[b.off:])
	b.off += n
	return n, nil
}

// WriteTo lets io.Copy and io.ReadAll-style consumers skip a buffer.
func (b *memBody) WriteTo(w io.Writer) (int64, error) {
	if b.off >= len(b.b) {
		return 0, nil
	}
	n, err := w.Write(b.b[b.off:])
	b.off += n
	return int64(n), err
}

func (b *memBody) Close() error { return nil }

// memResponseWriter collects a handler's response.
type memResponseWriter struct {
	header http.Header
	status int
	body   []byte
	head   bool
	max    int
	err    error
}

func (w *memResponseWriter) Header() http.Header { return w.header }

func (w *memResponseWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	if code < 100 || code > 999 {
		w.err = fmt.Errorf("%w: invalid WriteHeader code %d", ErrHandlerPanic, code)
		code = http.StatusInternalServerError
	}
	if code < 200 {
		return // informational responses are not relayed
	}
	w.status = code
}

func (w *memResponseWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.head {
		return len(p), nil
	}
	if len(w.body)+len(p) > w.max {
		return 0, fmt.Errorf("%w: SBI response over %d bytes", ErrTooLarge, w.max)
	}
	if w.body == nil {
		w.body = make([]byte, 0, len(p))
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

func (w *memResponseWriter) WriteString(s string) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.head {
		return len(s), nil
	}
	if len(w.body)+len(s) > w.max {
		return 0, fmt.Errorf("%w: SBI response over %d bytes", ErrTooLarge, w.max)
	}
	w.body = append(w.body, s...)
	return len(s), nil
}

// Flush is a no-op: the response is delivered when the handler returns.
func (w *memResponseWriter) Flush() {}

// finish applies what net/http does after the handler: default status 200
// and a sniffed Content-Type for an untyped body.
func (w *memResponseWriter) finish() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if len(w.body) > 0 {
		if _, ok := w.header["Content-Type"]; !ok {
			w.header.Set("Content-Type", http.DetectContentType(w.body))
		}
	}
}

func bodyAllowed(status int) bool {
	return !(status >= 100 && status < 200) && status != http.StatusNoContent && status != http.StatusNotModified
}

// statusLine is Response.Status as Go's HTTP/2 client sets it, without an
// allocation for the statuses SBI uses most.
func statusLine(code int) string {
	switch code {
	case http.StatusOK:
		return "200 OK"
	case http.StatusCreated:
		return "201 Created"
	case http.StatusNoContent:
		return "204 No Content"
	case http.StatusBadRequest:
		return "400 Bad Request"
	case http.StatusForbidden:
		return "403 Forbidden"
	case http.StatusNotFound:
		return "404 Not Found"
	case http.StatusInternalServerError:
		return "500 Internal Server Error"
	}
	return strconv.Itoa(code) + " " + http.StatusText(code)
}
