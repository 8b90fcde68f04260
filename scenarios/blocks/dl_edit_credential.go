package blocks

import (
	"bytes"
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/credential"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue/dlink"
)

// DLEditCredentialArgs are the arguments of dl_edit_credential: exactly one
// edit.
type DLEditCredentialArgs struct {
	// FlipBit flips this bit (0 = the most significant bit of the first
	// byte) of K in a plaintext package, re-encoded so it still decodes; in
	// a sealed delivery, where K cannot be found, of the wrapped ciphertext.
	FlipBit *int `yaml:"flip_bit"`
	// StripHNKeys removes the home network public keys from a plaintext
	// package (the target then conceals nothing: null-scheme SUCI). A sealed
	// package cannot be edited and passes unchanged.
	StripHNKeys bool `yaml:"strip_hn_keys"`
	// Count bounds the frames edited (0: every one).
	Count int `yaml:"count"`
}

// Validate requires exactly one edit.
func (a *DLEditCredentialArgs) Validate() error {
	if (a.FlipBit != nil) == a.StripHNKeys {
		return fmt.Errorf("give exactly one of flip_bit, strip_hn_keys")
	}
	if a.FlipBit != nil && (*a.FlipBit < 0 || *a.FlipBit >= 8*credential.KeySize) {
		return fmt.Errorf("flip_bit %d: want 0..%d (a bit of K; of the ciphertext when sealed)", *a.FlipBit, 8*credential.KeySize-1)
	}
	if a.Count < 0 {
		return fmt.Errorf("count must not be negative")
	}
	return nil
}

// Ifaces is the direct link.
func (a *DLEditCredentialArgs) Ifaces() []string { return []string{trace.IfaceDL} }

// DLEditCredential is the attacker that edits the credential in transit on
// the direct link (reference/3gpp.md §6.1 D7 tampering, §6.4 C3 SUPI
// exposure): in a baseline PlainCredential it decodes the package, edits it
// (flips a bit of K, or strips the home network keys) and re-encodes it, so
// the naive target installs a credential other than the one the network
// holds; in a secure CredentialDelivery it can only flip ciphertext bits,
// which the AEAD catches, and cannot strip anything.
func DLEditCredential() *scenarios.Block {
	return scenarios.NewCapability("dl_edit_credential", AttackSpec(
		"edit the credential in transit on the direct link: flip a bit of K (ciphertext when sealed) or strip the HN keys",
	), func(_ context.Context, st *scenarios.State, actor string, a *DLEditCredentialArgs) (any, error) {
		rep := NewReporter(st, trace.KindAttack, actor, "dl_edit_credential")
		edited := 0
		relay := newDLRelay(dlMedium(st).MTU, func(p transport.Packet, frame []byte) ([]byte, bool) {
			if a.Count > 0 && edited >= a.Count {
				return nil, false
			}
			var out []byte
			var what string
			switch f := dlFrameOf(frame).(type) {
			case dlink.PlainCredential:
				pkg, err := credential.ParsePackage(f.Package)
				if err != nil {
					rep.Note("plaintext package does not decode: " + err.Error())
					return nil, false
				}
				defer pkg.Wipe()
				if a.StripHNKeys {
					if len(pkg.HNKeys) == 0 {
						rep.Note("the plaintext package carries no home network key to strip")
						return nil, false
					}
					pkg.HNKeys = nil
					what = "stripped the home network public keys from the plaintext package"
				} else {
					pkg.K[*a.FlipBit/8] ^= 0x80 >> (*a.FlipBit % 8)
					what = fmt.Sprintf("flipped bit %d of K in the plaintext package", *a.FlipBit)
				}
				enc, err := pkg.MarshalBinary()
				if err != nil {
					rep.Note("re-encoding the package failed: " + err.Error())
					return nil, false
				}
				f.Package = enc
				if out, err = dlink.Marshal(f); err != nil {
					return nil, false
				}
			case dlink.CredentialDelivery:
				if a.StripHNKeys {
					rep.Note("the credential delivery is sealed and wrapped: nothing to strip, passed unchanged")
					return nil, false
				}
				f.Wrapped = bytes.Clone(f.Wrapped)
				bit := *a.FlipBit % (8 * len(f.Wrapped))
				f.Wrapped[bit/8] ^= 0x80 >> (bit % 8)
				what = fmt.Sprintf("flipped bit %d of the sealed delivery's ciphertext (K is not visible)", bit)
				var err error
				if out, err = dlink.Marshal(f); err != nil {
					return nil, false
				}
			default:
				return nil, false
			}
			edited++
			rep.Act(p, what)
			return out, true
		})
		return Install(st, "dl_edit_credential", rep, relay.intercept), nil
	})
}
