package aka

import (
	"encoding/hex"
	"fmt"
)

// SQN profile of TS 33.102 Annex C (C.1.1, C.3): SQN = SEQ || IND with a
// 5-bit IND (a = 32 array entries) and Δ = 2^28.
const (
	SQNLen       = 6               // octets
	INDBits      = 5               // length of IND in bits (TS 29.505 indLength default 5)
	ArraySize    = 1 << INDBits    // a: entries in the USIM array SEQ_MS(0..a-1)
	DefaultDelta = uint64(1) << 28 // Δ of TS 33.102 C.2.1 (profile value)
	MaxSQN       = SQN(1)<<48 - 1  // largest 48-bit SQN
	maxSEQ       = uint64(MaxSQN) >> INDBits
	indMask      = uint64(ArraySize) - 1
)

// SQN is a 48-bit AKA sequence number, SEQ || IND (TS 33.102 Annex C.1.1).
type SQN uint64

// NewSQN builds SEQ || IND; SEQ is taken modulo 2^43 and IND modulo 2^5.
func NewSQN(seq uint64, ind uint8) SQN {
	return SQN((seq&maxSEQ)<<INDBits | uint64(ind)&indMask)
}

// SQNFromBytes decodes a 6-octet big-endian SQN.
func SQNFromBytes(b []byte) (SQN, error) {
	if len(b) != SQNLen {
		return 0, fmt.Errorf("%w: SQN must be 6 octets, got %d", ErrInvalidInput, len(b))
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return SQN(v), nil
}

// ParseSQN decodes 12 hex digits, the form TS 29.505 SequenceNumber.sqn uses.
func ParseSQN(s string) (SQN, error) {
	if len(s) != 2*SQNLen {
		return 0, fmt.Errorf("%w: SQN must be 12 hex digits", ErrInvalidInput)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return 0, fmt.Errorf("%w: SQN is not hex", ErrInvalidInput)
	}
	return SQNFromBytes(b)
}

// Bytes returns the 6-octet big-endian encoding.
func (s SQN) Bytes() [SQNLen]byte {
	var b [SQNLen]byte
	v := uint64(s) & uint64(MaxSQN)
	for i := SQNLen - 1; i >= 0; i-- {
		b[i] = byte(v)
		v >>= 8
	}
	return b
}

// String returns 12 lower-case hex digits (SQN is not secret).
func (s SQN) String() string {
	b := s.Bytes()
	return hex.EncodeToString(b[:])
}

// SEQ returns the 43-bit SEQ part.
func (s SQN) SEQ() uint64 { return (uint64(s) & uint64(MaxSQN)) >> INDBits }

// IND returns the 5-bit IND part.
func (s SQN) IND() uint8 { return uint8(uint64(s) & indMask) }

// NextSQN is the home network's SQN for the next authentication vector
// (TS 33.102 C.1.1/C.3.2): SEQ is incremented by one for every vector and IND
// cycles through the a = 32 array entries, so consecutive vectors land in
// different USIM entries and may be used out of order by different serving
// nodes. SEQ wraps modulo 2^43 (never reached in practice: Δ bounds each jump).
func NextSQN(cur SQN) SQN {
	return NewSQN(cur.SEQ()+1, cur.IND()+1)
}

// ResyncSQN is the home network's re-synchronisation (TS 33.102 §6.3.5 and
// C.3): after a verified AUTS it sets SQN_HE := SQN_MS and returns the SQN for
// the new vector, NextSQN(SQN_MS), which the USIM accepts because its SEQ is
// greater than every SEQ_MS in the array. Store the result as the new SQN_HE.
func ResyncSQN(sqnMS SQN) SQN { return NextSQN(sqnMS) }

// SQNPolicy holds the USIM freshness limits of TS 33.102 Annex C.2.
type SQNPolicy struct {
	// Delta (Δ, C.2.1): reject SEQ - SEQ_MS > Delta. Zero disables the check.
	Delta uint64
	// L (C.2.1, optional age limit): reject unless SEQ_MS - SEQ < L. Zero disables it.
	L uint64
}

// DefaultSQNPolicy is the profile of TS 33.102 C.3: Δ = 2^28, no L.
func DefaultSQNPolicy() SQNPolicy { return SQNPolicy{Delta: DefaultDelta} }

// SQNArray is the USIM's array of accepted SEQ values SEQ_MS(0..a-1), indexed
// by IND (TS 33.102 C.2.2). The zero value is the initial state (all zeros).
// It is 256 bytes and holds no pointers.
type SQNArray struct {
	seq [ArraySize]uint64
}

// Check applies the default policy (Δ = 2^28, no L).
func (a *SQNArray) Check(sqn SQN) error { return a.CheckWith(sqn, DefaultSQNPolicy()) }

// CheckWith reports whether sqn is fresh under p, without changing the array.
// A rejection wraps ErrSQNNotFresh; the UE then answers with AUTS built from
// Highest() (TS 33.102 §6.3.3, C.2).
func (a *SQNArray) CheckWith(sqn SQN, p SQNPolicy) error {
	seq, ind := sqn.SEQ(), sqn.IND()
	hi := a.Highest().SEQ()
	// C.2.1: only increases of at most Δ relative to SEQ_MS are accepted.
	if p.Delta != 0 && seq > hi && seq-hi > p.Delta {
		return fmt.Errorf("%w: SEQ %d exceeds SEQ_MS %d by more than delta %d", ErrSQNNotFresh, seq, hi, p.Delta)
	}
	// C.2.1 optional limit L on the age: SEQ_MS - SEQ < L.
	if p.L != 0 && seq < hi && hi-seq >= p.L {
		return fmt.Errorf("%w: SEQ %d older than SEQ_MS %d by L %d or more", ErrSQNNotFresh, seq, hi, p.L)
	}
	// C.2.2: fresh only if SEQ > SEQ_MS(IND).
	if seq <= a.seq[ind] {
		return fmt.Errorf("%w: SEQ %d <= SEQ_MS(%d) %d", ErrSQNNotFresh, seq, ind, a.seq[ind])
	}
	return nil
}

// Accept records sqn as accepted: SEQ_MS(IND) := SEQ (C.2.2). It never moves
// an entry backwards, so calling it without Check cannot reopen old values.
func (a *SQNArray) Accept(sqn SQN) {
	seq, ind := sqn.SEQ(), sqn.IND()
	if seq > a.seq[ind] {
		a.seq[ind] = seq
	}
}

// CheckAndAccept is Check followed by Accept when fresh.
func (a *SQNArray) CheckAndAccept(sqn SQN) error {
	if err := a.Check(sqn); err != nil {
		return err
	}
	a.Accept(sqn)
	return nil
}

// Highest returns SQN_MS, the highest accepted SQN anywhere in the array
// (SEQ_MS || its IND), which goes into AUTS (TS 33.102 §6.3.3, C.2.2).
// With an empty array it is 0.
func (a *SQNArray) Highest() SQN {
	var best uint64
	var bestInd uint8
	for i, s := range a.seq {
		if s > best {
			best, bestInd = s, uint8(i)
		}
	}
	return NewSQN(best, bestInd)
}

// Entry returns SEQ_MS(ind).
func (a *SQNArray) Entry(ind uint8) uint64 { return a.seq[uint64(ind)&indMask] }
