package roles

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// CounterStore keeps a provisioning device's request counter across
// restarts of the device: the CPF accepts a counter only when it is
// strictly greater than the last one it accepted from that device
// (3gpp.md §6.2 N3, §6.3 X2), so a device that forgot its counter would be
// locked out. The device saves a value before it uses it.
type CounterStore interface {
	// Load returns the last saved value (0 when none was saved).
	Load() (uint64, error)
	// Save persists v; once it returns nil, Load returns v even after a
	// restart.
	Save(v uint64) error
}

// MemCounter is an in-memory CounterStore: "persisted" as long as the
// value lives. Hand the same MemCounter to a new ProvisioningDevice to
// model a device restart that kept its storage. Safe for concurrent use.
type MemCounter struct {
	mu    sync.Mutex
	v     uint64
	saves uint64
}

// NewMemCounter returns a MemCounter holding start.
func NewMemCounter(start uint64) *MemCounter { return &MemCounter{v: start} }

// Load returns the saved value.
func (c *MemCounter) Load() (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.v, nil
}

// Save stores v.
func (c *MemCounter) Save(v uint64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.v = v
	c.saves++
	return nil
}

// Saves counts the Save calls (a spec checks that every counter used was
// saved first).
func (c *MemCounter) Saves() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.saves
}

// FileCounter is a CounterStore in a small text file (the decimal value and
// a newline), replaced atomically on each Save (write to a temporary file,
// fsync unless NoSync, rename). A missing file reads as 0.
type FileCounter struct {
	Path   string
	NoSync bool
}

// Load reads the file.
func (c FileCounter) Load() (uint64, error) {
	b, err := os.ReadFile(c.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrCounter, err)
	}
	v, err := ParseCounter(b)
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %w", ErrCounter, c.Path, err)
	}
	return v, nil
}

// Save replaces the file with v.
func (c FileCounter) Save(v uint64) error {
	if c.Path == "" {
		return fmt.Errorf("%w: no file", ErrCounter)
	}
	f, err := os.CreateTemp(filepath.Dir(c.Path), "."+filepath.Base(c.Path)+".*")
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCounter, err)
	}
	tmp := f.Name()
	_, err = f.Write(FormatCounter(v))
	if err == nil && !c.NoSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, c.Path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("%w: %w", ErrCounter, err)
	}
	return nil
}

// maxCounterFile bounds what ParseCounter reads.
const maxCounterFile = 32

// FormatCounter encodes v as FileCounter stores it.
func FormatCounter(v uint64) []byte { return strconv.AppendUint(nil, v, 10) }

// ParseCounter decodes a counter file: decimal digits, optionally followed
// by one newline. Anything else is an error.
func ParseCounter(b []byte) (uint64, error) {
	if len(b) > maxCounterFile {
		return 0, fmt.Errorf("counter file of %d bytes", len(b))
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	if len(b) == 0 {
		return 0, errors.New("empty counter file")
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errors.New("counter file holds a non-digit")
		}
	}
	v, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		return 0, errors.New("counter out of range")
	}
	return v, nil
}
