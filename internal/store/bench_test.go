package store_test

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/credbed/credbed/internal/store"
)

func benchPutGet(b *testing.B, s store.Store) {
	val := make([]byte, 300)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := "imsi-00101" + strconv.Itoa(i%10000)
		if err := s.Update(func(tx store.Tx) error { return tx.Put("auth", k, val) }); err != nil {
			b.Fatal(err)
		}
		if err := s.View(func(tx store.Tx) error { _, err := tx.Get("auth", k); return err }); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemPutGet(b *testing.B) { benchPutGet(b, store.NewMem()) }

func BenchmarkBoltNoSyncPutGet(b *testing.B) {
	s, err := store.Open(filepath.Join(b.TempDir(), "b.db"), store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchPutGet(b, s)
}

func BenchmarkBoltSyncPutGet(b *testing.B) {
	s, err := store.Open(filepath.Join(b.TempDir(), "b.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchPutGet(b, s)
}
