package pfcpx

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/credbed/credbed/internal/clock"
)

type recSender struct {
	mu   sync.Mutex
	sent [][]byte
	got  chan struct{}
}

func (r *recSender) Send(_ context.Context, _ netip.AddrPort, b []byte) error {
	r.mu.Lock()
	r.sent = append(r.sent, append([]byte(nil), b...))
	r.mu.Unlock()
	r.got <- struct{}{}
	return nil
}

func (r *recSender) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

// Reference: TS 29.244 §6.4: a request is retransmitted with the same
// sequence number until its response arrives; the response is matched by
// sequence number and peer.
func TestClientRetransmitsAndMatches(t *testing.T) {
	clk := clock.NewFake(rts)
	s := &recSender{got: make(chan struct{}, 16)}
	c := NewClient(s, clk, ClientConfig{T1: time.Second, N1: 2})
	upf := netip.MustParseAddrPort("127.0.0.8:8805")
	type result struct {
		r   *Response
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := c.Do(context.Background(), upf, func(seq uint32) ([]byte, error) { return BuildHeartbeatRequest(seq, rts) })
		done <- result{r, err}
	}()
	<-s.got
	clk.Advance(time.Second)
	<-s.got
	if s.count() != 2 || string(s.sent[0]) != string(s.sent[1]) {
		t.Fatalf("retransmission: %d sends, identical=%v", s.count(), s.count() == 2 && string(s.sent[0]) == string(s.sent[1]))
	}
	h, _ := ParseHeader(s.sent[0])
	resp, _ := BuildHeartbeatResponse(h.Seq, rts)
	if c.Handle(netip.MustParseAddrPort("127.0.0.66:8805"), resp) {
		t.Error("accepted a response from another peer")
	}
	if !c.Handle(upf, resp) {
		t.Fatal("response not matched")
	}
	r := <-done
	if r.err != nil || r.r.Type != 2 || !r.r.RecoveryTime.Equal(rts) {
		t.Errorf("Do: %+v %v", r.r, r.err)
	}
	if c.Pending() != 0 || c.Handle(upf, resp) {
		t.Error("a duplicate response matched")
	}
}

func TestClientGivesUp(t *testing.T) {
	clk := clock.NewFake(rts)
	s := &recSender{got: make(chan struct{}, 16)}
	c := NewClient(s, clk, ClientConfig{T1: time.Second, N1: 1})
	done := make(chan error, 1)
	go func() {
		_, err := c.Do(context.Background(), netip.MustParseAddrPort("127.0.0.8:8805"),
			func(seq uint32) ([]byte, error) { return BuildSessionDeletionRequest(seq, 1) })
		done <- err
	}()
	<-s.got
	clk.Advance(time.Second)
	<-s.got
	clk.Advance(time.Second)
	if err := <-done; !errors.Is(err, ErrTimeout) {
		t.Errorf("got %v, want ErrTimeout", err)
	}
	c.Close()
	if _, err := c.Do(context.Background(), netip.AddrPort{}, func(uint32) ([]byte, error) { return nil, nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}
