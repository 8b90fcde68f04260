package store

import (
	"errors"
	"fmt"
)

// Store is a set of named buckets with atomic transactions. Implementations
// are safe for concurrent use: many View transactions may run at once, Update
// transactions are serialised, and a View never sees a partial Update.
type Store interface {
	// Update runs fn in a read-write transaction. If fn returns an error (or
	// panics) nothing it wrote is kept; otherwise every write is committed
	// at once.
	Update(fn func(Tx) error) error
	// View runs fn in a read-only transaction; writes return ErrReadOnly.
	View(fn func(Tx) error) error
	// Close releases the store; later calls return ErrClosed.
	Close() error
}

// Tx is one transaction. It must not be used after its function returns.
type Tx interface {
	// Get returns a copy of the value at key in bucket, or ErrNotFound.
	Get(bucket, key string) ([]byte, error)
	// Put stores a copy of value at key in bucket, creating the bucket.
	Put(bucket, key string, value []byte) error
	// Delete removes key from bucket; removing an absent key is not an error.
	Delete(bucket, key string) error
	// ForEach calls fn for every key of bucket in ascending byte order with a
	// copy of its value, stopping at the first error, which it returns. It
	// iterates a snapshot taken when it starts, so fn may write (in an Update).
	// A missing bucket is empty.
	ForEach(bucket string, fn func(key string, value []byte) error) error
}

// Errors.
var (
	ErrNotFound = errors.New("store: not found")
	ErrReadOnly = errors.New("store: write in a read-only transaction")
	ErrClosed   = errors.New("store: closed")
	ErrCorrupt  = errors.New("store: file is corrupt or not a credbed store")
	ErrLocked   = errors.New("store: file is locked by another process")
	ErrTxPanic  = errors.New("store: transaction function panicked")
	ErrBadKey   = errors.New("store: empty bucket or key")
)

// recovered turns a panic value caught around a transaction function into
// an error.
func recovered(v any) error {
	if err, ok := v.(error); ok {
		return fmt.Errorf("%w: %w", ErrTxPanic, err)
	}
	return fmt.Errorf("%w: %v", ErrTxPanic, v)
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	out := make([]byte, len(b))
	copy(out, b)
	return out
}
