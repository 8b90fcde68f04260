package store_test

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/credbed/credbed/internal/store"
)

func get(s store.Store, bucket, key string) ([]byte, error) {
	var out []byte
	err := s.View(func(tx store.Tx) error {
		v, err := tx.Get(bucket, key)
		out = v
		return err
	})
	return out, err
}

func put(s store.Store, bucket, key string, v []byte) error {
	return s.Update(func(tx store.Tx) error { return tx.Put(bucket, key, v) })
}

// semantics is run against every implementation.
func semantics(open func() store.Store) {
	var s store.Store
	BeforeEach(func() {
		s = open()
		DeferCleanup(func() { _ = s.Close() })
	})

	It("stores, reads and deletes values per bucket", func() {
		Expect(put(s, "a", "k", []byte("v1"))).To(Succeed())
		Expect(put(s, "b", "k", []byte("v2"))).To(Succeed())
		Expect(get(s, "a", "k")).To(Equal([]byte("v1")))
		Expect(get(s, "b", "k")).To(Equal([]byte("v2")))
		Expect(s.Update(func(tx store.Tx) error { return tx.Delete("a", "k") })).To(Succeed())
		_, err := get(s, "a", "k")
		Expect(err).To(MatchError(store.ErrNotFound))
		_, err = get(s, "nobucket", "k")
		Expect(err).To(MatchError(store.ErrNotFound))
		Expect(s.Update(func(tx store.Tx) error { return tx.Delete("a", "absent") })).To(Succeed())
		Expect(s.Update(func(tx store.Tx) error { return tx.Delete("nobucket", "absent") })).To(Succeed())
	})

	It("keeps empty values distinct from absent ones", func() {
		Expect(put(s, "a", "empty", nil)).To(Succeed())
		v, err := get(s, "a", "empty")
		Expect(err).NotTo(HaveOccurred())
		Expect(v).To(BeEmpty())
	})

	It("rejects empty bucket or key names", func() {
		Expect(put(s, "", "k", []byte("v"))).To(MatchError(store.ErrBadKey))
		Expect(put(s, "a", "", []byte("v"))).To(MatchError(store.ErrBadKey))
	})

	It("copies values in and out", func() {
		in := []byte("original")
		Expect(put(s, "a", "k", in)).To(Succeed())
		in[0] = 'X'
		out, err := get(s, "a", "k")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(Equal([]byte("original")))
		out[0] = 'Y'
		Expect(get(s, "a", "k")).To(Equal([]byte("original")))
	})

	It("commits every write of a transaction or none", func() {
		Expect(put(s, "a", "keep", []byte("old"))).To(Succeed())
		boom := errors.New("boom")
		err := s.Update(func(tx store.Tx) error {
			Expect(tx.Put("a", "keep", []byte("new"))).To(Succeed())
			Expect(tx.Put("a", "keep", []byte("newer"))).To(Succeed())
			Expect(tx.Put("b", "fresh", []byte("x"))).To(Succeed())
			Expect(tx.Delete("a", "keep")).To(Succeed())
			// the transaction sees its own writes
			_, err := tx.Get("a", "keep")
			Expect(err).To(MatchError(store.ErrNotFound))
			Expect(tx.Get("b", "fresh")).To(Equal([]byte("x")))
			return boom
		})
		Expect(err).To(MatchError(boom))
		Expect(get(s, "a", "keep")).To(Equal([]byte("old")))
		_, err = get(s, "b", "fresh")
		Expect(err).To(MatchError(store.ErrNotFound))
	})

	It("turns a panicking transaction into an error and keeps nothing", func() {
		err := s.Update(func(tx store.Tx) error {
			Expect(tx.Put("a", "k", []byte("v"))).To(Succeed())
			var m map[string]int
			m["x"] = 1 // nil map write panics
			return nil
		})
		Expect(err).To(MatchError(store.ErrTxPanic))
		_, err = get(s, "a", "k")
		Expect(err).To(MatchError(store.ErrNotFound))
		Expect(s.View(func(store.Tx) error { panic("view") })).To(MatchError(store.ErrTxPanic))
		Expect(put(s, "a", "k", []byte("v"))).To(Succeed(), "the store stays usable")
	})

	It("refuses writes in a View and use of a finished transaction", func() {
		var leaked store.Tx
		err := s.View(func(tx store.Tx) error {
			leaked = tx
			Expect(tx.Delete("a", "k")).To(MatchError(store.ErrReadOnly))
			return tx.Put("a", "k", []byte("v"))
		})
		Expect(err).To(MatchError(store.ErrReadOnly))
		_, err = leaked.Get("a", "k")
		Expect(err).To(MatchError(store.ErrClosed))
	})

	It("iterates a bucket in key order over a snapshot", func() {
		Expect(s.Update(func(tx store.Tx) error {
			for _, k := range []string{"c", "a", "b"} {
				if err := tx.Put("it", k, []byte("v"+k)); err != nil {
					return err
				}
			}
			return nil
		})).To(Succeed())
		var keys []string
		Expect(s.Update(func(tx store.Tx) error {
			return tx.ForEach("it", func(k string, v []byte) error {
				keys = append(keys, k)
				Expect(v).To(Equal([]byte("v" + k)))
				return tx.Delete("it", k) // writing while iterating is allowed
			})
		})).To(Succeed())
		Expect(keys).To(Equal([]string{"a", "b", "c"}))
		Expect(s.View(func(tx store.Tx) error {
			return tx.ForEach("it", func(string, []byte) error { return errors.New("not empty") })
		})).To(Succeed())
		stop := errors.New("stop")
		Expect(put(s, "it", "x", nil)).To(Succeed())
		Expect(s.View(func(tx store.Tx) error {
			return tx.ForEach("it", func(string, []byte) error { return stop })
		})).To(MatchError(stop))
	})

	It("serialises concurrent read-modify-write transactions", func() {
		const workers, each = 8, 50
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					err := s.Update(func(tx store.Tx) error {
						n := 0
						if v, err := tx.Get("ctr", "n"); err == nil {
							n, _ = strconv.Atoi(string(v))
						}
						return tx.Put("ctr", "n", []byte(strconv.Itoa(n+1)))
					})
					if err != nil {
						panic(err)
					}
				}
			}()
		}
		wg.Wait()
		Expect(get(s, "ctr", "n")).To(Equal([]byte(strconv.Itoa(workers * each))))
	})

	It("reports ErrClosed after Close", func() {
		Expect(s.Close()).To(Succeed())
		Expect(put(s, "a", "k", nil)).To(MatchError(store.ErrClosed))
		Expect(s.View(func(store.Tx) error { return nil })).To(MatchError(store.ErrClosed))
	})
}

