package store

import (
	"sort"
	"sync"
)

// Mem is the in-memory Store. Its zero value is not usable; call NewMem.
type Mem struct {
	mu      sync.RWMutex
	closed  bool
	buckets map[string]map[string][]byte
}

var _ Store = (*Mem)(nil)

// NewMem returns an empty in-memory store.
func NewMem() *Mem {
	return &Mem{buckets: make(map[string]map[string][]byte)}
}

// Update runs fn in an exclusive read-write transaction; on error or panic
// every write fn made is undone.
func (m *Mem) Update(fn func(Tx) error) (err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	tx := &memTx{m: m, writable: true}
	defer func() {
		if v := recover(); v != nil {
			err = recovered(v)
		}
		if err != nil {
			tx.rollback()
		}
		tx.done = true
	}()
	return fn(tx)
}

// View runs fn in a shared read-only transaction.
func (m *Mem) View(fn func(Tx) error) (err error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return ErrClosed
	}
	tx := &memTx{m: m}
	defer func() {
		if v := recover(); v != nil {
			err = recovered(v)
		}
		tx.done = true
	}()
	return fn(tx)
}

// Close drops every bucket; later calls return ErrClosed.
func (m *Mem) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	m.closed = true
	m.buckets = nil
	return nil
}

type undo struct {
	bucket, key string
	old         []byte
	existed     bool
}

type memTx struct {
	m        *Mem
	writable bool
	done     bool
	log      []undo
}

func (t *memTx) Get(bucket, key string) ([]byte, error) {
	if t.done {
		return nil, ErrClosed
	}
	v, ok := t.m.buckets[bucket][key]
	if !ok {
		return nil, ErrNotFound
	}
	return clone(v), nil
}

func (t *memTx) Put(bucket, key string, value []byte) error {
	if t.done {
		return ErrClosed
	}
	if !t.writable {
		return ErrReadOnly
	}
	if bucket == "" || key == "" {
		return ErrBadKey
	}
	b := t.m.buckets[bucket]
	if b == nil {
		b = make(map[string][]byte)
		t.m.buckets[bucket] = b
	}
	old, existed := b[key]
	t.log = append(t.log, undo{bucket: bucket, key: key, old: old, existed: existed})
	v := clone(value)
	if v == nil {
		v = []byte{}
	}
	b[key] = v
	return nil
}

func (t *memTx) Delete(bucket, key string) error {
	if t.done {
		return ErrClosed
	}
	if !t.writable {
		return ErrReadOnly
	}
	b := t.m.buckets[bucket]
	old, existed := b[key]
	if !existed {
		return nil
	}
	t.log = append(t.log, undo{bucket: bucket, key: key, old: old, existed: true})
	delete(b, key)
	return nil
}

func (t *memTx) ForEach(bucket string, fn func(key string, value []byte) error) error {
	if t.done {
		return ErrClosed
	}
	b := t.m.buckets[bucket]
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([][]byte, len(keys))
	for i, k := range keys {
		vals[i] = clone(b[k])
	}
	for i, k := range keys {
		if err := fn(k, vals[i]); err != nil {
			return err
		}
	}
	return nil
}

// rollback restores every touched key in reverse order of the writes.
func (t *memTx) rollback() {
	for i := len(t.log) - 1; i >= 0; i-- {
		u := t.log[i]
		b := t.m.buckets[u.bucket]
		if b == nil {
			b = make(map[string][]byte)
			t.m.buckets[u.bucket] = b
		}
		if u.existed {
			b[u.key] = u.old
		} else {
			delete(b, u.key)
		}
	}
	t.log = nil
}
