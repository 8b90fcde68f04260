package blocks

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"fmt"
	"math/big"
	"slices"
	"sync"

	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// Malformed SUCI modes of rewrite_suci.
const (
	SUCIOffCurve      = "off_curve"      // Profile B with a compressed point whose x is not on P-256
	SUCIBadMAC        = "bad_mac"        // the UE's real scheme output with one MAC bit flipped
	SUCIOversize      = "oversize"       // a scheme output far beyond the size limit
	SUCILowOrder      = "low_order"      // Profile A with the all-zero (low-order) X25519 ephemeral key
	SUCIUnknownScheme = "unknown_scheme" // a reserved protection scheme identifier
)

func suciModes() []string {
	return []string{SUCIOffCurve, SUCIBadMAC, SUCIOversize, SUCILowOrder, SUCIUnknownScheme}
}

// oversizeOutput is the length of the oversize scheme output: beyond
// ident.MaxSchemeOutputLen, and far beyond any IMSI-based SUCI.
const oversizeOutput = 4096

// RewriteSUCIArgs are the arguments of rewrite_suci.
type RewriteSUCIArgs struct {
	Selector `yaml:",inline"`
	// Mode is the malformation: off_curve, bad_mac, oversize, low_order,
	// unknown_scheme.
	Mode string `yaml:"mode"`
	// KeyID is the home network public key id written for off_curve and
	// low_order (defaults: 2 for Profile B, 1 for Profile A, the testbed's).
	KeyID *int `yaml:"key_id"`
}

// Validate checks the mode and narrows the selector to initial REGISTRATION
// REQUESTs on N2; count defaults to 1 (one registration is hit).
func (a *RewriteSUCIArgs) Validate() error {
	if !slices.Contains(suciModes(), a.Mode) {
		return fmt.Errorf("mode %q: want one of %v", a.Mode, suciModes())
	}
	if a.KeyID != nil && (*a.KeyID < 0 || *a.KeyID > 255) {
		return fmt.Errorf("key_id %d out of range", *a.KeyID)
	}
	if len(a.Iface) == 0 {
		a.Iface = Kinds{"n2"}
	}
	if a.NGAP == "" {
		a.NGAP = "InitialUEMessage"
	}
	if a.NAS == "" {
		a.NAS = nasx.MsgRegistrationRequest.String()
	}
	if a.Count == 0 {
		a.Count = 1
	}
	return a.Selector.Validate()
}

// Ifaces are N2 and N1.
func (a *RewriteSUCIArgs) Ifaces() []string {
	return append(a.Selector.Ifaces(), trace.IfaceN1, trace.IfaceN2)
}

func (a *RewriteSUCIArgs) keyID(def byte) byte {
	if a.KeyID != nil {
		return byte(*a.KeyID)
	}
	return def
}

// suciHeader is the length of an IMSI-form SUCI before the scheme output:
// type octet, PLMN (3), routing indicator (2), scheme, key id (TS 24.501
// §9.11.3.4).
const suciHeader = 8

// malform returns the 5GS mobile identity mi with its SUCI malformed.
func (a *RewriteSUCIArgs) malform(mi []byte) ([]byte, error) {
	if nasx.IdentityType(mi) != nasx.IdentitySUCI || len(mi) < suciHeader+1 || ident.SUPIType(mi[0]>>4&0x07) != ident.SUPITypeIMSI {
		return nil, fmt.Errorf("the mobile identity is not an IMSI-form SUCI")
	}
	head := bytes.Clone(mi[:suciHeader])
	out := bytes.Clone(mi[suciHeader:])
	switch a.Mode {
	case SUCIOffCurve:
		head[6], head[7] = byte(ident.SchemeProfileB), a.keyID(2)
		x := offCurveX()
		out = append(append([]byte{0x02}, x...), make([]byte, 5+ident.ECIESMACLen)...)
	case SUCIBadMAC:
		if ident.ProtectionScheme(head[6]) == ident.SchemeNull {
			return nil, fmt.Errorf("a null-scheme SUCI has no MAC")
		}
		out[len(out)-1] ^= 0x01
	case SUCIOversize:
		out = append(out, make([]byte, oversizeOutput-len(out))...)
	case SUCILowOrder:
		head[6], head[7] = byte(ident.SchemeProfileA), a.keyID(1)
		rest := make([]byte, 5+ident.ECIESMACLen)
		if ident.ProtectionScheme(mi[6]) == ident.SchemeProfileA && len(out) > ident.ProfileAPublicKeyLen {
			rest = out[ident.ProfileAPublicKeyLen:]
		}
		out = append(make([]byte, ident.ProfileAPublicKeyLen), rest...)
	case SUCIUnknownScheme:
		head[6] = 0x0B // reserved (TS 33.501 Annex C.1)
	}
	return append(head, out...), nil
}

