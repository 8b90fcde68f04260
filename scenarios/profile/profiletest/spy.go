package profiletest

import (
	"maps"
	"sort"
	"sync"

	"github.com/credbed/credbed/internal/store"
)

// SpyStore wraps a store and remembers every bucket ever written, so that
// Snapshot can dump the whole content: a spec compares snapshots before and
// after a refused request to prove that nothing changed.
type SpyStore struct {
	store.Store
	mu      sync.Mutex
	buckets map[string]bool
	writes  uint64
}

// NewSpy wraps s.
func NewSpy(s store.Store) *SpyStore { return &SpyStore{Store: s, buckets: map[string]bool{}} }

// Update records the buckets fn writes.
func (s *SpyStore) Update(fn func(store.Tx) error) error {
	return s.Store.Update(func(tx store.Tx) error { return fn(spyTx{Tx: tx, s: s}) })
}

// Writes counts Put and Delete calls in committed or rolled-back updates.
func (s *SpyStore) Writes() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

type spyTx struct {
	store.Tx
	s *SpyStore
}

func (t spyTx) note(bucket string) {
	t.s.mu.Lock()
	t.s.buckets[bucket] = true
	t.s.writes++
	t.s.mu.Unlock()
}

func (t spyTx) Put(bucket, key string, value []byte) error {
	t.note(bucket)
	return t.Tx.Put(bucket, key, value)
}

func (t spyTx) Delete(bucket, key string) error {
	t.note(bucket)
	return t.Tx.Delete(bucket, key)
}

// Snapshot is a store's content: bucket -> key -> value.
type Snapshot map[string]map[string]string

// Snapshot dumps every bucket written so far (empty buckets omitted).
func (s *SpyStore) Snapshot() (Snapshot, error) {
	s.mu.Lock()
	names := make([]string, 0, len(s.buckets))
	for b := range s.buckets {
		names = append(names, b)
	}
	s.mu.Unlock()
	sort.Strings(names)
	out := Snapshot{}
	err := s.Store.View(func(tx store.Tx) error {
		for _, b := range names {
			m := map[string]string{}
			if err := tx.ForEach(b, func(k string, v []byte) error {
				m[k] = string(v)
				return nil
			}); err != nil {
				return err
			}
			if len(m) > 0 {
				out[b] = m
			}
		}
		return nil
	})
	return out, err
}

// Equal reports whether two snapshots hold the same content.
func (a Snapshot) Equal(b Snapshot) bool {
	return maps.EqualFunc(a, b, func(x, y map[string]string) bool { return maps.Equal(x, y) })
}

// Diff names the buckets/keys that differ (for failure messages; values
// are not shown since they may hold keys).
func (a Snapshot) Diff(b Snapshot) []string {
	var out []string
	seen := map[string]bool{}
	for bk, am := range a {
		seen[bk] = true
		bm := b[bk]
		for k, v := range am {
			if w, ok := bm[k]; !ok {
				out = append(out, "- "+bk+"/"+k)
			} else if w != v {
				out = append(out, "~ "+bk+"/"+k)
			}
		}
		for k := range bm {
			if _, ok := am[k]; !ok {
				out = append(out, "+ "+bk+"/"+k)
			}
		}
	}
	for bk, bm := range b {
		if seen[bk] {
			continue
		}
		for k := range bm {
			out = append(out, "+ "+bk+"/"+k)
		}
	}
	sort.Strings(out)
	return out
}
