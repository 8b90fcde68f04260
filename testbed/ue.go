package testbed

import (
	"fmt"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/nasx"
	"github.com/credbed/credbed/internal/subscriber"
	"github.com/credbed/credbed/ue"
	"github.com/credbed/credbed/ue/gmm"
	"github.com/credbed/credbed/ue/usim"
)

// UEOptions tune NewUE.
type UEOptions struct {
	// Scheme is the SUCI protection scheme (default Profile A).
	Scheme ident.ProtectionScheme
	// SchemeSet marks Scheme as explicitly chosen (so the null scheme can be asked for).
	SchemeSet bool
	// GNB picks the gNB (default: round robin).
	GNB int
	// GMM overrides the UE's 5GMM configuration.
	GMM *gmm.Config
	// Name overrides the actor name.
	Name string
}

// Credential builds the USIM credential of a subscriber of this bed, with
// the bed's home network key for the given scheme.
func (b *Bed) Credential(s subscriber.Subscription, scheme ident.ProtectionScheme) (usim.Credential, error) {
	kb, err := s.KBytes()
	if err != nil {
		return usim.Credential{}, err
	}
	ob, err := s.OPcBytes()
	if err != nil {
		return usim.Credential{}, err
	}
	supi, err := ident.ParseSUPI(s.SUPI)
	if err != nil {
		return usim.Credential{}, err
	}
	k, err := aka.Key128From(kb)
	if err != nil {
		return usim.Credential{}, err
	}
	opc, err := aka.Key128From(ob)
	if err != nil {
		return usim.Credential{}, err
	}
	cred := usim.Credential{SUPI: supi, K: k, OPc: opc, AMF: [2]byte{0x80, 0x00}, PLMN: b.PLMN(), Scheme: scheme}
	if hn, ok := b.HNKeys[scheme]; ok {
		cred.HNKey = hn.Public()
		cred.HNKeyID = b.HNKeyID(scheme)
	}
	return cred, nil
}

// HNKeyID is the home network public key identifier of a scheme's key.
func (b *Bed) HNKeyID(scheme ident.ProtectionScheme) uint8 {
	switch scheme {
	case ident.SchemeProfileA:
		return 1
	case ident.SchemeProfileB:
		return 2
	}
	return 0
}

// UEConfig is the default 5GMM configuration of the bed's UEs.
func (b *Bed) UEConfig() gmm.Config {
	return gmm.Config{RequestedNSSAI: []nasx.SNSSAI{{SST: 1}}, ServingPLMN: b.PLMN()}
}

// NewUE builds a UE holding the credential of s and attaches it to a gNB.
func (b *Bed) NewUE(s subscriber.Subscription, opts ...UEOptions) (*ue.UE, error) {
	var o UEOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if !o.SchemeSet {
		o.Scheme = ident.SchemeProfileA
	}
	cred, err := b.Credential(s, o.Scheme)
	if err != nil {
		return nil, fmt.Errorf("testbed: credential of %s: %w", s.SUPI, err)
	}
	return b.NewUEWith(&cred, o)
}

// NewUEWith builds a UE with the given credential (nil: an empty slot) and attaches it.
func (b *Bed) NewUEWith(cred *usim.Credential, o UEOptions) (*ue.UE, error) {
	cfg := b.UEConfig()
	if o.GMM != nil {
		cfg = *o.GMM
	}
	u, err := ue.New(ue.Config{Name: o.Name, Credential: cred, GMM: cfg},
		ue.Deps{Clock: b.Clock, Rand: b.Rand(), Trace: b.Sink, Logger: b.Log})
	if err != nil {
		return nil, err
	}
	if len(b.GNBs) == 0 {
		return nil, fmt.Errorf("%w: no gNB", ErrTopology)
	}
	i := o.GNB
	if i <= 0 || i > len(b.GNBs) {
		i = int(b.ueCounter.Add(1) % uint64(len(b.GNBs)))
	} else {
		i--
	}
	u.Attach(b.GNBs[i])
	return u, nil
}