// offCurveX returns an x coordinate with no point on P-256 (x³ − 3x + b is
// a quadratic non-residue mod p): its compressed encoding decompresses to
// nothing.
var offCurveX = sync.OnceValue(func() []byte {
	params := elliptic.P256().Params()
	p := params.P
	exp := new(big.Int).Rsh(new(big.Int).Sub(p, big.NewInt(1)), 1)
	for i := int64(1); ; i++ {
		x := big.NewInt(i)
		rhs := new(big.Int).Exp(x, big.NewInt(3), p)
		rhs.Sub(rhs, new(big.Int).Mul(big.NewInt(3), x))
		rhs.Add(rhs, params.B)
		rhs.Mod(rhs, p)
		if new(big.Int).Exp(rhs, exp, p).Cmp(big.NewInt(1)) != 0 && rhs.Sign() != 0 {
			b := make([]byte, 32)
			return x.FillBytes(b)
		}
	}
})

// RewriteSUCI is the attacker (or broken UE) sending the home network a
// malformed SUCI (reference/3gpp.md §6.4 C4): it rewrites the SUCI in the
// selected initial REGISTRATION REQUESTs on N2 (plain NAS before security:
// anyone on the radio can send one) into a Profile B SUCI whose ephemeral
// key is not a curve point, a Profile A SUCI with the low-order all-zero
// key, the real output with a wrong MAC tag, an oversize output, or a
// reserved scheme. The SIDF must refuse each (403 AUTHENTICATION_REJECTED
// or 501 UNSUPPORTED_PROTECTION_SCHEME), the AMF must reject the UE, and
// nothing may crash.
func RewriteSUCI() *scenarios.Block {
	return scenarios.NewCapability("rewrite_suci", AttackSpec(
		"malform the SUCI of initial registration requests on N2 (off-curve key, low-order key, bad MAC, oversize, unknown scheme)",
	), func(_ context.Context, st *scenarios.State, actor string, a *RewriteSUCIArgs) (any, error) {
		return InstallSelected(st, &a.Selector, trace.KindAttack, actor, "rewrite_suci", func(rep *Reporter, p transport.Packet) []transport.Packet {
			m, err := ngapx.Parse(p.Payload)
			if err != nil {
				return []transport.Packet{p}
			}
			init, ok := m.(*ngapx.InitialUEMessage)
			if !ok {
				return []transport.Packet{p}
			}
			msg, err := nasx.Parse(init.NASPDU)
			if err != nil {
				return []transport.Packet{p}
			}
			req, ok := msg.(*nasx.RegistrationRequest)
			if !ok {
				return []transport.Packet{p}
			}
			mi, err := a.malform(req.MobileIdentity)
			if err != nil {
				rep.Note("not rewritten: " + err.Error())
				return []transport.Packet{p}
			}
			req.MobileIdentity = mi
			nas, err := req.Build()
			if err != nil {
				rep.Note("not rewritten: " + err.Error())
				return []transport.Packet{p}
			}
			init.NASPDU = nas
			b, err := init.Build()
			if err != nil {
				rep.Note("not rewritten: " + err.Error())
				return []transport.Packet{p}
			}
			rep.Act(p, fmt.Sprintf("SUCI rewritten (%s, scheme output %d bytes)", a.Mode, len(mi)-suciHeader))
			q := p.Clone()
			q.Payload = b
			return []transport.Packet{q}
		})
	})
}
