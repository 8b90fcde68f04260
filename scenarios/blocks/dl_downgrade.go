package blocks

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
	"github.com/credbed/credbed/ue/dlink"
)

// DLDowngradeArgs are the arguments of dl_downgrade. Each list given
// replaces the offer's list as is (an empty list is not allowed; omit it
// to keep the offer's).
type DLDowngradeArgs struct {
	// Frame is the offer edited: AuthRequest (the PD's, default) or
	// AuthResponse (the TD's).
	Frame string `yaml:"frame"`
	// Ciphers: none, aes-128-gcm, aes-256-gcm.
	Ciphers []string `yaml:"ciphers"`
	// Curves: p256, p384, p521, x25519.
	Curves []string `yaml:"curves"`
	// Versions: protocol version numbers.
	Versions []int `yaml:"versions"`
}

var dlCipherNames = map[string]dlink.Cipher{
	"none": dlink.CipherNone, "aes-128-gcm": dlink.CipherAES128GCM, "aes-256-gcm": dlink.CipherAES256GCM,
}

var dlCurveNames = map[string]dlink.Curve{
	"p256": dlink.CurveP256, "p384": dlink.CurveP384, "p521": dlink.CurveP521, "x25519": dlink.CurveX25519,
}

// Validate checks the names.
func (a *DLDowngradeArgs) Validate() error {
	if a.Frame == "" {
		a.Frame = dlink.TypeAuthRequest.String()
	}
	if a.Frame != dlink.TypeAuthRequest.String() && a.Frame != dlink.TypeAuthResponse.String() {
		return fmt.Errorf("frame %q: want AuthRequest or AuthResponse", a.Frame)
	}
	if a.Ciphers == nil && a.Curves == nil && a.Versions == nil {
		return fmt.Errorf("give at least one of ciphers, curves, versions")
	}
	for _, c := range a.Ciphers {
		if _, ok := dlCipherNames[c]; !ok {
			return fmt.Errorf("cipher %q: want none, aes-128-gcm or aes-256-gcm", c)
		}
	}
	for _, c := range a.Curves {
		if _, ok := dlCurveNames[c]; !ok {
			return fmt.Errorf("curve %q: want p256, p384, p521 or x25519", c)
		}
	}
	for _, v := range a.Versions {
		if v < 0 || v > 255 {
			return fmt.Errorf("version %d out of range", v)
		}
	}
	if (a.Ciphers != nil && len(a.Ciphers) == 0) || (a.Curves != nil && len(a.Curves) == 0) || (a.Versions != nil && len(a.Versions) == 0) {
		return fmt.Errorf("an empty list offers nothing: omit it to keep the offer's")
	}
	if len(a.Ciphers) > 16 || len(a.Curves) > 16 || len(a.Versions) > 16 {
		return fmt.Errorf("at most 16 entries per list")
	}
	return nil
}

// Ifaces is the direct link.
func (a *DLDowngradeArgs) Ifaces() []string { return []string{trace.IfaceDL} }

// apply edits c and says how.
func (a *DLDowngradeArgs) apply(c *dlink.Capabilities) string {
	var parts []string
	if a.Ciphers != nil {
		c.Ciphers = nil
		for _, n := range a.Ciphers {
			c.Ciphers = append(c.Ciphers, dlCipherNames[n])
		}
		parts = append(parts, "ciphers "+strings.Join(a.Ciphers, ","))
	}
	if a.Curves != nil {
		c.Curves = nil
		for _, n := range a.Curves {
			c.Curves = append(c.Curves, dlCurveNames[n])
		}
		parts = append(parts, "curves "+strings.Join(a.Curves, ","))
	}
	if a.Versions != nil {
		c.Versions = nil
		for _, v := range a.Versions {
			c.Versions = append(c.Versions, uint8(v))
		}
		parts = append(parts, fmt.Sprint("versions ", a.Versions))
	}
	return strings.Join(parts, "; ")
}

// DLDowngrade is the bidding-down attacker of the direct link
// (reference/3gpp.md §6.1 D8; TS 33.501 §6.7.2 principle): it rewrites the
// capability list of the selected offer (e.g. only "no encryption", or the
// weaker cipher only) and re-encodes the frame honestly around the
// original wrapped data. In the secure protocol the capabilities are AEAD
// associated data and sit in the key confirmation transcript, so the edit
// is detected; the baseline protocol negotiates nothing (its credential is
// always in clear), which the capability reports.
func DLDowngrade() *scenarios.Block {
	return scenarios.NewCapability("dl_downgrade", AttackSpec(
		"rewrite the capability offer (ciphers, curves, versions) of direct-link AuthRequest/AuthResponse frames",
	), func(_ context.Context, st *scenarios.State, actor string, a *DLDowngradeArgs) (any, error) {
		rep := NewReporter(st, trace.KindAttack, actor, "dl_downgrade")
		noted := false
		relay := newDLRelay(dlMedium(st).MTU, func(p transport.Packet, frame []byte) ([]byte, bool) {
			var out dlink.Frame
			what := ""
			switch f := dlFrameOf(frame).(type) {
			case dlink.AuthRequest:
				if a.Frame != f.FrameType().String() {
					return nil, false
				}
				f.ICaps.Versions, f.ICaps.Curves, f.ICaps.Ciphers = slices.Clone(f.ICaps.Versions), slices.Clone(f.ICaps.Curves), slices.Clone(f.ICaps.Ciphers)
				what = a.apply(&f.ICaps)
				out = f
			case dlink.AuthResponse:
				if a.Frame != f.FrameType().String() {
					return nil, false
				}
				f.RCaps.Versions, f.RCaps.Curves, f.RCaps.Ciphers = slices.Clone(f.RCaps.Versions), slices.Clone(f.RCaps.Curves), slices.Clone(f.RCaps.Ciphers)
				what = a.apply(&f.RCaps)
				out = f
			case dlink.PlainCredential:
				if !noted {
					noted = true
					rep.Note("the baseline protocol negotiates nothing: the credential crosses in clear without any downgrade")
				}
				return nil, false
			default:
				return nil, false
			}
			b, err := dlink.Marshal(out)
			if err != nil {
				rep.Note("re-encoding failed: " + err.Error())
				return nil, false
			}
			rep.Act(p, fmt.Sprintf("rewrote the %s offer: %s", a.Frame, what))
			return b, true
		})
		return Install(st, "dl_downgrade", rep, relay.intercept), nil
	})
}