var _ = Describe("Mem", func() {
	semantics(func() store.Store { return store.NewMem() })
})

var _ = Describe("Bolt", func() {
	semantics(func() store.Store {
		s, err := store.Open(filepath.Join(GinkgoT().TempDir(), "s.db"), store.Options{NoSync: true})
		Expect(err).NotTo(HaveOccurred())
		return s
	})

	It("loses nothing across Close and Open", func() {
		path := filepath.Join(GinkgoT().TempDir(), "restart.db")
		s, err := store.Open(path, store.Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Update(func(tx store.Tx) error {
			for i := 0; i < 100; i++ {
				if err := tx.Put("b", fmt.Sprintf("k%03d", i), []byte{byte(i)}); err != nil {
					return err
				}
			}
			return nil
		})).To(Succeed())
		Expect(s.Close()).To(Succeed())

		s, err = store.Open(path, store.Options{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)
		n := 0
		Expect(s.View(func(tx store.Tx) error {
			return tx.ForEach("b", func(k string, v []byte) error {
				Expect(k).To(Equal(fmt.Sprintf("k%03d", n)))
				Expect(v).To(Equal([]byte{byte(n)}))
				n++
				return nil
			})
		})).To(Succeed())
		Expect(n).To(Equal(100))
	})

	It("gives ErrCorrupt, not a panic, for a file of garbage", func() {
		seed := GinkgoRandomSeed()
		By(fmt.Sprintf("garbage from seed %d", seed))
		rng := rand.New(rand.NewSource(seed))
		for _, size := range []int{1, 100, 4096, 8192, 65536} {
			garbage := make([]byte, size)
			rng.Read(garbage)
			path := filepath.Join(GinkgoT().TempDir(), "garbage.db")
			Expect(os.WriteFile(path, garbage, 0o600)).To(Succeed())
			s, err := store.Open(path, store.Options{})
			Expect(err).To(MatchError(store.ErrCorrupt), "size %d", size)
			Expect(err.Error()).To(ContainSubstring(path))
			Expect(s).To(BeNil())
		}
	})

	It("gives ErrCorrupt for a store whose meta pages were overwritten", func() {
		path := filepath.Join(GinkgoT().TempDir(), "meta.db")
		s, err := store.Open(path, store.Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(put(s, "a", "k", []byte("v"))).To(Succeed())
		Expect(s.Close()).To(Succeed())
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		Expect(err).NotTo(HaveOccurred())
		_, err = f.WriteAt(make([]byte, 2*4096), 0)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Close()).To(Succeed())
		_, err = store.Open(path, store.Options{})
		Expect(err).To(MatchError(store.ErrCorrupt))
	})

	It("gives ErrLocked when another handle holds the file past the timeout", func() {
		path := filepath.Join(GinkgoT().TempDir(), "locked.db")
		s, err := store.Open(path, store.Options{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)
		_, err = store.Open(path, store.Options{Timeout: 20 * time.Millisecond})
		Expect(err).To(MatchError(store.ErrLocked))
	})

	It("reports an unreadable path as an error", func() {
		_, err := store.Open(filepath.Join(GinkgoT().TempDir(), "no", "such", "dir", "x.db"), store.Options{})
		Expect(err).To(HaveOccurred())
		_, err = store.Open("", store.Options{})
		Expect(err).To(HaveOccurred())
	})
})
