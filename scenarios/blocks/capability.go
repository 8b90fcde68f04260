package blocks

import (
	"github.com/credbed/credbed/internal/trace"
	"github.com/credbed/credbed/internal/transport"
	"github.com/credbed/credbed/scenarios"
)

// attackerRoles may use the attacker capabilities (or no actor at all).
func attackerRoles() []string {
	return []string{RoleAttacker, RoleRogueGNB, RoleRoguePD, RoleRogueTD}
}

// AttackSpec is the Spec of an attacker capability: an optional actor with
// an attacker role.
func AttackSpec(summary string) scenarios.Spec {
	return scenarios.Spec{Summary: summary, Roles: attackerRoles()}
}

// InstallSelected installs an interceptor that calls act on the packets sel
// selects (after Skip/Count) and passes the rest; act returns what to deliver.
func InstallSelected(st *scenarios.State, sel *Selector, kind trace.Kind, actor, name string,
	act func(rep *Reporter, p transport.Packet) []transport.Packet) (*Handle, error) {
	m, err := sel.Match(st)
	if err != nil {
		return nil, err
	}
	m = sel.Limit(m)
	rep := NewReporter(st, kind, actor, name)
	return Install(st, name, rep, func(p transport.Packet) []transport.Packet {
		if !m(p) {
			return []transport.Packet{p}
		}
		return act(rep, p)
	}), nil
}
