package blocks

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// ByteRange is a run of Length bytes at Offset (negative: from the end).
type ByteRange struct {
	Offset int `yaml:"offset"`
	Length int `yaml:"length"`
}

// ModifyNASArgs are the arguments of modify_nas. Offsets and bit positions
// count inside the NAS-PDU the NGAP message carries (security header
// included), not inside the NGAP bytes; negative ones count from its end.
// Edits apply in this order: set, flip, randomize.
type ModifyNASArgs struct {
	Selector `yaml:",inline"`
	// Set writes bytes at an offset of the NAS-PDU.
	Set []ByteSet `yaml:"set"`
	// Flip flips bits of the NAS-PDU (0 = the most significant bit of its
	// first octet; -1 = the least significant bit of its last octet).
	Flip []int `yaml:"flip"`
	// Randomize overwrites a byte range with bytes drawn from the run's seed.
	Randomize *ByteRange `yaml:"randomize"`
}

// Validate requires at least one edit.
func (a *ModifyNASArgs) Validate() error {
	if err := a.Selector.Validate(); err != nil {
		return err
	}
	if len(a.Set)+len(a.Flip) == 0 && a.Randomize == nil {
		return fmt.Errorf("modify_nas needs at least one edit (set, flip, randomize)")
	}
	if a.Randomize != nil && (a.Randomize.Length <= 0 || a.Randomize.Length > 1024) {
		return fmt.Errorf("randomize: length must be in [1, 1024]")
	}
	return nil
}

// Ifaces are the selector's, N2 and N1.
func (a *ModifyNASArgs) Ifaces() []string {
	return append(a.Selector.Ifaces(), trace.IfaceN2, trace.IfaceN1)
}

// ModifyNAS is the man in the middle on N2 (or a false base station)
// editing the NAS message inside selected NGAP messages while keeping the
// NGAP framing valid: e.g. a flipped bit in the AUTN of an AUTHENTICATION
// REQUEST (reference/3gpp.md §6.5 K4) or in the RES* of an AUTHENTICATION
// RESPONSE (K6), or the algorithm octet of a SECURITY MODE COMMAND (K9).
// NGAP messages without a NAS-PDU pass untouched.
func ModifyNAS() *scenarios.Block {
	return scenarios.NewCapability("modify_nas", AttackSpec(
		"edit the NAS-PDU inside selected NGAP messages (set bytes, flip bits, randomize a range)",
	), func(_ context.Context, st *scenarios.State, actor string, a *ModifyNASArgs) (any, error) {
		var mu sync.Mutex
		var rng *rand.Rand
		if a.Randomize != nil {
			rng = st.NewRand()
		}
		return InstallSelected(st, &a.Selector, trace.KindAttack, actor, "modify_nas", func(rep *Reporter, p transport.Packet) []transport.Packet {
			v, ok := ViewN2(p)
			if !ok || len(v.NAS) == 0 {
				return []transport.Packet{p}
			}
			nas := append([]byte(nil), v.NAS...)
			mu.Lock()
			notes := editNAS(nas, a, rng)
			mu.Unlock()
			q, err := WithNAS(p, nas)
			if err != nil {
				rep.Note("modify_nas: " + err.Error())
				return []transport.Packet{p}
			}
			what := v.NASName()
			if what == "" {
				what = "NAS-PDU"
			}
			rep.Act(p, what+": "+strings.Join(notes, ", "))
			return []transport.Packet{q}
		})
	})
}

// editNAS applies the edits to nas in place and says what it did.
func editNAS(nas []byte, a *ModifyNASArgs, rng *rand.Rand) []string {
	var notes []string
	for _, s := range a.Set {
		off := s.Offset
		if off < 0 {
			off += len(nas)
		}
		if off < 0 || off+len(s.Value) > len(nas) {
			notes = append(notes, fmt.Sprintf("set at %d out of range", s.Offset))
			continue
		}
		copy(nas[off:], s.Value)
		notes = append(notes, fmt.Sprintf("set %d octets at %d", len(s.Value), off))
	}
	for _, b := range a.Flip {
		if b < 0 {
			b += 8 * len(nas)
		}
		if b < 0 || b >= 8*len(nas) {
			notes = append(notes, "flip out of range")
			continue
		}
		nas[b/8] ^= 0x80 >> (b % 8)
		notes = append(notes, fmt.Sprintf("flipped bit %d", b))
	}
	if r := a.Randomize; r != nil {
		off := r.Offset
		if off < 0 {
			off += len(nas)
		}
		if off < 0 || off+r.Length > len(nas) {
			notes = append(notes, "randomize out of range")
		} else {
			for i := range r.Length {
				nas[off+i] = byte(rng.Uint32())
			}
			notes = append(notes, fmt.Sprintf("randomized %d octets at %d", r.Length, off))
		}
	}
	return notes
}

// WithNAS returns a copy of the N2 packet p whose NGAP message carries nas
// instead of its NAS-PDU (INITIAL UE MESSAGE, UPLINK/DOWNLINK NAS
// TRANSPORT, INITIAL CONTEXT SETUP REQUEST), re-encoded.
func WithNAS(p transport.Packet, nas []byte) (transport.Packet, error) {
	m, err := ngapx.Parse(p.Payload)
	if err != nil {
		return p, err
	}
	var b []byte
	switch x := m.(type) {
	case *ngapx.InitialUEMessage:
		x.NASPDU = nas
		b, err = x.Build()
	case *ngapx.UplinkNASTransport:
		x.NASPDU = nas
		b, err = x.Build()
	case *ngapx.DownlinkNASTransport:
		x.NASPDU = nas
		b, err = x.Build()
	case *ngapx.InitialContextSetupRequest:
		x.NASPDU = nas
		b, err = x.Build()
	default:
		return p, fmt.Errorf("%T carries no NAS-PDU this block rewrites", m)
	}
	if err != nil {
		return p, err
	}
	q := p.Clone()
	q.Payload = b
	return q, nil
}
