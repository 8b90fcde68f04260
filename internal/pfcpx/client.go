package pfcpx

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/credbed/credbed/internal/clock"
)

// Sender sends one datagram; transport.Endpoint satisfies it.
type Sender interface {
	Send(ctx context.Context, to netip.AddrPort, payload []byte) error
}

// ClientConfig tunes request retransmission (TS 29.244 §6.4: timer T1 and
// counter N1).
type ClientConfig struct {
	T1 time.Duration // default 3 s
	N1 int           // retransmissions before giving up; default 3
}

// Client matches PFCP responses to the requests a CP function sends, and
// retransmits a request, with the same sequence number, while no response
// arrives (TS 29.244 §6.4). It owns no socket: the caller's endpoint
// handler passes every received datagram to Handle.
type Client struct {
	send Sender
	clk  clock.Clock
	cfg  ClientConfig

	mu      sync.Mutex
	seq     uint32
	pending map[uint32]*call
	closed  bool
}

type call struct {
	to    netip.AddrPort
	b     []byte
	tries int
	timer clock.Timer
	done  chan *Response
}

// NewClient returns a client that sends with s and times retransmissions with clk.
func NewClient(s Sender, clk clock.Clock, cfg ClientConfig) *Client {
	if cfg.T1 <= 0 {
		cfg.T1 = 3 * time.Second
	}
	if cfg.N1 <= 0 {
		cfg.N1 = 3
	}
	if clk == nil {
		clk = clock.Real{}
	}
	return &Client{send: s, clk: clk, cfg: cfg, pending: make(map[uint32]*call)}
}

// Do builds a request with a fresh sequence number, sends it to `to` and
// waits for the matching response. A response with a rejection Cause is
// returned without error; the caller checks Response.Cause.
func (c *Client) Do(ctx context.Context, to netip.AddrPort, build func(seq uint32) ([]byte, error)) (*Response, error) {
	if build == nil {
		return nil, fmt.Errorf("%w: nil request builder", ErrBuild)
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	for {
		c.seq = c.seq%MaxSeq + 1
		if _, busy := c.pending[c.seq]; !busy {
			break
		}
	}
	seq := c.seq
	c.mu.Unlock()

	b, err := build(seq)
	if err != nil {
		return nil, err
	}
	cl := &call{to: to, b: b, done: make(chan *Response, 1)}
	c.mu.Lock()
	c.pending[seq] = cl
	cl.timer = c.clk.AfterFunc(c.cfg.T1, func() { c.retransmit(seq) })
	c.mu.Unlock()
	defer c.forget(seq)

	if err := c.send.Send(ctx, to, b); err != nil {
		return nil, fmt.Errorf("pfcp: send to %v: %w", to, err)
	}
	select {
	case r := <-cl.done:
		if r == nil {
			return nil, fmt.Errorf("%w from %v after %d retransmissions", ErrTimeout, to, c.cfg.N1)
		}
		return r, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *Client) forget(seq uint32) {
	c.mu.Lock()
	if cl, ok := c.pending[seq]; ok {
		cl.timer.Stop()
		delete(c.pending, seq)
	}
	c.mu.Unlock()
}

func (c *Client) retransmit(seq uint32) {
	c.mu.Lock()
	cl, ok := c.pending[seq]
	if !ok {
		c.mu.Unlock()
		return
	}
	if cl.tries >= c.cfg.N1 {
		delete(c.pending, seq)
		c.mu.Unlock()
		cl.done <- nil
		return
	}
	cl.tries++
	cl.timer = c.clk.AfterFunc(c.cfg.T1, func() { c.retransmit(seq) })
	c.mu.Unlock()
	_ = c.send.Send(context.Background(), cl.to, cl.b)
}

// Handle offers a received datagram to the client. It reports whether the
// datagram was a response to a pending request (and consumed it).
func (c *Client) Handle(from netip.AddrPort, b []byte) bool {
	h, err := ParseHeader(b)
	if err != nil || h.IsRequest() {
		return false
	}
	c.mu.Lock()
	cl, ok := c.pending[h.Seq]
	if !ok || cl.to != from {
		c.mu.Unlock()
		return false
	}
	c.mu.Unlock()
	r, err := ParseResponse(b)
	if err != nil {
		return false
	}
	c.mu.Lock()
	if cur, ok := c.pending[h.Seq]; ok && cur == cl {
		cl.timer.Stop()
		delete(c.pending, h.Seq)
		c.mu.Unlock()
		cl.done <- r
		return true
	}
	c.mu.Unlock()
	return false
}

// Pending returns the number of requests awaiting a response.
func (c *Client) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// Close fails every pending request with ErrTimeout and refuses new ones.
func (c *Client) Close() {
	c.mu.Lock()
	c.closed = true
	calls := c.pending
	c.pending = make(map[uint32]*call)
	c.mu.Unlock()
	for _, cl := range calls {
		cl.timer.Stop()
		cl.done <- nil
	}
}
