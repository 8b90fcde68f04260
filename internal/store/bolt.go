package store

import (
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DefaultTimeout bounds how long Open waits for the file lock.
const DefaultTimeout = 2 * time.Second

// Options tune Open.
type Options struct {
	// Timeout bounds the wait for the file lock (DefaultTimeout when 0).
	Timeout time.Duration
	// NoSync skips the fsync after each commit: a crash of the machine may
	// lose recent commits, a Close and re-Open never does. For benchmarks
	// and the embedded testbed.
	NoSync bool
}

// Bolt is the Store on a bbolt file.
type Bolt struct {
	db   *bolt.DB
	path string
}

var _ Store = (*Bolt)(nil)

// Open opens (creating if absent, mode 0600) the bbolt store at path. A
// file that is not a valid store gives an error wrapping ErrCorrupt; a file
// held by another process past the timeout gives one wrapping ErrLocked.
func Open(path string, opts Options) (s *Bolt, err error) {
	if path == "" {
		return nil, fmt.Errorf("store: open: empty path")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	defer func() { // bbolt may panic on some malformed files
		if v := recover(); v != nil {
			s, err = nil, fmt.Errorf("store: open %s: %w: %v", path, ErrCorrupt, v)
		}
	}()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, NoSync: opts.NoSync})
	if err != nil {
		var pe *os.PathError
		switch {
		case errors.Is(err, berrors.ErrTimeout):
			err = fmt.Errorf("%w: %w", ErrLocked, err)
		case errors.As(err, &pe):
			// the OS refused the file: leave the error as it is
		default: // anything bbolt itself rejects is a malformed file
			err = fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return &Bolt{db: db, path: path}, nil
}

// Path returns the file the store was opened on.
func (b *Bolt) Path() string { return b.path }

// Update runs fn in a read-write bbolt transaction.
func (b *Bolt) Update(fn func(Tx) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("store: update: %w: %v", ErrCorrupt, v)
		}
	}()
	err = b.db.Update(func(btx *bolt.Tx) error { return run(&boltTx{tx: btx, writable: true}, fn) })
	return mapErr(err)
}

// View runs fn in a read-only bbolt transaction.
func (b *Bolt) View(fn func(Tx) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("store: view: %w: %v", ErrCorrupt, v)
		}
	}()
	err = b.db.View(func(btx *bolt.Tx) error { return run(&boltTx{tx: btx}, fn) })
	return mapErr(err)
}

// Close closes the file; later calls return ErrClosed.
func (b *Bolt) Close() error {
	if err := b.db.Close(); err != nil {
		return mapErr(err)
	}
	return nil
}

func run(t *boltTx, fn func(Tx) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = recovered(v)
		}
		t.done = true
	}()
	return fn(t)
}

func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return ErrClosed
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%w: %w", ErrLocked, err)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch),
		errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrInvalidMapping):
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return err
}

type boltTx struct {
	tx       *bolt.Tx
	writable bool
	done     bool
}

func (t *boltTx) Get(bucket, key string) ([]byte, error) {
	if t.done {
		return nil, ErrClosed
	}
	b := t.tx.Bucket([]byte(bucket))
	if b == nil {
		return nil, ErrNotFound
	}
	v := b.Get([]byte(key))
	if v == nil {
		return nil, ErrNotFound
	}
	return clone(v), nil
}

func (t *boltTx) Put(bucket, key string, value []byte) error {
	if t.done {
		return ErrClosed
	}
	if !t.writable {
		return ErrReadOnly
	}
	if bucket == "" || key == "" {
		return ErrBadKey
	}
	b, err := t.tx.CreateBucketIfNotExists([]byte(bucket))
	if err != nil {
		return fmt.Errorf("store: bucket %q: %w", bucket, err)
	}
	v := clone(value)
	if v == nil {
		v = []byte{}
	}
	if err := b.Put([]byte(key), v); err != nil {
		return fmt.Errorf("store: put %q: %w", bucket, err)
	}
	return nil
}

func (t *boltTx) Delete(bucket, key string) error {
	if t.done {
		return ErrClosed
	}
	if !t.writable {
		return ErrReadOnly
	}
	b := t.tx.Bucket([]byte(bucket))
	if b == nil || key == "" {
		return nil
	}
	if err := b.Delete([]byte(key)); err != nil {
		return fmt.Errorf("store: delete %q: %w", bucket, err)
	}
	return nil
}

// ForEach copies the bucket's pairs out first, so fn may write to the store.
func (t *boltTx) ForEach(bucket string, fn func(key string, value []byte) error) error {
	if t.done {
		return ErrClosed
	}
	b := t.tx.Bucket([]byte(bucket))
	if b == nil {
		return nil
	}
	type kv struct {
		k string
		v []byte
	}
	var all []kv
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil { // nested bucket: not ours
			continue
		}
		all = append(all, kv{string(k), clone(v)})
	}
	for _, p := range all {
		if err := fn(p.k, p.v); err != nil {
			return err
		}
	}
	return nil
}
