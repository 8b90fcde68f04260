package transport

import (
	"net/netip"
	"sync"
)

// item is one message waiting for delivery.
type item struct {
	from    netip.AddrPort
	stream  uint16
	payload []byte
}

// queue is a bounded FIFO drained by exactly one goroutine (run), which
// calls the handler in arrival order. Producers never block in push; the
// net N2 readers use pushWait to apply TCP back-pressure instead of dropping.
type queue struct {
	mu     sync.Mutex
	items  []item
	max    int
	closed bool
	wake   chan struct{} // cap 1: items became non-empty
	space  chan struct{} // cap 1: the drainer took a batch
	done   chan struct{} // closed by stop
}

func newQueue(max int) *queue {
	return &queue{
		max:   max,
		wake:  make(chan struct{}, 1),
		space: make(chan struct{}, 1),
		done:  make(chan struct{}),
	}
}

func (q *queue) push(it item) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return ErrClosed
	}
	if len(q.items) >= q.max {
		q.mu.Unlock()
		return ErrQueueFull
	}
	q.items = append(q.items, it)
	first := len(q.items) == 1
	q.mu.Unlock()
	if first {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

// pushWait is push that waits for room instead of failing with ErrQueueFull.
func (q *queue) pushWait(it item) error {
	for {
		err := q.push(it)
		if err != ErrQueueFull {
			return err
		}
		select {
		case <-q.space:
		case <-q.done:
			return ErrClosed
		}
	}
}

// stop discards pending items and makes run return.
func (q *queue) stop() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	q.items = nil
	q.mu.Unlock()
	close(q.done)
}

func (q *queue) stopped() bool {
	select {
	case <-q.done:
		return true
	default:
		return false
	}
}

// run delivers items to h until stop. It swaps whole batches out under the
// lock so producers and the handler rarely contend.
func (q *queue) run(h StreamHandler) {
	var spare []item
	for {
		select {
		case <-q.wake:
		case <-q.done:
			return
		}
		for {
			q.mu.Lock()
			batch := q.items
			if len(batch) == 0 || q.closed {
				q.mu.Unlock()
				break
			}
			q.items = spare[:0]
			q.mu.Unlock()
			select {
			case q.space <- struct{}{}:
			default:
			}
			for i := range batch {
				if q.stopped() {
					return
				}
				it := batch[i]
				batch[i] = item{}
				if h != nil {
					h(it.from, it.stream, it.payload)
				}
			}
			spare = batch
		}
	}
}
