package roles

import "crypto/rand"

// cryptoRand is crypto/rand.Reader as a value (the default Deps.Rand).
type cryptoRand struct{}

func (cryptoRand) Read(b []byte) (int, error) { return rand.Read(b) }
